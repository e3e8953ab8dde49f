"""Inbound pipeline: record (dedupe) → resolve sender and chat → handlers → outbox, in one
transaction per message. A retried message is recorded once; a crash leaves the message in the
inbound log to be processed again on start-up; a handler error is answered and kept for admins."""

from __future__ import annotations

import asyncio
import logging
import weakref

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.clock import Clock
from bot.config import Settings
from bot.context import Context, Sender
from bot.domain.workdays import WorkCalendar
from bot.events import InboundMessage, OutboundKind, OutboundMessage
from bot.i18n import _
from bot.registry import Registry
from storage import outbox_store
from storage.db import Database
from storage.models import InboundLog, InboundStatus
from storage.roster_store import find_chat, find_member

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        registry: Registry,
        calendar: WorkCalendar,
        people_platform: str,
    ) -> None:
        self.db, self.clock, self.settings = db, clock, settings
        self.registry, self.calendar, self.people_platform = registry, calendar, people_platform
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def receive(self, message: InboundMessage) -> bool:
        """Record and handle a message. False when it was a duplicate (already recorded)."""
        inbound_id = await self.record(message)
        if inbound_id is None:
            return False
        await self.process(inbound_id)
        return True

    async def record(self, message: InboundMessage) -> int | None:
        """Persist the message; None if (platform, msg_id) was seen before. This is the point
        after which a callback may be acknowledged: nothing can be lost any more."""
        row = InboundLog(
            platform=message.platform, msg_id=message.msg_id, chat_id=message.chat_id,
            user_id=message.user_id, user_name=message.user_name, text=message.text,
            mentions_bot=message.mentions_bot, received_at=self.clock.now(),
        )
        try:
            async with self.db.transaction() as session:
                session.add(row)
                await session.flush()
                return row.id
        except IntegrityError:
            return None

    async def process(self, inbound_id: int) -> None:
        async with self.db.session() as session:
            row = await session.get(InboundLog, inbound_id)
        if row is None or row.status == InboundStatus.done:
            return
        message = _to_message(row)
        lock = self._locks.setdefault(message.session_key, asyncio.Lock())
        async with lock:
            try:
                await self._handle(inbound_id, message)
            except Exception as exc:
                log.exception("message %s/%s failed", message.platform, message.msg_id)
                await self._fail(inbound_id, message, exc)

    async def _handle(self, inbound_id: int, message: InboundMessage) -> None:
        async with self.db.transaction() as session:
            query = select(InboundLog).where(InboundLog.id == inbound_id)
            if self.db.is_postgres:
                query = query.with_for_update()
            row = (await session.exec(query)).one()
            if row.status == InboundStatus.done:
                return  # another worker finished it while we waited
            member = await find_member(session, message.user_id)
            place = (
                await find_chat(session, message.platform, message.chat_id)
                if message.chat_id
                else None
            )
            ctx = Context(
                session=session, message=message, inbound_id=inbound_id,
                sender=Sender(message.user_id, message.user_name, member), place=place,
                clock=self.clock, settings=self.settings, calendar=self.calendar,
                people_platform=self.people_platform,
            )
            await self.registry.dispatch(ctx)
            row.status, row.processed_at = InboundStatus.done, self.clock.now()
            row.attempts += 1
            session.add(row)

    async def _fail(self, inbound_id: int, message: InboundMessage, exc: Exception) -> None:
        async with self.db.transaction() as session:
            row = await session.get(InboundLog, inbound_id)
            assert row is not None
            row.status, row.attempts = InboundStatus.failed, row.attempts + 1
            row.error = f"{type(exc).__name__}: {exc}"[:2000]
            session.add(row)
            await outbox_store.enqueue(
                session,
                OutboundMessage(
                    platform=message.platform, kind=OutboundKind.reply,
                    text=_("Sorry, your message could not be handled just now. It has been kept "
                           "and staff will follow it up."),
                    chat_id=message.chat_id, user_id=message.user_id,
                ),
                now=self.clock.now(), inbound_id=inbound_id,
            )

    async def recover(self) -> int:
        """Process messages recorded but never finished (the process died mid-way)."""
        async with self.db.session() as session:
            ids = (
                await session.exec(
                    select(InboundLog.id)
                    .where(InboundLog.status == InboundStatus.received)
                    .order_by(col(InboundLog.id))
                )
            ).all()
        for inbound_id in ids:
            assert inbound_id is not None
            await self.process(inbound_id)
        return len(ids)


def _to_message(row: InboundLog) -> InboundMessage:
    return InboundMessage(
        platform=row.platform, msg_id=row.msg_id, user_id=row.user_id, text=row.text,
        chat_id=row.chat_id, user_name=row.user_name, mentions_bot=row.mentions_bot,
    )
