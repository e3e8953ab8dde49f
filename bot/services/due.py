"""When a scheduled job next has something to do, read from its rules and the records: the
simulated clock (replay, the demo) runs a job only then instead of at every fire time of its
trigger, so a month's jump costs the runs that send something.

Each function answers the earliest time in [after, until] at which its job may act, or None. It may
answer too early (the job runs and finds nothing), never too late: these mirror the conditions in
bot.services.sweep, reminders and digests, and tests/scheduler/test_jumps.py holds them to a
tick-by-tick run."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import deadlines
from bot.domain.duties import Duty
from bot.domain.periods import month_days
from bot.domain.tickets import State
from bot.domain.workdays import WorkCalendar
from bot.services.digests import (
    MONTHLY,
    MORNING,
    RANKING,
    RED_LINES,
    WEEKLY,
    first_workday,
    on_day,
    red_lines_crossed,
    street_communities,
)
from bot.services.reminders import CATCH_UP
from bot.services.sweep import DUE_SOON
from storage import checkin_store, outbox_store, ticket_store

_TICK = timedelta(microseconds=1)
OfficeTime = Callable[[datetime], datetime]  # the earliest office-hours moment at or after a time


def since(after: datetime, last_run: datetime | None) -> datetime:
    """What a calendar job may still owe starts after its last run; before its first run, with
    the catch-up window (a run sends what fell due in the last days and was not sent)."""
    return last_run + _TICK if last_run is not None else after - CATCH_UP


def _earliest(times: Iterable[datetime | None], after: datetime, until: datetime) -> datetime | None:
    inside = [max(t, after) for t in times if t is not None and t <= until]
    return min(inside, default=None)


async def sweep_due(session: AsyncSession, calendar: WorkCalendar, tz: ZoneInfo, office: OfficeTime,
                    after: datetime, until: datetime) -> datetime | None:
    """催办, 督办, auto-close and late departments: each open ticket's next threshold not yet acted
    on (P0 around the clock, the rest in office hours)."""
    tickets = await ticket_store.open_tickets(session)
    if not tickets:
        return None
    keys: set[tuple[str, str]] = set()
    for t in tickets:
        keys |= {("ticket_accept", t.no), ("ticket_p0_unaccepted", t.no)}
        if t.due_at is not None:
            period = f"{t.no}@{t.due_at.astimezone(tz):%Y%m%d}"
            keys |= {("ticket_due_soon", period), ("ticket_overdue", period)}
    sent = {(duty, period) for duty, period, _who in await outbox_store.sent_keys(session, keys)}
    times: list[datetime | None] = []
    for t in tickets:
        gate = (lambda when: when) if t.urgency == "P0" else office
        unsent = ("ticket_accept", t.no) not in sent or (
            t.urgency == "P0" and ("ticket_p0_unaccepted", t.no) not in sent)
        if t.state == State.reported and t.accept_due_at is not None and unsent:
            times.append(gate(max(t.accept_due_at, after)))
        if t.due_at is not None and t.state not in (State.resolved, State.closed, State.escalated):
            period = f"{t.no}@{t.due_at.astimezone(tz):%Y%m%d}"
            if ("ticket_due_soon", period) not in sent:
                soon = gate(max(t.due_at - DUE_SOON, after))
                if soon < t.due_at:
                    times.append(soon)
            if ("ticket_overdue", period) not in sent:
                times.append(gate(max(t.due_at, after)))
        if t.state == State.resolved and t.resolved_at is not None:
            limit = deadlines.working_deadline(calendar, t.resolved_at, deadlines.AUTO_CLOSE_WORKING_DAYS, tz)
            times.append(gate(max(limit + _TICK, after)))
    for escalation in await ticket_store.pending_escalations(session):
        times.append(office(max(escalation.feedback_due + _TICK, after)))
    return _earliest(times, after, until)


def reminders_due(duties: Iterable[Duty], calendar: WorkCalendar, tz: ZoneInfo, since: datetime,
                  after: datetime, until: datetime, *, catch_up: bool) -> datetime | None:
    """The next reminder day or late-list day of any duty, at its hour. With `catch_up` (someone
    was on leave, so a reminder held back may go out on a later day), the following days of each
    reminder's catch-up window count too."""
    duties = list(duties)
    if not duties:
        return None
    day, last = since.astimezone(tz).date(), until.astimezone(tz).date()
    while day <= last:
        if calendar.is_workday(day):
            times = []
            for duty in duties:
                for period in duty.periods_around(day):
                    due = duty.due_date(period, calendar)
                    for _stage, when in duty.reminder_days(period, calendar):
                        if when == day or (catch_up and when < day <= due and day - when <= CATCH_UP):
                            times.append(datetime.combine(day, time(duty.hour), tz))
                    if duty.escalate_to and calendar.next_workday(due, include=False) == day:
                        times.append(datetime.combine(day, time(duty.hour, 30), tz))
            found = _earliest([t for t in times if t >= since], after, until)
            if found is not None:
                return found
        day += timedelta(days=1)
    return None


async def anyone_on_leave(session: AsyncSession, start: datetime, end: datetime) -> bool:
    return bool(await checkin_store.on_leave(session, start, end))


async def told(session: AsyncSession, duty: str, period: str) -> bool:
    """Someone was sent `duty` for `period` already."""
    return bool(await outbox_store.sent_keys(session, {(duty, period)}))


async def delivery_failures(session: AsyncSession, day: str) -> tuple[bool, bool]:
    """(some message's retries are spent, admins were told on `day` already)."""
    failures = bool(await outbox_store.failed(session, limit=1))
    told = bool(await outbox_store.sent_keys(session, {("delivery_failures", day)})) if failures else False
    return failures, told


async def digests_due(session: AsyncSession, calendar: WorkCalendar, tz: ZoneInfo, office: OfficeTime,
                      since: datetime, after: datetime, until: datetime) -> datetime | None:
    """The digests' own times on working days: 08:30 when the morning digest has something to
    say (a ticket filed since the last one, an overdue or a whistled open ticket); 09:00 on a
    week's first working day; 09:30 and 10:30 on a month's, 10:00 on a quarter's and on
    December's last; and the ticket red lines (四必到 without a visit after 24 hours, 5 working
    days overdue) from 09:00."""
    tickets = [t for t in await ticket_store.open_facts(session) if t.duplicate_of_id is None]
    red = await _red_line_times(session, calendar, tz, office, tickets)
    filed = await ticket_store.latest_filed(session)
    escalated = any(t.state == State.escalated for t in tickets)
    overdue_from = min((t.due_at for t in tickets if t.due_at is not None), default=None)
    day, last = since.astimezone(tz).date(), until.astimezone(tz).date()
    while day <= last:
        if calendar.is_workday(day):
            morning = on_day(day, MORNING, tz)
            previous = on_day(calendar.previous_workday(day, include=False), MORNING, tz)
            times = []
            if escalated or (overdue_from is not None and overdue_from < morning) or (
                    filed is not None and previous <= filed < morning):
                times.append(morning)
            monday = day - timedelta(days=day.weekday())
            if first_workday(monday, monday + timedelta(days=6), calendar) == day:
                times.append(on_day(day, WEEKLY, tz))
            if first_workday(*month_days(day.year, day.month), calendar) == day:
                times += [on_day(day, MONTHLY, tz), on_day(day, RED_LINES, tz)]
                if day.month in (1, 4, 7, 10):
                    times.append(on_day(day, RANKING, tz))
            if day == calendar.previous_workday(date(day.year, 12, 31)):
                times.append(on_day(day, RANKING, tz))
            found = _earliest([t for t in times if t >= since], after, until)
            if found is not None:
                return _earliest([found, *red], after, until)
        day += timedelta(days=1)
    return _earliest(red, after, until)


async def _red_line_times(session: AsyncSession, calendar: WorkCalendar, tz: ZoneInfo,
                          office: OfficeTime, tickets: list[ticket_store.TicketFacts]) -> list[datetime | None]:
    """The moments the digests' red lines (bot.services.digests.red_lines_crossed) still owe a
    street secretary a word; a ticket no street secretary reads owes nobody one."""
    covered = await street_communities(session)
    tickets = [t for t in tickets if t.community_id is not None and (covered is None or t.community_id in covered)]
    crossed = [(t, kind, when) for t in tickets for kind, when in red_lines_crossed(t, calendar, tz)]
    if not crossed:
        return []
    sent = {(duty, period) for duty, period, _who in
            await outbox_store.sent_keys(session, {(f"redline.{kind}", t.no) for t, kind, _when in crossed})}
    return [_from_nine(when, tz, office) for t, kind, when in crossed if (f"redline.{kind}", t.no) not in sent]


def _from_nine(when: datetime, tz: ZoneInfo, office: OfficeTime) -> datetime:
    """Ticket red lines go out with the digests from 09:00 on a working day."""
    when = office(when)
    nine = datetime.combine(when.astimezone(tz).date(), time(9), tz)
    return max(when, nine)

