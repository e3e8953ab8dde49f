"""How long the demo's clock buttons take as demo history grows: +1天 and 下月1日 after 1, 3 and 6
months of use, with the page polling its panels the whole time, on the demo's own SQLite file.

Each month, residents of four groups report problems (some duplicates), grid workers accept and
resolve some and leave others overdue, a department is whistled, a cadre signs in; then the clock
moves a day at a time through the first week and on to the next month, as a visitor clicks.
Everything goes through the demo's HTTP API (`POST /api/messages`, `POST /api/clock`), the same
lock and scheduler as the page. Database errors in the log and failed page requests are counted.

    .venv/bin/python bench/demo_clock.py [--months 6] [--no-poll]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.clock import OffsetClock
from bot.config import load_settings
from bot.demo_server import make_demo_app

GROUPS = [("demo-baxianlou-1", "baxianlou-1"), ("demo-baxianlou-2", "baxianlou-2"),
          ("demo-gulou-1", "gulou-1"), ("demo-gulou-2", "gulou-2")]
PROBLEMS = ["{b}号楼电梯坏了，老人下不了楼", "{b}号楼下水道堵了，污水漫到路上", "小区{b}号门口路灯不亮",
            "{b}号楼楼道里有人飞线充电", "{b}栋旁边垃圾好几天没人收了"]


class Errors(logging.Handler):
    """Counts database errors logged anywhere in the bot while the bench runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.database = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        if "locked" in text or "OperationalError" in text or "database" in text.lower():
            self.database += 1


async def poll(client: TestClient[Any, Any], stop: asyncio.Event, failed: list[str]) -> None:
    """What an open page does while the clock moves: reload its panels."""
    while not stop.is_set():
        for path in ("/api/tickets?chat=demo-baxianlou-1", "/api/notices", "/api/messages?chat=demo-gulou-1"):
            response = await client.get(path)
            if response.status != 200:
                failed.append(f"{path}: {response.status}")
            await response.read()
        await asyncio.sleep(0.1)


async def month_of_use(client: TestClient[Any, Any], month: int) -> int:
    """Reports and handling for one month; returns tickets filed."""
    filed = 0
    for i, (chat, grid) in enumerate(GROUPS):
        text = PROBLEMS[(month + i) % len(PROBLEMS)].format(b=month + i + 1)
        before = await (await client.get(f"/api/messages?chat={chat}")).json()
        known = sum(1 for m in before if m["direction"] == "out" and m.get("ticket"))
        said = await client.post("/api/messages", json={"user": f"resident-{month}-{i}", "chat": chat, "text": text})
        assert said.status == 200, await said.text()
        numbers: list[str] = []
        for _try in range(100):  # the outbox worker delivers the answer a moment later
            history = await (await client.get(f"/api/messages?chat={chat}")).json()
            numbers = [m["ticket"] for m in history if m["direction"] == "out" and m.get("ticket")]
            if len(numbers) > known:
                break
            await asyncio.sleep(0.05)
        if not numbers:
            continue
        filed += 1
        no = numbers[-1]
        worker = f"gw-{grid}"
        if i % 4 != 3:  # one group's ticket is left to go overdue
            await client.post("/api/messages", json={"user": worker, "text": f"受理 {no}"})
        if i % 2 == 0:
            await client.post("/api/messages", json={"user": worker, "text": f"办结 {no} 已处理"})
        if i == 1:
            await client.post("/api/messages", json={"user": worker, "text": f"吹哨 {no} 住建"})
    await client.post("/api/messages", json={"user": "cadre-baxianlou", "text": "签到"})
    return filed


async def timed(client: TestClient[Any, Any], body: dict[str, Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process meanwhile: the server, its database threads and the
    polling page, which is what a busy shared machine stretches into the wall time)."""
    began, cpu = time.perf_counter(), time.process_time()
    response = await client.post("/api/clock", json=body)
    assert response.status == 200, await response.text()
    await response.read()
    return time.perf_counter() - began, time.process_time() - cpu


async def main(months: int, polling: bool = True) -> None:
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, database__url=f"sqlite+aiosqlite:///{tmp}/demo.db",
                                 files_dir=Path(tmp) / "files")
        client = TestClient(TestServer(await make_demo_app(settings, OffsetClock())))
        await client.start_server()
        stop, failed = asyncio.Event(), []
        poller = asyncio.create_task(poll(client, stop, failed) if polling else stop.wait())
        rows = []
        tickets = 0
        try:
            for month in range(1, months + 1):
                tickets += await month_of_use(client, month)
                days = [(await timed(client, {"days": 1}))[0] for _ in range(5)]
                next_month, next_month_cpu = await timed(client, {"to": "next_month"})
                if month in (1, 3, 6) or month == months:
                    rows.append((month, tickets, max(days), sum(days) / len(days), next_month, next_month_cpu,
                                 errors.database, len(failed)))
        finally:
            stop.set()
            await poller
            await client.close()
    print("| history | tickets | +1天 (slowest of 5) | +1天 (mean) | 下月1日 | 下月1日 CPU | database errors "
          "| failed page requests |")
    print("|---|---|---|---|---|---|---|---|")
    for month, n, slowest, mean, nm, nm_cpu, db_errors, bad in rows:
        print(f"| {month} month{'s' if month > 1 else ''} | {n} | {slowest:.2f} s | {mean:.2f} s | {nm:.2f} s "
              f"| {nm_cpu:.2f} s | {db_errors} | {bad} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--no-poll", action="store_true", help="no page polling: the jump's own CPU")
    args = parser.parse_args()
    asyncio.run(main(args.months, polling=not args.no_poll))
