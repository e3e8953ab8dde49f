"""企业微信 智能机器人 (AI bot, API mode) in callback mode at GET/POST /wecom/robot/callback.

This is how the bot takes part in internal WeCom groups: WeCom calls us for every message that
@-mentions the bot in a group (with `chatid`, `chattype: group`) and for 1:1 messages. Bodies are
JSON `{"encrypt": …}` encrypted like the app callback but with an *empty* receive id (decrypted
leniently, see wecom.md §3.3); answers are encrypted JSON.

A user's first 1:1 visit of the day (`enter_chat`) is answered with the welcome in the callback's
own encrypted answer. Replies: the message is recorded and handled in the background; if the handlers finish within
`passive_wait` seconds, their replies go back in the callback's own encrypted answer, as a finished
stream message (WeCom's passive reply). Otherwise the callback is answered empty and the reply goes
to the message's `response_url` (plain JSON POST, treated as single use). So the robot can only
answer — in the chat the message came from; a reply with no open `response_url` fails permanently
with a clear error (use a webhook key for pushes).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable

from aiohttp import web

from bot.events import InboundMessage, OutboundMessage
from bot.transport import limits
from bot.transport.aibot import PLATFORM, STREAM_LIMIT, BadPayload, inbound_from_json, is_enter_chat, welcome_body
from bot.transport.base import TransportError
from bot.transport.intake import Intake
from bot.transport.wecom_api import WeComApi
from bot.transport.wecom_app import read_limited, reject, split_utf8, verify_echo
from bot.transport.wecom_crypto import CryptoError, WeComCrypto

log = logging.getLogger(__name__)

RESPONSE_URL_TTL = 3600.0  # how long we try a response_url (its validity is not documented)
PASSIVE_WAIT = 3.0  # seconds from a callback's arrival to the last moment to take its replies (WeCom gives up at 5)
URLS_PER_CHAT = 5  # response_urls kept per chat for late replies (the newest ones)


class WeComRobotChannel:
    platform = PLATFORM

    def __init__(
        self, crypto: WeComCrypto, intake: Intake | None, api: WeComApi, *,
        monotonic: Callable[[], float] = time.monotonic, url_ttl: float = RESPONSE_URL_TTL,
        passive_wait: float = PASSIVE_WAIT, welcome: Callable[[], str] = lambda: "",
    ) -> None:
        """`welcome` gives the answer to a user's first 1:1 visit of the day ("" answers nothing)."""
        self.crypto, self.intake, self.api, self.welcome = crypto, intake, api, welcome
        self.passive_wait = passive_wait
        self.monotonic, self.url_ttl = monotonic, url_ttl
        self._urls: dict[str, deque[tuple[float, str]]] = {}

    def add_routes(self, app: web.Application, path: str = "/wecom/robot/callback") -> None:
        app.router.add_get(path, self.verify_url)
        app.router.add_post(path, self.callback)

    async def verify_url(self, request: web.Request) -> web.Response:
        return await verify_echo(self.crypto, request, PLATFORM)

    async def callback(self, request: web.Request) -> web.Response:
        deadline = asyncio.get_running_loop().time() + self.passive_wait
        q = request.query
        try:
            try:
                envelope = limits.loads(await read_limited(request))
            except limits.BadInput as exc:
                raise BadPayload(str(exc)) from None
            if not isinstance(envelope, dict):
                raise BadPayload("body is not a JSON object")
            encrypt = envelope.get("encrypt") or envelope.get("Encrypt") or ""
            if not isinstance(encrypt, str):
                raise BadPayload('"encrypt" must be a string')
            signature = q.get("msg_signature") or q.get("msgsignature") or q.get("signature") or ""
            plain = self.crypto.open(signature, q.get("timestamp", ""), q.get("nonce", ""), encrypt)
            try:
                payload = limits.loads(plain)
            except limits.BadInput as exc:
                raise BadPayload(f"decrypted message: {exc}") from None
            if not isinstance(payload, dict):
                raise BadPayload("decrypted message is not a JSON object")
            if is_enter_chat(payload):
                return self._welcome()
            message = inbound_from_json(payload)
        except CryptoError as exc:
            return reject(exc, PLATFORM, request)
        answer = ""
        if message is not None and self.intake is not None:
            url = str(payload.get("response_url") or "")
            inbound_id = await self.intake.accept(message, wake=False)
            key = message.chat_id or message.user_id
            if inbound_id is not None and url:
                self._urls.setdefault(key, deque(maxlen=URLS_PER_CHAT)).append((self.monotonic(), url))
            if inbound_id is not None:
                answer = await self._passive(self.intake, inbound_id, message, deadline)
            if answer and url:  # answered: its url is not needed for a late reply
                self._forget_url(key, url)
        return web.Response(text=self.crypto.seal_json(answer), content_type="text/plain")

    async def _passive(self, intake: Intake, inbound_id: int, message: InboundMessage, deadline: float) -> str:
        """The replies as a finished stream, if the handlers finish by `deadline` (else "")."""
        texts = await intake.passive_replies(inbound_id, message, deadline=deadline, max_bytes=STREAM_LIMIT)
        if not texts:
            return ""
        stream = {"id": uuid.uuid4().hex, "finish": True, "content": "\n\n".join(texts)}
        return json.dumps({"msgtype": "stream", "stream": stream}, ensure_ascii=False)

    def _welcome(self) -> web.Response:
        """The welcome goes in the callback's own answer (passive reply): nothing is recorded, and a
        retried event is simply welcomed again."""
        text = self.welcome()
        body = json.dumps(welcome_body(text), ensure_ascii=False) if text else ""
        return web.Response(text=self.crypto.seal_json(body), content_type="text/plain")

    def _forget_url(self, key: str, url: str) -> None:
        urls = self._urls.get(key, deque())
        for item in urls:
            if item[1] == url:
                urls.remove(item)
                break
        if not urls:
            self._urls.pop(key, None)

    def _take_url(self, key: str) -> str | None:
        urls = self._urls.get(key, deque())
        found = None
        while urls and found is None:
            at, url = urls.popleft()
            if self.monotonic() - at <= self.url_ttl:
                found = url
        if not urls:
            self._urls.pop(key, None)
        return found

    async def send(self, message: OutboundMessage) -> None:
        key = message.chat_id or message.user_id or ""
        url = self._take_url(key)
        if url is None:
            raise TransportError(
                f"the smart robot can only answer a message and there is no open one from {key}; "
                "use the WeCom app or a webhook key to reach this chat", retryable=False)
        content = split_utf8(message.text, STREAM_LIMIT)[0]
        await self.api.post("", {"msgtype": "markdown", "markdown": {"content": content}}, with_token=False, url=url)
