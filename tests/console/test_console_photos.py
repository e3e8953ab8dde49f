"""The console's ticket page shows a ticket's photos to those who may read the ticket's words,
and the pictures themselves answer only them (anyone else: the ticket's own 404)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from bot.events import InboundMessage, MediaRef
from tests.console.conftest import Rig
from tests.photo_files import phone_jpeg


async def picture_then_words(rig: Rig, tmp_path: Path, words: str, chat: str, user: str) -> str:
    picture = tmp_path / f"{user}.jpg"
    picture.write_bytes(phone_jpeg((100, 80), "purple"))
    await rig.bot.dispatcher.receive(InboundMessage(
        platform="demo", msg_id=f"pic-{user}", user_id=user, text="", chat_id=chat, kind="image",
        media=MediaRef("file", str(picture))))
    return await rig.file(words, chat=chat, user=user)


async def test_photos_on_the_ticket_page_for_those_who_may_act(rig: Rig, tmp_path: Path) -> None:
    no = await picture_then_words(rig, tmp_path, "3号楼楼道灯不亮了", "demo-baxianlou-1", "resident-p")
    other = await picture_then_words(rig, tmp_path, "5号楼路灯不亮了", "demo-bailifang-1", "resident-q")
    secretary = await rig.as_user("sec-baxianlou")
    page = await secretary.get(f"/console/tickets/{no}")
    links = re.findall(rf'/console/tickets/{no}/photos/(\d+)\?thumb=1', page.text)
    assert page.status == 200 and len(links) == 1 and 'data-testid="photos"' in page.text
    status, body, headers = await secretary.get_bytes(f"/console/tickets/{no}/photos/{links[0]}")
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and "no-store" in headers["Cache-Control"]
    with Image.open(io.BytesIO(body)) as image:
        assert image.size == (80, 100) and not image.getexif()  # upright, no EXIF
    status, thumb, _h = await secretary.get_bytes(f"/console/tickets/{no}/photos/{links[0]}?thumb=1")
    assert status == 200 and thumb != body and thumb[:3] == b"\xff\xd8\xff"  # the thumbnail, a JPEG
    # another community's ticket, and its photo under this ticket's number: not found
    other_page = await secretary.get(f"/console/tickets/{other}")
    assert other_page.status == 404
    theirs = await (await rig.as_user("sec-bailifang")).get(f"/console/tickets/{other}")
    their_id = re.findall(rf'/console/tickets/{other}/photos/(\d+)', theirs.text)[0]
    assert (await secretary.get_bytes(f"/console/tickets/{other}/photos/{their_id}"))[0] == 404
    assert (await secretary.get_bytes(f"/console/tickets/{no}/photos/{their_id}"))[0] == 404
    assert (await secretary.get_bytes(f"/console/tickets/{no}/photos/999999"))[0] == 404
