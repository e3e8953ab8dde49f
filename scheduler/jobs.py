"""The scheduled jobs. Each runs at its trigger times and once at start-up (catch-up)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import _
from bot.services import due
from bot.services.digests import send_digests
from bot.services.health import alert_admins
from bot.services.reminders import PlanContext, send_due
from bot.services.sweep import sweep
from bot.services.work import Work
from scheduler.base import Job, JobContext, Window
from storage.db import leader_lock
from storage.roster_store import people_with_role


async def calendar_watch(ctx: JobContext, now: datetime) -> None:
    """From 1 November, tell admins weekly (on a working day) while next year's holiday
    arrangement is not loaded: deadlines after New Year would otherwise be provisional guesses."""
    local = ctx.local(now)
    next_year = local.year + 1
    if local.month < 11 or ctx.calendar.knows_year(next_year) or not ctx.office_hours(now):
        return
    iso = local.isocalendar()
    period = f"{iso.year}-W{iso.week:02d}"
    def text() -> str:  # in each admin's language
        return _(
            "The holiday calendar for {year} is not loaded yet, so deadlines in {year} count "
            "Monday to Friday only. When the State Council notice is out, upgrade chinesecalendar "
            "or add the days to [calendar] holidays_file."
        ).format(year=next_year)

    async with ctx.db.transaction() as session:
        work = Work(session, now, ctx.tz, ctx.calendar, ctx.people_platform)
        for admin in await people_with_role(session, "admin"):
            if admin.im_user:
                await work.notify_once(admin.im_user, text, duty="calendar_data", period=period)


@asynccontextmanager
async def as_leader(ctx: JobContext, now: datetime, job: str) -> AsyncIterator[Work | None]:
    """The job's unit of work, or None when another bot process is running the same job now (it
    holds the job's lock until its transaction ends), so points, closures and notices happen once."""
    async with ctx.db.transaction() as session:
        if not await leader_lock(session, job):
            yield None
            return
        yield Work(session, now, ctx.tz, ctx.calendar, ctx.people_platform)


async def ticket_sweep(ctx: JobContext, now: datetime) -> None:
    """催办, 督办, late department feedback, auto-close: see bot.services.sweep."""
    async with as_leader(ctx, now, "ticket_sweep") as work:
        if work is not None:
            await sweep(work, office_hours=ctx.office_hours(now))


def plan_context(ctx: JobContext, session: AsyncSession) -> PlanContext:
    return PlanContext(session, ctx.calendar, list(ctx.duties), ctx.tz, ctx.settings.duties.evening_hour)


async def duty_reminders(ctx: JobContext, now: datetime) -> None:
    """The duty calendar's reminders and late lists whose hour has come (see services.reminders)."""
    if not ctx.office_hours(now):
        return
    async with as_leader(ctx, now, "duty_reminders") as work:
        if work is not None:
            await send_due(work, plan_context(ctx, work.session))


async def digests(ctx: JobContext, now: datetime) -> None:
    """Secretaries' digests, rankings and red-line indicators (see services.digests)."""
    if not ctx.office_hours(now):
        return
    async with as_leader(ctx, now, "digests") as work:
        if work is not None:
            await send_digests(work, ctx)


async def delivery_watch(ctx: JobContext, now: datetime) -> None:
    """Once a working day, tell admins about messages whose retries are spent and channels that keep
    failing (where and why, never what they said), over a channel that works when there is one, so an
    expired secret or a removed chat is noticed."""
    if not ctx.office_hours(now):
        return
    await alert_admins(ctx.db, ctx.settings, ctx.people_platform, now, ctx.local(now).date().isoformat())


async def calendar_watch_due(ctx: JobContext, window: Window) -> datetime | None:
    """Working days from 1 November of a year whose next year is not loaded, once a week."""
    after, until = window.after, window.until
    day, last = ctx.local(after).date(), ctx.local(until).date()
    while day <= last:
        if day.month < 11 or ctx.calendar.knows_year(day.year + 1):
            day = date(day.year, 11, 1) if day.month < 11 else date(day.year + 1, 11, 1)
            continue
        if ctx.calendar.is_workday(day):
            iso = day.isocalendar()
            async with ctx.db.read() as session:
                told = await due.told(session, "calendar_data", f"{iso.year}-W{iso.week:02d}")
            if not told:
                when = max(after, ctx.next_office_time(datetime.combine(day, time(0), ctx.tz)))
                return when if when <= until else None
            day += timedelta(days=7 - day.weekday())  # next Monday
            continue
        day += timedelta(days=1)
    return None


async def sweep_due(ctx: JobContext, window: Window) -> datetime | None:
    async with ctx.db.read() as session:
        return await due.sweep_due(session, ctx.calendar, ctx.tz, ctx.next_office_time, window.after,
                                   window.until)


async def delivery_watch_due(ctx: JobContext, window: Window) -> datetime | None:
    """Only while some message's retries are spent; once told today, tomorrow."""
    after, until = window.after, window.until
    today = ctx.local(after).date()
    async with ctx.db.read() as session:
        failures, told = await due.delivery_failures(session, today.isoformat())
    if not failures:
        return None
    if told:
        after = datetime.combine(today + timedelta(days=1), time(0), ctx.tz)
    when = ctx.next_office_time(after)
    return when if when <= until else None


async def duty_reminders_due(ctx: JobContext, window: Window) -> datetime | None:
    since = due.since(window.after, window.last_run)
    async with ctx.db.read() as session:
        leave = await due.anyone_on_leave(session, since - due.CATCH_UP, window.until)
    return due.reminders_due(ctx.duties, ctx.calendar, ctx.tz, since, window.after, window.until,
                             catch_up=leave)


async def digests_due(ctx: JobContext, window: Window) -> datetime | None:
    async with ctx.db.read() as session:
        return await due.digests_due(session, ctx.calendar, ctx.tz, ctx.next_office_time,
                                     due.since(window.after, window.last_run), window.after, window.until)


async def photo_purge(ctx: JobContext, now: datetime) -> None:
    """Retention of photos on tickets (`[media] keep_days` after closing; never while open): the
    rows go in the job's transaction, the pictures from the store once it is committed."""
    if ctx.photos is None:
        return
    async with as_leader(ctx, now, "photo_purge") as work:
        keys = await ctx.photos.expire(work) if work is not None else []
    await ctx.photos.drop(keys)


async def photo_purge_due(ctx: JobContext, window: Window) -> datetime | None:
    """At its next run while any photo is kept (it may find none expired)."""
    if ctx.photos is None:
        return None
    async with ctx.db.read() as session:
        return window.after if await ctx.photos.kept(session) else None


def all_jobs(ctx: JobContext) -> list[Job]:
    tz = ctx.tz
    hours = ",".join(str(h) for h in sorted({d.hour for d in ctx.duties} or {9}))  # the calendar's hours only
    return [
        Job("calendar_watch", CronTrigger(hour=9, minute=0, timezone=tz), calendar_watch, calendar_watch_due),
        # the sweep closes and flags tickets, which the digests' red lines read
        Job("ticket_sweep", CronTrigger(minute="*/15", timezone=tz), ticket_sweep, sweep_due, ("digests",)),
        Job("delivery_watch", CronTrigger(hour="9-17", minute=45, timezone=tz), delivery_watch,
            delivery_watch_due),
        Job("duty_reminders", CronTrigger(hour=hours, minute=5, timezone=tz), duty_reminders,
            duty_reminders_due),
        # the digests' own times (08:30 daily, 09:00 weekly, 09:30 monthly, 10:00 rankings, 10:30 red lines)
        Job("digests", CronTrigger(hour="8-10", minute="0,30", timezone=tz), digests, digests_due),
        Job("photo_purge", CronTrigger(hour=3, minute=40, timezone=tz), photo_purge, photo_purge_due),
    ]
