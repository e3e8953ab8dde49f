"""What a handler gets: the message, who sent it, where, a DB session, the clock, and ways to talk
back. Everything a handler says goes into the outbox inside the same transaction as its changes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.audience import Answer, Audience, narrowest, route
from bot.clock import Clock
from bot.config import Settings
from bot.domain.workdays import WorkCalendar
from bot.events import NORMAL, InboundMessage, OutboundMessage
from bot.nlp.parser import ParseResult
from bot.nlp.shape import Reading
from bot.roles import RESIDENT
from bot.services.tickets import in_area
from bot.services.work import Work
from storage import outbox_store
from storage.models import Ticket
from storage.roster_store import ChatPlace, Member, active_names, units_below

if TYPE_CHECKING:
    from bot.services.photos import PhotoDesk, Taken
    from storage.models import Photo


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
    # what the parser made of the message's words, once a handler has read them (a cadre's line read as
    # duty and report: the intake files what that reading decided, and does not parse the line again)
    parsed: ParseResult | None = None
    photos: PhotoDesk | None = None  # pictures on tickets
    taken: Taken | None = None  # what became of the message's picture (fetched and kept, or why not)
    photo: Photo | None = None  # the message's picture, kept (on no ticket until a handler places it)
    sent: list[OutboundMessage] = field(default_factory=list)
    audience: Audience = Audience.sender  # declared by the command or handler running (bot.audience)
    _pointed: bool = False
    _names: list[str] | None = None
    _area: frozenset[str] | None = None  # the units the chat's bound unit covers, once asked

    @property
    def shape(self) -> str:
        return self.reading.shape if self.reading else "text"

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def work(self) -> Work:
        """The unit of work services run in: this message's transaction and outbox."""
        return Work(self.session, self.now, self.settings.tz, self.calendar, self.people_platform,
                    self.inbound_id, photos=self.photos)

    async def reply(self, text: str, *, ticket: Ticket | None = None, audience: Audience | None = None,
                    public: str | None = None, priority: int = NORMAL) -> None:
        """Answer the sender. Where it goes is decided by `bot.audience.route` from the audience
        the command declared, narrowed (never widened) by `audience`: a public line may be said
        in the group (masked) if the group holds `ticket` (the one the answer is about), anything
        else goes privately. `public` is what a group may see of a `sender` answer when the sender
        cannot be reached privately (never typed text)."""
        answer = Answer(text, narrowest(self.audience, audience), public, ticket.no if ticket else None)
        names: list[str] = []
        held = True
        if not self.message.is_private:
            if self._names is None:
                self._names = [*await active_names(self.session), self.message.user_name or ""]
            names = self._names
            if ticket is not None and (answer.audience == Audience.public or public):
                held = await self._holds(ticket)
        for message in route(answer, self.message, is_member=self.sender.member is not None,
                             people_platform=self.people_platform, names=names, pointed=self._pointed,
                             held=held):
            if message.chat_id is not None and (answer.audience != Audience.public or not held):
                self._pointed = True
            await self._queue(replace(message, priority=priority) if priority != NORMAL else message)

    async def _holds(self, ticket: Ticket) -> bool:
        """The group's bound unit covers the ticket's grid or community (the area rule of
        `bot.services.tickets.in_area`; a grid's group holds its own tickets, a community's group
        those of the community and its grids), or the ticket was reported in this group (it saw the
        filing line; a 转派 to another grid moves the ticket, not what its group knows). A chat bound
        to nothing holds none."""
        if self.place is None:
            return False
        if (ticket.chat_id, ticket.reporter_platform) == (self.message.chat_id, self.message.platform):
            return True
        if self._area is None:
            below = await units_below(self.session, {self.place.unit_id})
            self._area = frozenset(below.get(self.place.unit_id, {self.place.unit_id}))
        return in_area(self._area, ticket)

    async def _queue(self, message: OutboundMessage) -> None:
        await outbox_store.enqueue(self.session, message, now=self.now, inbound_id=self.inbound_id)
        self.sent.append(message)
