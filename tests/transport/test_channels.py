"""Webhook robots, the smart robot, the 公众号 and the bridge, end to end."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.context import Context
from bot.events import OutboundKind, OutboundMessage
from bot.transport.base import TransportError
from bot.transport.bridge import sign
from bot.transport.wecom_api import RateLimiter, WeComApi
from bot.transport.wecom_crypto import WeComCrypto, sha1_signature
from bot.transport.wecom_robot import WeComRobotChannel
from bot.transport.xml import parse_xml, render_xml
from storage import outbox_store
from storage.models import InboundLog, Outbox, OutboxStatus
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


async def test_webhook_keeps_to_20_messages_a_minute_per_robot(rig: Rig) -> None:
    for i in range(25):
        await queue(rig, OutboundMessage(platform="webhook", kind=OutboundKind.reminder, text=f"提醒 {i}",
                                         chat_id="key-grid1"))
    await queue(rig, OutboundMessage(platform="webhook", kind=OutboundKind.reminder, text="other robot",
                                     chat_id="key-grid2"))
    start = time.perf_counter()
    assert await rig.bot.outbox.flush() == 21  # 20 for grid1, 1 for grid2; 5 would wait a minute
    posts = rig.fake.calls("/cgi-bin/webhook/send")
    assert sum(p.query["key"] == "key-grid1" for p in posts) == 20
    assert json_of(posts[0]) == {"msgtype": "markdown", "markdown": {"content": "提醒 0"}}
    rows = await outbox_rows(rig)
    assert sum(r.status == OutboxStatus.pending for r in rows) == 5  # kept, not failed
    assert all("key-grid1" not in (r.last_error or "") for r in rows)  # the key stays secret
    rig.time.now += 60
    rig.clock.advance(timedelta(minutes=1))
    assert await rig.bot.outbox.flush() == 5
    assert len(rig.fake.calls("/cgi-bin/webhook/send")) == 26
    assert elapsed(start) < 5  # no real sleeping


async def test_webhook_rate_limiter_windows(fake_time: FakeTime) -> None:
    limiter = RateLimiter(20, 60.0, max_wait=30, monotonic=fake_time.monotonic, sleep=fake_time.sleep)
    stamps = []
    for _ in range(20):
        await limiter.acquire("k")
        stamps.append(fake_time.now)
    with pytest.raises(TransportError) as info:  # a full minute to wait: back to the outbox
        await limiter.acquire("k")
    assert info.value.retryable
    fake_time.now += 40
    await limiter.acquire("k")  # 40 s later: 20 s more to wait, within max_wait
    assert fake_time.sleeps == [20.0]
    await limiter.acquire("other")  # another robot is not held up
    assert fake_time.sleeps == [20.0]


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

    rig.bot.registry.text_handlers.insert(0, slow)
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
    status, text = await post_robot(rig, group_message(rig), nonce="6")  # WeCom's retry
    assert status == 200 and opened(rig, text) == ""  # the first delivery carried the answer
    assert await rig.settle() == 0  # nothing left for response_url
    async with rig.bot.db.session() as session:
        [row] = (await session.exec(select(InboundLog))).all()
    assert (row.chat_id, row.user_id, row.text, row.mentions_bot) == ("wrgroup1", "zhangsan", "帮助", True)
    [out] = await outbox_rows(rig)
    assert (out.status, out.last_error) == (OutboxStatus.sent, "passive reply")
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


async def test_robot_picture_alone_gets_a_hint_and_a_captioned_one_is_read(rig: Rig) -> None:
    picture = {**group_message(rig, "robot-p"), "msgtype": "image", "image": {"url": "https://example.invalid/x"}}
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
    assert "文字" in json.loads(answers[0])["stream"]["content"]
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
    status, text = await post_mp(rig, mp_text(rig, "帮助", "mp-1"), nonce="78")  # WeChat's retry
    assert (status, text) == (200, "success")


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
    assert await rig.settle() == 1
    [out] = rig.fake.calls("/gateway/outbound")
    assert out.headers["X-Gridbot-Signature"] == sign(BRIDGE_SECRET, out.raw)
    assert abs(int(out.headers["X-Gridbot-Timestamp"]) - int(rig.ts)) <= 1
    body = json.loads(out.raw)
    assert (body["chat_id"], body["user_id"], body["kind"]) == ("wxgroup@chatroom", "wxid_wang", "reply")
    assert isinstance(body["id"], int)
    assert body["text"]


async def test_bridge_photos_are_talk_in_the_group_and_get_a_hint_when_addressed(rig: Rig) -> None:
    for msg_id, at in (("p-1", False), ("p-2", True)):
        body = json.dumps({"msg_id": msg_id, "chat_id": "wxgroup@chatroom", "user_id": "wxid_wang",
                           "kind": "image", "at": at}).encode()
        assert (await post_bridge(rig, body)).status == 200
    assert await rig.settle() == 1  # only the photo that @-mentions the bot is answered
    [out] = rig.fake.calls("/gateway/outbound")
    assert "文字" in json.loads(out.raw)["text"]
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


async def test_mp_voice_with_recognition_is_read_and_a_picture_gets_a_hint(rig: Rig) -> None:
    voice = render_xml({"ToUserName": "gh_account", "FromUserName": "o-wang", "CreateTime": int(rig.ts),
                        "MsgType": "voice", "MediaId": "m1", "Format": "amr", "Recognition": "帮助", "MsgId": "v-1"})
    _, text = await post_mp(rig, voice)
    reply = mp_answer(rig, text)
    assert "工单" in reply["Content"]  # the recognised words were handled like typed ones (帮助)
    picture = render_xml({"ToUserName": "gh_account", "FromUserName": "o-wang", "CreateTime": int(rig.ts),
                          "MsgType": "image", "PicUrl": "https://example.invalid/p.jpg", "MediaId": "m2",
                          "MsgId": "i-1"})
    _, text = await post_mp(rig, picture, nonce="79")
    reply = mp_answer(rig, text)
    assert "文字" in reply["Content"]


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
        for _ in range(3):
            yield b"x" * 40_000
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
