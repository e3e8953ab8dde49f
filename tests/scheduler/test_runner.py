"""Scheduled jobs on the simulated clock: fire times, once per period, office hours only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.transport.memory import MemoryTransport
from scheduler.base import Job, JobContext
from scheduler.runner import SimulatedScheduler, catch_up
from tests.conftest import TZ, Harness, local


async def test_jobs_fire_in_order_on_the_simulated_clock(harness: Harness) -> None:
    seen: list[tuple[str, datetime]] = []

    def recorder(name: str):  # type: ignore[no-untyped-def]
        async def job(ctx: JobContext, when: datetime) -> None:
            seen.append((name, ctx.local(when)))

        return job

    jobs = [
        Job("daily-9", CronTrigger(hour=9, minute=30, timezone=TZ), recorder("daily-9")),
        Job("hourly", CronTrigger(minute=0, timezone=TZ), recorder("hourly")),
    ]
    scheduler = SimulatedScheduler(jobs, harness.app.job_context, harness.clock)
    runs = await scheduler.advance_to(local(2026, 11, 2, 11, 15))
    assert runs == 4
    assert seen == [
        ("hourly", local(2026, 11, 2, 9, 0)),
        ("daily-9", local(2026, 11, 2, 9, 30)),
        ("hourly", local(2026, 11, 2, 10, 0)),
        ("hourly", local(2026, 11, 2, 11, 0)),
    ]
    assert harness.clock.now() == local(2026, 11, 2, 11, 15)
    assert await scheduler.advance_to(local(2026, 11, 2, 11, 59)) == 0


async def test_calendar_watch_reminds_admins_weekly_in_office_hours(harness: Harness) -> None:
    scheduler = SimulatedScheduler(harness.app.jobs, harness.app.job_context, harness.clock)
    await scheduler.advance_to(local(2026, 11, 16, 10, 0))  # into the third week of November
    sent = [m for m in await harness.delivered() if m.user_id == "admin"]  # duty reminders go elsewhere
    assert [(m.user_id, m.kind, harness.app.job_context.local(m.created_at).date().isoformat())
            for m in sent if m.created_at] == [
        ("admin", "reminder", "2026-11-02"),
        ("admin", "reminder", "2026-11-09"),
        ("admin", "reminder", "2026-11-16"),
    ]
    assert "2027" in sent[0].text and "holidays_file" in sent[0].text


async def test_catch_up_after_a_restart_sends_only_what_is_still_owed(harness: Harness) -> None:
    ctx = harness.app.job_context
    harness.clock.set(local(2026, 11, 3, 3, 0))
    await catch_up(harness.app.jobs, ctx)  # 3 a.m.: nobody is reminded at night
    assert await harness.delivered() == []
    harness.clock.set(local(2026, 11, 3, 10, 0))
    await catch_up(harness.app.jobs, ctx)
    first = await harness.delivered()
    await catch_up(harness.app.jobs, ctx)  # restarted twice: nothing is sent again
    assert [m for m in first if m.user_id == "admin"] and await harness.delivered() == []


async def test_no_calendar_reminder_once_next_year_is_loaded(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text('holidays = ["2027-01-01"]\ncomplete_years = [2027]\n', encoding="utf-8")
    settings = load_settings(None, database__url=f"sqlite:///{tmp_path}/c.db",
                             calendar__holidays_file=str(holidays))
    clock = FakeClock(local(2026, 11, 2, 8, 0))
    transport = MemoryTransport("demo")
    app = await build_app(settings, clock, {"demo": transport}, people_platform="demo",
                          roster=demo_roster())
    try:
        await SimulatedScheduler(app.jobs, app.job_context, clock).advance_to(local(2026, 11, 10, 12))
        await app.outbox.flush()
        assert [m for m in transport.sent if m.user_id == "admin"] == []
    finally:
        await app.close()
