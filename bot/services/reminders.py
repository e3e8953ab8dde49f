"""Duty reminders: who is reminded of what, on which day, and the late list for the street.

`plan_day` is the one place that decides; `gridbot schedule list` prints its output and the
scheduled job sends it, each notice at most once per (duty, stage, period, person) through
`sent_notice`. A duty already met (by the records) produces nothing: no nagging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.areas import AreaBook
from bot.domain.duties import Duty, Period
from bot.domain.periods import span
from bot.domain.workdays import WorkCalendar
from bot.events import OutboundKind
from bot.i18n import N_, _, current_locale, render, using
from bot.services.languages import Languages
from bot.services.metrics import PeriodRecords, load_period, metric, missing_talks
from bot.services.work import Work
from storage import checkin_store, outbox_store
from storage.models import Person
from storage.roster_store import area_book, people_with_role

CATCH_UP = timedelta(days=3)  # a reminder missed while the bot was down still goes out this late


@dataclass(frozen=True)
class Planned:
    at: datetime
    duty: str  # duty id and stage, e.g. monthly_report.r2 or monthly_report.late
    period: str
    to: str  # im_user
    text: str
    kind: str = OutboundKind.reminder
    chart: tuple[object, ...] | None = None  # (stats, title) of a digest picture, drawn when sent
    lang: str | None = None  # the recipient's language, for the picture's labels

    def as_json(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "duty": self.duty, "period": self.period, "to": self.to,
                "text": self.text}


@dataclass(frozen=True)
class PlanContext:
    session: AsyncSession
    calendar: WorkCalendar
    duties: list[Duty]
    tz: object
    evening_hour: int


async def plan_day(ctx: PlanContext, day: date, *, catch_up_from: date | None = None,
                   until: datetime | None = None) -> list[Planned]:
    """Everything the duty calendar says should go out on `day` (working days only); with `until`,
    the duties whose hour is later are not worked out.

    With `catch_up_from`, a reminder whose day fell in [catch_up_from, day) is planned for `day`
    too, unless a later stage of the same duty already replaced it."""
    if not ctx.calendar.is_workday(day):
        return []
    planned: list[Planned] = []
    languages = await Languages.load(ctx.session)
    away = await checkin_store.on_leave(ctx.session, *span(day, day, ctx.tz))  # type: ignore[arg-type]
    people: dict[str, list[Person]] = {}
    cache: dict[tuple[str, str], PeriodRecords] = {}
    book = await area_book(ctx.session)
    for duty in ctx.duties:
        if until is not None and datetime.combine(day, time(duty.hour), ctx.tz) > until:  # type: ignore[arg-type]
            continue  # its reminders and late list are for later in the day
        for period in duty.periods_around(day):
            stage = _stage_for(duty, period, ctx.calendar, day, catch_up_from)
            due = duty.due_date(period, ctx.calendar)
            late_day = ctx.calendar.next_workday(due, include=False)
            if stage is None and not (duty.escalate_to and late_day == day):
                continue
            if duty.owner not in people:
                people[duty.owner] = await people_with_role(ctx.session, duty.owner)
            if "cadre" not in people:
                people["cadre"] = await people_with_role(ctx.session, "cadre")
            key = (duty.cadence, period.key)
            if key not in cache:
                cache[key] = await load_period(ctx.session, period, ctx.tz, ctx.evening_hour,  # type: ignore[arg-type]
                                               until=max(due, day))
            records = cache[key]

            def cadres_of(owner: Person, duty: Duty = duty) -> list[Person]:
                """The cadres inside the owner's own units (a talk reminder names no one else's)."""
                return [c for c in people["cadre"] if book.reaches_person(owner.id, duty.owner, c.id, "cadre")]

            owed = [p for p in people[duty.owner]
                    if p.im_user and metric(duty, records, p, cadres_of(p)) < duty.target]
            if stage is not None:
                at = datetime.combine(day, time(duty.hour), ctx.tz)  # type: ignore[arg-type]
                for person in owed:
                    if person.id in away:  # on leave that day, whatever period the reminder is about
                        continue
                    with using(languages.of(person.im_user)):  # each person in their language
                        text = _reminder_text(duty, period, due, records, person, cadres_of(person), day)
                    planned.append(Planned(at, f"{duty.id}.r{stage}", period.key, str(person.im_user), text))
            if duty.escalate_to and late_day == day and owed:
                planned.extend(await _late_list(ctx, duty, period, due, day, owed, languages, book))
    return sorted(planned, key=lambda p: (p.at, p.duty, p.to))


def _stage_for(duty: Duty, period: Period, calendar: WorkCalendar, day: date,
               catch_up_from: date | None) -> int | None:
    stages = duty.reminder_days(period, calendar)
    exact = [stage for stage, when in stages if when == day]
    if exact:
        return exact[0]
    if catch_up_from is None:
        return None
    earlier = [(when, stage) for stage, when in stages if when < day]
    if earlier and day <= duty.due_date(period, calendar):  # past the due day the late list speaks
        when, stage = max(earlier)
        if when >= catch_up_from:
            return stage
    return None


def _reminder_text(duty: Duty, period: Period, due: date, records: PeriodRecords, person: Person,
                   cadres: list[Person], day: date) -> str:
    title = duty.title(current_locale())
    value = metric(duty, records, person, cadres)
    if duty.metric == "report_confirmed":
        return _(
            "Reminder: {title} for {period} is due on {due}. It is filled in from your records; "
            "send “报表 {period}” to see it and “确认报表 {period}” to confirm it."
        ).format(title=title, period=period.key, due=_day(due))
    if duty.metric == "talk_coverage":
        names = "、".join(c.name for c in missing_talks(records, cadres)[:20])
        return _("Reminder: {title}. Not talked with yet this year: {names}. Record a talk with “谈话 <name>”.").format(
            title=title, names=names)
    return _("Reminder: {title}. {when} so far: {value}; {left}. The period ends on {due}.").format(
        title=title, when=period_words(duty.cadence, period, day), value=value,
        left=still_owed(duty.metric, duty.target - value), due=_day(due))


CADENCE_NOW = {"weekly": N_("This week"), "monthly": N_("This month"), "quarterly": N_("This quarter"),
               "yearly": N_("This year")}
CADENCE_PAST = {"weekly": N_("Last week"), "monthly": N_("Last month"), "quarterly": N_("Last quarter"),
                "yearly": N_("Last year")}


def period_words(cadence: str, period: Period, day: date) -> str:
    """“本周”, “本月”, “上月” …: how people name a period, never 2026-W48 or 2026-Q4."""
    words = CADENCE_NOW if period.first <= day <= period.last else CADENCE_PAST
    return _(words.get(cadence, N_("This period")))


def still_owed(metric: str, left: float) -> str:
    """“还差3天”, “还差1次”: what is missing, in the unit the duty counts."""
    n = max(0, int(left) if float(left).is_integer() else left)
    if metric == "days_in_community":
        return _("{n} more day(s) to go").format(n=n)
    return _("{n} more time(s) to go").format(n=n)


async def _late_list(ctx: PlanContext, duty: Duty, period: Period, due: date, day: date,
                     owed: list[Person], languages: Languages, book: AreaBook) -> list[Planned]:
    """The late list, to each boss (in their language) with the people inside the boss's own units only."""
    assert duty.escalate_to is not None
    at = datetime.combine(day, time(duty.hour, 30), ctx.tz)  # type: ignore[arg-type]
    out = []
    for boss in await people_with_role(ctx.session, duty.escalate_to):
        mine = [p for p in owed if book.reaches_person(boss.id, duty.escalate_to, p.id, duty.owner)]
        if not boss.im_user or not mine:
            continue
        names = "、".join(p.name for p in mine[:50]) + ("……" if len(mine) > 50 else "")

        def text(mine: list[Person] = mine, names: str = names) -> str:
            return _("Not done by {due}: {title} ({period}). {n} people: {names}. This is a reminder, "
                     "not a verdict.").format(due=_day(due), title=duty.title(current_locale()),
                                              period=period.key, n=len(mine), names=names)

        out.append(Planned(at, f"{duty.id}.late", period.key, str(boss.im_user),
                           render(text, languages.of(boss.im_user))))
    return out


def _day(day: date) -> str:
    return _("{month}/{day}").format(month=day.month, day=day.day)


async def send_due(work: Work, ctx: PlanContext) -> int:
    """Queue every planned notice of today whose hour has come; each at most once."""
    today = work.local().date()
    planned = [n for n in await plan_day(ctx, today, catch_up_from=today - CATCH_UP, until=work.now)
               if n.at <= work.now]
    done = await outbox_store.sent_keys(work.session, {(n.duty, n.period) for n in planned})
    sent = 0
    for notice in planned:
        if (notice.duty, notice.period, notice.to) in done:
            continue
        if await work.notify_once(notice.to, notice.text, duty=notice.duty, period=notice.period,
                                  kind=notice.kind):
            sent += 1
    return sent
