"""微信客服 (WeCom customer service) at GET/POST /wecom/kf/callback: residents on personal WeChat
open the community's KF link (or its QR code) and talk to the bot 1:1.

The callback (encrypted like the app's, receive id = the corp id) carries no message, only the
event `kf_msg_or_event` with a `Token` valid 10 minutes; it is answered at once and the messages
are read in the background with `kf/sync_msg` (cursor, token, limit ≤ 1000) until `has_more` is 0.
The cursor is stored only after the messages before it are in the inbound log, whose unique
(platform, msgid) drops a message read twice; one process reads at a time (a lease in the
database, see `storage.kf_store`), and a callback arriving while another reads makes that reader
read again before letting go. At start-up the bot reads on from its stored cursor (messages that
came while it was down), and after a failed read it tries again later.

Customers' messages (origin 3) become private InboundMessages; `enter_session` remembers the scene
of the link they came by (which the roster binds to a community: `chats`, platform wecom_kf, chat_id
= the scene) and is answered with the welcome through `kf/send_msg_on_event` (its `welcome_code` is
valid 20 s, once); `msg_send_fail` marks the outbox message it names failed, for admins;
`user_recall_msg` becomes a recall message (kind recall, handled by bot.services.recall in the
resident's order); `session_status_change` records which staff member holds the conversation.

Replies go out with `kf/send_msg` only within WeChat's window: 48 hours after the customer's last
message, at most 5 messages (every text piece and file is one), kept by the same
`CustomerServiceWindow` as the 公众号's (the customer's last message in the inbound log, each send
recorded; when WeChat says the 5 are used up, 95001, the window counts as full). Outside it, or
when WeChat refuses for a reason retrying cannot fix (95001, 95002, 95018, …; see `SEND_ERRORS`),
the outbox message fails with a note that says what was not sent and why."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from bot.events import InboundMessage, MediaRef, MessageKind, OutboundMessage
from bot.services.passive import CustomerServiceWindow
from bot.transport import limits
from bot.transport.base import MediaError, TransportError
from bot.transport.intake import Intake
from bot.transport.wecom_api import MEDIA_LIMITS, Sleep, WeComApi, WeComApiError
from bot.transport.wecom_app import (
    SendProgress,
    is_image,
    read_attachment,
    read_sealed_xml,
    reject,
    split_utf8,
    verify_echo,
)
from bot.transport.wecom_crypto import CryptoError, WeComCrypto
from bot.transport.xml import XmlError

log = logging.getLogger(__name__)

PLATFORM = "wecom_kf"
SYNC_PATH = "/cgi-bin/kf/sync_msg"
SEND_PATH = "/cgi-bin/kf/send_msg"
ON_EVENT_PATH = "/cgi-bin/kf/send_msg_on_event"
LINK_PATH = "/cgi-bin/kf/add_contact_way"
SYNC_LIMIT = 1000  # the most sync_msg returns at once (also its default)
TEXT_LIMIT = 2048  # bytes of a text message
WELCOME_VALID = timedelta(seconds=20)  # a welcome_code is good this long, once
RETRY_DELAY = 30.0  # seconds before reading again after a failed read
SCENE = re.compile(r"[0-9A-Za-z_-]{1,32}")  # what add_contact_way accepts as a scene
ORIGIN_CUSTOMER, ORIGIN_EVENT = 3, 4  # 5: a servicer writing from the WeCom client (not for the bot)
INVALID_SYNC_TOKEN = 95007  # "invalid msg token": expired or not this account's (wxkefu-rs src/errors.rs)

# kf/send_msg refusals that retrying cannot fix, as admins should read them. Meanings checked against
# the 微信客服 error table as SDKs carry it (ooiai/wxkefu-rs src/errors.rs; silenceper/wechat
# work/kf/error.go for 48002, 95000, 95004, 95017) and developers' reports of the errmsg (95018 "send
# msg session status invalid": langbot-app/LangBot#1547, whyiyhw/chatgpt-wechat#128; 40096:
# w7corp/easywechat#2621; 60020 "not allow to access from your ip": mostlittlebee/chatgpt-on-wecom#9).
SEND_ERRORS = {
    95000: "the open_kfid is not valid: check [wecom_kf] open_kfid",
    95001: "WeChat's limit of 5 messages after the resident's last message is used up",
    95002: "WeChat's 48-hour reply window after the resident's last message has closed",
    95004: "the open_kfid does not exist: check [wecom_kf] open_kfid",
    95017: "the organisation's 微信客服 API switch is off (管理后台 → 微信客服 → API)",
    95018: ("the conversation is not with the bot (a staff member took it over in 微信客服, it waits in "
            "the queue, or it has ended)"),
    95024: "the resident has not written in the last 48 hours (a menu click does not count)",
    40096: "WeChat does not know this customer (external_userid)",
    48002: ("the API may not send for this account: hand 微信客服 over to the API (管理后台 → 微信客服 → API) and "
            "use the 微信客服 secret"),
    60020: "this server's IP is not among WeCom's trusted IPs (企业可信IP)",
}
# msg_send_fail's fail_type, as the event's documentation lists them (silenceper/wechat
# work/kf/syncmsg/message.go for 0-10; 11-13 from SDKs that copied the newer table).
FAIL_TYPES = {
    0: "unknown reason", 1: "KF account deleted", 2: "application closed", 4: "48-hour window closed",
    5: "conversation closed", 6: "more than 5 messages", 7: "no 视频号 bound", 8: "organisation not verified",
    9: "no 视频号 bound and organisation not verified", 10: "the resident refuses messages",
    11: "no member of the organisation has logged in to the WeCom app",
    12: "a message type 微信客服 does not allow", 13: "WeChat's security restrictions",
}
_KINDS = {"image": MessageKind.image, "voice": MessageKind.voice, "video": MessageKind.video,
          "file": MessageKind.file, "location": MessageKind.location, "link": MessageKind.link}
_OUR_MSGID = re.compile(r"gb(\d+)[tf][0-9a-f]{8}")


class Claim(Protocol):
    """The right to read the cursor: where to go on from, and the freshest callback token."""

    @property
    def cursor(self) -> str | None: ...
    @property
    def token(self) -> str | None: ...


class KfState(Protocol):
    """What the channel keeps in the database (implemented by bot.services.kf.KfLedger)."""

    async def claim(self, open_kfid: str, holder: str, token: str | None) -> Claim | None: ...
    async def advance(self, open_kfid: str, holder: str, cursor: str) -> bool: ...
    async def release(self, open_kfid: str, holder: str) -> Claim | None: ...
    async def drop(self, open_kfid: str, holder: str) -> None: ...
    async def has_cursor(self, open_kfid: str) -> bool: ...
    async def entered(self, open_kfid: str, external_userid: str, scene: str | None, msgid: str,
                      at: datetime) -> bool: ...
    async def undelivered(self, outbox_id: int, note: str) -> bool: ...
    async def servicer(self, open_kfid: str, external_userid: str, servicer: str | None, at: datetime) -> None: ...


class WindowClosed(TransportError):
    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


def valid_scene(scene: str) -> bool:
    return SCENE.fullmatch(scene) is not None


def _clean(text: str) -> str:
    """JSON may carry lone surrogates no database stores: replaced, so one odd message can never
    stop the cursor."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _msg_id(msgid: str) -> str:
    return msgid if len(msgid) <= 128 else "h:" + hashlib.sha256(msgid.encode()).hexdigest()


def _sent_at(item: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(item.get("send_time") or 0), UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.fromtimestamp(0, UTC)


def inbound_from_kf(item: dict[str, Any]) -> InboundMessage | None:
    """One `msg_list` entry from a customer → InboundMessage (private); None for what is not one."""
    msgid, user = str(item.get("msgid") or ""), str(item.get("external_userid") or "")
    if not msgid or not user or item.get("origin") != ORIGIN_CUSTOMER:
        return None
    msgtype = str(item.get("msgtype") or "")
    if msgtype == "text":
        body = item.get("text")
        content = body.get("content") if isinstance(body, dict) else None
        text = _clean(str(content or "")).strip()
        if not text:
            return None
        return InboundMessage(platform=PLATFORM, msg_id=_msg_id(msgid), user_id=_clean(user), text=text)
    # A picture is fetched by its media_id when handled (bot.services.photos); voice, files, places,
    # links, mini programs, cards …: words only are read, so these get the hint to use a sentence.
    kind = _KINDS.get(msgtype, MessageKind.link)
    body = item.get("image") if msgtype == "image" else None
    media_id = str(body.get("media_id") or "") if isinstance(body, dict) else ""
    media = MediaRef(PLATFORM, media_id) if media_id else None
    return InboundMessage(platform=PLATFORM, msg_id=_msg_id(msgid), user_id=_clean(user), text="", kind=kind,
                          media=media)


def recall_from_kf(item: dict[str, Any]) -> InboundMessage | None:
    """A `user_recall_msg` event → a recall message (kind recall, `text` = the recalled msgid, as
    the inbound log keys it); None for any other entry."""
    event = item.get("event")
    if not isinstance(event, dict) or event.get("event_type") != "user_recall_msg":
        return None
    msgid, user = str(item.get("msgid") or ""), str(event.get("external_userid") or "")
    recalled = str(event.get("recall_msgid") or "")
    if not msgid or not user or not recalled:
        return None
    return InboundMessage(platform=PLATFORM, msg_id=_msg_id(msgid), user_id=_clean(user), text=_msg_id(recalled),
                          kind=MessageKind.recall)


def our_msgid(message: OutboundMessage, part: str) -> str | None:
    """The msgid we give a part of an outbox message (≤ 32 bytes of [0-9a-zA-Z_-]): a
    `msg_send_fail` naming it leads back to the outbox row."""
    if message.id is None:
        return None
    return f"gb{message.id}{part[0]}{hashlib.sha1(part.encode()).hexdigest()[:8]}"


class WeComKfChannel:
    """Callback routes, the sync reader and the transport of one 微信客服 account."""

    platform = PLATFORM

    def __init__(
        self,
        crypto: WeComCrypto,
        intake: Intake | None,
        api: WeComApi | None,
        state: KfState,
        open_kfid: str,
        *,
        window: CustomerServiceWindow,
        now: Callable[[], datetime],
        welcome: Callable[[], str] = lambda: "",
        holder: str,
        retry_delay: float = RETRY_DELAY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.crypto, self.intake, self.api, self.state, self.window = crypto, intake, api, state, window
        self.open_kfid, self.now, self.welcome = open_kfid, now, welcome
        self.holder = holder  # this process as the cursor's reader (its lease holder)
        self.retry_delay, self.sleep = retry_delay, sleep
        self.progress = SendProgress()
        self._reader: asyncio.Task[None] | None = None
        self._retry: asyncio.Task[None] | None = None
        self._again: str | bool | None = False  # a callback came while reading (its token, or None)

    def add_routes(self, app: web.Application, path: str = "/wecom/kf/callback") -> None:
        app.router.add_get(path, self.verify_url)
        app.router.add_post(path, self.callback)

    # ---------------------------------------------------------------- inbound

    async def verify_url(self, request: web.Request) -> web.Response:
        return await verify_echo(self.crypto, request, PLATFORM)

    async def callback(self, request: web.Request) -> web.Response:
        try:
            event = await read_sealed_xml(self.crypto, request)
        except (CryptoError, XmlError) as exc:
            return reject(exc, PLATFORM, request)
        if event.get("MsgType") == "event" and event.get("Event") == "kf_msg_or_event":
            kfid = event.get("OpenKfId") or self.open_kfid
            if kfid != self.open_kfid:
                log.warning("wecom_kf: news for KF account %s ignored (the bot answers for %s)", kfid, self.open_kfid)
            else:
                self.kick(event.get("Token") or None)
        return web.Response(text="")  # received; the messages are read with sync_msg

    def kick(self, token: str | None) -> None:
        """Read what is new (in the background). While this process is reading already, the
        reader reads once more before it stops, with this token."""
        if self._reader is not None and not self._reader.done():
            self._again = token
            return
        self._again = False
        self._reader = asyncio.create_task(self.sync(token), name="wecom-kf-sync")
        self._reader.add_done_callback(self._read_again)

    def _read_again(self, task: asyncio.Task[None]) -> None:
        """A callback that came as the reader was letting go is not lost: read once more."""
        if not task.cancelled() and self._again is not False:
            token = self._again if isinstance(self._again, str) else None
            self.kick(token)

    async def start(self) -> None:
        """At start-up: read on from the stored cursor (what came while the bot was down). The
        first read ever waits for a callback (without a cursor WeChat returns 3 days of history)."""
        try:
            if await self.state.has_cursor(self.open_kfid):
                self.kick(None)
        except Exception:
            log.exception("wecom_kf: catching up at start-up failed; the next callback reads on")

    async def stop(self) -> None:
        for task in (self._retry, self._reader):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def drain(self) -> None:
        """Wait for the reader and a pending retry (tests)."""
        while any(t is not None and not t.done() for t in (self._reader, self._retry)):
            await asyncio.gather(*(t for t in (self._reader, self._retry) if t is not None), return_exceptions=True)

    async def sync(self, token: str | None) -> None:
        """Read every page from the stored cursor to the end, recording its messages; repeat while
        callbacks came meanwhile. Never raises: a failure is logged and retried later."""
        if self.api is None:
            log.warning("wecom_kf: [wecom_kf] secret missing: messages cannot be read")
            return
        try:
            claim = await self.state.claim(self.open_kfid, self.holder, token)
        except Exception:
            log.exception("wecom_kf: the cursor could not be taken; retrying later")
            self._retry_later()
            return
        if claim is None:
            return  # another process reads, and reads again for this callback
        cursor, token = claim.cursor, claim.token or token
        try:
            while True:
                page, token = await self._page(cursor, token)
                await self._take(page.get("msg_list") or [])
                next_cursor = str(page.get("next_cursor") or "") or cursor
                if next_cursor and next_cursor != cursor:
                    if not await self.state.advance(self.open_kfid, self.holder, next_cursor):
                        log.warning("wecom_kf: reader lease lost; another process reads on")
                        return
                    cursor = next_cursor
                if int(page.get("has_more") or 0):
                    continue
                if self._again is not False:
                    token = self._again if isinstance(self._again, str) else token
                    self._again = False
                    continue
                again = await self.state.release(self.open_kfid, self.holder)
                if again is None:
                    return
                cursor, token = again.cursor, again.token or token
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.state.drop(self.open_kfid, self.holder))
            raise
        except Exception as exc:
            log.warning("wecom_kf: reading messages failed (%s); retrying in %.0f s", exc, self.retry_delay,
                        exc_info=not isinstance(exc, TransportError))
            with contextlib.suppress(Exception):
                await self.state.drop(self.open_kfid, self.holder)
            self._retry_later()

    def _retry_later(self) -> None:
        if self._retry is not None and not self._retry.done():
            return

        async def later() -> None:
            await self.sleep(self.retry_delay)
            self.kick(None)

        self._retry = asyncio.create_task(later(), name="wecom-kf-retry")

    async def _page(self, cursor: str | None, token: str | None) -> tuple[dict[str, Any], str | None]:
        """One sync_msg call; a token WeChat no longer takes (95007) is dropped and the call made
        without (a stricter rate limit, but nothing is left unread)."""
        assert self.api is not None
        body: dict[str, Any] = {"limit": SYNC_LIMIT, "voice_format": 0, "open_kfid": self.open_kfid}
        if cursor:
            body["cursor"] = cursor
        if token:
            body["token"] = token
        try:
            return await self.api.post(SYNC_PATH, body), token
        except WeComApiError as exc:
            if exc.errcode != INVALID_SYNC_TOKEN or not token:
                raise
            log.info("wecom_kf: sync token refused (95007); reading without it")
            body.pop("token")
            return await self.api.post(SYNC_PATH, body), None

    async def _take(self, items: list[Any]) -> None:
        """Record one page: events first (an entry's scene must be known before the messages after
        it are handled), then the customers' messages and recalls in their order (a recall is
        handled after the message it takes back), all committed before the cursor moves."""
        assert self.intake is not None
        messages: list[InboundMessage] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            if item.get("msgtype") == "event":
                message = recall_from_kf(item)
                if message is None:
                    await self._event(item)
                    continue
            else:
                message = inbound_from_kf(item)
            if message is None or (message := self._fit(message)) is None:
                continue
            messages.append(message)
        if messages:
            await asyncio.gather(*(self.intake.accept(m) for m in messages))

    @staticmethod
    def _fit(message: InboundMessage) -> InboundMessage | None:
        """The message as the inbound log takes it (bot.transport.limits), text cut to its limit;
        None, logged, for one that can never be stored (an id WeChat should not send): a pulled
        page cannot be refused, and one bad message must not stop the cursor for everyone."""
        if len(message.text) > limits.MAX_TEXT:
            message = replace(message, text=message.text[:limits.MAX_TEXT])
        try:
            return limits.checked(message)
        except limits.BadInput as exc:
            log.warning("wecom_kf: message %r skipped: %s", message.msg_id[:40], exc)
            return None

    async def _event(self, item: dict[str, Any]) -> None:
        event = item.get("event")
        if not isinstance(event, dict):
            return
        kind = event.get("event_type")
        user = str(event.get("external_userid") or "")
        if kind == "enter_session" and user:
            scene = str(event.get("scene") or "")
            if scene and not valid_scene(scene):
                log.warning("wecom_kf: entry with an unusable scene ignored")
                scene = ""
            msgid = _msg_id(str(item.get("msgid") or f"enter:{user}:{item.get('send_time')}"))
            at = _sent_at(item)
            if await self.state.entered(self.open_kfid, user, scene or None, msgid, at):
                await self._welcome(str(event.get("welcome_code") or ""), at)
        elif kind == "msg_send_fail":
            await self._send_failed(event)
        elif kind == "session_status_change" and user:
            # change_type 1: taken from the queue, 2: transferred, 3: ended (silenceper/wechat
            # work/kf/syncmsg/message.go); new_servicer_userid holds it, none once it ended
            servicer = str(event.get("new_servicer_userid") or "") or None
            await self.state.servicer(self.open_kfid, user, servicer, _sent_at(item))
            log.info("wecom_kf: conversation of %s now with %s (change_type %s)", user, servicer or "the bot",
                     event.get("change_type"))
        elif kind == "servicer_status_change":  # a staff member starts or stops receiving: no customer
            log.info("wecom_kf: servicer %s status %s (stop_type %s)", event.get("servicer_userid"),
                     event.get("status"), event.get("stop_type"))
        else:
            log.info("wecom_kf: event %s not acted on", kind)

    async def _welcome(self, code: str, at: datetime) -> None:
        text = self.welcome()
        if not code or not text:
            return
        if self.now() - at > WELCOME_VALID:  # read late (catching up): the code has expired
            log.info("wecom_kf: welcome skipped, the entry is %s old", self.now() - at)
            return
        assert self.api is not None
        try:
            await self.api.post(ON_EVENT_PATH, {"code": code, "msgtype": "text", "text": {"content": text}})
        except TransportError as exc:
            log.info("wecom_kf: welcome not sent: %s", exc)

    async def _send_failed(self, event: dict[str, Any]) -> None:
        fail_msgid = str(event.get("fail_msgid") or "")
        fail_type = event.get("fail_type")
        reason = FAIL_TYPES.get(fail_type, f"fail_type {fail_type}") if isinstance(fail_type, int) else "unknown"
        match = _OUR_MSGID.fullmatch(fail_msgid)
        if match is None:  # a welcome, or a message staff sent: nothing of the outbox to mark
            log.warning("wecom_kf: message %s to %s not delivered (%s)", fail_msgid[:40] or "?",
                        event.get("external_userid", "?"), reason)
            return
        note = (f"微信客服 reported a message not delivered to {event.get('external_userid', '?')}: {reason} "
                f"(fail_type {fail_type})")
        if await self.state.undelivered(int(match.group(1)), note):
            log.warning("wecom_kf: outbox %s not delivered (%s)", match.group(1), reason)

    # ---------------------------------------------------------------- outbound

    async def fetch_media(self, ref: MediaRef, max_bytes: int) -> bytes:
        """A customer's picture by its media_id (media/get with the 微信客服 secret's token)."""
        if self.api is None:
            raise MediaError("unavailable", "[wecom_kf] secret is needed to fetch pictures")
        return (await self.api.get_media(ref.ref, max_bytes))[0]

    async def send(self, message: OutboundMessage) -> None:
        """The text (pieces of 2048 bytes), then each file, each one kf/send_msg and one of the
        window's 5 messages. Parts already sent are not sent again on a retry (`SendProgress`)."""
        if self.api is None:
            raise TransportError("[wecom_kf] secret is needed to send", retryable=False)
        user = message.user_id
        if not user or message.chat_id:
            raise TransportError("微信客服 messages go to one customer (user_id), never to a chat", retryable=False)

        async def text(piece: str) -> None:
            await self._deliver(message, f"t{piece}", {"msgtype": "text", "text": {"content": piece}})

        async def file(name: str) -> None:
            await self._send_file(message, name)

        refused = await self.progress.send(message, split_utf8(message.text, TEXT_LIMIT), text, file)
        if refused:
            raise TransportError(f"text sent; not sent: {'; '.join(refused)}", retryable=False)

    async def _send_file(self, message: OutboundMessage, name: str) -> None:
        assert self.api is not None
        data = await read_attachment(name)
        if data is None:
            return
        kind = "image" if is_image(name) and len(data) <= MEDIA_LIMITS["image"] else "file"
        await self._check_window(message)  # before uploading: a closed window needs no upload
        media_id = await self.api.upload_media(kind, Path(name).name, data)
        await self._deliver(message, f"f{name}", {"msgtype": kind, kind: {"media_id": media_id}})

    async def _deliver(self, message: OutboundMessage, part: str, body: dict[str, Any]) -> None:
        assert self.api is not None
        assert message.user_id
        await self._check_window(message)
        payload: dict[str, Any] = {"touser": message.user_id, "open_kfid": self.open_kfid, **body}
        msgid = our_msgid(message, part)
        if msgid:
            payload["msgid"] = msgid
        try:
            await self.api.post(SEND_PATH, payload)
        except WeComApiError as exc:
            if exc.errcode == 95001:
                await self.window.used_up(message.user_id)
            if exc.errcode in SEND_ERRORS:
                raise WindowClosed(self._not_sent(message, f"{SEND_ERRORS[exc.errcode]} ({exc.errcode})")) from None
            raise
        await self.window.spent(message.user_id, message.id)

    async def _check_window(self, message: OutboundMessage) -> None:
        assert message.user_id
        window = await self.window.of(message.user_id)
        if window.opened_at is None or window.closes_at is None:
            raise WindowClosed(self._not_sent(message, "the resident has not written to 微信客服 yet"))
        if self.now() > window.closes_at:
            last = f"{window.opened_at:%Y-%m-%d %H:%M} UTC"
            raise WindowClosed(self._not_sent(message, f"WeChat's 48-hour reply window closed (last message {last})"))
        if window.left == 0:
            raise WindowClosed(self._not_sent(
                message, f"{window.quota} messages already sent since the resident's last message"))

    @staticmethod
    def _not_sent(message: OutboundMessage, why: str) -> str:
        what = f"{message.kind}" + (f" about {message.ticket}" if message.ticket else "")
        return (f"微信客服 {what} to {message.user_id} not sent: {why}; it reaches them when they write "
                "again, else follow up by phone or in person")


async def contact_link(api: WeComApi, open_kfid: str, scene: str) -> str:
    """The link to share for `scene` (`kf/add_contact_way`): opening it in WeChat starts a
    conversation whose `enter_session` carries the scene. ValueError for a scene WeChat refuses."""
    if not valid_scene(scene):
        raise ValueError(f"scene {scene!r}: 1-32 characters of 0-9, a-z, A-Z, _ and -")
    answer = await api.post(LINK_PATH, {"open_kfid": open_kfid, "scene": scene})
    url = str(answer.get("url") or "")
    if not url:
        raise WeComApiError(f"{LINK_PATH}: answer without url", retryable=False)
    return url
