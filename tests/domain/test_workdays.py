"""Working days: statutory holidays and 调休 from chinesecalendar, the Mon–Fri fallback for years it
does not know (marked provisional), and the override file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.domain.workdays import CalendarFileError, WorkCalendar

CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # domain.md §8.3 worked examples
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # National Day; Sat 10-10 is a make-up day
        (date(2026, 2, 13), 3, date(2026, 2, 25)),  # Spring Festival
        (date(2026, 4, 30), 3, date(2026, 5, 8)),  # Labour Day
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # a Friday: the weekend does not count
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_add_working_days_follows_the_state_council_calendar(start: date, n: int, due: date) -> None:
    assert CAL.add_working_days(start, n) == due


def test_make_up_saturday_is_a_working_day_and_holiday_weekday_is_not() -> None:
    assert CAL.is_workday(date(2026, 2, 14))  # Saturday, 调休
    assert not CAL.is_workday(date(2026, 10, 5))  # Monday, National Day
    assert not CAL.is_provisional(date(2026, 10, 5))


def test_years_without_data_fall_back_to_monday_friday_and_say_so() -> None:
    assert CAL.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)
    assert not CAL.is_workday(date(2027, 1, 1))  # 元旦 is fixed by law, notice or not
    assert CAL.is_workday(date(2027, 1, 4)) and CAL.is_provisional(date(2027, 1, 4))
    assert not CAL.is_workday(date(2027, 10, 1)) and CAL.is_workday(date(2027, 10, 4))
    assert not CAL.knows_year(2027)
    assert CAL.knows_year(2026)


def test_override_file_adds_days_and_completes_a_year(tmp_path: Path) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(
        'holidays = ["2027-01-01", "2026-11-24"]\nworkdays = ["2027-01-03"]\n'
        "complete_years = [2027]\n",
        encoding="utf-8",
    )
    cal = WorkCalendar.from_file(path)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 3))  # a Sunday made a working day
    assert not cal.is_workday(date(2026, 11, 24))  # a local no-work day in a known year
    assert cal.knows_year(2027) and not cal.is_provisional(date(2027, 3, 1))
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('holidays = ["2027-13-01"]\n', "is not a date"),
        ('holidays = ["2027-01-01"]\nworkdays = ["2027-01-01"]\n', "both a holiday and a workday"),
        ('holiday = ["2027-01-01"]\n', "unknown key"),
        ("holidays = [\n", "holidays.toml"),
    ],
)
def test_bad_override_files_are_explained(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarFileError, match=message):
        WorkCalendar.from_file(path)


def test_previous_and_next_workday() -> None:
    assert CAL.previous_workday(date(2026, 10, 5)) == date(2026, 9, 30)
    assert CAL.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 8), include=False) == date(2026, 10, 9)
    assert list(CAL.workdays_between(date(2026, 10, 9), date(2026, 10, 12))) == [
        date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12),
    ]
