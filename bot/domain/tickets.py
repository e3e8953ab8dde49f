"""The ticket lifecycle (architecture.md §9) as a pure table: which action may move a ticket from
which state to which, and the guards. Services load a ticket, call `transition`, store the result
and the audit event; nothing here does I/O.

    reported ─受理→ accepted ─到场→ in_progress ─办结→ resolved ─评价 满意 / 核查 通过→ closed
        │              │  ↑转派(assigned)   │  ↑反馈(all departments)     │
        │              └────────吹哨──→ escalated ─┘                    └─评价 不满意 / 核查 退回→ in_progress
        └─撤回 (any open state) → closed(withdrawn)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.i18n import N_, _


class State(StrEnum):
    reported = "reported"
    accepted = "accepted"
    assigned = "assigned"
    in_progress = "in_progress"
    escalated = "escalated"
    resolved = "resolved"
    closed = "closed"


class Resolution(StrEnum):
    fixed = "fixed"
    explained = "explained"
    not_ours = "not_ours"
    duplicate = "duplicate"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Action(StrEnum):
    report = "report"
    accept = "accept"
    on_site = "on_site"
    resolve = "resolve"
    escalate = "escalate"
    dept_report = "dept_report"
    dept_feedback = "dept_feedback"
    reassign = "reassign"
    extend = "extend"
    verify_pass = "verify_pass"
    verify_fail = "verify_fail"
    close = "close"
    withdraw = "withdraw"
    supplement = "supplement"
    rate = "rate"
    reopen = "reopen"
    remind = "remind"
    overdue = "overdue"


OPEN = frozenset(State) - {State.closed}
WORKING = frozenset({State.accepted, State.assigned, State.in_progress})

# action → states it may start from. The target state is decided in `transition`.
ALLOWED: dict[Action, frozenset[State]] = {
    Action.accept: frozenset({State.reported, State.assigned}),  # the new handler takes up a 转派
    Action.on_site: frozenset({State.reported, *WORKING, State.escalated}),
    Action.resolve: frozenset({*WORKING, State.escalated}),
    Action.escalate: frozenset({State.reported, *WORKING}),
    Action.dept_report: frozenset({State.escalated}),
    Action.dept_feedback: frozenset({State.escalated}),
    Action.reassign: frozenset({State.reported, *WORKING, State.escalated}),
    Action.extend: frozenset({State.reported, *WORKING, State.escalated}),
    Action.verify_pass: frozenset({State.resolved}),
    Action.verify_fail: frozenset({State.resolved}),
    Action.close: frozenset(OPEN),
    Action.withdraw: frozenset(OPEN),
    Action.supplement: frozenset(OPEN),
    Action.rate: frozenset({State.resolved, State.closed}),
}

STATE_LABELS = {
    State.reported: N_("reported"),
    State.accepted: N_("accepted"),
    State.assigned: N_("assigned"),
    State.in_progress: N_("in progress"),
    State.escalated: N_("whistle blown"),
    State.resolved: N_("resolved, awaiting check"),
    State.closed: N_("closed"),
}
RESOLUTION_LABELS = {
    Resolution.fixed: N_("solved"),
    Resolution.explained: N_("answered"),
    Resolution.not_ours: N_("not our responsibility"),
    Resolution.duplicate: N_("duplicate"),
    Resolution.rejected: N_("not accepted"),
    Resolution.withdrawn: N_("withdrawn"),
}
SATISFACTION = ("满意", "基本满意", "不满意")
SATISFIED = frozenset({"满意", "基本满意"})  # the ratings counted as satisfied (digests, ranking, 看板)
RATEABLE = frozenset({Resolution.fixed, Resolution.explained})  # a closed ticket somebody answered


def resolved_on_time(resolved_at: datetime, due_at: datetime | None) -> bool:
    """A resolved ticket counts as on time when resolved by its deadline (or it had none): the rule of
    the weekly digest, the quarterly ranking and the dashboard."""
    return due_at is None or resolved_at <= due_at


STAFF_ROLES = frozenset({"grid_worker", "cadre", "sunk_cadre", "community_secretary",
                         "street_secretary", "department_liaison", "admin"})


def is_staff(roles: frozenset[str]) -> bool:
    """Anyone holding a roster role is staff: never a reporter or a rater of a ticket, since the
    people who handle tickets must not be the ones who judge them."""
    return bool(roles & STAFF_ROLES)


def state_label(state: str) -> str:
    return _(STATE_LABELS[State(state)])


def resolution_label(resolution: str) -> str:
    return _(RESOLUTION_LABELS[Resolution(resolution)])


class TransitionError(Exception):
    """An action that the ticket's state or rules do not allow; the message is for the user.

    `public` is what a group may read of it when the answer cannot go privately: the same text
    unless the message repeats something the user typed (then a version saying only what kind of
    thing was wrong)."""

    def __init__(self, message: str, *, public: str | None = None) -> None:
        super().__init__(message)
        self.public = message if public is None else public


def _check_rateable(state: State, resolution: str | None) -> None:
    """A rating judges an answer: only a resolved ticket, or one closed as fixed or explained."""
    if state is State.closed and resolution not in RATEABLE:
        ended = resolution_label(resolution) if resolution in set(Resolution) else state_label(state)
        raise TransitionError(_(
            "This ticket was closed as {resolution} without being dealt with, so there is nothing to "
            "rate. If the problem is still there, report it again."
        ).format(resolution=ended))
    if state is not State.closed and state is not State.resolved:
        raise TransitionError(_(
            "This ticket is {state} and has not been dealt with yet; you can rate it once it is "
            "resolved."
        ).format(state=state_label(state)))


@dataclass(frozen=True)
class Outcome:
    state: State
    resolution: Resolution | None = None


def transition(
    state: str, action: Action, *, on_site_done: bool = False, requires_on_site: bool = False,
    satisfaction: str | None = None, pending_departments: int = 0, resolution: str | None = None,
) -> Outcome:
    """Where `action` takes a ticket in `state`, or TransitionError saying why it cannot.
    `resolution` is how a closed ticket ended (a rating needs one that was fixed or explained)."""
    current = State(state)
    allowed = ALLOWED.get(action)
    if allowed is None:
        raise ValueError(f"{action} is not a lifecycle action")
    if action is Action.rate:
        _check_rateable(current, resolution)
    if current not in allowed:
        raise TransitionError(
            _("This ticket is {state}; that cannot be done now.").format(state=state_label(current))
        )
    match action:
        case Action.accept:
            return Outcome(State.accepted)
        case Action.on_site:
            return Outcome(State.escalated if current is State.escalated else State.in_progress)
        case Action.resolve:
            if requires_on_site and not on_site_done:
                raise TransitionError(
                    _("This kind of matter must be visited in person first (四必到): "
                      "send “到场 <number>” when you are there.")
                )
            return Outcome(State.resolved)
        case Action.escalate:
            return Outcome(State.escalated)
        case Action.dept_report:
            return Outcome(State.escalated)
        case Action.dept_feedback:
            return Outcome(State.escalated if pending_departments > 0 else State.in_progress)
        case Action.reassign:
            return Outcome(State.escalated if current is State.escalated else State.assigned)
        case Action.extend | Action.supplement:
            return Outcome(current)
        case Action.verify_pass:
            return Outcome(State.closed, Resolution.fixed)
        case Action.verify_fail:
            return Outcome(State.in_progress)
        case Action.close:
            return Outcome(State.closed,
                           Resolution.fixed if current is State.resolved else Resolution.explained)
        case Action.withdraw:
            return Outcome(State.closed, Resolution.withdrawn)
        case Action.rate:
            if satisfaction not in SATISFACTION:
                raise TransitionError(_("Rate with 满意, 基本满意 or 不满意."))
            if satisfaction == "不满意":
                return Outcome(State.in_progress)  # reopened
            return Outcome(State.closed, Resolution.fixed)
    raise AssertionError(action)  # pragma: no cover
