"""The outbox: nothing lost in an outage or a restart, nothing sent twice, failures visible."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.delivery import MAX_ATTEMPTS, OutboxWorker, backoff
from bot.events import OutboundKind, OutboundMessage
from bot.transport.base import TransportError
from bot.transport.memory import MemoryTransport
from storage import outbox_store
from storage.models import Outbox, OutboxStatus
from tests.conftest import Harness


def notice(text: str, user: str = "cadre-baxianlou") -> OutboundMessage:
    return OutboundMessage(platform="demo", kind=OutboundKind.notice, text=text, user_id=user)


async def queue(h: Harness, *messages: OutboundMessage) -> None:
    async with h.app.db.transaction() as s:
        for m in messages:
            await outbox_store.enqueue(s, m, now=h.clock.now())


async def statuses(h: Harness) -> list[tuple[str, str, int]]:
    async with h.app.db.session() as s:
        rows = (await s.exec(select(Outbox).order_by(Outbox.id))).all()
    return [(r.text, r.status, r.attempts) for r in rows]


async def test_an_outage_delays_but_does_not_lose(harness: Harness) -> None:
    demo = harness.transports["demo"]
    demo.fail_next = [TransportError("HTTP 503"), TransportError("HTTP 503")]
    await queue(harness, notice("a"))
    assert await harness.app.outbox.flush() == 0
    assert await statuses(harness) == [("a", OutboxStatus.pending, 1)]
    harness.clock.advance(backoff(1))
    assert await harness.app.outbox.flush() == 0  # second failure
    assert await harness.app.outbox.flush() == 0  # not due yet: backing off
    harness.clock.advance(backoff(2))
    assert await harness.app.outbox.flush() == 1
    assert [m.text for m in demo.pop()] == ["a"]
    assert await statuses(harness) == [("a", OutboxStatus.sent, 3)]
    assert await harness.app.outbox.flush() == 0  # and never again


async def test_a_restart_delivers_what_was_queued_exactly_once(harness: Harness) -> None:
    await queue(harness, notice("1"), notice("2"), notice("3"))
    fresh = MemoryTransport("demo")
    restarted = OutboxWorker(harness.app.db, harness.clock, {"demo": fresh})  # a new process
    assert await restarted.flush() == 3
    assert await harness.app.outbox.flush() == 0
    assert [m.text for m in fresh.sent] == ["1", "2", "3"]
    assert harness.transports["demo"].sent == []


async def test_a_sender_that_died_mid_send_is_retried_after_its_lease(harness: Harness) -> None:
    await queue(harness, notice("x"))
    async with harness.app.db.transaction() as s:
        claimed = await outbox_store.claim_due(s, harness.clock.now())  # then the process died
    assert [m.text for m in claimed] == ["x"]
    assert await harness.app.outbox.flush() == 0  # leased to the dead sender
    harness.clock.advance(outbox_store.CLAIM_LEASE + timedelta(seconds=1))
    assert await harness.app.outbox.flush() == 1


async def test_permanent_errors_and_spent_budgets_are_marked_failed(harness: Harness) -> None:
    demo = harness.transports["demo"]
    demo.fail_next = [TransportError("invalid user", retryable=False)]
    await queue(harness, notice("bad"))
    await harness.app.outbox.flush()
    demo.fail_next = [TransportError("HTTP 502")] * MAX_ATTEMPTS
    await queue(harness, notice("flaky"))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await harness.app.outbox.flush()
        harness.clock.advance(backoff(attempt))
    assert await statuses(harness) == [
        ("bad", OutboxStatus.failed, 1),
        ("flaky", OutboxStatus.failed, MAX_ATTEMPTS),
    ]
    async with harness.app.db.session() as s:
        assert await outbox_store.backlog(s) == {"failed": 2}


async def test_messages_for_a_channel_without_transport_wait(harness: Harness) -> None:
    del harness.app.outbox.transports["bridge"]
    await queue(harness, OutboundMessage(platform="bridge", kind="reply", text="hi", chat_id="g"))
    assert await harness.app.outbox.flush() == 0
    assert await statuses(harness) == [("hi", OutboxStatus.pending, 1)]


async def test_a_notice_is_queued_once_per_duty_period_and_person(harness: Harness) -> None:
    now = harness.clock.now()
    async with harness.app.db.transaction() as s:
        first = await outbox_store.enqueue_once(s, notice("r"), duty="monthly_report",
                                                period="2026-11", recipient="cadre-a", now=now)
        second = await outbox_store.enqueue_once(s, notice("r"), duty="monthly_report",
                                                 period="2026-11", recipient="cadre-a", now=now)
        other = await outbox_store.enqueue_once(s, notice("r"), duty="monthly_report",
                                                period="2026-12", recipient="cadre-a", now=now)
    assert (first, second, other) == (True, False, True)
    async with harness.app.db.transaction() as s:  # a second process, after a restart
        assert not await outbox_store.enqueue_once(s, notice("r"), duty="monthly_report",
                                                   period="2026-11", recipient="cadre-a", now=now)
        assert await outbox_store.already_sent(s, "monthly_report", "2026-11", "cadre-a")
    assert len(await statuses(harness)) == 2


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(30) == timedelta(hours=1)
