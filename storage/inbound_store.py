"""The inbound log: many received messages recorded in one statement, and what handlers ask of it.

Recording is what a callback waits for before it is acknowledged, so under load the messages of
many callbacks are written together (one statement, one commit, one fsync). The unique
(platform, user_id, msg_id) keeps a retried message to one row: a key already stored, or a second copy
inside the same batch, gets no id.

This is the hottest path of the bot, so it goes to the driver directly: one statement in the
driver's autocommit (atomic on its own: all of the batch or none of it), on a connection the
`InboundWriter` keeps (no pool checkout and liveness ping in front of every batch). Through an
ORM session the same 64-row batch costs the event loop 4–6 times the CPU (`bench/inbound_insert.py`:
0.83 vs 0.13 ms on SQLite, 0.96 vs 0.23 ms on PostgreSQL) and two more round trips (BEGIN and
COMMIT around the statement), and every callback of the batch waits for all of it."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy import update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.events import InboundMessage, MediaRef
from storage.db import Database
from storage.models import InboundLog, InboundStatus

MAX_ROWS = 500  # a batch the recorder writes at once (13 parameters a row: far below SQLite's 32,766)

_COLUMNS = ("platform, msg_id, chat_id, user_id, user_name, text, mentions_bot, kind, media, received_at, status, "
            "attempts, lease_owner, lease_until")
_RETURNING = "ON CONFLICT (platform, user_id, msg_id) DO NOTHING RETURNING id, platform, user_id, msg_id"
# PostgreSQL: one parameter per column, arrays unnested, so the statement is the same for any batch
# size (asyncpg prepares it once). A value too long for its column fails the whole statement.
_PG_INSERT = (
    f"INSERT INTO {InboundLog.__tablename__} ({_COLUMNS}) "
    "SELECT u.platform, u.msg_id, u.chat_id, u.user_id, u.user_name, u.text, u.mentions_bot, u.kind, u.media, "
    "$10, $11, 0, $12, $13 "
    "FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::text[], "
    "$7::boolean[], $8::varchar[], $9::text[]) "
    "AS u(platform, msg_id, chat_id, user_id, user_name, text, mentions_bot, kind, media) "
    f"{_RETURNING}"
)


@cache
def _sqlite_insert(rows: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"] * rows)
    return f"INSERT INTO {InboundLog.__tablename__} ({_COLUMNS}) VALUES {values} {_RETURNING}"


@dataclass(frozen=True)
class Lease:
    """A process's hold on the `received` rows it is handling: `owner` names the process (host,
    pid, a random tag), `length` is how long a hold lasts unless renewed."""

    owner: str
    length: timedelta


class InboundWriter:
    """The recorder's own connection to the inbound log, opened on first use and kept while it is
    busy. A connection idle for `idle` seconds goes back to the pool before the next batch and a
    fresh one is taken (pinged first): an idle timeout, a proxy or a database restart may have cut
    it, and the one message that wakes an idle bot must not be the one to find out. After an error
    the connection is discarded; a closed writer opens nothing more."""

    def __init__(self, db: Database, *, idle: float = 30.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db, self.idle, self.monotonic = db, idle, monotonic
        self._connection: AsyncConnection | None = None
        self._driver: Any = None  # the driver's own connection under it (aiosqlite / asyncpg)
        self._used_at = 0.0
        self._closed = False

    async def insert_new(
        self, messages: Sequence[InboundMessage], *, now: datetime, lease: Lease | None = None
    ) -> list[int | None]:
        """`insert_new` on the kept connection."""
        if self._closed:
            raise RuntimeError("the inbound writer is closed (shutting down)")
        if self._connection is not None and self.monotonic() - self._used_at > self.idle:
            await self._release()
        if self._connection is None:
            self._connection = await self.db.engine.connect()
            self._driver = (await self._connection.get_raw_connection()).driver_connection
        self._used_at = self.monotonic()
        try:
            return await insert_new(self._driver, self.db, messages, now=now, lease=lease)
        except BaseException:  # an error, or cancelled mid-statement: its state is unknown, discard it
            await self._release(discard=True)
            raise

    async def close(self) -> None:
        """Give the connection back and open no other (shutdown: before the engine is disposed)."""
        self._closed = True
        await self._release()

    async def _release(self, *, discard: bool = False) -> None:
        connection, self._connection, self._driver = self._connection, None, None
        if connection is None:
            return
        try:
            if discard:
                await connection.invalidate()
            await connection.close()
        except Exception:
            if not discard:  # a connection being thrown away may fail to close: it is gone either way
                raise


async def insert_new(
    driver: Any, db: Database, messages: Sequence[InboundMessage], *, now: datetime, lease: Lease | None = None
) -> list[int | None]:
    """Insert the messages not seen before, committed when this returns; their ids in input order,
    None for a duplicate (a key already in the log, or repeated earlier in `messages`). With `lease`
    the rows are born leased to the recording process (it handles them next). Raises, with
    nothing written, if the database refuses any of them."""
    ids: list[int | None] = [None] * len(messages)
    first: dict[tuple[str, str, str], int] = {}  # key → index of its first occurrence in the batch
    for i, message in enumerate(messages):
        first.setdefault((message.platform, message.user_id, message.msg_id), i)
    if not first:
        return ids
    new = [messages[i] for i in first.values()]
    received = str(InboundStatus.received)
    owner, until = (lease.owner, now + lease.length) if lease is not None else (None, None)
    if db.is_postgres:  # asyncpg
        rows = await driver.fetch(
            _PG_INSERT, [m.platform for m in new], [m.msg_id for m in new], [m.chat_id for m in new],
            [m.user_id for m in new], [m.user_name for m in new], [m.text for m in new],
            [m.mentions_bot for m in new], [str(m.kind) for m in new], [media_json(m) for m in new],
            now, received, owner, until)
    else:  # aiosqlite, in autocommit (storage.db turns the driver's implicit transactions off)
        process = _timestamp_processor(db.engine.dialect)
        stamp = process(now) if process is not None else now
        until_stamp = process(until) if process is not None and until is not None else until
        params: list[object] = []
        for m in new:
            params += [m.platform, m.msg_id, m.chat_id, m.user_id, m.user_name, m.text, int(m.mentions_bot),
                       str(m.kind), media_json(m), stamp, received, owner, until_stamp]
        rows = await driver.execute_fetchall(_sqlite_insert(len(new)), params)
    # RETURNING gives the inserted rows only (not the conflicting ones), in no promised order:
    # match them by key.
    for row_id, platform, user_id, msg_id in rows:
        ids[first[(platform, user_id, msg_id)]] = row_id
    return ids


def media_json(message: InboundMessage) -> str | None:
    """The message's media reference as the log keeps it (JSON text), None without one."""
    return json.dumps(message.media.to_json(), ensure_ascii=False) if message.media else None


def media_of(row: InboundLog) -> MediaRef | None:
    """The media reference a logged message carries (None: none, or unreadable)."""
    if not row.media:
        return None
    try:
        return MediaRef.from_json(json.loads(row.media))
    except ValueError:
        return None


def is_outage(exc: BaseException) -> bool:
    """The database could not be reached or could not work (connection lost or refused, timeout,
    locked, out of resources), as opposed to refusing particular rows (a constraint, a value):
    retrying a batch row by row helps only with the latter, and in an outage would make every row
    wait for its own failure; a message whose handling met an outage is left `received` for
    recovery instead of being marked failed. Looks through SQLAlchemy's wrappers (`orig`) and the
    chain of causes."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError | TimeoutError | sqlite3.OperationalError | sa_exc.TimeoutError):
            return True
        if getattr(current, "connection_invalidated", False):
            return True
        sqlstate = str(getattr(current, "sqlstate", "") or "")
        if sqlstate[:2] in ("08", "53", "57", "58"):  # connection, resources, operator intervention, system
            return True
        if isinstance(current, asyncpg.exceptions.InterfaceError | sa_exc.InterfaceError):
            return True  # the client's side of a lost connection
        orig = getattr(current, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]
    return False


@cache
def _timestamp_processor(dialect: Dialect) -> Callable[[Any], Any] | None:
    """How the ORM turns `received_at` into what the dialect stores (SQLite: its own DATETIME
    text, which sorts and compares as the ORM's rows do): the column type as the dialect adapts it."""
    column_type = InboundLog.__table__.c.received_at.type  # type: ignore[attr-defined]
    return column_type.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]


async def same_kind_sent_since(
    session: AsyncSession, *, before_id: int, platform: str, chat_id: str | None, user_id: str, kind: str,
    since: datetime,
) -> bool:
    """Whether the same person already sent the bot a message of this kind (a picture, a voice
    message …) in the same chat since `since`, before message `before_id`; in a group only those
    that @-mentioned the bot count. One hint then covers a whole series."""
    chat = (InboundLog.chat_id == chat_id) & col(InboundLog.mentions_bot) if chat_id \
        else col(InboundLog.chat_id).is_(None)  # (platform, user_id, received_at) is indexed
    found = (await session.exec(
        select(InboundLog.id).where(
            InboundLog.platform == platform, chat, InboundLog.user_id == user_id, InboundLog.kind == kind,
            col(InboundLog.id) < before_id, col(InboundLog.received_at) >= since,
        ).limit(1)
    )).first()
    return found is not None


def _takeable(owner: str, now: datetime, own_before: datetime, dead: Collection[str] = ()) -> Any:
    """A `received` row no live process is handling: never leased, its lease ran out, leased to a
    process known to be `dead`, or leased to `owner` itself and older than `own_before` (a row of
    ours whose task died: an outage, a cancelled shutdown)."""
    return (InboundLog.status == InboundStatus.received) & or_(
        col(InboundLog.lease_until).is_(None),
        col(InboundLog.lease_until) < now,
        col(InboundLog.lease_owner).in_(list(dead)),
        (InboundLog.lease_owner == owner) & (col(InboundLog.received_at) <= own_before),
    )


async def other_holders(session: AsyncSession, lease: Lease, *, now: datetime) -> list[str]:
    """The other processes holding a running lease on received rows (to check which are alive)."""
    rows = await session.exec(
        select(InboundLog.lease_owner).where(
            InboundLog.status == InboundStatus.received, col(InboundLog.lease_until) >= now,
            col(InboundLog.lease_owner).is_not(None), InboundLog.lease_owner != lease.owner,
        ).distinct())
    return [owner for owner in rows.all() if owner is not None]


async def claim_unhandled(
    session: AsyncSession, lease: Lease, *, now: datetime, own_grace: timedelta, exclude: Collection[int] = (),
    dead: Collection[str] = (), limit: int = 100,
) -> list[int]:
    """Take over up to `limit` received rows that no live process is handling (see `_takeable`;
    rows of our own younger than `own_grace`, just recorded and about to be handled, are left; rows
    of the `dead` processes are taken at once, whatever their lease),
    leasing them to `lease.owner` until now + `lease.length`; their ids in arrival order. Rows in
    `exclude` (what this process is handling right now) are skipped. PostgreSQL: rows another
    transaction holds are skipped (SKIP LOCKED) and the lease is written in the same transaction
    that read it, so two processes never take one row; SQLite serialises writers (BEGIN IMMEDIATE)."""
    takeable = _takeable(lease.owner, now, now - own_grace, dead)
    query = select(InboundLog.id).where(takeable).order_by(col(InboundLog.id)).limit(limit + len(exclude))
    if db_is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    skip = set(exclude)
    ids = [i for i in (await session.exec(query)).all() if i is not None and i not in skip][:limit]
    if not ids:
        return []
    await session.exec(
        update(InboundLog).where(col(InboundLog.id).in_(ids), takeable)  # type: ignore[call-overload]
        .values(lease_owner=lease.owner, lease_until=now + lease.length))
    return ids


async def renew_leases(session: AsyncSession, lease: Lease, *, now: datetime) -> int:
    """Extend the lease of every received row `lease.owner` holds (it is alive and has them queued);
    how many. PostgreSQL: a row locked right now is being handled (by us) and is skipped, so the
    renewal never queues behind handlers, nor they behind it (a plain UPDATE would lock the rows one
    by one and hold them to the end of the sweep)."""
    mine = select(InboundLog.id).where(
        InboundLog.status == InboundStatus.received, InboundLog.lease_owner == lease.owner)
    if db_is_postgres(session):
        mine = mine.with_for_update(skip_locked=True)
    result: Any = await session.exec(
        update(InboundLog).where(col(InboundLog.id).in_(mine.scalar_subquery()))  # type: ignore[call-overload]
        .values(lease_until=now + lease.length))
    return int(result.rowcount or 0)


async def unhandled(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many messages are recorded but not handled yet, and when the oldest of them came."""
    count, oldest = (await session.exec(
        select(func.count(), func.min(InboundLog.received_at)).where(InboundLog.status == InboundStatus.received)
    )).one()
    return int(count), oldest


def db_is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def recorded_id(session: AsyncSession, platform: str, user_id: str, msg_id: str) -> int | None:
    """The inbound id a message was recorded under (for a retried callback), None if it was not."""
    return (await session.exec(
        select(InboundLog.id).where(InboundLog.platform == platform, InboundLog.user_id == user_id,
                                    InboundLog.msg_id == msg_id)
    )).first()


async def recorded(session: AsyncSession, platform: str, user_id: str, msg_id: str) -> InboundLog | None:
    """A person's message by its msg_id, locked for update on PostgreSQL (a recall and the handling
    of the message itself never change it at once)."""
    query = select(InboundLog).where(InboundLog.platform == platform, InboundLog.user_id == user_id,
                                     InboundLog.msg_id == msg_id)
    if db_is_postgres(session):
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def last_from(session: AsyncSession, platform: str, user_id: str) -> tuple[datetime, str] | None:
    """When the person last wrote to the bot on `platform`, and that message's msg_id (a recall
    is not writing: it opens no reply window)."""
    row = (await session.exec(
        select(InboundLog.received_at, InboundLog.msg_id).where(
            InboundLog.platform == platform, InboundLog.user_id == user_id, InboundLog.kind != "recall")
        .order_by(col(InboundLog.received_at).desc()).limit(1)  # (platform, user_id, received_at) is indexed
    )).first()
    return None if row is None else (row[0], row[1])
