"""Web console rows: local accounts, sessions, refused logins, the signing key, and the record of
who saw a ticket's personal data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConsoleAccount, ConsoleKey, ConsoleLoginFailure, ConsoleSession, PersonalDataView


async def account(session: AsyncSession, im_user: str) -> ConsoleAccount | None:
    return await session.get(ConsoleAccount, im_user)


async def set_password(session: AsyncSession, im_user: str, password_hash: str, now: datetime) -> bool:
    """Create the account or replace its password; True when it was created."""
    row = await session.get(ConsoleAccount, im_user)
    created = row is None
    row = row or ConsoleAccount(im_user=im_user, password_hash=password_hash, created_at=now, updated_at=now)
    row.password_hash, row.updated_at = password_hash, now
    session.add(row)
    await session.flush()
    return created


async def signing_key(session: AsyncSession, fresh: str, now: datetime) -> str:
    """The stored key, or `fresh` stored as the key when there is none yet (the first process to
    start wins; the others read its key)."""
    row = await session.get(ConsoleKey, 1)
    if row is not None:
        return row.key
    try:
        async with session.begin_nested():
            session.add(ConsoleKey(id=1, key=fresh, created_at=now))
    except IntegrityError:  # another process stored its key first
        stored = await session.get(ConsoleKey, 1, populate_existing=True)
        assert stored is not None
        return stored.key
    return fresh


async def add_session(session: AsyncSession, row: ConsoleSession) -> None:
    session.add(row)
    await session.flush()


async def get_session(session: AsyncSession, token_hash: str) -> ConsoleSession | None:
    return await session.get(ConsoleSession, token_hash)


async def end_session(session: AsyncSession, token_hash: str) -> None:
    await session.exec(delete(ConsoleSession).where(col(ConsoleSession.token_hash) == token_hash))  # type: ignore[call-overload]


async def end_sessions_of(session: AsyncSession, im_user: str) -> int:
    """Sign someone out everywhere (their password changed)."""
    result = await session.exec(delete(ConsoleSession).where(col(ConsoleSession.im_user) == im_user))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def purge_expired(session: AsyncSession, now: datetime, failures_before: datetime) -> None:
    await session.exec(delete(ConsoleSession).where(col(ConsoleSession.expires_at) <= now))  # type: ignore[call-overload]
    await session.exec(delete(ConsoleLoginFailure).where(col(ConsoleLoginFailure.at) < failures_before))  # type: ignore[call-overload]


async def add_failures(session: AsyncSession, keys: Sequence[str], at: datetime) -> None:
    session.add_all(ConsoleLoginFailure(key=key, at=at) for key in keys)
    await session.flush()


async def failures_since(session: AsyncSession, key: str, since: datetime) -> tuple[int, datetime | None]:
    """(how many refused logins for `key` since `since`, the oldest of them)."""
    count, oldest = (await session.exec(
        select(func.count(), func.min(ConsoleLoginFailure.at))
        .where(ConsoleLoginFailure.key == key, ConsoleLoginFailure.at >= since)
    )).one()
    return int(count), oldest


async def clear_failures(session: AsyncSession, key: str) -> None:
    await session.exec(delete(ConsoleLoginFailure).where(col(ConsoleLoginFailure.key) == key))  # type: ignore[call-overload]


async def log_view(session: AsyncSession, *, viewer: str, ticket_ids: Sequence[int], what: str, at: datetime) -> None:
    session.add_all(PersonalDataView(at=at, viewer=viewer, ticket_id=t, what=what) for t in ticket_ids)
    await session.flush()


async def views_of(session: AsyncSession, ticket_id: int) -> Sequence[PersonalDataView]:
    return (await session.exec(
        select(PersonalDataView).where(PersonalDataView.ticket_id == ticket_id).order_by(col(PersonalDataView.id))
    )).all()
