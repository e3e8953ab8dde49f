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
