"""The ticket sweep (every 15 minutes): 催办 to the handler before a deadline, overdue tickets
flagged to the community secretary (督办), departments late with 吹哨 feedback lose 3 points and
are named, and resolved tickets nobody rated within 3 working days are closed as solved.
Escalation stays a human decision: the sweep only tells people. Every notice is sent once."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import deadlines, points
from bot.domain.categories import category
from bot.domain.tickets import Action, Resolution, State, state_label
from bot.i18n import _
from bot.services.tickets import award_points, fmt_due, tell_managers, tell_reporters
from bot.services.work import Work
from storage import ticket_store
from storage.models import OrgUnit, Person, Ticket

DUE_SOON = timedelta(hours=24)


async def sweep(work: Work, *, office_hours: bool) -> None:
    tickets = await ticket_store.open_tickets(work.session)
    if not tickets:
        return  # escalations belong to open tickets: nothing else can be due
    for ticket in tickets:
        urgent = ticket.urgency == "P0"
        if not (office_hours or urgent):
            continue
        await _accept_reminder(work, ticket)
        await _due_reminders(work, ticket)
        await _auto_close(work, ticket)
    if office_hours:
        await _late_departments(work)


async def _assignee(work: Work, ticket: Ticket) -> Person | None:
    return await work.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None


async def _accept_reminder(work: Work, ticket: Ticket) -> None:
    if ticket.state != State.reported or not ticket.accept_due_at or work.now < ticket.accept_due_at:
        return
    assignee = await _assignee(work, ticket)
    if assignee and assignee.im_user:
        await work.notify_once(assignee.im_user, lambda: _(
            "催办: ticket {no} has not been accepted yet (due {due}). Reply “受理 {no}”."
        ).format(no=ticket.no, due=fmt_due(work, ticket.accept_due_at)),
            duty="ticket_accept", period=ticket.no, ticket=ticket.no)
    if ticket.urgency == "P0":  # life or property at risk and nobody has taken it: the secretary, now
        await tell_managers(work, ticket, lambda: _(
            "P0 ticket {no} ({category}) has not been accepted within {minutes} minutes; handler {who}."
        ).format(no=ticket.no, category=category(ticket.category).name(),
                 minutes=int(deadlines.LIMITS["P0"].accept.total_seconds() // 60),  # type: ignore[union-attr]
                 who=assignee.name if assignee else "—"),
            duty="ticket_p0_unaccepted", period=ticket.no)


async def _due_reminders(work: Work, ticket: Ticket) -> None:
    if ticket.due_at is None or ticket.state in (State.resolved, State.closed, State.escalated):
        return
    period = f"{ticket.no}@{work.local(ticket.due_at):%Y%m%d}"
    assignee = await _assignee(work, ticket)
    if work.now < ticket.due_at:
        if ticket.due_at - work.now <= DUE_SOON and assignee and assignee.im_user:
            await work.notify_once(assignee.im_user, lambda: _(
                "催办: ticket {no} is due {due}. Resolve it (“办结 {no} <result>”) or ask for more "
                "time (“延期 {no} <n>天 <reason>”)."
            ).format(no=ticket.no, due=fmt_due(work, ticket.due_at)),
                duty="ticket_due_soon", period=period, ticket=ticket.no)
        return
    if not ticket.supervised:
        ticket.supervised = True
        work.session.add(ticket)
        await ticket_store.add_event(work.session, ticket, at=work.now, actor="system",
                                     action=Action.overdue, from_state=ticket.state,
                                     to_state=ticket.state)
    who = assignee.name if assignee else "—"
    def text() -> str:
        return _("Overdue (督办): ticket {no} was due {due}; handler {who}, state {state}.").format(
            no=ticket.no, due=fmt_due(work, ticket.due_at), who=who, state=state_label(ticket.state))
    await tell_managers(work, ticket, text, duty="ticket_overdue", period=period)


async def _auto_close(work: Work, ticket: Ticket) -> None:
    if ticket.state != State.resolved or ticket.resolved_at is None:
        return
    limit = deadlines.working_deadline(work.calendar, ticket.resolved_at,
                                       deadlines.AUTO_CLOSE_WORKING_DAYS, work.tz)
    if work.now <= limit:
        return
    before = ticket.state
    ticket.state, ticket.resolution, ticket.closed_at = State.closed, Resolution.fixed, work.now
    ticket.updated_at = work.now
    work.session.add(ticket)
    await ticket_store.add_event(work.session, ticket, at=work.now, actor="system",
                                 action=Action.close, from_state=before, to_state=State.closed,
                                 note="auto-closed: not rated in time")
    await award_points(work, ticket)
    await tell_reporters(work, ticket, lambda: _(
        "Ticket {no} has been closed as solved. If the problem is back, send “评价 {no} 不满意”."
    ).format(no=ticket.no))


async def _late_departments(work: Work) -> None:
    for escalation in await ticket_store.overdue_escalations(work.session, work.now):
        escalation.late = True
        work.session.add(escalation)
        ticket = await work.session.get(Ticket, escalation.ticket_id)
        department = await work.session.get(OrgUnit, escalation.department_id)
        assert ticket is not None
        assert department is not None
        assert ticket.id is not None
        await ticket_store.add_points(work.session, department_id=department.id, ticket_id=ticket.id,
                                      kind="late", points=points.LATE_FEEDBACK, at=work.now,
                                      year=work.local().year)
        await ticket_store.add_event(work.session, ticket, at=work.now, actor="system",
                                     action="feedback_late", from_state=ticket.state,
                                     to_state=ticket.state, data={"department": department.id})
        def text(name: str = department.name, no: str = ticket.no, due: str = fmt_due(work, escalation.feedback_due)
                 ) -> str:  # in each recipient's language
            return _("{department} did not feed back on ticket {no} by {due} (−3 points).").format(
                department=name, no=no, due=due)

        for liaison in await ticket_store.people_in_unit(work.session, department.id, "department_liaison"):
            if liaison.im_user:
                await work.notify(liaison.im_user, text, ticket=ticket.no)
        await tell_managers(work, ticket, text)
