"""A fake WeCom / 公众号 API server on aiohttp, speaking the real JSON, with error injection.

    fake = FakeWeCom(); await fake.start(); fake.url  # base URL for the clients
    fake.inject("/cgi-bin/message/send", 42001, 500, ("slow", 2.0), 45009)

Each injected action answers one request to that path, in order: an errcode (JSON with that
errcode), an HTTP status >= 500, or ("slow", seconds) to stall before answering normally.
`fake.expire_tokens()` makes every issued token answer 42001, as WeCom does when it revokes early.
WeCom's rate limits are kept on `fake.monotonic` (injectable): `message/send` to one member more
than 30 times in 60 s answers 45033, a webhook robot key more than 20 times in 60 s answers 45009.
Every request is kept in `fake.requests` as (path, query dict, JSON body or None, headers).
`/cgi-bin/media/upload` (WeCom and 公众号 alike) keeps the multipart part's description as the body
(`{"name", "filename", "filelength", "content_type", "size"}`) and its bytes as `raw`; each upload
that succeeded is in `fake.uploads` (media_id → Upload)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.multipart import parse_content_disposition
from aiohttp.test_utils import TestServer

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
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None
    monotonic: Callable[[], float] = time.monotonic
    per_member: int = 30  # message/send to one member per 60 s (then 45033)
    per_robot: int = 20  # webhook/send per key per 60 s (then 45009)
    refused: list[Seen] = field(default_factory=list)  # requests answered with a rate-limit errcode
    _windows: dict[str, deque[float]] = field(default_factory=dict)
    _stable: str | None = None

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
        app.router.add_post("/cgi-bin/media/upload", self._media_upload)
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
        if request.query.get("corpid") != self.corp_id or request.query.get("corpsecret") != self.secret:
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


_ERRMSG = {
    42001: "access_token expired",
    40014: "invalid access_token",
    45009: "api freq out of limit",
    45015: "response out of time limit or subscription is canceled",
    45033: "api concurrent out of limit",
    45047: "out of response count limit",
    -1: "system error",
}
