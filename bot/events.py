"""Transport-neutral message types. Adapters turn wire formats into these; handlers never see more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class OutboundKind(StrEnum):
    reply = "reply"  # an answer to a message, in the chat it came from
    notice = "notice"  # a private message to a person about something that happened
    reminder = "reminder"  # a duty reminder
    digest = "digest"  # a scheduled summary


URGENT = 0  # outbound priority of what a P0 ticket causes: claimed first, may use reserved rate-limit slots
NORMAL = 1


class MessageKind(StrEnum):
    """What a message carries. Only text is read; the others are answered with a hint (when the
    bot is spoken to), so a photo sent to report a problem is never met with silence."""

    text = "text"
    image = "image"
    voice = "voice"
    video = "video"
    file = "file"
    location = "location"
    link = "link"
    # not a message but the person taking one back: `text` is the msg_id of the message recalled
    # (微信客服's user_recall_msg, the bridge's recall); handled by handlers/recall.py, never read
    recall = "recall"

    @classmethod
    def of(cls, value: object) -> MessageKind:
        """A kind named in JSON from outside (bridge, replay, the demo page); missing means text.
        ValueError, naming the kinds there are, for anything else."""
        if value is None:
            return cls.text
        if isinstance(value, str) and value in cls.__members__:
            return cls(value)
        raise ValueError(f'"kind" must be one of {", ".join(cls)} (default text)')


@dataclass(frozen=True)
class MediaRef:
    """Where a message's picture (or file) can be fetched from, as its channel delivered it: kept
    with the message in the inbound log, fetched when the message is handled (bot.services.photos).

    `source` says who can fetch it: a platform whose channel implements `fetch_media` (wecom_app,
    mp, wecom_robot …: `ref` is its MediaId or URL, `aeskey` the robot's per-message key), "url"
    (a plain http(s) URL), "data" (`ref` is base64) or "file" (a path on this machine: replay, the
    demo)."""

    source: str
    ref: str
    aeskey: str | None = None
    mime: str | None = None
    name: str | None = None

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in (("source", self.source), ("ref", self.ref), ("aeskey", self.aeskey),
                                  ("mime", self.mime), ("name", self.name)) if v is not None}

    @classmethod
    def from_json(cls, data: object) -> MediaRef | None:
        if not isinstance(data, dict) or not isinstance(data.get("source"), str) or not isinstance(
                data.get("ref"), str):
            return None
        return cls(data["source"], data["ref"], data.get("aeskey"), data.get("mime"), data.get("name"))


@dataclass(frozen=True)
class InboundMessage:
    """A message from a group (`chat_id` set) or a private chat with the bot (`chat_id` None): its
    words in `text`, or for a picture, voice message, file … (`kind`) an empty `text`."""

    platform: str
    msg_id: str
    user_id: str
    text: str
    chat_id: str | None = None
    user_name: str | None = None
    mentions_bot: bool = False
    sent_at: datetime | None = None
    kind: str = MessageKind.text
    media: MediaRef | None = None  # the picture or file it carries, where the channel delivers one

    @property
    def has_content(self) -> bool:
        """Worth recording: words, or something other than text (an empty text message is not)."""
        return bool(self.text) or self.kind != MessageKind.text

    @property
    def is_private(self) -> bool:
        return self.chat_id is None

    @property
    def session_key(self) -> str:
        """Messages of one person in one chat are handled one at a time, in order."""
        return f"{self.platform}:{self.chat_id or '-'}:{self.user_id}"


@dataclass(frozen=True)
class OutboundMessage:
    """Something the bot says: to a chat (`chat_id`) or privately to a person (`user_id`)."""

    platform: str
    kind: str
    text: str
    chat_id: str | None = None
    user_id: str | None = None
    ticket: str | None = None
    files: tuple[str, ...] = field(default_factory=tuple)
    id: int | None = None  # outbox row, once queued
    created_at: datetime | None = None
    attempts: int = 0  # delivery attempts so far, this one included
    priority: int = NORMAL  # URGENT (0) or NORMAL (1)
    claim: str | None = None  # the outbox lease this copy was claimed under (fencing)

    @property
    def urgent(self) -> bool:
        return self.priority <= URGENT

    @property
    def destination(self) -> tuple[str, str]:
        """Where it goes on its platform: a chat, or a person privately. Rate limits and the
        order of delivery are per destination."""
        return (self.platform, f"chat:{self.chat_id}" if self.chat_id else f"user:{self.user_id}")
