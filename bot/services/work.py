"""A unit of work for services: one transaction, the time, the calendar, and the outbox.

Handlers build one from their Context, scheduled jobs from their JobContext; the services do not
care which, and everything they say is queued in the same transaction as their changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.workdays import WorkCalendar
from bot.events import OutboundKind, OutboundMessage
from storage import outbox_store


@dataclass
class Work:
    session: AsyncSession
    now: datetime
    tz: ZoneInfo
    calendar: WorkCalendar
    people_platform: str
    inbound_id: int | None = None

    def local(self, when: datetime | None = None) -> datetime:
        return (when or self.now).astimezone(self.tz)

    async def notify(self, im_user: str, text: str, *, ticket: str | None = None,
                     kind: str = OutboundKind.notice) -> None:
        """A private message to a roster person."""
        await self.send(OutboundMessage(platform=self.people_platform, kind=kind, text=text,
                                        user_id=im_user, ticket=ticket))

    async def notify_once(self, im_user: str, text: str, *, duty: str, period: str,
                          ticket: str | None = None, kind: str = OutboundKind.reminder,
                          files: tuple[str, ...] = ()) -> bool:
        """A reminder sent at most once per (duty, period, person)."""
        return await outbox_store.enqueue_once(
            self.session,
            OutboundMessage(platform=self.people_platform, kind=kind, text=text, user_id=im_user,
                            ticket=ticket, files=files),
            duty=duty, period=period, recipient=im_user, now=self.now,
        )

    async def send(self, message: OutboundMessage) -> None:
        await outbox_store.enqueue(self.session, message, now=self.now, inbound_id=self.inbound_id)
