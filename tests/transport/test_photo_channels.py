"""Pictures through the real channels, against the fake WeCom API: a WeCom app member's picture
(MediaId → media/get with WeCom's headers), expired media (40007), a picture over the cap, a smart
robot's picture encrypted under its message's aeskey, a 公众号 follower's, a bridge gateway's (URL
or base64); and the way back: the handler's notice carries the picture (media/upload + an image
message), the reporter gets the handler's evidence, and no picture ever goes into a group."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.transport.base import MediaError
from bot.transport.bridge import parse_message
from bot.transport.downloads import aes_key, decrypt_media
from bot.transport.limits import BadInput
from bot.transport.xml import render_xml
from storage.media_store import LocalMediaStore
from storage.models import InboundLog, Ticket
from tests.fakes.fake_wecom import FakeWeCom
from tests.photo_files import phone_jpeg
from tests.transport import conftest as rigs
from tests.transport.conftest import Rig, json_of, text_xml
from tests.transport.test_channels import bridge_body, mp_text, opened, post_bridge, post_mp, post_robot

SEND, UPLOAD, GET = "/cgi-bin/message/send", "/cgi-bin/media/upload", "/cgi-bin/media/get"
CHAT = "/cgi-bin/appchat/send"


@pytest.fixture(autouse=True)
def media_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rig's media store and notices' copies in this test's folder, and a half-megabyte cap."""
    monkeypatch.setenv("GRIDBOT_MEDIA__DIR", str(tmp_path / "media"))
    monkeypatch.setenv("GRIDBOT_FILES_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("GRIDBOT_MEDIA__MAX_MB", "0.5")


def image_xml(user: str, media_id: str, msg_id: str) -> str:
    return render_xml({"ToUserName": rigs.CORP, "FromUserName": user, "CreateTime": 1409659813,
                       "MsgType": "image", "PicUrl": "https://wework.qpic.cn/x", "MediaId": media_id,
                       "MsgId": msg_id, "AgentID": rigs.AGENT_ID})


def image_messages(rig: Rig, to: str) -> list[dict[str, Any]]:
    return [json_of(s) for s in rig.fake.calls(SEND) if json_of(s)["touser"] == to and json_of(s)["msgtype"] == "image"]


def texts_to(rig: Rig, to: str) -> list[str]:
    return [json_of(s)["text"]["content"] for s in rig.fake.calls(SEND)
            if json_of(s)["touser"] == to and json_of(s)["msgtype"] == "text"]


async def test_wecom_app_picture_then_words_reaches_the_handler_as_an_image(rig: Rig) -> None:
    original = phone_jpeg((120, 90))
    media_id = rig.fake.member_sends(original, "IMG_2041.jpg")
    assert (await rig.post_wecom(image_xml("zhangsan", media_id, "img-1"))).status == 200
    await rig.settle()
    assert [c.query["media_id"] for c in rig.fake.calls(GET)] == [media_id]  # fetched once, by its MediaId
    assert texts_to(rig, "zhangsan") and "照片已收到" in texts_to(rig, "zhangsan")[-1]
    assert (await rig.post_wecom(text_xml("zhangsan", "八仙楼社区5号楼楼道灯不亮了", "txt-1"))).status == 200
    await rig.settle()
    uploads = [rig.fake.uploads[i] for i in rig.fake.uploads]
    assert uploads and all(u.type == "image" and u.filename.endswith(".jpg") for u in uploads)
    assert b"PhoneMaker" not in uploads[0].data and uploads[0].data != original  # re-encoded, no EXIF
    handlers = {json_of(s)["touser"] for s in rig.fake.calls(SEND) if json_of(s)["msgtype"] == "image"}
    assert handlers and "zhangsan" not in handlers  # the handler and the cadre, not the reporter
    assert not rig.fake.calls(CHAT)  # nothing into a group


async def test_wecom_app_expired_media_is_answered_and_nothing_kept(rig: Rig) -> None:
    media_id = rig.fake.member_sends(phone_jpeg())
    rig.fake.expire_media(media_id)  # three days later: 40007 invalid media_id
    await rig.post_wecom(image_xml("zhangsan", media_id, "img-2"))
    await rig.settle()
    assert "过期" in texts_to(rig, "zhangsan")[-1]
    async with rig.bot.db.session() as session:
        assert await rig.bot.dispatcher.photos.kept(session) == 0  # type: ignore[union-attr]


async def test_wecom_app_picture_over_the_cap_is_refused_without_reading_it_all(rig: Rig) -> None:
    media_id = rig.fake.member_sends(b"\xff\xd8\xff" + b"\x00" * 700_000)  # 0.7 MB, over the 0.5 MB cap
    await rig.post_wecom(image_xml("zhangsan", media_id, "img-3"))
    await rig.settle()
    assert "太大" in texts_to(rig, "zhangsan")[-1] and "0.5" in texts_to(rig, "zhangsan")[-1]


async def test_wecom_app_token_refresh_and_busy_on_media_get(rig: Rig) -> None:
    media_id = rig.fake.member_sends(phone_jpeg())
    rig.fake.inject(GET, 42001, 500)  # token revoked, then a server error: both retried
    await rig.post_wecom(image_xml("zhangsan", media_id, "img-4"))
    await rig.settle()
    assert len(rig.fake.calls(GET)) == 3
    assert "照片已收到" in texts_to(rig, "zhangsan")[-1]


async def test_smart_robot_picture_is_decrypted_with_its_own_aeskey(rig: Rig) -> None:
    original = phone_jpeg((80, 60), "green")
    url, aeskey = rig.fake.robot_picture(original)
    payload = {"msgid": "rb-1", "aibotid": "bot1", "chattype": "single", "from": {"userid": "lisi"},
               "response_url": f"{rig.fake.url}/robot/response/rb-1", "msgtype": "image",
               "image": {"url": url, "aeskey": aeskey}}
    status, _ = await post_robot(rig, payload)
    await rig.settle()
    assert status == 200
    async with rig.bot.db.session() as session:
        assert await rig.bot.dispatcher.photos.kept(session) == 1  # type: ignore[union-attr]
    # a picture whose URL has expired (about 5 minutes) is answered, not kept
    gone = {**payload, "msgid": "rb-2", "image": {"url": f"{rig.fake.url}/robot/media/none", "aeskey": aeskey}}
    status, text = await post_robot(rig, gone, nonce="6")
    assert "过期" in opened(rig, text)  # answered in the callback: send it again
    await rig.settle()
    async with rig.bot.db.session() as session:
        assert await rig.bot.dispatcher.photos.kept(session) == 1  # type: ignore[union-attr]


def test_robot_decryption_matches_wecom_and_refuses_a_wrong_key() -> None:
    fake = FakeWeCom()
    fake.server = type("S", (), {"make_url": lambda self, p: "http://x"})()  # only the URL's text is used
    data = phone_jpeg()
    _url, aeskey = fake.robot_picture(data)
    key = aes_key(aeskey)
    assert decrypt_media(fake.robot_media[next(iter(fake.robot_media))], key) == data
    with pytest.raises(MediaError) as caught:
        decrypt_media(fake.robot_media[next(iter(fake.robot_media))], bytes(32))
    assert caught.value.reason == "not_image"
    with pytest.raises(MediaError):
        aes_key("not base64!")


async def test_mp_picture_is_fetched_as_temporary_media(rig: Rig) -> None:
    media_id = rig.fake.member_sends(phone_jpeg())
    picture = render_xml({"ToUserName": "gh_account", "FromUserName": "o-wang", "CreateTime": int(rig.ts),
                          "MsgType": "image", "PicUrl": "https://mmbiz.qpic.cn/x", "MediaId": media_id,
                          "MsgId": "mp-img-1"})
    await post_mp(rig, picture)
    await rig.settle()
    gets = rig.fake.calls(GET)
    assert [c.query["media_id"] for c in gets] == [media_id]
    assert gets[0].query["access_token"] != ""  # the 公众号's own token (stable_token)
    assert rig.fake.calls("/cgi-bin/stable_token")


async def test_bridge_picture_by_base64_then_words_and_evidence_back_as_media(rig: Rig) -> None:
    picture = base64.b64encode(phone_jpeg((64, 64), "red")).decode()
    body = json.dumps({"msg_id": "bp-1", "user_id": "wxid_li", "chat_id": None,
                       "media": {"data_base64": picture, "mime": "image/jpeg", "name": "a.jpg"}}).encode()
    assert (await post_bridge(rig, body)).status == 200
    await rig.settle()
    body = json.dumps({"msg_id": "bp-2", "user_id": "wxid_li", "text": "八仙楼社区7号楼门口垃圾没人清运"}).encode()
    assert (await post_bridge(rig, body)).status == 200
    await rig.settle()
    # the handler (a roster person, reached on the WeCom app) gets the picture as an image message
    assert any(json_of(s)["msgtype"] == "image" for s in rig.fake.calls(SEND))
    out = [json.loads(s.raw) for s in rig.fake.calls("/gateway/outbound")]
    assert all("media" not in o for o in out if o["chat_id"])  # never into a group


def test_bridge_media_field_is_checked() -> None:
    ok = parse_message(bridge_body("m-1", "", kind="image", media={"url": "https://gw.example/p.jpg"}))
    assert ok.media is not None and ok.media.ref == "https://gw.example/p.jpg"
    implicit = parse_message(json.dumps({"msg_id": "m-2", "user_id": "u", "media": {"data_base64": "AAAA"}}).encode())
    assert implicit.kind == "image" and implicit.media is not None and implicit.media.source == "data"
    for bad in ({"url": "file:///etc/passwd"}, {"url": "https://a", "data_base64": "AAAA"}, {}, "x",
                {"url": "https://a", "colour": "red"}, {"data_base64": 7}):
        with pytest.raises(BadInput):
            parse_message(json.dumps({"msg_id": "m-3", "user_id": "u", "media": bad}).encode())


async def test_healthz_shows_the_media_store(rig: Rig, tmp_path: Path) -> None:
    media_id = rig.fake.member_sends(phone_jpeg())
    await rig.post_wecom(image_xml("zhangsan", media_id, "img-h"))
    await rig.settle()
    body = await (await rig.client.get("/healthz")).json()
    assert body["media"] == {"store": "local", "ok": True, "where": str(tmp_path / "media"), "photos": 1,
                             "waiting_for_words": 1, "keep_days": 365}
    blocker = tmp_path / "disk"  # a file where the store's folder should be: it cannot be made
    blocker.write_text("x")
    assert rig.bot.dispatcher.photos is not None
    rig.bot.dispatcher.photos.store = LocalMediaStore(blocker / "media")
    body = await (await rig.client.get("/healthz")).json()
    assert body["status"] == "degraded" and body["media"]["ok"] is False
    assert any(r.startswith("media_store_failing") for r in body["reasons"])


async def test_the_handlers_evidence_reaches_a_follower_on_the_official_account(rig: Rig) -> None:
    """A 公众号 follower reports in words; the cadre, on the WeCom app, sends a photo and 办结: the
    follower gets the notice and the photo as customer-service messages (within their window)."""
    await post_mp(rig, mp_text(rig, "八仙楼社区7号楼门口垃圾堆了好几天没人清运", "mp-r1"))
    await rig.settle()
    async with rig.bot.db.session() as session:
        no = (await session.exec(select(Ticket.no))).one()  # type: ignore[call-overload]
    await rig.post_wecom(text_xml("cadre-baxianlou", f"受理 {no}", "c-1"))
    await rig.settle()
    fixed = rig.fake.member_sends(phone_jpeg((90, 90), "white"))
    await rig.post_wecom(image_xml("cadre-baxianlou", fixed, "c-2"))
    await rig.post_wecom(text_xml("cadre-baxianlou", f"办结 {no} 已清运", "c-3"))
    await rig.settle()
    sent = [json_of(s) for s in rig.fake.calls("/cgi-bin/message/custom/send") if json_of(s)["touser"] == "o-wang"]
    kinds = [s["msgtype"] for s in sent]
    assert "image" in kinds and kinds.index("image") > kinds.index("text")  # the notice, then its photo
    image = next(s for s in sent if s["msgtype"] == "image")
    assert rig.fake.uploads[image["image"]["media_id"]].type == "image"


async def test_a_picture_sent_as_its_bytes_does_not_stay_in_the_inbound_log(rig: Rig) -> None:
    picture = base64.b64encode(phone_jpeg()).decode()
    body = json.dumps({"msg_id": "bp-9", "user_id": "wxid_q", "media": {"data_base64": picture}}).encode()
    assert (await post_bridge(rig, body)).status == 200
    await rig.settle()
    async with rig.bot.db.session() as session:
        [row] = (await session.exec(select(InboundLog))).all()
        assert row.status == "done" and row.media is None
        assert await rig.bot.dispatcher.photos.kept(session) == 1  # type: ignore[union-attr]


async def test_a_picture_taken_back_leaves_the_ticket_and_the_store(rig: Rig, tmp_path: Path) -> None:
    picture = base64.b64encode(phone_jpeg((70, 70), "blue")).decode()
    for body in ({"msg_id": "rc-1", "user_id": "wxid_z", "media": {"data_base64": picture}},
                 {"msg_id": "rc-2", "user_id": "wxid_z", "text": "八仙楼社区4号楼楼道灯不亮了"}):
        assert (await post_bridge(rig, json.dumps(body, ensure_ascii=False).encode())).status == 200
        await rig.settle()
    kept = [p for p in (tmp_path / "media").rglob("*.jpg")]
    assert len(kept) == 2  # the picture and its thumbnail
    recall = {"msg_id": "rc-3", "user_id": "wxid_z", "kind": "recall", "recalls": "rc-1"}
    assert (await post_bridge(rig, json.dumps(recall).encode())).status == 200
    await rig.settle()
    async with rig.bot.db.session() as session:
        assert await rig.bot.dispatcher.photos.kept(session) == 0  # type: ignore[union-attr]
    assert not [p for p in (tmp_path / "media").rglob("*.jpg")]
