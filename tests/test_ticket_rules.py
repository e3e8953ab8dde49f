"""The ticket rules a street office relies on (issue 17), each as a transcript replayed through the
real pipeline (`bot.replay`: parser, handlers, storage, scheduler on a simulated clock) on SQLite
and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.demo_roster import demo_roster
from bot.events import OutboundMessage
from bot.replay import TranscriptError, outbound_json, read_transcript, run_transcript
from bot.roster import Roster, read_roster
from bot.transport.memory import MemoryTransport
from storage.models import Platform
from tests.conftest import TRANSCRIPTS

CHANNELS_ROSTER = Path(__file__).parent / "fixtures" / "roster_channels"


@dataclass
class Played:
    out: list[dict[str, Any]]
    app: App

    def to(self, user: str, kind: str | None = None) -> list[str]:
        return [str(o["text"]) for o in self.out if o["user"] == user and (kind is None or o["kind"] == kind)]

    def in_chat(self, chat: str) -> list[str]:
        return [str(o["text"]) for o in self.out if o["chat"] == chat]

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        async with self.app.db.session() as session:
            connection = await session.connection()
            return [tuple(r) for r in (await connection.execute(text(sql))).all()]


Play = Callable[..., Awaitable[Played]]


@pytest.fixture
async def play(settings: Settings) -> AsyncIterator[Play]:
    """Replay tests/transcripts/<name> on this test's backend; the app stays open for queries."""
    apps: list[App] = []

    async def run(name: str, roster: Roster | None = None) -> Played:
        steps = read_transcript(TRANSCRIPTS / name, settings.tz)
        out: list[dict[str, Any]] = []

        def emit(message: OutboundMessage) -> None:
            out.append(outbound_json(message, settings.tz))

        clock = FakeClock(steps[0].at)
        transports = {p.value: MemoryTransport(p.value, on_send=emit) for p in Platform}
        app = await build_app(settings, clock, dict(transports), people_platform="demo",
                              roster=roster or demo_roster())
        apps.append(app)
        await run_transcript(app, clock, steps)
        return Played(out, app)

    yield run
    for app in apps:
        await app.close()


def number(text: str) -> str:
    found = re.search(r"\d{6}-\d{3}", text)
    assert found, text
    return found[0]


async def test_staff_are_never_reporters_and_only_residents_rate(play: Play) -> None:
    run = await play("staff_are_not_reporters.jsonl")
    for staff in ("gw-baxianlou-1", "cadre-baxianlou"):
        [same] = [t for t in run.to(staff, "reply") if "工作人员不作为反映人" in t]
        assert "261109-001（8号楼电梯故障" in same and "受理 261109-001" in same
        assert [t for t in run.to(staff, "reply") if "只有反映工单261109-001的居民" in t]
    assert await run.rows("SELECT user_id FROM ticket_reporter") == [("resident-liu",)]
    assert await run.rows("SELECT duplicate_count, state, satisfaction FROM ticket") == [(0, "closed", "基本满意")]
    [(rater,)] = await run.rows("SELECT actor FROM ticket_event WHERE action = 'rate'")
    assert rater == "resident-liu"


async def test_only_a_ticket_somebody_answered_can_be_rated(play: Play) -> None:
    run = await play("rating_needs_an_answer.jsonl")
    replies = run.to("resident-he", "reply")
    assert "已撤回" in replies[-1] and "没有可评价" in replies[-1]
    assert await run.rows("SELECT state, resolution, satisfaction, reopen_count FROM ticket WHERE no = '261110-001'") \
        == [("closed", "withdrawn", None, 0)]
    assert not [t for t in run.to("gw-chengliang-1") + run.to("sec-chengliang") if "261110-001" in t and "不满意" in t]
    _filed, early, reopened = run.to("resident-gu", "reply")
    assert "办结后才能评价" in early  # accepted, not resolved: nothing to rate yet
    assert "重新办理" in reopened  # once resolved, 不满意 reopens it
    assert await run.rows("SELECT state, reopen_count FROM ticket WHERE no = '261110-002'") == [("in_progress", 1)]


async def test_duplicates_are_the_same_object_and_fault_and_can_be_split(play: Play) -> None:
    run = await play("duplicates_by_object_and_fault.jsonl")
    group = run.in_chat("demo-gulou-1")
    assert "已登记工单261111-002" in group[1]  # the elevator is not the stair light of the same building
    assert "已并入工单261111-002（3号楼电梯故障" in group[2]  # 又停了 is the same broken elevator
    assert "已并入工单261111-001（3号楼楼道灯不亮" in group[3] and "不是同一问题 261111-001" in group[3]
    assert "摸黑" not in "".join(group)  # the group is told fields, never what was typed
    assert "拆分" in group[4] and "已登记工单261111-003" in group[4]
    assert "本人反映" in group[5] and "只有反映被并入" in group[6]
    assert await run.rows("SELECT no, duplicate_count FROM ticket ORDER BY no") == [
        ("261111-001", 0), ("261111-002", 1), ("261111-003", 0)]
    assert await run.rows("SELECT reporter_user, text FROM ticket WHERE no = '261111-003'") == [
        ("resident-zeng", "3号楼楼梯的灯不亮，晚上摸黑")]
    assert await run.rows(
        "SELECT t.no, r.user_id FROM ticket_reporter r JOIN ticket t ON t.id = r.ticket_id ORDER BY r.id") == [
        ("261111-001", "resident-song"), ("261111-002", "resident-tang"), ("261111-002", "resident-fang"),
        ("261111-003", "resident-zeng")]
