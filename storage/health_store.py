"""The numbers `/healthz` and the delivery watch decide from: a few aggregate queries over the
outbox and the inbound log (both indexed on status; the `received` and `pending` rows are few)."""

from __future__ import annotations

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.health import ChannelStats, Snapshot
from storage import inbound_store, outbox_store
from storage.models import InboundLog, InboundStatus, Outbox, OutboxStatus


async def snapshot(session: AsyncSession) -> Snapshot:
    """Counts and times of the outbox (overall and per platform) and the inbound log."""
    counts = await outbox_store.backlog(session)
    pending = (await session.exec(
        select(Outbox.platform, func.count(), func.min(Outbox.created_at))
        .where(Outbox.status == OutboxStatus.pending).group_by(Outbox.platform))).all()
    failing = (await session.exec(
        select(Outbox.platform, func.count(), func.max(Outbox.id), func.min(Outbox.created_at))
        .where(Outbox.status == OutboxStatus.pending, col(Outbox.last_error).is_not(None))
        .group_by(Outbox.platform))).all()
    sent = dict((await session.exec(
        select(Outbox.platform, func.max(Outbox.sent_at))
        .where(Outbox.status == OutboxStatus.sent).group_by(Outbox.platform))).all())
    errors: dict[str, str | None] = {}
    for platform, _, latest, _ in failing:
        errors[platform] = (await session.exec(select(Outbox.last_error).where(Outbox.id == latest))).first()
    platforms = {p for p, _, _ in pending} | set(sent)
    pending_by = {p: (n, oldest) for p, n, oldest in pending}
    failing_by = {p: (n, oldest) for p, n, _, oldest in failing}
    channels = {
        p: ChannelStats(pending=pending_by.get(p, (0, None))[0], failing=failing_by.get(p, (0, None))[0],
                        last_sent_at=sent.get(p), last_error=errors.get(p),
                        oldest_failing_at=failing_by.get(p, (0, None))[1])
        for p in sorted(platforms)
    }
    last_failure = await outbox_store.last_failure(session) if counts.get(OutboxStatus.failed) else None
    unhandled, oldest_unhandled = await inbound_store.unhandled(session)
    inbound_failed = (await session.exec(
        select(func.count()).where(InboundLog.status == InboundStatus.failed))).one()
    oldest = [o for _, (_, o) in pending_by.items() if o is not None]
    return Snapshot(
        pending=counts.get(OutboxStatus.pending, 0), failed=counts.get(OutboxStatus.failed, 0),
        oldest_pending_at=min(oldest) if oldest else None,
        last_sent_at=max((t for t in sent.values() if t is not None), default=None),
        last_failure=last_failure, unhandled=unhandled, oldest_unhandled_at=oldest_unhandled,
        inbound_failed=int(inbound_failed), channels=channels,
    )
