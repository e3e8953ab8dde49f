"""Period keys and boundaries: months ("2026-11"), quarters ("2026-Q4"), years ("2026")."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def month_days(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    return date(year, first_month, 1), month_days(year, first_month + 2)[1]


def previous_month(day: date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


FIRST_YEAR = 2000  # nothing the bot keeps is older: a month or year before it is a typo
LAST_YEAR = 2100  # nor is anything typed, given or replayed later: date arithmetic stays far from 9999


def in_years(year: int) -> bool:
    """A year a command, a form value, a page or a transcript may name: 2000 to 2100."""
    return FIRST_YEAR <= year <= LAST_YEAR
TYPED_DAYS = 366  # a day someone types (leave) lies within a year of today


def plausible_day(day: date, today: date) -> bool:
    """A day typed in chat is within a year of today (a leave cannot end in 9999)."""
    return abs((day - today).days) <= TYPED_DAYS


def plausible_month(year: int, month: int, today: date) -> bool:
    """A month that can have records: from January 2000 to this month."""
    return (FIRST_YEAR, 1) <= (year, month) <= (today.year, today.month)


def plausible_year(year: int, today: date) -> bool:
    """A year that can have records: 2000 to this year."""
    return FIRST_YEAR <= year <= today.year


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' → (2026, 11); ValueError with a clear message otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        date(year, month, 1)
    except (ValueError, TypeError):
        raise ValueError(f"{text!r} is not a month like 2026-11") from None
    return year, month


def span(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start of first, start of the day after last) as aware datetimes."""
    return datetime.combine(first, time(0), tz), datetime.combine(last + timedelta(days=1), time(0), tz)
