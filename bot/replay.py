"""Replay a transcript through the real pipeline on a simulated clock.

Input (JSON lines, in time order): ``{"at", "chat", "user", "text"}`` is a message (``chat`` null
or absent: a private message to the bot); ``{"at", "tick": true}`` only moves the clock;
``{"at", "restart": true}`` says the bot was off until ``at``: the clock jumps without running
the jobs in between, then start-up runs as in production (unfinished messages, catch-up). Optional
fields: ``msg_id`` (to replay a platform retry), ``user_name``, ``platform`` (a group message's
platform is its chat's, found by the chat id in the roster; needed only when one chat id is bound
on two platforms; otherwise and for private messages the default, demo), ``mentions_bot``,
``kind`` (``image``, ``voice`` … for a message without words; ``text`` may then be empty),
``media`` (a path to a file the message carries, with ``kind`` ``image`` or ``file``, ``image`` when
left out; relative to the transcript's folder, or else to the current one; ``text`` may be words
sent with it).
Before each line the clock moves to its ``at`` and every job due by then runs.
Output: one JSON line per outbound message ``{"at", "chat", "user", "kind", "text", "ticket",
"files"}``. The whole transcript is checked before anything runs, so a bad line changes nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.clock import FakeClock
from bot.domain.periods import FIRST_YEAR, LAST_YEAR, in_years
from bot.events import InboundMessage, MediaRef, MessageKind, OutboundMessage
from bot.transport import limits
from scheduler.runner import SimulatedScheduler, catch_up
from storage.roster_store import chat_platforms

_MESSAGE_FIELDS = {"at", "chat", "user", "text", "msg_id", "user_name", "platform", "mentions_bot", "kind", "media"}
_TICK_FIELDS = {"at", "tick"}
_RESTART_FIELDS = {"at", "restart"}


class TranscriptError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Step:
    line: int
    at: datetime
    message: InboundMessage | None  # None: a clock tick (or a restart)
    restart: bool = False
    platform_given: bool = False  # the line named its platform
    source: str = "transcript"  # the file's name, for messages about the line


def read_transcript(path: Path, tz: ZoneInfo, default_platform: str = "demo") -> list[Step]:
    """Parse and check every line; raise TranscriptError naming each bad line."""
    steps: list[Step] = []
    problems: list[str] = []
    previous: datetime | None = None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError([f"{path}: {exc}"]) from exc
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            step = _parse_line(raw, number, tz, default_platform, path.parent)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if previous is not None and step.at < previous:
            problems.append(f"{where}: time goes backwards ({step.at.isoformat()} is before "
                            f"{previous.isoformat()})")
            continue
        previous = step.at
        steps.append(replace(step, source=path.name))
    if problems:
        raise TranscriptError(problems)
    return steps


def _media(value: object, kind: MessageKind, folder: Path) -> MediaRef:
    """A line's "media": an existing file, for a message of kind image or file."""
    if kind not in (MessageKind.image, MessageKind.file):
        raise ValueError('"media" goes with "kind" "image" or "file"')
    if not isinstance(value, str) or not value.strip():
        raise ValueError('"media" must be the path of a file')
    path = Path(value)
    if not path.is_absolute() and (folder / path).is_file():
        path = folder / path
    if not path.is_file():
        raise ValueError(f'"media" file not found: {value}')
    return MediaRef("file", str(path.resolve()), name=path.name)


def _parse_line(raw: str, number: int, tz: ZoneInfo, default_platform: str, folder: Path = Path()) -> Step:
    if not limits.json_depth_ok(raw):
        raise ValueError(f"JSON nested deeper than {limits.MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    if "at" not in data:
        raise ValueError('missing "at"')
    try:
        at = datetime.fromisoformat(str(data["at"]))
    except ValueError:
        raise ValueError(f'"at" is not an ISO 8601 time: {data["at"]!r}') from None
    at = at if at.tzinfo else at.replace(tzinfo=tz)
    if not in_years(at.year):
        raise ValueError(f'"at" {at.date().isoformat()} is outside {FIRST_YEAR}–{LAST_YEAR}')
    if data.get("tick"):
        unknown = set(data) - _TICK_FIELDS
        if unknown:
            raise ValueError(f"a tick line takes only at and tick, not {', '.join(sorted(unknown))}")
        return Step(number, at, None)
    if data.get("restart"):
        unknown = set(data) - _RESTART_FIELDS
        if unknown:
            raise ValueError(f"a restart line takes only at and restart, not {', '.join(sorted(unknown))}")
        return Step(number, at, None, restart=True)
    unknown = set(data) - _MESSAGE_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    kind = MessageKind.of(data.get("kind") or ("image" if "media" in data else None))
    media = _media(data["media"], kind, folder) if "media" in data else None
    if kind != MessageKind.text:
        data.setdefault("text", "")
    for key in ("user", "text") if kind == MessageKind.text else ("user",):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f'"{key}" must be a non-empty string (or use "tick": true)')
    if not isinstance(data["text"], str):
        raise ValueError('"text" must be a string')
    chat = data.get("chat")
    if chat is not None and (not isinstance(chat, str) or not chat):
        raise ValueError('"chat" must be a chat id or null')
    msg_id = data.get("msg_id") or "replay-" + hashlib.sha1(
        f"{at.isoformat()}|{chat}|{data['user']}|{data['text']}|{media.ref if media else ''}".encode()
    ).hexdigest()[:16]
    message = limits.checked(InboundMessage(
        platform=str(data.get("platform") or default_platform), msg_id=str(msg_id),
        user_id=data["user"], text=data["text"], chat_id=chat,
        user_name=data.get("user_name"), mentions_bot=bool(data.get("mentions_bot", False)),
        sent_at=at, kind=kind, media=media,
    ))
    return Step(number, at, message, platform_given=bool(data.get("platform")))


async def bind_platforms(app: App, steps: list[Step]) -> list[Step]:
    """Give each group message the platform its chat is bound on in the roster, whatever the
    platform (a transcript has no platform field by contract). A chat id bound on two platforms
    needs the line's `platform`: TranscriptError names every such line. A chat bound nowhere keeps
    the default platform (and the bot treats it as the unbound chat it is)."""
    chats = {s.message.chat_id for s in steps if s.message and s.message.chat_id and not s.platform_given}
    async with app.db.session() as session:
        bound = {chat: await chat_platforms(session, chat) for chat in chats}
    out: list[Step] = []
    problems: list[str] = []
    for step in steps:
        message = step.message
        if message is None or message.chat_id is None or step.platform_given:
            out.append(step)
            continue
        platforms = bound[message.chat_id]
        if len(platforms) > 1:
            problems.append(f"{step.source}:{step.line}: chat {message.chat_id!r} is bound on "
                            f"{', '.join(platforms)}; say which with \"platform\"")
            continue
        if platforms and platforms[0] != message.platform:
            message = replace(message, platform=platforms[0])
        out.append(replace(step, message=message))
    if problems:
        raise TranscriptError(problems)
    return out


def outbound_json(message: OutboundMessage, tz: ZoneInfo) -> dict[str, object]:
    at = message.created_at.astimezone(tz).isoformat() if message.created_at else None
    return {
        "at": at, "chat": message.chat_id, "user": message.user_id, "kind": message.kind,
        "text": message.text, "ticket": message.ticket, "files": list(message.files),
    }


async def run_transcript(app: App, clock: FakeClock, steps: list[Step]) -> None:
    """Feed the steps through the app; what it says comes out of `app.transports`."""
    scheduler = SimulatedScheduler(app.jobs, app.job_context, clock)
    for step in await bind_platforms(app, steps):
        if step.restart:
            scheduler.skip_to(step.at)
            await app.dispatcher.recover()
            await catch_up(app.jobs, app.job_context)
        await scheduler.advance_to(step.at)
        await app.outbox.flush()
        if step.message is not None:
            await app.dispatcher.receive(step.message)
            await app.outbox.flush()
