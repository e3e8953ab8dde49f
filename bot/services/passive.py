"""Answers that ride on a callback's own HTTP answer (公众号 passive reply, smart-robot stream),
and the 公众号's customer-service window: the one place the channels with a passive answer ask
the outbox and the inbound log, so the transports stay free of tables.

A passive answer is not counted as delivered when it is taken, only once the channel wrote it
(`written`): if the platform had stopped waiting the channel says so (`not_written`) and the
outbox sends the replies at once by the API; if the process dies in between, the answer's hold
runs out and the outbox sends them then. A retried callback (same sender and msgid: the
platform did not get the first answer) is answered again with the same replies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.events import InboundMessage
from storage import inbound_store, outbox_store
from storage.db import Database

HOLD = timedelta(seconds=30)  # how long a taken answer keeps its replies from the outbox


@dataclass(frozen=True)
class PassiveAnswer:
    """Replies taken for one callback's answer: `texts` in order, the outbox rows under `token`."""

    texts: list[str]
    ids: list[int]
    token: str


class PassiveReplies:
    def __init__(self, db: Database, clock: Clock, *, hold: timedelta = HOLD) -> None:
        self.db, self.clock, self.hold = db, clock, hold

    async def recorded_id(self, message: InboundMessage) -> int | None:
        """The inbound id of a message recorded before (its callback is being retried)."""
        async with self.db.session() as session:
            return await inbound_store.recorded_id(session, message.platform, message.user_id, message.msg_id)

    async def take(self, inbound_id: int, message: InboundMessage, *, max_bytes: int,
                   again: bool = False) -> PassiveAnswer | None:
        """The replies to `message` (in the chat it came from) that fit `max_bytes` joined, taken
        for its callback's answer; with `again` (a retry) also those an earlier answer carried.
        None when there is nothing to answer."""
        token = f"{outbox_store.PASSIVE}{uuid.uuid4().hex[:16]}"
        async with self.db.transaction() as session:
            taken = await outbox_store.take_for_passive_reply(
                session, inbound_id=inbound_id, platform=message.platform, chat_id=message.chat_id,
                user_id=message.user_id, now=self.clock.now(), max_bytes=max_bytes, token=token, hold=self.hold,
                again=again)
        if not taken:
            return None
        return PassiveAnswer([text for _, text in taken], [i for i, _ in taken], token)

    async def written(self, answer: PassiveAnswer) -> None:
        async with self.db.transaction() as session:
            await outbox_store.passive_written(session, answer.ids, answer.token, self.clock.now())

    async def not_written(self, answer: PassiveAnswer) -> None:
        async with self.db.transaction() as session:
            await outbox_store.passive_not_written(session, answer.ids, answer.token, self.clock.now())


@dataclass(frozen=True)
class Window:
    """What a 公众号 follower's last message (or subscribe) opened for customer-service messages."""

    opened_at: datetime | None  # None: the follower never wrote
    closes_at: datetime | None
    quota: int
    used: int

    @property
    def left(self) -> int:
        return max(self.quota - self.used, 0)


MESSAGE_WINDOW, MESSAGE_QUOTA = timedelta(hours=48), 5  # after a message from the follower
SUBSCRIBE_WINDOW, SUBSCRIBE_QUOTA = timedelta(minutes=1), 3  # after a subscribe only


class CustomerServiceWindow:
    """WeChat's reply window for a person on personal WeChat, the same rule on both channels that
    reach them: the 公众号 (`platform` "mp", customer-service messages) and 微信客服 ("wecom_kf",
    kf/send_msg) may send 5 messages (each API call: every text piece, picture and file) within
    48 h of the person's last message in the inbound log, and the 公众号 only 3 within 1 minute of a
    subscribe. The calls that went out are counted in the database (`spent`), so a restart or a
    second process counts them too. (The window opens when the message is recorded; a 微信客服
    message read late, after a restart, opens it a little late, and WeChat's refusal then has the
    last word.)"""

    def __init__(self, db: Database, clock: Clock, platform: str = "mp") -> None:
        self.db, self.clock, self.platform = db, clock, platform

    async def of(self, openid: str) -> Window:
        now = self.clock.now()
        async with self.db.session() as session:
            last = await inbound_store.last_from(session, self.platform, openid)
            if last is None:
                return Window(None, None, 0, 0)
            opened_at = last[0] if last[0].tzinfo is not None else last[0].replace(tzinfo=now.tzinfo)
            subscribe = last[1].startswith("event:") and last[1].endswith(":subscribe")
            length, quota = (SUBSCRIBE_WINDOW, SUBSCRIBE_QUOTA) if subscribe else (MESSAGE_WINDOW, MESSAGE_QUOTA)
            used = await outbox_store.cs_sends_since(session, openid, opened_at)
        return Window(opened_at, opened_at + length, quota, used)

    async def spent(self, openid: str, outbox_id: int | None) -> None:
        async with self.db.transaction() as session:
            await outbox_store.record_cs_send(session, openid=openid, now=self.clock.now(), outbox_id=outbox_id)

    async def used_up(self, openid: str) -> None:
        """WeChat says the window's messages are used up (it counted sends this process did not
        see): count it as full, so the next message fails here instead of being sent to be refused."""
        window = await self.of(openid)
        async with self.db.transaction() as session:
            for _ in range(window.left):
                await outbox_store.record_cs_send(session, openid=openid, now=self.clock.now(), outbox_id=None)
