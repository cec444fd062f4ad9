"""Which channels can carry a row, in order of preference.

Care messages to a customer fall back along: a customer-service message (``mp_kf``, only
inside the 48-hour window) → a template message (``mp_template``, service notices only,
when a template id is configured) → a task for the customer's guide (``guide_task``).
Other channels (WeCom app, external contact, group robot) have no fallback."""

from __future__ import annotations

from bot.config import Settings
from storage.models import OutboxMessage

CUSTOMER_CHAIN = ("mp_kf", "mp_template", "guide_task")
TEMPLATE_KINDS = frozenset({"service", "lifecycle", "notice"})


def chain(settings: Settings, row: OutboxMessage) -> list[tuple[str, str]]:
    """[(channel, recipient)] starting at the row's own channel."""
    if row.channel not in CUSTOMER_CHAIN:
        return [(row.channel, row.recipient)]
    p = row.payload or {}
    openid = p.get("openid") or (row.recipient if row.channel.startswith("mp_") else None)
    template = p.get("template", "service_notice")
    options: list[tuple[str, str]] = []
    if openid:
        options.append(("mp_kf", openid))
        if row.kind in TEMPLATE_KINDS and settings.mp.template_ids.get(template):
            options.append(("mp_template", openid))
    if p.get("guide_userid") and row.kind != "reply":
        options.append(("guide_task", p["guide_userid"]))
    names = [c for c, _ in options]
    if row.channel in names:
        options = options[names.index(row.channel) :]
    else:
        options.insert(0, (row.channel, row.recipient))
    return options
