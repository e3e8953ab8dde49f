"""What a handler gets: the message, who sent it, where, a DB session, the clock, and ways to talk
back. Everything a handler says goes into the outbox inside the same transaction as its changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.domain.workdays import WorkCalendar
from bot.events import NORMAL, InboundMessage, OutboundKind, OutboundMessage
from bot.i18n import Text
from bot.nlp.pii import mask
from bot.nlp.shape import Reading
from bot.roles import RESIDENT
from bot.services.work import Work
from storage import outbox_store
from storage.roster_store import ChatPlace, Member


@dataclass(frozen=True)
class Sender:
    user_id: str
    name: str | None
    member: Member | None

    @property
    def roles(self) -> frozenset[str]:
        return self.member.roles if self.member else frozenset({RESIDENT})

    @property
    def is_resident(self) -> bool:
        return self.member is None


@dataclass
class Context:
    session: AsyncSession
    message: InboundMessage
    inbound_id: int | None
    sender: Sender
    place: ChatPlace | None
    clock: Clock
    settings: Settings
    calendar: WorkCalendar
    people_platform: str
    # how the normaliser read the message (its shape, the quoted words); `message.text` holds its new words
    reading: Reading | None = None
    sent: list[OutboundMessage] = field(default_factory=list)

    @property
    def shape(self) -> str:
        return self.reading.shape if self.reading else "text"

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def work(self) -> Work:
        """The unit of work services run in: this message's transaction and outbox."""
        return Work(self.session, self.now, self.settings.tz, self.calendar, self.people_platform,
                    self.inbound_id)

    async def reply(self, text: str, *, ticket: str | None = None, priority: int = NORMAL) -> None:
        """Answer in the chat the message came from (privately if it was private). Whatever a
        handler says, phone, ID and room numbers never reach a group."""
        if not self.message.is_private:
            text = mask(text, rooms=True)
        await self._queue(
            OutboundMessage(
                platform=self.message.platform, kind=OutboundKind.reply, text=text,
                chat_id=self.message.chat_id, user_id=self.message.user_id, ticket=ticket, priority=priority,
            )
        )

    async def notify(self, im_user: str, text: Text, *, ticket: str | None = None) -> None:
        """A private notice to a roster person, on the platform where roster people are reached, in
        their language."""
        await self._queue(
            OutboundMessage(
                platform=self.people_platform, kind=OutboundKind.notice,
                text=await self.work().text_for(im_user, text),
                user_id=im_user, ticket=ticket,
            )
        )

    async def _queue(self, message: OutboundMessage) -> None:
        await outbox_store.enqueue(self.session, message, now=self.now, inbound_id=self.inbound_id)
        self.sent.append(message)
