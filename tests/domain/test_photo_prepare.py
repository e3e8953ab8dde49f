"""bot.domain.photos.prepare: what is kept of a picture, and what is refused before decoding."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.domain.photos import THUMB_EDGE, PhotoRefused, Refusal, prepare
from storage.media_store import LocalMediaStore
from tests.photo_files import huge_header_png, phone_jpeg, png_with_alpha

CAP = 2 * 1024 * 1024


def test_transparent_screenshot_becomes_white_not_black() -> None:
    prepared = prepare(png_with_alpha(), max_bytes=CAP, max_pixels=10_000_000)
    with Image.open(io.BytesIO(prepared.display)) as image:
        assert image.format == "JPEG" and min(image.getpixel((20, 20))) > 240  # type: ignore[arg-type]


def test_thumbnail_fits_its_box_and_keys_follow_the_content() -> None:
    big = phone_jpeg((1600, 900), rotated=False)
    prepared = prepare(big, max_bytes=CAP, max_pixels=10_000_000)
    with Image.open(io.BytesIO(prepared.thumb)) as thumb:
        assert max(thumb.size) == THUMB_EDGE and thumb.size[0] > thumb.size[1]
    again = prepare(big, max_bytes=CAP, max_pixels=10_000_000)
    assert again.key == prepared.key and prepared.key.endswith(f"{prepared.sha256}.jpg")
    other = prepare(phone_jpeg((1600, 900), "blue", rotated=False), max_bytes=CAP, max_pixels=10_000_000)
    assert other.key != prepared.key


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, Refusal.not_image),  # a PNG signature and nothing else
    (b"%PDF-1.7 a document, not a photo", Refusal.not_image),
    (phone_jpeg()[:200], Refusal.not_image),  # cut off in transit
    (b"\xff" * (CAP + 1), Refusal.too_large),
])
def test_what_is_not_a_keepable_picture_is_refused(data: bytes, reason: Refusal) -> None:
    with pytest.raises(PhotoRefused) as caught:
        prepare(data, max_bytes=CAP, max_pixels=10_000_000)
    assert caught.value.reason == reason


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = huge_header_png(20000, 20000)  # 400 Mpx in a file of a few hundred kB
    assert len(bomb) < CAP
    with pytest.raises(PhotoRefused) as caught:
        prepare(bomb, max_bytes=CAP, max_pixels=40_000_000)
    assert caught.value.reason == Refusal.too_many_pixels


async def test_local_store_keeps_writes_whole_and_stays_inside_its_folder(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path / "media")
    await store.put("photos/ab/x.jpg", b"abc", "image/jpeg")
    assert await store.get("photos/ab/x.jpg") == b"abc"
    assert not list((tmp_path / "media" / "photos" / "ab").glob(".part-*"))
    await store.delete("photos/ab/x.jpg")
    await store.delete("photos/ab/x.jpg")  # gone already: fine
    with pytest.raises(FileNotFoundError):
        await store.get("photos/ab/x.jpg")
    for bad in ("../escape.jpg", "/etc/passwd", "photos//x.jpg", ""):
        with pytest.raises(ValueError, match="bad media key"):
            await store.put(bad, b"x", "image/jpeg")
    assert (await store.check())["ok"] is True
