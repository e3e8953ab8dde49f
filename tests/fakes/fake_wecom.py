"""A fake WeCom / 公众号 API server on aiohttp, speaking the real JSON, with error injection.

    fake = FakeWeCom(); await fake.start(); fake.url  # base URL for the clients
    fake.inject("/cgi-bin/message/send", 42001, 500, ("slow", 2.0), 45009)

Each injected action answers one request to that path, in order: an errcode (JSON with that
errcode), an HTTP status >= 500, or ("slow", seconds) to stall before answering normally.
`fake.expire_tokens()` makes every issued token answer 42001, as WeCom does when it revokes early.
WeCom's rate limits are kept on `fake.monotonic` (injectable): `message/send` to one member more
than 30 times in 60 s answers 45033, a webhook robot key more than 20 times in 60 s answers 45009.
Every request is kept in `fake.requests` as (path, query dict, JSON body or None, headers).
微信客服 (`/cgi-bin/kf/…`) keeps its own message log, fed by `kf_customer_writes` and
`kf_customer_enters`: `sync_msg` pages through it by cursor (`kf_page_size` caps a page, as WeChat
may return fewer than asked), takes a callback token from `kf_callback_token()` (10 minutes; a
bad one is 95007), counts calls without one; `send_msg` applies WeChat's rules on `kf_now()`: 48 h
after the customer's last message, 5 messages, 95018 for a conversation a servicer took
(`kf_human`); `send_msg_on_event` takes each welcome_code once within 20 s.
`/cgi-bin/media/upload` (WeCom and 公众号 alike) keeps the multipart part's description as the body
(`{"name", "filename", "filelength", "content_type", "size"}`) and its bytes as `raw`; each upload
that succeeded is in `fake.uploads` (media_id → Upload). `/cgi-bin/media/get` serves what a member
or follower sent (`fake.member_sends(data, filename)` gives its MediaId) and what was uploaded,
with WeCom's headers (Content-Type, Content-Disposition with the file name, Content-Length); an
unknown or expired (`fake.expire_media`) media_id answers 40007 as JSON. `/robot/media/{id}` serves
a smart robot's picture as WeCom does: the bytes AES-256-CBC encrypted under the message's aeskey
(`fake.robot_picture(data)` gives its URL and aeskey)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.multipart import parse_content_disposition
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

Action = int | tuple[str, float]


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    raw: bytes = b""
    at: float = field(default_factory=time.monotonic)  # when it arrived (benches measure latency)


@dataclass
class Upload:
    type: str
    filename: str
    data: bytes
    media_id: str


MEDIA_TYPES = {"image", "voice", "video", "file", "thumb"}


@dataclass
class FakeWeCom:
    corp_id: str = "wwcorp"
    secret: str = "s3cret"
    app_id: str = "wxappid"
    app_secret: str = "mpsecret"
    requests: list[Seen] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    injected: dict[str, list[Action]] = field(default_factory=dict)
    gateway_status: list[int] = field(default_factory=list)  # answers of the bridge gateway endpoint
    uploads: dict[str, Upload] = field(default_factory=dict)
    login_codes: dict[str, str] = field(default_factory=dict)  # OAuth code -> userid (one use each)
    kf_secret: str = "kfsecret"
    open_kfid: str = "wkFAKEkf0001"
    kf_log: list[dict[str, Any]] = field(default_factory=list)  # what sync_msg reads, oldest first
    kf_page_size: int = 1000
    kf_tokens: dict[str, float] = field(default_factory=dict)  # callback token → issued at (kf_now)
    kf_tokenless_calls: int = 0
    kf_sent: list[dict[str, Any]] = field(default_factory=list)  # send_msg bodies WeChat accepted
    kf_welcomed: list[dict[str, Any]] = field(default_factory=list)  # send_msg_on_event bodies accepted
    kf_welcome_codes: dict[str, tuple[float, bool]] = field(default_factory=dict)  # code → (issued, used)
    kf_human: set[str] = field(default_factory=set)  # customers a servicer has taken over
    kf_now: Any = time.time
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None
    monotonic: Callable[[], float] = time.monotonic
    per_member: int = 30  # message/send to one member per 60 s (then 45033)
    per_robot: int = 20  # webhook/send per key per 60 s (then 45009)
    refused: list[Seen] = field(default_factory=list)  # requests answered with a rate-limit errcode
    _windows: dict[str, deque[float]] = field(default_factory=dict)
    _stable: str | None = None
    sent_media: dict[str, Upload] = field(default_factory=dict)  # what members sent: MediaId → file
    robot_media: dict[str, bytes] = field(default_factory=dict)  # robot picture id → encrypted bytes

    def _over(self, key: str, limit: int) -> bool:
        """Count one call for `key`; True if it is over `limit` in the last 60 s (not counted then)."""
        now = self.monotonic()
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= limit:
            return True
        window.append(now)
        return False

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def inject(self, path: str, *actions: Action) -> None:
        self.injected.setdefault(path, []).extend(actions)

    def expire_tokens(self) -> None:
        self.expired_tokens |= self.valid_tokens
        self.valid_tokens.clear()

    def calls(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)  # media uploads go up to 20 MB
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_get("/cgi-bin/token", self._mp_token)
        app.router.add_post("/cgi-bin/stable_token", self._mp_stable_token)
        for path in ("/cgi-bin/message/send", "/cgi-bin/appchat/send", "/cgi-bin/message/custom/send"):
            app.router.add_post(path, self._api)
        app.router.add_post("/cgi-bin/webhook/send", self._webhook)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self._getuserinfo)
        app.router.add_post("/cgi-bin/kf/sync_msg", self._kf_sync)
        app.router.add_post("/cgi-bin/kf/send_msg", self._kf_send)
        app.router.add_post("/cgi-bin/kf/send_msg_on_event", self._kf_on_event)
        app.router.add_post("/cgi-bin/kf/add_contact_way", self._kf_link)
        app.router.add_post("/cgi-bin/media/upload", self._media_upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_get("/robot/media/{id}", self._robot_media)
        app.router.add_post("/robot/response/{id}", self._response_url)
        app.router.add_post("/gateway/outbound", self._gateway)
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    # ---------------------------------------------------------------- handlers

    async def _record(self, request: web.Request) -> Seen:
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = await request.json()
            except ValueError:
                body = None
        seen = Seen(request.path, dict(request.query), body, dict(request.headers), raw)
        self.requests.append(seen)
        return seen

    async def _injected(self, path: str) -> web.Response | None:
        actions = self.injected.get(path)
        if not actions:
            return None
        action = actions.pop(0)
        if isinstance(action, tuple):
            await asyncio.sleep(action[1])
            return None
        if 500 <= action < 600:
            return web.Response(status=action, text="upstream error")
        return web.json_response({"errcode": action, "errmsg": _ERRMSG.get(action, "injected error")})

    def _issue(self) -> str:
        token = f"token-{next(self._seq)}"
        self.valid_tokens.add(token)
        return token

    async def _gettoken(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if request.query.get("corpid") != self.corp_id or request.query.get("corpsecret") not in (
                self.secret, self.kf_secret):
            return web.json_response({"errcode": 40001, "errmsg": "invalid secret"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": self._issue(), "expires_in": 7200})

    async def _mp_token(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if request.query.get("appid") != self.app_id or request.query.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        return web.json_response({"access_token": self._issue(), "expires_in": 7200})

    async def _mp_stable_token(self, request: web.Request) -> web.Response:
        """公众号 stable_token: JSON body; the same token until it expires unless force_refresh.
        Unlike /cgi-bin/token it never revokes the tokens other systems hold."""
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        body = seen.body if isinstance(seen.body, dict) else {}
        if body.get("grant_type") != "client_credential":
            return web.json_response({"errcode": 40002, "errmsg": "invalid grant_type"})
        if body.get("appid") != self.app_id or body.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        current = self._stable if self._stable in self.valid_tokens else None
        if current is None or body.get("force_refresh"):
            current = self._stable = self._issue()
        return web.json_response({"access_token": current, "expires_in": 7200})

    async def _api(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if (refused := self._token_error(seen.query.get("access_token", ""))) is not None:
            return refused
        if not isinstance(seen.body, dict) or "msgtype" not in seen.body:
            return web.json_response({"errcode": 40008, "errmsg": "invalid message type"})
        msgtype = seen.body["msgtype"]
        if msgtype in ("image", "file", "voice", "video"):
            media = seen.body.get(msgtype)
            if not isinstance(media, dict) or media.get("media_id") not in self.uploads:
                return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        touser = seen.body.get("touser")
        if request.path == "/cgi-bin/message/send" and self._over(f"member:{touser}", self.per_member):
            self.refused.append(seen)
            return web.json_response({"errcode": 45033, "errmsg": _ERRMSG[45033]})
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if request.path == "/cgi-bin/message/send":
            answer |= {"invaliduser": "", "msgid": f"msg{next(self._seq)}"}
        return web.json_response(answer)

    def login_code(self, userid: str) -> str:
        """A code as WeCom hands the browser after the user scanned or authorised (web login)."""
        code = f"code-{next(self._seq)}"
        self.login_codes[code] = userid
        return code

    async def _getuserinfo(self, request: web.Request) -> web.Response:
        """OAuth2 `auth/getuserinfo`: a code is good once; a non-member's code gives an openid."""
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if (refused := self._token_error(seen.query.get("access_token", ""))) is not None:
            return refused
        userid = self.login_codes.pop(seen.query.get("code", ""), None)
        if userid is None:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        if userid.startswith("openid:"):
            return web.json_response({"errcode": 0, "errmsg": "ok", "openid": userid[7:]})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": userid, "user_ticket": "ticket"})

    def _token_error(self, token: str) -> web.Response | None:
        if token in self.expired_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if token not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        return None

    async def _media_upload(self, request: web.Request) -> web.Response:
        """Temporary media: a multipart body with one part `media` carrying a filename."""
        part_info: dict[str, Any] = {}
        data = b""
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                content = await part.read()
                if part.name == "media" and not part_info:
                    _, params = parse_content_disposition(part.headers.get("Content-Disposition"))
                    part_info = {"name": part.name, "filename": part.filename, "filelength": params.get("filelength"),
                                 "content_type": part.headers.get("Content-Type"), "size": len(content)}
                    data = bytes(content)
        else:
            await request.read()
        seen = Seen(request.path, dict(request.query), part_info or None, dict(request.headers), data)
        self.requests.append(seen)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if (refused := self._token_error(seen.query.get("access_token", ""))) is not None:
            return refused
        kind = seen.query.get("type", "")
        if kind not in MEDIA_TYPES:
            return web.json_response({"errcode": 40004, "errmsg": "invalid media type"})
        if not part_info or not part_info["filename"]:
            return web.json_response({"errcode": 41005, "errmsg": "media data missing"})
        if not data or (part_info["filelength"] is not None and part_info["filelength"] != str(len(data))):
            return web.json_response({"errcode": 40005, "errmsg": "invalid file size"})
        if len(data) < 5:  # WeCom's minimum for any media
            return web.json_response({"errcode": 40006, "errmsg": "invalid meida size"})
        media_id = f"media-{next(self._seq)}"
        self.uploads[media_id] = Upload(kind, part_info["filename"], data, media_id)
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id,
                                  "created_at": str(int(time.time()))})

    def member_sends(self, data: bytes, filename: str = "IMG_0001.jpg", kind: str = "image") -> str:
        """A picture (or file) a member sent the app: its MediaId, as the callback XML carries it."""
        media_id = f"1{next(self._seq):07d}QmJq_in"
        self.sent_media[media_id] = Upload(kind, filename, data, media_id)
        return media_id

    def expire_media(self, media_id: str) -> None:
        """Temporary media lives 3 days: afterwards media/get answers 40007."""
        self.sent_media.pop(media_id, None)
        self.uploads.pop(media_id, None)

    async def _media_get(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if (refused := self._token_error(seen.query.get("access_token", ""))) is not None:
            return refused
        media_id = seen.query.get("media_id", "")
        found = self.sent_media.get(media_id) or self.uploads.get(media_id)
        if found is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        kind = "image/jpeg" if found.filename.lower().endswith((".jpg", ".jpeg")) else (
            "image/png" if found.filename.lower().endswith(".png") else "application/octet-stream")
        return web.Response(body=found.data, headers={
            "Content-Type": kind, "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Cache-Control": "no-cache, must-revalidate", "Error-Code": "0", "Error-Msg": "ok"})

    def robot_picture(self, data: bytes) -> tuple[str, str]:
        """A picture a smart robot message points to: (its URL here, the message's aeskey). The
        bytes are PKCS#7-padded to 32 bytes and AES-256-CBC encrypted, IV = the key's first 16."""
        key = hashlib.sha256(f"robot-key-{next(self._seq)}".encode()).digest()
        pad = 32 - len(data) % 32
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        picture_id = f"pic{next(self._seq)}"
        self.robot_media[picture_id] = encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()
        return f"{self.url}/robot/media/{picture_id}", base64.b64encode(key).decode().rstrip("=")

    async def _robot_media(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (injected := await self._injected("/robot/media")) is not None:
            return injected
        data = self.robot_media.get(request.match_info["id"])
        if data is None:  # past its 5 minutes
            return web.Response(status=404, text="not found")
        return web.Response(body=data, headers={"Content-Type": "application/octet-stream"})

    async def _webhook(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if not seen.query.get("key", "").startswith("key-"):
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        if self._over(f"robot:{seen.query['key']}", self.per_robot):
            self.refused.append(seen)
            return web.json_response({"errcode": 45009, "errmsg": _ERRMSG[45009]})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _response_url(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (injected := await self._injected("/robot/response")) is not None:
            return injected
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _gateway(self, request: web.Request) -> web.Response:
        await self._record(request)
        status = self.gateway_status.pop(0) if self.gateway_status else 200
        return web.json_response({"ok": status < 400}, status=status)


    # ---------------------------------------------------------------- 微信客服

    def kf_callback_token(self) -> str:
        token = f"ENC{next(self._seq)}kf"
        self.kf_tokens[token] = self.kf_now()
        return token

    def _kf_item(self, user: str, msgtype: str, body: dict[str, Any], *, origin: int,
                 at: float | None, msgid: str | None = None) -> dict[str, Any]:
        item: dict[str, Any] = {"msgid": msgid or f"from_msgid_{next(self._seq)}"}
        if msgtype != "event":  # an event carries them inside `event` only (sync_msg's documentation)
            item |= {"open_kfid": self.open_kfid, "external_userid": user}
        item |= {"send_time": int(self.kf_now() if at is None else at), "origin": origin, "msgtype": msgtype,
                 msgtype: body}
        self.kf_log.append(item)
        return item

    def kf_customer_writes(self, user: str, text: str, *, at: float | None = None,
                           msgtype: str = "text", data: bytes | None = None) -> dict[str, Any]:
        """A customer's message; a picture's `data` is served by media/get under its media_id."""
        body = {"content": text} if msgtype == "text" else {"media_id": f"media-in-{next(self._seq)}"}
        if data is not None:
            self.sent_media[body["media_id"]] = Upload(msgtype, "kf.jpg", data, body["media_id"])
        return self._kf_item(user, msgtype, body, origin=3, at=at)

    def kf_customer_enters(self, user: str, scene: str = "", *, at: float | None = None) -> str:
        """An `enter_session` event; returns its welcome_code."""
        code = f"welcome-{next(self._seq)}"
        self.kf_welcome_codes[code] = (self.kf_now() if at is None else at, False)
        event = {"event_type": "enter_session", "open_kfid": self.open_kfid, "external_userid": user,
                 "scene": scene, "scene_param": "", "welcome_code": code}
        self._kf_item(user, "event", event, origin=4, at=at)
        return code

    def kf_event(self, user: str | None, event: dict[str, Any], *, at: float | None = None) -> dict[str, Any]:
        """An event as sync_msg returns it (`user` None for one about a servicer, not a customer)."""
        about = {"external_userid": user} if user else {}
        return self._kf_item(user or "", "event", {"open_kfid": self.open_kfid, **about, **event}, origin=4, at=at)

    async def _kf_common(self, request: web.Request) -> tuple[Seen, web.Response | None]:
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return seen, injected
        if (refused := self._token_error(seen.query.get("access_token", ""))) is not None:
            return seen, refused
        if not isinstance(seen.body, dict):
            return seen, web.json_response({"errcode": 47001, "errmsg": "data format error"})
        return seen, None

    async def _kf_sync(self, request: web.Request) -> web.Response:
        seen, early = await self._kf_common(request)
        if early is not None:
            return early
        body = seen.body
        if body.get("open_kfid", self.open_kfid) != self.open_kfid:
            return web.json_response({"errcode": 95000, "errmsg": "invalid open_kfid"})
        token = body.get("token")
        if token:
            issued = self.kf_tokens.get(token)
            if issued is None or self.kf_now() - issued > 600:
                return web.json_response({"errcode": 95007, "errmsg": "invalid msg token"})
        else:
            self.kf_tokenless_calls += 1
        cursor = body.get("cursor") or "c0"
        if not cursor.startswith("c") or not cursor[1:].isdigit():
            return web.json_response({"errcode": 40035, "errmsg": "invalid cursor"})
        start = int(cursor[1:])
        limit = min(int(body.get("limit") or 1000), 1000, self.kf_page_size)
        page = self.kf_log[start:start + limit]
        end = start + len(page)
        return web.json_response({"errcode": 0, "errmsg": "ok", "next_cursor": f"c{end}",
                                  "has_more": int(end < len(self.kf_log)), "msg_list": page})

    async def _kf_send(self, request: web.Request) -> web.Response:
        seen, early = await self._kf_common(request)
        if early is not None:
            return early
        body = seen.body
        if body.get("open_kfid") != self.open_kfid:
            return web.json_response({"errcode": 95000, "errmsg": "invalid open_kfid"})
        user = body.get("touser", "")
        written = [m["send_time"] for m in self.kf_log if m.get("external_userid") == user and m["origin"] == 3]
        if not written:
            return web.json_response({"errcode": 40096, "errmsg": "invalid external userid"})
        if user in self.kf_human:
            return web.json_response({"errcode": 95018, "errmsg": "send msg session status invalid"})
        last = max(written)
        if self.kf_now() - last > 48 * 3600:
            return web.json_response({"errcode": 95002, "errmsg": "send msg time limit"})
        since = [m for m in self.kf_sent if m["touser"] == user and m["_at"] >= last]
        if len(since) >= 5:
            return web.json_response({"errcode": 95001, "errmsg": "send msg count limit"})
        msgtype = body.get("msgtype")
        if msgtype in ("image", "file") and (body.get(msgtype) or {}).get("media_id") not in self.uploads:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        if msgtype == "text" and len(str((body.get("text") or {}).get("content", "")).encode()) > 2048:
            return web.json_response({"errcode": 45002, "errmsg": "content size out of limit"})
        self.kf_sent.append({**body, "_at": self.kf_now()})
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": body.get("msgid") or f"kf{next(self._seq)}"})

    async def _kf_on_event(self, request: web.Request) -> web.Response:
        seen, early = await self._kf_common(request)
        if early is not None:
            return early
        code = seen.body.get("code", "")
        issued = self.kf_welcome_codes.get(code)
        if issued is None or issued[1] or self.kf_now() - issued[0] > 20:
            # WeChat refuses a code used or older than 20 s. Which errcode it gives is documented nowhere
            # we could find (not in the 微信客服 error table SDKs copy): the bot must not depend on it.
            return web.json_response({"errcode": 40035, "errmsg": "invalid code"})
        self.kf_welcome_codes[code] = (issued[0], True)
        self.kf_welcomed.append(seen.body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": f"kf{next(self._seq)}"})

    async def _kf_link(self, request: web.Request) -> web.Response:
        seen, early = await self._kf_common(request)
        if early is not None:
            return early
        if seen.body.get("open_kfid") != self.open_kfid:
            return web.json_response({"errcode": 95000, "errmsg": "invalid open_kfid"})
        scene = str(seen.body.get("scene", ""))
        if len(scene.encode()) > 32 or any(not (c.isascii() and (c.isalnum() or c in "_-")) for c in scene):
            return web.json_response({"errcode": 40035, "errmsg": "invalid scene"})
        digest = hashlib.sha1(f"{self.open_kfid}|{scene}".encode()).hexdigest()[:12]
        return web.json_response({"errcode": 0, "errmsg": "ok",
                                  "url": f"https://work.weixin.qq.com/kf/kfc{digest}?enc_scene=ENC{digest[::-1]}"})


_ERRMSG = {
    42001: "access_token expired",
    40014: "invalid access_token",
    45009: "api freq out of limit",
    45015: "response out of time limit or subscription is canceled",
    45033: "api concurrent out of limit",
    45047: "out of response count limit",
    -1: "system error",
}
