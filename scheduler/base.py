"""What a scheduled job is and what it gets. Jobs enter services and storage like handlers do, and
are idempotent: each notice is recorded in `sent_notice`, so running a job twice (a restart, a
second process, a catch-up run at start-up) sends nothing new."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot.clock import Clock
from bot.config import Settings
from bot.domain.duties import Duty
from bot.domain.workdays import WorkCalendar
from storage.db import Database

if TYPE_CHECKING:
    from bot.services.photos import PhotoDesk

OFFICE_HOURS = (time(8, 30), time(18, 0))


@dataclass(frozen=True)
class JobContext:
    db: Database
    clock: Clock
    settings: Settings
    calendar: WorkCalendar
    people_platform: str
    duties: tuple[Duty, ...] = ()
    photos: PhotoDesk | None = None  # pictures on tickets (their retention)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def office_hours(self, when: datetime) -> bool:
        """Reminders go out on working days in office hours, never at 3 a.m. after a restart."""
        local = self.local(when)
        start, end = OFFICE_HOURS
        return self.calendar.is_workday(local.date()) and start <= local.time() <= end

    def next_office_time(self, when: datetime) -> datetime:
        """`when` itself in office hours, else the start of the next office day (a working day's
        08:30): the earliest a job gated by office hours can act on something due at `when`."""
        if self.office_hours(when):
            return when
        local = self.local(when)
        day = local.date()
        opening = datetime.combine(day, OFFICE_HOURS[0], self.tz)
        if not (self.calendar.is_workday(day) and local < opening):
            day = self.calendar.next_workday(day + timedelta(days=1))
        return datetime.combine(day, OFFICE_HOURS[0], self.tz)


JobFunc = Callable[[JobContext, datetime], Awaitable[None]]
# (ctx, window) -> the earliest time in [window.after, window.until] at which the job may have
# something to do, judged from its schedule and the records now; None when nothing is due in that
# window. It may say too early (the job then runs and finds nothing), never too late: a run it
# skips would have done nothing.
DueFunc = Callable[[JobContext, "Window"], Awaitable[datetime | None]]


@dataclass(frozen=True)
class Window:
    """What the simulated clock asks a job about: `after` is its next fire time not yet looked at,
    `until` the end of the jump, `last_run` when it last ran (None: not since the clock started;
    a job sends at each run everything due by then, so what was due by `last_run` is done)."""

    after: datetime
    until: datetime
    last_run: datetime | None = None


@dataclass(frozen=True)
class Job:
    name: str
    trigger: BaseTrigger
    func: JobFunc
    due: DueFunc | None = None  # None: every fire time of the trigger may have work
    affects: tuple[str, ...] = ()  # other jobs whose `due` reads what this job writes
