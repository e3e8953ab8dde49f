"""Recovery while running: a message acknowledged by a process that died, or whose handling met a
database outage, is handled by a live process within seconds and never twice. Both backends; two
processes are two bots (each its own engine and lease) on one database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.dispatch import LEASE
from bot.events import InboundMessage
from bot.recovery import OWN_GRACE, Recovery
from bot.services.photos import Taken
from bot.transport.intake import Intake
from bot.transport.memory import MemoryTransport
from storage import inbound_store
from storage.models import InboundLog, InboundStatus, Outbox
from tests.conftest import Harness


def msg(msg_id: str, user: str = "resident-1", text: str = "帮助") -> InboundMessage:
    """A message with exactly one answer (帮助 in private; in a group it would be two: a pointer
    there and the answer in private)."""
    return InboundMessage(platform="demo", msg_id=msg_id, user_id=user, text=text, mentions_bot=True)


async def statuses(app: App) -> dict[str, str]:
    async with app.db.session() as session:
        return {r.msg_id: r.status for r in (await session.exec(select(InboundLog))).all()}


async def replies(app: App) -> int:
    async with app.db.session() as session:
        return (await session.exec(select(func.count()).select_from(Outbox)
                                   .where(col(Outbox.inbound_id).is_not(None)))).one()


async def sweep_and_wait(recovery: Recovery) -> list[int]:
    ids = await recovery.sweep()
    while recovery._tasks:
        await asyncio.gather(*list(recovery._tasks))
    return ids


@pytest.fixture
async def second(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    """Another bot process on the same database (own engine, own lease), same clock."""
    app = await build_app(settings, clock, {"demo": MemoryTransport("demo")}, people_platform="demo")
    try:
        yield app
    finally:
        await app.close()


async def test_a_dead_process_rows_are_taken_over_once_its_lease_runs_out(
    harness: Harness, second: App
) -> None:
    dead = second.dispatcher
    for i in range(3):  # recorded (acknowledged) by the other process, which then died
        assert await dead.record(msg(f"d{i}", user=f"resident-{i}")) is not None
    live = Recovery(harness.app.dispatcher)
    assert await sweep_and_wait(live) == []  # its lease is still running: it may be handling them
    harness.clock.advance(LEASE + timedelta(seconds=1))
    assert len(await sweep_and_wait(live)) == 3
    assert set((await statuses(harness.app)).values()) == {InboundStatus.done}
    assert len(await harness.delivered()) == 3
    assert await sweep_and_wait(live) == []


async def test_a_live_process_keeps_its_queued_rows_by_renewing_the_lease(
    harness: Harness, second: App
) -> None:
    busy = second.dispatcher
    assert await busy.record(msg("q1")) is not None  # queued there, not handled yet
    other = Recovery(harness.app.dispatcher)
    for _ in range(8):  # a minute: it renews every few seconds, the other never takes the row
        harness.clock.advance(LEASE / 2)
        async with busy.db.transaction() as session:
            await inbound_store.renew_leases(session, busy.lease, now=harness.clock.now())
        assert await sweep_and_wait(other) == []
    assert (await statuses(harness.app))["q1"] == InboundStatus.received
    harness.clock.advance(LEASE + timedelta(seconds=1))  # then it stops renewing (it died)
    assert len(await sweep_and_wait(other)) == 1


async def test_a_message_whose_handling_met_an_outage_is_handled_when_the_database_is_back(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher = harness.app.dispatcher
    real = dispatcher._handle
    down = True

    async def handle(inbound_id: int, message: InboundMessage, taken: Taken | None = None) -> None:
        if down:
            raise ConnectionRefusedError("database unreachable")
        await real(inbound_id, message, taken)

    monkeypatch.setattr(dispatcher, "_handle", handle)
    intake = Intake(dispatcher)
    assert isinstance(await intake.accept(msg("o1")), int)  # acknowledged
    await intake.drain()
    # not marked failed, no apology: it is simply still to be handled
    assert (await statuses(harness.app))["o1"] == InboundStatus.received
    assert await replies(harness.app) == 0
    down = False
    recovery = Recovery(dispatcher)
    assert await sweep_and_wait(recovery) == []  # too fresh: might be its recording task's
    harness.clock.advance(OWN_GRACE + timedelta(seconds=1))
    assert len(await sweep_and_wait(recovery)) == 1  # no restart, no lease to wait for
    assert (await statuses(harness.app))["o1"] == InboundStatus.done
    [reply] = await harness.delivered()
    assert "帮助" in reply.text


async def test_two_processes_sweeping_at_once_take_disjoint_rows_and_handle_each_once(
    harness: Harness, second: App, settings: Settings, clock: FakeClock
) -> None:
    third = await build_app(settings, clock, {"demo": MemoryTransport("demo")}, people_platform="demo")
    try:
        for i in range(40):
            await third.dispatcher.record(msg(f"t{i}", user=f"resident-{i % 7}"))
    finally:
        await third.close()  # the process that acknowledged them is gone
    clock.advance(LEASE + timedelta(seconds=1))
    a, b = Recovery(harness.app.dispatcher), Recovery(second.dispatcher)
    taken_a, taken_b = await asyncio.gather(sweep_and_wait(a), sweep_and_wait(b))
    assert not set(taken_a) & set(taken_b)
    assert len(taken_a) + len(taken_b) == 40
    assert set((await statuses(harness.app)).values()) == {InboundStatus.done}
    assert await replies(harness.app) == 40  # one answer each, not two


async def test_recovery_at_start_up_leaves_rows_a_live_process_holds(harness: Harness, second: App) -> None:
    assert await second.dispatcher.record(msg("held")) is not None
    assert await harness.app.dispatcher.record(msg("mine")) is not None
    assert await harness.app.dispatcher.recover() == 1
    assert await statuses(harness.app) == {"held": InboundStatus.received, "mine": InboundStatus.done}


async def test_rows_of_a_process_on_this_host_that_is_gone_are_taken_at_once(harness: Harness) -> None:
    import os
    import socket
    import sys

    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()  # a pid that no longer runs: the process that recorded the row was killed
    dispatcher = harness.app.dispatcher
    dead_lease = inbound_store.Lease(f"{socket.gethostname()[:40]}:{gone.pid}:deadbeef", LEASE)
    alive_lease = inbound_store.Lease(f"{socket.gethostname()[:40]}:{os.getppid()}:cafe0001", LEASE)
    elsewhere = inbound_store.Lease(f"another-host:{gone.pid}:00000001", LEASE)
    for name, lease in (("dead", dead_lease), ("alive", alive_lease), ("elsewhere", elsewhere)):
        dispatcher.recorder.lease = lease
        assert await dispatcher.record(msg(name, user=f"resident-{name}")) is not None
    dispatcher.recorder.lease = dispatcher.lease
    assert await dispatcher.recover() == 1  # no waiting for the dead one's lease; the others may be alive
    assert await statuses(harness.app) == {"dead": InboundStatus.done, "alive": InboundStatus.received,
                                           "elsewhere": InboundStatus.received}


async def test_a_free_worker_slot_goes_to_the_oldest_waiting_message() -> None:
    from bot.dispatch import Workers

    slots, order = Workers(1), []
    release = asyncio.Event()

    async def handle(inbound_id: int) -> None:
        async with slots.turn(oldest=inbound_id):
            order.append(inbound_id)
            await release.wait()

    first = asyncio.create_task(handle(50))  # holds the only slot
    await asyncio.sleep(0)
    burst = [asyncio.create_task(handle(i)) for i in (51, 52, 53)]  # the burst after a reconnect…
    await asyncio.sleep(0)
    taken_over = asyncio.create_task(handle(7))  # …then a message taken over from before the outage
    await asyncio.sleep(0)
    cancelled = asyncio.create_task(handle(3))
    await asyncio.sleep(0)
    cancelled.cancel()
    release.set()
    await asyncio.gather(first, *burst, taken_over, cancelled, return_exceptions=True)
    assert order == [50, 7, 51, 52, 53]


async def test_a_slot_granted_to_a_cancelled_waiter_is_passed_on() -> None:
    from bot.dispatch import Workers

    slots = Workers(1)
    async with slots.turn(oldest=1):
        waiter = asyncio.create_task(slots.turn(oldest=2).__aenter__())
        await asyncio.sleep(0)
    waiter.cancel()  # granted on release, cancelled before it could run
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    async with asyncio.timeout(1), slots.turn(oldest=3):
        pass  # the slot was not lost
