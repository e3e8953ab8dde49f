"""Group webhook robots (群机器人 / 消息推送): send-only text, markdown and image messages to the
group a key was created in, for digests and reminders.

The key is the only credential: it is never logged. WeCom allows 20 messages per minute per
robot; the limiter keeps to that (3 of them for urgent messages) and, with no slot, hands the
message back to the outbox until one frees; a 45009 from WeCom backs off and retries all the same.

As an outbox transport (platform `webhook`) the chat id *is* the robot's key: bind a group to
`webhook` with the key as chat id to get its reminders and digests there."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from pathlib import Path
from typing import Any

from bot.events import OutboundKind, OutboundMessage
from bot.transport.base import RateLimited, TransportError
from bot.transport.wecom_api import RateLimiter, WeComApi
from bot.transport.wecom_app import split_utf8

log = logging.getLogger(__name__)

PLATFORM = "webhook"
PATH = "/cgi-bin/webhook/send"
TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096
IMAGE_LIMIT = 2 * 1024 * 1024
PER_MINUTE = 20
URGENT_RESERVE = 3


def redact(key: str) -> str:
    return f"{key[:4]}…" if len(key) > 4 else "…"


class WebhookSender:
    def __init__(self, api: WeComApi, limiter: RateLimiter | None = None) -> None:
        self.api = api  # an API without a token source: webhooks authenticate by key
        self.limiter = limiter or RateLimiter(PER_MINUTE, 60.0, reserve=URGENT_RESERVE)

    async def _post(self, key: str, body: dict[str, Any], *, urgent: bool = False) -> None:
        if not key:
            raise TransportError("webhook key missing", retryable=False)
        try:
            self.limiter.acquire(key, urgent=urgent)
            await self.api.post(PATH, body, params={"key": key}, with_token=False)
        except RateLimited as exc:
            raise RateLimited(f"webhook {redact(key)}: rate limit",
                              retry_after=exc.retry_after) from None
        except TransportError as exc:  # the key must not reach logs or the outbox's last_error
            raise TransportError(f"webhook {redact(key)}: {exc}".replace(key, redact(key)),
                                 retryable=exc.retryable) from None

    async def send_text(self, key: str, content: str, *, mentioned: tuple[str, ...] = (),
                        urgent: bool = False) -> None:
        for piece in split_utf8(content, TEXT_LIMIT):
            body: dict[str, Any] = {"msgtype": "text", "text": {"content": piece}}
            if mentioned:
                body["text"]["mentioned_list"] = list(mentioned)
            await self._post(key, body, urgent=urgent)

    async def send_markdown(self, key: str, content: str, *, urgent: bool = False) -> None:
        for piece in split_utf8(content, MARKDOWN_LIMIT):
            await self._post(key, {"msgtype": "markdown", "markdown": {"content": piece}}, urgent=urgent)

    async def send_image(self, key: str, data: bytes) -> None:
        if len(data) > IMAGE_LIMIT:
            raise TransportError(f"image of {len(data)} bytes is over WeCom's 2 MB", retryable=False)
        await self._post(key, {"msgtype": "image", "image": {
            "base64": base64.b64encode(data).decode("ascii"), "md5": hashlib.md5(data).hexdigest()}})


class WebhookTransport:
    platform = PLATFORM

    def __init__(self, sender: WebhookSender) -> None:
        self.sender = sender

    async def send(self, message: OutboundMessage) -> None:
        key = message.chat_id or ""
        if message.kind in (OutboundKind.digest, OutboundKind.reminder):
            await self.sender.send_markdown(key, message.text, urgent=message.urgent)
        else:
            await self.sender.send_text(key, message.text, urgent=message.urgent)
        for name in message.files:
            path = Path(name)
            data = await asyncio.to_thread(_read_image, path)
            if data is not None:
                await self.sender.send_image(key, data)
            else:
                log.info("webhook: %s is not an image; files need the WeCom app channel", path.name)


def _read_image(path: Path) -> bytes | None:
    if path.suffix.lower() in (".png", ".jpg", ".jpeg") and path.is_file():
        return path.read_bytes()
    return None
