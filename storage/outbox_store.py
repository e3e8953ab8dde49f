"""The outbox: rows written with the change that caused them, claimed and delivered later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.events import URGENT, OutboundMessage
from storage.models import CsSend, Outbox, OutboxStatus, SentNotice

# A claimed row is hidden this long; if the sender dies mid-send it becomes due again.
CLAIM_LEASE = timedelta(minutes=2)


def _to_message(row: Outbox) -> OutboundMessage:
    return OutboundMessage(
        platform=row.platform, kind=row.kind, text=row.text, chat_id=row.chat_id,
        user_id=row.user_id, ticket=row.ticket_no, files=tuple(row.files or ()), id=row.id,
        created_at=row.created_at, attempts=row.attempts, priority=row.priority, claim=row.claimed_by,
    )


async def enqueue(
    session: AsyncSession,
    message: OutboundMessage,
    *,
    now: datetime,
    inbound_id: int | None = None,
    dedupe_key: str | None = None,
    merge_key: str | None = None,
    merge_window: timedelta = timedelta(0),
) -> Outbox:
    """Queue a message. With `merge_key`, a notice that says the same thing again (a ticket's
    count of reporters, to one person) replaces the text of an earlier one with that key that no
    sender has taken yet, instead of queueing another; and once one went out, the next waits until
    `merge_window` after it, so a person gets at most one such notice per window, always with the
    latest text."""
    if merge_key is not None:
        merged = await _merge(session, message, merge_key, now)
        if merged is not None:
            return merged
    due = now
    if merge_key is not None and merge_window:
        due = max(now, await _last_out(session, merge_key, now) + merge_window)
    row = Outbox(
        created_at=now, platform=message.platform, chat_id=message.chat_id,
        user_id=message.user_id, kind=message.kind, text=message.text,
        ticket_no=message.ticket, files=list(message.files) or None, inbound_id=inbound_id,
        dedupe_key=dedupe_key, next_attempt_at=due, priority=message.priority, merge_key=merge_key,
        merge_window=int(merge_window.total_seconds()) if merge_key is not None and merge_window else None,
    )
    session.add(row)
    await session.flush()
    return row


async def _merge(session: AsyncSession, message: OutboundMessage, merge_key: str, now: datetime) -> Outbox | None:
    """The unsent row with this key, its text replaced; None if there is none a sender has not
    taken (the conditional UPDATE loses to a concurrent claim rather than change a row in flight)."""
    row_id = (await session.exec(
        select(Outbox.id).where(Outbox.merge_key == merge_key, Outbox.status == OutboxStatus.pending,
                                col(Outbox.claimed_by).is_(None)).order_by(col(Outbox.id).desc()).limit(1)
    )).first()
    if row_id is None:
        return None
    changed: Any = await session.exec(
        update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.status) == OutboxStatus.pending, col(Outbox.claimed_by).is_(None))
        .values(text=message.text, priority=_lower(message.priority))
    )
    if changed.rowcount != 1:
        return None
    return await session.get(Outbox, row_id, populate_existing=True)


def _lower(priority: int) -> Any:
    """SQL for the more urgent of the row's priority and `priority` (both databases)."""
    return case((col(Outbox.priority) > priority, priority), else_=col(Outbox.priority))


async def _last_out(session: AsyncSession, merge_key: str, now: datetime) -> datetime:
    """When the last message with this key went out (or `now` if one is on its way); the distant
    past if none."""
    row = (await session.exec(
        select(Outbox.status, Outbox.sent_at).where(Outbox.merge_key == merge_key)
        .order_by(col(Outbox.id).desc()).limit(1)
    )).first()
    if row is None:
        return datetime.min.replace(tzinfo=now.tzinfo)
    status, sent_at = row
    if status == OutboxStatus.sent and sent_at is not None:
        return sent_at if sent_at.tzinfo is not None else sent_at.replace(tzinfo=now.tzinfo)
    return now if status == OutboxStatus.pending else datetime.min.replace(tzinfo=now.tzinfo)


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


async def claim_due(
    session: AsyncSession, now: datetime, limit: int = 50, *, token: str = "sender",
    lease: timedelta = CLAIM_LEASE, skip_platforms: Sequence[str] = (),
) -> list[OutboundMessage]:
    """Take up to `limit` due messages, urgent first and then oldest first, leasing them to
    `token` (a claim's own id: whoever holds another token may neither send nor mark them).
    Normal messages of `skip_platforms` (a sender already holding enough of theirs) are left for
    later; urgent ones never are."""
    query = (
        select(Outbox)
        .where(Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)
        .order_by(col(Outbox.priority), col(Outbox.id))
        .limit(limit)
    )
    if skip_platforms:
        query = query.where(or_(col(Outbox.priority) <= URGENT, col(Outbox.platform).not_in(list(skip_platforms))))
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = await _outside_merge_windows(session, list((await session.exec(query)).all()), now)
    for row in rows:
        row.next_attempt_at = now + lease
        row.attempts += 1
        row.claimed_by = token
        session.add(row)
    await session.flush()
    return [_to_message(r) for r in rows]


async def _outside_merge_windows(session: AsyncSession, rows: list[Outbox], now: datetime) -> list[Outbox]:
    """`rows` without the merged notices that may not go yet: another with the same key went out
    less than its window ago (it waits for the window's end), is on its way, or comes earlier in
    `rows`. A notice held up by a rate limit delays the next one with its key this way, too."""
    keys = {r.merge_key for r in rows if r.merge_key and r.merge_window}
    if not keys:
        return rows
    others = (await session.exec(
        select(Outbox.id, Outbox.merge_key, Outbox.status, Outbox.sent_at, Outbox.claimed_by, Outbox.next_attempt_at)
        .where(col(Outbox.merge_key).in_(list(keys)),
               or_(col(Outbox.status) == OutboxStatus.sent, col(Outbox.claimed_by).is_not(None)))
    )).all()
    batch_ids = {r.id for r in rows}
    last_sent: dict[str, datetime] = {}
    busy: set[str] = set()
    for outbox_id, key, status, sent_at, claimed_by, next_at in others:
        if status == OutboxStatus.sent and sent_at is not None:
            last_sent[key] = max(last_sent.get(key, sent_at), sent_at)
        elif status == OutboxStatus.pending and claimed_by and next_at > now and outbox_id not in batch_ids:
            busy.add(key)  # leased to a sender (or a passive answer) right now
    kept: list[Outbox] = []
    for row in rows:
        key = row.merge_key
        if not key or not row.merge_window:
            kept.append(row)
            continue
        opens = last_sent[key] + timedelta(seconds=row.merge_window) if key in last_sent else None
        if key in busy or (opens is not None and opens > now):
            if opens is not None and opens > now:
                row.next_attempt_at = opens  # not due again before the window ends
                session.add(row)
            continue
        busy.add(key)  # one per key per claim
        kept.append(row)
    return kept


def _held(outbox_id: int, token: str | None) -> Any:
    """The row, while `token` still holds its lease (None: unfenced, for admin tools and tests)."""
    where = (col(Outbox.id) == outbox_id) & (col(Outbox.status) == OutboxStatus.pending)
    return where if token is None else where & (col(Outbox.claimed_by) == token)


async def renew(session: AsyncSession, held: Sequence[tuple[int, str]], now: datetime,
                lease: timedelta = CLAIM_LEASE) -> set[int]:
    """Extend the leases still held; returns the ids whose lease was lost (taken over by another
    sender after it ran out, or finished): their holder must drop them."""
    lost: set[int] = set()
    for outbox_id, token in held:
        done: Any = await session.exec(
            update(Outbox).where(_held(outbox_id, token)).values(next_attempt_at=now + lease))
        if done.rowcount != 1:
            lost.add(outbox_id)
    return lost


async def mark_sent(session: AsyncSession, outbox_id: int, now: datetime, token: str | None = None) -> bool:
    """Delivered. False if `token` no longer held the lease (nothing changed then)."""
    done: Any = await session.exec(
        update(Outbox).where(_held(outbox_id, token)).values(status=OutboxStatus.sent, sent_at=now, last_error=None)
    )
    return bool(done.rowcount == 1)


async def mark_failed_attempt(
    session: AsyncSession, outbox_id: int, error: str, retry_at: datetime | None, token: str | None = None
) -> None:
    """Record a failed attempt; `retry_at` None means the retry budget is spent (admins see it)."""
    values: dict[str, Any] = {"last_error": error[:2000], "claimed_by": None}
    if retry_at is None:
        values["status"] = OutboxStatus.failed
    else:
        values["next_attempt_at"] = retry_at
    await session.exec(update(Outbox).where(_held(outbox_id, token)).values(**values))


async def put_back(session: AsyncSession, held: Sequence[tuple[int, str]], until: datetime) -> None:
    """Give claimed messages back until `until` without counting the attempt or recording an error
    (a rate limit: the message did not fail, its destination has no slot yet; /healthz must not
    take the channel for failing)."""
    for outbox_id, token in held:
        await session.exec(update(Outbox).where(_held(outbox_id, token)).values(
            next_attempt_at=until, claimed_by=None, attempts=col(Outbox.attempts) - 1, last_error=None))


async def hold_destination(
    session: AsyncSession, *, platform: str, chat_id: str | None, user_id: str | None, until: datetime,
    min_priority: int,
) -> int:
    """Nobody may send to this destination before `until` (its rate limit): its waiting messages
    of `min_priority` or less urgent are not due before then, so no sender claims them only to put
    them back. How many were held."""
    where = [col(Outbox.status) == OutboxStatus.pending, col(Outbox.platform) == platform,
             col(Outbox.claimed_by).is_(None), col(Outbox.next_attempt_at) < until,
             col(Outbox.priority) >= min_priority]
    where += [col(Outbox.chat_id) == chat_id] if chat_id else [col(Outbox.chat_id).is_(None),
                                                             col(Outbox.user_id) == user_id]
    done: Any = await session.exec(update(Outbox).where(*where).values(next_attempt_at=until))
    return int(done.rowcount or 0)


async def last_failure(session: AsyncSession) -> str | None:
    """Why the most recent message that ran out of retries failed (for /healthz)."""
    return (await session.exec(
        select(Outbox.last_error).where(Outbox.status == OutboxStatus.failed).order_by(col(Outbox.id).desc())
        .limit(1))).first()


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
        row.status, row.attempts, row.next_attempt_at, row.claimed_by = OutboxStatus.pending, 0, now, None
        session.add(row)
    return len(rows)


PASSIVE = "passive:"  # claimed_by of rows a callback's own answer carries


def _passive_row(inbound_id: int, platform: str, chat_id: str | None, user_id: str | None) -> list[Any]:
    where = [col(Outbox.inbound_id) == inbound_id, col(Outbox.platform) == platform]
    where += [col(Outbox.chat_id) == chat_id] if chat_id else [col(Outbox.chat_id).is_(None),
                                                             col(Outbox.user_id) == user_id]
    return where


def _takeable(again: bool) -> Any:
    """Rows a passive answer may carry: unsent ones no sender has tried; for a retried callback
    also those an earlier answer carried or holds (it did not arrive: the platform would not have
    retried)."""
    passive = col(Outbox.claimed_by).startswith(PASSIVE)
    pending = col(Outbox.status) == OutboxStatus.pending
    fresh = pending & col(Outbox.claimed_by).is_(None) & (col(Outbox.attempts) == 0)
    return fresh | (passive & (pending | (col(Outbox.status) == OutboxStatus.sent))) if again else fresh


async def take_for_passive_reply(
    session: AsyncSession, *, inbound_id: int, platform: str, chat_id: str | None, user_id: str | None,
    now: datetime, max_bytes: int, token: str, hold: timedelta, again: bool = False, separator: str = "\n\n",
) -> list[tuple[int, str]]:
    """Lease a message's replies (to the chat it came from, or to the person when `chat_id` is
    None) to the answer of its own callback, as many as fit `max_bytes` joined: (id, text) in
    order. They are not sent yet: `passive_written` marks them once the answer was written, and if
    it never is, their `hold` runs out and the outbox sends them. The first row with files or that
    does not fit stays for the outbox, and so does every row after it: the replies keep their order."""
    rows = (await session.exec(
        select(Outbox.id, Outbox.text, Outbox.files, Outbox.status)
        .where(*_passive_row(inbound_id, platform, chat_id, user_id), _takeable(again))
        .order_by(col(Outbox.id))
    )).all()
    taken: list[tuple[int, str]] = []
    for outbox_id, text, files, status in rows:
        assert outbox_id is not None
        if files or len(separator.join([*(t for _, t in taken), text]).encode()) > max_bytes:
            break
        if status == OutboxStatus.pending:
            done: Any = await session.exec(
                update(Outbox).where(col(Outbox.id) == outbox_id, col(Outbox.status) == OutboxStatus.pending,
                                     _takeable(again))
                .values(claimed_by=token, next_attempt_at=now + hold))
            if done.rowcount != 1:  # a sender claimed it meanwhile: it and the rest go by the outbox
                break
        taken.append((outbox_id, text))
    return taken


async def passive_written(session: AsyncSession, ids: Sequence[int], token: str, now: datetime) -> None:
    """The answer carrying these rows was written to the platform: they are sent (unless the
    answer's hold ran out first and a sender took them)."""
    if ids:
        await session.exec(update(Outbox).where(
            col(Outbox.id).in_(list(ids)), col(Outbox.claimed_by) == token, col(Outbox.status) == OutboxStatus.pending,
        ).values(status=OutboxStatus.sent, sent_at=now, last_error=None))


async def passive_not_written(session: AsyncSession, ids: Sequence[int], token: str, now: datetime) -> None:
    """The answer could not be written (the platform had stopped waiting): the outbox sends them now."""
    if ids:
        await session.exec(update(Outbox).where(
            col(Outbox.id).in_(list(ids)), col(Outbox.claimed_by) == token, col(Outbox.status) == OutboxStatus.pending,
        ).values(claimed_by=None, next_attempt_at=now))


async def record_cs_send(session: AsyncSession, *, openid: str, now: datetime, outbox_id: int | None) -> None:
    """One 公众号 customer-service API call that went out (each counts against the quota)."""
    session.add(CsSend(openid=openid, sent_at=now, outbox_id=outbox_id))
    await session.flush()


async def cs_sends_since(session: AsyncSession, openid: str, since: datetime) -> int:
    return int((await session.exec(
        select(func.count()).where(CsSend.openid == openid, col(CsSend.sent_at) >= since))).one())


async def redact(session: AsyncSession, inbound_id: int, words: str, marker: str) -> int:
    """`words` replaced by `marker` in what the bot queued or sent because of message `inbound_id`
    (staff notices quote a report): a recalled message is not shown on. How many rows changed."""
    if not words:
        return 0
    rows = (await session.exec(select(Outbox).where(Outbox.inbound_id == inbound_id))).all()
    changed = 0
    for row in rows:
        if words in row.text:
            row.text = row.text.replace(words, marker)
            session.add(row)
            changed += 1
    return changed
