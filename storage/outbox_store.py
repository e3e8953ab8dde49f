"""The outbox: rows written with the change that caused them, claimed and delivered later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.events import OutboundMessage
from storage.models import Outbox, OutboxStatus, SentNotice

# A claimed row is hidden this long; if the sender dies mid-send it becomes due again.
CLAIM_LEASE = timedelta(minutes=2)


def _to_message(row: Outbox) -> OutboundMessage:
    return OutboundMessage(
        platform=row.platform, kind=row.kind, text=row.text, chat_id=row.chat_id,
        user_id=row.user_id, ticket=row.ticket_no, files=tuple(row.files or ()), id=row.id,
        created_at=row.created_at, attempts=row.attempts,
    )


async def enqueue(
    session: AsyncSession,
    message: OutboundMessage,
    *,
    now: datetime,
    inbound_id: int | None = None,
    dedupe_key: str | None = None,
) -> Outbox:
    row = Outbox(
        created_at=now, platform=message.platform, chat_id=message.chat_id,
        user_id=message.user_id, kind=message.kind, text=message.text,
        ticket_no=message.ticket, files=list(message.files) or None, inbound_id=inbound_id,
        dedupe_key=dedupe_key, next_attempt_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def enqueue_once(
    session: AsyncSession,
    message: OutboundMessage,
    *,
    duty: str,
    period: str,
    recipient: str,
    now: datetime,
) -> bool:
    """Queue a reminder/digest unless (duty, period, recipient) was already sent. True if queued.

    The unique row in `sent_notice` is the guarantee: a second process (or a rerun after a
    crash) trying the same notice fails the insert and its savepoint is rolled back."""
    try:
        async with session.begin_nested():
            row = await enqueue(session, message, now=now,
                                dedupe_key=f"{duty}|{period}|{recipient}")
            session.add(SentNotice(duty=duty, period=period, recipient=recipient, sent_at=now,
                                   outbox_id=row.id))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def already_sent(session: AsyncSession, duty: str, period: str, recipient: str) -> bool:
    found = await session.exec(
        select(SentNotice.id).where(
            SentNotice.duty == duty, SentNotice.period == period, SentNotice.recipient == recipient
        )
    )
    return found.first() is not None


async def claim_due(session: AsyncSession, now: datetime, limit: int = 50) -> list[OutboundMessage]:
    """Take up to `limit` due messages, oldest first, leasing them to this sender."""
    query = (
        select(Outbox)
        .where(Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)
        .order_by(col(Outbox.id))
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = (await session.exec(query)).all()
    for row in rows:
        row.next_attempt_at = now + CLAIM_LEASE
        row.attempts += 1
        session.add(row)
    await session.flush()
    return [_to_message(r) for r in rows]


async def mark_sent(session: AsyncSession, outbox_id: int, now: datetime) -> None:
    row = await session.get(Outbox, outbox_id)
    if row is not None:
        row.status, row.sent_at, row.last_error = OutboxStatus.sent, now, None
        session.add(row)


async def mark_failed_attempt(
    session: AsyncSession, outbox_id: int, error: str, retry_at: datetime | None
) -> None:
    """Record a failed attempt; `retry_at` None means the retry budget is spent (admins see it)."""
    row = await session.get(Outbox, outbox_id)
    if row is None:
        return
    row.last_error = error[:2000]
    if retry_at is None:
        row.status = OutboxStatus.failed
    else:
        row.next_attempt_at = retry_at
    session.add(row)


async def last_failure(session: AsyncSession) -> str | None:
    """Why the most recent message that ran out of retries failed (for /healthz)."""
    return (await session.exec(
        select(Outbox.last_error).where(Outbox.status == OutboxStatus.failed).order_by(col(Outbox.id).desc())
    )).first()


async def backlog(session: AsyncSession) -> dict[str, int]:
    rows = (await session.exec(select(Outbox.status, func.count()).group_by(Outbox.status))).all()
    return {status: count for status, count in rows}


async def sent_keys(session: AsyncSession, recipients_periods: set[tuple[str, str]]) -> set[tuple[str, str, str]]:
    """(duty, period, recipient) already sent among the given (duty, period) pairs: one query, so
    a scheduled run that finds everything done costs a look-up, not a failed insert per notice."""
    if not recipients_periods:
        return set()
    duties = {d for d, _ in recipients_periods}
    periods = {p for _, p in recipients_periods}
    rows = await session.exec(
        select(SentNotice.duty, SentNotice.period, SentNotice.recipient).where(
            col(SentNotice.duty).in_(list(duties)), col(SentNotice.period).in_(list(periods))
        )
    )
    return {(d, p, r) for d, p, r in rows.all()}


async def failed(session: AsyncSession, limit: int = 1000) -> Sequence[Outbox]:
    """Messages whose retry budget is spent, oldest first: what admins look at and retry."""
    return (await session.exec(
        select(Outbox).where(Outbox.status == OutboxStatus.failed).order_by(col(Outbox.id)).limit(limit)
    )).all()


async def retry(session: AsyncSession, ids: Sequence[int] | None, now: datetime) -> int:
    """Put failed messages back in the queue with a fresh retry budget (all of them when `ids` is
    None); how many. Sent and pending messages are left alone, so a retry can never double one."""
    query = select(Outbox).where(Outbox.status == OutboxStatus.failed)
    if ids is not None:
        query = query.where(col(Outbox.id).in_(list(ids)))
    rows = (await session.exec(query)).all()
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = OutboxStatus.pending, 0, now
        session.add(row)
    return len(rows)


async def take_for_passive_reply(
    session: AsyncSession, *, inbound_id: int, platform: str, chat_id: str | None, user_id: str | None,
    now: datetime, max_bytes: int, separator: str = "\n\n",
) -> list[str]:
    """Take a message's replies (to the chat it came from, or to the person when `chat_id` is None)
    out of the outbox for the answer to its own callback, as many as fit `max_bytes` joined. A row
    is taken only while no sender has claimed it (attempts 0), so it goes out exactly once. The first
    row with files or that does not fit stays for the outbox, and so does every row after it: the
    replies keep their order."""
    where = [Outbox.inbound_id == inbound_id, Outbox.platform == platform, Outbox.status == OutboxStatus.pending,
             Outbox.attempts == 0]
    where.append(Outbox.chat_id == chat_id if chat_id else col(Outbox.chat_id).is_(None))
    if not chat_id:
        where.append(Outbox.user_id == user_id)
    rows = (await session.exec(select(Outbox.id, Outbox.text, Outbox.files).where(*where)
                               .order_by(col(Outbox.id)))).all()
    texts: list[str] = []
    for outbox_id, text, files in rows:
        if files or len(separator.join([*texts, text]).encode()) > max_bytes:
            break
        taken: Any = await session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id, col(Outbox.status) == OutboxStatus.pending, col(Outbox.attempts) == 0)
            .values(status=OutboxStatus.sent, sent_at=now, last_error="passive reply")
        )
        if taken.rowcount != 1:  # a sender claimed it meanwhile: it and the rest go by the outbox
            break
        texts.append(text)
    return texts
