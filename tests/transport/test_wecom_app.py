"""The WeCom app channel end to end: real server, real crypto, the fake WeCom API behind it."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import func, select

from bot.audience import Audience
from bot.context import Context
from bot.delivery import MAX_ATTEMPTS
from bot.events import OutboundKind, OutboundMessage
from bot.transport.wecom_app import WeComAppChannel
from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.xml import render_xml
from storage import outbox_store
from storage.models import InboundLog, Outbox
from tests.photo_files import phone_jpeg
from tests.transport.conftest import AGENT_ID, APP_KEY, APP_TOKEN, CORP, Rig, elapsed, json_of, text_xml
from tests.transport.test_crypto import A_CORP, A_ECHO, A_ENCRYPT


async def count(rig: Rig, model: type) -> int:
    async with rig.bot.db.session() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_tencent_vector_through_http() -> None:
    """URL verification with the echostr percent-encoded as WeCom sends it, then vector A's message."""
    channel = WeComAppChannel(WeComCrypto(APP_TOKEN, APP_KEY, A_CORP, now=lambda: 1409659589), None, None, None)
    app = web.Application()
    channel.add_routes(app)
    async with TestClient(TestServer(app)) as client:
        wire = A_ECHO.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")
        response = await client.get(
            "/wecom/callback?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589"
            f"&nonce=263014780&echostr={wire}")
        assert response.status == 200
        assert await response.text() == "1616140317555161061"
        channel.crypto.now = lambda: 1409659813
        body = f"<xml><ToUserName><![CDATA[{A_CORP}]]></ToUserName><Encrypt><![CDATA[{A_ENCRYPT}]]></Encrypt>" \
               "<AgentID><![CDATA[218]]></AgentID></xml>"
        response = await client.post("/wecom/callback", params={
            "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6", "timestamp": "1409659813",
            "nonce": "1372623149"}, data=body)
        assert response.status == 200
        assert await response.text() == ""


async def test_text_message_is_acknowledged_and_answered_through_message_send(rig: Rig) -> None:
    response = await rig.post_wecom(text_xml("mycreate", "hello", "4561255354251345929"))
    assert response.status == 200
    assert await response.text() == ""
    assert await rig.settle() == 1
    [sent] = rig.fake.calls("/cgi-bin/message/send")
    body = json_of(sent)
    assert body["touser"] == "mycreate"
    assert body["agentid"] == 1000002
    assert body["msgtype"] == "text"
    assert body["enable_duplicate_check"] == 1
    assert "帮助" in body["text"]["content"]


async def test_a_retried_msgid_is_handled_once(rig: Rig) -> None:
    xml = text_xml("mycreate", "hello", "4561255354251345929")
    first = await rig.post_wecom(xml, nonce="1")
    second = await rig.post_wecom(xml, nonce="2")  # WeCom's retry: same MsgId, new signature
    assert (first.status, second.status) == (200, 200)
    await rig.settle()
    assert await count(rig, InboundLog) == 1
    assert await count(rig, Outbox) == 1
    assert len(rig.fake.calls("/cgi-bin/message/send")) == 1


async def test_forged_and_stale_signatures_are_refused_and_nothing_is_stored(rig: Rig) -> None:
    xml = text_xml("mycreate", "报修 路灯坏了", "m-forged")
    forged = await rig.post_wecom(xml, signature="0" * 40)
    assert forged.status == 403
    assert "signature" in await forged.text()
    stale_ts = str(int(rig.clock.now().timestamp()) - 3600)
    stale = await rig.post_wecom(xml, ts=stale_ts)  # correctly signed, an hour old: a replay
    assert stale.status == 403
    assert "timestamp" in await stale.text()
    wrong_key = await rig.post_wecom(xml, crypto=WeComCrypto("other", APP_KEY, "wwcorp"))
    assert wrong_key.status == 403
    get = await rig.client.get("/wecom/callback", params={"msg_signature": "x", "timestamp": rig.ts,
                                                         "nonce": "1", "echostr": "abc"})
    assert get.status == 403
    await rig.settle()
    assert await count(rig, InboundLog) == 0
    assert await count(rig, Outbox) == 0


async def test_hostile_xml_is_refused_fast_and_the_channel_keeps_working(rig: Rig) -> None:
    q = {"msg_signature": "x", "timestamp": rig.ts, "nonce": "1"}
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 10))
            + "]><xml><Encrypt>&lol9;</Encrypt></xml>")
    xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'
    start = time.perf_counter()
    for body in (bomb, xxe, "<xml><Encrypt>", "not xml at all", "{}"):
        response = await rig.client.post("/wecom/callback", params=q, data=body.encode())
        assert response.status == 400, body
    assert elapsed(start) < 2
    huge = await rig.client.post("/wecom/callback", params=q, data=b"<xml>" + b"x" * 200_000 + b"</xml>")
    assert huge.status == 413
    # an authentic envelope whose decrypted message carries a DOCTYPE is refused as well
    inner = '<!DOCTYPE x [<!ENTITY e "boom">]><xml><FromUserName>&e;</FromUserName><MsgType>text</MsgType></xml>'
    assert (await rig.post_wecom(inner)).status == 400
    ok = await rig.post_wecom(text_xml("mycreate", "hello", "m-after"))
    assert ok.status == 200
    await rig.settle()
    assert await count(rig, InboundLog) == 1


async def test_the_answer_comes_at_once_even_when_handling_is_slow(rig: Rig) -> None:
    release = asyncio.Event()

    async def slow(ctx: Context) -> bool:
        await release.wait()  # a handler stuck far longer than WeCom's 5 s
        await ctx.reply("done")
        return True

    rig.bot.registry.text_handlers.insert(0, (slow, Audience.public))
    start = time.perf_counter()
    response = await rig.post_wecom(text_xml("mycreate", "something slow", "m-slow"))
    assert response.status == 200
    assert elapsed(start) < 1.0
    assert rig.fake.calls("/cgi-bin/message/send") == []
    release.set()
    assert await rig.settle() == 1
    assert json_of(rig.fake.calls("/cgi-bin/message/send")[0])["text"]["content"] == "done"


async def queue(rig: Rig, message: OutboundMessage) -> None:
    async with rig.bot.db.transaction() as session:
        await outbox_store.enqueue(session, message, now=rig.clock.now())


def notice(text: str = "工单 G-1 已分派给您", user: str = "zhangsan") -> OutboundMessage:
    return OutboundMessage(platform="wecom_app", kind=OutboundKind.notice, text=text, user_id=user)


async def test_token_expiry_mid_send_refreshes_once_and_succeeds(rig: Rig) -> None:
    await queue(rig, notice("first"))
    assert await rig.bot.outbox.flush() == 1
    rig.fake.expire_tokens()  # WeCom revoked the token early
    await queue(rig, notice("second"))
    assert await rig.bot.outbox.flush() == 1
    sends = rig.fake.calls("/cgi-bin/message/send")
    assert [json_of(s)["text"]["content"] for s in sends] == ["first", "second", "second"]
    assert len(rig.fake.calls("/cgi-bin/gettoken")) == 2
    assert sends[1].query["access_token"] != sends[2].query["access_token"]


async def test_concurrent_sends_share_one_token_fetch(rig: Rig) -> None:
    channel = rig.channels["wecom_app"]
    await asyncio.gather(*(channel.send(notice(f"n{i}", user=f"u{i}")) for i in range(6)))
    assert len(rig.fake.calls("/cgi-bin/gettoken")) == 1
    assert len(rig.fake.calls("/cgi-bin/message/send")) == 6


async def test_rate_limited_45009_backs_off_and_retries(rig: Rig) -> None:
    rig.fake.inject("/cgi-bin/message/send", 45009, 45009)
    await queue(rig, notice())
    assert await rig.bot.outbox.flush() == 1
    assert len(rig.fake.calls("/cgi-bin/message/send")) == 3
    assert rig.time.sleeps == [1.0, 2.0]  # exponential backoff, on the injected clock


async def test_group_message_goes_through_appchat_send(rig: Rig) -> None:
    await queue(rig, OutboundMessage(platform="wecom_app", kind=OutboundKind.digest, text="# 今日工单\n3 件",
                                     chat_id="gridchat1"))
    assert await rig.bot.outbox.flush() == 1
    [sent] = rig.fake.calls("/cgi-bin/appchat/send")
    assert json_of(sent) == {"chatid": "gridchat1", "msgtype": "markdown", "markdown": {"content": "# 今日工单\n3 件"},
                             "safe": 0}


async def test_5xx_keeps_the_message_in_the_outbox_then_fails_visibly(rig: Rig) -> None:
    rig.fake.inject("/cgi-bin/message/send", *([502] * 4 * MAX_ATTEMPTS))
    await queue(rig, notice())
    assert await rig.bot.outbox.flush() == 0
    assert len(rig.fake.calls("/cgi-bin/message/send")) == 4  # bounded retries inside one attempt
    health = await (await rig.client.get("/healthz")).json()
    assert (health["outbox"]["pending"], health["outbox"]["failed"]) == (1, 0)  # kept for a later attempt
    assert health["outbox"]["last_error"] is None and health["channels"]["wecom_app"]["failing"] == 1
    for _ in range(MAX_ATTEMPTS):
        rig.clock.advance(timedelta(hours=2))
        await rig.bot.outbox.flush()
    health = await (await rig.client.get("/healthz")).json()
    assert (health["outbox"]["pending"], health["outbox"]["failed"]) == (0, 1)
    assert health["outbox"]["last_error"]  # why, for the admin
    async with rig.bot.db.session() as session:
        row = (await session.exec(select(Outbox))).one()
    assert "HTTP 502" in (row.last_error or "")


async def test_a_permanent_error_is_not_retried(rig: Rig) -> None:
    rig.fake.inject("/cgi-bin/message/send", 60020)  # IP not trusted: an admin must act
    await queue(rig, notice())
    assert await rig.bot.outbox.flush() == 0
    health = await (await rig.client.get("/healthz")).json()
    assert health["outbox"]["failed"] == 1
    assert len(rig.fake.calls("/cgi-bin/message/send")) == 1


async def test_a_slow_api_answer_times_out_and_is_retried(rig: Rig) -> None:
    from bot.transport.wecom_api import HttpClient, TokenSource, WeComApi

    api = WeComApi(rig.fake.url, TokenSource.wecom(rig.fake.corp_id, rig.fake.secret),
                   http=HttpClient(timeout=0.2), sleep=rig.time.sleep)
    rig.fake.inject("/cgi-bin/message/send", ("slow", 1.0))
    try:
        start = time.perf_counter()
        answer = await api.post("/cgi-bin/message/send", {"touser": "a", "msgtype": "text", "text": {"content": "x"}})
        assert answer["errcode"] == 0
        assert elapsed(start) < 1.0
    finally:
        await api.http.close()


async def test_a_photo_is_answered_not_met_with_silence(rig: Rig) -> None:
    image = render_xml({"ToUserName": CORP, "FromUserName": "mycreate", "CreateTime": 1409659813, "MsgType": "image",
                        "PicUrl": "https://example.invalid/p.jpg", "MediaId": rig.fake.member_sends(phone_jpeg()),
                        "MsgId": "img-1", "AgentID": AGENT_ID})
    response = await rig.post_wecom(image)
    assert response.status == 200
    assert await rig.settle() == 1
    async with rig.bot.db.session() as session:
        [row] = (await session.exec(select(InboundLog))).all()
    assert (row.kind, row.text) == ("image", "")
    [sent] = rig.fake.calls("/cgi-bin/message/send")
    assert "照片已收到" in json_of(sent)["text"]["content"]  # kept; asked what is wrong, and where
