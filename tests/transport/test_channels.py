"""Webhook robots, the smart robot, the 公众号 and the bridge, end to end."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select

from bot.audience import Audience
from bot.context import Context
from bot.events import URGENT, OutboundKind, OutboundMessage
from bot.nlp.parser import get_parser
from bot.transport.base import RateLimited
from bot.transport.bridge import MAX_MEDIA_BODY, sign
from bot.transport.wecom_api import RateLimiter, WeComApi
from bot.transport.wecom_crypto import WeComCrypto, sha1_signature
from bot.transport.wecom_robot import WeComRobotChannel
from bot.transport.xml import parse_xml, render_xml
from storage import outbox_store
from storage.models import InboundLog, Outbox, OutboxStatus, Ticket
from tests.photo_files import phone_jpeg
from tests.transport.conftest import (
    BRIDGE_SECRET,
    MP_KEY,
    MP_TOKEN,
    ROBOT_KEY,
    ROBOT_TOKEN,
    FakeTime,
    Rig,
    elapsed,
    json_of,
    text_xml,
)


async def queue(rig: Rig, message: OutboundMessage) -> None:
    async with rig.bot.db.transaction() as session:
        await outbox_store.enqueue(session, message, now=rig.clock.now())


async def outbox_rows(rig: Rig) -> list[Outbox]:
    async with rig.bot.db.session() as session:
        return list((await session.exec(select(Outbox).order_by(Outbox.id))).all())  # type: ignore[arg-type]


# ---------------------------------------------------------------- webhook robots


async def test_webhook_keeps_to_20_messages_a_minute_per_robot_with_room_for_urgent(rig: Rig) -> None:
    for i in range(25):
        await queue(rig, OutboundMessage(platform="webhook", kind=OutboundKind.reminder, text=f"提醒 {i}",
                                         chat_id="key-grid1"))
    await queue(rig, OutboundMessage(platform="webhook", kind=OutboundKind.reminder, text="other robot",
                                     chat_id="key-grid2"))
    start = time.perf_counter()
    assert await rig.bot.outbox.flush() == 18  # 17 normal for grid1 (3 of 20 kept for urgent), 1 for grid2
    posts = rig.fake.calls("/cgi-bin/webhook/send")
    assert sum(p.query["key"] == "key-grid1" for p in posts) == 17
    assert json_of(posts[0]) == {"msgtype": "markdown", "markdown": {"content": "提醒 0"}}
    await queue(rig, OutboundMessage(platform="webhook", kind=OutboundKind.notice, text="紧急", chat_id="key-grid1",
                                     priority=URGENT))
    assert await rig.bot.outbox.flush() == 1  # an urgent one still goes at once, ahead of the 8 waiting
    rows = await outbox_rows(rig)
    assert sum(r.status == OutboxStatus.pending for r in rows) == 8  # kept, not failed
    assert all(r.attempts == 0 for r in rows if r.status == OutboxStatus.pending)  # no attempt counted
    assert all("key-grid1" not in (r.last_error or "") for r in rows)  # the key stays secret
    assert rig.fake.refused == []  # WeCom never had to say no
    rig.time.now += 60
    rig.clock.advance(timedelta(minutes=1))
    assert await rig.bot.outbox.flush() == 8
    assert len(rig.fake.calls("/cgi-bin/webhook/send")) == 27
    assert elapsed(start) < 5  # no real sleeping


async def test_rate_limiter_windows_and_the_urgent_reserve(fake_time: FakeTime) -> None:
    limiter = RateLimiter(20, 60.0, reserve=3, monotonic=fake_time.monotonic)
    for _ in range(17):
        limiter.acquire("k")
    with pytest.raises(RateLimited) as info:  # the normal share is used up: back to the outbox
        limiter.acquire("k")
    assert info.value.retryable
    assert info.value.retry_after == 60.0
    for _ in range(3):
        limiter.acquire("k", urgent=True)  # the reserve
    with pytest.raises(RateLimited):
        limiter.acquire("k", urgent=True)
    fake_time.now += 40
    assert limiter.wait_time("k") == 20.0
    limiter.acquire("other")  # another robot is not held up
    fake_time.now += 20
    limiter.acquire("k")
    assert fake_time.sleeps == []  # it never sleeps


async def test_webhook_bad_key_fails_without_leaking_it(rig: Rig) -> None:
    await queue(rig, OutboundMessage(platform="webhook", kind=OutboundKind.notice, text="x",
                                     chat_id="bogus-secret-key"))
    assert await rig.bot.outbox.flush() == 0
    [row] = await outbox_rows(rig)
    assert row.status == OutboxStatus.failed
    assert "93000" in (row.last_error or "")
    assert "bogus-secret-key" not in (row.last_error or "")


async def test_webhook_image(rig: Rig) -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    await rig.channels["webhook"].sender.send_image("key-grid1", data)
    image = json_of(rig.fake.calls("/cgi-bin/webhook/send")[0])["image"]
    assert image["md5"] == hashlib.md5(data).hexdigest()


# ---------------------------------------------------------------- smart robot (智能机器人)


def robot_crypto(rig: Rig) -> WeComCrypto:
    return WeComCrypto(ROBOT_TOKEN, ROBOT_KEY, "", strict_receive_id=False, now=lambda: float(rig.ts))


async def post_robot(rig: Rig, payload: dict, *, nonce: str = "5") -> tuple[int, str]:
    crypto = robot_crypto(rig)
    encrypt = crypto.encrypt(json.dumps(payload, ensure_ascii=False))
    response = await rig.client.post("/wecom/robot/callback", params={
        "msg_signature": crypto.signature(rig.ts, nonce, encrypt), "timestamp": rig.ts, "nonce": nonce},
        json={"encrypt": encrypt})
    return response.status, await response.text()


def group_message(rig: Rig, msg_id: str = "robot-1", text: str = "@网格通 帮助") -> dict:
    return {"msgid": msg_id, "aibotid": "bot1", "chatid": "wrgroup1", "chattype": "group",
            "from": {"userid": "zhangsan"}, "response_url": f"{rig.fake.url}/robot/response/{msg_id}",
            "msgtype": "text", "text": {"content": text}}


def held_handler(rig: Rig, channel: str) -> asyncio.Event:
    """A handler that answers “您的报修已受理” only once the returned event is set, and a channel
    that holds its callback's answer for 50 ms: the reply comes too late to go back passively."""
    release = asyncio.Event()

    async def slow(ctx: Context) -> bool:
        await release.wait()
        await ctx.reply("您的报修已受理")
        return True

    rig.bot.registry.text_handlers.insert(0, (slow, Audience.public))
    rig.channels[channel].passive_wait = 0.05
    return release


async def test_robot_url_verification(rig: Rig) -> None:
    crypto = robot_crypto(rig)
    echo = crypto.encrypt("8732145")
    response = await rig.client.get("/wecom/robot/callback", params={
        "msg_signature": crypto.signature(rig.ts, "9", echo), "timestamp": rig.ts, "nonce": "9", "echostr": echo})
    assert response.status == 200
    assert await response.text() == "8732145"


def opened(rig: Rig, text: str) -> str:
    answer = json.loads(text)  # the answer is encrypted JSON, signed
    return robot_crypto(rig).open(answer["msgsignature"], answer["timestamp"], answer["nonce"], answer["encrypt"])


async def test_robot_group_mention_is_answered_in_the_callback_as_a_finished_stream(rig: Rig) -> None:
    status, text = await post_robot(rig, group_message(rig))
    assert status == 200
    reply = json.loads(opened(rig, text))
    assert reply["msgtype"] == "stream" and reply["stream"]["finish"] is True and reply["stream"]["id"]
    assert "帮助" in reply["stream"]["content"] or "工单" in reply["stream"]["content"]
    # WeCom retries only when our answer did not reach it: the retry is answered again, the same
    # words, signed with the retry's own timestamp and nonce.
    status, text = await post_robot(rig, group_message(rig), nonce="6")
    assert status == 200
    again = json.loads(opened(rig, text))
    assert again["stream"]["content"] == reply["stream"]["content"]
    assert (json.loads(text)["nonce"], json.loads(text)["timestamp"]) == ("6", rig.ts)
    assert await rig.settle() == 0  # nothing left for response_url
    async with rig.bot.db.session() as session:
        [row] = (await session.exec(select(InboundLog))).all()
    assert (row.chat_id, row.user_id, row.text, row.mentions_bot) == ("wrgroup1", "zhangsan", "帮助", True)
    [out] = await outbox_rows(rig)
    assert out.status == OutboxStatus.sent and (out.claimed_by or "").startswith("passive:")
    assert rig.fake.requests == []
    assert rig.channels["wecom_robot"]._urls == {}  # answered: its response_url is not kept


async def test_robot_answers_empty_when_recording_alone_used_up_the_time(rig: Rig) -> None:
    rig.channels["wecom_robot"].passive_wait = 0.0  # as if recording had taken the whole wait
    status, text = await post_robot(rig, group_message(rig))
    assert status == 200 and opened(rig, text) == ""  # no replies taken that WeCom might not receive
    assert await rig.settle() == 1
    [reply] = rig.fake.requests
    assert reply.path == "/robot/response/robot-1"


async def test_robot_slow_handling_answers_empty_then_through_response_url(rig: Rig) -> None:
    release = held_handler(rig, "wecom_robot")
    status, text = await post_robot(rig, group_message(rig, text="@网格通 楼道灯坏了"))
    assert status == 200 and opened(rig, text) == ""
    release.set()
    assert await rig.settle() == 1
    [reply] = rig.fake.requests
    assert reply.path == "/robot/response/robot-1"
    assert json_of(reply) == {"msgtype": "markdown", "markdown": {"content": "您的报修已受理"}}


async def test_robot_welcomes_a_first_visit_in_its_own_answer(rig: Rig) -> None:
    event = {"msgid": "ev-1", "aibotid": "bot1", "chattype": "single", "from": {"userid": "zhangsan"},
             "msgtype": "event", "event": {"eventtype": "enter_chat"}}
    status, text = await post_robot(rig, event)
    assert status == 200
    answer = json.loads(text)
    welcome = json.loads(robot_crypto(rig).open(answer["msgsignature"], answer["timestamp"], answer["nonce"],
                                                answer["encrypt"]))
    assert welcome["msgtype"] == "text"
    assert "帮助" in welcome["text"]["content"] and "工单" in welcome["text"]["content"]
    await rig.settle()
    async with rig.bot.db.session() as session:
        assert (await session.exec(select(InboundLog))).all() == []  # an event is answered, not recorded
    assert rig.fake.requests == []


async def test_robot_picture_alone_is_kept_and_asked_about_and_a_captioned_one_is_read(rig: Rig) -> None:
    url, aeskey = rig.fake.robot_picture(phone_jpeg())
    picture = {**group_message(rig, "robot-p"), "msgtype": "image", "image": {"url": url, "aeskey": aeskey}}
    del picture["text"]
    captioned = {**group_message(rig, "robot-q"), "msgtype": "mixed", "mixed": {"msg_item": [
        {"msgtype": "image", "image": {"url": "https://example.invalid/y"}},
        {"msgtype": "text", "text": {"content": "@网格通 帮助"}}]}}
    untranscribed = {**group_message(rig, "robot-v"), "msgtype": "voice", "voice": {"content": ""}}
    answers = [opened(rig, (await post_robot(rig, payload))[1]) for payload in (picture, captioned, untranscribed)]
    await rig.settle()
    async with rig.bot.db.session() as session:
        rows = (await session.exec(select(InboundLog).order_by(InboundLog.id))).all()  # type: ignore[arg-type]
    assert [(r.kind, r.text) for r in rows] == [("image", ""), ("text", "帮助"), ("voice", "")]
    assert "照片已收到" in json.loads(answers[0])["stream"]["content"]  # kept; what is wrong, and where?
    assert "语音" in json.loads(answers[2])["stream"]["content"]


def test_robot_welcome_can_be_replaced_or_turned_off() -> None:
    crypto = WeComCrypto(ROBOT_TOKEN, ROBOT_KEY, "", strict_receive_id=False)

    def answer(welcome: str) -> str:
        channel = WeComRobotChannel(crypto, None, WeComApi("http://unused", None), welcome=lambda: welcome)
        sealed = json.loads(channel._welcome().text or "")
        return crypto.open(sealed["msgsignature"], sealed["timestamp"], sealed["nonce"], sealed["encrypt"])

    assert json.loads(answer("欢迎来到八仙楼社区"))["text"]["content"] == "欢迎来到八仙楼社区"
    assert answer("") == ""  # an empty (encrypted) answer: no welcome


async def test_robot_without_an_open_response_url_fails_clearly(rig: Rig) -> None:
    await queue(rig, OutboundMessage(platform="wecom_robot", kind=OutboundKind.notice, text="x", chat_id="wrgroup9"))
    await rig.bot.outbox.flush()
    [row] = await outbox_rows(rig)
    assert row.status == OutboxStatus.failed
    assert "can only answer" in (row.last_error or "")


async def test_robot_rejects_bad_json_and_forged_signature(rig: Rig) -> None:
    bad = await rig.client.post("/wecom/robot/callback", params={"msg_signature": "x", "timestamp": rig.ts,
                                                                  "nonce": "1"}, data=b"{not json")
    assert bad.status == 400
    crypto = robot_crypto(rig)
    encrypt = crypto.encrypt(json.dumps(group_message(rig)))
    forged = await rig.client.post("/wecom/robot/callback", params={"msg_signature": "f" * 40, "timestamp": rig.ts,
                                                                     "nonce": "1"}, json={"encrypt": encrypt})
    assert forged.status == 403
    await rig.settle()
    async with rig.bot.db.session() as session:
        assert (await session.exec(select(InboundLog))).all() == []


# ---------------------------------------------------------------- 公众号


def mp_crypto(rig: Rig) -> WeComCrypto:
    return WeComCrypto(MP_TOKEN, MP_KEY, rig.fake.app_id, now=lambda: float(rig.ts))


async def post_mp(rig: Rig, plain: str, *, nonce: str = "77") -> tuple[int, str]:
    crypto = mp_crypto(rig)
    encrypt = crypto.encrypt(plain)
    params = {"signature": sha1_signature(MP_TOKEN, rig.ts, nonce), "timestamp": rig.ts, "nonce": nonce,
              "encrypt_type": "aes", "msg_signature": crypto.signature(rig.ts, nonce, encrypt), "openid": "o-wang"}
    response = await rig.client.post("/mp/callback", params=params,
                                     data=render_xml({"ToUserName": "gh_account", "Encrypt": encrypt}).encode())
    return response.status, await response.text()


def mp_answer(rig: Rig, text: str) -> dict[str, str]:
    """The passive reply inside an encrypted 公众号 answer."""
    envelope = parse_xml(text)
    return parse_xml(mp_crypto(rig).open(envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"],
                                         envelope["Encrypt"]))


def mp_text(rig: Rig, content: str, msg_id: str) -> str:
    return text_xml("o-wang", content, msg_id, to="gh_account", create=int(rig.clock.now().timestamp()))


async def test_mp_url_verification_returns_echostr_as_is(rig: Rig) -> None:
    params = {"signature": sha1_signature(MP_TOKEN, rig.ts, "1"), "timestamp": rig.ts, "nonce": "1",
              "echostr": "4375120948345356249"}
    response = await rig.client.get("/mp/callback", params=params)
    assert await response.text() == "4375120948345356249"
    params["signature"] = "0" * 40
    assert (await rig.client.get("/mp/callback", params=params)).status == 403


async def test_mp_passive_reply_inside_the_callback(rig: Rig) -> None:
    status, text = await post_mp(rig, mp_text(rig, "帮助", "mp-1"))
    assert status == 200
    reply = mp_answer(rig, text)
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == ("o-wang", "gh_account", "text")
    assert reply["Content"]
    assert await rig.settle() == 0  # already answered: nothing left for the customer-service API
    assert rig.fake.calls("/cgi-bin/message/custom/send") == []
    [row] = await outbox_rows(rig)
    assert row.status == OutboxStatus.sent
    # WeChat retries only when our answer did not reach it in time: the retry gets it again.
    status, text = await post_mp(rig, mp_text(rig, "帮助", "mp-1"), nonce="78")
    assert status == 200 and mp_answer(rig, text)["Content"] == reply["Content"]
    assert parse_xml(text)["Nonce"] == "78"
    assert await rig.settle() == 0
    assert rig.fake.calls("/cgi-bin/message/custom/send") == []


async def test_mp_answer_the_platform_stopped_waiting_for_goes_by_customer_service(rig: Rig) -> None:
    """The handlers finish after WeChat gave up on the callback: the answer cannot be written, so
    its replies are not taken as delivered; the customer-service API carries them."""
    release = held_handler(rig, "mp")
    rig.channels["mp"].passive_wait = 2.0
    body = mp_text(rig, "楼道灯坏了", "mp-gone")
    nonce = "55"
    encrypt = mp_crypto(rig).encrypt(body)
    params = {"signature": sha1_signature(MP_TOKEN, rig.ts, nonce), "timestamp": rig.ts, "nonce": nonce,
              "encrypt_type": "aes", "msg_signature": mp_crypto(rig).signature(rig.ts, nonce, encrypt)}
    envelope = render_xml({"ToUserName": "gh_account", "Encrypt": encrypt}).encode()
    asyncio.get_running_loop().call_later(0.5, release.set)
    with pytest.raises(asyncio.TimeoutError):  # WeChat stops waiting
        await rig.client.post("/mp/callback", params=params, data=envelope, timeout=aiohttp.ClientTimeout(total=0.2))
    await asyncio.sleep(0.6)  # the handlers finish, the answer finds no one
    assert await rig.settle() == 1
    [sent] = rig.fake.calls("/cgi-bin/message/custom/send")
    assert json_of(sent)["text"]["content"] == "您的报修已受理"
    [row] = await outbox_rows(rig)
    assert row.status == OutboxStatus.sent and not (row.claimed_by or "").startswith("passive:")


async def test_mp_slow_handling_answers_success_then_customer_service(rig: Rig) -> None:
    release = held_handler(rig, "mp")
    status, text = await post_mp(rig, mp_text(rig, "楼道灯坏了", "mp-2"))
    assert (status, text) == (200, "success")
    release.set()
    assert await rig.settle() == 1
    [sent] = rig.fake.calls("/cgi-bin/message/custom/send")
    assert json_of(sent) == {"touser": "o-wang", "msgtype": "text", "text": {"content": "您的报修已受理"}}


async def test_mp_answers_success_when_recording_alone_used_up_the_time(rig: Rig) -> None:
    rig.channels["mp"].passive_wait = 0.0  # counted from the callback's arrival, like the robot's
    assert await post_mp(rig, mp_text(rig, "帮助", "mp-late")) == (200, "success")
    assert await rig.settle() == 1  # the reply goes as a customer-service message instead
    assert len(rig.fake.calls("/cgi-bin/message/custom/send")) == 1


async def test_mp_48_hour_window(rig: Rig) -> None:
    await post_mp(rig, mp_text(rig, "帮助", "mp-3"))
    await rig.settle()
    message = OutboundMessage(platform="mp", kind=OutboundKind.notice, text="工单已办结", user_id="o-wang")
    rig.clock.advance(timedelta(hours=47))
    await queue(rig, message)
    assert await rig.bot.outbox.flush() == 1  # inside the window
    rig.clock.advance(timedelta(hours=2))
    await queue(rig, message)
    assert await rig.bot.outbox.flush() == 0
    last = (await outbox_rows(rig))[-1]
    assert last.status == OutboxStatus.failed
    assert "48-hour window closed" in (last.last_error or "")
    assert len(rig.fake.calls("/cgi-bin/message/custom/send")) == 1
    health = await (await rig.client.get("/healthz")).json()
    assert health["outbox"]["failed"] == 1
    assert "48-hour window closed" in health["outbox"]["last_error"]  # the admin sees why


async def test_mp_45015_from_wechat_is_the_same_clear_note(rig: Rig) -> None:
    await post_mp(rig, mp_text(rig, "帮助", "mp-4"))
    await rig.settle()
    rig.fake.inject("/cgi-bin/message/custom/send", 45015)
    await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text="x", user_id="o-wang"))
    await rig.bot.outbox.flush()
    assert "48-hour window closed" in ((await outbox_rows(rig))[-1].last_error or "")


async def test_mp_quota_used_up_by_wechats_count_stops_further_tries(rig: Rig) -> None:
    await post_mp(rig, mp_text(rig, "帮助", "mp-5"))
    await rig.settle()
    rig.fake.inject("/cgi-bin/message/custom/send", 45047)
    tried = len(rig.fake.calls("/cgi-bin/message/custom/send"))
    for text in ("一", "二"):
        await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text=text, user_id="o-wang"))
    assert await rig.bot.outbox.flush() == 0
    assert len(rig.fake.calls("/cgi-bin/message/custom/send")) == tried + 1  # the second is not sent to be refused
    assert all("quota" in (row.last_error or "") for row in (await outbox_rows(rig))[-2:])


async def test_mp_rejects_plaintext_when_in_safe_mode_and_entity_tricks(rig: Rig) -> None:
    params = {"signature": sha1_signature(MP_TOKEN, rig.ts, "1"), "timestamp": rig.ts, "nonce": "1"}
    plain = await rig.client.post("/mp/callback", params=params, data=mp_text(rig, "hi", "mp-5").encode())
    assert plain.status == 403
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'
    response = await rig.client.post("/mp/callback", params={**params, "encrypt_type": "aes"}, data=bomb.encode())
    assert response.status == 400


# ---------------------------------------------------------------- bridge


def bridge_body(msg_id: str = "b-1", text: str = "帮助", **extra: object) -> bytes:
    data = {"msg_id": msg_id, "chat_id": "wxgroup@chatroom", "user_id": "wxid_wang", "user_name": "老王",
            "text": text, "at": True, **extra}
    return json.dumps(data, ensure_ascii=False).encode()


async def post_bridge(rig: Rig, body: bytes, *, ts: str | None = None, signature: str | None = None):
    headers = {"Content-Type": "application/json", "X-Gridbot-Timestamp": ts or rig.ts,
               "X-Gridbot-Signature": signature or sign(BRIDGE_SECRET, body)}
    return await rig.client.post("/bridge/messages", data=body, headers=headers)


async def test_bridge_round_trip_signed_both_ways(rig: Rig) -> None:
    response = await post_bridge(rig, bridge_body())
    assert response.status == 200
    assert await response.json() == {"ok": True, "duplicate": False}
    again = await post_bridge(rig, bridge_body())
    assert await again.json() == {"ok": True, "duplicate": True}
    assert await rig.settle() == 2
    pointer, answer = rig.fake.calls("/gateway/outbound")  # 帮助 in a group: answered privately
    for out in (pointer, answer):
        assert out.headers["X-Gridbot-Signature"] == sign(BRIDGE_SECRET, out.raw)
        assert abs(int(out.headers["X-Gridbot-Timestamp"]) - int(rig.ts)) <= 1
    body = json.loads(pointer.raw)
    assert (body["chat_id"], body["user_id"], body["kind"]) == ("wxgroup@chatroom", "wxid_wang", "reply")
    assert isinstance(body["id"], int)
    assert body["text"] == "已私信回复您。"
    body = json.loads(answer.raw)
    assert (body["chat_id"], body["user_id"], body["kind"]) == (None, "wxid_wang", "reply")
    assert "帮助" in body["text"]


async def test_bridge_photos_are_talk_in_the_group_and_get_a_hint_when_addressed(rig: Rig) -> None:
    for msg_id, at in (("p-1", False), ("p-2", True)):
        body = json.dumps({"msg_id": msg_id, "chat_id": "wxgroup@chatroom", "user_id": "wxid_wang",
                           "kind": "image", "at": at}).encode()
        assert (await post_bridge(rig, body)).status == 200
    assert await rig.settle() == 2  # only the photo that @-mentions the bot is answered (privately)
    pointer, out = rig.fake.calls("/gateway/outbound")
    assert json.loads(pointer.raw)["chat_id"] == "wxgroup@chatroom" and "文字" not in json.loads(pointer.raw)["text"]
    assert "文字" in json.loads(out.raw)["text"] and json.loads(out.raw)["chat_id"] is None
    for bad in ({"kind": "sticker"}, {"kind": []}, {"text": "\ud800 3号楼"}):
        body = json.dumps({"msg_id": "p-3", "user_id": "u", **bad}).encode()  # the JSON escape of a lone surrogate
        assert (await post_bridge(rig, body)).status == 400
    captioned = json.dumps({"msg_id": "p-4", "user_id": "u", "kind": "image", "text": "帮助"}).encode()
    silent = json.dumps({"msg_id": "p-5", "user_id": "u", "kind": "voice", "text": None, "chat_id": "g",
                         "at": False}).encode()
    for body in (captioned, silent):
        assert (await post_bridge(rig, body)).status == 200
    await rig.settle()
    async with rig.bot.db.session() as session:
        stored = {r.msg_id: (r.kind, r.text) for r in (await session.exec(select(InboundLog))).all()}
    assert (stored["p-4"], stored["p-5"]) == (("text", "帮助"), ("voice", ""))  # words win over the kind


async def test_bridge_recall_withdraws_the_report_nobody_acted_on_and_hides_its_words(rig: Rig) -> None:
    words = "八仙楼社区6号楼地下车库的排水沟堵了，积水很深"
    report = {"msg_id": "r-1", "user_id": "wxid_li", "text": words}
    assert (await post_bridge(rig, json.dumps(report, ensure_ascii=False).encode())).status == 200
    await rig.settle()
    async with rig.bot.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    assert ticket.state == "reported"
    for bad in ({}, {"recalls": ""}, {"recalls": 7}):  # which message is taken back must be said
        body = json.dumps({"msg_id": "r-bad", "user_id": "wxid_li", "kind": "recall", **bad}).encode()
        assert (await post_bridge(rig, body)).status == 400
    recall = {"msg_id": "r-2", "user_id": "wxid_li", "kind": "recall", "recalls": "r-1"}
    assert (await post_bridge(rig, json.dumps(recall).encode())).status == 200
    await rig.settle()
    async with rig.bot.db.session() as session:
        ticket = (await session.exec(select(Ticket))).one()
        kept = [r.text for r in (await session.exec(select(InboundLog))).all()]
        kept += [t.text for t in (await session.exec(select(Outbox))).all()]
    assert (ticket.state, ticket.resolution) == ("closed", "withdrawn")
    assert words not in ticket.text and not any(words in t for t in kept)
    told = json.loads(rig.fake.calls("/gateway/outbound")[-1].raw)
    assert told["user_id"] == "wxid_li" and ticket.no in told["text"]


async def test_mp_voice_with_recognition_is_read_and_a_picture_is_kept(rig: Rig) -> None:
    voice = render_xml({"ToUserName": "gh_account", "FromUserName": "o-wang", "CreateTime": int(rig.ts),
                        "MsgType": "voice", "MediaId": "m1", "Format": "amr", "Recognition": "帮助", "MsgId": "v-1"})
    _, text = await post_mp(rig, voice)
    reply = mp_answer(rig, text)
    assert "工单" in reply["Content"]  # the recognised words were handled like typed ones (帮助)
    picture = render_xml({"ToUserName": "gh_account", "FromUserName": "o-wang", "CreateTime": int(rig.ts),
                          "MsgType": "image", "PicUrl": "https://example.invalid/p.jpg",
                          "MediaId": rig.fake.member_sends(phone_jpeg()), "MsgId": "i-1"})
    _, text = await post_mp(rig, picture, nonce="79")
    reply = mp_answer(rig, text)
    assert "照片已收到" in reply["Content"]  # fetched by media/get, kept; what is wrong, and where?


async def test_bridge_refuses_bad_signature_stale_timestamp_and_bad_json(rig: Rig) -> None:
    body = bridge_body("b-2")
    bad = await post_bridge(rig, body, signature="sha256=" + "0" * 64)
    assert bad.status == 403
    assert "signature" in (await bad.json())["error"]
    stale = await post_bridge(rig, body, ts=str(int(rig.ts) - 301))
    assert stale.status == 403
    assert "timestamp" in (await stale.json())["error"]
    missing = await rig.client.post("/bridge/messages", data=body)
    assert missing.status == 403
    for broken in (b"{not json", b"[]", json.dumps({"msg_id": "b-3", "user_id": "u"}).encode(),
                   bridge_body("b-4", at="yes")):
        response = await post_bridge(rig, broken)
        assert response.status == 400, broken
    await rig.settle()
    async with rig.bot.db.session() as session:
        assert (await session.exec(select(InboundLog))).all() == []


async def test_bridge_gateway_outage_keeps_the_message(rig: Rig) -> None:
    rig.fake.gateway_status.extend([503, 200])
    await queue(rig, OutboundMessage(platform="bridge", kind=OutboundKind.notice, text="x", chat_id="g@chatroom"))
    assert await rig.bot.outbox.flush() == 0
    rig.clock.advance(timedelta(minutes=1))
    assert await rig.bot.outbox.flush() == 1
    assert len(rig.fake.calls("/gateway/outbound")) == 2


async def test_a_body_arriving_in_pieces_is_read_whole(rig: Rig) -> None:
    body = bridge_body("b-pieces")

    async def pieces():  # type: ignore[no-untyped-def]
        yield body[:10]
        await asyncio.sleep(0.05)  # a slow network: the rest comes in a later packet
        yield body[10:]

    headers = {"Content-Type": "application/json", "X-Gridbot-Timestamp": rig.ts,
               "X-Gridbot-Signature": sign(BRIDGE_SECRET, body)}
    response = await rig.client.post("/bridge/messages", data=pieces(), headers=headers)
    assert response.status == 200, await response.text()

    async def too_big():  # type: ignore[no-untyped-def]
        for _ in range(MAX_MEDIA_BODY // 1_000_000 + 2):  # a body may carry a picture, not more
            yield b"x" * 1_000_000
            await asyncio.sleep(0)

    response = await rig.client.post("/bridge/messages", data=too_big(), headers=headers)
    assert response.status == 413


async def test_a_signature_in_any_script_is_a_plain_refusal(rig: Rig) -> None:
    response = await rig.client.get("/wecom/callback", params={
        "msg_signature": "签名", "timestamp": rig.ts, "nonce": "1", "echostr": "x"})
    assert response.status == 403
    response = await rig.client.post("/wecom/robot/callback", params={
        "msg_signature": "签名", "timestamp": rig.ts, "nonce": "1"}, data=b'{"encrypt": "x"}')
    assert response.status in (400, 403)


# ---------------------------------------------------------------- WeCom app: the per-member limit


async def test_the_per_member_limit_is_kept_without_waiting_and_a_45033_is_not_a_failure(rig: Rig) -> None:
    for i in range(40):
        await queue(rig, OutboundMessage(platform="wecom_app", kind=OutboundKind.notice, text=f"通知 {i}",
                                         user_id="gw-baxianlou-1"))
    await queue(rig, OutboundMessage(platform="wecom_app", kind=OutboundKind.notice, text="别人的", user_id="cadre-x"))
    start = time.perf_counter()
    assert await rig.bot.outbox.flush() == 26  # 25 of 30 (5 kept for P0) + the other member's
    assert rig.fake.refused == []  # WeCom never had to refuse: we counted first
    await queue(rig, OutboundMessage(platform="wecom_app", kind=OutboundKind.notice, text="【紧急P0】着火",
                                     user_id="gw-baxianlou-1", priority=URGENT))
    assert await rig.bot.outbox.flush() == 1
    assert json_of(rig.fake.calls("/cgi-bin/message/send")[-1])["text"]["content"] == "【紧急P0】着火"
    rig.fake.inject("/cgi-bin/message/send", 45033)  # another process used this member's minute
    await queue(rig, OutboundMessage(platform="wecom_app", kind=OutboundKind.notice, text="第三人", user_id="p3"))
    assert await rig.bot.outbox.flush() == 0
    rows = await outbox_rows(rig)
    assert [r.status for r in rows].count(OutboxStatus.failed) == 0
    held = [r for r in rows if r.status == OutboxStatus.pending]
    assert len(held) == 16 and all(r.attempts == 0 for r in held)
    assert all(r.last_error is None for r in held)  # waiting for a slot is not failing (/healthz)
    rig.time.now += 61
    rig.clock.advance(timedelta(seconds=61))
    assert await rig.bot.outbox.flush() == 16
    assert rig.fake.refused == []
    assert elapsed(start) < 5  # nothing slept


# ---------------------------------------------------------------- what the protocols leave to us


def mp_subscribe(rig: Rig) -> str:
    return render_xml({"ToUserName": "gh_account", "FromUserName": "o-new",
                       "CreateTime": int(rig.clock.now().timestamp()), "MsgType": "event", "Event": "subscribe"})


async def test_mp_counts_every_call_against_the_window_and_names_what_was_not_sent(rig: Rig) -> None:
    """A subscribe opens 3 customer-service messages within a minute; each text piece counts."""
    await post_mp(rig, mp_subscribe(rig))
    await rig.settle()  # the subscribe's answer (帮助) went back passively: it costs nothing
    long = "\n".join(f"第{i}行：" + "停水通知" * 40 for i in range(30))  # ~15 KB: 8 pieces of 2,048 bytes
    await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text=long, user_id="o-new"))
    assert await rig.bot.outbox.flush() == 0
    calls = rig.fake.calls("/cgi-bin/message/custom/send")
    assert len(calls) == 3  # what WeChat allows, not one call more
    [row] = [r for r in await outbox_rows(rig) if r.user_id == "o-new" and r.kind == OutboundKind.notice]
    assert row.status == OutboxStatus.failed
    assert "3 of 3" not in (row.last_error or "") and "text part 4 of" in (row.last_error or "")
    await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text="再一条", user_id="o-new"))
    assert await rig.bot.outbox.flush() == 0  # the quota is spent, also for the next message
    assert len(rig.fake.calls("/cgi-bin/message/custom/send")) == 3
    rig.clock.advance(timedelta(minutes=2))
    await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text="晚了", user_id="o-new"))
    assert await rig.bot.outbox.flush() == 0  # a subscribe's window is one minute
    assert "window closed" in ((await outbox_rows(rig))[-1].last_error or "")
    await post_mp(rig, text_xml("o-new", "查询", "mp-new-1", to="gh_account", create=int(rig.clock.now().timestamp())))
    await rig.settle()
    await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text="现在可以", user_id="o-new"))
    assert await rig.bot.outbox.flush() == 1  # a message of theirs opens 5 in 48 h


async def test_robot_quote_and_at_reads_the_quote(rig: Rig) -> None:
    await asyncio.to_thread(get_parser)  # loaded before, as the server does at start-up
    payload = group_message(rig, "robot-q", "@网格通")
    payload["quote"] = {"msgtype": "text", "text": {"content": "3号楼电梯又坏了，老人下不了楼"}}
    _, text = await post_robot(rig, payload)
    answer = json.loads(opened(rig, text))
    assert "社区" in answer["stream"]["content"]  # read as a report (this chat is bound to no community)
    async with rig.bot.db.session() as session:
        [row] = (await session.exec(select(InboundLog))).all()
    assert row.text == "3号楼电梯又坏了，老人下不了楼"
    picture = group_message(rig, "robot-q2", "@网格通")
    picture["quote"] = {"msgtype": "image", "image": {"url": "https://example.invalid/x"}}
    _, text = await post_robot(rig, picture)
    assert "文字" in json.loads(opened(rig, text))["stream"]["content"]  # the hint, never silence


async def test_robot_late_reply_longer_than_one_answer_is_split_over_open_urls_or_named(rig: Rig) -> None:
    release = asyncio.Event()
    long = "\n".join("🚒 " + "消防通道被占用" * 30 for _ in range(40))  # ~25 KB: two 20,480-byte pieces

    async def slow(ctx: Context) -> bool:
        await release.wait()
        await ctx.reply(long)
        return True

    rig.bot.registry.text_handlers.insert(0, (slow, Audience.public))
    rig.channels["wecom_robot"].passive_wait = 0.05
    await post_robot(rig, group_message(rig, "robot-l1", "@网格通 消防通道"))
    release.set()
    assert await rig.settle() == 0
    [first] = rig.fake.requests
    assert len(json_of(first)["markdown"]["content"].encode()) <= 20480
    [row] = await outbox_rows(rig)
    assert row.status == OutboxStatus.failed and "1 of 2 parts sent" in (row.last_error or "")


async def test_mp_token_is_a_stable_token_that_revokes_no_one_elses(rig: Rig) -> None:
    await post_mp(rig, mp_text(rig, "帮助", "mp-st"))
    await rig.settle()
    await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text="一", user_id="o-wang"))
    await queue(rig, OutboundMessage(platform="mp", kind=OutboundKind.notice, text="二", user_id="o-wang"))
    assert await rig.bot.outbox.flush() == 2
    assert rig.fake.calls("/cgi-bin/token") == []  # the call that would revoke other systems' tokens
    [fetch] = rig.fake.calls("/cgi-bin/stable_token")
    assert json_of(fetch) == {"grant_type": "client_credential", "appid": rig.fake.app_id,
                              "secret": rig.fake.app_secret, "force_refresh": False}
