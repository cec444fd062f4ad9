"""Official Account: customer-service messages (48-hour window) and template messages."""

from __future__ import annotations

from bot.context import Services
from bot.wechat.errors import WeChatError
from bot.wechat.mp_api import MpApi
from storage.models import OutboxMessage


async def send_kf(services: Services, row: OutboxMessage, openid: str) -> None:
    api = MpApi.of(services)
    p = row.payload or {}
    kind = p.get("msgtype", "text")
    if kind == "news":
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
    await MpApi.of(services).send_template(openid, tid, data, url=p.get("url"))
