"""Official Account: customer-service messages (48-hour window) and template messages."""

from __future__ import annotations

import json

from bot.context import Services
from bot.wechat.errors import WeChatError
from bot.wechat.mp_api import MpApi
from storage.models import OutboxMessage


def card_of(row: OutboxMessage) -> dict | None:
    """A campaign's news card carried by the row (JSON text or an object), or None."""
    card = (row.payload or {}).get("card")
    if isinstance(card, str):
        try:
            card = json.loads(card)
        except ValueError:
            return None
    return card if isinstance(card, dict) and card.get("url") else None


async def send_kf(services: Services, row: OutboxMessage, openid: str) -> None:
    api = MpApi.of(services)
    p = row.payload or {}
    kind = p.get("msgtype", "text")
    card = card_of(row)
    if kind == "text" and card is not None:  # a campaign's 图文
        await api.send_news(openid, [card])
    elif kind == "news":
        await api.send_news(openid, p["articles"])
    elif kind == "image":
        await api.send_image(openid, p["media_id"])
    elif kind == "menu":
        m = p["menu"]
        await api.send_menu(openid, m["head"], [tuple(i) for i in m["items"]], m.get("tail", ""))
    else:
        await api.send_text(openid, row.text or "")


def template_id(services: Services, row: OutboxMessage) -> str | None:
    name = (row.payload or {}).get("template", "service_notice")
    return services.settings.mp.template_ids.get(name)


async def send_template(services: Services, row: OutboxMessage, openid: str) -> None:
    p = row.payload or {}
    tid = template_id(services, row)
    if not tid:
        raise WeChatError(None, "no template id configured")
    data = p.get("template_data") or {
        "first": {"value": p.get("title") or "服务提醒"},
        "keyword1": {"value": row.text or ""},
        "remark": {"value": "回复“退订”可不再接收此类提醒。"},
    }
    card = card_of(row)
    url = p.get("url") or (card["url"] if card else None)
    await MpApi.of(services).send_template(openid, tid, data, url=url)
