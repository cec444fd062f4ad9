"""A WeCom callback message or event, once decrypted: its fields and its dedup key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANNEL = "work"

# Message types staff send to the app; text (and voice recognition) become commands.
MESSAGE_KINDS = {"text", "voice", "image", "video", "location", "link", "file"}
# Events we act on or simply record.
EVENTS = {
    "change_external_contact",
    "change_external_chat",
    "enter_agent",
    "subscribe",
    "unsubscribe",
    "click",
    "view",
    "location",
    "change_contact",
}


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass
class WorkMessage:
    corp_id: str
    data: dict[str, Any]

    @property
    def from_user(self) -> str:
        return _s(self.data.get("FromUserName"))

    @property
    def msg_type(self) -> str:
        return _s(self.data.get("MsgType")).lower()

    @property
    def event(self) -> str | None:
        return _s(self.data.get("Event")).lower() if self.msg_type == "event" else None

    @property
    def change_type(self) -> str:
        return _s(self.data.get("ChangeType")).lower()

    @property
    def agent_id(self) -> str:
        return _s(self.data.get("AgentID"))

    @property
    def external_userid(self) -> str:
        return _s(self.data.get("ExternalUserID"))

    @property
    def userid(self) -> str:
        """The staff member: ``UserID`` on customer-contact events, else the sender."""
        return _s(self.data.get("UserID")) or self.from_user

    @property
    def text(self) -> str:
        if self.msg_type == "text":
            return _s(self.data.get("Content"))
        if self.msg_type == "voice":
            return _s(self.data.get("Recognition"))
        return ""

    @property
    def known(self) -> bool:
        if self.msg_type == "event":
            return self.event in EVENTS
        return self.msg_type in MESSAGE_KINDS

    @property
    def label(self) -> str:
        if self.event in ("change_external_contact", "change_external_chat"):
            return self.change_type or self.event
        return self.event or self.msg_type or "unknown"

    @property
    def dedup_key(self) -> str:
        """corp + agent + sender + MsgId for messages. Events: + CreateTime, Event, ChangeType,
        EventKey, ExternalUserID and UserID, so two customers adding a guide in the same
        second are two events."""
        if self.msg_type != "event" and _s(self.data.get("MsgId")):
            return f"{CHANNEL}:{self.corp_id}:{self.agent_id}:{self.from_user}:{self.data['MsgId']}"
        parts = [
            _s(self.data.get("CreateTime")),
            _s(self.data.get("Event")),
            self.change_type,
            _s(self.data.get("EventKey")),
            self.external_userid,
            _s(self.data.get("UserID")),
        ]
        if self.event == "change_external_chat":  # which chat, what changed, how many
            parts += [
                _s(self.data.get("ChatId")),
                _s(self.data.get("UpdateDetail")),
                _s(self.data.get("MemChangeCnt")),
                _s(self.data.get("MemCount")),
            ]
        key = f"{CHANNEL}:{self.corp_id}:{self.agent_id}:{self.from_user}:" + ":".join(parts)
        return key[:300]
