"""What flows through the pipeline: one inbound message in, one reply out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Inbound:
    """A message or event from a person, whatever the channel.

    ``user_key`` names the conversation ("mp:<openid>", "work:<userid>", "chat:<id>").
    ``text`` is what the person said (typed text, voice recognition, or a menu CLICK mapped
    to its words); ``event`` / ``event_key`` carry events.
    """

    channel: str  # mp|work|chat
    account: str  # app id / corp id
    user_id: str  # openid / userid
    kind: str  # text|image|voice|video|location|link|file|event|...
    received_at: datetime
    text: str = ""
    event: str | None = None
    event_key: str | None = None
    media_id: str | None = None
    unionid: str | None = None
    dedup_key: str | None = None
    intent_hint: str | None = None  # a menu CLICK names its intent directly
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def user_key(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass
class Reply:
    """What goes back in the HTTP answer. Empty text means an empty 200 ("success")."""

    text: str = ""
    intent: str | None = None
    transfer_customer_service: bool = False
    image_media_id: str | None = None
    # already stored as the answer to its message in the ledger, in the same transaction
    # as the turn's own writes (bot/dialog/engine.py): the webhook need not store it again
    recorded: bool = field(default=False, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        return not self.text and not self.transfer_customer_service and not self.image_media_id


def reply_to_json(reply: Reply | None) -> str | None:
    """A reply as the ledger keeps it (None: an empty answer), to answer WeChat's retries."""
    if reply is None or reply.empty:
        return None
    return json.dumps(
        {
            "text": reply.text,
            "intent": reply.intent,
            "transfer": reply.transfer_customer_service,
            "image": reply.image_media_id,
        },
        ensure_ascii=False,
    )


def reply_from_json(stored: str | None) -> Reply | None:
    if not stored:
        return None
    data = json.loads(stored)
    return Reply(
        text=data.get("text") or "",
        intent=data.get("intent"),
        transfer_customer_service=bool(data.get("transfer")),
        image_media_id=data.get("image"),
    )
