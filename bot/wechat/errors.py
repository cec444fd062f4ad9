"""Typed errors for WeChat's answers, so callers decide by type, not by errcode."""

from __future__ import annotations

TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


class WeChatError(Exception):
    """An API call that failed. ``errcode`` is WeChat's code (None for HTTP / network)."""

    retryable = False

    def __init__(self, errcode: int | None, errmsg: str = "") -> None:
        super().__init__(f"{errcode}: {errmsg}" if errcode is not None else errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


class OutsideWindow(WeChatError):
    """45015: the customer has not written in the last 48 hours; try the next channel."""


class NotFollower(WeChatError):
    """43004: the customer no longer follows the Official Account."""


class RateLimited(WeChatError):
    """45009 / 45047: a quota was hit; back off and try later."""

    retryable = True


class TokenError(WeChatError):
    """The access token could not be fetched or was refused after one refresh."""

    retryable = True


class Transient(WeChatError):
    """Network trouble, HTTP 5xx, or WeChat's "system busy" (-1): retry with backoff."""

    retryable = True


def from_errcode(errcode: int | None, errmsg: str = "") -> WeChatError:
    """The typed error for one of WeChat's error codes."""
    if errcode == 45015:
        return OutsideWindow(errcode, errmsg)
    if errcode == 43004:
        return NotFollower(errcode, errmsg)
    if errcode in (45009, 45047, 45011):
        return RateLimited(errcode, errmsg)
    if errcode in TOKEN_ERRCODES or errcode in (40013, 40125, 40001):
        return TokenError(errcode, errmsg)
    if errcode in (None, -1):
        return Transient(errcode, errmsg or "system busy")
    return WeChatError(errcode, errmsg)
