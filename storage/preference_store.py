"""Settings kept between runs (see models.Preference): a person's language, the demo clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Preference


async def get(session: AsyncSession, subject: str, name: str) -> str | None:
    row = await session.get(Preference, (subject, name))
    return row.value if row is not None else None


async def get_many(session: AsyncSession, subjects: Iterable[str], name: str) -> dict[str, str]:
    """{subject: value} for those of `subjects` that have `name` set (one query)."""
    wanted = list(set(subjects))
    if not wanted:
        return {}
    rows = await session.exec(select(Preference).where(col(Preference.subject).in_(wanted),
                                                       Preference.name == name))
    return {row.subject: row.value for row in rows.all()}


async def all_of(session: AsyncSession, name: str) -> dict[str, str]:
    """{subject: value} of every subject that has `name` set (a small table: one query)."""
    rows = await session.exec(select(Preference).where(Preference.name == name))
    return {row.subject: row.value for row in rows.all()}


async def put(session: AsyncSession, subject: str, name: str, value: str, now: datetime) -> None:
    row = await session.get(Preference, (subject, name))
    if row is None:
        row = Preference(subject=subject, name=name, value=value, updated_at=now)
    else:
        row.value, row.updated_at = value, now
    session.add(row)


async def forget(session: AsyncSession, name: str) -> None:
    """Drop every subject's `name` (the demo's reset)."""
    await session.exec(delete(Preference).where(Preference.name == name))  # type: ignore[call-overload]
