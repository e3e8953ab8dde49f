"""Recovery while running: no acknowledged message waits for a restart.

A message is acknowledged once it is in the inbound log; its handling then runs in the recording
process. That process may die (`kill -9`, a crash) or lose the database half-way (an outage fails
the handling and leaves the row `received`). Every live process therefore runs `Recovery`: every
few seconds it renews the lease on the rows it still has queued, and takes over rows that no live
process is handling — a lease that ran out (its process is gone), a lease of a process on this
host that no longer exists (taken at once), or one of its own rows whose task died (the outage
case), a few seconds old so that a row just recorded is left to the task about to handle it. A
row is handled at most once whatever the race: handling re-reads the row under a row lock
(PostgreSQL) or in SQLite's single writer and skips it when done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from bot.dispatch import Dispatcher, dead_here
from storage import inbound_store

log = logging.getLogger(__name__)

INTERVAL = 3.0  # seconds between sweeps (and lease renewals: well inside the 15 s lease)
OWN_GRACE = timedelta(seconds=5)  # a row of ours younger than this is left to the task that recorded it
BATCH = 100  # rows taken over at once
MAX_QUEUED = 400  # no more are taken while this process already has this many queued


class Recovery:
    """The background sweep of one process (see the module's docstring). `wake` is called when
    a taken-over message has been handled (the outbox has its replies)."""

    def __init__(self, dispatcher: Dispatcher, wake: Callable[[], None] = lambda: None,
                 interval: float = INTERVAL) -> None:
        self.dispatcher, self.wake, self.interval = dispatcher, wake, interval
        self._tasks: set[asyncio.Task[None]] = set()

    async def sweep(self) -> list[int]:
        """Renew this process's leases and take over what nobody handles; the ids taken (their
        handling runs in background tasks). Raises if the database cannot be reached."""
        dispatcher = self.dispatcher
        now = dispatcher.clock.now()
        # A worker's turn (SQLite: the in-process write lock), so the sweep never makes a callback's
        # recording wait in SQLite's busy handler.
        async with dispatcher.turns.processing(), dispatcher.db.transaction() as session:
            await inbound_store.renew_leases(session, dispatcher.lease, now=now)
            queued = dispatcher.inflight
            if len(queued) >= MAX_QUEUED:
                return []
            dead = dead_here(await inbound_store.other_holders(session, dispatcher.lease, now=now))
            ids = await inbound_store.claim_unhandled(
                session, dispatcher.lease, now=now, own_grace=OWN_GRACE, exclude=queued, dead=dead, limit=BATCH)
        if ids:
            log.info("taking over %d unhandled message(s)", len(ids))
        for inbound_id in ids:
            task = asyncio.create_task(self._handle(inbound_id), name=f"recover-{inbound_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return ids

    async def _handle(self, inbound_id: int) -> None:
        try:
            await self.dispatcher.process(inbound_id)
        except Exception as exc:
            log.warning("inbound %s still unhandled (%s); taken again at the next sweep", inbound_id,
                        type(exc).__name__)
        finally:
            self.wake()

    async def run(self) -> None:
        """Sweep every `interval` seconds until cancelled; an outage is logged when it starts (and
        when its kind of error changes) and when it ends, not at every sweep."""
        failing: str | None = None
        try:
            while True:
                try:
                    await self.sweep()
                    if failing is not None:
                        log.info("recovery sweep works again")
                    failing = None
                except Exception as exc:
                    kind = f"{type(exc).__name__} {getattr(getattr(exc, 'orig', None), 'sqlstate', '') or ''}".strip()
                    if kind != failing:
                        log.warning("recovery sweep failed (%s); retrying every %.0f s", kind, self.interval)
                    failing = kind
                await asyncio.sleep(self.interval)
        finally:
            for task in list(self._tasks):
                task.cancel()
            for task in list(self._tasks):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
