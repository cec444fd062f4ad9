"""What flows through the pipeline: one inbound message in, one reply out."""

from __future__ import annotations

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

    @property
    def empty(self) -> bool:
        return not self.text and not self.transfer_customer_service and not self.image_media_id
