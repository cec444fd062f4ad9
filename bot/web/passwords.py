"""Admin password hashes: ``scrypt$n$r$p$salt$hash`` (hex), checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

N, R, P, DKLEN = 2**14, 8, 1, 32


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A hash string to put in WXBOT_ADMIN_PASSWORD_HASH."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=DKLEN)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (scrypt$… or pbkdf2_sha256$iterations$salt$hash)."""
    try:
        scheme, *parts = stored.strip().split("$")
        if scheme == "scrypt":
            n, r, p, salt, want = int(parts[0]), int(parts[1]), int(parts[2]), parts[3], parts[4]
            got = hashlib.scrypt(
                password.encode("utf-8"),
                salt=bytes.fromhex(salt),
                n=n,
                r=r,
                p=p,
                dklen=len(want) // 2,
                maxmem=256 * 1024 * 1024,
            )
        elif scheme == "pbkdf2_sha256":
            iterations, salt, want = int(parts[0]), parts[1], parts[2]
            got = hashlib.pbkdf2_hmac(
                "sha256", password.encode("utf-8"), bytes.fromhex(salt), iterations, len(want) // 2
            )
        else:
            return False
        return hmac.compare_digest(got.hex(), want.lower())
    except (ValueError, IndexError):
        return False
