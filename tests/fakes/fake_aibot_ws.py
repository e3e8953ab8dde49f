"""A fake of WeCom's 智能机器人 long-connection server (aiohttp, loopback), speaking the frames of
wecom.md §3.1: it checks the `aibot_subscribe` frame (bot id + secret), answers every command with
`{headers: {req_id}, errcode, errmsg}`, pushes `aibot_msg_callback` frames, records what the client
sends, can drop the connection and can answer errors.

    fake = FakeAibotWs("bot1", "secret"); await fake.start(); fake.url
    req_id = await fake.push_text("m1", "@网格通 3号楼电梯又坏了", chatid="wrgroup1")
    fake.inject(CMD_SEND, 45009)   # the next aibot_send_msg is answered errcode 45009
    await fake.drop()              # close every connection (the client should dial again)
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer


@dataclass
class FakeAibotWs:
    bot_id: str = "bot1"
    secret: str = "aibot-secret"
    frames: list[dict[str, Any]] = field(default_factory=list)  # every JSON frame received, in order
    subscribes: int = 0  # successful subscriptions
    injected: dict[str, list[int]] = field(default_factory=dict)
    answer_pings: bool = True
    connections: list[web.WebSocketResponse] = field(default_factory=list)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None
    server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/")).replace("http://", "ws://")

    def inject(self, cmd: str, *errcodes: int) -> None:
        self.injected.setdefault(cmd, []).extend(errcodes)

    def sent(self, cmd: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("cmd") == cmd]

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_get("/", self._ws)
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        await self.drop()
        if self.server is not None:
            await self.server.close()

    async def drop(self) -> None:
        for ws in list(self.connections):
            await ws.close()
        self.connections.clear()

    async def wait_for(self, predicate: Any, limit: float = 30.0) -> None:
        """Until `predicate()` holds (it is checked whenever a frame arrives or a client subscribes).

        The limit only bounds a hang: on a loaded 2-core CI machine an acknowledgement once took
        over 5 s (tests/transport/test_robot_ws.py failed while two suites ran at once)."""
        assert self._changed is not None
        async with asyncio.timeout(limit), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    @property
    def live(self) -> web.WebSocketResponse:
        return self.connections[-1]

    async def push(self, frame: dict[str, Any] | str) -> None:
        await self.live.send_str(frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False))

    async def push_text(self, msgid: str, content: str, *, chatid: str | None = None, userid: str = "zhangsan",
                        req_id: str | None = None) -> str:
        """An aibot_msg_callback text message (a group one when `chatid` is given); its req_id."""
        req_id = req_id or f"cb_{next(self._seq)}"
        body: dict[str, Any] = {"msgid": msgid, "aibotid": self.bot_id, "chattype": "group" if chatid else "single",
                                "from": {"userid": userid}, "msgtype": "text", "text": {"content": content}}
        if chatid:
            body["chatid"] = chatid
        await self.push({"cmd": "aibot_msg_callback", "headers": {"req_id": req_id}, "body": body})
        return req_id

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        subscribed = False
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            self.frames.append(frame)
            cmd, req_id = frame.get("cmd"), frame.get("headers", {}).get("req_id")
            if cmd == "aibot_subscribe":
                body = frame.get("body") or {}
                if body.get("bot_id") != self.bot_id or body.get("secret") != self.secret:
                    await ws.send_json({"headers": {"req_id": req_id}, "errcode": 40058, "errmsg": "invalid secret"})
                    await ws.close()
                    break
                subscribed = True
                self.subscribes += 1
                self.connections.append(ws)
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok"})
            elif not subscribed:
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": 40001, "errmsg": "not subscribed"})
            elif cmd == "ping" and not self.answer_pings:
                pass
            else:
                queue = self.injected.get(str(cmd)) or []
                errcode = queue.pop(0) if queue else 0
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": errcode,
                                    "errmsg": "ok" if errcode == 0 else "injected"})
            await self._notify()
        if ws in self.connections:
            self.connections.remove(ws)
        await self._notify()
        return ws
