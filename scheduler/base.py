"""What a scheduled job is and what it gets. Jobs enter services and storage like handlers do, and
are idempotent: each notice is recorded in `sent_notice`, so running a job twice (a restart, a
second process, a catch-up run at start-up) sends nothing new."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot.clock import Clock
from bot.config import Settings
from bot.domain.duties import Duty
from bot.domain.workdays import WorkCalendar
from storage.db import Database

OFFICE_HOURS = (time(8, 30), time(18, 0))


@dataclass(frozen=True)
class JobContext:
    db: Database
    clock: Clock
    settings: Settings
    calendar: WorkCalendar
    people_platform: str
    duties: tuple[Duty, ...] = ()

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


JobFunc = Callable[[JobContext, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    name: str
    trigger: BaseTrigger
    func: JobFunc
