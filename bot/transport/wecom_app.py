"""企业微信 self-built app (自建应用): the callback at GET/POST /wecom/callback and the outbound
`message/send` (to people) and `appchat/send` (to groups the app created).

Inbound: URL verification (decrypt `echostr`, answer the plaintext as is); for POSTs the signature
and timestamp are checked (403), the envelope and the message parsed with defusedxml and decrypted
(400 on anything malformed), the message recorded in the inbound log and answered with an empty
200 at once; handlers run in the background. WeCom retries a callback it had no answer to within
5 s; the retry has the same MsgId (events: FromUserName+CreateTime) and is dropped by the log.

Members talk to the app 1:1 (apps cannot be added to ordinary groups), so every inbound message is
private; a `subscribe` event is answered like “帮助” so a new member sees what the bot does."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.events import InboundMessage, OutboundKind, OutboundMessage
from bot.transport.base import TransportError
from bot.transport.intake import Intake
from bot.transport.wecom_api import RateLimiter, WeComApi
from bot.transport.wecom_crypto import CryptoError, WeComCrypto
from bot.transport.xml import XmlError, parse_xml

log = logging.getLogger(__name__)

PLATFORM = "wecom_app"
TEXT_LIMIT = 2048  # bytes, message/send and appchat/send text
MARKDOWN_LIMIT = 2048
MAX_BODY = 64 * 1024


def split_utf8(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` UTF-8 bytes, at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:  # one very long line: cut by characters
            cut = len(line.encode()[:limit].decode("utf-8", "ignore"))
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        if len((current + line).encode()) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return [p.rstrip("\n") or p for p in pieces]


def reject(exc: Exception, channel: str, request: web.Request) -> web.Response:
    """A refused callback: logged, answered with a short plain-text reason, nothing processed."""
    status = getattr(exc, "status", 400)
    log.warning("%s callback rejected (%d) from %s: %s", channel, status, request.remote, exc)
    return web.Response(status=status, text=f"rejected: {exc}")


async def read_limited(request: web.Request, limit: int = MAX_BODY) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))
    return body


def inbound_from_xml(platform: str, msg: dict[str, str]) -> InboundMessage | None:
    """A decrypted WeCom/公众号 message → InboundMessage, or None for what the bot ignores."""
    kind = msg.get("MsgType", "").lower()
    user = msg.get("FromUserName", "")
    if not user:
        raise XmlError("FromUserName missing")
    if kind == "text":
        msg_id = msg.get("MsgId") or f"{user}:{msg.get('CreateTime', '')}"
        return InboundMessage(platform=platform, msg_id=msg_id, user_id=user, text=msg.get("Content", "").strip())
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
        self.per_member = per_member or RateLimiter(30, 60.0)  # WeCom drops more than 30/min per member

    def add_routes(self, app: web.Application, path: str = "/wecom/callback") -> None:
        app.router.add_get(path, self.verify_url)
        app.router.add_post(path, self.callback)

    # ---------------------------------------------------------------- inbound

    async def verify_url(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            plain = self.crypto.open(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""),
                                     q.get("echostr", ""))
        except CryptoError as exc:
            return reject(exc, PLATFORM, request)
        return web.Response(text=plain)

    async def callback(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            envelope = parse_xml(await read_limited(request))
            encrypt = envelope.get("Encrypt", "")
            plain = self.crypto.open(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), encrypt)
            message = inbound_from_xml(PLATFORM, parse_xml(plain))
        except (CryptoError, XmlError) as exc:
            return reject(exc, PLATFORM, request)
        if message is not None and message.text and self.intake is not None:
            await self.intake.accept(message)
        return web.Response(text="")  # empty 200: received, no passive reply, no retry

    # ---------------------------------------------------------------- outbound

    async def send(self, message: OutboundMessage) -> None:
        if self.api is None or self.agent_id is None:
            raise TransportError("[wecom] secret and agent_id are needed to send", retryable=False)
        markdown = message.kind == OutboundKind.digest
        text = message.text
        if message.files:
            names = ", ".join(f.rsplit("/", 1)[-1] for f in message.files)
            text += f"\n(附件 / attachments: {names})"
        pieces = split_utf8(text, MARKDOWN_LIMIT if markdown else TEXT_LIMIT)
        msgtype = "markdown" if markdown else "text"
        for piece in pieces:
            body: dict[str, Any] = {"msgtype": msgtype, msgtype: {"content": piece}}
            if message.chat_id:
                await self.api.post("/cgi-bin/appchat/send", {"chatid": message.chat_id, **body, "safe": 0})
            elif message.user_id:
                await self.per_member.acquire(message.user_id)
                # WeCom drops an identical message sent again within the interval: a piece that
                # went out before a crash or a failed later piece is not doubled on retry.
                answer = await self.api.post("/cgi-bin/message/send", {
                    "touser": message.user_id, "agentid": self.agent_id, **body, "safe": 0,
                    "enable_duplicate_check": 1, "duplicate_check_interval": 1800,
                })
                if answer.get("invaliduser"):
                    raise TransportError(f"WeCom does not know user {answer['invaliduser']}", retryable=False)
            else:
                raise TransportError("message has neither chat_id nor user_id", retryable=False)
