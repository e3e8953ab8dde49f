"""Running jobs: on APScheduler in production, on a simulated clock in replay and the demo.

Both use the same APScheduler triggers, so a transcript sees exactly the fire times production
would. Missed fire times (the process was down) are covered by a catch-up run at start-up."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import MovableClock
from scheduler.base import Job, JobContext, Window

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


Progress = Callable[[datetime], Awaitable[None]]


class SimulatedScheduler:
    """Fires jobs in time order while a movable clock is moved forward: the one mechanism behind
    `gridbot replay` and the demo clock.

    A jump does not walk every fire time: a job with a `due` function is asked when it next has
    something to do, and runs at the first fire time of its trigger at or after that, exactly
    where production would have acted, so nothing is lost; idempotent jobs and `sent_notice` keep
    a run from doubling anything. After a run, the job and those its run may change (`affects`)
    are planned again. A 10-year gap costs the runs that do something, not 350,000 ticks."""

    def __init__(self, jobs: list[Job], ctx: JobContext, clock: MovableClock) -> None:
        self.jobs, self.ctx, self.clock = jobs, ctx, clock
        start = clock.now()
        # the first moment not yet looked at, per job
        self._from: dict[str, datetime] = {j.name: start for j in jobs}
        self._ran: dict[str, datetime] = {}

    def restart(self) -> None:
        """Start over from the clock's time, which may be earlier (the demo's reset)."""
        self._from = {j.name: self.clock.now() for j in self.jobs}
        self._ran = {}

    def skip_to(self, target: datetime) -> None:
        """The process was down until `target`: no fire time in between runs (start-up catch-up
        is the caller's business, as in production)."""
        if target > self.clock.now():
            self.clock.set(target)
        self._from = {j.name: max(target, self._from[j.name]) for j in self.jobs}

    async def _plan(self, job: Job, target: datetime) -> datetime | None:
        """When `job` runs next within the jump (None: not before `target`)."""
        fire = job.trigger.get_next_fire_time(None, self._from[job.name])
        if fire is None or fire > target or job.due is None:
            return fire
        due = await job.due(self.ctx, Window(fire, target, self._ran.get(job.name)))
        if due is None or due > target:
            return None
        return fire if due <= fire else job.trigger.get_next_fire_time(None, due)

    async def advance_to(self, target: datetime, progress: Progress | None = None) -> int:
        """Move the clock to `target`, running each job where it has work on the way; returns runs
        made. `progress` is awaited with the clock's time after each run (the demo shows it)."""
        runs = 0
        plans: dict[str, datetime | None] = {}
        while True:
            for job in self.jobs:
                if job.name not in plans:
                    plans[job.name] = await self._plan(job, target)
            due = [(when, job) for job in self.jobs if (when := plans[job.name]) is not None and when <= target]
            if not due:
                break
            when, job = min(due, key=lambda pair: (pair[0], pair[1].name))
            if when > self.clock.now():
                self.clock.set(when)
            await run_job(job, self.ctx, self.clock.now())
            runs += 1
            self._from[job.name], self._ran[job.name] = when + _TICK, when
            for name in (job.name, *job.affects):  # what the run may have changed is planned again
                plans.pop(name, None)
            if progress is not None:
                await progress(self.clock.now())
        after = target + _TICK  # every job was looked at up to `target`, with the records as they are
        self._from = {name: max(after, start) for name, start in self._from.items()}
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
