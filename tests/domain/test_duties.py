"""The duty calendar as data: periods, due days and reminder days on working days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.domain.duties import DutyCalendarError, load_calendar
from bot.domain.ranking import CadreQuarter, rank
from bot.domain.workdays import WorkCalendar

CAL = WorkCalendar()
DUTIES = {d.id: d for d in load_calendar()}


def test_the_built_in_calendar_holds_every_cadence_of_the_rules() -> None:
    assert {"monthly_report", "days_in_community", "night_visit", "key_households", "party_lecture",
            "exchange_meeting", "lead_projects", "year_end_report", "talks", "baolian_days"} <= set(DUTIES)
    assert DUTIES["days_in_community"].target == 10 and DUTIES["lead_projects"].target == 3
    assert DUTIES["night_visit"].cadence == "weekly" and DUTIES["party_lecture"].cadence == "quarterly"


@pytest.mark.parametrize(
    ("duty", "day", "key"),
    [
        ("monthly_report", date(2026, 11, 30), "2026-11"),
        ("night_visit", date(2026, 11, 29), "2026-W48"),  # a Sunday closes its ISO week
        ("party_lecture", date(2026, 12, 31), "2026-Q4"),
        ("lead_projects", date(2026, 1, 2), "2026"),
    ],
)
def test_periods_have_keys_people_read(duty: str, day: date, key: str) -> None:
    assert DUTIES[duty].period_of(day).key == key


def test_the_monthly_report_is_due_on_the_fifth_and_reminded_after_the_month_is_over() -> None:
    duty = DUTIES["monthly_report"]
    november = duty.period_of(date(2026, 11, 10))
    assert duty.due_date(november, CAL) == date(2026, 12, 5)  # a Saturday; working days come before it
    assert [d for _stage, d in duty.reminder_days(november, CAL)] == [
        date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 4)]


def test_a_fifth_inside_a_holiday_with_no_working_day_before_it_moves_to_the_next_working_day() -> None:
    duty = DUTIES["monthly_report"]
    september = duty.period_of(date(2026, 9, 1))
    assert duty.due_date(september, CAL) == date(2026, 10, 8)
    assert duty.reminder_days(september, CAL) == [(1, date(2026, 10, 8))]  # one reminder, not three the same day


def test_reminders_fall_on_working_days_only() -> None:
    for duty in DUTIES.values():
        for month in range(1, 13):
            period = duty.period_of(date(2026, month, 15))
            for _stage, day in duty.reminder_days(period, CAL):
                assert CAL.is_workday(day), (duty.id, period.key, day)


def test_a_bad_calendar_file_names_the_duty_and_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "duties.toml"
    bad.write_text('[[duty]]\nid = "x"\ntitle_zh = "某事"\nowner = "mayor"\ncadence = "monthly"\n'
                   'metric = "night_visits"\ndue = "end"\n', encoding="utf-8")
    with pytest.raises(DutyCalendarError, match=r"x: `owner` must be one of"):
        load_calendar(bad)
    bad.write_text('[[duty]]\nid = "x"\ntitle_zh = "某事"\nowner = "cadre"\ncadence = "monthly"\n'
                   'metric = "night_visits"\ndue = "end"\nremind = ["fortnight:3"]\n', encoding="utf-8")
    with pytest.raises(DutyCalendarError, match="x: "):
        load_calendar(bad)


def test_a_calendar_without_a_file_is_an_error_not_an_empty_calendar(tmp_path: Path) -> None:
    with pytest.raises(DutyCalendarError):
        load_calendar(tmp_path / "missing.toml")


def test_ranking_weights_days_households_timeliness_and_satisfaction() -> None:
    def cadre(name: str, days: int, households: int) -> CadreQuarter:
        return CadreQuarter(name=name, community="c", days=days, households=households,
                            handled=4, on_time=4, rated=2, satisfied=2)

    ranked = rank([cadre("a", 20, 10), cadre("b", 30, 30), cadre("c", 20, 10)])
    assert [(place, c.name) for place, c in ranked] == [(1, "b"), (2, "a"), (2, "c")]  # ties share a place
    assert ranked[0][1].score == pytest.approx(100.0)
