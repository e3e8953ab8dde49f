"""企业微信 智能机器人 in long-connection (WebSocket) mode: no public URL needed.

The bot dials out to `wss://openws.work.weixin.qq.com`, subscribes with its Bot ID + Secret, and
WeCom pushes messages down the socket (group messages only when they @-mention the bot). The
connection is kept up with a `ping` every 30 s and re-dialled with bounded exponential back-off
and jitter when it drops — except when WeCom says another connection of the same bot took over
(`disconnected_event`: one connection per bot; redialling would knock the other off, which would
knock us off …): then it waits 10 minutes, and after 3 refused subscribes it stops; both show in
`/healthz`; while it is down `send` raises a retryable TransportError so the outbox
keeps the message and delivers it after the reconnect.

Inbound: an `aibot_msg_callback` is converted exactly like a callback-mode message (aibot.py),
recorded by the Intake, and only then acknowledged (a duplicate msgid is acknowledged, not
handled again). Outbound: a reply to a message still inside the stream window finishes the stream
that the acknowledgement opened (`aibot_respond_msg`, same req_id); anything else — later
replies, notices, reminders, digests — is pushed with `aibot_send_msg` to the chat (group chatid,
or the userid for a 1:1 chat). Every command is answered by WeCom with `{headers: {req_id},
errcode, errmsg}`; that errcode decides retryable or not. The Secret is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.events import MediaRef, OutboundKind, OutboundMessage
from bot.i18n import _
from bot.transport import limits
from bot.transport.aibot import PLATFORM, STREAM_LIMIT, BadPayload, inbound_from_json, is_enter_chat, welcome_body
from bot.transport.base import TransportError
from bot.transport.downloads import fetch_robot_picture
from bot.transport.intake import Intake
from bot.transport.wecom_api import HttpClient, Monotonic, Sleep
from bot.transport.wecom_app import split_utf8

log = logging.getLogger(__name__)

WS_URL = "wss://openws.work.weixin.qq.com"

# ---------------------------------------------------------------------------------------------
# The wire protocol, in one place. wecom.md §3.1 marks these OFF-CODE: taken from the official
# Node SDK (WecomTeam/aibot-node-sdk, src/ws.ts, client.ts), not from a published spec. If WeCom's
# answer to a frame says otherwise, change it here and nowhere else.
# ---------------------------------------------------------------------------------------------
CMD_SUBSCRIBE = "aibot_subscribe"
CMD_PING = "ping"
CMD_MSG = "aibot_msg_callback"
CMD_EVENT = "aibot_event_callback"
CMD_RESPOND = "aibot_respond_msg"
CMD_SEND = "aibot_send_msg"
CMD_WELCOME = "aibot_respond_welcome_msg"

HEARTBEAT = 30.0  # the SDK's default ping interval
MISSED_PINGS = 2  # unanswered pings before the connection is considered dead (as the SDK)
RECEIPT_TIMEOUT = 5.0  # WeCom answers each command; the SDK gives up after 5 s ("ack timeout")
RESPOND_WINDOW = 300.0  # a stream must be finished within ~6 min (wecom.md §3.1); keep inside it
ACK_TEXT = "已收到"  # what the acknowledgement shows until the answer replaces it
SEND_LIMIT = STREAM_LIMIT  # the limit of an aibot_send_msg markdown is UNCONFIRMED; assume the stream's

RETRYABLE = {-1, 45009}  # system busy, frequency limit: try again later
EVENT_TAKEN_OVER = "disconnected_event"  # another connection with the same bot took over ours
TAKEOVER_PAUSE = 600.0  # seconds before dialling again after a takeover (one connection per bot)
MAX_REFUSALS = 3  # subscribes refused in a row before we stop dialling (bad bot_id or secret)
REQ_ID_GONE = {846605, 846608}  # invalid req_id, stream expired (3P, wecom.md §3.1): push instead


def new_req_id(cmd: str) -> str:
    """The SDK prefixes req_ids with the command; WeCom only echoes them."""
    return f"{cmd}_{uuid.uuid4().hex}"


def subscribe_frame(req_id: str, bot_id: str, secret: str) -> dict[str, Any]:
    """Authentication, first frame on every connection. Body fields per the SDK (wecom.md §3.1)."""
    return {"cmd": CMD_SUBSCRIBE, "headers": {"req_id": req_id}, "body": {"bot_id": bot_id, "secret": secret}}


def ping_frame(req_id: str) -> dict[str, Any]:
    return {"cmd": CMD_PING, "headers": {"req_id": req_id}}


def stream_frame(req_id: str, stream_id: str, content: str, *, finish: bool) -> dict[str, Any]:
    """A stream reply to the callback `req_id`; `content` is the whole text so far (markdown)."""
    return {"cmd": CMD_RESPOND, "headers": {"req_id": req_id},
            "body": {"msgtype": "stream", "stream": {"id": stream_id, "finish": finish, "content": content}}}


def ack_frame(req_id: str, stream_id: str, *, duplicate: bool) -> dict[str, Any]:
    """The acknowledgement sent once a message is recorded. The SDK sends no separate ack: the
    first reply frame is it, so we open the stream with a placeholder the answer replaces (a
    duplicate's stream is closed at once: its answer belongs to the first delivery)."""
    return stream_frame(req_id, stream_id, ACK_TEXT, finish=duplicate)


def welcome_frame(req_id: str, text: str) -> dict[str, Any]:
    """The answer to an `enter_chat` event, on the event's req_id, within 5 s."""
    return {"cmd": CMD_WELCOME, "headers": {"req_id": req_id}, "body": welcome_body(text)}


def send_frame(req_id: str, chatid: str, content: str) -> dict[str, Any]:
    """A proactive push: `chatid` is the group's chatid, or the userid for a 1:1 chat."""
    return {"cmd": CMD_SEND, "headers": {"req_id": req_id},
            "body": {"chatid": chatid, "msgtype": "markdown", "markdown": {"content": content}}}


def answer_of(frame: dict[str, Any]) -> tuple[int, str]:
    """WeCom's answer to a command: `{headers: {req_id}, errcode, errmsg}` with no cmd. errcode is
    top-level per the SDK; a 3P client also saw it under `body`, so both are read."""
    body = frame.get("body") if isinstance(frame.get("body"), dict) else {}
    errcode = frame.get("errcode", body.get("errcode", 0))
    errmsg = frame.get("errmsg", body.get("errmsg", ""))
    try:
        return int(errcode or 0), str(errmsg or "")
    except (TypeError, ValueError):
        return -1, str(errmsg or errcode)


# ---------------------------------------------------------------------------------------------


class RobotWsError(TransportError):
    def __init__(self, cmd: str, errcode: int, errmsg: str) -> None:
        super().__init__(f"{cmd} answered errcode {errcode}: {errmsg}", retryable=errcode in RETRYABLE)
        self.errcode = errcode


class SubscribeRefused(Exception):
    pass


@dataclass
class _Open:
    """A message acknowledged with an open stream, waiting for its answer."""

    req_id: str
    stream_id: str
    at: float
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    handled_at: float | None = None


class WeComRobotWs:
    """The long-connection client and the `wecom_robot` transport for the outbox."""

    platform = PLATFORM

    def __init__(
        self, bot_id: str, secret: str, intake: Intake | None, *, url: str = WS_URL,
        monotonic: Monotonic = time.monotonic, sleep: Sleep = asyncio.sleep, tick: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random, heartbeat: float = HEARTBEAT,
        receipt_timeout: float = RECEIPT_TIMEOUT, respond_window: float = RESPOND_WINDOW,
        close_grace: float = 30.0, backoff_base: float = 1.0, backoff_max: float = 60.0,
        welcome: Callable[[], str] = lambda: "",
    ) -> None:
        """`sleep` waits out reconnect back-off, `tick` paces the heartbeat (separate so tests can
        skip back-off instantly yet step the heartbeat by hand)."""
        self.bot_id, self._secret, self.intake, self.url = bot_id, secret, intake, url
        self.monotonic, self.sleep, self.tick, self.jitter = monotonic, sleep, tick, jitter
        self.heartbeat, self.receipt_timeout = heartbeat, receipt_timeout
        self.respond_window, self.close_grace = respond_window, close_grace
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.welcome = welcome  # the answer to a user's first 1:1 visit of the day ("": none)
        self.connections = 0  # successful subscriptions so far (tests, logs)
        self.refusals = 0  # subscribes refused in a row
        self.state = "starting"  # up, reconnecting, taken_over, refused, stopped: for /healthz
        self.last_error: str | None = None
        self._taken_over = False
        self.ready = asyncio.Event()  # set while subscribed
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._pings: list[str] = []  # pings sent and not yet answered, oldest first
        self._open: dict[tuple[str | None, str], deque[_Open]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.media_http = HttpClient(timeout=30.0)  # pictures' URLs (opened on the first one)

    def __repr__(self) -> str:  # never the secret
        return f"WeComRobotWs(bot_id={self.bot_id!r}, url={self.url!r})"

    @property
    def connected(self) -> bool:
        return self.ready.is_set() and self._ws is not None and not self._ws.closed

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Dial in the background: start-up does not wait for WeCom."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="wecom-robot-ws")

    async def fetch_media(self, ref: MediaRef, max_bytes: int) -> bytes:
        """A picture a message points to: its URL (about 5 minutes), decrypted with its aeskey."""
        return await fetch_robot_picture(self.media_http, ref.ref, ref.aeskey, None, max_bytes)

    async def stop(self) -> None:
        self._stopping = True
        self.state = "stopped"
        if self._ws is not None:
            await self._ws.close()
        tasks = [t for t in (self._task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()
        await self.media_http.close()

    def backoff(self, attempt: int) -> float:
        """base·2^(attempt-1) capped at backoff_max, times a jitter factor in [0.5, 1]."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** max(attempt - 1, 0))
        return ceiling * (0.5 + 0.5 * self.jitter())

    def health(self) -> dict[str, Any]:
        """For /healthz: whether the connection is up and, if not, why."""
        return {"state": self.state, "connected": self.connected, "error": self.last_error}

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            self._taken_over = False
            try:
                if await self._connect_once():
                    attempt = 0  # it worked for a while: start the back-off again from the bottom
            except asyncio.CancelledError:
                raise
            except SubscribeRefused as exc:
                self.refusals += 1
                self.last_error = f"subscribe refused: {exc}"
                if self.refusals >= MAX_REFUSALS:
                    self.state = "refused"
                    log.error("wecom_robot long connection: subscribe refused %d times (%s); not dialling "
                              "again: check bot_id and secret, then restart", self.refusals, exc)
                    return
                log.error("wecom_robot long connection: subscribe refused (%s); check bot_id and secret", exc)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                self.last_error = exc.__class__.__name__ + f" {exc}".rstrip()
                log.warning("wecom_robot long connection failed: %s", self.last_error)
            except Exception:
                self.last_error = "crashed"
                log.exception("wecom_robot long connection crashed")
            if self._stopping:
                return
            if self._taken_over:  # redialling at once would knock the other one off, and so on
                self.state = "taken_over"
                self.last_error = ("another connection with the same bot took over (disconnected_event); "
                                   "one connection per bot")
                log.error("wecom_robot: %s; dialling again in %.0f min", self.last_error, TAKEOVER_PAUSE / 60)
                await self.sleep(TAKEOVER_PAUSE)
                continue
            self.state = "reconnecting"
            attempt += 1
            delay = self.backoff(attempt)
            log.info("wecom_robot: reconnecting in %.1f s (attempt %d)", delay, attempt)
            await self.sleep(delay)

    async def _connect_once(self) -> bool:
        """One connection: subscribe, then read until it ends. True if the subscribe succeeded."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=10.0))
        async with self._session.ws_connect(self.url, autoping=True, max_msg_size=4 * 1024 * 1024) as ws:
            self._ws = ws
            reader = asyncio.create_task(self._read(ws))
            heartbeat: asyncio.Task[None] | None = None
            try:
                req_id = new_req_id(CMD_SUBSCRIBE)
                answer = self._expect(req_id)
                await ws.send_str(json.dumps(subscribe_frame(req_id, self.bot_id, self._secret)))
                done, _ = await asyncio.wait({answer, reader}, timeout=self.receipt_timeout,
                                             return_when=asyncio.FIRST_COMPLETED)
                if answer not in done:
                    raise TimeoutError("no answer to aibot_subscribe")
                errcode, errmsg = answer_of(answer.result())
                if errcode:
                    raise SubscribeRefused(f"errcode {errcode}: {errmsg}")
                self.connections += 1
                self.refusals, self.state, self.last_error = 0, "up", None
                self.ready.set()
                log.info("wecom_robot long connection up (bot %s)", self.bot_id)
                heartbeat = asyncio.create_task(self._heartbeat(ws))
                await reader
                return True
            finally:
                self.ready.clear()
                for task in (reader, heartbeat):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await task
                for future in self._pending.values():
                    if not future.done():
                        future.set_exception(ConnectionError("long connection closed"))
                self._pending.clear()
                self._pings.clear()
                self._ws = None
                if not self._stopping:
                    log.warning("wecom_robot long connection down")

    def _expect(self, req_id: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        return future

    async def _heartbeat(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """A ping every `heartbeat` seconds; a dead connection (pings unanswered) is closed, so
        the run loop dials again. Also closes acknowledgement streams nobody answered."""
        while not ws.closed:
            await self.tick(self.heartbeat)
            if len(self._pings) >= MISSED_PINGS:
                log.warning("wecom_robot: %d pings unanswered, reconnecting", len(self._pings))
                await ws.close()
                return
            req_id = new_req_id(CMD_PING)
            self._pings.append(req_id)
            await ws.send_str(json.dumps(ping_frame(req_id)))
            await self._close_stale_streams()

    # ------------------------------------------------------------------ inbound

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self._on_frame(msg.data)
            elif msg.type == aiohttp.WSMsgType.ERROR:
                log.warning("wecom_robot long connection error: %s", ws.exception())
                return
            else:
                log.warning("wecom_robot: %s frame ignored", msg.type.name)

    def _on_frame(self, data: str) -> None:
        """One frame; a bad one is logged (never its content: it may hold a person's words) and
        skipped, never allowed to end the connection."""
        try:
            frame = limits.loads(data)
        except limits.BadInput as exc:
            log.warning("wecom_robot: frame refused (%d bytes): %s", len(data), exc)
            return
        if not isinstance(frame, dict):
            log.warning("wecom_robot: frame is not a JSON object, ignored")
            return
        cmd = frame.get("cmd")
        headers = frame.get("headers") if isinstance(frame.get("headers"), dict) else {}
        req_id = str(headers.get("req_id") or "")
        if cmd not in (CMD_MSG, CMD_EVENT):  # an answer to one of our commands, matched by req_id
            if req_id in self._pings:  # alive: this ping and any before it are answered
                del self._pings[: self._pings.index(req_id) + 1]
                return
            future = self._pending.get(req_id)
            if future is not None and not future.done():
                future.set_result(frame)
            else:
                log.info("wecom_robot: answer (cmd %r) to no pending command ignored", str(cmd or "")[:64])
            return
        if cmd == CMD_MSG:
            body = frame.get("body")
            if not req_id or not isinstance(body, dict):
                log.warning("wecom_robot: %s without req_id or body, ignored", CMD_MSG)
                return
            self._spawn(self._on_message(req_id, body))
            return
        if cmd == CMD_EVENT:
            body = frame.get("body") if isinstance(frame.get("body"), dict) else {}
            event = body.get("event") if isinstance(body.get("event"), dict) else {}
            if event.get("eventtype") == EVENT_TAKEN_OVER:
                self._taken_over = True
                if self._ws is not None:
                    self._spawn(self._ws.close())
                return
            text = self.welcome() if is_enter_chat(body) else ""
            if req_id and text:
                self._spawn(self._welcome(req_id, text))
                return
            log.info("wecom_robot: event %s not handled", event.get("eventtype", "?"))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _welcome(self, req_id: str, text: str) -> None:
        try:
            await self._command(welcome_frame(req_id, text))
        except TransportError as exc:  # a missed welcome is not worth a retry: the user is already typing
            log.warning("wecom_robot: welcome not sent: %s", exc)

    async def _on_message(self, req_id: str, body: dict[str, Any]) -> None:
        try:
            message = inbound_from_json(body)
        except BadPayload as exc:
            log.warning("wecom_robot: message ignored: %s", exc)
            return
        if message is None or self.intake is None:
            return  # images, files, empty text: nothing to record or answer
        try:
            inbound_id = await self.intake.accept(message)
        except Exception as exc:
            # Not recorded, and whether WeCom redelivers on this connection is unknown: the sender
            # is told to send it again rather than left waiting.
            log.warning("wecom_robot: message %s could not be recorded: %s", message.msg_id, type(exc).__name__)
            with contextlib.suppress(TransportError):
                await self._command(stream_frame(req_id, new_req_id("stream"), _(
                    "Sorry, your message could not be recorded just now. Please send it again in a minute."),
                    finish=True))
            return
        duplicate = inbound_id is None
        entry = _Open(req_id, new_req_id("stream"), self.monotonic())
        if not duplicate:
            key = (message.chat_id, message.user_id)
            self._open.setdefault(key, deque()).append(entry)
            task = self.intake.by_inbound.get(inbound_id) if inbound_id is not None else None
            if task is None:
                entry.handled_at = entry.at
            else:
                task.add_done_callback(lambda _: setattr(entry, "handled_at", self.monotonic()))
        try:
            await self._command(ack_frame(req_id, entry.stream_id, duplicate=duplicate))
        except TransportError as exc:
            log.warning("wecom_robot: acknowledgement of %s failed: %s", message.msg_id, exc)
        finally:
            entry.acked.set()

    async def _close_stale_streams(self) -> None:
        """Finish the placeholder of messages that got no answer (handled without a reply, or too
        late): an open stream would spin in the chat until WeCom expires it."""
        now = self.monotonic()
        for key, entries in list(self._open.items()):
            for entry in list(entries):
                expired = now - entry.at >= self.respond_window
                unanswered = entry.handled_at is not None and now - entry.handled_at >= self.close_grace
                if not (expired or unanswered):
                    continue
                entries.remove(entry)
                if not expired and entry.acked.is_set():
                    with contextlib.suppress(TransportError):
                        await self._command(stream_frame(entry.req_id, entry.stream_id, ACK_TEXT, finish=True))
            if not entries:
                self._open.pop(key, None)

    # ------------------------------------------------------------------ outbound

    async def _command(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Send one frame and wait for WeCom's answer to it; errors as TransportError."""
        ws = self._ws
        if ws is None or ws.closed or not self.ready.is_set():
            raise TransportError("the long connection to WeCom is down; kept for after the reconnect")
        req_id = frame["headers"]["req_id"]
        answer = self._expect(req_id)
        try:
            await ws.send_str(json.dumps(frame, ensure_ascii=False))
            result = await asyncio.wait_for(answer, self.receipt_timeout)
        except TimeoutError:
            raise TransportError(f"no answer to {frame['cmd']} within {self.receipt_timeout:g} s") from None
        except (ConnectionError, aiohttp.ClientError) as exc:
            raise TransportError(f"the long connection dropped during {frame['cmd']}: {exc}") from None
        finally:
            if self._pending.get(req_id) is answer:
                del self._pending[req_id]
        errcode, errmsg = answer_of(result)
        if errcode:
            raise RobotWsError(frame["cmd"], errcode, errmsg)
        return result

    def _take_open(self, message: OutboundMessage) -> _Open | None:
        """The oldest acknowledged-but-unanswered message of this person in this chat, if its
        stream can still be finished."""
        key = (message.chat_id, message.user_id or "")
        entries = self._open.get(key)
        while entries:
            entry = entries.popleft()
            if self.monotonic() - entry.at < self.respond_window:
                return entry
        self._open.pop(key, None)
        return None

    async def send(self, message: OutboundMessage) -> None:
        pieces = [p for p in split_utf8(message.text, STREAM_LIMIT) if p.strip()] or [message.text]
        if not self.connected:
            raise TransportError("the long connection to WeCom is down; kept for after the reconnect")
        if message.kind == OutboundKind.reply:
            entry = self._take_open(message)
            if entry is not None:
                await entry.acked.wait()
                try:
                    await self._command(stream_frame(entry.req_id, entry.stream_id, pieces[0], finish=True))
                    pieces = pieces[1:]
                except RobotWsError as exc:
                    if exc.errcode not in REQ_ID_GONE:
                        raise
                    log.info("wecom_robot: stream closed by WeCom (%s), pushing instead", exc.errcode)
        chatid = message.chat_id or message.user_id
        if not chatid:
            raise TransportError("a wecom_robot message needs a chat_id or a user_id", retryable=False)
        for piece in pieces:
            for part in split_utf8(piece, SEND_LIMIT):
                await self._command(send_frame(new_req_id(CMD_SEND), chatid, part))
