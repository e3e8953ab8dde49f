"""企业微信 self-built app (自建应用): the callback at GET/POST /wecom/callback and the outbound
`message/send` (to people) and `appchat/send` (to groups the app created).

Inbound: URL verification (decrypt `echostr`, answer the plaintext as is); for POSTs the signature
and timestamp are checked (403), the envelope and the message parsed (no DTD, no entities) and decrypted
(400 on anything malformed), the message recorded in the inbound log and answered with an empty
200 at once; handlers run in the background. WeCom retries a callback it had no answer to within
5 s; the retry has the same MsgId (events: FromUserName+CreateTime) and is dropped by the log.

Members talk to the app 1:1 (apps cannot be added to ordinary groups), so every inbound message is
private; a `subscribe` event is answered like “帮助” so a new member sees what the bot does."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import regex
from aiohttp import web

from bot.events import InboundMessage, MediaRef, MessageKind, OutboundKind, OutboundMessage
from bot.transport import limits
from bot.transport.base import MediaError, RateLimited, TransportError
from bot.transport.intake import Intake
from bot.transport.wecom_api import MEDIA_LIMITS, RateLimiter, WeComApi
from bot.transport.wecom_crypto import CryptoError, WeComCrypto
from bot.transport.xml import XmlError, parse_xml

log = logging.getLogger(__name__)

PLATFORM = "wecom_app"
TEXT_LIMIT = 2048  # bytes, message/send and appchat/send text
MARKDOWN_LIMIT = 2048
MAX_BODY = 64 * 1024
PER_MEMBER = 30  # app messages a minute to one member (WeCom refuses more: errcode 45033)
URGENT_RESERVE = 5  # of them, kept for urgent messages


def member_limiter(monotonic: Callable[[], float] = time.monotonic) -> RateLimiter:
    """WeCom's per-member limit, with slots kept for P0 notices."""
    return RateLimiter(PER_MEMBER, 60.0, reserve=URGENT_RESERVE, monotonic=monotonic)


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class SendProgress:
    """Which parts of an outbox message already went out, by outbox id, kept in memory.

    A message is a text (in pieces) and then its files, one API call each. When a file fails after
    the text went out, the outbox retries the whole message; the parts recorded here are skipped
    then, so the text is not sent twice. Text first keeps the natural order (the digest, then its
    chart), which sending files first would not. The record lives as long as the process: after a
    crash WeCom's duplicate check (message/send, 30 min) still drops a repeated text; chats
    (appchat/send) have no such check and may see a part again, as with any crash mid-send."""

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self._done: OrderedDict[int, set[str]] = OrderedDict()

    def of(self, message: OutboundMessage) -> set[str]:
        """The parts already sent (a fresh set, not remembered, for a message outside the outbox)."""
        if message.id is None:
            return set()
        done = self._done.setdefault(message.id, set())
        self._done.move_to_end(message.id)
        while len(self._done) > self.size:  # given-up messages must not pile up
            self._done.popitem(last=False)
        return done

    def finished(self, message: OutboundMessage) -> None:
        if message.id is not None:
            self._done.pop(message.id, None)

    async def send(self, message: OutboundMessage, pieces: list[str], send_text: Callable[[str], Awaitable[None]],
                   send_file: Callable[[str], Awaitable[None]]) -> list[str]:
        """Send the text pieces, then the files, skipping the parts that already went out; a file
        refused for good does not stop the others. Returns the refusals (empty: all sent)."""
        done = self.of(message)
        for i, piece in enumerate(pieces):
            if f"text:{i}" not in done and (piece.strip() or not message.files):  # files alone: no empty text
                await send_text(piece)
                done.add(f"text:{i}")
        refused: list[str] = []
        for name in message.files:
            if f"file:{name}" in done:
                continue
            try:
                await send_file(name)
            except TransportError as exc:
                if exc.retryable:
                    raise  # the outbox tries again; what went out is skipped then
                refused.append(str(exc))  # retrying cannot help: the other files still go
            done.add(f"file:{name}")
        self.finished(message)
        return refused


def open_signed(crypto: WeComCrypto, query: Mapping[str, str], ciphertext: str) -> str:
    """`ciphertext` decrypted, checked against the callback's `msg_signature`, `timestamp` and
    `nonce` query parameters. CryptoError (its `status` 400 or 403) when it is not genuine."""
    return crypto.open(query.get("msg_signature", ""), query.get("timestamp", ""), query.get("nonce", ""),
                       ciphertext)


def open_envelope(crypto: WeComCrypto, query: Mapping[str, str], envelope: dict[str, str]) -> dict[str, str]:
    """The XML inside an `<xml><Encrypt>…</Encrypt></xml>` envelope, decrypted and parsed
    (CryptoError, XmlError)."""
    return parse_xml(open_signed(crypto, query, envelope.get("Encrypt", "")))


async def read_sealed_xml(crypto: WeComCrypto, request: web.Request) -> dict[str, str]:
    """An encrypted XML callback's message (企业微信 app, 微信客服): the body read up to `MAX_BODY`,
    its envelope parsed, decrypted and parsed. CryptoError or XmlError (answer with `reject`);
    HTTPRequestEntityTooLarge for a body over the limit."""
    return open_envelope(crypto, request.query, parse_xml(await read_limited(request)))


async def verify_echo(crypto: WeComCrypto, request: web.Request, platform: str) -> web.Response:
    """The console's URL check (GET with echostr): answer the decrypted echo, or refuse."""
    try:
        plain = open_signed(crypto, request.query, request.query.get("echostr", ""))
    except CryptoError as exc:
        return reject(exc, platform, request)
    return web.Response(text=plain)


async def read_attachment(name: str) -> bytes | None:
    """A file of an outbound message, read off the event loop; None (logged) when it is gone,
    so the rest of the message still goes out."""
    try:
        return await asyncio.to_thread(Path(name).read_bytes)
    except OSError as exc:
        log.warning("attachment %s not sent: %s", Path(name).name, exc.strerror or exc)
        return None


def is_image(name: str) -> bool:
    return Path(name).suffix.lower() in IMAGE_SUFFIXES


def split_utf8(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` UTF-8 bytes, at line ends where possible, and
    otherwise only between grapheme clusters (an emoji sequence, a flag, a letter with its accents
    stays whole: `regex`'s \\X, Unicode's extended grapheme clusters). A single cluster longer than
    `limit` (never in real text) is cut between code points."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if len(line.encode()) > limit:  # one very long line: cut between clusters
            if current:
                pieces.append(current)
                current = ""
            *whole, line = _cut_clusters(line, limit)
            pieces.extend(whole)
        if len((current + line).encode()) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return [p.rstrip("\n") or p for p in pieces]


def _cut_clusters(line: str, limit: int) -> list[str]:
    """`line` in pieces of at most `limit` bytes, cut between grapheme clusters."""
    pieces: list[str] = []
    current, size = [], 0
    for cluster in _GRAPHEME.findall(line):
        clusters = [cluster]
        while len(clusters[-1].encode()) > limit:  # a pathological cluster (hundreds of combining marks)
            cut = len(clusters[-1].encode()[:limit].decode("utf-8", "ignore"))
            clusters[-1:] = [clusters[-1][:cut], clusters[-1][cut:]]
        for part in clusters:
            length = len(part.encode())
            if size + length > limit and current:
                pieces.append("".join(current))
                current, size = [], 0
            current.append(part)
            size += length
    pieces.append("".join(current))
    return pieces


_GRAPHEME = regex.compile(r"\X")


def reject(exc: Exception, channel: str, request: web.Request) -> web.Response:
    """A refused callback: logged, answered with a short plain-text reason, nothing processed."""
    status = getattr(exc, "status", 400)
    log.warning("%s callback rejected (%d) from %s: %s", channel, status, request.remote, exc)
    return web.Response(status=status, text=f"rejected: {exc}")


async def read_limited(request: web.Request, limit: int = MAX_BODY) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    body = bytearray()
    while True:  # a body may arrive in several packets: read to its end, never past the limit
        chunk = await request.content.read(limit + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))


MEDIA_KINDS = {"image": MessageKind.image, "voice": MessageKind.voice, "video": MessageKind.video,
               "shortvideo": MessageKind.video, "file": MessageKind.file, "location": MessageKind.location,
               "link": MessageKind.link}


def inbound_from_xml(platform: str, msg: dict[str, str]) -> InboundMessage | None:
    """A decrypted WeCom/公众号 message → InboundMessage, or None for what the bot ignores.
    XmlError (a 400) when it breaks a door rule (bot.transport.limits)."""
    try:
        message = _from_xml(platform, msg)
        return limits.checked(message) if message is not None else None
    except limits.BadInput as exc:
        raise XmlError(str(exc)) from None


def _from_xml(platform: str, msg: dict[str, str]) -> InboundMessage | None:
    kind = msg.get("MsgType", "").lower()
    user = msg.get("FromUserName", "")
    if not user:
        raise XmlError("FromUserName missing")
    msg_id = msg.get("MsgId") or f"{user}:{msg.get('CreateTime', '')}"
    if kind == "text":
        return InboundMessage(platform=platform, msg_id=msg_id, user_id=user, text=msg.get("Content", ""))
    if kind == "voice" and msg.get("Recognition", "").strip():  # 公众号 with speech recognition on
        return InboundMessage(platform=platform, msg_id=msg_id, user_id=user, text=msg["Recognition"])
    if kind in MEDIA_KINDS:  # "shortvideo" is the 公众号's name for a short video
        media_id = msg.get("MediaId", "").strip()
        media = MediaRef(platform, media_id) if kind == "image" and media_id else None  # fetched by media/get
        return InboundMessage(platform=platform, msg_id=msg_id, user_id=user, text="", kind=MEDIA_KINDS[kind],
                              media=media)
    if kind == "event" and msg.get("Event", "").lower() == "subscribe":
        # Events have no MsgId: WeCom's dedupe key is FromUserName + CreateTime.
        return InboundMessage(platform=platform, msg_id=f"event:{user}:{msg.get('CreateTime', '')}:subscribe",
                              user_id=user, text="帮助")
    return None


class WeComAppChannel:
    """Transport (outbound) and callback routes (inbound) of one self-built app."""

    platform = PLATFORM

    def __init__(
        self,
        crypto: WeComCrypto,
        intake: Intake | None,
        api: WeComApi | None,
        agent_id: int | None,
        *,
        per_member: RateLimiter | None = None,
    ) -> None:
        self.crypto, self.intake, self.api, self.agent_id = crypto, intake, api, agent_id
        self.per_member = per_member or member_limiter()
        self.progress = SendProgress()

    def add_routes(self, app: web.Application, path: str = "/wecom/callback") -> None:
        app.router.add_get(path, self.verify_url)
        app.router.add_post(path, self.callback)

    # ---------------------------------------------------------------- inbound

    async def verify_url(self, request: web.Request) -> web.Response:
        return await verify_echo(self.crypto, request, PLATFORM)

    async def callback(self, request: web.Request) -> web.Response:
        try:
            message = inbound_from_xml(PLATFORM, await read_sealed_xml(self.crypto, request))
        except (CryptoError, XmlError) as exc:
            return reject(exc, PLATFORM, request)
        if message is not None and message.has_content and self.intake is not None:
            await self.intake.accept(message)
        return web.Response(text="")  # empty 200: received, no passive reply, no retry

    async def fetch_media(self, ref: MediaRef, max_bytes: int) -> bytes:
        """A member's picture by its MediaId (media/get; bot.services.photos asks)."""
        if self.api is None:
            raise MediaError("unavailable", "[wecom] secret is needed to fetch pictures")
        return (await self.api.get_media(ref.ref, max_bytes))[0]

    # ---------------------------------------------------------------- outbound

    async def send(self, message: OutboundMessage) -> None:
        """The text, then each file as an image (PNG/JPEG up to 10 MB) or file message (anything
        else, and larger pictures, up to 20 MB). See `SendProgress` for retries after a part failed."""
        if self.api is None or self.agent_id is None:
            raise TransportError("[wecom] secret and agent_id are needed to send", retryable=False)
        if not message.chat_id and not message.user_id:
            raise TransportError("message has neither chat_id nor user_id", retryable=False)
        markdown = message.kind == OutboundKind.digest
        msgtype = "markdown" if markdown else "text"
        pieces = split_utf8(message.text, MARKDOWN_LIMIT if markdown else TEXT_LIMIT)

        async def text(piece: str) -> None:
            await self._deliver(message, {"msgtype": msgtype, msgtype: {"content": piece}})

        async def file(name: str) -> None:
            await self._send_file(message, name)

        refused = await self.progress.send(message, pieces, text, file)
        if refused:
            raise TransportError(f"text sent; not sent: {'; '.join(refused)}", retryable=False)

    async def _send_file(self, message: OutboundMessage, name: str) -> None:
        assert self.api is not None
        data = await read_attachment(name)
        if data is None:
            return
        filename = Path(name).name
        # A picture over the 10 MB image limit still reaches people as a file (up to 20 MB).
        kind = "image" if is_image(name) and len(data) <= MEDIA_LIMITS["image"] else "file"
        media_id = await self.api.upload_media(kind, filename, data)
        await self._deliver(message, {"msgtype": kind, kind: {"media_id": media_id}})

    async def _deliver(self, message: OutboundMessage, body: dict[str, Any]) -> None:
        """One message/send (to a member) or appchat/send (to a chat) call."""
        assert self.api is not None
        if message.chat_id:
            await self.api.post("/cgi-bin/appchat/send", {"chatid": message.chat_id, **body, "safe": 0})
            return
        assert message.user_id
        self.per_member.acquire(message.user_id, urgent=message.urgent)
        # WeCom drops an identical message sent again within the interval: a part that went out
        # before a crash is not doubled on the retry.
        try:
            answer = await self.api.post("/cgi-bin/message/send", {
                "touser": message.user_id, "agentid": self.agent_id, **body, "safe": 0,
                "enable_duplicate_check": 1, "duplicate_check_interval": 1800,
            })
        except RateLimited as exc:  # WeCom counted more than we did (another process): trust it
            wait = self.per_member.saturate(message.user_id)
            raise RateLimited(str(exc), retry_after=max(wait, exc.retry_after)) from None
        if answer.get("invaliduser"):
            raise TransportError(f"WeCom does not know user {answer['invaliduser']}", retryable=False)
