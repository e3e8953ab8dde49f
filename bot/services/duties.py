"""Recording cadres' duties from chat and reading the month's running totals back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain.checkins import (
    MEETING_TYPES,
    VISIT_TAGS,
    Kind,
    MonthTotals,
    Record,
    is_evening,
    leave_days,
    month_totals,
    names_year,
    parse_count,
    parse_day,
)
from bot.domain.periods import month_days, parse_month, plausible_day, plausible_month, previous_month, span
from bot.domain.tickets import TransitionError
from bot.forms.monthly import FIELDS, ITEMS, UnknownItem
from bot.i18n import N_, _
from bot.services.reports import monthly_forms, parse_value
from bot.services.work import Work
from storage import checkin_store
from storage.models import CheckIn, Person, Project
from storage.roster_store import Member, holders

SECRETARIES = frozenset({"street_secretary", "community_secretary"})  # 谈话 and 不在岗 are theirs


async def totals(work: Work, person_id: str, year: int, month: int, evening_hour: int) -> MonthTotals:
    first, last = month_days(year, month)
    start, end = span(first, last, work.tz)
    rows = await checkin_store.records_between(work.session, person_id, start, end)
    return month_totals(
        (Record(r.kind, r.at, r.ended_at, r.count, r.data or {}) for r in rows),
        work.tz, evening_hour, first=first, last=last,
    )


def totals_line(t: MonthTotals) -> str:
    return _(
        "This month: {days} days in the community ({hours} h), {night} evening visits, "
        "{visits} visits to {households} households, {cards} contact cards, {lectures} Party lectures."
    ).format(days=t.days_in_community, hours=f"{t.hours:g}", night=t.night_visits, visits=t.visits,
             households=t.households, cards=t.contact_cards, lectures=t.party_lectures)


def _add(work: Work, person_id: str, kind: Kind, *, at: datetime | None = None,
         ended_at: datetime | None = None, count: int | None = None, note: str | None = None,
         data: dict[str, object] | None = None) -> None:
    work.session.add(CheckIn(person_id=person_id, kind=kind, at=at or work.now, ended_at=ended_at,
                             count=count, note=note or None, data=data))


MAX_HOUSEHOLDS = 200  # more households than this in one record is a typo, not a day's visits
MAX_CARDS = 1000  # contact cards handed out in one record; more is a typo
SHIFT_LIMIT = timedelta(hours=18)  # a 签到 older than this was never closed: it cannot be 签退'd now


async def sign_in(work: Work, person_id: str) -> str:
    midnight = datetime.combine(work.local().date(), time(0), work.tz)
    current = await checkin_store.open_day(work.session, person_id, midnight)
    if current is not None:
        return _("You signed in at {time} already.").format(time=f"{work.local(current.at):%H:%M}")
    _add(work, person_id, Kind.day)
    return _("Signed in at {time}.").format(time=f"{work.local():%H:%M}")


async def sign_out(work: Work, person_id: str) -> str:
    # the 签到 of today, or of last night for a 签退 after midnight (a 夜访 that ran late)
    current = await checkin_store.open_day(work.session, person_id, work.now - SHIFT_LIMIT)
    if current is None:
        raise TransitionError(_("You have not signed in today (send “签到” when you arrive)."))
    current.ended_at = work.now
    work.session.add(current)
    hours = (work.now - current.at).total_seconds() / 3600
    return _("Signed out at {time}: {hours} hours today.").format(
        time=f"{work.local():%H:%M}", hours=f"{hours:.1f}")


async def night_visit(work: Work, person_id: str, note: str, evening_hour: int) -> str:
    _add(work, person_id, Kind.night_visit, note=note)
    if not is_evening(work.now, work.tz, evening_hour):
        return _("Recorded, but it is before {hour}:00, so it does not count as an evening visit.").format(
            hour=evening_hour)
    return _("Evening visit recorded.")


async def visit(work: Work, person_id: str, args: str) -> str:
    head, _sep, note = args.partition("户")
    count = parse_count(head)
    if not _sep or count is None or count < 1 or count > MAX_HOUSEHOLDS:
        raise TransitionError(_("Write it as “走访 5户 <notes>”."))
    tags = [tag for tag in VISIT_TAGS if tag in note]
    _add(work, person_id, Kind.visit, count=count, note=note.strip(), data={"tags": tags} if tags else None)
    return _("Visit to {n} households recorded{tags}.").format(
        n=count, tags=f"（{'、'.join(tags)}）" if tags else "")


async def party_lecture(work: Work, person_id: str, note: str) -> str:
    _add(work, person_id, Kind.party_lecture, note=note)
    return _("Party lecture recorded.")


async def meeting(work: Work, person_id: str, kind: str) -> str:
    name = next((k for k in MEETING_TYPES if kind.startswith(k)), None)
    if name is None:
        raise TransitionError(_("Which meeting? “会议 支委会”, “会议 两委联席” or “会议 居民代表”."))
    _add(work, person_id, Kind.meeting, data={"type": MEETING_TYPES[name]}, note=kind)
    return _("Meeting recorded: {name}.").format(name=name)


async def contact_cards(work: Work, person_id: str, args: str) -> str:
    count = parse_count(args.removesuffix("张").strip())
    if count is None or count < 1 or count > MAX_CARDS:
        raise TransitionError(_("Write it as “联系卡 20” (1 to {most} at a time).").format(most=MAX_CARDS))
    _add(work, person_id, Kind.contact_card, count=count)
    return _("{n} contact cards recorded.").format(n=count)


async def leave(work: Work, person_id: str, args: str) -> str:
    parts = args.split(maxsplit=2)
    today = work.local().date()
    first = parse_day(parts[0], today) if parts else None
    last = parse_day(parts[1], today) if len(parts) > 1 else None
    if first and last and last < first and not names_year(parts[1]):
        last = last.replace(year=last.year + 1)  # “12-28 01-03”: over New Year
    if first is None or last is None or last < first or len(parts) < 3:
        raise TransitionError(_("Write it as “请假 12-01 12-03 <reason>”."))
    if not (plausible_day(first, today) and plausible_day(last, today)):
        raise TransitionError(_("Leave is recorded within a year of today; {first} to {last} is not.").format(
            first=first.isoformat(), last=last.isoformat()))
    start, end = span(first, last, work.tz)
    _add(work, person_id, Kind.leave, at=start, ended_at=end, note=parts[2])
    return _("Leave from {first} to {last} recorded.").format(first=first.isoformat(), last=last.isoformat())


async def cadres_in_area(work: Work, member: Member) -> list[Person]:
    """The stationed cadres inside a secretary's own units (a street: its communities and grids): a
    secretary records talks and absences (red-line indicators) only for them. Chat's 谈话 / 不在岗
    and the console's 干部履职 forms both ask this."""
    grants = [g for g in member.grants if g.role in SECRETARIES]
    found: dict[str, Person] = {}
    for person, unit, _parent in await holders(work.session, "cadre"):
        if any(g.reaches(unit.id) for g in grants):
            found.setdefault(person.id, person)
    return list(found.values())


def _cadre_named(cadres: list[Person], name: str) -> Person:
    """The stationed cadre of the secretary's area (`cadres`) called `name`. The refusal says only
    that no such cadre is in their area: whether one exists elsewhere is not theirs to learn."""
    for cadre in cadres:
        if cadre.name == name.strip():
            return cadre
    raise TransitionError(_("{name} is not a stationed cadre of your area.").format(name=name.strip() or "…"))


async def talk(work: Work, secretary_id: str, name: str, cadres: list[Person]) -> str:
    cadre = _cadre_named(cadres, name)
    _add(work, secretary_id, Kind.talk, data={"cadre": cadre.id}, note=name)
    return _("Talk with {name} recorded.").format(name=cadre.name)


async def commit_project(work: Work, person_id: str, args: str) -> str:
    name = args.strip()
    party = name.endswith("党建")
    name = name.removesuffix("党建").strip()
    if not name:
        raise TransitionError(_("Write it as “项目 <name>” (add “党建” for a Party-building project)."))
    year = work.local().year
    existing = await checkin_store.projects(work.session, person_id, year)
    if len(existing) >= 3:
        raise TransitionError(_("You have committed to 3 projects for {year} already.").format(year=year))
    work.session.add(Project(person_id=person_id, year=year, seq=len(existing) + 1, name=name,
                             party_building=party, committed_at=work.now))
    answer = _("Project {seq} for {year} recorded: {name}.").format(seq=len(existing) + 1, year=year, name=name)
    if len(existing) == 2 and not party and not any(p.party_building for p in existing):
        answer += " " + _("Note: at least one of the 3 projects must be a Party-building (党建) project.")
    return answer


async def finish_project(work: Work, person_id: str, args: str) -> str:
    head, _sep, results = args.strip().partition(" ")
    seq = parse_count(head)
    year = work.local().year
    projects = {p.seq: p for p in await checkin_store.projects(work.session, person_id, year)}
    if seq not in projects or not results.strip():
        raise TransitionError(_("Write it as “项目完成 <1-3> <results>”."))
    project = projects[seq]
    earlier = project.results
    project.results, project.done_at = results.strip(), work.now
    work.session.add(project)
    if earlier:  # said again: the new wording replaces the old, and the cadre is told so
        return _("Project {seq}: results updated (was: {earlier}).").format(seq=seq, earlier=earlier)
    return _("Project {seq} marked done.").format(seq=seq)


def _month_arg(args: str, today: date) -> tuple[tuple[int, int], str]:
    """Leading YYYY-MM (default: last month, the one being reported) and the rest."""
    head, _sep, rest = args.strip().partition(" ")
    if head and head[0].isdigit() and "-" in head:
        try:
            year, month = parse_month(head)
        except ValueError:
            raise TransitionError(_("“{month}” is not a month like 2026-11.").format(month=head)) from None
        if not plausible_month(year, month, today):
            raise TransitionError(_("There is no form for {month}: months from 2000-01 to this month.").format(
                month=head))
        return (year, month), rest.strip()
    return previous_month(today), args.strip()


async def report(work: Work, person_id: str, args: str, evening_hour: int) -> str:
    """报表 [YYYY-MM]: the form as filled in so far; 报表 [YYYY-MM] <项目> <值>: fill in or correct."""
    (year, month), rest = _month_arg(args, work.local().date())
    key = f"{year}-{month:02d}"
    if rest:
        label, _sep, value = rest.partition(" ")
        try:
            field, parsed = parse_value(label, value)
        except UnknownItem as unknown:
            if unknown.candidates:
                raise TransitionError(_("“{name}” could be {items}: write the item's full name.").format(
                    name=unknown.name, items="、".join(f.label for f in unknown.candidates))) from None
            known = "、".join(f.label for f in FIELDS if f.source == "manual")
            raise TransitionError(_("Write it as “报表 {month} <item> <value>”; items: {items}.").format(
                month=key, items=known)) from None
        except ValueError:
            raise TransitionError(_(
                "“{value}” is not a value for {item}; write it as “报表 {month} {item} <value>”."
            ).format(value=value.strip()[:20] or "…", item=label, month=key)) from None
        _add(work, person_id, Kind.report_field, data={"period": key, "key": field, "value": parsed})
        for confirmed in await checkin_store.confirmations(work.session, person_id, key):
            await work.session.delete(confirmed)  # a changed form is confirmed again, not signed unseen
        await work.session.flush()
    forms = await monthly_forms(work.session, year, month, work.tz, evening_hour, only=[person_id])
    if not forms:
        raise TransitionError(_("Only stationed cadres file this report."))
    form = forms[0][1]
    lines = [_("Form 5 for {month}, {community}:").format(month=key, community=form.community)]
    lines += [f"{number}. {form.sentence(template)}" for _group, number, template in ITEMS]
    missing = [f.label for f in form.missing()]
    if missing:
        lines.append(_("Still blank: {items}. Fill in with “报表 {month} <item> <value>”.").format(
            items="、".join(missing[:12]) + ("……" if len(missing) > 12 else ""), month=key))
    if form.confirmed_on:
        lines.append(_("Confirmed on {day}.").format(day=form.confirmed_on))
    else:
        lines.append(_("Send “确认报表 {month}” when it is right.").format(month=key))
    return "\n".join(lines)


MANY_BLANKS = 5  # a form with this many blank items is confirmed only after the cadre has seen them


async def confirm_report(work: Work, person_id: str, args: str, evening_hour: int,
                         *, blanks_seen: bool = False) -> str:
    """确认报表 [YYYY-MM]. With MANY_BLANKS or more blank items the cadre is first shown what is
    blank and asked to say “确认” (or fill them in); `blanks_seen` is that second step."""
    (year, month), _rest = _month_arg(args, work.local().date())
    key = f"{year}-{month:02d}"
    if (year, month) >= (work.local().year, work.local().month):
        raise TransitionError(_("{month} is not over yet; confirm its report from the 1st of next month.").format(
            month=key))
    done = await checkin_store.confirmations(work.session, person_id, key)
    if done:
        return _("Your report for {month} was confirmed on {day} already.").format(
            month=key, day=f"{work.local(done[0].at):%Y-%m-%d}")
    if not blanks_seen:
        forms = await monthly_forms(work.session, year, month, work.tz, evening_hour, only=[person_id])
        blank = [f.label for f in forms[0][1].missing()] if forms else []
        if len(blank) >= MANY_BLANKS:
            _add(work, person_id, Kind.pending, data={"kind": "report_confirm", "period": key})
            return _("Your report for {month} still has {n} blank items: {items}.\n"
                     "Reply “确认” to confirm it as it is, or fill them in first with "
                     "“报表 {month} <item> <value>”.").format(month=key, n=len(blank), items="、".join(blank))
    _add(work, person_id, Kind.report_confirmed, data={"period": key})
    return _("Thank you: your report for {month} is confirmed and goes to the street office.").format(month=key)


async def spot_check_absent(work: Work, cadres: list[Person], name: str) -> str:
    """A secretary's 抽查 found a cadre absent: recorded unless approved leave covers today."""
    cadre = _cadre_named(cadres, name)
    today = work.local().date()
    start, end = span(today, today, work.tz)
    rows = await checkin_store.records_between(work.session, cadre.id, start, end, kinds=("leave", "day"))
    if any(r.kind == Kind.leave for r in rows):
        return _("{name} is on approved leave today; nothing recorded.").format(name=cadre.name)
    _add(work, cadre.id, Kind.absence, note=name)
    await work.session.flush()
    year_start, year_end = span(date(today.year, 1, 1), date(today.year, 12, 31), work.tz)
    count = len(await checkin_store.records_between(work.session, cadre.id, year_start, year_end,
                                                    kinds=("absence",)))
    return _("Absence of {name} recorded: {n} this year.").format(name=cadre.name, n=count)


# ---------------------------------------------------------------- plain words, confirmed first

PENDING_HOURS = 12  # an unconfirmed guess older than this is forgotten

_GUESS_KINDS = {
    "night_visit": N_("an evening visit"), "visit": N_("a household visit"), "duty_day": N_("a day in the community"),
    "party_lesson": N_("a Party lecture"), "meeting": N_("a meeting"), "leave": N_("leave"),
}


def describe_guess(data: dict[str, object]) -> str:
    """One line a cadre can check: what the bot would record."""
    text = _(_GUESS_KINDS[str(data["kind"])])
    if data.get("households"):
        text += _(", {n} households").format(n=data["households"])
    tags = data.get("tags") or []
    if isinstance(tags, list) and tags:
        text += f"（{'、'.join(str(t) for t in tags)}）"
    if data.get("meeting_type"):
        text += f"（{data['meeting_type']}）"
    return text


async def propose(work: Work, person_id: str, guess: dict[str, object], note: str) -> str:
    """Keep what the bot understood from plain words until the cadre says “确认”."""
    _add(work, person_id, Kind.pending, note=note, data=guess)
    return _("I understood: {what}. Reply “确认” to record it or “取消” if I got it wrong.").format(
        what=describe_guess(guess))


async def confirm_pending(work: Work, person_id: str, evening_hour: int) -> str:
    pending = await checkin_store.pending_confirmation(
        work.session, person_id, work.now - timedelta(hours=PENDING_HOURS))
    if pending is None:
        raise TransitionError(_("There is nothing waiting for your confirmation."))
    data, note = dict(pending.data or {}), pending.note or ""
    await work.session.delete(pending)
    match data.get("kind"):
        case "night_visit":
            return await night_visit(work, person_id, note, evening_hour)
        case "visit" if data.get("households"):
            tags = [t for t in VISIT_TAGS if t in note or t in (data.get("tags") or [])]
            return await visit(work, person_id, f"{data['households']}户 {note} {' '.join(tags)}".strip())
        case "visit":
            raise TransitionError(_("How many households? Write it as “走访 5户 <notes>”."))
        case "party_lesson":
            return await party_lecture(work, person_id, note)
        case "meeting" if data.get("meeting_type") in MEETING_TYPES:
            return await meeting(work, person_id, str(data["meeting_type"]))
        case "meeting":
            raise TransitionError(_("Which meeting? “会议 支委会”, “会议 两委联席” or “会议 居民代表”."))
        case "report_confirm":
            return await confirm_report(work, person_id, str(data.get("period") or ""), evening_hour,
                                        blanks_seen=True)
        case "leave":
            days = leave_days(note, work.local().date())
            if days is None:
                raise TransitionError(_("Write it as “请假 12-01 12-03 <reason>”."))
            return await leave(work, person_id, f"{days[0].isoformat()} {days[1].isoformat()} {note}")
        case _:
            return await sign_in(work, person_id)


async def cancel_pending(work: Work, person_id: str) -> str:
    pending = await checkin_store.pending_confirmation(
        work.session, person_id, work.now - timedelta(hours=PENDING_HOURS))
    if pending is None:
        raise TransitionError(_("There is nothing waiting for your confirmation."))
    await work.session.delete(pending)
    return _("Cancelled; nothing was recorded.")
