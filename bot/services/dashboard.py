"""看板: how a person's area is doing — new and closed tickets per week, overdue now, on-time rate,
satisfaction, by category and by grid — and the departments' 吹哨报到 points. Computed from the
same ticket rows as the board (the viewer's scope), counted in the configured time zone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.points import standings
from bot.domain.tickets import OPEN, SATISFIED, resolved_on_time
from bot.services import access
from storage import board_store, ticket_store
from storage.board_store import AreaFacts

WEEKS = 8


@dataclass(frozen=True)
class Week:
    monday: date
    filed: int
    closed: int


@dataclass(frozen=True)
class Dashboard:
    weeks: list[Week]
    open_now: int
    overdue_now: int
    resolved: int  # in the weeks shown
    on_time: int  # of those, by their deadline
    rated: int
    satisfied: int
    by_category: list[tuple[str, int]]  # category id, filed in the weeks shown
    by_place: list[tuple[str, int, int]]  # unit id, filed, overdue now
    points: list[tuple[int, str, float]]  # place, department, points this year

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def satisfied_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def summarise(facts: Sequence[AreaFacts], *, now: datetime, tz: ZoneInfo,
              points: list[tuple[int, str, float]]) -> Dashboard:
    """Pure counting over the rows (tested without a database)."""
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in reversed(range(WEEKS))]
    start = datetime.combine(mondays[0], time(), tz)

    def monday_of(when: datetime) -> date:
        day = when.astimezone(tz).date()
        return day - timedelta(days=day.weekday())

    filed = Counter(monday_of(f.created_at) for f in facts if f.created_at >= start)
    closed = Counter(monday_of(f.closed_at) for f in facts if f.closed_at and f.closed_at >= start)
    resolved = [f for f in facts if f.resolved_at and f.resolved_at >= start]
    rated = [f for f in facts if f.satisfaction and (f.closed_at or f.resolved_at or f.created_at) >= start]
    open_now = [f for f in facts if f.state in OPEN]
    overdue = [f for f in open_now if f.due_at is not None and f.due_at < now]
    recent = [f for f in facts if f.created_at >= start]
    places = Counter(f.grid_id or f.community_id or "" for f in recent)
    late_places = Counter(f.grid_id or f.community_id or "" for f in overdue)
    return Dashboard(
        weeks=[Week(m, filed[m], closed[m]) for m in mondays],
        open_now=len(open_now), overdue_now=len(overdue),
        resolved=len(resolved),
        on_time=sum(1 for f in resolved if f.resolved_at and resolved_on_time(f.resolved_at, f.due_at)),
        rated=len(rated), satisfied=sum(1 for f in rated if f.satisfaction in SATISFIED),
        by_category=Counter(f.category for f in recent).most_common(),
        by_place=sorted(((u, places[u], late_places[u]) for u in set(places) | set(late_places)),
                        key=lambda row: (-row[1], row[0])),
        points=points,
    )


async def load(session: AsyncSession, scope: access.Scope, *, now: datetime, tz: ZoneInfo) -> Dashboard:
    today = now.astimezone(tz).date()
    since = datetime.combine(today - timedelta(days=today.weekday(), weeks=WEEKS - 1), time(), tz)
    facts = await board_store.facts_in_area(session, scope.area, since)
    ledger = [(unit.name, value) for unit, value in await ticket_store.points_by_department(session, today.year)]
    return summarise(facts, now=now, tz=tz, points=standings(ledger))
