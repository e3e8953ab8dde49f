"""The duty calendar as data (scheduler/duty_calendar.toml): periods, due days and reminder days.

Pure: given a duty, a period and the working-day calendar, say when the duty is due and on which
days the owner is reminded. Whether the duty is already met is decided by the caller from counts
(`metric` >= `target`), so reminders stop as soon as the records say the duty is done."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.domain.periods import month_days, quarter_days
from bot.domain.workdays import WorkCalendar

BUILTIN = Path(__file__).resolve().parents[2] / "scheduler" / "duty_calendar.toml"
CADENCES = ("weekly", "monthly", "quarterly", "yearly")
OWNERS = ("cadre", "sunk_cadre", "grid_worker", "community_secretary", "street_secretary")
METRICS = (
    "report_confirmed", "days_in_community", "night_visits", "key_household_visits", "party_lectures",
    "exchange_meetings", "projects_committed", "projects_done", "talk_coverage",
)
NON_WORKDAY = ("keep", "prev_workday", "next_workday")


class DutyCalendarError(ValueError):
    """The calendar file is wrong; the message names the duty and the key."""


@dataclass(frozen=True)
class Period:
    """One obligation window: key like 2026-11, 2026-Q4, 2026-W47 or 2026."""

    key: str
    first: date
    last: date


@dataclass(frozen=True)
class Duty:
    id: str
    title_zh: str
    title_en: str
    owner: str
    cadence: str
    metric: str
    target: int
    due: str
    if_non_workday: str
    remind: tuple[str, ...]
    hour: int
    escalate_to: str | None = None

    def title(self, lang: str) -> str:
        return self.title_en if lang.startswith("en") else self.title_zh

    def period_of(self, day: date) -> Period:
        """The period that `day` falls in."""
        match self.cadence:
            case "weekly":
                monday = day - timedelta(days=day.weekday())
                iso = monday.isocalendar()
                return Period(f"{iso.year}-W{iso.week:02d}", monday, monday + timedelta(days=6))
            case "monthly":
                first, last = month_days(day.year, day.month)
                return Period(f"{day.year}-{day.month:02d}", first, last)
            case "quarterly":
                quarter = (day.month - 1) // 3 + 1
                first, last = quarter_days(day.year, quarter)
                return Period(f"{day.year}-Q{quarter}", first, last)
            case _:
                return Period(str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))

    def periods_around(self, day: date) -> list[Period]:
        """Periods whose reminders can fall on `day`: this one and (for due dates after the
        period, like the monthly report) the one before."""
        current = self.period_of(day)
        previous = self.period_of(current.first - timedelta(days=1))
        return [previous, current]

    def due_date(self, period: Period, calendar: WorkCalendar) -> date:
        kind, _, arg = self.due.partition(":")
        match kind:
            case "end":
                day = period.last
            case "next_month":
                after = period.last + timedelta(days=1)
                day = after.replace(day=int(arg))
            case "month":
                month, dom = (int(x) for x in arg.split(":"))
                day = date(period.first.year, month, dom)
            case "weekday":
                day = period.first + timedelta(days=int(arg) - 1)
            case _:
                raise DutyCalendarError(f"{self.id}: unknown due {self.due!r}")
        if day > period.last and not any(calendar.workdays_between(period.last + timedelta(days=1), day)):
            return calendar.next_workday(day)  # e.g. the 5th in the National Day week: no day to do it
        if calendar.is_workday(day) or self.if_non_workday == "keep":
            return day
        if self.if_non_workday == "prev_workday":
            return calendar.previous_workday(day)
        return calendar.next_workday(day)

    def reminder_days(self, period: Period, calendar: WorkCalendar) -> list[tuple[int, date]]:
        """(stage, day) for each reminder: working days, not after the due day and, for duties due
        after their period (a monthly report), not before the period is over."""
        due = self.due_date(period, calendar)
        last_workday = calendar.previous_workday(due)  # the due day itself when it is a working day
        earliest = calendar.next_workday(period.last + timedelta(days=1)) if due > period.last else period.first
        days: dict[date, int] = {}
        for stage, spec in enumerate(self.remind, start=1):
            kind, _, arg = spec.partition(":")
            if kind.startswith("due-"):
                n = int(kind.removeprefix("due-"))
                day = last_workday
                for _step in range(n):
                    day = calendar.previous_workday(day, include=False)
            else:
                day = calendar.next_workday(self._fixed_day(kind, arg, period))
            day = min(max(day, earliest), last_workday)
            days.setdefault(day, stage)  # two reminders on one day: send the first only
        return sorted(((stage, day) for day, stage in days.items()), key=lambda pair: pair[1])

    def _fixed_day(self, kind: str, arg: str, period: Period) -> date:
        match kind:
            case "day":  # of the period's (last) month
                return period.last.replace(day=int(arg))
            case "month1":  # of the period's first month (a quarter's opening heads-up)
                return period.first.replace(day=int(arg))
            case "month2":
                return (period.first + timedelta(days=32)).replace(day=int(arg))
            case "month":
                month, dom = (int(x) for x in arg.split(":"))
                return date(period.first.year, month, dom)
            case "weekday":
                return period.first + timedelta(days=int(arg) - 1)
        raise DutyCalendarError(f"{self.id}: unknown reminder {kind!r}")


def load_calendar(path: Path | None = None) -> list[Duty]:
    """Read and check a duty calendar file (the built-in one by default)."""
    path = path or BUILTIN
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DutyCalendarError(f"{path}: {exc}") from exc
    duties = [_duty(entry, i) for i, entry in enumerate(data.get("duty", []), start=1)]
    ids = [d.id for d in duties]
    if len(ids) != len(set(ids)):
        raise DutyCalendarError(f"{path}: duplicate duty id")
    return duties


def _duty(entry: dict[str, object], index: int) -> Duty:
    name = str(entry.get("id") or f"duty #{index}")

    def need(key: str, allowed: tuple[str, ...] | None = None) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value:
            raise DutyCalendarError(f"{name}: `{key}` is required")
        if allowed and value not in allowed:
            raise DutyCalendarError(f"{name}: `{key}` must be one of {', '.join(allowed)}, not {value!r}")
        return value

    remind = entry.get("remind", [])
    if not isinstance(remind, list) or not all(isinstance(r, str) for r in remind):
        raise DutyCalendarError(f"{name}: `remind` must be a list of strings")
    hour = entry.get("hour", 9)
    if not isinstance(hour, int) or not 8 <= hour <= 18:
        raise DutyCalendarError(f"{name}: `hour` must be an office hour 8..18")
    target = entry.get("target", 1)
    if not isinstance(target, int):
        raise DutyCalendarError(f"{name}: `target` must be a whole number")
    escalate = entry.get("escalate_to")
    if escalate is not None and escalate not in OWNERS:
        raise DutyCalendarError(f"{name}: `escalate_to` must be one of {', '.join(OWNERS)}")
    duty = Duty(
        id=need("id"), title_zh=need("title_zh"), title_en=str(entry.get("title_en") or entry["title_zh"]),
        owner=need("owner", OWNERS), cadence=need("cadence", CADENCES), metric=need("metric", METRICS),
        target=target, due=need("due"), if_non_workday=str(entry.get("if_non_workday", "keep")),
        remind=tuple(remind), hour=hour, escalate_to=str(escalate) if escalate else None,
    )
    if duty.if_non_workday not in NON_WORKDAY:
        raise DutyCalendarError(f"{name}: `if_non_workday` must be one of {', '.join(NON_WORKDAY)}")
    _check_specs(duty)
    return duty


def _check_specs(duty: Duty) -> None:
    """Compute a sample period so a typo in `due` or `remind` fails at start, not in December."""
    calendar = WorkCalendar()
    try:
        period = duty.period_of(date(2026, 11, 16))
        duty.due_date(period, calendar)
        duty.reminder_days(period, calendar)
    except (ValueError, IndexError) as exc:
        raise DutyCalendarError(f"{duty.id}: bad `due` or `remind`: {exc}") from exc
