"""Jumps of the simulated clock (replay, the demo): jobs run where their rules say something is due,
not at every tick, and what goes out is exactly what a tick-by-tick run sends: nothing doubled,
nothing lost, whether the time is crossed in one jump or in many small ones."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.events import InboundMessage
from bot.transport.memory import MemoryTransport
from scheduler.runner import SimulatedScheduler
from tests.conftest import Harness, local

GROUP, OTHER = "demo-baxianlou-1", "demo-gulou-2"
Sent = list[tuple[str, str | None, str | None, str, datetime | None]]


async def _app(tmp_path: Path, name: str, start: datetime) -> tuple[App, FakeClock, MemoryTransport]:
    settings = load_settings(None, database__url=f"sqlite+aiosqlite:///{tmp_path}/{name}.db",
                             files_dir=tmp_path / name)
    clock, transport = FakeClock(start), MemoryTransport("demo")
    app = await build_app(settings, clock, {"demo": transport}, people_platform="demo", roster=demo_roster())
    return app, clock, transport


async def _say(app: App, n: int, user: str, text: str, chat: str | None = GROUP) -> None:
    await app.dispatcher.receive(InboundMessage(platform="demo", msg_id=f"m{n}", user_id=user, text=text,
                                                chat_id=chat))


async def _history(app: App) -> None:
    """Tickets in every state the sweep and the digests care about, a whistle to a department and a
    cadre on leave (so held-back reminders are caught up after it)."""
    lines = [
        ("resident-wang", "3号楼电梯坏了，老人下不了楼", GROUP),
        ("resident-li", "小区门口路灯不亮了好几天", OTHER),
        ("resident-zhang", "楼道里有人飞线充电，很危险", GROUP),
        ("resident-li", "5号楼下水道堵了，污水漫到路上", GROUP),
    ]
    for n, (user, text, chat) in enumerate(lines):
        await _say(app, n, user, text, chat)
    await _say(app, 10, "gw-baxianlou-1", "受理 261127-002")
    await _say(app, 11, "gw-baxianlou-1", "办结 261127-002 已清理")
    await _say(app, 12, "gw-baxianlou-1", "吹哨 261127-004 住建")
    await _say(app, 13, "cadre-gulou", "请假 2026-11-27 2026-12-01 病假", None)


async def _sent(app: App, transport: MemoryTransport) -> Sent:
    await app.outbox.flush()
    return sorted(((m.kind, m.user_id, m.chat_id, m.text, m.created_at) for m in transport.pop()),
                  key=lambda row: tuple("" if v is None else str(v) for v in row))  # a group and a private line


START, END = local(2026, 11, 27, 16, 0), local(2026, 12, 2, 10, 45)  # a weekend, a week and a month begin


async def test_one_jump_and_many_small_ones_send_what_every_tick_sends(tmp_path: Path) -> None:
    runs: dict[str, int] = {}
    sent: dict[str, Sent] = {}
    for name, steps, planned in (("ticks", 1, False), ("jump", 1, True), ("hops", 37, True)):
        app, clock, transport = await _app(tmp_path, name, START)
        try:
            await _history(app)
            jobs = app.jobs if planned else [dataclasses.replace(j, due=None) for j in app.jobs]
            scheduler = SimulatedScheduler(jobs, app.job_context, clock)
            runs[name] = 0
            for i in range(1, steps + 1):
                runs[name] += await scheduler.advance_to(START + (END - START) * i / steps)
            sent[name] = await _sent(app, transport)
        finally:
            await app.close()
    kinds = {kind for kind, *_rest in sent["ticks"]}
    assert {"notice", "reminder", "digest"} <= kinds  # the window holds all that can go wrong
    assert sent["jump"] == sent["ticks"]
    assert sent["hops"] == sent["ticks"]
    assert runs["jump"] * 10 < runs["ticks"]  # the point: a jump costs the runs that do something


async def test_a_long_gap_runs_only_where_something_is_due_and_reminds_once_per_period(harness: Harness) -> None:
    await harness.say("resident-wang", "3号楼电梯坏了", chat=GROUP)
    scheduler = SimulatedScheduler(harness.app.jobs, harness.app.job_context, harness.clock)
    runs = await scheduler.advance_to(harness.clock.now() + timedelta(days=45))
    assert runs < 45 * 96 / 20  # the sweep alone ticks 96 times a day
    sent = await harness.delivered()
    overdue = [m for m in sent if m.user_id == "sec-baxianlou" and "督办" in m.text]
    assert len(overdue) == 1  # the ticket's one deadline, flagged once
    weekly = [harness.app.job_context.local(m.created_at) for m in sent  # type: ignore[arg-type]
              if m.user_id == "cadre-baxianlou" and "夜访" in m.text]
    weeks = [(d.isocalendar().year, d.isocalendar().week) for d in weekly]
    assert len(weeks) == len(set(weeks)) >= 6  # every week, never twice (holiday weeks aside)


@pytest.mark.parametrize("split", [timedelta(minutes=1), timedelta(hours=5)])
async def test_a_reminder_due_inside_a_jump_goes_out_at_its_own_time(harness: Harness, split: timedelta) -> None:
    """A P0 ticket nobody accepts: the secretary hears at 30 minutes, whatever the jumps."""
    harness.clock.set(local(2026, 12, 5, 22, 0))  # a Saturday night: P0 runs around the clock
    await harness.say("resident-wang", "3号楼着火了，有人困在里面", chat=GROUP)
    await harness.delivered()
    scheduler = SimulatedScheduler(harness.app.jobs, harness.app.job_context, harness.clock)
    target = local(2026, 12, 6, 3, 0)
    while harness.clock.now() < target:
        await scheduler.advance_to(min(harness.clock.now() + split, target))
    alerts = [m for m in await harness.delivered() if m.user_id == "sec-baxianlou" and "P0" in m.text]
    assert [harness.app.job_context.local(m.created_at) for m in alerts] == [local(2026, 12, 5, 22, 30)]  # type: ignore[arg-type]


async def test_the_red_lines_are_planned_and_raised_by_one_rule(harness: Harness) -> None:
    """A 四必到 ticket nobody visits and nobody answers crosses both red lines: the street hears of
    each once, and the digests job is not woken again for a line it will never raise (it ran at
    every fire time, six a working day, when the plan and the sender read the rule apart)."""
    harness.clock.set(local(2026, 12, 1, 9, 0))
    await harness.say("resident-zhang", "7号楼两户邻居因为停车位吵架，调解不了", chat=GROUP)  # a dispute: 四必到
    await harness.delivered()
    ran: list[datetime] = []
    jobs = []
    for job in harness.app.jobs:
        if job.name == "digests":
            async def counted(ctx, now, func=job.func):  # type: ignore[no-untyped-def]
                ran.append(now)
                await func(ctx, now)
            job = dataclasses.replace(job, func=counted)
        jobs.append(job)
    scheduler = SimulatedScheduler(jobs, harness.app.job_context, harness.clock)
    await scheduler.advance_to(local(2026, 12, 31, 12, 0))
    lines = [m.text for m in await harness.delivered() if m.user_id == "street-secretary" and "指标" in m.text]
    assert len([t for t in lines if "四必到" in t]) == 1, lines
    assert len([t for t in lines if "超期" in t]) == 1
    assert len(ran) < 2 * 22  # the morning digest and a weekly or monthly one, not every half hour
