"""How the duty side scales: a district of 1,000 stationed cadres and 200,000 tickets.

Prints seconds and peak memory for what the scheduler and the CLI do with that much data:
the monthly 附件5 forms of every cadre, one reminder day for everyone, one digest day for every
secretary, and one form written as .xlsx. Fictional data, generated here with a fixed seed.

    .venv/bin/python bench/report_scale.py [--cadres 1000] [--tickets 200000] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert
from sqlmodel import select

from bot.config import load_settings
from bot.domain.duties import load_calendar
from bot.domain.workdays import WorkCalendar
from bot.forms.monthly import write_monthly
from bot.roster import Chat, PersonRole, Roster, Unit
from bot.services.digests import DigestSettings, _plan
from bot.services.reminders import PlanContext, plan_day
from bot.services.reports import monthly_forms
from storage.db import Database
from storage.migrate import upgrade
from storage.models import CheckIn, Ticket
from storage.roster_store import replace_roster

TZ = ZoneInfo("Asia/Shanghai")
CATEGORIES = ("public_facility", "sanitation", "property_mgmt", "safety_hazard", "dispute", "utilities",
              "nuisance_order", "service_consult", "care_request", "opinion")
RECENT_STATES = ("closed", "resolved", "in_progress", "accepted", "reported", "escalated")


def roster(cadres: int) -> Roster:
    """Streets of 50 communities, 3 grids each; a cadre, a grid worker and a secretary per community."""
    units = [Unit("d", "示范区", "district")]
    people: list[PersonRole] = []
    chats: list[Chat] = []
    for s in range(max(1, cadres // 50)):
        units.append(Unit(f"s{s}", f"第{s + 1}街道", "street", "d"))
        people.append(PersonRole(f"ss{s}", f"街道书记{s}", "street_secretary", f"s{s}", im_user=f"ss{s}"))
    for c in range(cadres):
        street = f"s{min(c // 50, max(1, cadres // 50) - 1)}"
        units.append(Unit(f"c{c}", f"第{c + 1}社区", "community", street, households=2000))
        for g in range(3):
            units.append(Unit(f"c{c}g{g}", f"第{c + 1}社区{g + 1}网格", "grid", f"c{c}", households=600))
            chats.append(Chat(f"chat-c{c}g{g}", f"c{c}g{g}", "demo"))
        people.append(PersonRole(f"k{c}", f"干部{c}", "cadre", f"c{c}", im_user=f"k{c}"))
        people.append(PersonRole(f"w{c}", f"网格员{c}", "grid_worker", f"c{c}g0", im_user=f"w{c}"))
        people.append(PersonRole(f"cs{c}", f"社区书记{c}", "community_secretary", f"c{c}", im_user=f"cs{c}"))
    return Roster(units, people, chats)


def tickets(n: int, cadres: int, year: int, rng: random.Random) -> list[dict[str, Any]]:
    """Spread over 1 January to 26 November; what is older than three weeks is closed, as in a
    street office that works its queue (a few stay open: long cases and 吹哨 to departments)."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year, 11, 26, tzinfo=UTC)
    rows = []
    for i in range(n):
        c = rng.randrange(cadres)
        created = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        old = end - created > timedelta(days=21)
        state = ("closed" if rng.random() < 0.98 else "escalated") if old else rng.choice(RECENT_STATES)
        done = created + timedelta(days=rng.randint(1, 9))
        rows.append({
            "no": f"{created:%y%m%d}-{i:06d}", "state": state, "category": rng.choice(CATEGORIES),
            "urgency": "P2", "grid_id": f"c{c}g{rng.randrange(3)}", "community_id": f"c{c}",
            "assignee_id": f"w{c}", "reporter_platform": "demo", "reporter_user": f"r{rng.randrange(10**6)}",
            "text": "楼道灯坏了", "created_at": created, "updated_at": done,
            "due_at": created + timedelta(days=5),
            "resolved_at": done if state in ("closed", "resolved") else None,
            "closed_at": done if state == "closed" else None,
            "satisfaction": "满意" if state == "closed" else None,
            # who did the work (附件5 item 6 and the ranking credit them): the worker accepts, and
            # the stationed cadre resolves about a third (the 吹哨 and coordination cases)
            "accepted_by_id": f"w{c}" if state != "reported" else None,
            "resolved_by_id": (f"k{c}" if rng.random() < 0.3 else f"w{c}") if state in ("closed", "resolved") else None,
        })
    return rows


def checkins(cadres: int, year: int, month: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for c in range(cadres):
        for day in rng.sample(range(1, 29), 12):
            at = datetime(year, month, day, 1, 0, tzinfo=UTC)
            rows.append({"person_id": f"k{c}", "kind": "day", "at": at, "ended_at": at + timedelta(hours=8)})
        rows.append({"person_id": f"k{c}", "kind": "visit", "at": datetime(year, month, 10, 12, tzinfo=UTC),
                     "count": rng.randint(1, 8)})
        rows.append({"person_id": f"k{c}", "kind": "night_visit", "at": datetime(year, month, 12, 12, tzinfo=UTC)})
    return rows


def peak_rss_reset() -> None:
    """Forget the seeding's memory high-water mark (Linux), so the peak printed is the work's."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(label: str, step: Callable[[], Awaitable[Any]]) -> Any:
    began = time.perf_counter()
    result = await step()
    print(f"| {label} | {time.perf_counter() - began:.2f} | {peak_rss_mib():.0f} |", flush=True)
    return result


async def seed(db: Database, cadres: int, n_tickets: int) -> None:
    rng = random.Random(7)
    async with db.transaction() as session:
        await replace_roster(session, roster(cadres))
    rows = tickets(n_tickets, cadres, 2026, rng)
    async with db.transaction() as session:
        for i in range(0, len(rows), 5000):
            await session.exec(insert(Ticket), params=rows[i:i + 5000])  # type: ignore[call-overload]
        for month in range(1, 12):
            await session.exec(insert(CheckIn), params=checkins(cadres, 2026, month, rng))  # type: ignore[call-overload]


async def main(cadres: int, n_tickets: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite+aiosqlite:///{tmp}/scale.db")
        await upgrade(db.engine)
        async with db.session() as session:
            if (await session.exec(select(func.count()).select_from(Ticket))).one():
                raise SystemExit("report_scale.py seeds its own data: give it an empty database")
        began = time.perf_counter()
        await seed(db, cadres, n_tickets)
        print(f"seeded {cadres} cadres, {n_tickets} tickets and a year of check-ins in "
              f"{time.perf_counter() - began:.1f} s ({db.engine.dialect.name})\n")
        gc.collect()
        peak_rss_reset()
        print("| step | seconds | peak RSS MiB |\n|---|---:|---:|")
        calendar, duties = WorkCalendar(), load_calendar()
        november = list(calendar.workdays_between(date(2026, 11, 1), date(2026, 11, 30)))
        total = time.perf_counter()
        async with db.session() as session:
            forms = await measure(f"附件5 of all {cadres} cadres for 2026-10",
                                  lambda: monthly_forms(session, 2026, 10, TZ, 19))

            async def reminders() -> int:
                ctx = PlanContext(session, calendar, duties, TZ, 19)
                return sum([len(await plan_day(ctx, day)) for day in november])

            async def digests() -> int:
                settings = DigestSettings(TZ, calendar, 19, Path(tmp))
                return sum([len(await _plan(session, settings, day)) for day in november])

            planned = await measure(f"reminders of the {len(november)} working days of 2026-11", reminders)
            sent = await measure(f"digests of the {len(november)} working days of 2026-11", digests)

        async def one_form() -> None:
            write_monthly(forms[0][1], Path(tmp) / "form.xlsx")

        await measure("one 附件5 written as .xlsx", one_form)
        print(f"| **all of the above** | **{time.perf_counter() - total:.1f}** | **{peak_rss_mib():.0f}** |")
        await db.dispose()
    print(f"\n{len(forms)} forms, {planned} reminders and {sent} digests planned")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    load_settings(None)  # the same defaults the bot starts with (locale, timezone)
    asyncio.run(main(args.cadres, args.tickets, args.db))
