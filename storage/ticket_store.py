"""Ticket queries: numbering, look-ups, audit events, reporters, escalations and points."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.tickets import OPEN, State
from storage.models import (
    Escalation,
    OrgUnit,
    Person,
    PointsEntry,
    RoleGrant,
    Ticket,
    TicketEvent,
    TicketReporter,
    TicketSequence,
)


async def next_ticket_no(session: AsyncSession, day: date) -> str:
    """YYMMDD-NNN: an atomic daily counter (one upsert), safe with concurrent filings."""
    key = day.strftime("%y%m%d")
    dialect = postgresql if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(TicketSequence)
        .values(day=key, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": TicketSequence.last + 1})
        .returning(TicketSequence.last)
    )
    last = (await session.exec(statement)).scalar_one()  # type: ignore[call-overload]
    return f"{key}-{last:03d}"


async def get_ticket(session: AsyncSession, no: str) -> Ticket | None:
    return (await session.exec(select(Ticket).where(Ticket.no == no))).first()


async def add_event(
    session: AsyncSession, ticket: Ticket, *, at: datetime, actor: str, action: str,
    from_state: str | None, to_state: str | None, actor_role: str | None = None,
    note: str | None = None, data: dict[str, Any] | None = None, inbound_id: int | None = None,
) -> None:
    """`inbound_id`: the message the event came from (None for the console, jobs …)."""
    assert ticket.id is not None
    session.add(TicketEvent(ticket_id=ticket.id, at=at, actor=actor, actor_role=actor_role,
                            action=action, from_state=from_state, to_state=to_state, note=note,
                            data=data, inbound_id=inbound_id))


async def events_from(session: AsyncSession, inbound_id: int) -> Sequence[TicketEvent]:
    """What one message did to tickets (filed, joined, supplemented …), oldest first."""
    return (await session.exec(
        select(TicketEvent).where(TicketEvent.inbound_id == inbound_id).order_by(col(TicketEvent.id))
    )).all()


async def events(session: AsyncSession, ticket_id: int) -> Sequence[TicketEvent]:
    return (await session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(col(TicketEvent.id))
    )).all()


async def reporters(session: AsyncSession, ticket_id: int) -> Sequence[TicketReporter]:
    return (await session.exec(
        select(TicketReporter).where(TicketReporter.ticket_id == ticket_id)
        .order_by(col(TicketReporter.id))
    )).all()


async def reporter_row(session: AsyncSession, ticket_id: int, platform: str,
                       user_id: str) -> TicketReporter | None:
    """The person's reporter row on a ticket (original or joined), if any."""
    return (await session.exec(select(TicketReporter).where(
        TicketReporter.ticket_id == ticket_id, TicketReporter.platform == platform,
        TicketReporter.user_id == user_id,
    ).order_by(col(TicketReporter.id)))).first()


async def is_reporter(session: AsyncSession, ticket_id: int, platform: str, user_id: str) -> bool:
    found = await session.exec(select(TicketReporter.id).where(
        TicketReporter.ticket_id == ticket_id, TicketReporter.platform == platform,
        TicketReporter.user_id == user_id))
    return found.first() is not None


async def recent_open_in_area(
    session: AsyncSession, *, grid_id: str | None, community_id: str | None, since: datetime,
) -> Sequence[Ticket]:
    """Tickets still being worked on in the same grid (or community, for community chats) since
    `since`: the candidates a new report may duplicate. A resolved one is not: the problem came back,
    so it is a new ticket, not a reporter quietly added to a finished one."""
    query = select(Ticket).where(
        col(Ticket.state).in_(list(OPEN - {State.resolved})), Ticket.created_at >= since,
        col(Ticket.duplicate_of_id).is_(None),
    )
    if grid_id is not None:
        query = query.where(Ticket.grid_id == grid_id)
    else:
        query = query.where(Ticket.community_id == community_id, col(Ticket.grid_id).is_(None))
    return (await session.exec(query.order_by(col(Ticket.id)))).all()


async def last_place_of(session: AsyncSession, platform: str, user_id: str) -> TicketReporter | None:
    """Where a resident last reported from a group: used to place their private reports."""
    return (await session.exec(
        select(TicketReporter).where(
            TicketReporter.platform == platform, TicketReporter.user_id == user_id,
            col(TicketReporter.chat_id).is_not(None),
        ).order_by(col(TicketReporter.id).desc()).limit(1)
    )).first()


async def people_in_unit(session: AsyncSession, unit_id: str, role: str) -> Sequence[Person]:
    return (await session.exec(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.unit_id == unit_id, RoleGrant.role == role, Person.active)
        .order_by(col(RoleGrant.id))
    )).all()


async def staff_named(
    session: AsyncSession, name: str, unit_ids: Sequence[str], roles: Sequence[str]
) -> Sequence[tuple[Person, str, str]]:
    """(person, unit id, role) for active people called `name` holding one of `roles` in one of `unit_ids`."""
    return (await session.exec(
        select(Person, RoleGrant.unit_id, RoleGrant.role).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(Person.name == name, Person.active, col(RoleGrant.unit_id).in_(list(unit_ids)),
               col(RoleGrant.role).in_(list(roles)))
        .distinct().order_by(Person.id, RoleGrant.unit_id, RoleGrant.role)
    )).all()


async def grids_of(session: AsyncSession, community_id: str) -> list[str]:
    return list((await session.exec(
        select(OrgUnit.id).where(OrgUnit.parent_id == community_id, OrgUnit.level == "grid", OrgUnit.active)
    )).all())


async def departments(session: AsyncSession) -> Sequence[OrgUnit]:
    """Active departments, by name (what 吹哨 accepts)."""
    return (await session.exec(
        select(OrgUnit).where(OrgUnit.level == "department", col(OrgUnit.active).is_(True)).order_by(OrgUnit.name)
    )).all()


async def department_by_name(session: AsyncSession, name: str) -> OrgUnit | None:
    """A department by its roster name, or by a name that contains it (“区住建局” → 住建)."""
    departments = (await session.exec(
        select(OrgUnit).where(OrgUnit.level == "department", OrgUnit.active)
    )).all()
    exact = [d for d in departments if d.name == name]
    if exact:
        return exact[0]
    contained = sorted((d for d in departments if d.name in name or name in d.name),
                       key=lambda d: -len(d.name))
    return contained[0] if contained else None


async def tickets_for(
    session: AsyncSession, *, assignee_id: str | None = None, unit_ids: Sequence[str] = (),
    open_only: bool = True, limit: int = 30,
) -> Sequence[Ticket]:
    query = select(Ticket)
    if open_only:
        query = query.where(col(Ticket.state).in_(list(OPEN)))
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    if unit_ids:
        query = query.where(
            col(Ticket.grid_id).in_(list(unit_ids)) | col(Ticket.community_id).in_(list(unit_ids))
        )
    return (await session.exec(query.order_by(col(Ticket.due_at), col(Ticket.id)).limit(limit))).all()


async def escalations(session: AsyncSession, ticket_id: int) -> Sequence[Escalation]:
    return (await session.exec(
        select(Escalation).where(Escalation.ticket_id == ticket_id).order_by(col(Escalation.id))
    )).all()


async def open_tickets(session: AsyncSession) -> Sequence[Ticket]:
    return (await session.exec(
        select(Ticket).where(col(Ticket.state).in_(list(OPEN))).order_by(col(Ticket.id))
    )).all()


async def overdue_escalations(session: AsyncSession, now: datetime) -> Sequence[Escalation]:
    return (await session.exec(
        select(Escalation).where(col(Escalation.feedback_at).is_(None), Escalation.feedback_due < now,
                                 col(Escalation.late).is_(False))
    )).all()


async def latest_filed(session: AsyncSession) -> datetime | None:
    """When the newest ticket (not a duplicate) was filed: the next morning digest reports it."""
    return (await session.exec(
        select(func.max(Ticket.created_at)).where(col(Ticket.duplicate_of_id).is_(None))
    )).one()


async def pending_escalations(session: AsyncSession) -> Sequence[Escalation]:
    """Departments still owing feedback and not yet marked late (the sweep's next thresholds)."""
    return (await session.exec(
        select(Escalation).where(col(Escalation.feedback_at).is_(None), col(Escalation.late).is_(False))
    )).all()


async def add_points(
    session: AsyncSession, *, department_id: str, ticket_id: int, kind: str, points: float, at: datetime,
    year: int,
) -> None:
    session.add(PointsEntry(department_id=department_id, ticket_id=ticket_id, kind=kind, points=points,
                            year=year, at=at))


async def points_by_department(session: AsyncSession, year: int) -> list[tuple[OrgUnit, float]]:
    """Every active department with the sum of its ledger entries for `year` (0 if none)."""
    departments = (await session.exec(
        select(OrgUnit).where(OrgUnit.level == "department", OrgUnit.active).order_by(OrgUnit.id)
    )).all()
    sums = dict((await session.exec(
        select(PointsEntry.department_id, func.sum(PointsEntry.points))
        .where(PointsEntry.year == year).group_by(PointsEntry.department_id)
    )).all())
    return [(d, float(sums.get(d.id) or 0.0)) for d in departments]


class TicketFacts(NamedTuple):
    """The columns reports and digests count with: loading these instead of whole tickets (text,
    place, keywords) keeps a district's month of digests fast and small."""

    id: int
    no: str
    state: str
    category: str
    community_id: str | None
    assignee_id: str | None
    accepted_by_id: str | None
    resolved_by_id: str | None
    escalated_by_id: str | None
    duplicate_of_id: int | None
    created_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: str | None
    requires_on_site: bool
    on_site_at: datetime | None


_FACTS = tuple(getattr(Ticket, name) for name in TicketFacts._fields)


def _touching(start: datetime, end: datetime) -> Any:
    return (((Ticket.created_at >= start) & (Ticket.created_at < end))
            | ((col(Ticket.resolved_at) >= start) & (col(Ticket.resolved_at) < end))
            | ((col(Ticket.closed_at) >= start) & (col(Ticket.closed_at) < end)))


async def facts_touching(session: AsyncSession, start: datetime, end: datetime) -> list[TicketFacts]:
    """Like `tickets_touching`, the counting columns only."""
    rows = await session.exec(select(*_FACTS).where(_touching(start, end)).order_by(col(Ticket.id)))
    return [TicketFacts(*row) for row in rows.all()]


async def open_facts(session: AsyncSession) -> list[TicketFacts]:
    rows = await session.exec(select(*_FACTS).where(col(Ticket.state).in_(list(OPEN))).order_by(col(Ticket.id)))
    return [TicketFacts(*row) for row in rows.all()]
