"""Time limits in working days, across weekends and the National Day holiday."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.domain import deadlines
from bot.domain.workdays import WorkCalendar
from tests.conftest import TZ, local

CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("filed", "urgency", "accept", "resolve"),
    [
        (local(2026, 11, 2, 10, 0), "P0", local(2026, 11, 2, 10, 30), local(2026, 11, 2, 23, 59, 59)),
        (local(2026, 11, 2, 10, 0), "P1", local(2026, 11, 2, 11, 0), local(2026, 11, 4, 23, 59, 59)),
        # P1 after hours on a Friday: by 09:30 on Monday
        (local(2026, 11, 6, 20, 0), "P1", local(2026, 11, 9, 9, 30), local(2026, 11, 10, 23, 59, 59)),
        (local(2026, 11, 2, 10, 0), "P2", local(2026, 11, 3, 23, 59, 59), local(2026, 11, 9, 23, 59, 59)),
        (local(2026, 11, 2, 10, 0), "P3", local(2026, 11, 3, 23, 59, 59), local(2026, 11, 5, 23, 59, 59)),
        # filed on the eve of National Day: five working days end after the holiday week
        (local(2026, 9, 30, 16, 0), "P2", local(2026, 10, 8, 23, 59, 59), local(2026, 10, 13, 23, 59, 59)),
    ],
)
def test_accept_and_resolve_deadlines(
    filed: datetime, urgency: str, accept: datetime, resolve: datetime
) -> None:
    assert deadlines.accept_due(CAL, filed, urgency, TZ) == accept
    assert deadlines.resolve_due(CAL, filed, urgency, TZ) == resolve


def test_department_feedback_is_due_in_three_working_days_across_a_holiday() -> None:
    # 吹哨 on Wed 30 Sep 2026: Oct 1-7 are holidays, Sat Oct 10 is a make-up working day
    assert deadlines.feedback_due(CAL, local(2026, 9, 30, 15, 0), TZ) == local(2026, 10, 10, 23, 59, 59)


def test_an_escalated_ticket_runs_on_the_departments_clock() -> None:
    own, department = local(2026, 10, 9, 23, 59), local(2026, 10, 12, 23, 59)
    escalated_due = deadlines.escalated_due
    assert escalated_due(own, department) == department
    assert escalated_due(department, own) == department  # its own later deadline still stands
    assert escalated_due(None, own) == own
