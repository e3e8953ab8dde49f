"""Photo rows (the pictures on tickets) and the lookups the pairing rule needs: a person's
pictures waiting for their words, what they did on a ticket in the last minutes, and what the
retention purge may remove."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.tickets import State
from storage.models import Photo, Ticket, TicketEvent, TicketReporter


async def add(session: AsyncSession, photo: Photo) -> Photo:
    session.add(photo)
    await session.flush()
    return photo


async def waiting(session: AsyncSession, *, platform: str, user_id: str, chat_id: str | None,
                  since: datetime) -> Sequence[Photo]:
    """The person's pictures in this chat since `since` that are on no ticket yet, oldest first."""
    return (await session.exec(select(Photo).where(
        Photo.platform == platform, Photo.user_id == user_id, Photo.chat_id == chat_id,
        col(Photo.ticket_id).is_(None), Photo.created_at >= since,
    ).order_by(col(Photo.id)))).all()


async def of_inbound(session: AsyncSession, inbound_id: int) -> Sequence[Photo]:
    """The picture a logged message brought (a message brings one at most)."""
    return (await session.exec(select(Photo).where(Photo.inbound_id == inbound_id))).all()


async def of_ticket(session: AsyncSession, ticket_id: int, roles: Collection[str] | None = None) -> Sequence[Photo]:
    query = select(Photo).where(Photo.ticket_id == ticket_id)
    if roles is not None:
        query = query.where(col(Photo.role).in_(list(roles)))
    return (await session.exec(query.order_by(col(Photo.id)))).all()


async def counts(session: AsyncSession, ticket_ids: Collection[int]) -> dict[int, int]:
    """Photos per ticket (tickets without any are left out)."""
    if not ticket_ids:
        return {}
    rows = (await session.exec(select(Photo.ticket_id, func.count()).where(
        col(Photo.ticket_id).in_(list(ticket_ids))).group_by(Photo.ticket_id))).all()
    return {int(t): int(n) for t, n in rows if t is not None}


async def first_thumbs(session: AsyncSession, ticket_ids: Collection[int]) -> dict[int, str]:
    """The thumbnail key of each ticket's first photo."""
    if not ticket_ids:
        return {}
    rows = (await session.exec(select(Photo.ticket_id, Photo.thumb_key).where(
        col(Photo.ticket_id).in_(list(ticket_ids))).order_by(col(Photo.id)))).all()
    out: dict[int, str] = {}
    for ticket_id, key in rows:
        if ticket_id is not None:
            out.setdefault(int(ticket_id), key)
    return out


async def last_action(session: AsyncSession, *, user_id: str, actions: Collection[str],
                      since: datetime) -> tuple[TicketEvent, Ticket] | None:
    """The person's latest ticket event of one of `actions` since `since`, with its ticket."""
    row = (await session.exec(
        select(TicketEvent, Ticket).join(Ticket, col(Ticket.id) == TicketEvent.ticket_id)
        .where(TicketEvent.actor == user_id, col(TicketEvent.action).in_(list(actions)), TicketEvent.at >= since)
        .order_by(col(TicketEvent.at).desc(), col(TicketEvent.id).desc())
    )).first()
    return (row[0], row[1]) if row is not None else None


async def last_report(session: AsyncSession, *, platform: str, user_id: str, chat_id: str | None,
                      since: datetime) -> tuple[datetime, Ticket] | None:
    """The ticket the person's words in this chat filed or joined since `since` (the latest)."""
    joined = (await session.exec(
        select(TicketReporter.joined_at, Ticket).join(Ticket, col(Ticket.id) == TicketReporter.ticket_id)
        .where(TicketReporter.platform == platform, TicketReporter.user_id == user_id,
               TicketReporter.chat_id == chat_id, TicketReporter.joined_at >= since)
        .order_by(col(TicketReporter.joined_at).desc(), col(TicketReporter.id).desc())
    )).first()
    filed = (await session.exec(  # staff filing what they saw on their rounds are not reporters
        select(Ticket.created_at, Ticket).where(
            Ticket.reporter_platform == platform, Ticket.reporter_user == user_id, Ticket.chat_id == chat_id,
            Ticket.created_at >= since)
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
    )).first()
    found = [r for r in (joined, filed) if r is not None and r[0] is not None]
    if not found:
        return None
    at, ticket = max(found, key=lambda r: r[0])
    return at, ticket


async def expired(session: AsyncSession, *, closed_before: datetime, unattached_before: datetime,
                  limit: int = 500) -> Sequence[Photo]:
    """Photos the retention purge removes: on tickets closed before `closed_before`, or on no
    ticket and received before `unattached_before`. A photo of a ticket not closed is never here."""
    return (await session.exec(
        select(Photo).outerjoin(Ticket, col(Ticket.id) == Photo.ticket_id).where(or_(
            (col(Photo.ticket_id).is_(None)) & (Photo.created_at < unattached_before),
            (Ticket.state == State.closed) & (col(Ticket.closed_at).is_not(None))
            & (col(Ticket.closed_at) < closed_before),
        )).order_by(col(Photo.id)).limit(limit)
    )).all()


async def key_still_used(session: AsyncSession, key: str, *, besides: Collection[int]) -> bool:
    """Another photo row (not in `besides`) keeps the same picture (content-addressed key)."""
    return (await session.exec(select(Photo.id).where(
        Photo.key == key, col(Photo.id).not_in(list(besides))).limit(1))).first() is not None


async def delete(session: AsyncSession, photos: Sequence[Photo]) -> None:
    for photo in photos:
        await session.delete(photo)
    await session.flush()


async def count_all(session: AsyncSession) -> tuple[int, int]:
    """(photos, of which on no ticket yet)."""
    total = (await session.exec(select(func.count()).select_from(Photo))).one()
    loose = (await session.exec(select(func.count()).select_from(Photo).where(col(Photo.ticket_id).is_(None)))).one()
    return int(total), int(loose)
