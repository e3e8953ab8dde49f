"""What the console's 消息 page shows and does: messages whose retries are spent (and queueing them
again, as `gridbot outbox retry` does), chats the roster does not bind, and the bot's health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import ops_store, outbox_store
from storage.models import Outbox
from storage.ops_store import UnknownChat


@dataclass(frozen=True)
class Health:
    pending: int
    failed: int
    last_error: str | None
    inbound_failed: int


@dataclass(frozen=True)
class Operations:
    health: Health
    failed: Sequence[Outbox]
    unknown_chats: list[UnknownChat]


async def overview(session: AsyncSession) -> Operations:
    backlog = await outbox_store.backlog(session)
    health = Health(backlog.get("pending", 0), backlog.get("failed", 0),
                    await outbox_store.last_failure(session) if backlog.get("failed") else None,
                    await ops_store.failed_inbound(session))
    return Operations(health, await outbox_store.failed(session, limit=500), await ops_store.unknown_chats(session))


async def retry(session: AsyncSession, ids: Sequence[int] | None, now: datetime) -> int:
    """Queue failed messages again (all when `ids` is None); how many."""
    return await outbox_store.retry(session, ids, now)
