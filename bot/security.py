"""Checks every webhook runs before anything else: signature, timestamp window, body size, safe XML.

Channel-neutral: the Official Account (``/wechat/mp``) and WeCom (``/wechat/work``) both
use it. Each check raises :class:`Rejected` with the HTTP status to answer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import defusedxml
import defusedxml.ElementTree as DET
from aiohttp import web

# Markers that never appear in a WeChat message; refusing them up front costs nothing.
_FORBIDDEN_MARKERS = (b"<!doctype", b"<!entity", b"<!element", b"<!attlist", b"<!notation")

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


async def read_body(request: web.Request, max_bytes: int) -> bytes:
    """The request body, refusing (413) anything over ``max_bytes`` without reading it all."""
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        raise Rejected(413, "body too large")
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
    expansion happens, so a billion-laughs body costs microseconds. Nested elements
    (``ScanCodeInfo``, ``SendPicsInfo``…) become nested dicts; repeated ones, lists.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if not raw.strip():
        raise Rejected(400, "empty body")
    head = raw.lower()
    if any(marker in head for marker in _FORBIDDEN_MARKERS):
        raise Rejected(400, "DTD or entity declaration")
    try:
        root = DET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise Rejected(400, "DTD, entity or external reference") from None
    except (ET.ParseError, ValueError):
        raise Rejected(400, "malformed XML") from None
    if root.tag != "xml":
        raise Rejected(400, "not a WeChat XML message")
    return _children(root)


def _children(node: ET.Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in node:
        value: Any = _children(child) if len(child) else (child.text or "").strip()
        if child.tag in out:
            prev = out[child.tag]
            out[child.tag] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[child.tag] = value
    return out
