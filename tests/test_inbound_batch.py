"""Group commit of inbound messages (the dispatcher's recorder) and the turns it shares with
processing: duplicates inside a batch and across batches give one row each, a failed batch is
acknowledged to nobody, and background processing keeps each session's order. Both backends."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlmodel import col, func, select

from bot.dispatch import RecordingFailed, Workers, WriteTurns
from bot.events import InboundMessage, MessageKind
from bot.nlp.safety import names_danger
from bot.services.photos import Taken
from bot.transport.intake import Intake
from bot.transport.wecom_app import WeComAppChannel
from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.xml import render_xml
from storage import inbound_store
from storage.models import InboundLog, InboundStatus
from tests.conftest import Harness

TOKEN, AES_KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwbatchcorp"


def msg(msg_id: str, user: str = "u1", text: str = "收到", platform: str = "demo") -> InboundMessage:
    return InboundMessage(platform=platform, msg_id=msg_id, user_id=user, text=text)


async def rows(harness: Harness) -> list[InboundLog]:
    async with harness.app.db.session() as session:
        return list((await session.exec(select(InboundLog).order_by(col(InboundLog.id)))).all())


async def test_duplicates_in_a_batch_and_across_batches_give_one_row_each(harness: Harness) -> None:
    recorder = harness.app.dispatcher.recorder
    # submitted in one go: one batch (the flusher has not run yet)
    first = [recorder.submit(m) for m in (msg("a"), msg("b"), msg("a"), msg("a", platform="wecom_app"))]
    a, b, a_again, a_other_platform = await asyncio.gather(*first)
    assert isinstance(a, int) and isinstance(b, int) and isinstance(a_other_platform, int)
    assert a_again is None  # same (platform, msg_id) later in the same batch
    assert len({a, b, a_other_platform}) == 3
    second = [recorder.submit(m) for m in (msg("c"), msg("b"), msg("c"))]
    c, b_again, c_again = await asyncio.gather(*second)
    assert isinstance(c, int) and b_again is None and c_again is None
    stored = await rows(harness)
    assert [(r.platform, r.msg_id) for r in stored] == [
        ("demo", "a"), ("demo", "b"), ("wecom_app", "a"), ("demo", "c")]
    assert [r.id for r in stored] == [a, b, a_other_platform, c]
    assert {r.status for r in stored} == {InboundStatus.received}
    assert await harness.app.dispatcher.record(msg("a")) is None  # the single-message path too


async def test_insert_new_returns_ids_in_input_order_and_rows_the_orm_reads_back(harness: Harness) -> None:
    now = harness.clock.now()
    writer = inbound_store.InboundWriter(harness.app.db)
    [x] = await writer.insert_new([msg("x")], now=now)
    picture = InboundMessage(platform="bridge", msg_id="p", user_id="u2", text="", chat_id="g1", user_name="老王",
                             mentions_bot=True, kind=MessageKind.image)
    ids = await writer.insert_new([msg("y"), msg("x"), msg("z"), msg("y"), picture], now=now)
    await writer.close()
    by_key = {r.msg_id: r.id for r in await rows(harness)}
    assert ids == [by_key["y"], None, by_key["z"], None, by_key["p"]]
    assert by_key["x"] == x
    stored = await rows(harness)
    assert [r.received_at for r in stored] == [now] * 4  # aware UTC, exactly as written
    async with harness.app.db.transaction() as session:  # a row the ORM writes, to compare the stored text
        session.add(InboundLog(platform="orm", msg_id="o", user_id="u", text="t", received_at=now))
    async with harness.app.db.session() as session:
        stamps = (await session.exec(text("SELECT CAST(received_at AS VARCHAR) FROM inbound_log"))).all()
    assert len({s for (s,) in stamps}) == 1  # same text: SQLite compares and sorts these as strings
    assert {(r.status, r.attempts, r.processed_at, r.error) for r in stored} == {
        (InboundStatus.received, 0, None, None)}
    last = stored[-1]
    assert (last.platform, last.chat_id, last.user_id, last.user_name, last.text, last.mentions_bot, last.kind) == (
        "bridge", "g1", "u2", "老王", "", True, "image")


async def test_a_batch_the_database_refuses_is_written_row_by_row(harness: Harness) -> None:
    """One statement is all or nothing: a row the database refuses (here NOT NULL) sinks its batch,
    which the recorder then writes message by message, so only that callback fails."""
    broken = InboundMessage(platform="demo", msg_id="broken", user_id=None, text="x")  # type: ignore[arg-type]
    writer = inbound_store.InboundWriter(harness.app.db)
    with pytest.raises(Exception, match=r"(?i)null"):
        await writer.insert_new([msg("a1"), broken, msg("a2")], now=harness.clock.now())
    assert writer._connection is None  # dropped after the error: the next batch opens a fresh one
    assert await rows(harness) == []
    recorder = harness.app.dispatcher.recorder
    results = await asyncio.gather(*(recorder.submit(m) for m in (msg("a1"), broken, msg("a2"))),
                                   return_exceptions=True)
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert isinstance(results[1], Exception)
    assert [r.msg_id for r in await rows(harness)] == ["a1", "a2"]


async def test_a_failed_batch_fails_every_caller_and_records_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = inbound_store.insert_new

    async def fail(driver: Any, db: Any, messages: Any, *, now: Any, lease: Any = None) -> list[int | None]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(inbound_store, "insert_new", fail)
    intake = Intake(harness.app.dispatcher)
    results = await asyncio.gather(*(intake.accept(msg(f"f{i}", user=f"u{i}")) for i in range(5)),
                                   return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert not intake.by_inbound and not intake._tasks  # nothing is processed either
    assert await rows(harness) == []
    monkeypatch.setattr(inbound_store, "insert_new", real)
    # WeCom's retry of the same messages is recorded and handled: the failure left no trace
    retried = await asyncio.gather(*(intake.accept(msg(f"f{i}", user=f"u{i}")) for i in range(5)))
    assert all(isinstance(i, int) for i in retried)
    await intake.drain()
    assert [r.status for r in await rows(harness)] == [InboundStatus.done] * 5


async def test_an_outage_fails_the_batch_at_once_instead_of_row_by_row(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    async def unreachable(driver: Any, db: Any, messages: Any, *, now: Any, lease: Any = None) -> list[int | None]:
        calls.append(len(messages))
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(inbound_store, "insert_new", unreachable)
    recorder = harness.app.dispatcher.recorder
    results = await asyncio.gather(*(recorder.submit(msg(f"o{i}")) for i in range(5)), return_exceptions=True)
    assert all(isinstance(r, RecordingFailed) for r in results)
    assert calls == [5]  # one attempt for the batch, not five more waiting for the same failure


async def test_one_refused_message_fails_only_its_own_callback(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = inbound_store.insert_new

    async def refuse_bad(driver: Any, db: Any, messages: Any, *, now: Any, lease: Any = None) -> list[int | None]:
        if any(m.msg_id == "bad" for m in messages):
            raise ValueError("value too long for type character varying(128)")
        return await real(driver, db, messages, now=now)

    monkeypatch.setattr(inbound_store, "insert_new", refuse_bad)
    intake = Intake(harness.app.dispatcher)
    ids = ["g0", "g1", "bad", "g2", "g3"]
    results = await asyncio.gather(*(intake.accept(msg(i, user=f"u{n}")) for n, i in enumerate(ids)),
                                   return_exceptions=True)
    assert isinstance(results[2], RecordingFailed)
    assert "varying" not in str(results[2])  # the driver's words (which may quote the row) stay out
    assert all(isinstance(r, int) for n, r in enumerate(results) if n != 2)
    await intake.drain()
    assert sorted(r.msg_id for r in await rows(harness)) == ["g0", "g1", "g2", "g3"]


async def test_callback_is_not_acknowledged_when_recording_fails(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(*_: Any, **__: Any) -> list[int | None]:
        raise RuntimeError("database is locked")

    crypto = WeComCrypto(TOKEN, AES_KEY, CORP)
    intake = Intake(harness.app.dispatcher)
    app = web.Application()
    WeComAppChannel(crypto, intake, None, None).add_routes(app)

    def signed(msg_id: str) -> tuple[dict[str, str], str]:
        plain = render_xml({"ToUserName": CORP, "FromUserName": "resident", "CreateTime": int(time.time()),
                            "MsgType": "text", "Content": "路灯不亮了", "MsgId": msg_id, "AgentID": 1000002})
        ts, encrypt = str(int(time.time())), crypto.encrypt(plain)
        params = {"msg_signature": crypto.signature(ts, "7", encrypt), "timestamp": ts, "nonce": "7"}
        return params, render_xml({"ToUserName": CORP, "Encrypt": encrypt, "AgentID": 1000002})

    async with TestClient(TestServer(app)) as client:
        monkeypatch.setattr(inbound_store, "insert_new", fail)
        params, body = signed("9001")
        response = await client.post("/wecom/callback", params=params, data=body)
        assert response.status == 500  # WeCom retries it
        assert await rows(harness) == []
        monkeypatch.undo()
        response = await client.post("/wecom/callback", params=params, data=body)
        assert response.status == 200
        await intake.drain()
    [row] = await rows(harness)
    assert (row.msg_id, row.status) == ("9001", InboundStatus.done)


async def test_processing_starts_even_if_the_callback_is_cancelled_after_recording(harness: Harness) -> None:
    intake = Intake(harness.app.dispatcher)
    accept = asyncio.create_task(intake.accept(msg("gone")))
    await asyncio.sleep(0)  # submitted; the commit is under way
    accept.cancel()
    with pytest.raises(asyncio.CancelledError):
        await accept
    for _ in range(500):  # nobody awaits the message any more: watch the log
        await intake.drain()
        if [r.status for r in await rows(harness)] == [InboundStatus.done]:
            break
        await asyncio.sleep(0.01)
    [row] = await rows(harness)
    assert row.status == InboundStatus.done


async def test_background_processing_keeps_each_sessions_order(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher = harness.app.dispatcher
    handled: list[str] = []
    real = dispatcher._handle

    async def handle(inbound_id: int, message: InboundMessage, taken: Taken | None = None) -> None:
        await asyncio.sleep(0.002 if message.user_id == "slow" else 0)
        await real(inbound_id, message, taken)
        handled.append(f"{message.user_id}:{message.msg_id}")

    monkeypatch.setattr(dispatcher, "_handle", handle)
    intake = Intake(dispatcher)
    ids = await asyncio.gather(*(intake.accept(msg(f"{user}{i}", user=user))
                                 for i in range(12) for user in ("slow", "fast", "other")))
    assert all(isinstance(i, int) for i in ids)
    await intake.drain()
    for user in ("slow", "fast", "other"):
        assert [h for h in handled if h.startswith(f"{user}:")] == [f"{user}:{user}{i}" for i in range(12)]
    async with harness.app.db.session() as session:
        done = (await session.exec(select(func.count()).where(InboundLog.status == InboundStatus.done))).one()
    assert done == 36
    assert await dispatcher.recover() == 0


@pytest.mark.parametrize("exclusive", [True, False])
async def test_workers_give_way_to_recording_but_not_for_ever(exclusive: bool) -> None:
    turns = WriteTurns(exclusive=exclusive, patience=10.0)
    entered = asyncio.Event()

    async def work() -> None:
        async with turns.processing():
            entered.set()

    turns.recording(True)
    worker = asyncio.create_task(work())
    await asyncio.sleep(0.05)
    assert not entered.is_set()  # waits while a record is pending
    turns.recording(False)
    await asyncio.wait_for(worker, 1)

    impatient = WriteTurns(exclusive=exclusive, patience=0.05)
    impatient.recording(True)  # a flood that never ends: processing still gets its turn

    async def work_anyway() -> None:
        async with impatient.processing():
            pass

    await asyncio.wait_for(work_anyway(), 1)


async def test_the_writer_takes_a_fresh_connection_after_idling_and_none_once_closed(harness: Harness) -> None:
    ticks = [0.0]
    writer = inbound_store.InboundWriter(harness.app.db, idle=30.0, monotonic=lambda: ticks[0])
    await writer.insert_new([msg("i1")], now=harness.clock.now())
    kept = writer._connection
    ticks[0] = 10.0
    await writer.insert_new([msg("i2")], now=harness.clock.now())
    assert writer._connection is kept  # busy: the same connection, no checkout, no ping
    if harness.app.db.is_postgres:  # what an idle timeout or a restart does to a kept connection
        async with harness.app.db.session() as session:
            await session.exec(text(  # type: ignore[call-overload]
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    ticks[0] = 100.0
    [i3] = await writer.insert_new([msg("i3")], now=harness.clock.now())  # the message that wakes the bot
    assert isinstance(i3, int) and writer._connection is not kept
    await writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        await writer.insert_new([msg("i4")], now=harness.clock.now())
    assert [r.msg_id for r in await rows(harness)] == ["i1", "i2", "i3"]


async def test_the_same_msgid_from_two_members_is_two_messages(harness: Harness) -> None:
    """Seen in the wild: one MsgId on two members' messages. A retry is the same sender's."""
    dispatcher = harness.app.dispatcher
    first = await dispatcher.record(InboundMessage(platform="wecom_app", msg_id="7001", user_id="a", text="x"))
    other = await dispatcher.record(InboundMessage(platform="wecom_app", msg_id="7001", user_id="b", text="y"))
    retry = await dispatcher.record(InboundMessage(platform="wecom_app", msg_id="7001", user_id="a", text="x"))
    elsewhere = await dispatcher.record(InboundMessage(platform="mp", msg_id="7001", user_id="a", text="x"))
    assert first is not None and other is not None and elsewhere is not None
    assert len({first, other, elsewhere}) == 3
    assert retry is None


async def test_a_message_that_may_be_an_emergency_is_handled_even_while_every_worker_is_busy() -> None:
    workers = Workers(2)
    release = asyncio.Event()
    running: list[str] = []
    most = 0

    async def handle(name: str, urgent: bool) -> None:
        nonlocal most
        async with workers.turn(urgent=urgent):
            running.append(name)
            most = max(most, sum(not n.startswith("fire") for n in running))
            await release.wait()
            running.remove(name)

    flood = [asyncio.create_task(handle(f"m{i}", False)) for i in range(6)]
    await asyncio.sleep(0.01)
    assert running == ["m0", "m1"]
    fire = asyncio.create_task(handle("fire", True))
    await asyncio.sleep(0.01)
    assert running == ["m0", "m1", "fire"]  # the extra slot: no waiting for the flood
    release.set()
    await asyncio.gather(*flood, fire)
    assert most == 2  # ordinary messages never used the urgent slot
    assert names_danger("5号楼着火了") and not names_danger("5号楼路灯坏了")
