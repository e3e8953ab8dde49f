"""The ticket state machine: every allowed move, every refusal, the 四必到 guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.tickets import (
    ALLOWED,
    Action,
    Outcome,
    Resolution,
    State,
    TransitionError,
    resolved_on_time,
    transition,
)


@pytest.mark.parametrize(
    ("state", "action", "kwargs", "expected"),
    [
        ("reported", Action.accept, {}, Outcome(State.accepted)),
        ("assigned", Action.accept, {}, Outcome(State.accepted)),  # the colleague it was passed to
        ("accepted", Action.on_site, {}, Outcome(State.in_progress)),
        ("escalated", Action.on_site, {}, Outcome(State.escalated)),
        ("in_progress", Action.resolve, {}, Outcome(State.resolved)),
        ("accepted", Action.resolve, {}, Outcome(State.resolved)),  # answered by phone
        ("in_progress", Action.escalate, {}, Outcome(State.escalated)),
        ("escalated", Action.dept_feedback, {"pending_departments": 1}, Outcome(State.escalated)),
        ("escalated", Action.dept_feedback, {"pending_departments": 0}, Outcome(State.in_progress)),
        ("in_progress", Action.reassign, {}, Outcome(State.assigned)),
        ("escalated", Action.reassign, {}, Outcome(State.escalated)),
        ("assigned", Action.extend, {}, Outcome(State.assigned)),
        ("resolved", Action.verify_pass, {}, Outcome(State.closed, Resolution.fixed)),
        ("resolved", Action.verify_fail, {}, Outcome(State.in_progress)),
        ("resolved", Action.close, {}, Outcome(State.closed, Resolution.fixed)),
        ("reported", Action.close, {}, Outcome(State.closed, Resolution.explained)),
        ("in_progress", Action.withdraw, {}, Outcome(State.closed, Resolution.withdrawn)),
        ("resolved", Action.rate, {"satisfaction": "满意"}, Outcome(State.closed, Resolution.fixed)),
        ("resolved", Action.rate, {"satisfaction": "基本满意"}, Outcome(State.closed, Resolution.fixed)),
        ("resolved", Action.rate, {"satisfaction": "不满意"}, Outcome(State.in_progress)),
        ("closed", Action.rate, {"satisfaction": "不满意", "resolution": "fixed"}, Outcome(State.in_progress)),
        ("closed", Action.rate, {"satisfaction": "满意", "resolution": "explained"},
         Outcome(State.closed, Resolution.fixed)),
    ],
)
def test_allowed_moves(state: str, action: Action, kwargs: dict[str, object], expected: Outcome) -> None:
    assert transition(state, action, **kwargs) == expected  # type: ignore[arg-type]


def test_every_other_move_is_refused_with_the_current_state_named() -> None:
    for action, allowed in ALLOWED.items():
        for state in set(State) - allowed:
            with pytest.raises(TransitionError, match=r"这个工单|This ticket"):
                transition(state, action, satisfaction="满意", resolution="fixed")


def test_four_must_attend_tickets_need_an_on_site_check_first() -> None:
    with pytest.raises(TransitionError, match="到场"):
        transition("accepted", Action.resolve, requires_on_site=True)
    assert transition("in_progress", Action.resolve, requires_on_site=True, on_site_done=True) == Outcome(
        State.resolved)


def test_ratings_must_be_one_of_three_words() -> None:
    with pytest.raises(TransitionError, match="满意"):
        transition("resolved", Action.rate, satisfaction="还行")


def test_closed_tickets_cannot_be_worked_on() -> None:
    for action in (Action.accept, Action.resolve, Action.escalate, Action.withdraw, Action.supplement):
        with pytest.raises(TransitionError):
            transition("closed", action)


@pytest.mark.parametrize("resolution", ["withdrawn", "duplicate", "rejected", "not_ours", None])
def test_a_ticket_closed_without_an_answer_cannot_be_rated(resolution: str | None) -> None:
    for satisfaction in ("满意", "不满意"):
        with pytest.raises(TransitionError, match=r"nothing to rate|没有可评价"):
            transition("closed", Action.rate, satisfaction=satisfaction, resolution=resolution)


@pytest.mark.parametrize("state", ["reported", "accepted", "assigned", "in_progress", "escalated"])
def test_a_ticket_not_yet_dealt_with_cannot_be_rated(state: str) -> None:
    with pytest.raises(TransitionError, match=r"once it is resolved|办结后"):
        transition(state, Action.rate, satisfaction="不满意")


def test_staff_are_everyone_with_a_roster_role() -> None:
    from bot.domain.tickets import is_staff
    assert is_staff(frozenset({"grid_worker"})) and is_staff(frozenset({"department_liaison"}))
    assert not is_staff(frozenset())


def test_on_time_means_resolved_by_the_deadline_or_without_one() -> None:
    due = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert resolved_on_time(due, due)  # at the deadline itself
    assert not resolved_on_time(due + timedelta(seconds=1), due)
    assert resolved_on_time(due + timedelta(days=30), None)  # no deadline (a 咨询 answered)
