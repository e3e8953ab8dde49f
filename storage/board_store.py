"""The console's ticket board: one query for a person's part of the street with filters, sort and
pages, counts per state, and the look-ups a ticket page needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.tickets import OPEN
from storage.models import Escalation, OrgUnit, Person, RoleGrant, Ticket

SORTS = ("no", "created", "due", "state", "urgency", "category")
_SORT_COLUMNS: dict[str, Any] = {
    "no": Ticket.id, "created": Ticket.created_at, "due": Ticket.due_at, "state": Ticket.state,
    "urgency": Ticket.urgency, "category": Ticket.category,
}


@dataclass(frozen=True)
class Area:
    """Whose tickets someone sees, as ids: the SQL form of bot.services.access.Scope. `units` is an
    area as bot.services.tickets.area_of gives it (every unit already listed, none to walk)."""

    units: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    person_id: str | None = None


@dataclass(frozen=True)
class BoardQuery:
    """Filters of the board (every field optional). Times are UTC instants; `now` decides overdue."""

    now: datetime
    states: tuple[str, ...] = ()
    category: str | None = None
    urgency: str | None = None
    unit: str | None = None  # a grid or a community
    overdue: bool = False
    escalated: bool = False
    created_from: datetime | None = None
    created_before: datetime | None = None
    number: str | None = None  # a whole ticket number (YYMMDD-NNN) or its start
    words: str | None = None
    sort: str = "created"
    descending: bool = True


def _area(area: Area, *, assigned: bool = True) -> Any:
    """The area as a WHERE condition; without `assigned`, only the part where the viewer may act
    (tickets.may_act), not the tickets merely assigned to them."""
    conditions: list[Any] = []
    if area.units:  # tickets.in_area
        conditions.append(col(Ticket.grid_id).in_(sorted(area.units)))
        conditions.append(col(Ticket.community_id).in_(sorted(area.units)))
    if area.departments:
        conditions.append(col(Ticket.id).in_(
            select(Escalation.ticket_id).where(col(Escalation.department_id).in_(sorted(area.departments)))))
    if assigned and area.person_id:
        conditions.append(Ticket.assignee_id == area.person_id)
    return or_(*conditions) if conditions else col(Ticket.id).is_(None)  # nobody: nothing


def _filtered(query: Any, area: Area, q: BoardQuery, *, with_state: bool = True) -> Any:
    query = query.where(_area(area))
    if with_state and q.states:
        query = query.where(col(Ticket.state).in_(list(q.states)))
    if q.category:
        query = query.where(Ticket.category == q.category)
    if q.urgency:
        query = query.where(Ticket.urgency == q.urgency)
    if q.unit:
        query = query.where((Ticket.grid_id == q.unit) | (Ticket.community_id == q.unit))
    if q.overdue:
        query = query.where(col(Ticket.state).in_(list(OPEN)), col(Ticket.due_at) < q.now)
    if q.escalated:
        query = query.where(col(Ticket.id).in_(select(Escalation.ticket_id)))
    if q.created_from:
        query = query.where(Ticket.created_at >= q.created_from)
    if q.created_before:
        query = query.where(Ticket.created_at < q.created_before)
    if q.number:
        query = query.where(col(Ticket.no).startswith(q.number, autoescape=True))
    if q.words:
        query = query.where(col(Ticket.text).contains(q.words, autoescape=True))
    return query


@dataclass(frozen=True)
class BoardRow:
    ticket: Ticket
    grid: str | None
    community: str | None
    assignee: str | None
    acts: bool  # the viewer may act on it (tickets.may_act): only then its words are shown


async def board(
    session: AsyncSession, area: Area, q: BoardQuery, *, offset: int, limit: int,
) -> tuple[list[BoardRow], int]:
    """One page of tickets and how many match in all. The page's ids are chosen first (sorting
    narrow rows), then only those tickets are loaded with their place and handler names."""
    total = (await session.exec(_filtered(select(func.count()).select_from(Ticket), area, q))).one()
    order = _SORT_COLUMNS.get(q.sort, Ticket.created_at)
    ordering = [col(order).desc() if q.descending else col(order).asc(),
                col(Ticket.id).desc() if q.descending else col(Ticket.id).asc()]
    ids = list((await session.exec(_filtered(select(Ticket.id), area, q).order_by(*ordering)
                                   .offset(offset).limit(limit))).all())
    if not ids:
        return [], int(total)
    grid, community = aliased(OrgUnit), aliased(OrgUnit)
    rows = (await session.exec(
        select(Ticket, grid.name, community.name, Person.name, _area(area, assigned=False))
        .outerjoin(grid, grid.id == Ticket.grid_id)
        .outerjoin(community, community.id == Ticket.community_id)
        .outerjoin(Person, Person.id == Ticket.assignee_id)
        .where(col(Ticket.id).in_(ids)))).all()
    place = {ticket_id: n for n, ticket_id in enumerate(ids)}
    ordered = sorted(rows, key=lambda row: place[row[0].id])
    return [BoardRow(t, g, c, a, bool(acts)) for t, g, c, a, acts in ordered], int(total)


async def state_counts(session: AsyncSession, area: Area, q: BoardQuery) -> dict[str, int]:
    """How many tickets of each state match every filter but the state filter."""
    query = _filtered(select(Ticket.state, func.count()).select_from(Ticket), area, q, with_state=False)
    return {state: int(n) for state, n in (await session.exec(query.group_by(Ticket.state))).all()}


async def units(session: AsyncSession) -> Sequence[OrgUnit]:
    """Every active unit (a street's roster is a few hundred rows: walked in memory)."""
    return (await session.exec(select(OrgUnit).where(OrgUnit.active).order_by(OrgUnit.id))).all()


async def escalated_departments(session: AsyncSession, ticket_id: int) -> set[str]:
    return set((await session.exec(select(Escalation.department_id).where(Escalation.ticket_id == ticket_id))).all())


async def names_of(session: AsyncSession, person_ids: Sequence[str]) -> dict[str, str]:
    if not person_ids:
        return {}
    rows = await session.exec(select(Person.id, Person.name).where(col(Person.id).in_(list(person_ids))))
    return dict(rows.all())


async def people_by_im_user(session: AsyncSession, im_users: Sequence[str]) -> dict[str, str]:
    if not im_users:
        return {}
    rows = await session.exec(select(Person.im_user, Person.name).where(col(Person.im_user).in_(list(im_users))))
    return {u: n for u, n in rows.all() if u}


async def staff_in(session: AsyncSession, unit_ids: Sequence[str], roles: Sequence[str]) -> list[str]:
    """Names of active people holding one of `roles` in one of `unit_ids` (each once, by name)."""
    rows = await session.exec(
        select(Person.name).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(Person.active, col(RoleGrant.unit_id).in_(list(unit_ids)), col(RoleGrant.role).in_(list(roles)))
        .distinct().order_by(Person.name))
    return list(rows.all())


class AreaFacts(NamedTuple):
    """The counting columns of one ticket, for the dashboard."""

    state: str
    category: str
    grid_id: str | None
    community_id: str | None
    created_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: str | None


async def facts_in_area(session: AsyncSession, area: Area, since: datetime) -> list[AreaFacts]:
    """Tickets of the area filed, resolved or closed since `since`, or still open (not merged duplicates)."""
    query = select(*(getattr(Ticket, name) for name in AreaFacts._fields)).where(
        _area(area), col(Ticket.duplicate_of_id).is_(None),
        (Ticket.created_at >= since) | (col(Ticket.resolved_at) >= since) | (col(Ticket.closed_at) >= since)
        | col(Ticket.state).in_(list(OPEN)))
    return [AreaFacts(*row) for row in (await session.exec(query)).all()]
