"""Running jobs: on APScheduler in production, on a simulated clock in replay and the demo.

Both use the same APScheduler triggers, so a transcript sees exactly the fire times production
would. Missed fire times (the process was down) are covered by a catch-up run at start-up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import MovableClock
from scheduler.base import Job, JobContext

log = logging.getLogger(__name__)
_TICK = timedelta(microseconds=1)


async def run_job(job: Job, ctx: JobContext, when: datetime | None = None) -> None:
    """Run one job at `when` (default: now), logging rather than raising so others still run."""
    when = when or ctx.clock.now()
    try:
        await job.func(ctx, when)
    except Exception:
        log.exception("job %s at %s failed", job.name, when.isoformat())


async def catch_up(jobs: list[Job], ctx: JobContext) -> None:
    """Run every job once now; idempotent jobs send only what is still owed."""
    for job in jobs:
        await run_job(job, ctx, ctx.clock.now())


class SimulatedScheduler:
    """Fires jobs in time order while a movable clock is moved forward."""

    def __init__(self, jobs: list[Job], ctx: JobContext, clock: MovableClock) -> None:
        self.jobs, self.ctx, self.clock = jobs, ctx, clock
        start = clock.now()
        self._next: dict[str, datetime | None] = {
            j.name: j.trigger.get_next_fire_time(None, start) for j in jobs
        }

    def skip_to(self, target: datetime) -> None:
        """The process was down until `target`: no fire time in between runs (start-up catch-up
        is the caller's business, as in production)."""
        if target > self.clock.now():
            self.clock.set(target)
        self._next = {j.name: j.trigger.get_next_fire_time(None, target) for j in self.jobs}

    async def advance_to(self, target: datetime) -> int:
        """Move the clock to `target`, running each fire time on the way; returns runs made."""
        runs = 0
        while True:
            due = [(t, j) for j in self.jobs if (t := self._next[j.name]) and t <= target]
            if not due:
                break
            when, job = min(due, key=lambda pair: (pair[0], pair[1].name))
            if when > self.clock.now():
                self.clock.set(when)
            await run_job(job, self.ctx, self.clock.now())
            runs += 1
            self._next[job.name] = job.trigger.get_next_fire_time(when, when + _TICK)
        if target > self.clock.now():
            self.clock.set(target)
        return runs


def start_scheduler(jobs: list[Job], ctx: JobContext) -> AsyncIOScheduler:
    """Production: APScheduler calls the jobs at their trigger times (no job store: jobs are
    code, and what was sent is in the database)."""
    scheduler = AsyncIOScheduler(timezone=ctx.tz)
    for job in jobs:
        scheduler.add_job(
            run_job, job.trigger, args=[job, ctx], id=job.name, coalesce=True,
            max_instances=1, misfire_grace_time=3600,
        )
    scheduler.start()
    return scheduler
