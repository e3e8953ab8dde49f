"""Working days (工作日) with statutory holidays and 调休 make-up days.

Order of authority for a day: the override file (``[calendar] holidays_file``) → chinesecalendar
(which knows each year once the State Council notice is out) → Monday–Friday without the
fixed-date statutory holidays, marked provisional because the real notice may move it. Deadlines
count from the day after the start (民法典 §201)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import chinese_calendar

# Statutory holidays on fixed Gregorian dates (全国年节及纪念日放假办法, 2024): 元旦 1 January,
# 劳动节 1–2 May, 国庆节 1–3 October. Known before any notice, so even a provisional year keeps them;
# the lunar holidays and the 调休 swaps come only with the State Council notice.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


class CalendarFileError(ValueError):
    pass


@cache
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _weekday_rule(day: date) -> bool:
    """A working day by the package, or Monday–Friday less the fixed holidays in a year it does
    not know yet. Cached: deadlines and planning ask about the same days thousands of times, and
    the package validates (and for an unknown year raises) on every call."""
    if _package_knows(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    complete_years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_file(cls, path: Path | None) -> WorkCalendar:
        """Load overrides: ``holidays = [...]``, ``workdays = [...]`` (ISO dates) and
        ``complete_years = [2027]`` for years the file fully covers (no longer provisional)."""
        if path is None:
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CalendarFileError(f"{path}: {exc}") from exc
        unknown = set(data) - {"holidays", "workdays", "complete_years"}
        if unknown:
            raise CalendarFileError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")

        def dates(key: str) -> frozenset[date]:
            out = set()
            for value in data.get(key, []):
                try:
                    out.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
                except ValueError as exc:
                    raise CalendarFileError(f"{path}: {key}: {value!r} is not a date") from exc
            return frozenset(out)

        holidays, workdays = dates("holidays"), dates("workdays")
        both = holidays & workdays
        if both:
            raise CalendarFileError(f"{path}: {min(both)} is both a holiday and a workday")
        return cls(holidays, workdays, frozenset(int(y) for y in data.get("complete_years", [])))

    def knows_year(self, year: int) -> bool:
        """True when the year's real holiday arrangement is loaded (package or override file)."""
        return year in self.complete_years or _package_knows(year)

    def is_provisional(self, day: date) -> bool:
        return day not in self.holidays and day not in self.workdays and not self.knows_year(day.year)

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return _weekday_rule(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (the start day itself never counts)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def next_workday(self, day: date, *, include: bool = True) -> date:
        day = day if include else day + timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def previous_workday(self, day: date, *, include: bool = True) -> date:
        day = day if include else day - timedelta(days=1)
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def workdays_between(self, first: date, last: date) -> Iterable[date]:
        day = first
        while day <= last:
            if self.is_workday(day):
                yield day
            day += timedelta(days=1)
