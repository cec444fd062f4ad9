"""Checks every webhook runs before anything else: signature, timestamp window, body size, safe XML.

Channel-neutral: the Official Account (``/wechat/mp``) and WeCom (``/wechat/work``) both
use it. Each check raises :class:`Rejected` with the HTTP status to answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from xml.parsers import expat

from aiohttp import web

# Markers that never appear in a WeChat message; refusing them up front costs nothing.
_FORBIDDEN_MARKERS = (b"<!doctype", b"<!entity", b"<!element", b"<!attlist", b"<!notation")
# The deepest WeChat / WeCom nesting is 5 below <xml> (ApprovalInfo > SpRecord > Details >
# Approver > UserId); anything deeper than this is refused before it is walked.
MAX_DEPTH = 8
# Fields a message carries once, as text. A second copy or an element inside one is forged:
# refused, never turned into a list or a dict that would end up as an openid or a key.
SINGLE_FIELDS = frozenset(
    {
        "ToUserName",
        "FromUserName",
        "CreateTime",
        "MsgType",
        "MsgId",
        "MsgID",
        "Event",
        "EventKey",
        "Content",
        "Encrypt",
        "AgentID",
        "UnionId",
        "MediaId",
        "Recognition",
        "ChangeType",
        "UserID",
        "ExternalUserID",
        "State",
        "WelcomeCode",
        "Ticket",
    }
)
# Where the Encrypt element is looked for without parsing: at most this many candidates.
MAX_ENCRYPT_CANDIDATES = 8
_ENC_OPEN, _ENC_CLOSE = b"<Encrypt>", b"</Encrypt>"
_CDATA_OPEN, _CDATA_CLOSE = b"<![CDATA[", b"]]>"
_BASE64 = re.compile(rb"[A-Za-z0-9+/]+={0,2}")
# Headers a reverse proxy adds: a request carrying one did not come from this machine.
_FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Real-IP")

log = logging.getLogger(__name__)


class Rejected(Exception):
    """A request refused before it reaches the pipeline; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self, channel: str) -> web.Response:
        """The HTTP answer, logged (the reason only: nothing of the request's content)."""
        log.warning("%s: refused (%s %s)", channel, self.status, self.reason)
        return web.Response(status=self.status, text=self.reason, content_type="text/plain")


def secret_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets (any characters)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def sha1_signature(token: str, *parts: str) -> str:
    """WeChat's signature: SHA-1 of the token and the parts, sorted and concatenated."""
    items = sorted([token, *[p or "" for p in parts]])
    return hashlib.sha1("".join(items).encode("utf-8")).hexdigest()


def signature_ok(expected_token: str, signature: str | None, *parts: str) -> bool:
    """Constant-time comparison of ``signature`` with the one computed from ``parts``."""
    if not signature:
        return False
    good = sha1_signature(expected_token, *parts)
    return hmac.compare_digest(good.encode("ascii"), signature.strip().lower().encode("utf-8"))


def check_signature(token: str, signature: str | None, timestamp: str, nonce: str) -> None:
    """The plain ``signature`` query parameter: sha1(sort(token, timestamp, nonce))."""
    if not signature_ok(token, signature, timestamp or "", nonce or ""):
        raise Rejected(403, "bad signature")


def check_msg_signature(
    token: str, msg_signature: str | None, timestamp: str, nonce: str, encrypted: str
) -> None:
    """The ``msg_signature`` of safe mode: sha1(sort(token, timestamp, nonce, Encrypt))."""
    if not signature_ok(token, msg_signature, timestamp or "", nonce or "", encrypted or ""):
        raise Rejected(403, "bad msg_signature")


def check_timestamp(timestamp: str | None, now: datetime, max_skew_s: int) -> None:
    """Refuse a request whose timestamp is more than ``max_skew_s`` away from now (0 = off)."""
    if max_skew_s <= 0:
        return
    try:
        ts = int(timestamp or "")
    except ValueError:
        raise Rejected(403, "bad timestamp") from None
    if abs(now.timestamp() - ts) > max_skew_s:
        raise Rejected(403, "timestamp outside the window")


def find_encrypted(body: bytes, verifies: Callable[[str], bool]) -> str:
    """The ``Encrypt`` element of a safe- or compatible-mode body, found without parsing it.

    A linear scan (``bytes.find``) for ``<Encrypt>…</Encrypt>``; each base64 candidate (at
    most :data:`MAX_ENCRYPT_CANDIDATES`, CDATA or not) is tried with ``verifies`` (the
    ``msg_signature`` check) and the first that verifies is returned. A customer's own text
    in a compatible-mode body may hold a fake ``<Encrypt>`` in CDATA: it never verifies, the
    real one does. No candidate → 403 ``no Encrypt element``; none verifies → 403.
    """
    pos, seen = 0, 0
    while seen < MAX_ENCRYPT_CANDIDATES:
        start = body.find(_ENC_OPEN, pos)
        if start < 0:
            break
        start += len(_ENC_OPEN)
        end = body.find(_ENC_CLOSE, start)
        if end < 0:
            break
        pos = end + len(_ENC_CLOSE)
        value = body[start:end].strip()
        if value.startswith(_CDATA_OPEN) and value.endswith(_CDATA_CLOSE):
            value = value[len(_CDATA_OPEN) : -len(_CDATA_CLOSE)].strip()
        if not value or not _BASE64.fullmatch(value):
            continue
        seen += 1
        text = value.decode("ascii")
        if verifies(text):
            return text
    if seen == 0:
        raise Rejected(403, "no Encrypt element")
    raise Rejected(403, "bad msg_signature")


def is_local(request: web.Request) -> bool:
    """The peer is this machine (loopback) and no reverse proxy forwarded the request."""
    if any(h in request.headers for h in _FORWARDED):
        return False
    try:
        return ipaddress.ip_address((request.remote or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


async def read_body(request: web.Request, max_bytes: int, timeout_s: float | None = None) -> bytes:
    """The request body, refusing (413) anything over ``max_bytes`` without reading it all,
    and (408) a body that takes longer than ``timeout_s`` to arrive."""
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        raise Rejected(413, "body too large")
    if timeout_s is None or request.content.is_eof():  # all of it is here: nothing to wait for
        return await _read_body(request, max_bytes)
    try:
        async with asyncio.timeout(timeout_s):
            return await _read_body(request, max_bytes)
    except TimeoutError:
        raise Rejected(408, "body too slow") from None


async def _read_body(request: web.Request, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise Rejected(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """Parse a WeChat XML body safely; the children of ``<xml>`` as a dict.

    DTDs, entity declarations and external references are refused (400) before any
    expansion happens (a byte scan, then expat with defusedxml's handlers: every
    declaration raises), so a billion-laughs body costs microseconds. One pass, no tree. Nested elements
    (``ScanCodeInfo``, ``SendPicsInfo``…) become nested dicts; repeated ones, lists. Refused
    with 400: nesting deeper than :data:`MAX_DEPTH`, a field of ``<xml>`` given twice, and a
    :data:`SINGLE_FIELDS` field holding elements.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if not raw.strip():
        raise Rejected(400, "empty body")
    head = raw.lower()
    if any(marker in head for marker in _FORBIDDEN_MARKERS):
        raise Rejected(400, "DTD or entity declaration")
    builder = _Builder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    # defusedxml's refusals, on expat directly: no DTD, no entity, no external reference
    parser.StartDoctypeDeclHandler = _forbidden
    parser.EntityDeclHandler = _forbidden
    parser.UnparsedEntityDeclHandler = _forbidden
    parser.ExternalEntityRefHandler = _forbidden
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(raw, True)
    except expat.ExpatError:
        raise Rejected(400, "malformed XML") from None
    except ValueError:
        raise Rejected(400, "malformed XML") from None
    return builder.result


def _forbidden(*_args: Any) -> None:
    raise Rejected(400, "DTD, entity or external reference")


class _Builder:
    """Parser target: the children of ``<xml>`` as nested dicts, built while parsing. A
    rule broken (too deep, a field twice, a one-value field holding elements) stops the
    parse at that element: the rest of the body is never read."""

    def __init__(self) -> None:
        # open elements: [tag, children dict (None while it has none), text parts]
        self.stack: list[list[Any]] = []
        self.result: dict[str, Any] = {}

    def start(self, tag: str, _attrib: dict[str, str]) -> None:
        depth = len(self.stack)
        if depth == 0:
            if tag != "xml":
                raise Rejected(400, "not a WeChat XML message")
        elif depth > MAX_DEPTH:
            raise Rejected(400, "XML nested too deep")
        else:
            parent = self.stack[-1]
            if parent[1] is None:
                if depth == 2 and parent[0] in SINGLE_FIELDS:
                    raise Rejected(400, f"{parent[0]} holds elements")
                parent[1] = {}
        self.stack.append([tag, None, []])

    def data(self, text: str) -> None:
        if self.stack and self.stack[-1][1] is None:
            self.stack[-1][2].append(text)

    def end(self, _tag: str) -> None:
        tag, children, parts = self.stack.pop()
        if not self.stack:
            self.result = children or {}
            return
        value: Any = children if children is not None else "".join(parts).strip()
        target = self.stack[-1][1]
        if tag in target:
            if len(self.stack) == 1:
                raise Rejected(400, f"{tag} given twice")
            prev = target[tag]
            target[tag] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            target[tag] = value
