"""The demo clock over HTTP: moves land where the month's work is visible, the clock is kept with
the demo database across restarts, the reset starts over, a busy port is one clear line."""

from __future__ import annotations

import asyncio
import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.clock import OffsetClock
from bot.config import Settings, load_settings
from bot.demo_server import make_demo_app
from tests.conftest import local

GROUP, RESIDENT = "demo-baxianlou-1", "resident-wang"


def _settings(tmp_path: Path) -> Settings:
    return load_settings(None, database__url=f"sqlite+aiosqlite:///{tmp_path}/demo.db", files_dir=tmp_path / "files")


async def _client(settings: Settings, start: datetime | None = None, **kw: Any) -> TestClient[Any, Any]:
    client = TestClient(TestServer(await make_demo_app(settings, OffsetClock(start), **kw)))
    await client.start_server()
    return client


async def _now(client: TestClient[Any, Any]) -> datetime:
    return datetime.fromisoformat((await (await client.get("/api/setup")).json())["now"])


async def test_next_month_lands_after_the_first_working_days_digests(tmp_path: Path) -> None:
    client = await _client(_settings(tmp_path), local(2026, 12, 14, 10, 0))
    try:
        await client.post("/api/messages", json={"user": RESIDENT, "chat": GROUP, "text": "3号楼电梯坏了"})
        moved = await (await client.post("/api/clock", json={"to": "next_month"})).json()
        now = datetime.fromisoformat(moved["now"])
        # 1 January is a holiday: the month's first working day is the 4th; after its 10:30 red lines
        assert (now.date().isoformat(), now.hour) == ("2027-01-04", 10) and now.minute >= 31
        notices = await (await client.get("/api/notices")).json()
        monthly = [n for n in notices if n["kind"] == "digest" and n["files"]]
        assert monthly and all(n["at"] <= moved["now"] for n in notices)  # the chart is there, nothing ahead
    finally:
        await client.close()


async def test_the_clock_is_kept_with_the_demo_database_and_the_reset_starts_over(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    client = await _client(settings)
    try:
        await client.post("/api/messages", json={"user": RESIDENT, "chat": GROUP, "text": "3号楼电梯坏了"})
        moved = datetime.fromisoformat((await (await client.post("/api/clock", json={"days": 40})).json())["now"])
    finally:
        await client.close()
    client = await _client(settings)  # `make run` again: same database, a fresh process clock
    try:
        again = await _now(client)
        assert moved - timedelta(seconds=5) <= again < moved + timedelta(minutes=5)
        assert await (await client.get(f"/api/tickets?chat={GROUP}")).json()
        reset = await (await client.post("/api/reset")).json()
        assert datetime.fromisoformat(reset["now"]) < moved - timedelta(days=39)  # real time again
        assert await (await client.get(f"/api/tickets?chat={GROUP}")).json() == []
        assert await (await client.get("/api/notices")).json() == []
        said = await client.post("/api/messages", json={"user": RESIDENT, "chat": GROUP, "text": "路灯坏了"})
        assert said.status == 200  # the roster is back: the group still works
        await asyncio.sleep(1.5)  # the outbox worker delivers the answer before the demo stops
    finally:
        await client.close()
    client = await _client(settings, reset=True)  # `gridbot demo --reset`
    try:
        await asyncio.sleep(0)
        assert await (await client.get(f"/api/tickets?chat={GROUP}")).json() == []
    finally:
        await client.close()


async def test_a_message_sent_while_the_clock_moves_is_stamped_after_the_move(tmp_path: Path) -> None:
    client = await _client(_settings(tmp_path), local(2026, 11, 30, 10, 0))
    try:
        move = asyncio.create_task(client.post("/api/clock", json={"days": 20}))
        await asyncio.sleep(0.05)
        said = asyncio.create_task(client.post("/api/messages",
                                               json={"user": RESIDENT, "chat": GROUP, "text": "垃圾没人收"}))
        moved = await (await move).json()
        assert (await said).status == 200
        log = await (await client.get(f"/api/messages?chat={GROUP}")).json()
        mine = [m for m in log if m["direction"] == "in"]
        assert len(mine) == 1 and mine[0]["at"] >= moved["now"][:16]  # not inside the jump, not lost
        second = await (await client.post("/api/clock", json={"days": 1})).json()
        assert second["now"] > moved["now"]
    finally:
        await client.close()


def test_a_busy_port_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["demo", "--port", str(port), "--db", f"sqlite:///{tmp_path}/d.db"])
    assert result.exit_code == 1
    assert f"port {port} is in use" in result.output
    assert f"make run PORT={port + 1}" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
