"""A fake WeCom / 公众号 API server on aiohttp, speaking the real JSON, with error injection.

    fake = FakeWeCom(); await fake.start(); fake.url  # base URL for the clients
    fake.inject("/cgi-bin/message/send", 42001, 500, ("slow", 2.0), 45009)

Each injected action answers one request to that path, in order: an errcode (JSON with that
errcode), an HTTP status >= 500, or ("slow", seconds) to stall before answering normally.
`fake.expire_tokens()` makes every issued token answer 42001, as WeCom does when it revokes early.
Every request is kept in `fake.requests` as (path, query dict, JSON body or None, headers)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

Action = int | tuple[str, float]


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    raw: bytes = b""


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
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None

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
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_get("/cgi-bin/token", self._mp_token)
        for path in ("/cgi-bin/message/send", "/cgi-bin/appchat/send", "/cgi-bin/message/custom/send"):
            app.router.add_post(path, self._api)
        app.router.add_post("/cgi-bin/webhook/send", self._webhook)
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

    async def _api(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        token = seen.query.get("access_token", "")
        if token in self.expired_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if token not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        if not isinstance(seen.body, dict) or "msgtype" not in seen.body:
            return web.json_response({"errcode": 40008, "errmsg": "invalid message type"})
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if request.path == "/cgi-bin/message/send":
            answer |= {"invaliduser": "", "msgid": f"msg{next(self._seq)}"}
        return web.json_response(answer)

    async def _webhook(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        if (injected := await self._injected(request.path)) is not None:
            return injected
        if not seen.query.get("key", "").startswith("key-"):
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
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
    45047: "out of response count limit",
    -1: "system error",
}
