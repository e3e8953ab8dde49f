"""Operations look-ups for the console's 消息 page: group chats the bot hears that the roster does
not bind, and the inbound messages that failed."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChatBinding, InboundLog, InboundStatus


class UnknownChat(NamedTuple):
    platform: str
    chat_id: str
    messages: int
    last_at: datetime


async def unknown_chats(session: AsyncSession, limit: int = 200) -> list[UnknownChat]:
    """Group chats with messages but no roster binding (their reports have no grid), busiest last
    seen first."""
    rows = await session.exec(
        select(InboundLog.platform, InboundLog.chat_id, func.count(), func.max(InboundLog.received_at))
        .outerjoin(ChatBinding, and_(ChatBinding.platform == InboundLog.platform,
                                     ChatBinding.chat_id == InboundLog.chat_id))
        .where(col(InboundLog.chat_id).is_not(None), col(ChatBinding.chat_id).is_(None))
        .group_by(InboundLog.platform, InboundLog.chat_id)
        .order_by(func.max(InboundLog.received_at).desc()).limit(limit))
    return [UnknownChat(p, c, int(n), last) for p, c, n, last in rows.all()]


async def failed_inbound(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).where(InboundLog.status == InboundStatus.failed))).one())
