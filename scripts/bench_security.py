#!/usr/bin/env python
"""What the webhook entry checks cost, in process (no HTTP): the accepted safe-mode path
(Encrypt found by a scan, msg_signature, AES, one XML parse) and the refusals of hostile
bodies up to the size limit. Prints microseconds per call (best of 3 runs).

    .venv/bin/python scripts/bench_security.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wechatpy.crypto import WeChatCrypto  # noqa: E402

from bot import security  # noqa: E402
from tests.fakes import wxmsg  # noqa: E402

TOKEN, KEY, APP = "sandboxtoken", "6PmTxj5qP1aZHSrJYswXuJSlql2obkXIEbgrViOmaEP", "wxsandbox0000mp01"
LIMIT = 65536


def main() -> None:
    crypto = WeChatCrypto(TOKEN, KEY, APP)
    q, body = wxmsg.inbound(
        wxmsg.text("o-1", "空调不制冷 想明天下午修"),
        token=TOKEN,
        timestamp=1,
        mode="safe",
        aes_key=KEY,
        app_id=APP,
    )
    ts, nonce, sig = q["timestamp"], q["nonce"], q["msg_signature"]
    raw = body.encode()

    def verifies(enc: str) -> bool:
        return security.signature_ok(TOKEN, sig, ts, nonce, enc)

    def accepted() -> None:
        enc = security.find_encrypted(raw, verifies)
        security.parse_xml(crypto.decrypt_message({"Encrypt": enc}, sig, ts, nonce))

    depth = (LIMIT - 20) // 7
    deep = ("<xml>" + "<a>" * depth + "</a>" * depth + "</xml>").encode()
    dupes = ("<xml>" + "<FromUserName>x</FromUserName>" * (LIMIT // 32) + "</xml>").encode()

    def refused(fn) -> None:
        try:
            fn()
        except security.Rejected:
            return
        raise AssertionError("not refused")

    cases = {
        "accepted safe-mode message (scan, signature, AES, parse)": accepted,
        f"unsigned {len(deep)} B body, {depth} deep (scan only)": lambda: refused(
            lambda: security.find_encrypted(deep, verifies)
        ),
        f"{len(deep)} B plaintext, {depth} deep (parse, refused)": lambda: refused(
            lambda: security.parse_xml(deep)
        ),
        f"{len(dupes)} B plaintext, duplicated FromUserName": lambda: refused(
            lambda: security.parse_xml(dupes)
        ),
    }
    for name, fn in cases.items():
        number = 200
        best = min(timeit.repeat(fn, number=number, repeat=3)) / number
        print(f"{best * 1e6:10.1f} us  {name}")


if __name__ == "__main__":
    main()
