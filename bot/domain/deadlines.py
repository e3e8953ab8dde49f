"""Time limits (domain.md §6.3), counted in working days where the spec says so. A working-day
deadline ends with its day (民法典 §203: the last day ends at 24:00)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.workdays import WorkCalendar

FEEDBACK_WORKING_DAYS = 3  # 吹哨报到: departments answer within 3 working days
MAX_EXTENSION_DAYS = 10
AUTO_CLOSE_WORKING_DAYS = 3  # resolved and not rated for this long: closed as solved
DUPLICATE_WINDOW = timedelta(hours=72)
OFFICE_START = time(8, 30)
OFFICE_END = time(17, 30)


@dataclass(frozen=True)
class Limits:
    accept: timedelta | None  # wall-clock time to accept, or None for "next working day"
    resolve_working_days: int  # 0: the same day


LIMITS = {
    "P0": Limits(timedelta(minutes=30), 0),
    "P1": Limits(timedelta(hours=1), 2),
    "P2": Limits(None, 5),
    "P3": Limits(None, 3),
}


def end_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tz)


def working_deadline(calendar: WorkCalendar, start: datetime, days: int, tz: ZoneInfo) -> datetime:
    """End of the `days`-th working day after `start` (the start day never counts)."""
    return end_of(calendar.add_working_days(start.astimezone(tz).date(), days), tz)


def accept_due(calendar: WorkCalendar, filed: datetime, urgency: str, tz: ZoneInfo) -> datetime:
    limits = LIMITS[urgency]
    local = filed.astimezone(tz)
    if limits.accept is None:
        return working_deadline(calendar, filed, 1, tz)
    if urgency == "P0":
        return filed + limits.accept  # 24×7
    # P1: within an hour in office hours, otherwise by 09:30 of the next working day.
    in_hours = calendar.is_workday(local.date()) and OFFICE_START <= local.time() <= OFFICE_END
    if in_hours:
        return filed + limits.accept
    day = local.date() if local.time() < OFFICE_START else local.date() + timedelta(days=1)
    return datetime.combine(calendar.next_workday(day), OFFICE_START, tz) + limits.accept


def resolve_due(calendar: WorkCalendar, filed: datetime, urgency: str, tz: ZoneInfo) -> datetime:
    days = LIMITS[urgency].resolve_working_days
    if days == 0:
        return end_of(filed.astimezone(tz).date(), tz)
    return working_deadline(calendar, filed, days, tz)


def feedback_due(calendar: WorkCalendar, whistled: datetime, tz: ZoneInfo) -> datetime:
    return working_deadline(calendar, whistled, FEEDBACK_WORKING_DAYS, tz)


def escalated_due(own_due: datetime | None, department_due: datetime) -> datetime:
    """The deadline of a ticket whistled to a department (吹哨): while the department's clock
    runs the ticket is measured by it, so an earlier deadline of its own does not make it overdue
    before the department's answer is due; a later one of its own still stands."""
    return department_due if own_due is None else max(own_due, department_due)
