"""The bridge: a signed JSON contract for gateways that connect personal WeChat groups (a wechaty
bot, for instance) — see docs/channels.md for the gateway author's side.

Inbound  POST /bridge/messages  {"msg_id", "chat_id", "user_id", "user_name", "text", "at"[, "kind"][, "media"]}
         "media" (optional): {"url" | "data_base64", "mime", "name"}, a picture the message carries
         (fetched from the URL, or the bytes themselves in base64; the body may then be up to 16 MB)
Outbound POST [bridge] outbound_url  {"id", "chat_id", "user_id", "kind", "text", "ticket"[, "media"]}
         "media" (a private message with pictures, never a group's): {"data_base64", "mime", "name"} of
         its first picture; "media_list" holds them all when there are several

Both directions carry `X-Gridbot-Timestamp: <unix seconds>` and
`X-Gridbot-Signature: sha256=<hex HMAC-SHA256 of the raw body under [bridge] secret>`; a request
whose timestamp is more than 300 s away from our clock is refused. Retries of a message are safe:
the bot records each `msg_id` once, and outbound `id`s let the gateway drop a repeat (the outbox
delivers at least once: a crash between the POST and its bookkeeping sends it again)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import mimetypes
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.events import InboundMessage, MediaRef, MessageKind, OutboundMessage
from bot.transport import limits
from bot.transport.base import TransportError
from bot.transport.downloads import download
from bot.transport.intake import Intake
from bot.transport.limits import BadInput
from bot.transport.wecom_api import HttpClient
from bot.transport.wecom_app import is_image, read_attachment, read_limited
from bot.transport.wecom_crypto import same_signature

log = logging.getLogger(__name__)

PLATFORM = "bridge"
WINDOW = 300
SIGNATURE_HEADER = "X-Gridbot-Signature"
TIMESTAMP_HEADER = "X-Gridbot-Timestamp"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {"Content-Type": "application/json", TIMESTAMP_HEADER: str(int(now)), SIGNATURE_HEADER: sign(secret, body)}


def verify(secret: str, body: bytes, signature: str | None, timestamp: str | None, now: float) -> str | None:
    """None if authentic and fresh, else the reason."""
    if not signature or not timestamp:
        return f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required"
    if not same_signature(sign(secret, body), signature):
        return "signature does not match"
    try:
        ts = int(timestamp)
    except ValueError:
        return "timestamp is not unix seconds"
    if abs(now - ts) > WINDOW:
        return f"timestamp is {int(now - ts)} s away from now (limit {WINDOW} s)"
    return None


MAX_MEDIA_BODY = 16 * 1024 * 1024  # a body carrying a picture in data_base64 (10 MB of picture, in base64)


def _media(value: object) -> MediaRef | None:
    """The optional "media" object: exactly one of url / data_base64, with optional mime and name."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadInput('"media" must be an object {"url" | "data_base64", "mime", "name"}')
    unknown = set(value) - {"url", "data_base64", "mime", "name"}
    if unknown:
        raise BadInput(f'"media" has unknown field(s) {", ".join(sorted(unknown))}')
    url, data = value.get("url"), value.get("data_base64")
    if (url is None) == (data is None):
        raise BadInput('"media" needs exactly one of "url" and "data_base64"')
    for key in ("url", "data_base64", "mime", "name"):
        if value.get(key) is not None and (not isinstance(value[key], str) or not value[key]):
            raise BadInput(f'"media.{key}" must be a non-empty string')
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise BadInput('"media.url" must be an http(s) URL')
    if url is not None and len(url) > 2048:
        raise BadInput('"media.url" is longer than 2048 characters')
    mime, name = value.get("mime"), value.get("name")
    name = limits.clean(name)[:100] if name else None
    return MediaRef(PLATFORM, url, mime=mime, name=name) if url is not None else MediaRef("data", data, mime=mime,
                                                                                           name=name)


def parse_message(body: bytes) -> InboundMessage:
    """The request body as a message, checked like every door's (bot.transport.limits); ValueError
    (a BadInput) naming the field otherwise."""
    data = limits.loads(body)
    if not isinstance(data, dict):
        raise BadInput("body must be a JSON object")
    media = _media(data.get("media"))
    kind = MessageKind.of(data.get("kind") or ("image" if media is not None else None))
    if kind == MessageKind.recall:  # the sender took back their message `recalls`
        data["text"] = limits.check_id("recalls", data.get("recalls"))
    text = data.get("text")
    if text is None and kind != MessageKind.text:
        text = ""  # a picture carries no words
    if not isinstance(text, str):
        raise BadInput('"text" must be a string (empty, null or left out only for other kinds)')
    text = limits.clean(text).strip()
    if kind == MessageKind.text and not text:
        raise BadInput('"text" must be a non-empty string (empty, null or left out only for other kinds)')
    if text and kind != MessageKind.recall:
        kind = MessageKind.text  # words win: a picture with a caption is read as its caption
    at = data.get("at", False)
    if not isinstance(at, bool):
        raise BadInput('"at" must be true or false (does the message @-mention the bot?)')
    name = data.get("user_name")
    if name is not None and not isinstance(name, str):
        raise BadInput('"user_name" must be a string or null')
    return limits.checked(InboundMessage(
        platform=PLATFORM, msg_id=limits.check_id("msg_id", data.get("msg_id")),
        user_id=limits.check_id("user_id", data.get("user_id")), text=text,
        chat_id=limits.optional_id("chat_id", data.get("chat_id")), user_name=name or None,
        mentions_bot=at, kind=kind, media=media,
    ))


async def _pictures(message: OutboundMessage) -> list[dict[str, str]]:
    """The message's pictures as the gateway takes them (base64 JPEG/PNG; other files stay out)."""
    out = []
    for name in message.files:
        if not is_image(name):
            continue
        data = await read_attachment(name)
        if data is not None:
            out.append({"data_base64": base64.b64encode(data).decode("ascii"),
                        "mime": mimetypes.guess_type(name)[0] or "image/jpeg", "name": Path(name).name})
    return out


class BridgeChannel:
    platform = PLATFORM

    def __init__(
        self, secret: str, outbound_url: str, intake: Intake | None, *, http: HttpClient | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.secret, self.outbound_url, self.intake = secret, outbound_url, intake
        self.http, self.now = http or HttpClient(), now

    def add_routes(self, app: web.Application, path: str = "/bridge/messages") -> None:
        app.router.add_post(path, self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        try:
            body = await read_limited(request, MAX_MEDIA_BODY)
        except web.HTTPRequestEntityTooLarge as exc:  # the contract answers in JSON, this too
            return web.json_response({"ok": False, "error": exc.text}, status=413)
        reason = verify(self.secret, body, request.headers.get(SIGNATURE_HEADER),
                        request.headers.get(TIMESTAMP_HEADER), self.now())
        if reason is not None:
            log.warning("bridge message rejected (403) from %s: %s", request.remote, reason)
            return web.json_response({"ok": False, "error": reason}, status=403)
        try:
            message = parse_message(body)
        except ValueError as exc:
            log.warning("bridge message rejected (400): %s", exc)
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        if self.intake is None:
            return web.json_response({"ok": False, "error": "bridge not ready"}, status=503)
        inbound_id = await self.intake.accept(message)
        return web.json_response({"ok": True, "duplicate": inbound_id is None})

    async def fetch_media(self, ref: MediaRef, max_bytes: int) -> bytes:
        """A picture the gateway gave as a URL (`media.url`)."""
        return await download(self.http, ref.ref, max_bytes)

    async def send(self, message: OutboundMessage) -> None:
        if not self.outbound_url:
            raise TransportError("[bridge] outbound_url is not set", retryable=False)
        payload: dict[str, Any] = {"id": message.id, "chat_id": message.chat_id, "user_id": message.user_id,
                                   "kind": message.kind, "text": message.text, "ticket": message.ticket}
        pictures = await _pictures(message) if message.chat_id is None else []  # never into a group
        if pictures:
            payload["media"] = pictures[0]
            if len(pictures) > 1:
                payload["media_list"] = pictures
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            async with self.http.session.post(self.outbound_url, data=body,
                                              headers=signed_headers(self.secret, body, self.now())) as resp:
                if resp.status < 300:
                    return
                retryable = resp.status >= 500 or resp.status in (408, 425, 429)
                raise TransportError(f"gateway answered HTTP {resp.status}", retryable=retryable)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransportError(f"gateway unreachable: {type(exc).__name__} {exc}".strip()) from None
