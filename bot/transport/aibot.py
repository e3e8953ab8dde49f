"""The 智能机器人 (AI bot) message body, shared by its two modes: the HTTP callback
(wecom_robot.py, where the body arrives encrypted) and the long connection (wecom_robot_ws.py,
where it is the `body` of an `aibot_msg_callback` frame). Both carry the same JSON (wecom.md §3.1),
so one conversion keeps the two modes from drifting apart."""

from __future__ import annotations

import re
from typing import Any

from bot.events import InboundMessage, MediaRef, MessageKind
from bot.i18n import _
from bot.transport import limits
from bot.transport.base import is_utf8
from bot.transport.wecom_crypto import CryptoError

PLATFORM = "wecom_robot"
STREAM_LIMIT = 20480  # bytes of markdown in one stream reply (wecom.md §3.1)
_MENTION = re.compile(r"^\s*@\S+\s*")
_MEDIA = {"image": MessageKind.image, "file": MessageKind.file, "video": MessageKind.video}


class BadPayload(CryptoError):
    status = 400


def default_welcome() -> str:
    return _("Hello, I am the grid assistant. Tell me a problem in your own words (for example "
             "“3号楼电梯坏了”) and I file it as a ticket for your grid worker and tell you its "
             "number. Send “帮助” to see everything I can do.")


def is_enter_chat(payload: dict[str, Any]) -> bool:
    """A user's first entry of the day into the 1:1 chat with the bot: answered with a welcome
    within 5 s (the only event the bot answers; wecom.md §3.1)."""
    event = payload.get("event")
    return payload.get("msgtype") == "event" and isinstance(event, dict) and event.get("eventtype") == "enter_chat"


def welcome_body(text: str) -> dict[str, Any]:
    """The welcome reply: text only (template cards are the other kind WeCom allows here)."""
    return {"msgtype": "text", "text": {"content": text}}


def _obj(value: object, field: str) -> dict[str, Any]:
    """A JSON object where the protocol has one (absent: empty); BadPayload for any other type."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f'"{field}" must be a JSON object')
    return value


def _str(value: object, field: str) -> str:
    """A JSON string where the protocol has one (absent: ""); BadPayload for any other type."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadPayload(f'"{field}" must be a string')
    return value


QUOTE_RULE = "- - - - - - - - - - - - - - -"  # the dashed line WeChat puts under a quote


def _quoted(quote: Any) -> tuple[str, MessageKind | None]:
    """The words of a quoted message (as Tencent's plugin reads them), or for a quoted picture,
    file or video its kind (answered with the hint to say it in words)."""
    if not isinstance(quote, dict):
        return "", None
    kind = str(quote.get("msgtype", ""))
    if kind in ("text", "voice"):
        body = quote.get(kind)
        return (str(body.get("content", "")).strip() if isinstance(body, dict) else ""), None
    if kind == "mixed":
        items = [i for i in (quote.get("mixed") or {}).get("msg_item") or [] if isinstance(i, dict)]
        words = " ".join(str((i.get("text") or {}).get("content", "")) for i in items if i.get("msgtype") == "text")
        return words.strip(), (MessageKind.image if not words.strip() and items else None)
    return "", _MEDIA.get(kind, MessageKind.link if kind else None)


def inbound_from_json(payload: dict[str, Any]) -> InboundMessage | None:
    """A message as an InboundMessage (pictures, files and videos with an empty text and their
    kind); None for what we acknowledge but do not handle (events, stream refreshes).
    Raises BadPayload when msgid or from.userid is missing, a field has the wrong JSON type, or the
    message breaks a door rule (bot.transport.limits)."""
    kind = _str(payload.get("msgtype"), "msgtype")
    user = _str(_obj(payload.get("from"), "from").get("userid"), "from.userid")
    msg_id = _str(payload.get("msgid"), "msgid")
    if not user or not msg_id:
        raise BadPayload("msgid and from.userid are required")
    media: MessageKind | None = None
    picture: dict[str, Any] = {}  # {"url", "aeskey"} of the (first) picture, fetched when handled
    if kind == "text":
        text = _str(_obj(payload.get("text"), "text").get("content"), "text.content")
    elif kind == "voice":  # WeCom transcribes voice for the bot; without words it is a voice message
        text, media = _str(_obj(payload.get("voice"), "voice").get("content"), "voice.content"), MessageKind.voice
    elif kind == "mixed":  # words and pictures: the words are read, a picture alone is a picture
        items = _obj(payload.get("mixed"), "mixed").get("msg_item") or []
        if not isinstance(items, list):
            raise BadPayload('"mixed.msg_item" must be a list')
        items = [i for i in items if isinstance(i, dict)]
        text = " ".join(_str(_obj(i.get("text"), "mixed.msg_item.text").get("content"), "mixed.msg_item.text")
                        for i in items if i.get("msgtype") == "text")
        media = MessageKind.image if any(i.get("msgtype") == "image" for i in items) else None
        picture = next((_obj(i.get("image"), "mixed.msg_item.image") for i in items if i.get("msgtype") == "image"),
                       {})
    elif kind in _MEDIA:
        text, media = "", _MEDIA[kind]
        if kind == "image":
            picture = _obj(payload.get("image"), "image")
    else:
        return None  # events and stream refreshes: acknowledged, not handled
    group = payload.get("chattype") == "group"
    if group:
        text = _MENTION.sub("", text, count=1)  # group messages arrive only when they @ the bot
    text = limits.clean(text).strip()
    if not text and media is None:  # only an @ and a quote: the quoted message is what was meant
        text, media = _quoted(payload.get("quote"))
    elif text:
        # words under a quote: kept in WeChat's own quote form, so the normaliser reads only the new
        # words; cut so that quote and words stay within the door's limit (the new words never are)
        room = limits.MAX_TEXT - len(text) - len(QUOTE_RULE) - 4
        quoted = limits.clean(_quoted(payload.get("quote"))[0]).strip()[:max(room, 0)]
        if quoted:
            text = f"「{quoted}」\n{QUOTE_RULE}\n{text}"
    if not is_utf8(text):
        raise BadPayload("text is not valid Unicode (a lone surrogate?)")
    if text:
        media = MessageKind.text  # words win: a picture with a caption is read as its caption
    elif media is None:
        return None
    chat_id = _str(payload.get("chatid"), "chatid") or None if group else None
    url = _str(picture.get("url"), "image.url")
    ref = MediaRef(PLATFORM, url, _str(picture.get("aeskey"), "image.aeskey") or None) if url else None
    try:
        return limits.checked(InboundMessage(platform=PLATFORM, msg_id=msg_id, user_id=user, text=text,
                                             chat_id=chat_id, mentions_bot=group, kind=media, media=ref))
    except limits.BadInput as exc:
        raise BadPayload(str(exc)) from None
