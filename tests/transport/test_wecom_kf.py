"""微信客服 end to end: the real server, crypto and database, a fake WeChat API speaking the real
JSON (sync_msg paging by cursor, callback tokens, send_msg's window and count, welcome codes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.events import MessageKind, OutboundKind, OutboundMessage
from bot.roster import Chat, Roster
from bot.server import make_web_app
from bot.services.kf import KfLedger
from bot.services.passive import CustomerServiceWindow
from bot.transport.intake import Intake
from bot.transport.routes import CHANNELS_KEY, INTAKE_KEY, add_channels
from bot.transport.wecom_api import TokenSource, WeComApi
from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.wecom_kf import WeComKfChannel, inbound_from_kf
from bot.transport.xml import render_xml
from handlers.media import _hint as media_hint
from storage import outbox_store
from storage.models import InboundLog, KfCursor, KfCustomer, Outbox, OutboxStatus, Ticket, TicketEvent, TicketReporter
from tests.fakes.fake_wecom import FakeWeCom
from tests.photo_files import phone_jpeg
from tests.transport.conftest import FakeTime

KF_TOKEN, KF_KEY, CORP = "kfToken", "bKf0LyXQk2f8C1Zs7nRw4tTq9hVaE3dJmUpYgN6cW5x", "wwcorp"
SCENE_BXL, SCENE_GRID = "c-baxianlou", "mochi_g2"
SYNC, SEND = "/cgi-bin/kf/sync_msg", "/cgi-bin/kf/send_msg"


WORKER_KF_ID = "wmGridWorkerMochi2"  # the grid worker's own WeChat, bound in other_ids as wecom_kf:…


def kf_roster() -> Roster:
    roster = demo_roster()
    roster.people = [replace(p, other_ids=(("wecom_kf", WORKER_KF_ID),)) if p.id == "p-gw-mochi-2" else p
                     for p in roster.people]
    roster.chats += [Chat(SCENE_BXL, "c-baxianlou", "wecom_kf", "八仙楼社区微信客服"),
                     Chat(SCENE_GRID, "g-mochi-2", "wecom_kf", "墨池社区第二网格微信客服")]
    return roster


@dataclass
class KfRig:
    bot: App
    client: TestClient
    fake: FakeWeCom
    clock: FakeClock
    intake: Intake
    kf: WeComKfChannel
    others: list[WeComApi]

    def crypto(self) -> WeComCrypto:
        return WeComCrypto(KF_TOKEN, KF_KEY, CORP)

    async def callback(self, token: str | None = None, *, open_kfid: str | None = None) -> int:
        """WeChat tells the bot there is news (a fresh sync token unless given)."""
        crypto, ts, nonce = self.crypto(), str(int(self.clock.now().timestamp())), "4711"
        event = render_xml({"ToUserName": CORP, "CreateTime": ts, "MsgType": "event", "Event": "kf_msg_or_event",
                            "Token": token or self.fake.kf_callback_token(),
                            "OpenKfId": open_kfid or self.fake.open_kfid})
        encrypt = crypto.encrypt(event)
        response = await self.client.post("/wecom/kf/callback", data=render_xml(
            {"ToUserName": CORP, "Encrypt": encrypt, "AgentID": ""}).encode(),
            params={"msg_signature": crypto.signature(ts, nonce, encrypt), "timestamp": ts, "nonce": nonce})
        return response.status

    async def settle(self, channel: WeComKfChannel | None = None) -> int:
        await (channel or self.kf).drain()
        await self.intake.drain()
        return await self.bot.outbox.flush()

    async def inbound(self) -> list[InboundLog]:
        async with self.bot.db.session() as session:
            return list((await session.exec(select(InboundLog).order_by(InboundLog.id))).all())  # type: ignore[arg-type]

    async def outbox(self) -> list[Outbox]:
        async with self.bot.db.session() as session:
            return list((await session.exec(select(Outbox).where(Outbox.platform == "wecom_kf")
                                            .order_by(Outbox.id))).all())  # type: ignore[arg-type]

    async def cursor(self) -> str | None:
        async with self.bot.db.session() as session:
            row = await session.get(KfCursor, self.fake.open_kfid)
            return None if row is None else row.cursor

    def second_process(self, holder: str = "process-b") -> WeComKfChannel:
        """Another bot process on the same database (its own reader id and API client)."""
        api = WeComApi(self.fake.url, TokenSource.wecom(CORP, self.fake.kf_secret), sleep=FakeTime().sleep)
        self.others.append(api)
        return WeComKfChannel(self.kf.crypto, self.intake, api, KfLedger(self.bot.db, self.clock),
                              self.fake.open_kfid, window=CustomerServiceWindow(self.bot.db, self.clock, "wecom_kf"),
                              now=self.clock.now, holder=holder, welcome=lambda: "")

    def sync_cursors(self) -> list[str | None]:
        return [c.body.get("cursor") for c in self.fake.calls(SYNC)]


@pytest.fixture
async def kf(db_url: str, clock: FakeClock, fake: FakeWeCom, fake_time: FakeTime) -> AsyncIterator[KfRig]:
    fake.kf_now = lambda: clock.now().timestamp()
    settings = load_settings(
        None, database__url=db_url,
        wecom_kf__corp_id=CORP, wecom_kf__secret=fake.kf_secret, wecom_kf__token=KF_TOKEN,
        wecom_kf__encoding_aes_key=KF_KEY, wecom_kf__open_kfid=fake.open_kfid, wecom_kf__api_base=fake.url,
        wecom_kf__welcome="您好，请直接说问题和地点。",
    )
    transports: dict[str, Any] = {}
    bot = await build_app(settings, clock, transports, people_platform="wecom_app", roster=kf_roster())
    web_app = make_web_app(bot)
    transports.update(add_channels(web_app, bot, monotonic=fake_time.monotonic, sleep=fake_time.sleep))
    client = TestClient(TestServer(web_app))
    await client.start_server()
    try:
        rig = KfRig(bot, client, fake, clock, web_app[INTAKE_KEY], web_app[CHANNELS_KEY]["wecom_kf"], [])
        yield rig
    finally:
        for api in rig.others:
            await api.http.close()
        await client.close()
        await bot.close()


# ---------------------------------------------------------------- callback and reading


async def test_url_verification_answers_the_decrypted_echo(kf: KfRig) -> None:
    crypto, ts, nonce = kf.crypto(), str(int(kf.clock.now().timestamp())), "9"
    echo = crypto.encrypt("echo-31415")
    ok = await kf.client.get("/wecom/kf/callback", params={
        "msg_signature": crypto.signature(ts, nonce, echo), "timestamp": ts, "nonce": nonce, "echostr": echo})
    assert ok.status == 200
    assert await ok.text() == "echo-31415"
    forged = await kf.client.get("/wecom/kf/callback", params={
        "msg_signature": "0" * 40, "timestamp": ts, "nonce": nonce, "echostr": echo})
    assert forged.status == 403


async def test_a_forged_callback_reads_nothing(kf: KfRig) -> None:
    kf.fake.kf_customer_writes("wmRes1", "路灯不亮了")
    response = await kf.client.post("/wecom/kf/callback", params={
        "msg_signature": "0" * 40, "timestamp": str(int(kf.clock.now().timestamp())), "nonce": "1"},
        data=render_xml({"ToUserName": CORP, "Encrypt": kf.crypto().encrypt("<xml/>")}).encode())
    assert response.status == 403
    await kf.settle()
    assert kf.fake.calls(SYNC) == []


async def test_resident_entering_by_a_community_link_is_welcomed_and_filed_there(kf: KfRig) -> None:
    kf.fake.kf_customer_enters("wmRes1", SCENE_BXL)
    kf.fake.kf_customer_writes("wmRes1", "3号楼电梯坏了，老人下不了楼")  # names no community
    assert await kf.callback() == 200
    assert await kf.settle() == 1
    [welcome] = kf.fake.kf_welcomed
    assert welcome["text"] == {"content": "您好，请直接说问题和地点。"}
    assert welcome["msgtype"] == "text"
    async with kf.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    assert ticket.community_id == "c-baxianlou"
    [sent] = kf.fake.kf_sent
    assert sent["touser"] == "wmRes1"
    assert sent["open_kfid"] == kf.fake.open_kfid
    assert ticket.no in sent["text"]["content"]
    assert sent["msgid"].startswith("gb")


async def test_a_grid_scene_files_in_that_grid(kf: KfRig) -> None:
    kf.fake.kf_customer_enters("wmRes2", SCENE_GRID)
    kf.fake.kf_customer_writes("wmRes2", "楼道里有人飞线充电，太危险了")
    await kf.callback()
    await kf.settle()
    async with kf.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    assert (ticket.grid_id, ticket.community_id) == ("g-mochi-2", "c-mochi")


async def test_a_worker_bound_by_other_ids_is_staff_on_kf_and_a_look_alike_is_not(kf: KfRig) -> None:
    kf.fake.kf_customer_enters("wmRes3", SCENE_GRID)
    kf.fake.kf_customer_writes("wmRes3", "5号楼下水道堵了，污水漫出来")
    await kf.callback()
    await kf.settle()
    async with kf.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    kf.fake.kf_customer_writes("gw-mochi-2", f"受理 {ticket.no}")  # the worker's WeCom id, on 微信客服: a resident
    kf.fake.kf_customer_writes(WORKER_KF_ID, f"受理 {ticket.no}")
    await kf.callback()
    await kf.settle()
    async with kf.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    assert ticket.state == "accepted"
    async with kf.bot.db.session() as session:
        events = (await session.exec(select(TicketEvent).where(TicketEvent.action == "accept"))).all()
    assert [e.actor for e in events] == [WORKER_KF_ID]  # the look-alike was refused


async def test_pages_are_read_to_the_end_and_the_cursor_goes_on_from_there(kf: KfRig) -> None:
    kf.fake.kf_page_size = 2
    for i in range(5):
        kf.fake.kf_customer_writes(f"wmP{i}", "谢谢")
    await kf.callback()
    await kf.settle()
    assert kf.sync_cursors() == [None, "c2", "c4"]
    assert await kf.cursor() == "c5"
    assert [r.msg_id for r in await kf.inbound()] == [m["msgid"] for m in kf.fake.kf_log]
    kf.fake.kf_customer_writes("wmP9", "你好")
    await kf.callback()
    await kf.settle()
    assert kf.sync_cursors()[3:] == ["c5"]  # nothing read twice
    assert len(await kf.inbound()) == 6


async def test_a_restart_reads_on_from_the_stored_cursor_without_a_callback(kf: KfRig) -> None:
    kf.fake.kf_customer_writes("wmR1", "谢谢")
    await kf.callback()
    await kf.settle()
    kf.fake.kf_customer_writes("wmR1", "再问一下")  # arrives while the bot is down: no callback reaches it
    kf.clock.advance(timedelta(minutes=10))  # the callback's token has expired meanwhile
    restarted = kf.second_process("after-restart")
    await restarted.start()
    await kf.settle(restarted)
    assert kf.sync_cursors() == [None, "c1"]
    assert kf.fake.calls(SYNC)[-1].body.get("token") is None
    assert [r.text for r in await kf.inbound()] == ["谢谢", "再问一下"]


async def test_first_start_waits_for_a_callback(kf: KfRig) -> None:
    kf.fake.kf_customer_writes("wmF1", "谢谢")
    await kf.kf.start()  # no cursor yet: reading 3 days of history is left to the first callback
    await kf.settle()
    assert kf.fake.calls(SYNC) == []


async def test_a_failed_page_is_read_again_later_and_nothing_is_skipped_or_doubled(kf: KfRig) -> None:
    kf.fake.kf_page_size = 2
    for i in range(4):
        kf.fake.kf_customer_writes(f"wmE{i}", f"第{i}条")
    kf.fake.inject(SYNC, ("slow", 0), 500, 500, 500, 500)  # page 1 fine, page 2 fails every attempt
    await kf.callback()
    await kf.settle()  # the reader gives up, and reads again after RETRY_DELAY (a fake sleep)
    assert kf.sync_cursors() == [None] + ["c2"] * 5  # 4 failed attempts, then on from where it was
    assert await kf.cursor() == "c4"
    assert sorted(r.text for r in await kf.inbound()) == ["第0条", "第1条", "第2条", "第3条"]


async def test_a_page_read_twice_is_recorded_and_answered_once(kf: KfRig) -> None:
    kf.fake.kf_customer_writes("wmD1", "帮助")
    await kf.callback()
    await kf.settle()
    async with kf.bot.db.transaction() as session:  # as if the bot died before storing the cursor
        row = await session.get(KfCursor, kf.fake.open_kfid)
        assert row is not None
        row.cursor = None
        session.add(row)
    await kf.callback()
    await kf.settle()
    assert kf.sync_cursors() == [None, None]
    assert len(await kf.inbound()) == 1
    assert len(kf.fake.kf_sent) == 1


async def test_two_processes_never_read_at_once_and_a_callback_during_a_read_is_not_lost(kf: KfRig) -> None:
    other = kf.second_process()
    kf.fake.kf_customer_writes("wmT1", "第一条")
    kf.fake.inject(SYNC, ("slow", 0.3))
    kf.kf.kick(kf.fake.kf_callback_token())
    await asyncio.sleep(0.1)  # process A holds the cursor, its first page in flight
    kf.fake.kf_customer_writes("wmT1", "第二条")
    other.kick(kf.fake.kf_callback_token())  # process B's callback
    await other.drain()
    await kf.kf.drain()
    await kf.settle()
    cursors = kf.sync_cursors()
    # B read nothing itself (A held the cursor); A, told by B's mark, read once more before letting go
    assert cursors == [None, "c2"]
    assert len(cursors) == len(set(cursors))
    assert [r.text for r in await kf.inbound()] == ["第一条", "第二条"]


async def test_a_reader_that_died_is_taken_over_after_its_lease(kf: KfRig) -> None:
    ledger = KfLedger(kf.bot.db, kf.clock)
    assert await ledger.claim(kf.fake.open_kfid, "dead-process", None) is not None  # and never lets go
    kf.fake.kf_customer_writes("wmL1", "谢谢")
    await kf.callback()
    await kf.settle()
    assert kf.fake.calls(SYNC) == []  # held by the dead process
    kf.clock.advance(timedelta(seconds=61))
    await kf.callback()
    await kf.settle()
    assert len(await kf.inbound()) == 1


async def test_an_expired_sync_token_falls_back_to_reading_without(kf: KfRig) -> None:
    stale = kf.fake.kf_callback_token()
    kf.clock.advance(timedelta(minutes=11))
    kf.fake.kf_customer_writes("wmK1", "谢谢")
    await kf.callback(stale)
    await kf.settle()
    calls = kf.fake.calls(SYNC)
    assert [c.body.get("token") for c in calls] == [stale, None]
    assert len(await kf.inbound()) == 1


async def test_an_expired_access_token_is_refreshed(kf: KfRig) -> None:
    kf.fake.kf_customer_writes("wmA1", "帮助")
    await kf.callback()
    await kf.settle()
    kf.fake.expire_tokens()
    kf.fake.kf_customer_writes("wmA1", "帮助")
    await kf.callback()
    assert await kf.settle() == 1
    assert len(kf.fake.kf_sent) == 2
    assert len(kf.fake.calls("/cgi-bin/gettoken")) == 2


async def test_news_for_another_kf_account_is_not_read(kf: KfRig) -> None:
    await kf.callback(open_kfid="wkSOMEONEELSE")
    await kf.settle()
    assert kf.fake.calls(SYNC) == []


async def test_a_picture_is_fetched_and_kept_and_servicer_lines_are_not_residents(kf: KfRig) -> None:
    item = kf.fake.kf_customer_writes("wmM1", "", msgtype="image", data=phone_jpeg())
    kf.fake._kf_item("wmM1", "text", {"content": "我是接待人员"}, origin=5, at=None)
    await kf.callback()
    await kf.settle()
    [row] = await kf.inbound()
    assert row.kind == "image"
    assert [c.query["media_id"] for c in kf.fake.calls("/cgi-bin/media/get")] == [item["image"]["media_id"]]
    [sent] = kf.fake.kf_sent
    assert "照片已收到" in sent["text"]["content"]  # kept; what is wrong, and where?


async def test_a_picture_that_cannot_be_fetched_gets_a_clear_answer(kf: KfRig) -> None:
    kf.fake.kf_customer_writes("wmM2", "", msgtype="image")  # its media_id is unknown: 40007
    await kf.callback()
    await kf.settle()
    [sent] = kf.fake.kf_sent
    assert "过期" in sent["text"]["content"]
    kf.fake.kf_customer_writes("wmM2", "", msgtype="voice")  # voice: still the words-please hint
    await kf.callback()
    await kf.settle()
    assert kf.fake.kf_sent[-1]["text"]["content"] == media_hint(MessageKind.voice)


def test_kf_messages_become_private_messages_with_kinds() -> None:
    text = inbound_from_kf({"msgid": "m1", "external_userid": "wmX", "origin": 3, "send_time": 1790000000,
                            "msgtype": "text", "text": {"content": " 井盖丢了 \ud800", "menu_id": "1"}})
    assert text is not None
    assert text.is_private
    assert text.text == "井盖丢了 ?"  # a lone surrogate cannot stop the cursor
    card = inbound_from_kf({"msgid": "m2", "external_userid": "wmX", "origin": 3, "msgtype": "business_card",
                            "business_card": {"userid": "x"}})
    assert card is not None
    assert card.kind == "link"
    assert inbound_from_kf({"msgid": "m3", "external_userid": "wmX", "origin": 5, "msgtype": "text",
                            "text": {"content": "hi"}}) is None
    assert inbound_from_kf({"msgid": "m4", "external_userid": "wmX", "origin": 3, "msgtype": "text",
                            "text": {"content": "   "}}) is None


# ---------------------------------------------------------------- welcome


async def test_a_welcome_read_late_is_skipped_and_one_read_twice_is_sent_once(kf: KfRig) -> None:
    kf.fake.kf_customer_enters("wmW1", SCENE_BXL, at=kf.clock.now().timestamp() - 60)  # a minute ago
    kf.fake.kf_customer_enters("wmW2", SCENE_BXL)
    await kf.callback()
    await kf.settle()
    assert [w["code"] for w in kf.fake.kf_welcomed] == [list(kf.fake.kf_welcome_codes)[1]]
    async with kf.bot.db.transaction() as session:  # the page is read again
        row = await session.get(KfCursor, kf.fake.open_kfid)
        assert row is not None
        row.cursor = None
        session.add(row)
    await kf.callback()
    await kf.settle()
    assert len(kf.fake.kf_welcomed) == 1
    assert len(kf.fake.calls("/cgi-bin/kf/send_msg_on_event")) == 1


# ---------------------------------------------------------------- sending within WeChat's limits


async def queue_to(kf: KfRig, user: str, text: str, *, ticket: str | None = None) -> None:
    async with kf.bot.db.transaction() as session:
        await outbox_store.enqueue(session, OutboundMessage(platform="wecom_kf", kind=OutboundKind.notice, text=text,
                                                            user_id=user, ticket=ticket), now=kf.clock.now())


async def resident_wrote(kf: KfRig, user: str, text: str = "谢谢") -> None:
    kf.fake.kf_customer_writes(user, text)
    await kf.callback()
    await kf.settle()


async def test_at_most_five_messages_after_the_residents_last_message(kf: KfRig) -> None:
    await resident_wrote(kf, "wmQ1")
    free = 5 - len(kf.fake.kf_sent)  # what the bot answered to that counts too
    for i in range(6):
        await queue_to(kf, "wmQ1", f"进展 {i}", ticket="261102-001")
    assert await kf.bot.outbox.flush() == free
    assert len(kf.fake.kf_sent) == 5
    rows = await kf.outbox()
    assert sum(r.status == OutboxStatus.failed for r in rows) == 6 - free
    last = rows[-1]
    assert last.status == OutboxStatus.failed
    assert last.last_error is not None
    assert "5 messages already sent" in last.last_error and "261102-001" in last.last_error
    kf.clock.advance(timedelta(minutes=3))
    await resident_wrote(kf, "wmQ1", "收到")  # the resident writes: a new window
    await queue_to(kf, "wmQ1", "办结了")
    assert await kf.bot.outbox.flush() == 1


async def test_nothing_is_sent_after_48_hours(kf: KfRig) -> None:
    await resident_wrote(kf, "wmH1")
    kf.clock.advance(timedelta(hours=49))
    sent = len(kf.fake.kf_sent)
    await queue_to(kf, "wmH1", "工单已办结")
    assert await kf.bot.outbox.flush() == 0
    row = (await kf.outbox())[-1]
    assert row.status == OutboxStatus.failed
    assert row.last_error is not None
    assert "48-hour" in row.last_error
    assert len(kf.fake.kf_sent) == sent  # not even tried


async def test_a_resident_who_never_wrote_gets_nothing(kf: KfRig) -> None:
    await queue_to(kf, "wmNever", "你好")
    assert await kf.bot.outbox.flush() == 0
    row = (await kf.outbox())[-1]
    assert row.last_error is not None
    assert "not written" in row.last_error


@pytest.mark.parametrize(("errcode", "says"), [
    (95001, "5 messages"), (95002, "48-hour"), (95018, "staff member"), (95000, "open_kfid"),
    (48002, "hand 微信客服 over"), (60020, "trusted IPs"), (95017, "API switch is off"),
    (95024, "not written in the last 48 hours"),
])
async def test_each_refusal_from_wechat_fails_the_message_with_its_reason(kf: KfRig, errcode: int,
                                                                          says: str) -> None:
    await resident_wrote(kf, "wmZ1")
    kf.fake.inject(SEND, errcode)
    await queue_to(kf, "wmZ1", "进展")
    assert await kf.bot.outbox.flush() == 0
    row = (await kf.outbox())[-1]
    assert row.status == OutboxStatus.failed
    assert row.last_error is not None
    assert says in row.last_error and f"({errcode})" in row.last_error
    assert "进展" not in row.last_error  # where and why, never the text


async def test_a_conversation_taken_by_staff_is_left_to_them(kf: KfRig) -> None:
    await resident_wrote(kf, "wmS1")
    kf.fake.kf_human.add("wmS1")
    await queue_to(kf, "wmS1", "进展")
    assert await kf.bot.outbox.flush() == 0
    row = (await kf.outbox())[-1]
    assert row.last_error is not None
    assert "95018" in row.last_error


async def test_wechat_saying_the_quota_is_used_stops_further_tries(kf: KfRig) -> None:
    await resident_wrote(kf, "wmU1")
    kf.fake.inject(SEND, 95001)
    tried = len(kf.fake.calls(SEND))
    await queue_to(kf, "wmU1", "一")
    await queue_to(kf, "wmU1", "二")
    assert await kf.bot.outbox.flush() == 0
    assert len(kf.fake.calls(SEND)) == tried + 1  # the second is refused here, not sent to be refused


async def test_busy_and_server_errors_are_retried_within_the_call(kf: KfRig) -> None:
    await resident_wrote(kf, "wmB1")
    sent = len(kf.fake.kf_sent)
    kf.fake.inject(SEND, 45009, 502, -1)
    await queue_to(kf, "wmB1", "进展")
    assert await kf.bot.outbox.flush() == 1
    assert len(kf.fake.kf_sent) == sent + 1


async def test_a_long_text_goes_in_pieces_each_counted(kf: KfRig) -> None:
    await resident_wrote(kf, "wmLong")
    sent = len(kf.fake.kf_sent)
    await queue_to(kf, "wmLong", "\n".join(["很长的一行说明" * 20] * 6))  # 420 bytes a line, 2.5 KB
    assert await kf.bot.outbox.flush() == 1
    pieces = kf.fake.kf_sent[sent:]
    assert len(pieces) == 2
    assert all(len(p["text"]["content"].encode()) <= 2048 for p in pieces)


async def test_a_delivery_failure_reported_later_is_shown_to_admins(kf: KfRig) -> None:
    await resident_wrote(kf, "wmF1")
    await queue_to(kf, "wmF1", "进展")
    assert await kf.bot.outbox.flush() == 1
    msgid = kf.fake.kf_sent[-1]["msgid"]
    kf.fake.kf_event("wmF1", {"event_type": "msg_send_fail", "fail_msgid": msgid, "fail_type": 10})
    await kf.callback()
    await kf.settle()
    row = (await kf.outbox())[-1]
    assert row.status == OutboxStatus.failed
    assert row.last_error is not None
    assert "refuses messages" in row.last_error


async def test_a_file_is_uploaded_and_sent_after_the_text(kf: KfRig, tmp_path: Any) -> None:
    await resident_wrote(kf, "wmI1")
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    async with kf.bot.db.transaction() as session:
        await outbox_store.enqueue(session, OutboundMessage(platform="wecom_kf", kind=OutboundKind.notice,
                                                            text="月报", user_id="wmI1", files=(str(chart),)),
                                   now=kf.clock.now())
    assert await kf.bot.outbox.flush() == 1
    assert [s["msgtype"] for s in kf.fake.kf_sent][-2:] == ["text", "image"]


# ---------------------------------------------------------------- the links to share: `gridbot kf link`


def kf_config(tmp_path: Any, fake: FakeWeCom, db_url: str) -> Any:
    path = tmp_path / "gridbot.toml"
    path.write_text(f"""
[database]
url = "{db_url}"

[wecom_kf]
corp_id = "{CORP}"
secret = "{fake.kf_secret}"
token = "{KF_TOKEN}"
encoding_aes_key = "{KF_KEY}"
open_kfid = "{fake.open_kfid}"
api_base = "{fake.url}"
""", encoding="utf-8")
    return path


async def test_kf_link_prints_a_link_per_bound_scene(tmp_path: Any, fake: FakeWeCom) -> None:
    from typer.testing import CliRunner

    from bot.cli import app
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.roster_store import replace_roster

    db_url = f"sqlite+aiosqlite:///{tmp_path}/kf.db"
    db = Database(db_url)
    await upgrade(db.engine)
    async with db.transaction() as session:
        await replace_roster(session, kf_roster())
    await db.dispose()
    config = kf_config(tmp_path, fake, db_url)
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, app, ["kf", "link", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [(name, scene) for name, scene, _ in lines] == [("八仙楼社区", SCENE_BXL), ("墨池社区第二网格", SCENE_GRID)]
    assert all(url.startswith("https://work.weixin.qq.com/kf/") for *_, url in lines)
    asked = [c.body for c in fake.calls("/cgi-bin/kf/add_contact_way")]
    assert asked == [{"open_kfid": fake.open_kfid, "scene": scene} for scene in (SCENE_BXL, SCENE_GRID)]

    other = await asyncio.to_thread(runner.invoke, app, ["kf", "link", "--config", str(config), "--json",
                                                          "--open-kfid", "wkOTHER", "--scene", SCENE_BXL])
    assert other.exit_code == 1  # WeChat does not know that account
    assert "95000" in other.output
    bad = await asyncio.to_thread(runner.invoke, app, ["kf", "link", "--config", str(config), "--scene", "八仙楼"])
    assert bad.exit_code == 1
    assert "0-9, a-z" in bad.output


async def test_kf_link_without_scenes_says_how_to_add_them(tmp_path: Any, fake: FakeWeCom) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    config = kf_config(tmp_path, fake, f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    result = await asyncio.to_thread(CliRunner().invoke, app, ["kf", "link", "--config", str(config)])
    assert result.exit_code == 1
    assert "platform wecom_kf" in result.output
    assert fake.calls("/cgi-bin/kf/add_contact_way") == []


def test_roster_check_refuses_a_scene_wechat_would_not_take() -> None:
    from bot.roster import validate

    roster = kf_roster()
    roster.chats.append(Chat("八仙楼 link", "c-baxianlou", "wecom_kf", "bad"))
    roster.chats.append(Chat("x" * 33, "c-baxianlou", "wecom_kf", "too long"))
    problems = [p for p in validate(roster) if "wecom_kf chat_id" in p]
    assert len(problems) == 2
    assert not [p for p in validate(kf_roster()) if "wecom_kf" in p]


def test_wecom_kf_config_section() -> None:
    settings = load_settings(None, wecom_kf__corp_id=CORP, wecom_kf__secret="s", wecom_kf__token="t",
                             wecom_kf__encoding_aes_key=KF_KEY, wecom_kf__open_kfid="wk1")
    assert settings.wecom_kf.configured
    assert settings.wecom_kf.api_base == "https://qyapi.weixin.qq.com"
    shown = settings.redacted()["wecom_kf"]
    assert shown["secret"] == "**********" and shown["encoding_aes_key"] == "**********"
    assert not load_settings(None, wecom_kf__corp_id=CORP).wecom_kf.configured


async def test_one_unstorable_message_does_not_stop_the_cursor(kf: KfRig) -> None:
    kf.fake.kf_customer_writes("wm\x07bell", "带控制字符的用户")  # an id the inbound log refuses
    kf.fake.kf_customer_writes("wmLongText", "长" * 5000)
    kf.fake.kf_customer_writes("wmFine", "谢谢")
    await kf.callback()
    await kf.settle()
    rows = await kf.inbound()
    assert [(r.user_id, len(r.text)) for r in rows] == [("wmLongText", 4000), ("wmFine", 2)]
    assert await kf.cursor() == "c3"


# ---------------------------------------------------------------- events: recalls, send failures, sessions


async def words_kept_anywhere(kf: KfRig, words: str) -> list[str]:
    """Where the bot still keeps `words`: the inbound log, tickets, their reporters and events, the outbox."""
    async with kf.bot.db.session() as session:
        found = [f"inbound {r.id}" for r in (await session.exec(select(InboundLog))).all() if words in r.text]
        found += [f"ticket {t.no}" for t in (await session.exec(select(Ticket))).all() if words in t.text]
        found += [f"reporter {r.id}" for r in (await session.exec(select(TicketReporter))).all() if words in r.text]
        found += [f"event {e.id}" for e in (await session.exec(select(TicketEvent))).all() if words in (e.note or "")]
        found += [f"outbox {o.id}" for o in (await session.exec(select(Outbox))).all() if words in o.text]
    return found


async def filed_by_kf(kf: KfRig, user: str, words: str, scene: str = SCENE_GRID) -> tuple[Ticket, str]:
    kf.fake.kf_customer_enters(user, scene)
    msgid = kf.fake.kf_customer_writes(user, words)["msgid"]
    await kf.callback()
    await kf.settle()
    async with kf.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    return ticket, msgid


async def one_ticket(kf: KfRig) -> Ticket:
    async with kf.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
        return ticket


async def test_a_recalled_report_nobody_acted_on_is_withdrawn_and_its_words_are_gone(kf: KfRig) -> None:
    words = "7号楼东侧的井盖被人偷了，晚上看不见很危险"
    ticket, msgid = await filed_by_kf(kf, "wmRc1", words)
    assert await words_kept_anywhere(kf, words)  # the report, its events, the handler's notice …
    sent = len(kf.fake.kf_sent)
    kf.fake.kf_event("wmRc1", {"event_type": "user_recall_msg", "recall_msgid": msgid})
    await kf.callback()
    await kf.settle()
    ticket = await one_ticket(kf)
    assert (ticket.state, ticket.resolution) == ("closed", "withdrawn")
    assert await words_kept_anywhere(kf, words) == []
    [told] = kf.fake.kf_sent[sent:]
    assert told["touser"] == "wmRc1" and ticket.no in told["text"]["content"] and "撤回" in told["text"]["content"]
    async with kf.bot.db.session() as session:
        notices = (await session.exec(select(Outbox).where(Outbox.platform == "wecom_app"))).all()
    assert any(ticket.no in n.text and "撤回" in n.text for n in notices[-1:])  # the handler is told


async def test_a_recalled_report_staff_already_accepted_stays_open_without_the_words(kf: KfRig) -> None:
    words = "3号楼楼顶的太阳能热水器被风吹歪了，随时可能掉下来"
    ticket, msgid = await filed_by_kf(kf, "wmRc2", words)
    kf.fake.kf_customer_writes(WORKER_KF_ID, f"受理 {ticket.no}")
    await kf.callback()
    await kf.settle()
    sent = len(kf.fake.kf_sent)
    kf.fake.kf_event("wmRc2", {"event_type": "user_recall_msg", "recall_msgid": msgid})
    await kf.callback()
    await kf.settle()
    kept = await one_ticket(kf)
    assert (kept.state, kept.category, kept.due_at) == ("accepted", ticket.category, ticket.due_at)
    assert await words_kept_anywhere(kf, words) == []
    async with kf.bot.db.session() as session:
        events = (await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == kept.id)
                                     .order_by(TicketEvent.id))).all()  # type: ignore[arg-type]
    assert [e.action for e in events][-1] == "recalled"
    [told] = kf.fake.kf_sent[sent:]
    assert f"撤回 {kept.no}" in told["text"]["content"]  # how to withdraw it, if they mean to


async def test_a_report_and_its_recall_in_one_page_leave_nothing_open_and_no_words(kf: KfRig) -> None:
    words = "小区南门的路灯一直闪，晚上晃眼睛"
    kf.fake.kf_customer_enters("wmRc3", SCENE_BXL)
    msgid = kf.fake.kf_customer_writes("wmRc3", words)["msgid"]
    kf.fake.kf_event("wmRc3", {"event_type": "user_recall_msg", "recall_msgid": msgid})
    await kf.callback()
    await kf.settle()
    async with kf.bot.db.session() as session:
        tickets = (await session.exec(select(Ticket))).all()
    assert all(t.state == "closed" for t in tickets)
    assert await words_kept_anywhere(kf, words) == []


async def test_a_recall_of_a_message_the_bot_never_read_or_of_someone_else_does_nothing(kf: KfRig) -> None:
    ticket, msgid = await filed_by_kf(kf, "wmRc4", "9号楼的电梯按钮坏了好几个")
    sent = len(kf.fake.kf_sent)
    kf.fake.kf_event("wmRc4", {"event_type": "user_recall_msg", "recall_msgid": "never-seen-msgid"})
    kf.fake.kf_event("wmOther", {"event_type": "user_recall_msg", "recall_msgid": msgid})  # not theirs
    await kf.callback()
    await kf.settle()
    assert (await one_ticket(kf)).state == ticket.state == "reported"
    assert kf.fake.kf_sent[sent:] == []  # a recall is silent; nothing to say about these


async def test_a_recall_opens_no_reply_window(kf: KfRig) -> None:
    _, msgid = await filed_by_kf(kf, "wmRc5", "12号楼垃圾三天没人收了")
    kf.clock.advance(timedelta(hours=47))
    kf.fake.kf_event("wmRc5", {"event_type": "user_recall_msg", "recall_msgid": msgid})
    await kf.callback()
    await kf.settle()
    kf.clock.advance(timedelta(hours=2))  # 49 h after the resident last wrote, 2 h after the recall
    sent = len(kf.fake.kf_sent)
    await queue_to(kf, "wmRc5", "进展")
    assert await kf.bot.outbox.flush() == 0
    assert len(kf.fake.kf_sent) == sent
    row = (await kf.outbox())[-1]
    assert row.last_error is not None and "48-hour" in row.last_error


async def test_a_send_failure_of_a_message_not_the_bots_is_logged(kf: KfRig, caplog: pytest.LogCaptureFixture) -> None:
    await resident_wrote(kf, "wmF2")
    kf.fake.kf_event("wmF2", {"event_type": "msg_send_fail", "fail_msgid": "staff-msg-1", "fail_type": 13})
    with caplog.at_level("WARNING", logger="bot.transport.wecom_kf"):
        await kf.callback()
        await kf.settle()
    assert any("staff-msg-1" in r.getMessage() and "security" in r.getMessage() for r in caplog.records)


async def test_session_and_servicer_changes_are_recorded_and_never_answered(
        kf: KfRig, caplog: pytest.LogCaptureFixture) -> None:
    await resident_wrote(kf, "wmSs1")
    sent = len(kf.fake.kf_sent)
    kf.fake.kf_event("wmSs1", {"event_type": "session_status_change", "change_type": 1,
                               "new_servicer_userid": "zhangsan"})
    kf.fake.kf_event(None, {"event_type": "servicer_status_change", "servicer_userid": "zhangsan", "status": 2,
                            "stop_type": 1})
    with caplog.at_level("INFO", logger="bot.transport.wecom_kf"):
        await kf.callback()
        await kf.settle()
    async with kf.bot.db.session() as session:
        customer = await session.get(KfCustomer, "wmSs1")
    assert customer is not None and customer.servicer == "zhangsan"
    assert any("zhangsan" in r.getMessage() and "status 2" in r.getMessage() for r in caplog.records)
    kf.fake.kf_event("wmSs1", {"event_type": "session_status_change", "change_type": 3,
                               "old_servicer_userid": "zhangsan"})
    kf.fake.kf_customer_writes("wmSs1", "谢谢")
    await kf.callback()
    await kf.settle()
    async with kf.bot.db.session() as session:
        customer = await session.get(KfCustomer, "wmSs1", populate_existing=True)
    assert customer is not None and customer.servicer is None  # ended: the bot's again
    assert len(kf.fake.kf_sent) == sent + 1  # only the answer to 谢谢; no word about the session events
