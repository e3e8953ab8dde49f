"""Who sees which tickets, and who sees a ticket's personal data: the one visibility rule the web
console applies to the board, the ticket page, the export and every action reached by URL.

The roster decides. Admins and street secretaries see their street (or district); a community
secretary their community; cadres and grid workers the grids (or community) they are posted to and
every ticket assigned to them; a department liaison the tickets escalated to their department.
A resident's words, name and contact are shown only to someone who may act on the ticket (the
same guards the ticket service applies to chat commands)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.tickets import TransitionError
from bot.services import tickets as ticket_service
from storage import board_store
from storage.board_store import Area
from storage.models import OrgUnit, Ticket
from storage.roster_store import Member

AREA_ROLES = frozenset({"admin", "street_secretary", "community_secretary", "cadre", "sunk_cadre", "grid_worker"})
DEPARTMENT_ROLES = frozenset({"department_liaison"})
ROSTER_EDITORS = frozenset({"admin", "street_secretary"})  # the roster is the street's: only they change it
OPERATORS = frozenset({"admin", "street_secretary"})  # failed messages, unknown chats, health
CADRE_WATCHERS = frozenset({"admin", "street_secretary", "community_secretary", "cadre", "sunk_cadre"})  # 干部履职


@dataclass(frozen=True)
class Scope:
    """A person's part of the street: communities and grids they see whole, departments whose
    escalated tickets they see, and their own id (tickets assigned to them)."""

    person_id: str
    communities: frozenset[str]
    grids: frozenset[str]
    departments: frozenset[str]

    @property
    def area(self) -> Area:
        return Area(self.communities, self.grids, self.departments, self.person_id)

    @property
    def units(self) -> frozenset[str]:
        return self.communities | self.grids


def scope_of(member: Member, units: Sequence[OrgUnit]) -> Scope:
    """The scope of a roster member; `units` is the active roster (every level)."""
    children: dict[str, list[OrgUnit]] = {}
    for unit in units:
        if unit.parent_id:
            children.setdefault(unit.parent_id, []).append(unit)
    by_id = {u.id: u for u in units}
    communities: set[str] = set()
    grids: set[str] = set()
    departments: set[str] = set()

    def communities_under(unit_id: str) -> Iterable[str]:
        for child in children.get(unit_id, []):
            if child.level == "community":
                yield child.id
            elif child.level in ("street", "district"):
                yield from communities_under(child.id)

    for grant in member.grants:
        unit = by_id.get(grant.unit_id)
        if unit is None:
            continue
        if grant.role in DEPARTMENT_ROLES and unit.level == "department":
            departments.add(unit.id)
        elif grant.role in AREA_ROLES:
            if unit.level == "grid":
                grids.add(unit.id)
            elif unit.level == "community":
                communities.add(unit.id)
            elif unit.level in ("street", "district"):
                communities.update(communities_under(unit.id))
    return Scope(member.person_id, frozenset(communities), frozenset(grids), frozenset(departments))


async def active_units(session: AsyncSession) -> list[OrgUnit]:
    """The active roster units, for `scope_of`."""
    return list(await board_store.units(session))


def sees(scope: Scope, ticket: Ticket, escalated_to: Iterable[str]) -> bool:
    """Whether the ticket is in the scope: the same rule as the board's query (storage.board_store)."""
    return (
        (ticket.community_id is not None and ticket.community_id in scope.communities)
        or (ticket.grid_id is not None and ticket.grid_id in scope.grids)
        or bool(scope.departments & set(escalated_to))
        or (ticket.assignee_id is not None and ticket.assignee_id == scope.person_id)
    )


def may_act(actor: ticket_service.Actor, ticket: Ticket, escalated_to: Iterable[str]) -> bool:
    """Whether the actor may act on the ticket at all (handle, manage, or answer for a department it
    was escalated to): the people who may see the resident's words, name and contact."""
    for guard in (ticket_service.check_handler, ticket_service.check_manager):
        try:
            guard(actor, ticket)
        except TransitionError:
            continue
        return True
    return bool(actor.units(DEPARTMENT_ROLES) & set(escalated_to))
