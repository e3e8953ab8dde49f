"""Shared fixtures. Every storage and pipeline test runs on SQLite, and again on PostgreSQL when
GRIDBOT_TEST_DATABASE_URL is set (CI sets it). Time is a FakeClock; transports are in memory."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Settings, load_settings, normalise_db_url
from bot.demo_roster import demo_roster
from bot.events import InboundMessage, OutboundMessage
from bot.transport.memory import MemoryTransport
from storage.models import Platform

TZ = ZoneInfo("Asia/Shanghai")
PG_URL = os.environ.get("GRIDBOT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def local(*args: int) -> datetime:
    """A time in Asia/Shanghai, the way people in the street office say it."""
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    if not PG_URL:
        pytest.skip("GRIDBOT_TEST_DATABASE_URL not set")
    url = normalise_db_url(PG_URL)
    await _reset_postgres(url)
    yield url


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(None, database__url=db_url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(2026, 11, 2, 9, 0))  # a Monday, a working day


class Harness:
    """The real bot with in-memory transports: say something, see what comes back."""

    def __init__(self, app: App, clock: FakeClock, transports: dict[str, MemoryTransport]):
        self.app, self.clock, self.transports = app, clock, transports
        self._seq = 0

    async def say(
        self, user: str, text: str, *, chat: str | None = None, msg_id: str | None = None,
        platform: str = "demo", mentions_bot: bool = False, user_name: str | None = None,
    ) -> list[OutboundMessage]:
        self._seq += 1
        message = InboundMessage(
            platform=platform, msg_id=msg_id or f"m{self._seq}", user_id=user, text=text,
            chat_id=chat, mentions_bot=mentions_bot, user_name=user_name,
        )
        await self.app.dispatcher.receive(message)
        return await self.delivered()

    async def delivered(self) -> list[OutboundMessage]:
        await self.app.outbox.flush()
        out: list[OutboundMessage] = []
        for transport in self.transports.values():
            out.extend(transport.pop())
        return sorted(out, key=lambda m: m.id or 0)


@pytest.fixture
async def harness(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    transports = {p.value: MemoryTransport(p.value) for p in Platform}
    app = await build_app(settings, clock, dict(transports), people_platform="demo",
                          roster=demo_roster())
    try:
        yield Harness(app, clock, transports)
    finally:
        await app.close()


TRANSCRIPTS = Path(__file__).parent / "transcripts"
Out = list[dict[str, object]]


@pytest.fixture
def replay(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run a transcript of tests/transcripts through `gridbot replay` into a SQLite file;
    returns (the JSON lines it printed, the database path)."""
    from typer.testing import CliRunner

    from bot.cli import app

    def run(name: str) -> tuple[Out, Path]:
        db = tmp_path / f"{name}.db"
        result = CliRunner().invoke(app, ["replay", str(TRANSCRIPTS / name), "--db", f"sqlite:///{db}"])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()], db

    return run


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests of config must not see a developer's GRIDBOT_* variables."""
    for key in list(os.environ):
        if key.startswith("GRIDBOT_"):
            monkeypatch.delenv(key)
    return
