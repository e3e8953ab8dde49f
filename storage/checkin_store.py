"""Cadres' duty records and lead projects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn, Project


async def records_between(
    session: AsyncSession, person_id: str, start: datetime, end: datetime, kinds: Sequence[str] = ()
) -> Sequence[CheckIn]:
    """A person's records with `at` in [start, end), plus leave overlapping the range."""
    query = select(CheckIn).where(
        CheckIn.person_id == person_id,
        ((CheckIn.at >= start) & (CheckIn.at < end))
        | ((CheckIn.kind == "leave") & (CheckIn.at < end) & (col(CheckIn.ended_at) >= start)),
    )
    if kinds:
        query = query.where(col(CheckIn.kind).in_(list(kinds)))
    return (await session.exec(query.order_by(col(CheckIn.at), col(CheckIn.id)))).all()


async def open_day(session: AsyncSession, person_id: str, since: datetime) -> CheckIn | None:
    """Today's 签到 without a 签退."""
    return (await session.exec(
        select(CheckIn).where(CheckIn.person_id == person_id, CheckIn.kind == "day",
                              CheckIn.at >= since, col(CheckIn.ended_at).is_(None))
        .order_by(col(CheckIn.at).desc())
    )).first()


async def projects(session: AsyncSession, person_id: str, year: int) -> Sequence[Project]:
    return (await session.exec(
        select(Project).where(Project.person_id == person_id, Project.year == year)
        .order_by(col(Project.seq))
    )).all()


async def all_projects(session: AsyncSession, year: int) -> Sequence[Project]:
    return (await session.exec(
        select(Project).where(Project.year == year).order_by(col(Project.person_id), col(Project.seq))
    )).all()


async def records_of_everyone(
    session: AsyncSession, start: datetime, end: datetime, kinds: Sequence[str] = ()
) -> Sequence[CheckIn]:
    """Everyone's records in [start, end) plus leave overlapping it: one query for a whole run
    of reminders or reports, instead of one per person."""
    query = select(CheckIn).where(
        ((CheckIn.at >= start) & (CheckIn.at < end))
        | ((CheckIn.kind == "leave") & (CheckIn.at < end) & (col(CheckIn.ended_at) >= start)),
    )
    if kinds:
        query = query.where(col(CheckIn.kind).in_(list(kinds)))
    return (await session.exec(query.order_by(col(CheckIn.person_id), col(CheckIn.at)))).all()


async def pending_confirmation(session: AsyncSession, person_id: str, since: datetime) -> CheckIn | None:
    """A check-in the bot understood from plain words and asked the cadre to confirm."""
    return (await session.exec(
        select(CheckIn).where(CheckIn.person_id == person_id, CheckIn.kind == "pending",
                              CheckIn.at >= since).order_by(col(CheckIn.at).desc())
    )).first()


async def on_leave(session: AsyncSession, start: datetime, end: datetime) -> set[str]:
    """Ids of the people whose approved leave overlaps [start, end): nobody is reminded on leave."""
    rows = await session.exec(select(CheckIn.person_id).where(
        CheckIn.kind == "leave", CheckIn.at < end, col(CheckIn.ended_at) >= start))
    return set(rows.all())


async def confirmations(session: AsyncSession, person_id: str, period: str) -> list[CheckIn]:
    """The person's 确认报表 records for a month (normally one)."""
    rows = (await session.exec(
        select(CheckIn).where(CheckIn.person_id == person_id, CheckIn.kind == "report_confirmed")
    )).all()
    return [r for r in rows if (r.data or {}).get("period") == period]
