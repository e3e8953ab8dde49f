"""Async engine and sessions (aiosqlite by default, asyncpg in production)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_no_implicit_transactions(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # the driver's own BEGIN handling breaks SAVEPOINTs


READ_ONLY = "gridbot_read_only"


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE: a writer waits (busy_timeout) for the lock at the start instead of failing with
    # "database is locked" when a read transaction later tries to write. Transactions are short and
    # never span a network call, so serialising them costs little. Sessions opened with
    # `Database.read` only read: a plain BEGIN, which in WAL mode never waits for a writer.
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str) -> AsyncEngine:
    """Create the engine; for SQLite files make sure the folder exists and turn on FK checks."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs["pool_pre_ping"] = True
        # A connection cut without a reset (a NAT or firewall dropping it) would otherwise hang every
        # callback waiting on the inbound writer's kept connection; no query of ours takes a minute.
        kwargs["connect_args"] = {"command_timeout": 60}
    # hide_parameters: a database error must not carry residents' words or phone numbers into the log.
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        # SQLAlchemy's recipe for pysqlite/aiosqlite: without it a SAVEPOINT (begin_nested) opened
        # before any write becomes the outer transaction and RELEASE commits it, so a crash later in
        # the same unit of work would keep half of it.
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "connect", _sqlite_no_implicit_transactions)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


class Database:
    """Owns the engine and hands out sessions; one session per handled message or job."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._readers = async_sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                           class_=AsyncSession, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session that only reads (pages, plans): on SQLite it does not take the write lock, so
        it never waits behind a scheduled job or the outbox, and they never wait behind it."""
        async with self._readers() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def leader_lock(session: AsyncSession, name: str) -> bool:
    """Only one bot process runs a scheduled job at a time: a PostgreSQL advisory lock held until
    the transaction ends (false: another process has it). SQLite serialises writers itself, and the
    unique `sent_notice` row stays the real guarantee against doubles either way."""
    if session.bind.dialect.name != "postgresql":
        return True
    key = zlib.crc32(name.encode()) & 0x7FFFFFFF
    result = await session.exec(text("SELECT pg_try_advisory_xact_lock(:k)").bindparams(k=key))  # type: ignore[call-overload]
    return bool(result.scalar())
