"""The outbox under load: urgent first, no destination or platform holding up another, leases
that neither expire under a slow send nor let a message go out twice, merged notices."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import select

from bot.delivery import OutboxWorker
from bot.domain.health import Thresholds, assess
from bot.events import NORMAL, URGENT, InboundMessage, OutboundKind, OutboundMessage
from bot.services import health
from bot.services.passive import HOLD, PassiveReplies
from bot.transport.base import RateLimited, TransportError
from bot.transport.memory import MemoryTransport
from storage import outbox_store
from storage.models import Outbox, OutboxStatus
from tests.conftest import Harness

GROUP, WORKER = "demo-baxianlou-1", "gw-baxianlou-1"


def notice(text: str, user: str = "u1", *, platform: str = "demo", priority: int = NORMAL) -> OutboundMessage:
    return OutboundMessage(platform=platform, kind=OutboundKind.notice, text=text, user_id=user, priority=priority)


async def queue(h: Harness, *messages: OutboundMessage) -> None:
    async with h.app.db.transaction() as s:
        for m in messages:
            await outbox_store.enqueue(s, m, now=h.clock.now())


async def rows(h: Harness) -> list[Outbox]:
    async with h.app.db.session() as s:
        return list((await s.exec(select(Outbox).order_by(Outbox.id))).all())  # type: ignore[arg-type]


async def until(check: Callable[[], bool], within: float = 2.0) -> None:
    """Wait (at most `within` s) for what background senders do."""
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 - polls state the senders change, which no event reports
            await asyncio.sleep(0.01)


class Gate(MemoryTransport):
    """A transport whose sends wait until the test opens the gate (a slow or hanging API)."""

    def __init__(self, platform: str) -> None:
        super().__init__(platform)
        self.open = asyncio.Event()
        self.started: list[str] = []

    async def send(self, message: OutboundMessage) -> None:
        self.started.append(message.text)
        await self.open.wait()
        await super().send(message)


class Limited(MemoryTransport):
    """At most `limit` sends per destination, then RateLimited (like WeCom's per-member limit)."""

    def __init__(self, platform: str, limit: int, reserve: int = 0) -> None:
        super().__init__(platform)
        self.limit, self.reserve = limit, reserve
        self.count: dict[str, int] = {}
        self.refusals = 0

    async def send(self, message: OutboundMessage) -> None:
        key = message.user_id or ""
        allowed = self.limit if message.urgent else self.limit - self.reserve
        if self.count.get(key, 0) >= allowed:
            self.refusals += 1
            raise RateLimited(f"no slot for {key}", retry_after=60)
        self.count[key] = self.count.get(key, 0) + 1
        await super().send(message)


async def test_an_urgent_message_is_claimed_before_a_thousand_older_ones(harness: Harness) -> None:
    await queue(harness, *[notice(f"n{i}", f"u{i % 7}") for i in range(1000)])
    await queue(harness, notice("fire", "secretary", priority=URGENT))
    worker = OutboxWorker(harness.app.db, harness.clock, {"demo": harness.transports["demo"]}, batch=50)
    assert await worker.claim() == 50
    await worker.idle()
    sent = [m.text for m in harness.transports["demo"].pop()]
    assert sent[0] == "fire" and len(sent) == 50


async def test_a_recipient_without_a_slot_holds_up_nobody_and_loses_nothing(harness: Harness) -> None:
    limited = Limited("demo", limit=5, reserve=1)
    worker = OutboxWorker(harness.app.db, harness.clock, {"demo": limited})
    await queue(harness, *[notice(f"flood {i}", "busy") for i in range(20)])
    await queue(harness, notice("for someone else", "quiet"))
    assert await worker.flush() == 5  # 4 for "busy" (one slot kept for urgent), 1 for "quiet"
    assert [m.text for m in limited.sent if m.user_id == "quiet"] == ["for someone else"]
    assert limited.refusals == 1  # the rest of "busy" waited in the outbox, not in a retry loop
    waiting = [r for r in await rows(harness) if r.status == OutboxStatus.pending]
    assert len(waiting) == 16
    assert all(r.attempts == 0 and r.claimed_by is None for r in waiting)  # no attempt counted
    assert {r.next_attempt_at for r in waiting} == {harness.clock.now() + timedelta(seconds=60)}
    await queue(harness, notice("P0 fire", "busy", priority=URGENT))
    assert await worker.flush() == 1  # the reserved slot: urgent goes at once
    assert limited.sent[-1].text == "P0 fire"
    harness.clock.advance(timedelta(seconds=61))
    limited.count.clear()  # a minute later the window is free again
    assert await worker.flush() == 4
    assert [m.text for m in limited.sent[-4:]] == ["flood 4", "flood 5", "flood 6", "flood 7"]  # in order


async def test_one_platforms_outage_does_not_delay_another(harness: Harness) -> None:
    hanging, bridge = Gate("wecom_app"), MemoryTransport("bridge")
    worker = OutboxWorker(harness.app.db, harness.clock, {"wecom_app": hanging, "bridge": bridge})
    await queue(harness, *[notice(f"app {i}", f"m{i}", platform="wecom_app") for i in range(30)])
    await queue(harness, OutboundMessage(platform="bridge", kind=OutboundKind.reply, text="to the group",
                                         chat_id="g1"))
    running = asyncio.create_task(worker.run(interval=0.05))
    try:
        await until(lambda: bool(bridge.sent))
        assert len(hanging.started) == 3  # its own slots, minus the one kept for urgent
        await queue(harness, notice("P0", "secretary", platform="wecom_app", priority=URGENT))
        worker.wake()
        await until(lambda: "P0" in hanging.started)  # the urgent slot, even while the others hang
        hanging.open.set()
        await until(lambda: len(hanging.sent) == 31, within=5)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert len({m.id for m in hanging.sent}) == 31


async def test_a_lease_is_renewed_while_a_slow_send_lasts(harness: Harness) -> None:
    """Two processes, an API slower than the lease: the second never takes the message in flight."""
    slow, other = Gate("demo"), MemoryTransport("demo")
    lease = timedelta(seconds=0.3)
    first = OutboxWorker(harness.app.db, harness.clock, {"demo": slow}, lease=lease)
    second = OutboxWorker(harness.app.db, harness.clock, {"demo": other}, lease=lease)
    await queue(harness, notice("slow one"))
    sending = asyncio.create_task(first.flush())
    await until(lambda: bool(slow.started))
    for _ in range(6):  # 1.2 s of lease time pass, four leases
        harness.clock.advance(timedelta(seconds=0.2))
        await asyncio.sleep(0.15)  # the renewal runs every 0.1 s of real time
        assert await second.flush() == 0
    slow.open.set()
    assert await sending == 1
    assert [m.text for m in slow.sent] == ["slow one"] and other.sent == []
    assert [(r.status, r.attempts) for r in await rows(harness)] == [(OutboxStatus.sent, 1)]


async def test_a_message_whose_lease_was_lost_is_not_sent_again(harness: Harness) -> None:
    """A sender stalled past its lease (no renewal reached the database): another took its messages
    over and sent them; the stalled one, waking up, finishes only the send it was in the middle of
    (WeCom's duplicate check absorbs that one) and does not send the waiting one too."""
    now = [0.0]
    slow, other = Gate("demo"), MemoryTransport("demo")
    stalled = OutboxWorker(harness.app.db, harness.clock, {"demo": slow}, monotonic=lambda: now[0])
    second = OutboxWorker(harness.app.db, harness.clock, {"demo": other})
    await queue(harness, notice("first"), notice("second"))  # one destination: one after the other
    sending = asyncio.create_task(stalled.flush())
    await until(lambda: bool(slow.started))
    harness.clock.advance(outbox_store.CLAIM_LEASE + timedelta(seconds=1))
    now[0] += outbox_store.CLAIM_LEASE.total_seconds()
    assert await second.flush() == 2
    assert [m.text for m in other.sent] == ["first", "second"]
    slow.open.set()
    assert await sending == 1
    assert [m.text for m in slow.sent] == ["first"]  # "second" was dropped: its lease was lost
    assert [r.status for r in await rows(harness)] == [OutboxStatus.sent, OutboxStatus.sent]


async def test_an_outcome_is_written_only_under_the_lease_that_sent(harness: Harness) -> None:
    await queue(harness, notice("x"))
    async with harness.app.db.transaction() as s:
        [old] = await outbox_store.claim_due(s, harness.clock.now(), token="dead")
    harness.clock.advance(outbox_store.CLAIM_LEASE + timedelta(seconds=1))
    async with harness.app.db.transaction() as s:
        [new] = await outbox_store.claim_due(s, harness.clock.now(), token="alive")
    assert old.id == new.id
    async with harness.app.db.transaction() as s:
        assert not await outbox_store.mark_sent(s, old.id, harness.clock.now(), "dead")  # type: ignore[arg-type]
        assert await outbox_store.renew(s, [(old.id, "dead")], harness.clock.now()) == {old.id}  # type: ignore[list-item]
        assert await outbox_store.mark_sent(s, new.id, harness.clock.now(), "alive")  # type: ignore[arg-type]


# ---------------------------------------------------------------- end to end through the pipeline


async def test_a_p0_report_and_everything_it_causes_is_urgent(harness: Harness) -> None:
    out = await harness.say("resident-a", "3号楼2单元着火了，楼道里全是烟", chat=GROUP)
    assert [(m.kind, m.user_id, m.chat_id, m.text[:20]) for m in out if not m.urgent] == []
    assert {m.user_id for m in out if m.kind == OutboundKind.notice} >= {WORKER}
    assert any("119" in m.text for m in out if m.kind == OutboundKind.reply)
    later = await harness.say("resident-b", "5号楼门口的路灯坏了好几天了", chat=GROUP)
    assert later and not any(m.urgent for m in later)


async def test_forty_residents_one_outage_one_updated_notice_a_minute(harness: Harness) -> None:
    first = await harness.say("resident-0", "8号楼停水了，一滴水都没有", chat=GROUP)
    ticket = first[0].ticket
    sent_to_worker: list[str] = []
    for i in range(1, 40):
        out = await harness.say(f"resident-{i}", f"8号楼停水了，什么时候来水？({i})", chat=GROUP)
        assert [m.ticket for m in out if m.kind == OutboundKind.reply] == [ticket]  # each reporter is answered
        sent_to_worker += [m.text for m in out if m.user_id == WORKER and m.kind == OutboundKind.notice]
        harness.clock.advance(timedelta(seconds=1))
    assert len(sent_to_worker) == 1  # the first "another report", then one held for the minute
    harness.clock.advance(timedelta(minutes=1))
    late = [m.text for m in await harness.delivered() if m.user_id == WORKER]
    assert len(late) == 1 and "40" in late[0] and "(39)" in late[0]  # the count and the newest words
    merged = [r for r in await rows(harness) if r.merge_key and WORKER in r.merge_key]
    assert len(merged) == 2 and all(r.status == OutboxStatus.sent for r in merged)
    gap = merged[1].sent_at - merged[0].sent_at  # type: ignore[operator]
    assert gap >= timedelta(minutes=1)


# ---------------------------------------------------------------- passive answers


async def test_a_passive_answer_counts_only_once_written_and_its_hold_brings_it_back(harness: Harness) -> None:
    """Taken for a callback's answer, a reply is not delivered yet: if the process dies before the
    answer is written, the outbox sends it after the hold; written, it is never sent again."""
    message = InboundMessage(platform="mp", msg_id="w1", user_id="o-1", text="帮助")
    inbound_id = await harness.app.dispatcher.record(message)
    assert inbound_id is not None
    async with harness.app.db.transaction() as s:
        await outbox_store.enqueue(s, OutboundMessage(platform="mp", kind=OutboundKind.reply, text="答复",
                                                      user_id="o-1"), now=harness.clock.now(), inbound_id=inbound_id)
    replies = PassiveReplies(harness.app.db, harness.clock)
    answer = await replies.take(inbound_id, message, max_bytes=2048)
    assert answer is not None and answer.texts == ["答复"]
    assert await harness.app.outbox.flush() == 0  # held for the answer
    assert await replies.take(inbound_id, message, max_bytes=2048) is None  # and not taken twice
    again = await replies.take(inbound_id, message, max_bytes=2048, again=True)  # but a retry gets it
    assert again is not None and again.texts == ["答复"]
    harness.clock.advance(HOLD + timedelta(seconds=1))  # the process died before writing
    assert await harness.app.outbox.flush() == 1
    await replies.written(again)  # too late: the outbox has it; nothing changes
    [row] = await rows(harness)
    assert row.status == OutboxStatus.sent and not (row.claimed_by or "").startswith("passive:")


async def test_a_merged_notice_held_up_by_a_rate_limit_delays_the_next_one(harness: Harness) -> None:
    """At most one notice per key and window, counted from when one really went out."""
    window = timedelta(minutes=1)

    async def merged(text: str) -> None:
        async with harness.app.db.transaction() as s:
            await outbox_store.enqueue(s, notice(text, "gw"), now=harness.clock.now(), merge_key="joined|T1|gw",
                                       merge_window=window)

    async def claim() -> list[str]:
        async with harness.app.db.transaction() as s:
            return [m.text for m in await outbox_store.claim_due(s, harness.clock.now(), token="t")]

    await merged("共2人反映")
    async with harness.app.db.transaction() as s:
        [first] = await outbox_store.claim_due(s, harness.clock.now(), token="t")
    await merged("共3人反映")  # the first is on its way: this one waits
    await merged("共4人反映")  # and takes in the next
    async with harness.app.db.transaction() as s:  # no slot for the member: back for 50 s
        await outbox_store.put_back(s, [(first.id, "t")], harness.clock.now() + timedelta(seconds=50))  # type: ignore[list-item]
    harness.clock.advance(timedelta(seconds=50))
    assert await claim() == ["共2人反映"]
    async with harness.app.db.transaction() as s:
        await outbox_store.mark_sent(s, first.id, harness.clock.now(), "t")  # type: ignore[arg-type]
    harness.clock.advance(timedelta(seconds=10))  # the second's own hold is over, the window is not
    assert await claim() == []
    harness.clock.advance(timedelta(seconds=50))
    assert await claim() == ["共4人反映"]
    assert [r.text for r in await rows(harness)] == ["共2人反映", "共4人反映"]


async def test_health_takes_a_rate_limited_destination_for_waiting_and_a_failing_api_for_failing(
        harness: Harness) -> None:
    """A destination without a slot is put back, not failed: /healthz must not report its channel
    as failing (the API works, it only says "later"), while the same messages refused by a broken
    API are."""
    async def channels_failing() -> frozenset[str]:
        snapshot = await health.read(harness.app.db)
        return assess(snapshot, harness.clock.now(), Thresholds()).failing_channels

    limited = Limited("demo", limit=0)
    await queue(harness, *[notice(f"flood {i}", "busy") for i in range(5)])
    for _ in range(8):  # eight minutes without a slot for this person
        await OutboxWorker(harness.app.db, harness.clock, {"demo": limited}).flush()
        harness.clock.advance(timedelta(seconds=61))
    assert limited.refusals == 8 and not limited.sent
    assert await channels_failing() == frozenset()

    broken = MemoryTransport("demo")
    broken.fail_next = [TransportError("HTTP 502", retryable=True) for _ in range(5)]
    await OutboxWorker(harness.app.db, harness.clock, {"demo": broken}).flush()
    assert not broken.fail_next and not broken.sent
    harness.clock.advance(timedelta(minutes=6))
    assert await channels_failing() == {"demo"}
