"""Digests for secretaries and the red-line indicators for the street secretary.

- every working day at 08:30: new, overdue and escalated tickets of the secretary's area;
- the first working day of a week: last week's numbers;
- the first working day of a month: last month by category with a chart picture;
- the first working day of a quarter: the cadre ranking (street secretary);
- the last working day of December: the departments' 吹哨报到 points ranking;
- red lines (indicators, never verdicts): a month under 10 days without leave, a 2nd/3rd absence
  in a year (monthly), and 四必到 tickets without an on-site check or long overdue (daily, once each).

`plan_digests` decides (also for `gridbot schedule list`); `send_digests` queues what is due,
each at most once per (digest, period, person)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.categories import category
from bot.domain.duties import Period
from bot.domain.periods import month_days, quarter_days, span
from bot.domain.points import standings
from bot.domain.ranking import CadreQuarter, rank, without_data
from bot.domain.tickets import OPEN, SATISFIED, State, resolved_on_time
from bot.domain.workdays import WorkCalendar
from bot.events import OutboundKind
from bot.i18n import N_, _, current_locale, using
from bot.services.charts import CategoryStat, render_month_chart
from bot.services.languages import Languages
from bot.services.metrics import load_period
from bot.services.reminders import CATCH_UP, Planned
from bot.services.reports import credited, postings
from bot.services.work import Work
from storage import outbox_store, ticket_store
from storage.models import Person
from storage.roster_store import children_by_parent, holders
from storage.ticket_store import TicketFacts

LONG_OVERDUE_WORKDAYS = 5
ON_SITE_WITHIN = timedelta(hours=24)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class DigestSettings:
    tz: ZoneInfo
    calendar: WorkCalendar
    evening_hour: int
    files_dir: Path


@dataclass(frozen=True)
class Reader:
    """A secretary and the communities their digest covers (None: every community, for a street
    secretary whose roster unit is not a street)."""

    person: Person
    communities: frozenset[str] | None
    is_street: bool = False


async def readers(session: AsyncSession) -> list[Reader]:
    out = [Reader(p, frozenset({u.id})) for p, u, _ in await holders(session, "community_secretary") if p.im_user]
    streets = await children_by_parent(session, "community")
    for person, unit, _parent in await holders(session, "street_secretary"):
        if person.im_user and person.id not in {r.person.id for r in out}:
            out.append(Reader(person, frozenset(streets[unit.id]) if unit.id in streets else None, is_street=True))
    return out


class Areas:
    """Tickets indexed by community once, so each reader's share is a lookup, not a scan:
    a district of 1,000 secretaries and 200,000 tickets stays linear."""

    def __init__(self, tickets: Sequence[TicketFacts]) -> None:
        self.all = list(tickets)
        self.by_community: dict[str | None, list[TicketFacts]] = defaultdict(list)
        for t in self.all:
            self.by_community[t.community_id].append(t)

    def of(self, reader: Reader) -> list[TicketFacts]:
        if reader.communities is None:
            return self.all
        if len(reader.communities) == 1:
            return self.by_community.get(next(iter(reader.communities)), [])
        return sorted((t for c in reader.communities for t in self.by_community.get(c, ())),
                      key=lambda t: t.id or 0)


# When each digest goes out on its working day (bot.services.due plans jumps from the same times).
MORNING, WEEKLY, MONTHLY, RANKING, RED_LINES = time(8, 30), time(9, 0), time(9, 30), time(10, 0), time(10, 30)


def on_day(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tz)


def first_workday(first: date, last: date, calendar: WorkCalendar) -> date | None:
    return next(iter(calendar.workdays_between(first, last)), None)


async def plan_digests(session: AsyncSession, ctx: object, day: date) -> list[Planned]:
    """Digests due on `day` (a working day). `ctx` is a scheduler JobContext."""
    settings = DigestSettings(ctx.tz, ctx.calendar, ctx.settings.duties.evening_hour,  # type: ignore[attr-defined]
                              ctx.settings.files_dir)  # type: ignore[attr-defined]
    return await _plan(session, settings, day, await readers(session), await Languages.load(session))


async def _plan(session: AsyncSession, s: DigestSettings, day: date, people: list[Reader], languages: Languages,
                *, daily: bool = True, until: datetime | None = None) -> list[Planned]:
    """What `people` are owed on `day`, of the digests whose time is not after `until` (None: all
    of them; a digest not yet due is not worked out). The readers and their languages are loaded
    once by the caller (a run plans several days)."""
    if not people or not s.calendar.is_workday(day):
        return []

    def due(moment: time) -> bool:
        return until is None or on_day(day, moment, s.tz) <= until

    out = await _daily(session, s, day, people, languages) if daily and due(MORNING) else []
    monday = day - timedelta(days=day.weekday())
    if due(WEEKLY) and first_workday(monday, monday + timedelta(days=6), s.calendar) == day:
        out += await _weekly(session, s, day, people, monday - timedelta(days=7), languages)
    month_first, month_last = month_days(day.year, day.month)
    if first_workday(month_first, month_last, s.calendar) == day:
        last_month_end = month_first - timedelta(days=1)
        if due(MONTHLY):
            out += await _monthly(session, s, day, people, last_month_end.year, last_month_end.month, languages)
        if due(RED_LINES):
            out += await _red_lines_month(session, s, day, people, last_month_end.year, last_month_end.month,
                                          languages)
        if day.month in (1, 4, 7, 10) and due(RANKING):
            out += await _quarter_ranking(session, s, day, people, last_month_end, languages)
    if due(RANKING) and day == s.calendar.previous_workday(date(day.year, 12, 31)):
        out += await _points_ranking(session, s, day, people, languages)
    return out


def _ticket_list(tickets: Sequence[TicketFacts], limit: int = 5) -> str:
    shown = _(", ").join(_("{no} ({category})").format(no=t.no, category=category(t.category).name())
                         for t in tickets[:limit])
    return shown + ("……" if len(tickets) > limit else "")


async def _daily(session: AsyncSession, s: DigestSettings, day: date, people: list[Reader],
                 languages: Languages) -> list[Planned]:
    at = on_day(day, MORNING, s.tz)
    since = on_day(s.calendar.previous_workday(day, include=False), MORNING, s.tz)
    recent = Areas(await ticket_store.facts_touching(session, since, at))
    open_ = Areas(await ticket_store.open_facts(session))
    out = []
    for reader in people:
        new = [t for t in recent.of(reader) if since <= t.created_at < at and t.duplicate_of_id is None]
        overdue = [t for t in open_.of(reader) if t.due_at is not None and t.due_at < at]
        escalated = [t for t in open_.of(reader) if t.state == State.escalated]
        if not (new or overdue or escalated):
            continue  # nothing to say: no digest rather than an empty one
        with using(languages.of(reader.person.im_user)):
            lines = [_("Morning digest {day}:").format(day=f"{day.month}/{day.day}")]
            lines.append(_("new tickets: {n} {list}").format(n=len(new), list=_ticket_list(new)))
            lines.append(_("overdue: {n} {list}").format(n=len(overdue), list=_ticket_list(overdue)))
            lines.append(_("with departments (吹哨): {n} {list}").format(n=len(escalated),
                                                                       list=_ticket_list(escalated)))
        out.append(Planned(at, "digest.daily", day.isoformat(), str(reader.person.im_user), "\n".join(lines),
                           OutboundKind.digest))
    return out


async def _weekly(session: AsyncSession, s: DigestSettings, day: date, people: list[Reader],
                  monday: date, languages: Languages) -> list[Planned]:
    start, end = span(monday, monday + timedelta(days=6), s.tz)
    tickets = Areas(await ticket_store.facts_touching(session, start, end))
    iso = monday.isocalendar()
    period = f"{iso.year}-W{iso.week:02d}"
    out = []
    for reader in people:
        mine = [t for t in tickets.of(reader) if t.duplicate_of_id is None]
        filed = [t for t in mine if start <= t.created_at < end]
        resolved = [t for t in mine if t.resolved_at is not None and start <= t.resolved_at < end]
        on_time = sum(1 for t in resolved if t.resolved_at and resolved_on_time(t.resolved_at, t.due_at))
        if not (filed or resolved):
            continue
        with using(languages.of(reader.person.im_user)):
            days = _("{first}–{last}").format(first=_short(monday), last=_short(monday + timedelta(days=6)))
            text = _("Last week ({period}): {filed} tickets filed, {resolved} resolved, {on_time} of them "
                     "on time.").format(period=days, filed=len(filed), resolved=len(resolved), on_time=on_time)
        out.append(Planned(on_day(day, WEEKLY, s.tz), "digest.weekly", period, str(reader.person.im_user), text,
                           OutboundKind.digest))
    return out


def category_stats(tickets: Sequence[TicketFacts], start: datetime, end: datetime) -> list[CategoryStat]:
    filed = Counter(t.category for t in tickets if start <= t.created_at < end and t.duplicate_of_id is None)
    days: dict[str, list[float]] = defaultdict(list)
    for t in tickets:
        if t.closed_at is not None and start <= t.closed_at < end and t.duplicate_of_id is None:
            done = t.resolved_at or t.closed_at  # 办结, not the end of the resident's rating window
            days[t.category].append((done - t.created_at).total_seconds() / 86400)
    cats = sorted(set(filed) | set(days), key=lambda c: (-filed[c], c))
    return [CategoryStat(c, filed[c], len(days[c]),
                         round(sum(days[c]) / len(days[c]), 1) if days[c] else None) for c in cats]


async def _monthly(session: AsyncSession, s: DigestSettings, day: date, people: list[Reader],
                   year: int, month: int, languages: Languages) -> list[Planned]:
    first, last = month_days(year, month)
    start, end = span(first, last, s.tz)
    tickets = Areas(await ticket_store.facts_touching(session, start, end))
    period = f"{year}-{month:02d}"
    out = []
    for reader in people:
        stats = category_stats(tickets.of(reader), start, end)
        filed = sum(x.filed for x in stats)
        closed = sum(x.closed for x in stats)
        if not stats:
            continue
        language = languages.of(reader.person.im_user)
        with using(language):
            lines = [_("Monthly digest {period}: {filed} tickets filed, {closed} closed.").format(
                period=period, filed=filed, closed=closed)]
            lines += [_("{category}: {filed} filed, {closed} closed, {days} days on average").format(
                category=category(x.category).name(), filed=x.filed, closed=x.closed,
                days="—" if x.avg_days_to_close is None else f"{x.avg_days_to_close:g}") for x in stats[:8]]
            chart = (tuple(stats), _("Tickets {period}").format(period=period)) if stats else None
        out.append(Planned(on_day(day, MONTHLY, s.tz), "digest.monthly", period, str(reader.person.im_user),
                           "\n".join(lines), OutboundKind.digest, chart=chart, lang=language))
    return out


async def _quarter_ranking(session: AsyncSession, s: DigestSettings, day: date, people: list[Reader],
                           last_day: date, languages: Languages) -> list[Planned]:
    quarter = (last_day.month - 1) // 3 + 1
    period, rows = await quarter_rows(session, s.tz, s.evening_hour, last_day.year, quarter)
    out = []
    for reader in people:
        mine = [c for community, c in rows if reader.is_street and _covers(reader, community)]
        if not mine:
            continue
        with using(languages.of(reader.person.im_user)):
            text = _ranking_text(mine, last_day.year, quarter)
        out.append(Planned(on_day(day, RANKING, s.tz), "digest.ranking", period.key, str(reader.person.im_user),
                           text, OutboundKind.digest))
    return out


def _ranking_text(mine: list[CadreQuarter], year: int, quarter: int) -> str:
    lines = [_("Ranking of stationed cadres, {period} (score: days in the community 40, households visited 20, "
               "tickets on time 25, satisfaction 15):").format(period=quarter_words(year, quarter))]
    ranked = rank(mine)
    lines += [_("{place}. {name} ({community}) {score}: {days} days, {households} households, "
                "on time {on_time}, satisfied {satisfied}").format(
        place=place, name=c.name, community=c.community, score=f"{c.score:g}", days=c.days,
        households=c.households, on_time=_share(c.on_time, c.handled), satisfied=_share(c.satisfied, c.rated))
        for place, c in ranked[:30]]
    if not ranked:
        lines.append(_("No data: nothing was recorded for any cadre this quarter, so there is no ranking."))
    idle = without_data(mine)
    if idle:
        lines.append(_("No data (not ranked): {names}").format(
            names="、".join(f"{c.name}（{c.community}）" for c in idle)))
    lines.append(_("Those at the bottom are for the street Party secretary to talk with (约谈); "
                   "the figures are what was recorded, not a verdict."))
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    """“3/4”, or 无数据 when there is nothing to count (never a full score for nothing)."""
    return f"{part}/{whole}" if whole else _("no data")


async def quarter_rows(session: AsyncSession, tz: ZoneInfo, evening_hour: int, year: int,
                       quarter: int) -> tuple[Period, list[tuple[str, CadreQuarter]]]:
    """Every stationed cadre's quarter, with the community id (the ranking digest and the console
    show the same figures)."""
    first, last = quarter_days(year, quarter)
    period = Period(f"{year}-Q{quarter}", first, last)
    records = await load_period(session, period, tz, evening_hour)
    start, end = span(first, last, tz)
    tickets = await ticket_store.facts_touching(session, start, end)
    by_handler: dict[str, list[TicketFacts]] = defaultdict(list)
    for t in tickets:
        if t.duplicate_of_id is None and t.resolved_at is not None and start <= t.resolved_at < end:
            for person_id in credited(t):
                by_handler[person_id].append(t)
    rows: list[tuple[str, CadreQuarter]] = []
    for posting in await postings(session):
        totals = records.totals(posting.person.id)
        handled = by_handler[posting.person.id]
        rated = [t for t in handled if t.satisfaction]
        rows.append((posting.community.id, CadreQuarter(
            posting.person.name, posting.community.name, totals.days_in_community, totals.households,
            len(handled), sum(1 for t in handled if t.resolved_at and resolved_on_time(t.resolved_at, t.due_at)),
            len(rated), sum(1 for t in rated if t.satisfaction in SATISFIED),
        )))
    return period, rows


QUARTERS = (N_("first quarter"), N_("second quarter"), N_("third quarter"), N_("fourth quarter"))


def quarter_words(year: int, quarter: int) -> str:
    """“2026年第四季度”, never 2026-Q4."""
    return _("{year}, {quarter}").format(year=year, quarter=_(QUARTERS[quarter - 1]))


def _short(day: date) -> str:
    return _("{month}/{day}").format(month=day.month, day=day.day)


def _covers(reader: Reader, community_id: str) -> bool:
    """A street secretary sees the cadres stationed in the street's communities."""
    return reader.communities is None or community_id in reader.communities


async def _points_ranking(session: AsyncSession, s: DigestSettings, day: date,
                          people: list[Reader], languages: Languages) -> list[Planned]:
    ledger = [(unit.name, value) for unit, value in await ticket_store.points_by_department(session, day.year)]
    if not ledger:
        return []
    out = []
    for reader in people:
        if not reader.is_street:
            continue
        with using(languages.of(reader.person.im_user)):
            lines = [_("吹哨报到 points of the departments, {year}:").format(year=day.year)]
        lines += [f"{place}. {name} {points:g}" for place, name, points in standings(ledger)]
        out.append(Planned(on_day(day, RANKING, s.tz), "digest.points", str(day.year), str(reader.person.im_user),
                           "\n".join(lines), OutboundKind.digest))
    return out


async def _red_lines_month(session: AsyncSession, s: DigestSettings, day: date, people: list[Reader],
                           year: int, month: int, languages: Languages) -> list[Planned]:
    period, lines = await month_indicators(session, s.tz, s.calendar, s.evening_hour, year, month)
    out = []
    for reader in people:
        mine = [line for community, line in lines if reader.is_street and _covers(reader, community)]
        if mine:
            with using(languages.of(reader.person.im_user)):
                text = "\n".join([_("Indicators for {period} (for your attention; not a verdict):").format(
                    period=period.key), *(line() for line in mine)])
            out.append(Planned(on_day(day, RED_LINES, s.tz), "redline.month", period.key, str(reader.person.im_user),
                               text, OutboundKind.digest))
    return out


async def month_indicators(session: AsyncSession, tz: ZoneInfo, calendar: WorkCalendar, evening_hour: int,
                           year: int, month: int) -> tuple[Period, list[tuple[str, Callable[[], str]]]]:
    """The month's red-line indicators as (community id, sentence): under 10 days in the community
    without leave to make it up, and a second or third absence in the year. A sentence is rendered
    when called, in the language then in use (each reader's own)."""
    first, last = month_days(year, month)
    period = Period(f"{year}-{month:02d}", first, last)
    records = await load_period(session, period, tz, evening_hour)
    year_records = await load_period(session, Period(str(year), date(year, 1, 1), last), tz, evening_hour)
    lines: list[tuple[str, Callable[[], str]]] = []
    for posting in await postings(session):
        name, community = posting.person.name, posting.community
        totals = records.totals(posting.person.id)
        leave = sum(1 for d in totals.leave_dates if calendar.is_workday(d))
        if totals.days_in_community < 10 and totals.days_in_community + leave < 10:
            def short(name: str = name, place: str = community.name, days: int = totals.days_in_community,
                      leave: int = leave) -> str:
                return _("{name} ({community}): {days} days in the community in {period}, "
                         "{leave} working days of leave.").format(
                    name=name, community=place, days=days, period=period.key, leave=leave)
            lines.append((community.id, short))
        absences = year_records.totals(posting.person.id).absences
        if absences >= 2:
            def absent(name: str = name, place: str = community.name, n: int = absences) -> str:
                return _("{name} ({community}): found absent without leave {n} times in {year}{flag}.").format(
                    name=name, community=place, n=n, year=year,
                    flag=_(" (a third absence is a red line)") if n >= 3 else "")
            lines.append((community.id, absent))
    return period, lines


def red_lines_crossed(t: TicketFacts, calendar: WorkCalendar, tz: ZoneInfo) -> list[tuple[str, datetime]]:
    """When each of an open ticket's red lines is crossed, as (kind, moment): "onsite" for a 四必到
    ticket without an on-site check 24 hours after it was filed, "overdue" from the start of the
    6th working day after its due day. The one rule: the digests raise what is crossed, and
    bot.services.due plans their runs from the same moments."""
    if t.duplicate_of_id is not None or t.state not in OPEN:
        return []
    out = []
    if t.requires_on_site and t.on_site_at is None:
        out.append(("onsite", t.created_at + ON_SITE_WITHIN + _TICK))
    if t.due_at is not None:
        day = t.due_at.astimezone(tz).date()
        for _n in range(LONG_OVERDUE_WORKDAYS + 1):
            day = calendar.next_workday(day, include=False)
        out.append(("overdue", max(t.due_at + _TICK, datetime.combine(day, time(0), tz))))
    return out


async def ticket_red_lines(session: AsyncSession, s: DigestSettings,
                           now: datetime) -> list[tuple[TicketFacts, str]]:
    """Open tickets that need the street's eyes: 四必到 without an on-site check after 24 hours,
    and tickets overdue by more than 5 working days. Each is raised once (see send_digests)."""
    return [(t, kind) for t in await ticket_store.open_facts(session)
            for kind, crossed in red_lines_crossed(t, s.calendar, s.tz) if crossed <= now]


async def send_digests(work: Work, ctx: object) -> int:
    """Queue today's digests whose time has come (and any of the last days missed while down)."""
    s = DigestSettings(work.tz, work.calendar, ctx.settings.duties.evening_hour,  # type: ignore[attr-defined]
                       ctx.settings.files_dir)  # type: ignore[attr-defined]
    today = work.local().date()
    people, languages = await readers(work.session), await Languages.load(work.session)
    planned: list[Planned] = []
    day = today - CATCH_UP
    while day <= today:
        # a stale morning digest is noise; the others still matter later
        planned += await _plan(work.session, s, day, people, languages, daily=day == today, until=work.now)
        day += timedelta(days=1)
    done = await outbox_store.sent_keys(work.session, {(n.duty, n.period) for n in planned})
    sent = 0
    for notice in planned:
        if (notice.duty, notice.period, notice.to) not in done:
            files: tuple[str, ...] = ()
            if notice.chart is not None:
                stats, title = notice.chart
                files = (str(render_month_chart(list(stats), title, s.files_dir, notice.lang or current_locale())),)
            if await work.notify_once(notice.to, notice.text, duty=notice.duty, period=notice.period,
                                      kind=notice.kind, files=files):
                sent += 1
    if work.calendar.is_workday(today) and work.local().hour >= 9:
        sent += await _send_ticket_red_lines(work, s, [r for r in people if r.is_street])
    return sent


async def _send_ticket_red_lines(work: Work, s: DigestSettings, bosses: list[Reader]) -> int:
    flagged = await ticket_red_lines(work.session, s, work.now)
    if not flagged:
        return 0
    # one look-up for what was raised already, not a failed insert per ticket and boss on every run
    done = await outbox_store.sent_keys(work.session, {(f"redline.{kind}", t.no) for t, kind in flagged})
    sent = 0
    for ticket, kind in flagged:
        def text(ticket: TicketFacts = ticket, kind: str = kind) -> str:  # in each boss's language
            return (_("Indicator: ticket {no} ({category}) needs an on-site visit (四必到) and none is "
                      "recorded after 24 hours.") if kind == "onsite" else
                    _("Indicator: ticket {no} ({category}) is more than {n} working days overdue.")).format(
                no=ticket.no, category=category(ticket.category).name(), n=LONG_OVERDUE_WORKDAYS)

        for boss in bosses:  # the street the ticket is in, not every street
            if ticket.community_id is None or not _covers(boss, ticket.community_id):
                continue
            if (f"redline.{kind}", ticket.no, str(boss.person.im_user)) in done:
                continue
            if await work.notify_once(str(boss.person.im_user), text, duty=f"redline.{kind}", period=ticket.no,
                                      ticket=ticket.no, kind=OutboundKind.digest):
                sent += 1
    return sent


async def street_communities(session: AsyncSession) -> frozenset[str] | None:
    """The communities some street secretary reads the red lines of (None: all of them)."""
    covered: set[str] = set()
    for reader in await readers(session):
        if reader.is_street:
            if reader.communities is None:
                return None
            covered |= reader.communities
    return frozenset(covered)
