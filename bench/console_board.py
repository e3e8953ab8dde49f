"""The console's 工单 board on a street's year of tickets: one page (25 rows, the total and the
counts per state) for the street secretary and for a community secretary, unfiltered, filtered by
state, and searched by words. Prints the median of 15 loads each.

    .venv/bin/python bench/console_board.py [--db URL] [--tickets N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.services import access
from bot.services import board as board_service
from storage.board_store import BoardQuery
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Ticket
from storage.roster_store import find_member, replace_roster

STATES = ("reported", "accepted", "in_progress", "escalated", "resolved", "closed", "closed", "closed")
WORDS = ("电梯坏了", "路灯不亮", "垃圾没人清", "楼道堆物", "漏水", "噪音扰民", "井盖松动", "停车乱")
RUNS = 15


async def seed(db: Database, n: int) -> None:
    roster = demo_roster()
    grids = [u for u in roster.units if u.level == "grid"]
    rng = random.Random(20)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.transaction() as session:
        await replace_roster(session, roster)
        for i in range(n):
            grid = rng.choice(grids)
            created = start + timedelta(minutes=rng.randrange(0, 330 * 24 * 60))
            session.add(Ticket(
                no=f"{created:%y%m%d}-{i % 1000:03d}x{i // 1000}", state=rng.choice(STATES), category="public_facility",
                urgency=rng.choice(("P1", "P2", "P2", "P3")), grid_id=grid.id, community_id=grid.parent_id,
                reporter_platform="bench", reporter_user=f"r{i}", text=f"{rng.randrange(1, 30)}号楼{rng.choice(WORDS)}",
                created_at=created, updated_at=created, due_at=created + timedelta(days=7)))
            if i % 5000 == 4999:
                await session.flush()


async def main(url: str | None, tickets: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, database__url=url or f"sqlite:///{tmp}/bench.db")
        db = Database(settings.database.url)
        await upgrade(db.engine)
        await seed(db, tickets)
        now = datetime(2026, 11, 30, 2, tzinfo=UTC)
        print(f"{db.engine.dialect.name}, {tickets} tickets in 28 grids of 14 communities\n")
        print("| viewer | query | ms / page (median of 15) |\n|---|---|---:|")
        async with db.session() as session:
            viewers = {name: access.scope_of(await find_member(session, im))  # type: ignore[arg-type]
                       for name, im in (("street secretary", "street-secretary"),
                                        ("community secretary", "sec-baxianlou"))}
        for name, scope in viewers.items():
            for label, query in (("newest first", BoardQuery(now=now)),
                                 ("state = reported, by due", BoardQuery(now=now, states=("reported",), sort="due")),
                                 ("words “漏水”", BoardQuery(now=now, words="漏水")),
                                 ("overdue", BoardQuery(now=now, overdue=True))):
                times = []
                for _ in range(RUNS):
                    async with db.session() as session:
                        t0 = time.perf_counter()
                        await board_service.load_board(session, scope, query, page=1, per_page=25)
                        times.append((time.perf_counter() - t0) * 1000)
                print(f"| {name} | {label} | {statistics.median(times):.1f} |")
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--tickets", type=int, default=20000)
    args = parser.parse_args()
    asyncio.run(main(args.db, args.tickets))
