"""What the console shows of tickets: a person's board (their scope, filtered, one page) and one
ticket with its timeline, with personal data only for those who may act on it (and each such view
recorded)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.tickets import TransitionError
from bot.services import access
from bot.services import tickets as ticket_service
from storage import board_store, console_store, ticket_store
from storage.board_store import BoardQuery, BoardRow
from storage.models import Escalation, OrgUnit, Ticket, TicketEvent, TicketReporter

MANAGER_WORDS = frozenset({"核查", "结案"})
DEPARTMENT_WORDS = frozenset({"报到", "反馈"})


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    total: int
    counts: dict[str, int]


async def load_board(
    session: AsyncSession, scope: access.Scope, query: BoardQuery, *, page: int, per_page: int,
) -> BoardPage:
    rows, total = await board_store.board(session, scope.area, query, offset=(page - 1) * per_page, limit=per_page)
    return BoardPage(rows, total, await board_store.state_counts(session, scope.area, query))


async def area_units(session: AsyncSession, scope: access.Scope) -> list[tuple[str, str]]:
    """(id, name) of the communities and grids in the scope, for the board's place filter."""
    units = await board_store.units(session)
    inside = [u for u in units if u.id in scope.units and u.level in ("community", "grid")]
    return [(u.id, u.name) for u in sorted(inside, key=lambda u: (u.parent_id or "", u.id))]


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    personal: bool  # the viewer may act: words, names and contact are shown (and the view logged)
    escalated_to: list[str]
    events: Sequence[TicketEvent]
    reporters: Sequence[TicketReporter]
    escalations: Sequence[Escalation]
    names: dict[str, str]  # im_user (event actors) -> name
    departments: dict[str, str]  # department id -> name
    all_departments: list[str]
    colleagues: list[str]
    place: str
    assignee: str | None


async def ticket_view(
    session: AsyncSession, scope: access.Scope, actor: ticket_service.Actor, no: str | None, *, now: datetime,
    log: bool = True,
) -> TicketView | None:
    """The ticket if it is in the viewer's scope (None otherwise, as if it did not exist)."""
    ticket = await ticket_store.get_ticket(session, no) if no else None
    if ticket is None or ticket.id is None:
        return None
    escalated_to = await board_store.escalated_departments(session, ticket.id)
    if not access.sees(scope, ticket, escalated_to):
        return None
    personal = ticket_service.may_act(actor, ticket, escalated_to)
    events = await ticket_store.events(session, ticket.id)
    escalations = await ticket_store.escalations(session, ticket.id)
    reporters = await ticket_store.reporters(session, ticket.id) if personal else []
    names = await board_store.people_by_im_user(session, sorted({e.actor for e in events}))
    if personal:
        for reporter in reporters:
            if reporter.user_name:
                names.setdefault(reporter.user_id, reporter.user_name)
    units = {u.id: u for u in await board_store.units(session)}
    departments = {u.id: u.name for u in units.values() if u.level == "department"}
    place = " · ".join(units[i].name for i in (ticket.community_id, ticket.grid_id) if i and i in units) or "—"
    assignee = (await board_store.names_of(session, [ticket.assignee_id])).get(ticket.assignee_id or "")
    colleagues = await board_store.staff_in(session, _ticket_units(ticket, units.values()),
                                            sorted(ticket_service.HANDLERS))
    if personal and log:
        await console_store.log_view(session, viewer=actor.im_user, ticket_ids=[ticket.id], what="ticket_detail",
                                     at=now)
    return TicketView(ticket, personal, sorted(escalated_to), events, reporters, escalations, names, departments,
                      sorted(departments.values()), colleagues, place, assignee)


def _ticket_units(ticket: Ticket, units: Iterable[OrgUnit]) -> list[str]:
    grids = [u.id for u in units if u.level == "grid" and u.parent_id == ticket.community_id]
    return [u for u in (ticket.grid_id, ticket.community_id, *grids) if u]


def passes_guard(actor: ticket_service.Actor, ticket: Ticket, word: str, escalated_to: Iterable[str]) -> bool:
    """Whether the ticket service's area guard for the chat command `word` lets the actor through
    (so the console offers only forms that can succeed)."""
    if word in DEPARTMENT_WORDS:
        return bool(actor.units(ticket_service.DEPARTMENT_ROLES) & set(escalated_to))
    guard = ticket_service.check_manager if word in MANAGER_WORDS else ticket_service.check_handler
    try:
        guard(actor, ticket)
    except TransitionError:
        return False
    return True
