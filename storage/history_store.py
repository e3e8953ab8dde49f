"""Conversation history (what was said in a chat, or privately with a person) from the inbound
log and the outbox, for the simulator and for admins looking into a complaint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundLog, Outbox, OutboxStatus


@dataclass(frozen=True)
class Said:
    id: str
    direction: str  # "in" (to the bot) or "out" (from the bot)
    at: datetime
    chat: str | None
    user: str | None
    user_name: str | None
    kind: str  # outbound: reply, notice …; inbound: what the message carries (text, image …)
    text: str
    ticket: str | None
    files: tuple[str, ...]


async def history(
    session: AsyncSession, platform: str, *, chat_id: str | None = None, user_id: str | None = None,
    limit: int = 200,
) -> list[Said]:
    """Messages of a group chat (`chat_id`), or of one person's private chat with the bot
    (`user_id`, including notices and reminders to them), oldest first."""
    inbound = select(InboundLog).where(InboundLog.platform == platform)
    outbound = select(Outbox).where(Outbox.platform == platform, Outbox.status == OutboxStatus.sent)
    if chat_id is not None:
        inbound = inbound.where(InboundLog.chat_id == chat_id)
        outbound = outbound.where(Outbox.chat_id == chat_id)
    else:
        inbound = inbound.where(InboundLog.chat_id.is_(None), InboundLog.user_id == user_id)  # type: ignore[union-attr]
        outbound = outbound.where(
            Outbox.chat_id.is_(None),  # type: ignore[union-attr]
            Outbox.user_id == user_id,
        )
    ins = (await session.exec(inbound.order_by(col(InboundLog.id).desc()).limit(limit))).all()
    outs = (await session.exec(outbound.order_by(col(Outbox.id).desc()).limit(limit))).all()
    said = [
        Said(f"in-{r.id}", "in", r.received_at, r.chat_id, r.user_id, r.user_name, r.kind,
             r.text, None, ())
        for r in ins
    ] + [
        Said(f"out-{r.id}", "out", r.created_at, r.chat_id, r.user_id, None, r.kind, r.text,
             r.ticket_no, tuple(r.files or ()))
        for r in outs
    ]
    said.sort(key=lambda s: (s.at, s.direction == "out"))
    return said[-limit:]


async def notices_sent(session: AsyncSession, platform: str, kinds: tuple[str, ...],
                       limit: int = 50) -> list[Outbox]:
    """The latest reminders and digests delivered on a platform, newest first."""
    rows = await session.exec(
        select(Outbox).where(Outbox.platform == platform, col(Outbox.kind).in_(kinds),
                             Outbox.status == OutboxStatus.sent)
        .order_by(col(Outbox.id).desc()).limit(limit)
    )
    return list(rows.all())
