"""A unit of work for services: one transaction, the time, the calendar, and the outbox.

Handlers build one from their Context, scheduled jobs from their JobContext; the services do not
care which, and everything they say is queued in the same transaction as their changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.workdays import WorkCalendar
from bot.events import NORMAL, OutboundKind, OutboundMessage
from bot.i18n import Text, configured_locale, render
from bot.services.languages import language_of
from storage import outbox_store

if TYPE_CHECKING:
    from bot.services.photos import PhotoDesk


@dataclass
class Work:
    session: AsyncSession
    now: datetime
    tz: ZoneInfo
    calendar: WorkCalendar
    people_platform: str
    inbound_id: int | None = None
    photos: PhotoDesk | None = None  # pictures on tickets (None: jobs and tools that handle none)
    languages: dict[str, str] = field(default_factory=dict, repr=False)  # user id → language, looked up once

    async def text_for(self, user_id: str, text: Text) -> str:
        """`text` rendered in the recipient's language (a plain string is already rendered)."""
        if isinstance(text, str):
            return text
        if user_id not in self.languages:
            self.languages[user_id] = await language_of(self.session, user_id) or configured_locale()
        return render(text, self.languages[user_id])

    def local(self, when: datetime | None = None) -> datetime:
        return (when or self.now).astimezone(self.tz)

    async def notify(self, im_user: str, text: Text, *, ticket: str | None = None,
                     kind: str = OutboundKind.notice, priority: int = NORMAL,
                     merge: str | None = None, merge_window: timedelta = timedelta(0),
                     files: tuple[str, ...] = ()) -> None:
        """A private message to a roster person, in their language. `priority` URGENT for what a
        P0 ticket causes. With `merge` (what the notice is about, e.g. a ticket's new reporters), an
        unsent notice to this person on the same subject is updated instead of another being queued,
        and at most one goes out per `merge_window`. `files`: pictures it carries (always private)."""
        message = OutboundMessage(platform=self.people_platform, kind=kind, text=await self.text_for(im_user, text),
                                  user_id=im_user, ticket=ticket, priority=priority, files=files)
        await outbox_store.enqueue(self.session, message, now=self.now, inbound_id=self.inbound_id,
                                   merge_key=f"{merge}|{im_user}" if merge else None, merge_window=merge_window)

    async def notify_once(self, im_user: str, text: Text, *, duty: str, period: str,
                          ticket: str | None = None, kind: str = OutboundKind.reminder,
                          files: tuple[str, ...] = ()) -> bool:
        """A reminder sent at most once per (duty, period, person), in their language."""
        text = await self.text_for(im_user, text)
        return await outbox_store.enqueue_once(
            self.session,
            OutboundMessage(platform=self.people_platform, kind=kind, text=text, user_id=im_user,
                            ticket=ticket, files=files),
            duty=duty, period=period, recipient=im_user, now=self.now,
        )

    async def send(self, message: OutboundMessage) -> None:
        await outbox_store.enqueue(self.session, message, now=self.now, inbound_id=self.inbound_id)
