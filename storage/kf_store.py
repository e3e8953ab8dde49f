"""微信客服 state: the `kf/sync_msg` cursor with its reader lease, and each customer's entry scene
(their reply window is the 公众号's mechanism, bot.services.passive.CustomerServiceWindow). Every
function runs in the caller's transaction; each change is one conditional UPDATE (or an insert
that ignores a row another process wrote first), so two bot processes never read the same page at
once and never both count a customer's entry as new."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import KfCursor, KfCustomer, Outbox, OutboxStatus

TOKEN_FRESH = timedelta(minutes=9)  # a callback's sync token is valid 10 minutes


@dataclass(frozen=True)
class Claim:
    """The right to read: where to go on from, and the freshest callback token (None: read without)."""

    cursor: str | None
    token: str | None


def _insert_ignore(session: AsyncSession, model: Any, key: str, **values: Any) -> Any:
    dialect = postgresql if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])


async def _rowcount(session: AsyncSession, statement: Any) -> int:
    result: Any = await session.exec(statement)
    return int(result.rowcount)


def _fresh_token(row: KfCursor, now: datetime) -> str | None:
    if row.token and row.token_at is not None and now - row.token_at < TOKEN_FRESH:
        return row.token
    return None


async def claim(session: AsyncSession, open_kfid: str, holder: str, *, token: str | None, now: datetime,
                lease: timedelta) -> Claim | None:
    """Take the reader lease of `open_kfid` (free, or its holder's lease ran out). None when another
    reader holds it: then the row is marked `pending` (with `token`), so that reader reads again
    before it lets go and what this callback announced is not missed."""
    await session.exec(_insert_ignore(session, KfCursor, "open_kfid", open_kfid=open_kfid, pending=False))
    token_values: dict[str, Any] = {"token": token, "token_at": now} if token else {}
    taken = await _rowcount(session, update(KfCursor).where(
        col(KfCursor.open_kfid) == open_kfid,
        or_(col(KfCursor.holder).is_(None), col(KfCursor.lease_until) < now),
    ).values(holder=holder, lease_until=now + lease, pending=False, **token_values))
    if not taken:
        await session.exec(update(KfCursor).where(col(KfCursor.open_kfid) == open_kfid)
                           .values(pending=True, **token_values))
        return None
    row = await session.get(KfCursor, open_kfid, populate_existing=True)
    assert row is not None
    return Claim(row.cursor, _fresh_token(row, now))


async def advance(session: AsyncSession, open_kfid: str, holder: str, cursor: str, *, now: datetime,
                  lease: timedelta) -> bool:
    """Store the next cursor (its messages are recorded) and extend the lease; False when the lease
    was lost meanwhile (another reader took over: stop reading)."""
    return bool(await _rowcount(session, update(KfCursor).where(
        col(KfCursor.open_kfid) == open_kfid, col(KfCursor.holder) == holder,
    ).values(cursor=cursor, lease_until=now + lease, updated_at=now)))


async def release(session: AsyncSession, open_kfid: str, holder: str, *, now: datetime) -> Claim | None:
    """Let go after reading to the end, unless a callback came meanwhile (`pending`): then keep
    the lease and return what to read on from. None: released (or the lease was lost)."""
    freed = await _rowcount(session, update(KfCursor).where(
        col(KfCursor.open_kfid) == open_kfid, col(KfCursor.holder) == holder, col(KfCursor.pending).is_(False),
    ).values(holder=None, lease_until=None))
    if freed:
        return None
    row = await session.get(KfCursor, open_kfid, populate_existing=True)
    if row is None or row.holder != holder:
        return None
    row.pending = False
    session.add(row)
    return Claim(row.cursor, _fresh_token(row, now))


async def drop(session: AsyncSession, open_kfid: str, holder: str) -> None:
    """Let go after a failure; `pending` stays, so whoever reads next reads on."""
    await session.exec(update(KfCursor).where(col(KfCursor.open_kfid) == open_kfid, col(KfCursor.holder) == holder)
                       .values(holder=None, lease_until=None))


async def has_cursor(session: AsyncSession, open_kfid: str) -> bool:
    row = await session.get(KfCursor, open_kfid)
    return row is not None and row.cursor is not None


async def entered(session: AsyncSession, open_kfid: str, external_userid: str, *, scene: str | None,
                  msgid: str, at: datetime) -> bool:
    """A customer opened the conversation (`enter_session`) through the link of `scene`: remember
    it (the latest entry places their reports). True when this entry was not seen before, so a
    page read twice welcomes once."""
    await session.exec(_insert_ignore(session, KfCustomer, "external_userid", external_userid=external_userid,
                                      open_kfid=open_kfid))
    return bool(await _rowcount(session, update(KfCustomer).where(
        col(KfCustomer.external_userid) == external_userid,
        or_(col(KfCustomer.entry_msgid).is_(None), col(KfCustomer.entry_msgid) != msgid),
    ).values(open_kfid=open_kfid, scene=scene, entered_at=at, entry_msgid=msgid)))


async def undelivered(session: AsyncSession, outbox_id: int, note: str) -> bool:
    """WeChat accepted a message and reported later that it never reached the customer
    (`msg_send_fail`): the outbox row becomes failed with `note`, so admins see it. True if found."""
    return bool(await _rowcount(session, update(Outbox).where(col(Outbox.id) == outbox_id)
                                .values(status=OutboxStatus.failed, last_error=note[:2000])))


async def servicer(session: AsyncSession, open_kfid: str, external_userid: str, *, servicer: str | None,
                   at: datetime) -> None:
    """Who holds the customer's conversation now (`session_status_change`): a staff member's
    userid, or None (back with the bot, or ended)."""
    await session.exec(_insert_ignore(session, KfCustomer, "external_userid", external_userid=external_userid,
                                      open_kfid=open_kfid))
    await session.exec(update(KfCustomer).where(col(KfCustomer.external_userid) == external_userid)
                       .values(servicer=servicer, servicer_since=at))
