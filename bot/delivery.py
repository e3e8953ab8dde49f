"""Outbox delivery: claim due rows, hand them to the channel's transport, record the outcome.

Fairness under load. Claimed messages go into one queue per destination (a chat, or a person on
a platform), each drained by its own task, in priority order (urgent, i.e. a P0 ticket's, first),
oldest first within a priority. Each platform has its own few sending slots, one of them kept for
urgent messages, so a hanging API occupies only its own platform's slots and a flood of normal
messages never takes the slot an urgent one needs. A destination without a rate-limit slot
(`RateLimited`: the transport's limiter or the platform said so) is not waited for: its messages
go back to the outbox until the slot frees, without counting an attempt, and every other
destination goes on. The claimer keeps taking due rows while senders work (urgent ones first and
whatever a platform already holds), so a P0 notice never waits behind a batch.

Leases. A claim leases its rows to a token of its own. The lease is renewed while a send is in
progress and for rows waiting in a queue, and a row claimed a while ago is re-confirmed just
before its send: a row whose lease ran out and was taken by another process is dropped by its
old holder, never sent twice. Outcomes are written only under the token (fencing).

Retries back off exponentially; after the budget a message is marked failed, which admins see in
`/healthz`. A message for a platform with no transport configured waits and is retried."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import timedelta
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.events import OutboundMessage
from bot.transport.base import RateLimited, Transport, TransportError
from storage import outbox_store
from storage.db import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SENDERS_PER_PLATFORM = 4  # concurrent sends per platform; one of them only for urgent messages
CLAIM_BATCH = 200
HELD_PER_PLATFORM = 400  # claimed-but-unsent messages a process keeps per platform (memory, leases)

Destination = tuple[str, str]
T = TypeVar("T")


def backoff(attempt: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempt - 1, 0), 3600))


class _Slots:
    """A platform's sending slots: `senders` in all, normal messages may use all but one."""

    def __init__(self, senders: int) -> None:
        self.all = asyncio.Semaphore(senders)
        self.normal = asyncio.Semaphore(max(senders - 1, 1))

    @asynccontextmanager
    async def take(self, urgent: bool) -> AsyncIterator[None]:
        if urgent:
            async with self.all:
                yield
            return
        async with self.normal, self.all:
            yield


class OutboxWorker:
    def __init__(
        self, db: Database, clock: Clock, transports: dict[str, Transport], *,
        senders: int = SENDERS_PER_PLATFORM, lease: timedelta = outbox_store.CLAIM_LEASE,
        batch: int = CLAIM_BATCH, held_per_platform: int = HELD_PER_PLATFORM,
        monotonic: Callable[[], float] = time.monotonic,
        write_turn: Callable[[], AbstractAsyncContextManager[object]] = nullcontext,
    ) -> None:
        """`lease` is on `clock`; leases are renewed every third of it in real time (`monotonic`).
        `write_turn` is the process's turn to write (SQLite has one writer at a time: the
        dispatcher's in-process lock, so the outbox queues for it in order instead of polling in
        SQLite's busy handler while the message handlers pass the lock among themselves)."""
        self.db, self.clock, self.transports = db, clock, transports
        self.senders, self.lease, self.batch, self.held_per_platform = senders, lease, batch, held_per_platform
        self.monotonic, self.write_turn = monotonic, write_turn
        self.owner = uuid.uuid4().hex[:16]
        self.sent = 0  # messages delivered by this worker since it started
        self._claims = itertools.count(1)
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._queues: dict[Destination, list[tuple[int, int, int, OutboundMessage]]] = {}
        self._drainers: dict[Destination, asyncio.Task[None]] = {}
        self._held: dict[int, OutboundMessage] = {}  # claimed, not finished: id → the copy we hold
        self._held_count: dict[str, int] = {}  # of them, per platform
        self._leased_at: dict[int, float] = {}  # when each held lease was taken or last renewed (monotonic)
        self._slots: dict[str, _Slots] = {}
        self._renewed_at = monotonic()
        self._writes: list[tuple[Callable[[AsyncSession], Awaitable[Any]], asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    @property
    def renew_every(self) -> float:
        return self.lease.total_seconds() / 3

    def wake(self) -> None:
        """Something was queued: deliver now rather than at the next poll."""
        self._wake.set()

    async def flush(self) -> int:
        """Deliver everything due now and wait for it; returns how many were sent. Each claimed
        message is either sent or pushed to a later attempt, so the loop ends."""
        before = self.sent
        while True:
            claimed = await self.claim()
            await self.idle()
            if not claimed:
                return self.sent - before

    async def idle(self) -> None:
        """Wait until every claimed message is finished (sent, failed or put back)."""
        while self._drainers:
            await asyncio.gather(*list(self._drainers.values()), return_exceptions=True)

    async def claim(self) -> int:
        """Claim due messages into the destination queues; how many. Normal messages of a
        platform that already holds `held_per_platform` are left for a later round."""
        full = [p for p, n in self._held_count.items() if n >= self.held_per_platform]
        token = f"{self.owner}:{next(self._claims)}"
        batch = await self._write(lambda session: outbox_store.claim_due(
            session, self.clock.now(), self.batch, token=token, lease=self.lease, skip_platforms=full))
        for message in batch:
            self._queue(message)
        return len(batch)

    def _queue(self, message: OutboundMessage) -> None:
        assert message.id is not None
        if message.id not in self._held:
            self._held_count[message.platform] = self._held_count.get(message.platform, 0) + 1
        self._held[message.id] = message
        self._leased_at[message.id] = self.monotonic()
        key = message.destination
        heapq.heappush(self._queues.setdefault(key, []), (message.priority, message.id, next(self._order), message))
        if key not in self._drainers:
            self._drainers[key] = asyncio.create_task(self._drain(key), name=f"outbox {key[0]}")

    async def _drain(self, key: Destination) -> None:
        """One destination's messages, one at a time, most urgent and then oldest first."""
        queue = self._queues[key]
        try:
            while queue:
                message = heapq.heappop(queue)[3]
                try:
                    await self._deliver(message, queue)
                except Exception:  # the database failed while recording: the lease brings it back
                    log.exception("outbox %s: outcome not recorded; retried after its lease", message.id)
                    self._forget(message)
        finally:
            self._queues.pop(key, None)
            self._drainers.pop(key, None)

    def _forget(self, message: OutboundMessage) -> None:
        assert message.id is not None
        if self._held.get(message.id) is not message:
            return
        del self._held[message.id]
        self._leased_at.pop(message.id, None)
        count = self._held_count[message.platform] = self._held_count[message.platform] - 1
        if count == self.held_per_platform // 2:
            self._wake.set()  # room for more of its platform

    async def _deliver(self, message: OutboundMessage, queue: list[tuple[int, int, int, OutboundMessage]]) -> None:
        assert message.id is not None
        if self._held.get(message.id) is not message:
            return  # claimed again meanwhile (its lease had run out): the newer copy is the one
        transport = self.transports.get(message.platform)
        if transport is None:
            await self._failed(message, f"no transport configured for {message.platform}", True)
            return
        slots = self._slots.setdefault(message.platform, _Slots(self.senders))
        async with slots.take(message.urgent):
            if not await self._still_ours(message):
                log.warning("outbox %s: lease lost before sending; left to its new holder", message.id)
                self._forget(message)
                return
            try:
                await self._send_renewing(transport, message)
            except RateLimited as exc:
                await self._put_back(message, queue, exc)
                return
            except TransportError as exc:
                await self._failed(message, str(exc), exc.retryable)
                return
            except Exception as exc:  # a bug in one transport must not stop the others
                log.exception("transport %s crashed", message.platform)
                await self._failed(message, repr(exc), True)
                return
        outbox_id, claim = message.id, message.claim
        recorded = await self._write(
            lambda session: outbox_store.mark_sent(session, outbox_id, self.clock.now(), claim))
        if not recorded:
            log.warning("outbox %s: sent, but its lease had been taken over", message.id)
        self.sent += 1
        self._forget(message)

    async def _still_ours(self, message: OutboundMessage) -> bool:
        """Whether we still hold the lease: re-confirmed (and extended) in the database when it
        was taken or renewed more than a quarter lease ago, since it may have run out meanwhile."""
        assert message.id is not None
        leased = self._leased_at.get(message.id)
        if leased is not None and self.monotonic() - leased < self.lease.total_seconds() / 4:
            return True
        return message.id not in await self._renew([message])

    async def _renew(self, messages: list[OutboundMessage]) -> set[int]:
        """Extend the leases of `messages`; the ids whose lease was lost (those are dropped)."""
        held = [(m.id, m.claim) for m in messages if m.id is not None and m.claim is not None]
        lost = await self._write(lambda session: outbox_store.renew(session, held, self.clock.now(), self.lease))
        now = self.monotonic()
        for message in messages:
            assert message.id is not None
            if message.id in lost:
                self._forget(message)
            elif message.id in self._leased_at:
                self._leased_at[message.id] = now
        return lost

    async def _send_renewing(self, transport: Transport, message: OutboundMessage) -> None:
        """The transport's send, renewing the lease every third of it while the send lasts."""
        sending = asyncio.ensure_future(transport.send(message))
        try:
            while True:
                done, _ = await asyncio.wait({sending}, timeout=self.renew_every)
                if done:
                    return sending.result()
                with contextlib.suppress(Exception):  # a failed renewal: the next one tries again
                    await self._renew([message])
        finally:
            if not sending.done():
                sending.cancel()

    async def _put_back(self, message: OutboundMessage, queue: list[tuple[int, int, int, OutboundMessage]],
                        exc: RateLimited) -> None:
        """No slot for this destination: this message, and whatever of the destination is not
        more urgent, wait in the outbox until the slot frees; nothing is counted as an attempt."""
        until = self.clock.now() + timedelta(seconds=exc.retry_after)
        back = [message] + [entry[3] for entry in queue if entry[3].priority >= message.priority]
        queue[:] = [entry for entry in queue if entry[3].priority < message.priority]
        heapq.heapify(queue)
        async def put_back(session: AsyncSession) -> None:
            await outbox_store.put_back(session, [(m.id, m.claim) for m in back if m.id and m.claim], until)
            await outbox_store.hold_destination(session, platform=message.platform, chat_id=message.chat_id,
                                                user_id=message.user_id, until=until, min_priority=message.priority)

        await self._write(put_back)
        for held in back:
            self._forget(held)
        log.info("outbox %s: %s; %d message(s) to this destination wait until %s", message.id, exc,
                 len(back), f"{until:%H:%M:%S}")

    async def _failed(self, message: OutboundMessage, error: str, retryable: bool) -> None:
        assert message.id is not None
        give_up = not retryable or message.attempts >= MAX_ATTEMPTS
        retry_at = None if give_up else self.clock.now() + backoff(message.attempts)
        outbox_id, claim = message.id, message.claim
        await self._write(lambda session: outbox_store.mark_failed_attempt(session, outbox_id, error, retry_at, claim))
        self._forget(message)
        log.warning("outbox %s to %s: %s (%s)", message.id, message.platform, error,
                    "gave up" if give_up else f"retry at {retry_at:%H:%M:%S}")

    async def _write(self, op: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `op` in a transaction shared with the other writes waiting now (group commit): this
        worker writes one transaction at a time, so its senders do not queue for SQLite's lock
        (whose busy handler polls) or take a PostgreSQL connection each, and under load one commit
        records many outcomes. An error fails every write of the batch (each is retried: a claim
        at the next round, an outcome after its lease)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._writes.append((op, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches(), name="outbox-writer")
        return await asyncio.shield(future)  # type: ignore[no-any-return]

    async def _write_batches(self) -> None:
        while self._writes:
            batch, self._writes = self._writes, []
            try:
                async with self.write_turn(), self.db.transaction() as session:
                    results = [await op(session) for op, _ in batch]
            except BaseException as exc:
                for _, future in batch:
                    if future.done():
                        continue
                    if isinstance(exc, Exception):
                        future.set_exception(exc)
                    else:  # cancelled (shutdown): so are the writes waiting for it
                        future.cancel()
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _renew_waiting(self) -> None:
        """Renew the leases of claimed messages still waiting in a queue, every third of a lease."""
        if self.monotonic() - self._renewed_at < self.renew_every:
            return
        self._renewed_at = self.monotonic()
        waiting = [m for m in self._held.values() if m.id is not None]
        if waiting:
            await self._renew(waiting)

    async def run(self, interval: float = 2.0) -> None:
        """Deliver until cancelled: claim on wake-up or every `interval` seconds (at once again
        while full batches come), while the destination queues drain."""
        try:
            while True:
                claimed = 0
                try:
                    await self._renew_waiting()
                    claimed = await self.claim()
                except Exception:
                    log.exception("outbox claim failed; will retry")
                if claimed >= self.batch:
                    await asyncio.sleep(0)  # more are due: claim again, letting the senders start
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=interval)
        finally:  # shutdown: what was claimed and not sent comes back after its lease
            drainers = list(self._drainers.values()) + ([self._writer] if self._writer else [])
            for task in drainers:
                task.cancel()
            await asyncio.gather(*drainers, return_exceptions=True)
