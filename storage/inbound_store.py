"""The inbound log's write side: many received messages recorded in one statement.

Recording is what a callback waits for before it is acknowledged, so under load the messages of
many callbacks are written together (one transaction, one commit, one fsync). The unique
(platform, msg_id) keeps a retried message to one row: a key already stored, or a second copy
inside the same batch, gets no id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.events import InboundMessage
from storage.models import InboundLog, InboundStatus

MAX_ROWS = 500  # a batch the recorder writes at once (SQLAlchemy pages the VALUES itself)


async def insert_new(
    session: AsyncSession, messages: Sequence[InboundMessage], *, now: datetime
) -> list[int | None]:
    """Insert the messages not seen before; their ids in input order, None for a duplicate (a key
    already in the log, or repeated earlier in `messages`). Flushes nothing else of the session."""
    ids: list[int | None] = [None] * len(messages)
    first: dict[tuple[str, str], int] = {}  # key → index of its first occurrence in the batch
    for i, message in enumerate(messages):
        first.setdefault((message.platform, message.msg_id), i)
    if not first:
        return ids
    dialect = postgresql if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite
    # One compiled statement run with many parameter sets: SQLAlchemy's "insertmanyvalues" sends
    # them as multi-row VALUES pages, with the statement cached (a literal multi-row .values() is
    # compiled anew for every batch, ~6x the CPU at 64 rows). On the table, not the ORM class: the
    # ORM's bulk-insert bookkeeping was a quarter of the CPU and nothing here needs it.
    table = InboundLog.__table__
    statement = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["platform", "msg_id"])
        .returning(table.c.id, table.c.platform, table.c.msg_id)
    )
    params = [
        {
            "platform": m.platform, "msg_id": m.msg_id, "chat_id": m.chat_id, "user_id": m.user_id,
            "user_name": m.user_name, "text": m.text, "mentions_bot": m.mentions_bot, "kind": str(m.kind),
            "received_at": now, "status": str(InboundStatus.received), "attempts": 0,
        }
        for m in (messages[i] for i in first.values())
    ]
    # RETURNING gives the inserted rows only (not the conflicting ones), in no promised order:
    # match them by key.
    result = await session.exec(statement, params=params)  # type: ignore[call-overload]
    for row_id, platform, msg_id in result.all():
        ids[first[(platform, msg_id)]] = row_id
    return ids
