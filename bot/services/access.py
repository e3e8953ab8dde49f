"""Who sees which tickets in the web console, and which console pages a role opens.

The console sees by the chat's own area rule (bot.services.tickets.area_of / in_area, the rule of
check_handler, check_manager and 工单): a person sees the tickets of the units their handling roles
reach, the tickets escalated to their department, and every ticket assigned to them. A resident's
words, name and contact are shown only to someone who may act on the ticket (tickets.may_act, the
rule of 查询 in chat)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.services import tickets as ticket_service
from storage.board_store import Area
from storage.models import Ticket
from storage.roster_store import Member

ROSTER_EDITORS = frozenset({"admin", "street_secretary"})  # the roster is the street's: only they change it
OPERATORS = frozenset({"admin", "street_secretary"})  # failed messages, unknown chats, health
CADRE_WATCHERS = frozenset({"admin", "street_secretary", "community_secretary", "cadre", "sunk_cadre"})  # 干部履职


@dataclass(frozen=True)
class Scope:
    """A person's part of the street: the units where they may handle tickets (each with every unit
    under it), the departments whose escalated tickets they see, and their own id (tickets assigned
    to them)."""

    person_id: str
    units: frozenset[str]
    departments: frozenset[str]

    @property
    def area(self) -> Area:
        return Area(self.units, self.departments, self.person_id)


def scope_of(member: Member) -> Scope:
    """The scope of a roster member (as find_member loads it, with each grant's covers)."""
    return Scope(member.person_id, ticket_service.area_of(member, ticket_service.HANDLERS),
                 frozenset(g.unit_id for g in member.grants if g.role in ticket_service.DEPARTMENT_ROLES))


def sees(scope: Scope, ticket: Ticket, escalated_to: Iterable[str]) -> bool:
    """Whether the ticket is in the scope: the same rule as the board's query (storage.board_store)."""
    return (
        ticket_service.in_area(scope.units, ticket)
        or bool(scope.departments & set(escalated_to))
        or (ticket.assignee_id is not None and ticket.assignee_id == scope.person_id)
    )
