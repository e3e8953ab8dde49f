"""A duty reminder is sent at most once per person, duty and period, and never lost: not when the
run crashes half-way, not across a restart, not with two bot processes running at once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.services.work import Work
from scheduler.jobs import duty_reminders
from scheduler.runner import catch_up
from tests.conftest import Harness, local


def keys(sent: list) -> Counter[tuple[str | None, str]]:  # type: ignore[type-arg]
    return Counter((m.user_id, m.text) for m in sent)


async def test_a_crash_half_way_loses_nothing_and_the_rerun_doubles_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = harness.app.job_context
    now = local(2026, 12, 1, 9, 5)  # the first working day: every cadre owes November's 附件5
    harness.clock.set(now)
    real = Work.notify_once
    calls = 0

    async def crashing(self: Work, *args: object, **kwargs: object) -> bool:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("power cut")
        return await real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Work, "notify_once", crashing)
    with pytest.raises(RuntimeError):
        await duty_reminders(ctx, now)
    assert await harness.delivered() == []  # the three queued before the crash were rolled back

    monkeypatch.setattr(Work, "notify_once", real)
    await catch_up(harness.app.jobs, ctx)  # the restarted process catches up
    first = await harness.delivered()
    reports = [m for m in first if "附件5" in m.text]
    assert len(reports) >= 4 and max(keys(first).values()) == 1
    await duty_reminders(ctx, now)
    await catch_up(harness.app.jobs, ctx)  # and restarted again
    assert await harness.delivered() == []


async def test_two_processes_running_the_same_job_send_each_reminder_once(harness: Harness) -> None:
    ctx = harness.app.job_context
    now = local(2026, 12, 1, 9, 5)
    harness.clock.set(now)
    results = await asyncio.gather(duty_reminders(ctx, now), duty_reminders(ctx, now), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) <= 1  # SQLite may refuse the second writer; it then retries on its next run
    await duty_reminders(ctx, now)
    sent = await harness.delivered()
    assert [m for m in sent if "附件5" in m.text] and max(keys(sent).values()) == 1


async def test_reminders_stop_once_the_duty_is_met(harness: Harness) -> None:
    ctx = harness.app.job_context
    harness.clock.set(local(2026, 12, 1, 8, 50))
    await harness.say("cadre-baxianlou", "确认报表 2026-11")
    await harness.say("cadre-baxianlou", "确认")  # the blank items were shown; confirmed as it is
    harness.clock.set(local(2026, 12, 1, 9, 5))
    await duty_reminders(ctx, local(2026, 12, 1, 9, 5))
    harness.clock.set(local(2026, 12, 2, 9, 5))
    await duty_reminders(ctx, local(2026, 12, 2, 9, 5))
    sent = await harness.delivered()
    mine = [m for m in sent if m.user_id == "cadre-baxianlou" and "附件5" in m.text and "2026-11" in m.text]
    others = [m for m in sent if m.user_id == "cadre-mochi" and "附件5" in m.text and "2026-11" in m.text]
    assert mine == [] and len(others) == 2  # only those who have not confirmed are reminded


async def test_a_second_process_skips_a_job_the_first_is_running(harness: Harness) -> None:
    """PostgreSQL: the job's advisory lock. (SQLite serialises writers itself: one process only.)"""
    from scheduler.jobs import as_leader

    if not harness.app.db.is_postgres:
        pytest.skip("SQLite deployments run one bot process; BEGIN IMMEDIATE serialises writers")
    ctx, now = harness.app.job_context, local(2026, 12, 1, 9, 5)
    async with as_leader(ctx, now, "ticket_sweep") as first:
        async with as_leader(ctx, now, "ticket_sweep") as second:
            assert first is not None and second is None
        async with as_leader(ctx, now, "digests") as other_job:
            assert other_job is not None  # locks are per job
    async with as_leader(ctx, now, "ticket_sweep") as later:
        assert later is not None  # released with the transaction
