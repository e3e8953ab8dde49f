"""The paperwork filled in from what already happened: each cadre's monthly 附件5 (records,
tickets and what the cadre typed in chat) and the yearly 附件6 of lead projects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.checkins import Kind
from bot.domain.duties import Period
from bot.domain.periods import in_years, month_days, span
from bot.domain.tickets import State
from bot.forms.monthly import BY_KEY, MonthlyForm, field_named
from bot.forms.projects import CadreProjects, ProjectRow
from bot.services.metrics import PeriodRecords, load_period
from storage import checkin_store, ticket_store
from storage.models import OrgUnit, Person
from storage.roster_store import holders
from storage.ticket_store import TicketFacts

SERVICE_CATEGORIES = {"service_consult", "care_request", "life_event"}  # 代办 matters
AFTER_MONTH = timedelta(days=62)  # corrections and confirmation come in the following weeks


@dataclass(frozen=True)
class Posting:
    """Where a cadre is stationed."""

    person: Person
    community: OrgUnit
    street: OrgUnit | None


async def postings(session: AsyncSession) -> list[Posting]:
    """Every stationed cadre with the community (a grid posting counts for its community)."""
    out: dict[str, Posting] = {}
    for person, unit, parent in await holders(session, "cadre"):
        if person.id in out:
            continue
        community = parent if unit.level == "grid" and parent is not None else unit
        street = await session.get(OrgUnit, community.parent_id) if community.parent_id else None
        out[person.id] = Posting(person, community, street)
    return list(out.values())


async def monthly_forms(
    session: AsyncSession, year: int, month: int, tz: ZoneInfo, evening_hour: int,
    only: Sequence[str] = (),
) -> list[tuple[Posting, MonthlyForm]]:
    """Forms for every cadre (or the person ids in `only`), built with a fixed number of queries."""
    first, last = month_days(year, month)
    period = Period(f"{year}-{month:02d}", first, last)
    records = await load_period(session, period, tz, evening_hour, until=last + AFTER_MONTH)
    start, end = span(first, last, tz)
    tickets = await ticket_store.facts_touching(session, start, end)
    by_community: dict[str, list[TicketFacts]] = defaultdict(list)
    by_worker: dict[str, list[TicketFacts]] = defaultdict(list)
    for t in tickets:
        if t.duplicate_of_id is None:
            if t.community_id:
                by_community[t.community_id].append(t)
            for person_id in credited(t):
                by_worker[person_id].append(t)
    forms = []
    for posting in await postings(session):
        if only and posting.person.id not in only:
            continue
        form = _form(posting, period, records, by_community[posting.community.id],
                     by_worker[posting.person.id], start, end, tz)
        forms.append((posting, form))
    return forms


def credited(t: TicketFacts) -> set[str]:
    """The people a ticket counts for: whoever accepted, escalated (吹哨) or resolved it. Not the
    person it was first routed to, who may have done nothing; a ticket nobody worked counts for
    nobody."""
    return {p for p in (t.accepted_by_id, t.escalated_by_id, t.resolved_by_id) if p}


def _form(posting: Posting, period: Period, records: PeriodRecords, area: list[TicketFacts],
          mine: list[TicketFacts], start: object, end: object, tz: ZoneInfo) -> MonthlyForm:
    totals = records.totals(posting.person.id)
    filed = [t for t in area if start <= t.created_at < end]  # type: ignore[operator]
    resolved = [t for t in mine if t.resolved_at is not None and start <= t.resolved_at < end]  # type: ignore[operator]
    values: dict[str, object] = {
        "branch_committee": totals.meetings.get("branch_committee", 0),
        "joint_committee": totals.meetings.get("joint_committee", 0),
        "residents_meeting": totals.meetings.get("residents", 0),
        "party_lectures": totals.party_lectures,
        "hours": totals.hours,
        "night_visits": totals.night_visits,
        "visits": totals.visits,
        "households": totals.households,
        "contact_cards": totals.contact_cards,
        "info_raised": len(filed),
        "info_handled": sum(1 for t in filed if t.state != State.reported),
        "matters_done": sum(1 for t in resolved if t.category in SERVICE_CATEGORIES),
        "problems_solved": sum(1 for t in resolved if t.category not in SERVICE_CATEGORIES),
    }
    form = MonthlyForm(
        street=posting.street.name if posting.street else "", community=posting.community.name,
        cadre=posting.person.name, year=period.first.year, month=period.first.month, values=values,
    )
    for row in records.rows.get(posting.person.id, []):
        data = row.data or {}
        if data.get("period") != period.key:
            continue
        if row.kind == Kind.report_field and str(data.get("key")) in BY_KEY:
            key = str(data["key"])
            if BY_KEY[key].source != "manual":
                form.corrected.add(key)
            form.values[key] = data.get("value")
        elif row.kind == Kind.report_confirmed:
            form.confirmed_on = row.at.astimezone(tz).date().isoformat()
    return form


MAX_COUNT = 1_000_000  # a count or amount on the form above this is a typo


def parse_value(label: str, text: str) -> tuple[str, object]:
    """A chat correction “报表 党课 2” → (party_lectures, 2); the item by any of its names
    (`field_named`, UnknownItem when none or several fit); ValueError for a bad value."""
    field = field_named(label)
    text = text.strip()
    match field.kind:
        case "int":
            value: object = int(text)
            if not 0 <= int(text) <= MAX_COUNT:
                raise ValueError(text)
        case "year":
            value = int(text)
            if not in_years(value):
                raise ValueError(text)
        case "number":
            value = float(text)
            if not 0 <= float(text) <= MAX_COUNT:  # also refuses nan and inf, which no JSON column stores
                raise ValueError(text)
        case "pct":
            share = float(text.removesuffix("%"))
            if not 0 <= share <= 100:
                raise ValueError(text)  # a share of those present: 0–100 %
            value = f"{share:g}%"
        case _:
            value = text
    return field.key, value


async def project_blocks(session: AsyncSession, year: int, tz: ZoneInfo) -> list[CadreProjects]:
    blocks = []
    by_person = defaultdict(list)
    for project in await checkin_store.all_projects(session, year):
        by_person[project.person_id].append(project)
    for posting in await postings(session):
        rows = by_person.get(posting.person.id, [])
        filed = min((p.committed_at for p in rows), default=None)
        blocks.append(CadreProjects(
            community=posting.community.name, cadre=posting.person.name,
            filed_on=filed.astimezone(tz).date().isoformat() if filed else None,
            rows=tuple(ProjectRow(p.seq, p.name, p.party_building, p.measures, p.results) for p in rows),
        ))
    return blocks


def previous_month_of(day: date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
