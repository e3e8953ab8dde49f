"""智能机器人 long-connection (WebSocket) mode, against a fake WeCom WebSocket server on loopback:
the real bot (demo roster, a robot group bound to a grid), the real intake and outbox. Back-off
sleeps are recorded by FakeTime; the heartbeat is stepped by hand (Ticks)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.events import OutboundKind, OutboundMessage
from bot.roster import Chat
from bot.server import make_web_app
from bot.transport.base import TransportError
from bot.transport.intake import Intake
from bot.transport.routes import CHANNELS_KEY, INTAKE_KEY, add_channels
from bot.transport.wecom_robot_ws import ACK_TEXT, CMD_PING, CMD_RESPOND, CMD_SEND, CMD_WELCOME, WeComRobotWs
from storage import inbound_store, outbox_store
from storage.models import InboundLog, Outbox, OutboxStatus, Ticket
from tests.fakes.fake_aibot_ws import FakeAibotWs
from tests.transport.conftest import FakeTime

GROUP = "wrgroup1"  # a WeCom group with the robot in it, bound to 八仙楼社区第一网格


@dataclass
class WsRig:
    bot: App
    fake: FakeAibotWs
    client: TestClient
    robot: WeComRobotWs
    intake: Intake
    time: FakeTime
    clock: FakeClock

    async def settle(self) -> int:
        await self.intake.drain()
        return await self.bot.outbox.flush()

    async def wait_acked(self, req_id: str, count: int = 1) -> None:
        await self.fake.wait_for(lambda: len(self.responses(req_id)) >= count)

    def responses(self, req_id: str) -> list[dict[str, Any]]:
        return [f for f in self.fake.sent(CMD_RESPOND) if f["headers"]["req_id"] == req_id]


@pytest.fixture
async def fake_ws() -> AsyncIterator[FakeAibotWs]:
    fake = FakeAibotWs()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def ws_rig(db_url: str, clock: FakeClock, fake_time: FakeTime, fake_ws: FakeAibotWs) -> AsyncIterator[WsRig]:
    settings = load_settings(None, database__url=db_url, wecom_robot__bot_id=fake_ws.bot_id,
                             wecom_robot__secret=fake_ws.secret, wecom_robot__ws_url=fake_ws.url)
    assert settings.wecom_robot.mode == "websocket"
    roster = demo_roster()
    roster.chats.append(Chat(GROUP, "g-baxianlou-1", "wecom_robot", "八仙楼社区第一网格工作群"))
    transports: dict[str, Any] = {}
    bot = await build_app(settings, clock, transports, people_platform="wecom_app", roster=roster)
    web_app = make_web_app(bot)
    transports.update(add_channels(web_app, bot, monotonic=fake_time.monotonic, sleep=fake_time.sleep))
    client = TestClient(TestServer(web_app))
    await client.start_server()  # on_startup dials the fake
    robot = web_app[CHANNELS_KEY]["wecom_robot"]
    assert isinstance(robot, WeComRobotWs)
    try:
        await asyncio.wait_for(robot.ready.wait(), 5)
        yield WsRig(bot, fake_ws, client, robot, web_app[INTAKE_KEY], fake_time, clock)
    finally:
        await client.close()
        await bot.close()
    assert robot._task is not None and robot._task.done()  # stopped cleanly at shutdown


async def outbox_rows(rig: WsRig) -> list[Outbox]:
    async with rig.bot.db.session() as session:
        return list((await session.exec(select(Outbox).order_by(Outbox.id))).all())  # type: ignore[arg-type]


# ---------------------------------------------------------------- end to end


async def test_group_mention_files_one_ticket_answered_on_the_same_req_id(ws_rig: WsRig) -> None:
    [subscribe] = ws_rig.fake.sent("aibot_subscribe")
    assert subscribe["body"] == {"bot_id": "bot1", "secret": "aibot-secret"}
    req_id = await ws_rig.fake.push_text("m-1", "@网格通 3号楼电梯又坏了", chatid=GROUP)
    await ws_rig.wait_acked(req_id)  # acknowledged once recorded: a stream opened with a placeholder
    [ack] = ws_rig.responses(req_id)
    assert ack["body"]["stream"]["finish"] is False and ack["body"]["stream"]["content"] == ACK_TEXT
    assert await ws_rig.settle() >= 1
    async with ws_rig.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
        [row] = (await session.exec(select(InboundLog))).all()
    assert (row.platform, row.chat_id, row.user_id, row.text) == ("wecom_robot", GROUP, "zhangsan", "3号楼电梯又坏了")
    assert ticket.grid_id == "g-baxianlou-1"
    ack, answer = ws_rig.responses(req_id)
    stream = answer["body"]["stream"]
    assert stream["id"] == ack["body"]["stream"]["id"] and stream["finish"] is True
    assert ticket.no in stream["content"]
    assert ws_rig.fake.sent(CMD_SEND) == []  # the answer went on the stream, not as a push


async def test_first_visit_of_the_day_gets_the_welcome_on_the_event_req_id(ws_rig: WsRig) -> None:
    await ws_rig.fake.push({"cmd": "aibot_event_callback", "headers": {"req_id": "ev-1"},
                            "body": {"msgid": "e1", "chattype": "single", "from": {"userid": "zhangsan"},
                                     "msgtype": "event", "event": {"eventtype": "enter_chat"}}})
    await ws_rig.fake.wait_for(lambda: len(ws_rig.fake.sent(CMD_WELCOME)) == 1)
    [welcome] = ws_rig.fake.sent(CMD_WELCOME)
    assert welcome["headers"]["req_id"] == "ev-1"
    assert welcome["body"]["msgtype"] == "text" and "帮助" in welcome["body"]["text"]["content"]
    await ws_rig.settle()
    async with ws_rig.bot.db.session() as session:
        assert (await session.exec(select(InboundLog))).all() == []


async def test_a_message_that_cannot_be_recorded_is_answered_send_it_again(
        ws_rig: WsRig, monkeypatch: pytest.MonkeyPatch) -> None:
    async def down(*_: Any, **__: Any) -> list[int | None]:
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(inbound_store, "insert_new", down)
    req_id = await ws_rig.fake.push_text("m-down", "@网格通 3号楼电梯又坏了", chatid=GROUP)
    await ws_rig.wait_acked(req_id)
    [answer] = ws_rig.responses(req_id)
    assert answer["body"]["stream"]["finish"] is True
    assert "再发一次" in answer["body"]["stream"]["content"]


async def test_same_msgid_twice_is_processed_once(ws_rig: WsRig) -> None:
    first = await ws_rig.fake.push_text("m-2", "@网格通 3号楼电梯又坏了", chatid=GROUP)
    await ws_rig.wait_acked(first)
    again = await ws_rig.fake.push_text("m-2", "@网格通 3号楼电梯又坏了", chatid=GROUP)  # redelivered
    await ws_rig.wait_acked(again)
    [dup_ack] = ws_rig.responses(again)
    assert dup_ack["body"]["stream"]["finish"] is True  # acknowledged and closed, not handled
    await ws_rig.settle()
    async with ws_rig.bot.db.session() as session:
        assert len((await session.exec(select(InboundLog))).all()) == 1
        assert len((await session.exec(select(Ticket))).all()) == 1
    assert len(ws_rig.responses(first)) == 2  # ack + the one answer


async def test_private_message_and_a_late_reply_is_pushed(ws_rig: WsRig) -> None:
    req_id = await ws_rig.fake.push_text("m-3", "帮助", userid="lisi")
    await ws_rig.wait_acked(req_id)
    await ws_rig.intake.drain()
    ws_rig.time.now += 3600  # the stream window has passed before the outbox gets to it
    assert await ws_rig.bot.outbox.flush() == 1
    [push] = ws_rig.fake.sent(CMD_SEND)
    assert push["body"]["chatid"] == "lisi" and push["body"]["msgtype"] == "markdown"
    assert len(ws_rig.responses(req_id)) == 1  # only the acknowledgement


async def test_notices_go_as_aibot_send_msg(ws_rig: WsRig) -> None:
    async with ws_rig.bot.db.transaction() as session:
        for kind, chat, user in ((OutboundKind.digest, GROUP, None), (OutboundKind.notice, None, "wangwu")):
            await outbox_store.enqueue(session, OutboundMessage(platform="wecom_robot", kind=kind, text=f"{kind} 内容",
                                                                chat_id=chat, user_id=user), now=ws_rig.clock.now())
    assert await ws_rig.bot.outbox.flush() == 2
    assert [f["body"]["chatid"] for f in ws_rig.fake.sent(CMD_SEND)] == [GROUP, "wangwu"]


async def test_dropped_connection_reconnects_and_delivers_what_waited(ws_rig: WsRig) -> None:
    gate = Ticks()  # hold the back-off so the outage lasts until the test lets it end

    async def backoff(seconds: float) -> None:
        await ws_rig.time.sleep(seconds)  # recorded by the fake time
        await gate.sleep(seconds)

    ws_rig.robot.sleep = backoff
    await ws_rig.fake.drop()
    await asyncio.wait_for(gate.waiting.wait(), 5)
    assert not ws_rig.robot.connected
    async with ws_rig.bot.db.transaction() as session:  # queued while down: kept, not lost
        await outbox_store.enqueue(session, OutboundMessage(platform="wecom_robot", kind=OutboundKind.reminder,
                                                            text="今日巡查提醒", chat_id=GROUP), now=ws_rig.clock.now())
    assert await ws_rig.bot.outbox.flush() == 0
    [row] = await outbox_rows(ws_rig)
    assert row.status == OutboxStatus.pending and "down" in (row.last_error or "")
    gate.step()
    await ws_rig.fake.wait_for(lambda: ws_rig.fake.subscribes == 2)
    await asyncio.wait_for(ws_rig.robot.ready.wait(), 5)
    [delay] = ws_rig.time.sleeps
    assert 0.5 <= delay <= 1.0  # the first back-off: 1 s with jitter
    ws_rig.clock.advance(timedelta(minutes=5))
    assert await ws_rig.bot.outbox.flush() == 1
    [row] = await outbox_rows(ws_rig)
    assert row.status == OutboxStatus.sent
    [push] = ws_rig.fake.sent(CMD_SEND)
    assert push["body"]["markdown"]["content"] == "今日巡查提醒"


async def test_errcodes_map_to_retryable_or_not(ws_rig: WsRig) -> None:
    ws_rig.fake.inject(CMD_SEND, 45009, 93000)
    async with ws_rig.bot.db.transaction() as session:
        for text in ("busy", "bad"):
            await outbox_store.enqueue(session, OutboundMessage(platform="wecom_robot", kind=OutboundKind.notice,
                                                                text=text, chat_id=GROUP), now=ws_rig.clock.now())
    assert await ws_rig.bot.outbox.flush() == 0
    busy, bad = await outbox_rows(ws_rig)
    assert busy.status == OutboxStatus.pending and "45009" in (busy.last_error or "")
    assert bad.status == OutboxStatus.failed and "93000" in (bad.last_error or "")
    ws_rig.clock.advance(timedelta(minutes=5))
    assert await ws_rig.bot.outbox.flush() == 1


async def test_expired_stream_falls_back_to_a_push(ws_rig: WsRig) -> None:
    req_id = await ws_rig.fake.push_text("m-4", "@网格通 帮助", chatid=GROUP)
    await ws_rig.wait_acked(req_id)
    ws_rig.fake.inject(CMD_RESPOND, 846608)  # stream update expired
    assert await ws_rig.settle() == 1
    [push] = ws_rig.fake.sent(CMD_SEND)
    assert push["body"]["chatid"] == GROUP


async def test_the_secret_never_reaches_the_logs(ws_rig: WsRig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await ws_rig.fake.drop()
    await ws_rig.fake.wait_for(lambda: ws_rig.fake.subscribes == 2)
    ws_rig.fake.secret = "rotated"  # the next subscribe is refused
    await ws_rig.fake.drop()
    await ws_rig.fake.wait_for(lambda: sum(f.get("cmd") == "aibot_subscribe" for f in ws_rig.fake.frames) >= 4)
    assert "subscribe refused" in caplog.text
    assert "aibot-secret" not in caplog.text and "aibot-secret" not in repr(ws_rig.robot)
    redacted = json.dumps(ws_rig.bot.settings.redacted())
    assert "aibot-secret" not in redacted and ws_rig.bot.settings.wecom_robot.bot_id in redacted


# ---------------------------------------------------------------- the client alone


class Ticks:
    """A heartbeat sleep the test steps by hand: each `step()` lets one sleep return."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.waiting = asyncio.Event()  # set once something sleeps here
        self._go = asyncio.Queue[None]()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.waiting.set()
        await self._go.get()

    def step(self) -> None:
        self._go.put_nowait(None)


@pytest.fixture
async def lone(fake_ws: FakeAibotWs, fake_time: FakeTime) -> AsyncIterator[tuple[WeComRobotWs, Ticks]]:
    ticks = Ticks()
    robot = WeComRobotWs(fake_ws.bot_id, fake_ws.secret, None, url=fake_ws.url, monotonic=fake_time.monotonic,
                         sleep=fake_time.sleep, tick=ticks.sleep, jitter=lambda: 1.0)
    await robot.start()
    await asyncio.wait_for(robot.ready.wait(), 5)
    try:
        yield robot, ticks
    finally:
        await robot.stop()


async def test_heartbeat_pings_and_a_silent_server_is_redialled(fake_ws: FakeAibotWs, fake_time: FakeTime,
                                                                 lone: tuple[WeComRobotWs, Ticks]) -> None:
    robot, ticks = lone
    ticks.step()
    await fake_ws.wait_for(lambda: len(fake_ws.sent(CMD_PING)) == 1)
    assert ticks.slept[0] == 30.0
    fake_ws.answer_pings = False  # the server stops answering: two missed pings, then redial
    for expected in (2, 3):
        ticks.step()
        await fake_ws.wait_for(lambda n=expected: len(fake_ws.sent(CMD_PING)) == n)  # type: ignore[misc]
    ticks.step()
    await fake_ws.wait_for(lambda: fake_ws.subscribes == 2)
    await asyncio.wait_for(robot.ready.wait(), 5)
    assert fake_time.sleeps == [1.0]  # back-off base, jitter factor pinned at 1
    assert robot.connections == 2


async def test_bad_frames_are_ignored_without_dropping_the_connection(
        fake_ws: FakeAibotWs, lone: tuple[WeComRobotWs, Ticks], caplog: pytest.LogCaptureFixture) -> None:
    robot, ticks = lone
    caplog.set_level(logging.INFO)
    for frame in ("{not json", "[1, 2]", json.dumps({"cmd": "aibot_mystery", "headers": {"req_id": "x"}}),
                  json.dumps({"cmd": "aibot_msg_callback", "headers": {"req_id": "y"}, "body": {"msgtype": "text"}}),
                  json.dumps({"cmd": "aibot_event_callback", "headers": {"req_id": "z"},
                              "body": {"event": {"eventtype": "enter_chat"}}})):
        await fake_ws.push(frame)
    ticks.step()  # the connection still works: a ping goes out and is answered
    await fake_ws.wait_for(lambda: len(fake_ws.sent(CMD_PING)) == 1)
    assert robot.connected and robot.connections == 1
    assert "not JSON" in caplog.text and "(cmd 'aibot_mystery') to no pending command" in caplog.text
    assert "msgid and from.userid are required" in caplog.text


async def test_send_while_down_is_retryable(fake_ws: FakeAibotWs, fake_time: FakeTime) -> None:
    robot = WeComRobotWs(fake_ws.bot_id, fake_ws.secret, None, url=fake_ws.url, monotonic=fake_time.monotonic)
    message = OutboundMessage(platform="wecom_robot", kind=OutboundKind.notice, text="x", chat_id=GROUP)
    with pytest.raises(TransportError, match="down") as info:
        await robot.send(message)
    assert info.value.retryable


def test_backoff_is_bounded_with_jitter() -> None:
    robot = WeComRobotWs("b", "s", None, jitter=lambda: 1.0, backoff_base=1.0, backoff_max=60.0)
    assert [robot.backoff(n) for n in (1, 2, 3, 7, 20)] == [1.0, 2.0, 4.0, 60.0, 60.0]
    low = WeComRobotWs("b", "s", None, jitter=lambda: 0.0)
    assert low.backoff(3) == 2.0


def test_config_modes() -> None:
    assert load_settings(None, wecom_robot__bot_id="b", wecom_robot__secret="s").wecom_robot.mode == "websocket"
    callback = load_settings(None, wecom_robot__token="t",
                             wecom_robot__encoding_aes_key="6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt").wecom_robot
    assert callback.mode == "callback" and callback.configured
    assert load_settings(None, wecom_robot__bot_id="b").wecom_robot.mode is None


async def test_taken_over_by_another_connection_it_waits_ten_minutes_and_says_so(
        fake_ws: FakeAibotWs, fake_time: FakeTime, caplog: pytest.LogCaptureFixture) -> None:
    """Two processes with one bot knock each other off once a second if each redials at once."""
    paused = asyncio.Event()
    go_on = asyncio.Event()

    async def sleep(seconds: float) -> None:
        fake_time.sleeps.append(seconds)
        paused.set()
        await go_on.wait()

    robot = WeComRobotWs(fake_ws.bot_id, fake_ws.secret, None, url=fake_ws.url, monotonic=fake_time.monotonic,
                         sleep=sleep, tick=Ticks().sleep, jitter=lambda: 1.0)
    await robot.start()
    try:
        await asyncio.wait_for(robot.ready.wait(), 5)
        await fake_ws.push({"cmd": "aibot_event_callback", "headers": {"req_id": "d-1"},
                            "body": {"msgtype": "event", "event": {"eventtype": "disconnected_event"}}})
        await asyncio.wait_for(paused.wait(), 5)
        assert fake_time.sleeps == [600.0]  # not the 1 s back-off
        assert robot.health()["state"] == "taken_over" and not robot.connected
        assert "one connection per bot" in (robot.health()["error"] or "")
        assert "took over" in caplog.text
        assert fake_ws.subscribes == 1  # nothing dialled meanwhile
        go_on.set()
        await fake_ws.wait_for(lambda: fake_ws.subscribes == 2)  # ten minutes later it tries again
        await asyncio.wait_for(robot.ready.wait(), 5)
        assert robot.health() == {"state": "up", "connected": True, "error": None}
    finally:
        go_on.set()
        await robot.stop()


async def test_refused_subscribes_stop_after_three(fake_ws: FakeAibotWs, fake_time: FakeTime) -> None:
    robot = WeComRobotWs(fake_ws.bot_id, "wrong-secret", None, url=fake_ws.url, monotonic=fake_time.monotonic,
                         sleep=fake_time.sleep, tick=Ticks().sleep, jitter=lambda: 1.0)
    await robot.start()
    try:
        assert robot._task is not None
        await asyncio.wait_for(robot._task, 5)  # it gave up by itself
        assert len(fake_ws.sent("aibot_subscribe")) == 3
        assert robot.health()["state"] == "refused"
        assert "40058" in (robot.health()["error"] or "")
        assert "wrong-secret" not in (robot.health()["error"] or "")
    finally:
        await robot.stop()


async def test_any_frame_that_is_not_a_callback_answers_its_req_id(lone: tuple[WeComRobotWs, Ticks]) -> None:
    robot, _ = lone
    answer = robot._expect("send-7")
    robot._on_frame(json.dumps({"cmd": "aibot_send_msg", "headers": {"req_id": "send-7"}, "errcode": 0,
                                "errmsg": "ok"}))
    assert answer.done() and answer.result()["errcode"] == 0
