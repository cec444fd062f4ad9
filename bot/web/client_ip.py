"""The client's address as the admin console sees it, behind trusted reverse proxies or not.

``server.trusted_proxies`` lists the proxies (IPs or CIDRs) whose ``X-Forwarded-For`` is
believed. When the peer is one of them, the client is the right-most hop of
``X-Forwarded-For`` that is not itself a trusted proxy (hops left of it could be written
by anyone). Otherwise the peer itself is the client and ``X-Forwarded-For`` is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(str(i).strip(), strict=False) for i in items)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:51234"
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


def _trusted(ip, trusted: tuple[Network, ...]) -> bool:
    return ip is not None and any(ip in net for net in trusted if ip.version == net.version)


def resolve(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The client address from the peer and the ``X-Forwarded-For`` header values."""
    peer = peer or "?"
    if not trusted or not _trusted(_ip(peer), trusted):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:  # garbage a trusted proxy passed on: stop at the last good hop
            break
        client = str(ip)
        if not _trusted(ip, trusted):
            break
    return client


def client_ip(request: web.Request) -> str:
    """The address to key lock-outs and logs on for this request."""
    from bot.app import services_of

    trusted = networks(tuple(services_of(request).settings.server.trusted_proxies))
    return resolve(request.remote, request.headers.getall("X-Forwarded-For", []), trusted)
