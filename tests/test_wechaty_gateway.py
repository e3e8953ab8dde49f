"""The wechaty gateway (gateways/wechaty) for real: its code on wechaty-puppet-mock, a real
`gridbot serve` on loopback, both as processes, talking the signed bridge contract both ways.

Needs Node.js and the gateway's packages (`npm ci` in gateways/wechaty): skipped, saying so, when
they are missing, unless GRIDBOT_REQUIRE_GATEWAY=1 (.ci/run sets it). The bot is down for
GRIDBOT_GATEWAY_DOWN_SECONDS (default 10; 60 in .ci/run) while a resident keeps writing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.demo_roster import demo_roster
from bot.roster import Chat
from tests.photo_files import phone_jpeg

ROOT = Path(__file__).resolve().parent.parent
GATEWAY = ROOT / "gateways" / "wechaty"
SECRET = "gateway-test-secret"
ROOM = "5550001@chatroom"


def _free_ports(count: int) -> list[int]:
    """Loopback ports nobody listens on now, all different (fixed ones collide with whatever else runs
    on the machine): the probes stay bound until all are chosen."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]


BOT_PORT, GATEWAY_PORT = _free_ports(2)
TICKET = re.compile(r"\d{6}-\d{3}")
DOWN_SECONDS = float(os.environ.get("GRIDBOT_GATEWAY_DOWN_SECONDS", "10"))


def _gateway_missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js not found: the wechaty gateway tests are skipped"
    if not all((GATEWAY / "node_modules" / package).is_dir() for package in ("wechaty", "wechaty-puppet-mock")):
        return "gateway packages not installed (run `npm ci` in gateways/wechaty): its tests are skipped"
    return None


missing = _gateway_missing()
if missing and os.environ.get("GRIDBOT_REQUIRE_GATEWAY") == "1":
    raise RuntimeError(missing)
pytestmark = pytest.mark.skipif(missing is not None, reason=missing or "")


class Process:
    """A child process whose stdout lines are collected on a thread."""

    def __init__(self, args: list[str], *, cwd: Path, env: dict[str, str], stdin: bool = False) -> None:
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.PIPE if stdin else None)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line)
            self.lines.put(line)

    def send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def wait_for(self, test: Any, timeout: float) -> dict[str, Any]:
        """The next JSON line for which `test` is true (other lines are skipped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and test(obj):
                return obj
        raise AssertionError(f"nothing matching within {timeout} s; output:\n{''.join(self.log[-40:])}")

    def quiet_for(self, test: Any, seconds: float) -> None:
        try:
            found = self.wait_for(test, seconds)
        except AssertionError:
            return
        raise AssertionError(f"unexpected: {found}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=5)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


def _healthy(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{BOT_PORT}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError("gridbot serve did not come up")


def _signed_post(body: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{BOT_PORT}/bridge/messages", data=raw, method="POST", headers={
        "Content-Type": "application/json", "X-Gridbot-Timestamp": str(int(time.time())),
        "X-Gridbot-Signature": "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.roster_store import replace_roster

    db_url = f"sqlite+aiosqlite:///{tmp_path}/gridbot.db"
    roster = demo_roster()
    roster.chats.append(Chat(ROOM, "g-gulou-1", "bridge", "鼓楼社区第一网格居民群（个人微信）"))

    async def seed() -> None:
        db = Database(db_url)
        await upgrade(db.engine)
        async with db.transaction() as session:
            await replace_roster(session, roster)
        await db.dispose()

    asyncio.run(seed())
    config = tmp_path / "gridbot.toml"
    config.write_text(f"""
files_dir = "{tmp_path}/files"
[database]
url = "{db_url}"
[server]
host = "127.0.0.1"
port = {BOT_PORT}
[bridge]
secret = "{SECRET}"
outbound_url = "http://127.0.0.1:{GATEWAY_PORT}/gridbot/outbound"
""", encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started: list[Process] = []

    def start_bot() -> Process:
        proc = Process([str(Path(sys.executable).parent / "gridbot"), "serve", "--config", str(config)],
                       cwd=ROOT, env=env)
        started.append(proc)
        try:
            _healthy(60)
        except AssertionError:
            raise AssertionError("gridbot serve did not come up:\n" + "".join(proc.log[-30:])) from None
        return proc

    gateway = Process(["node", "test/scenario.js"], cwd=GATEWAY, stdin=True, env={
        **os.environ, "GRIDBOT_URL": f"http://127.0.0.1:{BOT_PORT}", "GRIDBOT_BRIDGE_SECRET": SECRET,
        "GATEWAY_PORT": str(GATEWAY_PORT), "GATEWAY_STATE_DIR": str(tmp_path / "gateway"), "ROOM_ID": ROOM,
        "GATEWAY_MIN_DELAY_MS": "500", "GATEWAY_MAX_DELAY_MS": "4000"})
    started.append(gateway)
    try:
        ready = gateway.wait_for(lambda o: o.get("ready"), 60)
        yield {"gateway": gateway, "start_bot": start_bot, "ready": ready, "db_url": db_url}
    except BaseException:
        for proc in started[1:]:
            sys.stderr.write("".join(proc.log[-40:]))
        raise
    finally:
        if gateway.proc.poll() is None:
            with contextlib.suppress(OSError):
                gateway.send({"quit": True})
        for proc in reversed(started):
            proc.stop()


def _tickets(db_url: str) -> list[tuple[str, str | None, str]]:
    from sqlmodel import select

    from storage.db import Database
    from storage.models import InboundLog, Ticket

    async def read() -> Any:
        db = Database(db_url)
        async with db.session() as session:
            tickets = (await session.exec(select(Ticket.no, Ticket.grid_id, Ticket.text))).all()
            inbound = (await session.exec(select(InboundLog).where(InboundLog.platform == "bridge")
                                          .order_by(InboundLog.id))).all()  # type: ignore[arg-type]
        await db.dispose()
        return tickets, inbound

    return asyncio.run(read())  # type: ignore[no-any-return]


def _photos(db_url: str) -> list[str | None]:
    """The ticket number each kept photo belongs to."""
    from sqlmodel import select

    from storage.db import Database
    from storage.models import Photo, Ticket

    async def read() -> list[str | None]:
        db = Database(db_url)
        async with db.session() as session:
            rows = (await session.exec(select(Photo.ticket_id))).all()
            numbers = {t.id: t.no for t in (await session.exec(select(Ticket))).all()}
        await db.dispose()
        return [numbers.get(ticket_id) for ticket_id in rows]

    return asyncio.run(read())


def test_a_mocked_group_reports_through_the_gateway_and_both_survive_each_other_being_down(
        world: dict[str, Any]) -> None:
    gateway: Process = world["gateway"]
    bot = world["start_bot"]()

    # A resident reports in the personal-WeChat room; the bot's ticket reply appears in that room.
    gateway.send({"say": "resident", "text": "7号楼门口的路灯不亮了，晚上很黑", "at": True})
    first = gateway.wait_for(lambda o: "room_message" in o, 30)["room_message"]
    number = TICKET.search(first)
    assert number, first
    tickets, inbound = _tickets(world["db_url"])
    assert [(no, grid) for no, grid, _ in tickets] == [(number.group(), "g-gulou-1")]
    assert "@网格通" not in tickets[0][2]  # the mention (U+2005) is not part of the report
    [row] = inbound
    assert row.chat_id == ROOM and row.mentions_bot

    # A retry of the same message (same msg_id) is harmless.
    again = {"msg_id": row.msg_id, "chat_id": ROOM, "user_id": row.user_id, "user_name": row.user_name,
             "text": row.text, "at": True}
    assert _signed_post(again) == {"ok": True, "duplicate": True}
    gateway.quiet_for(lambda o: "room_message" in o, 3)
    assert len(_tickets(world["db_url"])[0]) == 1

    # The room's own system line is recorded and read as one, never answered.
    gateway.send({"note": '"老王"邀请"小张"加入了群聊'})
    gateway.quiet_for(lambda o: "room_message" in o or "private_message" in o, 3)
    assert [(r.shape, r.text) for r in _tickets(world["db_url"])[1][-1:]] == [("system", '"老王"邀请"小张"加入了群聊')]

    # The resident takes the report back (撤回) before anyone acted: the ticket is withdrawn, they are
    # told privately, and the words are gone from the bot.
    gateway.send({"recall": "resident"})
    told = gateway.wait_for(lambda o: "private_message" in o, 30)["private_message"]
    assert number.group() in told and "撤销" in told, told
    tickets, inbound = _tickets(world["db_url"])
    assert "路灯" not in tickets[0][2] and not any("路灯" in r.text for r in inbound)

    # The bot is down: the gateway keeps the resident's message and delivers it once it is back.
    bot.stop()
    gateway.send({"say": "neighbour", "text": "3号楼和5号楼之间的井盖丢了，很危险", "at": True})
    time.sleep(DOWN_SECONDS)
    gateway.send({"status": True})
    assert gateway.wait_for(lambda o: "queued" in o, 10)["queued"] == 1
    world["start_bot"]()
    second = gateway.wait_for(lambda o: "room_message" in o, 40)["room_message"]
    assert TICKET.search(second) and TICKET.search(second).group() != number.group()  # type: ignore[union-attr]

    # The gateway is down: the bot keeps its reply in the outbox and delivers it once it is back.
    gateway.send({"gateway": "down"})
    gateway.wait_for(lambda o: o.get("gateway") == "down", 10)
    gateway.send({"say": "resident", "text": "帮助", "at": True})
    time.sleep(3)
    _healthy(5)  # the bot is fine without its gateway
    gateway.send({"gateway": "up"})
    answer = gateway.wait_for(lambda o: "room_message" in o, 60)["room_message"]
    assert "私信" in answer  # 帮助 in a group: the pointer there, the answer itself in private (audience rule)
    assert len(_tickets(world["db_url"])[0]) == 2

    # A photo sent privately, then the words: the picture itself reaches gridbot (media) and is kept
    # with the ticket the words file.
    photo = base64.b64encode(phone_jpeg((96, 72), "navy")).decode()
    gateway.send({"photo": "resident", "data_base64": photo, "name": "IMG_0412.jpg", "private": True})
    time.sleep(2)
    gateway.send({"say": "resident", "text": "鼓楼社区9号楼楼道的窗户玻璃碎了", "private": True})
    filed = gateway.wait_for(lambda o: "private_message" in o and TICKET.search(o["private_message"]), 40)
    number = TICKET.search(filed["private_message"])
    assert number
    assert _photos(world["db_url"]) == [number.group()]
