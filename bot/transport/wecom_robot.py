"""企业微信 智能机器人 (AI bot, API mode) in callback mode at GET/POST /wecom/robot/callback.

This is how the bot takes part in internal WeCom groups: WeCom calls us for every message that
@-mentions the bot in a group (with `chatid`, `chattype: group`) and for 1:1 messages. Bodies are
JSON `{"encrypt": …}` encrypted like the app callback but with an *empty* receive id (decrypted
leniently, see wecom.md §3.3); answers are encrypted JSON.

A user's first 1:1 visit of the day (`enter_chat`) is answered with the welcome in the callback's
own encrypted answer. Replies: the message is recorded and handled in the background; if the handlers finish within
`passive_wait` seconds, their replies go back in the callback's own encrypted answer, as a finished
stream message (WeCom's passive reply). Otherwise the callback is answered empty and the reply goes
to the message's `response_url` (plain JSON POST, treated as single use). A retried callback (WeCom
did not get the answer in time) is answered again with the same replies, and replies count as
delivered only once the answer was written. So the robot can only
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

from bot.events import MediaRef, OutboundMessage
from bot.transport import limits
from bot.transport.aibot import PLATFORM, STREAM_LIMIT, BadPayload, inbound_from_json, is_enter_chat, welcome_body
from bot.transport.base import TransportError
from bot.transport.downloads import fetch_robot_picture
from bot.transport.intake import Intake
from bot.transport.wecom_api import WeComApi
from bot.transport.wecom_app import SendProgress, read_limited, reject, split_utf8, verify_echo
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
        self.progress = SendProgress()

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
                return self._welcome(q.get("timestamp") or None, q.get("nonce") or None)
            message = inbound_from_json(payload)
        except CryptoError as exc:
            return reject(exc, PLATFORM, request)
        # The answer is signed with the callback's own timestamp and nonce (wecom.md §3.3, as
        # Tencent's plugin does).
        seal = {"timestamp": q.get("timestamp") or None, "nonce": q.get("nonce") or None}
        if message is None or self.intake is None:
            return web.Response(text=self.crypto.seal_json("", **seal), content_type="text/plain")
        url = str(payload.get("response_url") or "")
        inbound_id = await self.intake.accept(message, wake=False)
        key = message.chat_id or message.user_id
        if url:  # a retry brings a fresh response_url: a late reply can use it
            self._urls.setdefault(key, deque(maxlen=URLS_PER_CHAT)).append((self.monotonic(), url))
        # A retry (inbound_id None) means WeCom did not get the first answer: it gets it again.
        answer = await self.intake.passive_answer(inbound_id, message, deadline=deadline, max_bytes=STREAM_LIMIT)
        if answer is None:
            return web.Response(text=self.crypto.seal_json("", **seal), content_type="text/plain")
        stream = {"id": uuid.uuid4().hex, "finish": True, "content": "\n\n".join(answer.texts)}
        body = json.dumps({"msgtype": "stream", "stream": stream}, ensure_ascii=False)
        response = web.Response(text=self.crypto.seal_json(body, **seal), content_type="text/plain")
        response = await self.intake.respond(request, response, answer)
        if url:  # answered: its url is not needed for a late reply
            self._forget_url(key, url)
        return response

    def _welcome(self, timestamp: str | None = None, nonce: str | None = None) -> web.Response:
        """The welcome goes in the callback's own answer (passive reply), signed with the
        callback's timestamp and nonce: nothing is recorded, and a retried event is simply
        welcomed again."""
        text = self.welcome()
        body = json.dumps(welcome_body(text), ensure_ascii=False) if text else ""
        return web.Response(text=self.crypto.seal_json(body, timestamp=timestamp, nonce=nonce),
                            content_type="text/plain")

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

    async def fetch_media(self, ref: MediaRef, max_bytes: int) -> bytes:
        """A picture a message points to: downloaded and decrypted (its aeskey, else ours)."""
        return await fetch_robot_picture(self.api.http, ref.ref, ref.aeskey, self.crypto.key, max_bytes)

    async def send(self, message: OutboundMessage) -> None:
        """A late reply through an open `response_url` (single use). A text over one reply's
        20,480 bytes goes in pieces, one open url each; what finds no url is named in the error."""
        key = message.chat_id or message.user_id or ""
        pieces = split_utf8(message.text, STREAM_LIMIT)
        done = self.progress.of(message)
        for i, piece in enumerate(pieces):
            if f"text:{i}" in done:
                continue
            url = self._take_url(key)
            if url is None:
                if i == 0:
                    raise TransportError(
                        f"the smart robot can only answer a message and there is no open one from {key}; "
                        "use the WeCom app or a webhook key to reach this chat", retryable=False)
                raise TransportError(f"{i} of {len(pieces)} parts sent; the rest not sent: no open "
                                     f"response_url left for {key} (each answers once)", retryable=False)
            await self.api.post("", {"msgtype": "markdown", "markdown": {"content": piece}}, with_token=False, url=url)
            done.add(f"text:{i}")
        self.progress.finished(message)
