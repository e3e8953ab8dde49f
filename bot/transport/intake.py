"""Acknowledge first, handle in the background: the shared inbound path of every channel.

`accept` records the message (the inbound log's unique (platform, sender, msg_id) drops a retry), which is
the point after which nothing can be lost, then hands processing to a background task and returns
at once, so a callback is answered well inside WeChat's 5 s whatever the handlers do. Concurrent
callbacks share one commit (the dispatcher's recorder), and the background tasks run a few at a
time, so a burst is acknowledged at the speed of the inbound log and handled after. A message
whose task dies (with the process, or in a database outage) is still `received`, and a live
process takes it over within seconds (`bot.recovery`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from aiohttp import web

from bot.dispatch import Dispatcher
from bot.events import InboundMessage
from bot.services.passive import PassiveAnswer, PassiveReplies
from bot.transport import limits

log = logging.getLogger(__name__)


class Intake:
    def __init__(self, dispatcher: Dispatcher, wake: Callable[[], None] = lambda: None,
                 replies: PassiveReplies | None = None) -> None:
        self.dispatcher, self.wake = dispatcher, wake
        self.replies = replies or PassiveReplies(dispatcher.db, dispatcher.clock)
        self._tasks: set[asyncio.Task[None]] = set()  # handling, and recording passive answers written
        self.by_inbound: dict[int, asyncio.Task[None]] = {}

    async def accept(self, message: InboundMessage, *, wake: bool = True) -> int | None:
        """Record and start processing; the inbound id, or None for a duplicate. With `wake` False
        the outbox is not nudged when the handlers finish (the caller answers passively first).
        BadInput if the message breaks a door rule (bot.transport.limits: every channel checks
        while parsing; this is the net under them, so nothing unfit reaches the inbound log)."""
        message = limits.checked(message)
        recorded = self.dispatcher.submit(message)
        # Processing starts from the future, not from this coroutine: a callback cancelled (client
        # gone) after its message was committed still has it handled now, not at the next start.
        recorded.add_done_callback(lambda future: self._start(future, message, wake))
        return await asyncio.shield(recorded)

    def _start(self, recorded: asyncio.Future[int | None], message: InboundMessage, wake: bool) -> None:
        if recorded.cancelled() or recorded.exception() is not None:
            return  # not recorded: the caller got the error and did not acknowledge
        inbound_id = recorded.result()
        if inbound_id is None:
            log.info("duplicate %s message %s ignored", message.platform, message.msg_id)
            return
        task = asyncio.create_task(self._process(inbound_id, message, wake), name=f"inbound-{inbound_id}")
        self._tasks.add(task)
        self.by_inbound[inbound_id] = task
        task.add_done_callback(lambda t: (self._tasks.discard(t), self.by_inbound.pop(inbound_id, None)))

    async def _process(self, inbound_id: int, message: InboundMessage, wake: bool) -> None:
        try:
            await self.dispatcher.process(inbound_id, message)
        except Exception as exc:  # process() answers handler errors itself; this is a DB outage
            log.warning("inbound %s could not be handled now (%s); recovery takes it over when the database "
                        "is back", inbound_id, type(exc).__name__)
        finally:
            if wake:
                self.wake()

    async def passive_answer(
        self, inbound_id: int | None, message: InboundMessage, *, deadline: float, max_bytes: int
    ) -> PassiveAnswer | None:
        """For a channel that may carry a message's replies in the answer to its own callback
        (公众号, smart robot): wait for the handlers until `deadline` (loop time, counted from the
        callback's arrival, since the answer must reach WeChat within its 5 s) and take the
        replies. `inbound_id` None means the callback is a retry (a duplicate): the platform did not
        get the first answer, so this one carries the same replies again. None if the handlers did
        not finish in time (the outbox is woken when they do), there is nothing to say or the
        database failed; what the answer does not carry goes by the outbox. The caller accepted
        the message with `wake=False` and reports with `written` whether the answer went out."""
        loop = asyncio.get_running_loop()
        again = inbound_id is None
        try:
            if inbound_id is None:
                inbound_id = await self.replies.recorded_id(message)
                if inbound_id is None:
                    return None
            task = self.by_inbound.get(inbound_id)
            if task is not None:
                await asyncio.wait([task], timeout=max(deadline - loop.time(), 0))
                if not task.done():
                    task.add_done_callback(lambda _: self.wake())
                    return None
            if loop.time() > deadline:  # recording alone used up the time
                return None
            return await self.replies.take(inbound_id, message, max_bytes=max_bytes, again=again)
        except Exception:  # the database is down: the replies stay in the outbox
            log.exception("%s: replies of message %s left to the outbox", message.platform, message.msg_id)
            return None
        finally:
            self.wake()

    async def respond(self, request: web.Request, response: web.Response, answer: PassiveAnswer | None) -> web.Response:
        """Write a callback's answer; the replies it carries count as delivered only once it was
        written (if the platform had stopped waiting, the outbox sends them at once instead). The
        outcome is recorded by a task registered before the answer goes out, so `drain` waits
        for it."""
        if answer is None:
            return response
        written: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._record(answer, written), name="passive-answer")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            await response.prepare(request)
            await response.write_eof()
        except (ConnectionError, RuntimeError) as exc:  # the client is gone: aiohttp cannot write
            log.info("passive answer not written (%s): the outbox sends it", type(exc).__name__)
            written.set_result(False)
            raise
        except BaseException:
            written.set_result(False)
            raise
        written.set_result(True)
        return response

    async def _record(self, answer: PassiveAnswer, written: asyncio.Future[bool]) -> None:
        try:
            if await written:
                await self.replies.written(answer)
            else:
                await self.replies.not_written(answer)
                self.wake()
        except Exception:  # not recorded: after its hold the outbox sends the replies (again, if written)
            log.exception("the outcome of a passive answer was not recorded")

    async def drain(self) -> None:
        """Wait for every message accepted so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace: float = 5.0) -> None:
        """Shutdown: give running handlers `grace` seconds, then cancel (they are recovered later)."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(list(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
