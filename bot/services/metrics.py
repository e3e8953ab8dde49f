"""What the records say about a period, for everyone at once: the counts that decide whether a
duty is met, feed the monthly form, the rankings and the red-line indicators.

Batch by design: one query per kind of record for the whole roster, so a month's reminders and
reports for a thousand cadres do not turn into a thousand queries each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.checkins import Kind, MonthTotals, Record, month_totals
from bot.domain.duties import Duty, Period
from bot.domain.periods import span
from storage import checkin_store
from storage.models import CheckIn, Person, Project

RECORD_METRICS = {"days_in_community", "night_visits", "key_household_visits", "party_lectures",
                  "exchange_meetings"}


@dataclass
class PeriodRecords:
    """Everyone's check-ins (and projects, for yearly duties) of one period."""

    period: Period
    rows: dict[str, list[CheckIn]]
    projects: dict[str, list[Project]]
    tz: ZoneInfo
    evening_hour: int

    def totals(self, person_id: str) -> MonthTotals:
        return month_totals(
            (Record(r.kind, r.at, r.ended_at, r.count, r.data or {}) for r in self.rows.get(person_id, [])),
            self.tz, self.evening_hour, first=self.period.first, last=self.period.last,
        )

    def confirmed(self, person_id: str, month_key: str) -> bool:
        return any(r.kind == Kind.report_confirmed and (r.data or {}).get("period") == month_key
                   for r in self.rows.get(person_id, []))

    def talked_with(self) -> set[str]:
        return {str((r.data or {}).get("cadre")) for rows in self.rows.values() for r in rows
                if r.kind == Kind.talk}


async def load_period(
    session: AsyncSession, period: Period, tz: ZoneInfo, evening_hour: int, *, until: date | None = None
) -> PeriodRecords:
    """Records of `period` (to `until` if given, e.g. the monthly report confirmed after month end)."""
    start, end = span(period.first, until or period.last, tz)
    rows: dict[str, list[CheckIn]] = defaultdict(list)
    for row in await checkin_store.records_of_everyone(session, start, end):
        rows[row.person_id].append(row)
    projects: dict[str, list[Project]] = defaultdict(list)
    for project in await checkin_store.all_projects(session, period.first.year):
        projects[project.person_id].append(project)
    return PeriodRecords(period, dict(rows), dict(projects), tz, evening_hour)


def metric(duty: Duty, records: PeriodRecords, person: Person, cadres: Sequence[Person]) -> int:
    """The duty's count for one person in the period (compared with `duty.target`)."""
    match duty.metric:
        case "report_confirmed":
            return int(records.confirmed(person.id, records.period.key))
        case "projects_committed":
            mine = records.projects.get(person.id, [])
            # three projects meet the duty only when at least one is a Party-building project
            return len(mine) if any(p.party_building for p in mine) else min(len(mine), 2)
        case "projects_done":
            return sum(1 for p in records.projects.get(person.id, []) if p.done_at is not None)
        case "talk_coverage":
            talked = records.talked_with()
            return 100 if not cadres else 100 * sum(1 for c in cadres if c.id in talked) // len(cadres)
    totals = records.totals(person.id)
    match duty.metric:
        case "days_in_community":
            return totals.days_in_community
        case "night_visits":
            return totals.night_visits
        case "key_household_visits":
            return totals.key_household_visits
        case "party_lectures":
            return totals.party_lectures
        case "exchange_meetings":
            return totals.meetings.get("exchange", 0)
    raise ValueError(f"unknown metric {duty.metric}")


def missing_talks(records: PeriodRecords, cadres: Iterable[Person]) -> list[Person]:
    talked = records.talked_with()
    return [c for c in cadres if c.id not in talked]
