"""Outbox delivery: claim due rows, hand them to the channel's transport, record the outcome.

Retries back off exponentially; after the budget a message is marked failed, which admins see in
`/healthz`. A message for a platform with no transport configured waits and is retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.clock import Clock
from bot.events import OutboundMessage
from bot.transport.base import Transport, TransportError
from storage import outbox_store
from storage.db import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def backoff(attempt: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempt - 1, 0), 3600))


class OutboxWorker:
    def __init__(self, db: Database, clock: Clock, transports: dict[str, Transport]) -> None:
        self.db, self.clock, self.transports = db, clock, transports
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was queued: deliver now rather than at the next poll."""
        self._wake.set()

    async def flush(self) -> int:
        """Deliver everything due now; returns how many were sent. Each claimed message is either
        sent or pushed to a later attempt, so the loop ends."""
        sent = 0
        while True:
            async with self.db.transaction() as session:
                batch = await outbox_store.claim_due(session, self.clock.now())
            if not batch:
                return sent
            for message in batch:
                if await self._deliver(message):
                    sent += 1

    async def _deliver(self, message: OutboundMessage) -> bool:
        assert message.id is not None
        transport = self.transports.get(message.platform)
        if transport is None:
            await self._failed(message, f"no transport configured for {message.platform}", True)
            return False
        try:
            await transport.send(message)
        except TransportError as exc:
            await self._failed(message, str(exc), exc.retryable)
            return False
        except Exception as exc:  # a bug in one transport must not stop the others
            log.exception("transport %s crashed", message.platform)
            await self._failed(message, repr(exc), True)
            return False
        async with self.db.transaction() as session:
            await outbox_store.mark_sent(session, message.id, self.clock.now())
        return True

    async def _failed(self, message: OutboundMessage, error: str, retryable: bool) -> None:
        assert message.id is not None
        give_up = not retryable or message.attempts >= MAX_ATTEMPTS
        retry_at = None if give_up else self.clock.now() + backoff(message.attempts)
        async with self.db.transaction() as session:
            await outbox_store.mark_failed_attempt(session, message.id, error, retry_at)
        log.warning("outbox %s to %s: %s (%s)", message.id, message.platform, error,
                    "gave up" if give_up else f"retry at {retry_at:%H:%M:%S}")

    async def run(self, interval: float = 2.0) -> None:
        """Deliver until cancelled: on wake-up or every `interval` seconds."""
        while True:
            try:
                await self.flush()
            except Exception:
                log.exception("outbox flush failed; will retry")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
