"""Charts and forms in outbound messages: uploaded as temporary media and sent as image or file
messages (WeCom app, 公众号), through the fake WeCom API with its error injection."""

from __future__ import annotations

import logging
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.audience import Audience
from bot.context import Context
from bot.events import OutboundKind, OutboundMessage
from bot.transport.base import TransportError
from bot.transport.wecom_api import MEDIA_LIMITS
from storage.models import OutboxStatus
from tests.transport.conftest import Rig, json_of
from tests.transport.test_channels import mp_text, outbox_rows, post_mp, queue

UPLOAD = "/cgi-bin/media/upload"
SEND = "/cgi-bin/message/send"


def tiny_png(path: Path, *, padding: int = 0) -> Path:
    """A real 1×1 PNG; `padding` bytes of an ancillary tEXt chunk make it as large as a test needs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    if padding:
        body += chunk(b"tEXt", b"Comment\x00" + b"x" * padding)
    body += chunk(b"IDAT", zlib.compress(b"\x00\xcc\x33\x33")) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def tiny_xlsx(path: Path) -> Path:
    book = Workbook()
    book.active["A1"] = "党建工作报表"  # type: ignore[index]
    book.save(path)
    return path


def digest(files: tuple[str, ...], *, user: str | None = "zhangsan", chat: str | None = None,
           platform: str = "wecom_app") -> OutboundMessage:
    return OutboundMessage(platform=platform, kind=OutboundKind.digest, text="# 10月工单汇总\n共 12 件，按期办结 11 件",
                           user_id=user, chat_id=chat, files=files)


def media_ids(rig: Rig, path: str, msgtype: str) -> list[str]:
    return [json_of(s)[msgtype]["media_id"] for s in rig.fake.calls(path) if json_of(s)["msgtype"] == msgtype]


# ---------------------------------------------------------------- WeCom app


async def test_a_digest_chart_goes_out_as_text_then_an_image(rig: Rig, tmp_path: Path) -> None:
    png = tiny_png(tmp_path / "digest-abc.png")
    await queue(rig, digest((str(png),)))
    assert await rig.bot.outbox.flush() == 1
    text, image = rig.fake.calls(SEND)
    assert json_of(text)["msgtype"] == "markdown"
    assert "附件" not in json_of(text)["markdown"]["content"]  # no file names appended any more
    assert json_of(image)["touser"] == "zhangsan"
    assert json_of(image)["agentid"] == 1000002
    assert json_of(image)["msgtype"] == "image"
    [upload] = rig.fake.calls(UPLOAD)
    assert upload.query["type"] == "image"
    assert upload.query["access_token"] == image.query["access_token"]
    assert upload.body == {"name": "media", "filename": "digest-abc.png", "filelength": str(png.stat().st_size),
                           "content_type": "image/png", "size": png.stat().st_size}
    [media_id] = rig.fake.uploads
    assert json_of(image)["image"] == {"media_id": media_id}
    assert rig.fake.uploads[media_id].data == png.read_bytes()


async def test_a_form_goes_out_as_a_file_message_and_a_chat_gets_both(rig: Rig, tmp_path: Path) -> None:
    png, xlsx = tiny_png(tmp_path / "chart.png"), tiny_xlsx(tmp_path / "附件5-2026-10.xlsx")
    await queue(rig, digest((str(png), str(xlsx)), user=None, chat="gridchat1"))
    assert await rig.bot.outbox.flush() == 1
    sent = [json_of(s) for s in rig.fake.calls("/cgi-bin/appchat/send")]
    assert [s["msgtype"] for s in sent] == ["markdown", "image", "file"]
    assert all(s["chatid"] == "gridchat1" for s in sent)
    uploads = rig.fake.calls(UPLOAD)
    assert [u.query["type"] for u in uploads] == ["image", "file"]
    assert uploads[1].body["filename"] == "附件5-2026-10.xlsx"  # the name people see, as is
    assert rig.fake.uploads[sent[2]["file"]["media_id"]].data == xlsx.read_bytes()


async def test_a_token_expired_during_upload_is_refreshed_once(rig: Rig, tmp_path: Path) -> None:
    await queue(rig, digest((str(tiny_png(tmp_path / "c.png")),)))
    rig.fake.inject(UPLOAD, 42001)
    assert await rig.bot.outbox.flush() == 1
    first, second = rig.fake.calls(UPLOAD)
    assert first.query["access_token"] != second.query["access_token"]
    assert len(rig.fake.calls("/cgi-bin/gettoken")) == 2
    assert media_ids(rig, SEND, "image") == list(rig.fake.uploads)


async def test_upload_backs_off_on_5xx_and_45009(rig: Rig, tmp_path: Path) -> None:
    await queue(rig, digest((str(tiny_png(tmp_path / "c.png")),)))
    rig.fake.inject(UPLOAD, 502, 45009)
    assert await rig.bot.outbox.flush() == 1
    assert len(rig.fake.calls(UPLOAD)) == 3
    assert rig.time.sleeps == [1.0, 2.0]
    assert len(rig.fake.uploads) == 1


async def test_a_failed_image_after_the_text_does_not_send_the_text_again(rig: Rig, tmp_path: Path) -> None:
    await queue(rig, digest((str(tiny_png(tmp_path / "c.png")),)))
    rig.fake.inject(SEND, ("slow", 0.0), 502, 502, 502, 502)  # the text passes, the image fails 4 times
    assert await rig.bot.outbox.flush() == 0
    [row] = await outbox_rows(rig)
    assert (row.status, row.attempts) == (OutboxStatus.pending, 1)
    rig.clock.advance(timedelta(minutes=1))
    assert await rig.bot.outbox.flush() == 1
    kinds = [json_of(s)["msgtype"] for s in rig.fake.calls(SEND)]
    assert kinds.count("markdown") == 1
    assert kinds[-1] == "image"
    assert len(rig.fake.calls(UPLOAD)) == 1  # the media_id of the first attempt is used again


async def test_an_image_over_10_mb_is_refused_before_upload(rig: Rig, tmp_path: Path) -> None:
    api = rig.channels["wecom_app"].api
    fine = tiny_png(tmp_path / "fine.png", padding=3 * 1024 * 1024)  # 3 MB: WeCom takes images up to 10 MB
    assert await api.upload_media("image", fine.name, fine.read_bytes())
    rig.fake.requests.clear()
    big = tiny_png(tmp_path / "big.png", padding=MEDIA_LIMITS["image"])
    with pytest.raises(TransportError) as refused:
        await api.upload_media("image", big.name, big.read_bytes())
    assert not refused.value.retryable
    assert "10 MB" in str(refused.value)
    assert rig.fake.calls(UPLOAD) == []
    # The channel still gets the picture to people: as a file, which may be up to 20 MB.
    await queue(rig, digest((str(big),)))
    assert await rig.bot.outbox.flush() == 1
    assert [u.query["type"] for u in rig.fake.calls(UPLOAD)] == ["file"]
    assert len(media_ids(rig, SEND, "file")) == 1


async def test_a_file_under_5_bytes_is_refused_before_the_call(rig: Rig) -> None:
    api = rig.channels["wecom_app"].api
    for size in (0, 4):
        with pytest.raises(TransportError) as refused:
            await api.upload_media("file", "tiny.txt", b"x" * size)
        assert not refused.value.retryable and "5 bytes" in str(refused.value)
    assert rig.fake.calls(UPLOAD) == []
    assert await api.upload_media("file", "five.txt", b"x" * 5)


async def test_a_file_over_20_mb_fails_the_row_but_the_rest_goes(rig: Rig, tmp_path: Path) -> None:
    huge = tmp_path / "huge.xlsx"
    huge.write_bytes(b"PK" + b"\0" * MEDIA_LIMITS["file"])
    png = tiny_png(tmp_path / "c.png")
    await queue(rig, digest((str(huge), str(png))))
    assert await rig.bot.outbox.flush() == 0
    assert [json_of(s)["msgtype"] for s in rig.fake.calls(SEND)] == ["markdown", "image"]
    assert [u.query["type"] for u in rig.fake.calls(UPLOAD)] == ["image"]
    [row] = await outbox_rows(rig)
    assert row.status == OutboxStatus.failed  # visible to admins, not retried
    assert "huge.xlsx" in (row.last_error or "")
    assert "20 MB" in (row.last_error or "")


async def test_a_missing_file_is_skipped_and_the_text_still_goes(rig: Rig, tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.transport.wecom_app")
    await queue(rig, digest((str(tmp_path / "gone.png"),)))
    assert await rig.bot.outbox.flush() == 1
    assert [json_of(s)["msgtype"] for s in rig.fake.calls(SEND)] == ["markdown"]
    assert rig.fake.calls(UPLOAD) == []
    assert "gone.png" in caplog.text


async def test_files_without_text_send_no_empty_text(rig: Rig, tmp_path: Path) -> None:
    await queue(rig, OutboundMessage(platform="wecom_app", kind=OutboundKind.notice, text="", user_id="zhangsan",
                                     files=(str(tiny_xlsx(tmp_path / "form.xlsx")),)))
    assert await rig.bot.outbox.flush() == 1
    assert [json_of(s)["msgtype"] for s in rig.fake.calls(SEND)] == ["file"]


async def test_the_fake_refuses_uploads_without_a_media_part(rig: Rig) -> None:
    token = await rig.channels["wecom_app"].api.access_token()
    answer = await (await rig.client.session.post(f"{rig.fake.url}{UPLOAD}",
                                                  params={"access_token": token, "type": "image"},
                                                  data={"other": "x"})).json()
    assert answer["errcode"] != 0
    bad_type = await (await rig.client.session.post(f"{rig.fake.url}{UPLOAD}",
                                                    params={"access_token": token, "type": "pdf"})).json()
    assert bad_type["errcode"] == 40004
    assert rig.fake.uploads == {}


# ---------------------------------------------------------------- 公众号


async def test_mp_sends_the_chart_as_an_image_inside_the_window(rig: Rig, tmp_path: Path) -> None:
    await post_mp(rig, mp_text(rig, "帮助", "mp-media-1"))
    await rig.settle()  # the help text went back as the passive reply
    png, xlsx = tiny_png(tmp_path / "chart.png"), tiny_xlsx(tmp_path / "form.xlsx")
    rig.clock.advance(timedelta(hours=20))
    await queue(rig, digest((str(png), str(xlsx)), user="o-wang", platform="mp"))
    assert await rig.bot.outbox.flush() == 1
    text, image = (json_of(s) for s in rig.fake.calls("/cgi-bin/message/custom/send"))
    assert text["msgtype"] == "text"
    assert image["touser"] == "o-wang"
    assert image["msgtype"] == "image"
    [upload] = rig.fake.calls(UPLOAD)  # the form has no 公众号 message type: skipped
    assert upload.query["type"] == "image"
    assert rig.fake.calls("/cgi-bin/stable_token")  # the 公众号's own token, not the WeCom app's
    assert rig.fake.calls("/cgi-bin/gettoken") == []
    [media_id] = rig.fake.uploads
    assert image["image"] == {"media_id": media_id}


async def test_mp_image_is_not_sent_once_the_window_closed(rig: Rig, tmp_path: Path) -> None:
    await post_mp(rig, mp_text(rig, "帮助", "mp-media-2"))
    await rig.settle()
    rig.clock.advance(timedelta(hours=49))
    await queue(rig, digest((str(tiny_png(tmp_path / "c.png")),), user="o-wang", platform="mp"))
    assert await rig.bot.outbox.flush() == 0
    assert rig.fake.calls(UPLOAD) == []
    assert "48-hour window closed" in ((await outbox_rows(rig))[-1].last_error or "")


async def test_mp_a_reply_with_a_picture_is_not_a_passive_reply(rig: Rig, tmp_path: Path) -> None:
    png = tiny_png(tmp_path / "c.png")

    async def chart(ctx: Context) -> bool:
        await ctx._queue(OutboundMessage(platform="mp", kind=OutboundKind.reply, text="本月图表如下",
                                         user_id=ctx.message.user_id, files=(str(png),)))
        return True

    rig.bot.registry.text_handlers.insert(0, (chart, Audience.public))
    status, text = await post_mp(rig, mp_text(rig, "图表", "mp-media-3"))
    assert (status, text) == (200, "success")  # passive replies are text only: nothing taken
    assert await rig.settle() == 1
    sent = [json_of(s) for s in rig.fake.calls("/cgi-bin/message/custom/send")]
    assert [s["msgtype"] for s in sent] == ["text", "image"]
    assert sent[0]["text"]["content"] == "本月图表如下"


async def test_mp_a_failed_image_does_not_resend_the_text(rig: Rig, tmp_path: Path) -> None:
    await post_mp(rig, mp_text(rig, "帮助", "mp-media-4"))
    await rig.settle()
    await queue(rig, digest((str(tiny_png(tmp_path / "c.png")),), user="o-wang", platform="mp"))
    rig.fake.inject("/cgi-bin/message/custom/send", ("slow", 0.0), 503, 503, 503, 503)
    assert await rig.bot.outbox.flush() == 0
    rig.clock.advance(timedelta(minutes=1))
    assert await rig.bot.outbox.flush() == 1
    kinds = [json_of(s)["msgtype"] for s in rig.fake.calls("/cgi-bin/message/custom/send")]
    assert kinds.count("text") == 1
    assert kinds[-1] == "image"
