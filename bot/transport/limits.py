"""What every door lets in: the same checks for every channel, so a message is refused (or
cleaned) identically whether the database is SQLite or PostgreSQL, and never fails half-way in
the inbound log.

- JSON is parsed with a nesting limit (`loads`): Python's parser recurses, and a 30,000-deep array
  would end in a RecursionError (a 500) before any signature is checked.
- Identifiers (`msg_id`, `user_id`, `chat_id`) must fit the inbound log's 128 characters and carry
  no control characters: such an id is refused (HTTP 400), never cut (cutting could merge two
  messages into one key).
- Text and display names lose NUL and the other control characters except tab and newline
  (PostgreSQL cannot store NUL; the others only confuse what is shown); a name longer than 100
  characters is cut (it is shown, never used as a key); text longer than `MAX_TEXT` is refused.
- Text with a lone surrogate (JSON's `"\\ud800"`) is refused: no database stores it."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from bot.events import InboundMessage, MessageKind

MAX_ID = 128  # msg_id, user_id, chat_id: the inbound log's columns
MAX_PLATFORM = 16
MAX_NAME = 100  # user_name: the inbound log's column
MAX_TEXT = 4000  # characters of one message (WeCom's own limit is 2,048 bytes)
MAX_JSON_DEPTH = 32  # nesting of any JSON the bot reads (WeChat's payloads use 4)

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls and DEL, except tab (09) and newline (0a)
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_JSON_TOKENS_BYTES = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class BadInput(ValueError):
    """The input breaks a door's rule; the message names the field and the rule (for a 400)."""


def json_depth_ok(data: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether no array or object in `data` nests deeper than `max_depth` (brackets inside strings
    do not count). Linear, in the regex engine; a document with few brackets is not even scanned."""
    opening = (b"[", b"{") if isinstance(data, bytes) else ("[", "{")
    if data.count(opening[0]) + data.count(opening[1]) <= max_depth:  # type: ignore[arg-type]
        return True
    tokens = _JSON_TOKENS_BYTES if isinstance(data, bytes) else _JSON_TOKENS
    depth = 0
    for match in tokens.finditer(data):  # type: ignore[arg-type]
        token = match.group()
        if token in ("[", "{", b"[", b"{"):
            depth += 1
            if depth > max_depth:
                return False
        elif token in ("]", "}", b"]", b"}"):
            depth -= 1
    return True


def loads(data: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` that refuses nesting deeper than `max_depth`, invalid UTF-8 and anything that is
    not JSON with BadInput (one line, no traceback)."""
    if not json_depth_ok(data, max_depth):
        raise BadInput(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise BadInput("body is not UTF-8") from None
    except (ValueError, RecursionError):
        raise BadInput("body is not JSON") from None


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean(text: str) -> str:
    """`text` without NUL and the other control characters (tab and newline kept; CR becomes a newline)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def optional_id(field: str, value: object) -> str | None:
    """`check_id`, with None (or "") for an absent value."""
    return None if value is None or value == "" else check_id(field, value)


def check_id(field: str, value: object) -> str:
    """An identifier as the door takes it: a non-empty string of at most 128 characters with no
    control characters."""
    if value is None or value == "":
        raise BadInput(f'"{field}" is required')
    if not isinstance(value, str):
        raise BadInput(f'"{field}" must be a string')
    if len(value) > MAX_ID:
        raise BadInput(f'"{field}" is {len(value)} characters; at most {MAX_ID}')
    if _CONTROL.search(value) or "\r" in value or "\n" in value or "\t" in value:
        raise BadInput(f'"{field}" contains control characters')
    if not is_utf8(value):
        raise BadInput(f'"{field}" is not valid Unicode (a lone surrogate?)')
    return value


def checked(message: InboundMessage) -> InboundMessage:
    """The message as the inbound log may store it (see the module's rules), or BadInput."""
    if not isinstance(message.platform, str) or not 0 < len(message.platform) <= MAX_PLATFORM:
        raise BadInput(f'"platform" must be a name of at most {MAX_PLATFORM} characters')
    check_id("msg_id", message.msg_id)
    check_id("user_id", message.user_id)
    optional_id("chat_id", message.chat_id)
    if message.kind not in MessageKind.__members__:
        raise BadInput(f'"kind" must be one of {", ".join(MessageKind)}')
    if not isinstance(message.text, str):
        raise BadInput('"text" must be a string')
    text = clean(message.text).strip()
    if len(text) > MAX_TEXT:
        raise BadInput(f'"text" is {len(text)} characters; at most {MAX_TEXT}')
    if not is_utf8(text):
        raise BadInput('"text" is not valid Unicode (a lone surrogate?)')
    name = message.user_name
    if name is not None:
        if not isinstance(name, str) or not is_utf8(name):
            raise BadInput('"user_name" must be a string of valid Unicode')
        name = clean(name).replace("\n", " ").replace("\t", " ").strip()[:MAX_NAME] or None
    if text == message.text and name == message.user_name:
        return message
    return dataclasses.replace(message, text=text, user_name=name)
