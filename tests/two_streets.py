"""The demo roster (五马街道) plus a second, fictional street (东门街道) with one community and
one grid, so tests can ask what a secretary of one street may do in the other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.demo_roster import demo_roster
from bot.roster import Chat, PersonRole, Roster, Unit
from bot.transport.memory import MemoryTransport
from storage.models import Platform
from tests.conftest import Harness


def two_streets() -> Roster:
    roster = demo_roster()
    units = [
        Unit("s-dongmen", "东门街道", "street", "district"),
        Unit("c-dongmen", "东门社区", "community", "s-dongmen", 420),
        Unit("g-dongmen-1", "东门社区第一网格", "grid", "c-dongmen", 420),
    ]
    people = [
        PersonRole("p-ss-dongmen", "邵东明", "street_secretary", "s-dongmen", "13900000001", "ss-dongmen"),
        PersonRole("p-sec-dongmen", "邱东方", "community_secretary", "c-dongmen", "13900000002", "sec-dongmen"),
        PersonRole("p-cadre-dongmen", "孔东林", "cadre", "c-dongmen", "13900000003", "cadre-dongmen"),
        PersonRole("p-gw-dongmen-1", "汤东海", "grid_worker", "g-dongmen-1", "13900000004", "gw-dongmen-1"),
    ]
    chats = [Chat("demo-dongmen-1", "g-dongmen-1", "demo", "东门社区第一网格居民群")]
    return replace(roster, units=[*roster.units, *units], people=[*roster.people, *people],
                   chats=[*roster.chats, *chats])


@pytest.fixture
async def streets(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    """The real bot on the two-street roster."""
    from bot.app import build_app

    transports = {p.value: MemoryTransport(p.value) for p in Platform}
    app = await build_app(settings, clock, dict(transports), people_platform="demo", roster=two_streets())
    try:
        yield Harness(app, clock, transports)
    finally:
        await app.close()
