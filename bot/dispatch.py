"""Inbound pipeline: record (dedupe) → resolve sender and chat → handlers → outbox, in one
transaction per message. A retried message is recorded once; a crash leaves the message in the
inbound log to be processed again on start-up; a handler error is answered and kept for admins.

Recording is on every callback's critical path (it is acknowledged only once its message is
committed), so concurrent records share one transaction (`InboundRecorder`, group commit), and
processing, which is slow and CPU-heavy, runs on a few workers that give way to recording
(`WriteTurns`): a burst is acknowledged at the speed of the inbound log and handled after it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import heapq
import itertools
import logging
import os
import secrets
import socket
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.context import Context, Sender
from bot.domain.workdays import WorkCalendar
from bot.events import InboundMessage, MessageKind, OutboundKind, OutboundMessage
from bot.i18n import _, configured_locale, using
from bot.nlp.greeting import is_english
from bot.nlp.safety import names_danger
from bot.nlp.shape import Reading, read_shape
from bot.registry import Registry
from bot.services.languages import language_of
from bot.services.photos import PhotoDesk, Taken
from storage import inbound_store, outbox_store
from storage.db import Database
from storage.models import InboundLog, InboundStatus
from storage.roster_store import find_chat, find_member, find_private_place

log = logging.getLogger(__name__)

PROCESS_WORKERS = 4  # messages handled at once; more only queue for the database and the CPU
PATIENCE = 0.5  # seconds a received message gives way to recording before it takes its turn anyway
LINGER = 0.002  # seconds the recorder, after a batch of several, waits for more before giving way
LEASE = timedelta(seconds=15)  # a process's hold on the received rows it has queued, renewed every few seconds


class WriteTurns:
    """Recording before processing. A worker starts a transaction only while nothing is being
    recorded, or once its message is `patience` seconds old: a burst is acknowledged first and
    handled right after, and under a flood that never ends recording and processing take turns
    (processing is delayed by at most `patience`, never stopped). With `exclusive` (SQLite: one
    writer at a time) every write also takes an in-process lock, and only one worker at a time
    queues for it, so a record waits behind at most two processing transactions (the one in
    progress and the one next in line) instead of polling in SQLite's busy handler (sleeps of up
    to 100 ms) while workers keep taking the lock."""

    def __init__(self, *, exclusive: bool, patience: float = PATIENCE) -> None:
        self.patience = patience
        self._lock = asyncio.Lock() if exclusive else None
        self._line = asyncio.Lock() if exclusive else None  # the one worker waiting for the lock
        self._recording = False
        self._clear = asyncio.Event()
        self._clear.set()

    def recording(self, active: bool) -> None:
        """The recorder has messages waiting or in flight (True) or none (False)."""
        self._recording = active
        if active:
            self._clear.clear()
        else:
            self._clear.set()

    def write(self) -> AbstractAsyncContextManager[object]:
        """The recorder's turn for one batch."""
        return self._lock if self._lock is not None else nullcontext()

    def deadline(self) -> float:
        """When a message received now stops giving way to recording."""
        return asyncio.get_running_loop().time() + self.patience

    @asynccontextmanager
    async def processing(self, deadline: float | None = None) -> AsyncIterator[None]:
        """A worker's turn for one transaction (`deadline`: from `deadline()` when the message came)."""
        loop = asyncio.get_running_loop()
        deadline = self.deadline() if deadline is None else deadline
        async with self._line if self._line is not None else nullcontext():
            await self._take_turn(loop, deadline)
        try:
            yield
        finally:
            if self._lock is not None:
                self._lock.release()

    async def _take_turn(self, loop: asyncio.AbstractEventLoop, deadline: float) -> None:
        while True:
            if self._recording:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._clear.wait(), max(deadline - loop.time(), 0))
            if self._lock is not None:
                await self._lock.acquire()
            if not self._recording or loop.time() >= deadline:
                break
            if self._lock is not None:  # recording began while we queued: let it go first
                self._lock.release()


class Workers:
    """A few processing slots, and one more that only a message that may report an emergency may
    take; such a message also gets the next free slot before the others waiting. So a fire
    reported behind a flood of a thousand messages is handled (and its P0 notices queued) at once,
    not after the flood. Among equals the oldest message (`oldest`: its inbound id) goes first:
    after an outage or a restart the messages taken over are older than the burst the platform
    sends on reconnecting, and are handled before it."""

    def __init__(self, slots: int, urgent_extra: int = 1) -> None:
        self._free = slots
        self._extra = urgent_extra
        self._waiting: list[tuple[int, int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @asynccontextmanager
    async def turn(self, *, urgent: bool = False, oldest: int = 0) -> AsyncIterator[None]:
        floor = -self._extra if urgent else 0  # how far below zero free slots this message may go
        if self._free > floor and (urgent or not self._waiting):
            self._free -= 1
        else:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (0 if urgent else 1, oldest, next(self._order), future))
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self._release()  # handed the slot just as we were cancelled: pass it on
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._waiting:
            priority, _, _, future = self._waiting[0]
            if priority > 0 and self._free < 0:  # the urgent extra slot is not for ordinary messages
                break
            heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)  # the slot goes straight to the most urgent waiter
                return
        self._free += 1


class RecordingFailed(RuntimeError):
    """The database refused to record a message (the callback is not acknowledged: it is retried)."""


class InboundRecorder:
    """Group commit of inbound messages: every message waiting when a batch starts is inserted in
    one transaction, so under load a commit (and its fsync) is shared by many callbacks and
    batches grow by themselves; idle, a message is written alone at once. The flusher task lives
    only while there is something to write."""

    def __init__(
        self, db: Database, clock: Clock, turns: WriteTurns, linger: float = LINGER,
        lease: inbound_store.Lease | None = None,
    ) -> None:
        self.db, self.clock, self.turns, self.linger, self.lease = db, clock, turns, linger, lease
        self.writer = inbound_store.InboundWriter(db)
        self._pending: list[tuple[InboundMessage, asyncio.Future[int | None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()

    def submit(self, message: InboundMessage) -> asyncio.Future[int | None]:
        """A future for the message's inbound id (None: a duplicate), resolved once committed; an
        exception if the database refused this message."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._pending.append((message, future))
        self._arrived.set()
        if self._flusher is None:
            self.turns.recording(True)
            self._flusher = asyncio.create_task(self._flush(), name="inbound-recorder")
        return future

    async def close(self) -> None:
        """Shutdown: a batch in flight is cancelled (its callbacks were not acknowledged: WeChat
        retries them), then the writer's connection is given back."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.writer.close()

    async def _flush(self) -> None:
        batch: list[tuple[InboundMessage, asyncio.Future[int | None]]] = []
        try:
            while await self._more(len(batch)):
                batch, self._pending = self._pending[:inbound_store.MAX_ROWS], self._pending[inbound_store.MAX_ROWS:]
                await self._write(batch)
        finally:  # cancelled (shutdown): nobody may take an unwritten message as recorded
            self._flusher = None
            self.turns.recording(False)
            for _, future in batch + self._pending:
                future.cancel()  # a no-op for the futures already answered
            self._pending = []

    async def _write(self, batch: list[tuple[InboundMessage, asyncio.Future[int | None]]]) -> None:
        """Insert a batch and answer its futures. If the database refuses it, its messages are
        written one by one, so one row it refuses fails only its own callback, not its neighbours';
        if the database is out of reach, the whole batch fails at once (its callbacks are not
        acknowledged, so WeChat retries them)."""
        try:
            async with self.turns.write():
                ids = await self.writer.insert_new([m for m, _ in batch], now=self.clock.now(), lease=self.lease)
        except Exception as exc:
            if len(batch) > 1 and not inbound_store.is_outage(exc):
                for item in batch:
                    await self._write([item])
                return
            if len(batch) > 1:  # an outage: every message of the batch fails now, and WeChat retries
                for item in batch:
                    self._refuse(item, exc)
                return
            self._refuse(batch[0], exc)
            return
        for (_message, future), inbound_id in zip(batch, ids, strict=True):
            if not future.done():
                future.set_result(inbound_id)

    @staticmethod
    def _refuse(item: tuple[InboundMessage, asyncio.Future[int | None]], exc: Exception) -> None:
        """The driver's message may quote the row (a resident's words): the log and the caller get
        the kind of error and its SQLSTATE only."""
        reason = f"{type(exc).__name__} {getattr(exc, 'sqlstate', '') or ''}".strip()
        log.warning("recording inbound message %s failed: %s", item[0].msg_id, reason)
        if not item[1].done():
            item[1].set_exception(RecordingFailed(reason))

    async def _more(self, last_batch: int) -> bool:
        """Whether there is another batch. After a batch of several (a burst: the callbacks just
        answered are sending the next ones), wait `linger` for more before giving the turn to the
        workers; the wait delays no message, since one arriving is written at once."""
        if not self._pending and last_batch > 1 and self.linger > 0:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), self.linger)
        return bool(self._pending)


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
        self.turns = WriteTurns(exclusive=not db.is_postgres)  # SQLite has one writer at a time
        self._workers = Workers(PROCESS_WORKERS)
        # The rows this process records are leased to it; bot.recovery renews the lease while they
        # wait here and takes over any row whose lease ran out (its process died).
        self.lease = inbound_store.Lease(process_tag(), LEASE)
        self._inflight: dict[int, int] = {}  # inbound id → how many process() calls hold it
        self.recorder = InboundRecorder(db, clock, self.turns, lease=self.lease)
        self.photos: PhotoDesk | None = None  # set by the composition root (bot.app)

    @property
    def inflight(self) -> frozenset[int]:
        """The inbound rows this process is handling or has queued for handling right now."""
        return frozenset(self._inflight)

    async def receive(self, message: InboundMessage) -> bool:
        """Record and handle a message. False when it was a duplicate (already recorded)."""
        inbound_id = await self.record(message)
        if inbound_id is None:
            return False
        await self.process(inbound_id, message)
        return True

    async def record(self, message: InboundMessage) -> int | None:
        """Persist the message; None if (platform, user_id, msg_id) was seen before. This is the point
        after which a callback may be acknowledged: nothing can be lost any more."""
        return await self.recorder.submit(message)

    def submit(self, message: InboundMessage) -> asyncio.Future[int | None]:
        """`record` as a future, for a caller that must act on the result even if it is cancelled."""
        return self.recorder.submit(message)

    async def process(self, inbound_id: int, message: InboundMessage | None = None) -> None:
        """Handle a recorded message (given by a caller that has it, to save a read) once: in the
        order of arrival per session, on one of a few workers. A database outage is raised and the
        row stays `received` (bot.recovery takes it once the database is back); any other error
        marks it failed and the sender gets an apology."""
        self._inflight[inbound_id] = self._inflight.get(inbound_id, 0) + 1
        try:
            await self._process(inbound_id, message)
        finally:
            left = self._inflight.pop(inbound_id) - 1
            if left:
                self._inflight[inbound_id] = left

    async def _process(self, inbound_id: int, message: InboundMessage | None) -> None:
        deadline = self.turns.deadline()
        if message is None:
            async with self.db.session() as session:
                row = await session.get(InboundLog, inbound_id)
            if row is None or row.status == InboundStatus.done:
                return
            message = _to_message(row)
        lock = self._locks.setdefault(message.session_key, asyncio.Lock())
        # The session's lock first: a worker is never held by a message waiting for its turn.
        async with lock, self._workers.turn(urgent=names_danger(message.text), oldest=inbound_id):
            try:
                # a picture is fetched and stored before the transaction: no network wait holds a write lock
                taken = await self.photos.take(message) if self.photos is not None and message.media else None
                async with self.turns.processing(deadline):
                    await self._handle(inbound_id, message, taken)
            except Exception as exc:
                if inbound_store.is_outage(exc):
                    raise
                log.exception("message %s/%s failed", message.platform, message.msg_id)
                async with self.turns.processing(deadline):
                    await self._fail(inbound_id, message, exc)

    async def _handle(self, inbound_id: int, message: InboundMessage, taken: Taken | None = None) -> None:
        async with self.db.transaction() as session:
            query = select(InboundLog).where(InboundLog.id == inbound_id)
            if self.db.is_postgres:
                query = query.with_for_update()
            row = (await session.exec(query)).one()
            if row.status == InboundStatus.done:
                return  # another worker finished it while we waited
            message, reading = self.normalise(message)
            row.shape, row.shape_detail, row.addressed = reading.shape, reading.detail, reading.addressed
            member = await find_member(session, message.user_id, message.platform)
            place = (
                await find_chat(session, message.platform, message.chat_id)
                if message.chat_id
                else await find_private_place(session, message.platform, message.user_id)
            )
            ctx = Context(
                session=session, message=message, inbound_id=inbound_id,
                sender=Sender(message.user_id, message.user_name, member), place=place,
                clock=self.clock, settings=self.settings, calendar=self.calendar,
                people_platform=self.people_platform, reading=reading, photos=self.photos, taken=taken,
            )
            if taken is not None and taken.prepared is not None and self.photos is not None:
                ctx.photo = await self.photos.keep(ctx.work(), message, taken.prepared)
            if message.media is not None and message.media.source == "data":
                row.media = None  # a picture sent as its bytes: kept once (in the media store), not in the log
            with using(await _sender_language(session, message)):
                await self.registry.dispatch(ctx)
            row.status, row.processed_at = InboundStatus.done, self.clock.now()
            row.attempts += 1
            session.add(row)

    def normalise(self, message: InboundMessage) -> tuple[InboundMessage, Reading]:
        """The message as commands and the parser read it: its new words (a quote stripped, a
        leading @<bot_name> taken off), addressed to the bot when it opens with that mention
        whatever the gateway's flag said; and the reading itself (shape, quoted words)."""
        reading = read_shape(message.text, bot_name=self.settings.bot_name)
        if reading.text == message.text and not reading.addressed:
            return message, reading
        return dataclasses.replace(message, text=reading.text,
                                   mentions_bot=message.mentions_bot or reading.addressed), reading

    async def _fail(self, inbound_id: int, message: InboundMessage, exc: Exception) -> None:
        async with self.db.transaction() as session:
            row = await session.get(InboundLog, inbound_id)
            assert row is not None
            row.status, row.attempts = InboundStatus.failed, row.attempts + 1
            row.error = f"{type(exc).__name__}: {exc}"[:2000]
            session.add(row)
            with using(await _sender_language(session, message)):
                apology = _("Sorry, your message could not be handled just now. It has been kept "
                            "and staff will follow it up.")
            await outbox_store.enqueue(
                session,
                OutboundMessage(platform=message.platform, kind=OutboundKind.reply, text=apology,
                                chat_id=message.chat_id, user_id=message.user_id),
                now=self.clock.now(), inbound_id=inbound_id,
            )

    async def recover(self) -> int:
        """Handle, one after the other, every received row no live process is handling (start-up,
        replay, tests): never leased, lease run out, or this process's own; how many. The running
        process takes them over in the background instead (bot.recovery)."""
        total = 0
        while True:
            async with self.db.transaction() as session:
                now = self.clock.now()
                dead = dead_here(await inbound_store.other_holders(session, self.lease, now=now))
                ids = await inbound_store.claim_unhandled(
                    session, self.lease, now=now, own_grace=timedelta(0), exclude=self.inflight, dead=dead)
            if not ids:
                return total
            for inbound_id in ids:
                await self.process(inbound_id)
            total += len(ids)


def process_tag() -> str:
    """This process among all bot processes sharing the database: host, pid and a random tag (a
    restarted process with a reused pid is someone else)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def dead_here(owners: list[str]) -> list[str]:
    """The lease holders among `owners` that ran on this host and whose process is gone (a bot
    restarted after `kill -9` takes its predecessor's rows at once instead of waiting out the
    lease). A pid reused by another process only makes us wait for the lease, never take early."""
    host, dead = socket.gethostname()[:40], []
    for owner in owners:
        owner_host, _, rest = owner.rpartition(":")[0].rpartition(":")
        pid = rest if owner_host == host else ""
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(owner)
        except OSError:  # alive, someone else's: not ours to judge
            continue
    return dead


async def _sender_language(session: AsyncSession, message: InboundMessage) -> str:
    """The language answers to `message` are in: the sender's choice, or English when they write English
    (a recall's text is a message id, not words)."""
    if message.kind == MessageKind.text and is_english(message.text):
        return "en"
    return await language_of(session, message.user_id) or configured_locale()


def _to_message(row: InboundLog) -> InboundMessage:
    return InboundMessage(
        platform=row.platform, msg_id=row.msg_id, user_id=row.user_id, text=row.text,
        chat_id=row.chat_id, user_name=row.user_name, mentions_bot=row.mentions_bot, kind=row.kind,
        media=inbound_store.media_of(row),
    )
