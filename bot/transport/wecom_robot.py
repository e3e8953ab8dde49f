"""企业微信 智能机器人 (AI bot, API mode) in callback mode at GET/POST /wecom/robot/callback.

This is how the bot takes part in internal WeCom groups: WeCom calls us for every message that
@-mentions the bot in a group (with `chatid`, `chattype: group`) and for 1:1 messages. Bodies are
JSON `{"encrypt": …}` encrypted like the app callback but with an *empty* receive id (decrypted
leniently, see wecom.md §3.3); answers are encrypted JSON.

A user's first 1:1 visit of the day (`enter_chat`) is answered with the welcome in the callback's
own encrypted answer. Replies: the callback is acknowledged at once with an empty encrypted answer and handled in the
background; the reply goes to the message's `response_url` (plain JSON POST, treated as single
use). So the robot can only answer — one reply per message, in the chat it came from; a reply
with no open `response_url` fails permanently with a clear error (use a webhook key for pushes).
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable

from aiohttp import web

from bot.events import OutboundMessage
from bot.transport.aibot import PLATFORM, STREAM_LIMIT, BadPayload, inbound_from_json, is_enter_chat, welcome_body
from bot.transport.base import TransportError
from bot.transport.intake import Intake
from bot.transport.wecom_api import WeComApi
from bot.transport.wecom_app import read_limited, reject, split_utf8, verify_echo
from bot.transport.wecom_crypto import CryptoError, WeComCrypto

log = logging.getLogger(__name__)

RESPONSE_URL_TTL = 3600.0  # how long we try a response_url (its validity is not documented)


class WeComRobotChannel:
    platform = PLATFORM

    def __init__(
        self, crypto: WeComCrypto, intake: Intake | None, api: WeComApi, *,
        monotonic: Callable[[], float] = time.monotonic, url_ttl: float = RESPONSE_URL_TTL,
        welcome: Callable[[], str] = lambda: "",
    ) -> None:
        """`welcome` gives the answer to a user's first 1:1 visit of the day ("" answers nothing)."""
        self.crypto, self.intake, self.api, self.welcome = crypto, intake, api, welcome
        self.monotonic, self.url_ttl = monotonic, url_ttl
        self._urls: dict[str, deque[tuple[float, str]]] = {}

    def add_routes(self, app: web.Application, path: str = "/wecom/robot/callback") -> None:
        app.router.add_get(path, self.verify_url)
        app.router.add_post(path, self.callback)

    async def verify_url(self, request: web.Request) -> web.Response:
        return await verify_echo(self.crypto, request, PLATFORM)

    async def callback(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            try:
                envelope = json.loads(await read_limited(request))
            except (ValueError, UnicodeDecodeError):
                raise BadPayload("body is not JSON") from None
            if not isinstance(envelope, dict):
                raise BadPayload("body is not a JSON object")
            encrypt = str(envelope.get("encrypt") or envelope.get("Encrypt") or "")
            signature = q.get("msg_signature") or q.get("msgsignature") or q.get("signature") or ""
            plain = self.crypto.open(signature, q.get("timestamp", ""), q.get("nonce", ""), encrypt)
            try:
                payload = json.loads(plain)
            except ValueError:
                raise BadPayload("decrypted message is not JSON") from None
            if not isinstance(payload, dict):
                raise BadPayload("decrypted message is not a JSON object")
            if is_enter_chat(payload):
                return self._welcome()
            message = inbound_from_json(payload)
        except CryptoError as exc:
            return reject(exc, PLATFORM, request)
        if message is not None and self.intake is not None:
            url = str(payload.get("response_url") or "")
            if await self.intake.accept(message) is not None and url:
                key = message.chat_id or message.user_id
                self._urls.setdefault(key, deque()).append((self.monotonic(), url))
        return web.Response(text=self.crypto.seal_json(""), content_type="text/plain")

    def _welcome(self) -> web.Response:
        """The welcome goes in the callback's own answer (passive reply): nothing is recorded, and a
        retried event is simply welcomed again."""
        text = self.welcome()
        body = json.dumps(welcome_body(text), ensure_ascii=False) if text else ""
        return web.Response(text=self.crypto.seal_json(body), content_type="text/plain")

    def _take_url(self, key: str) -> str | None:
        urls = self._urls.get(key)
        while urls:
            at, url = urls.popleft()
            if self.monotonic() - at <= self.url_ttl:
                return url
        return None

    async def send(self, message: OutboundMessage) -> None:
        key = message.chat_id or message.user_id or ""
        url = self._take_url(key)
        if url is None:
            raise TransportError(
                f"the smart robot can only answer a message and there is no open one from {key}; "
                "use the WeCom app or a webhook key to reach this chat", retryable=False)
        content = split_utf8(message.text, STREAM_LIMIT)[0]
        await self.api.post("", {"msgtype": "markdown", "markdown": {"content": content}}, with_token=False, url=url)
