"""干部履职: each stationed cadre's month in the viewer's area (days in the community, evening
visits, households visited, whether the 附件5 is confirmed, lead projects), the quarterly ranking
and the month's red-line indicators — the same figures the digests and the forms use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.duties import Period
from bot.domain.periods import month_days
from bot.domain.ranking import CadreQuarter, rank
from bot.domain.workdays import WorkCalendar
from bot.forms.monthly import MonthlyForm
from bot.forms.projects import CadreProjects
from bot.services import access
from bot.services.digests import month_indicators, quarter_rows
from bot.services.metrics import load_period
from bot.services.reports import Posting, monthly_forms, postings, project_blocks
from storage import checkin_store


@dataclass(frozen=True)
class CadreMonth:
    person_id: str
    name: str
    community: str
    days: int
    night_visits: int
    households: int
    confirmed_on: str | None
    projects: int
    party_projects: int
    projects_done: int
    talked: bool  # a 谈心谈话 recorded with this cadre in the month's year (any day of it)
    absences: int  # spot checks (不在岗) that found the cadre absent in the month's year
    blank_items: int  # items of the month's 附件5 nobody filled in (confirmed with many only once seen)


@dataclass(frozen=True)
class DutiesPage:
    cadres: list[CadreMonth]
    ranking: list[tuple[int, CadreQuarter]]
    quarter: str
    indicators: list[str]


def _in_scope(scope: access.Scope, posting: Posting) -> bool:
    return posting.community.id in scope.units or posting.person.id == scope.person_id


async def month_page(session: AsyncSession, scope: access.Scope, *, year: int, month: int, tz: ZoneInfo,
                     calendar: WorkCalendar, evening_hour: int) -> DutiesPage:
    mine = [p for p in await postings(session) if _in_scope(scope, p)]
    ids = {p.person.id for p in mine}
    first, last = month_days(year, month)
    records = await load_period(session, Period(f"{year}-{month:02d}", first, last), tz, evening_hour)
    # the whole year: a talk recorded today counts on the page of last month (the page's default), too
    year_records = await load_period(session, Period(str(year), date(year, 1, 1), date(year, 12, 31)), tz,
                                     evening_hour)
    talked = year_records.talked_with()
    forms = {posting.person.id: form for posting, form in
             await monthly_forms(session, year, month, tz, evening_hour, only=sorted(ids))} if ids else {}
    projects = [p for p in await checkin_store.all_projects(session, year) if p.person_id in ids]
    cadres = []
    for posting in mine:
        pid = posting.person.id
        totals = records.totals(pid)
        own = [p for p in projects if p.person_id == pid]
        form: MonthlyForm | None = forms.get(pid)
        cadres.append(CadreMonth(pid, posting.person.name, posting.community.name, totals.days_in_community,
                                 totals.night_visits, totals.households, form.confirmed_on if form else None,
                                 len(own), sum(1 for p in own if p.party_building),
                                 sum(1 for p in own if p.done_at is not None), pid in talked,
                                 year_records.totals(pid).absences, len(form.missing()) if form else 0))
    quarter, rows = await quarter_rows(session, tz, evening_hour, year, (month - 1) // 3 + 1)
    communities = {p.community.id for p in mine}
    _period, lines = await month_indicators(session, tz, calendar, evening_hour, year, month)
    return DutiesPage(
        sorted(cadres, key=lambda c: (c.community, c.name)),
        rank([c for community, c in rows if community in communities]), quarter.key,
        [line() for community, line in lines if community in communities])


async def monthly_form(session: AsyncSession, scope: access.Scope, person_id: str, *, year: int, month: int,
                       tz: ZoneInfo, evening_hour: int) -> tuple[Posting, MonthlyForm] | None:
    """A cadre's 附件5 when the cadre is in the viewer's area (None otherwise)."""
    if not any(p.person.id == person_id and _in_scope(scope, p) for p in await postings(session)):
        return None
    found = await monthly_forms(session, year, month, tz, evening_hour, only=[person_id])
    return found[0] if found else None


async def projects_form(session: AsyncSession, scope: access.Scope, *, year: int, tz: ZoneInfo) -> list[CadreProjects]:
    """附件6 blocks of the cadres in the viewer's area."""
    names = {(p.community.name, p.person.name) for p in await postings(session) if _in_scope(scope, p)}
    return [b for b in await project_blocks(session, year, tz) if (b.community, b.cadre) in names]
