"""微信公众号 (Official Account) at GET/POST /mp/callback, safe mode (plaintext mode without a key).

Residents on personal WeChat follow the account and talk to the bot 1:1 (reporting and following
their tickets). WeChat gives 5 s for an answer and retries otherwise, so a message is recorded,
handled in the background, and if the handlers finish within `passive_wait` seconds of the
callback's arrival their replies
go back in the HTTP answer itself (a passive reply, which costs no quota). Anything later goes out
as a customer-service message (客服消息), which WeChat allows only within 48 hours of the
resident's last message, 5 API calls per window (3 within a minute after a subscribe); past that
the outbox marks the message failed with a note saying the window has closed or what was not sent
(admins see it in /healthz), since nothing can reach the resident until they write again.

Pictures (PNG/JPEG in `files`) follow the text as customer-service image messages, uploaded as
temporary media on the same API host; a message with files is never taken for a passive reply,
which carries text only. Other files (.xlsx forms) cannot be sent to a follower and are skipped."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.events import MediaRef, OutboundMessage
from bot.services.passive import CustomerServiceWindow
from bot.transport.base import MediaError, TransportError
from bot.transport.intake import Intake
from bot.transport.wecom_api import WeComApi, WeComApiError
from bot.transport.wecom_app import (
    SendProgress,
    inbound_from_xml,
    is_image,
    open_envelope,
    read_attachment,
    read_limited,
    reject,
    split_utf8,
)
from bot.transport.wecom_crypto import CryptoError, SignatureError, WeComCrypto, check_plain_signature
from bot.transport.xml import XmlError, parse_xml, render_xml

log = logging.getLogger(__name__)

PLATFORM = "mp"
TEXT_LIMIT = 2048
PASSIVE_WAIT = 4.0  # seconds from a callback's arrival we may hold the answer; WeChat gives up at 5


class WindowClosed(TransportError):
    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class MpChannel:
    platform = PLATFORM

    def __init__(
        self, token: str, crypto: WeComCrypto | None, intake: Intake | None, api: WeComApi | None,
        window: CustomerServiceWindow, clock: Clock, *, passive_wait: float = PASSIVE_WAIT,
    ) -> None:
        self.token, self.crypto, self.intake, self.api = token, crypto, intake, api
        self.window, self.clock, self.passive_wait = window, clock, passive_wait
        self.progress = SendProgress()

    def add_routes(self, app: web.Application, path: str = "/mp/callback") -> None:
        app.router.add_get(path, self.verify_url)
        app.router.add_post(path, self.callback)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # ---------------------------------------------------------------- inbound

    async def verify_url(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            check_plain_signature(self.token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""),
                                  now=self._now())
        except CryptoError as exc:
            return reject(exc, PLATFORM, request)
        return web.Response(text=q.get("echostr", ""))  # as is: 公众号 does not encrypt echostr

    async def callback(self, request: web.Request) -> web.Response:
        deadline = asyncio.get_running_loop().time() + self.passive_wait
        q = request.query
        encrypted = q.get("encrypt_type") == "aes"
        try:
            check_plain_signature(self.token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""),
                                  now=self._now())
            body = parse_xml(await read_limited(request))
            if encrypted:
                if self.crypto is None:
                    raise CryptoError("safe mode needs [mp] encoding_aes_key")
                body = open_envelope(self.crypto, q, body)
            elif self.crypto is not None:
                raise SignatureError("plaintext message refused: the account is configured for safe mode")
            message = inbound_from_xml(PLATFORM, body)
        except (CryptoError, XmlError) as exc:
            return reject(exc, PLATFORM, request)
        if message is None or not message.has_content or self.intake is None:
            return web.Response(text="success")
        inbound_id = await self.intake.accept(message, wake=False)
        # A retry (inbound_id None) means WeChat did not get the first answer: it gets it again.
        # Late replies follow as customer-service messages.
        answer = await self.intake.passive_answer(inbound_id, message, deadline=deadline, max_bytes=TEXT_LIMIT)
        if answer is None:
            return web.Response(text="success")
        reply = render_xml({"ToUserName": message.user_id, "FromUserName": body.get("ToUserName", ""),
                            "CreateTime": int(self._now()), "MsgType": "text", "Content": "\n\n".join(answer.texts)})
        if encrypted:
            assert self.crypto is not None
            reply = self.crypto.seal_xml(reply, timestamp=q.get("timestamp"), nonce=q.get("nonce"))
        return await self.intake.respond(request, web.Response(text=reply, content_type="application/xml"), answer)

    # ---------------------------------------------------------------- outbound (customer service)

    async def fetch_media(self, ref: MediaRef, max_bytes: int) -> bytes:
        """A follower's picture by its MediaId (公众号 temporary media, media/get; 3 days)."""
        if self.api is None:
            raise MediaError("unavailable", "[mp] app_secret is needed to fetch pictures")
        return (await self.api.get_media(ref.ref, max_bytes))[0]

    async def send(self, message: OutboundMessage) -> None:
        """The text, then each picture as an image message, within what the follower's last
        message opened (`CustomerServiceWindow`: each API call counts). Parts that went out are
        remembered per outbox id (see `SendProgress`): a retry after a failed picture does not
        send the text again. When the quota runs out mid-way, what was not sent is named."""
        if self.api is None:
            raise TransportError("[mp] app_secret is needed to send customer-service messages", retryable=False)
        openid = message.user_id
        if not openid or message.chat_id:
            raise TransportError("公众号 messages go to one follower (user_id), never to a chat", retryable=False)
        window = await self.window.of(openid)
        now = self.clock.now()
        if window.opened_at is None or window.closes_at is None or now > window.closes_at:
            raise WindowClosed(self._closed_note(openid, window.opened_at))
        pieces = split_utf8(message.text, TEXT_LIMIT)
        done = self.progress.of(message)
        parts = [f"text:{i}" for i, p in enumerate(pieces) if p.strip() or not message.files] + \
            [f"file:{name}" for name in message.files if is_image(name)]
        todo = [p for p in parts if p not in done]
        if len(todo) > window.left:
            unsent = todo[window.left:]
            note = (f"customer-service quota for {openid}: {window.used} of {window.quota} used since "
                    f"{window.opened_at:%Y-%m-%d %H:%M}; not sent: {self._describe(unsent, len(pieces))}")
            if window.left == 0:
                raise WindowClosed(note)
            allowed = set(todo[:window.left])
        else:
            allowed, note = set(todo), ""

        async def text(piece: str) -> None:
            key = f"text:{pieces.index(piece)}"
            if key in allowed:
                await self._custom_send(openid, {"msgtype": "text", "text": {"content": piece}}, message)

        async def image(name: str) -> None:
            if f"file:{name}" in allowed or not is_image(name):
                await self._send_image(openid, name, message)

        refused = await self.progress.send(message, pieces, text, image)
        if note:
            refused.append(note)
        if refused:
            raise TransportError(f"partly sent; {'; '.join(refused)}", retryable=False)

    @staticmethod
    def _describe(parts: list[str], pieces: int) -> str:
        texts = [int(p.split(":", 1)[1]) + 1 for p in parts if p.startswith("text:")]
        files = [Path(p.split(":", 1)[1]).name for p in parts if p.startswith("file:")]
        said = [f"text part {n} of {pieces}" for n in texts] + [f"picture {name}" for name in files]
        return ", ".join(said)

    async def _send_image(self, openid: str, name: str, message: OutboundMessage) -> None:
        assert self.api is not None
        if not is_image(name):
            log.info("mp: %s not sent: 公众号 customer-service messages carry no files", Path(name).name)
            return
        data = await read_attachment(name)
        if data is None:
            return
        media_id = await self.api.upload_media("image", Path(name).name, data)
        await self._custom_send(openid, {"msgtype": "image", "image": {"media_id": media_id}}, message)

    async def _custom_send(self, openid: str, body: dict[str, Any], message: OutboundMessage) -> None:
        assert self.api is not None
        try:
            await self.api.post("/cgi-bin/message/custom/send", {"touser": openid, **body})
        except WeComApiError as exc:
            if exc.errcode == 45015:
                raise WindowClosed(self._closed_note(openid)) from None
            if exc.errcode == 45047:  # WeChat counted sends we did not see: nothing more until they write
                await self.window.used_up(openid)
                raise WindowClosed(f"customer-service quota for {openid} used up until the resident "
                                   "writes again (45047); follow up by phone or in person") from None
            raise
        await self.window.spent(openid, message.id)

    @staticmethod
    def _closed_note(openid: str, last: Any = None) -> str:
        when = f" (last message {last:%Y-%m-%d %H:%M})" if last is not None else ""
        return (f"48-hour window closed for {openid}{when}: 公众号 can only message a resident within 48 h "
                "of their last message; not sent, follow up by phone or in person")
