"""A picture as the bot keeps it: checked to be a real image (Pillow decodes it), within a size
and a pixel cap (a decompression bomb is refused before it is decoded), turned upright, re-encoded
as JPEG without any metadata (EXIF, GPS, XMP, comments: nothing that locates a resident's home or
names their phone), and a thumbnail. Pure: bytes in, bytes out (callers run it off the event loop).

Also the pairing rule's window: a picture and words from the same person in the same chat within
`PAIR_WINDOW` of each other are one report."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

AWAITING_PHOTO = "photo_awaited"  # ticket event: a bare `补充 <no>`; the reporter's picture comes next
PAIR_WINDOW = timedelta(minutes=5)  # "a picture then words within a few minutes" (and the other way round)
DISPLAY_EDGE = 1600  # longest side of the kept picture, px: WeChat itself sends pictures at 1280
THUMB_EDGE = 240  # longest side of the thumbnail (exports, the console's list), px
JPEG_QUALITY = 85
THUMB_QUALITY = 70


class PhotoRole(StrEnum):
    report = "report"  # the reporter's picture of the problem
    supplement = "supplement"  # added later by a reporter (补充 <no>)
    evidence = "evidence"  # the handler's picture of the work done (办结)


class Refusal(StrEnum):
    not_image = "not_image"
    too_large = "too_large"
    too_many_pixels = "too_many_pixels"


class PhotoRefused(ValueError):
    """What arrived cannot be kept as a photo; `reason` says why (for the sender's answer)."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Prepared:
    """A picture ready to keep: `display` and `thumb` are JPEG bytes without metadata; `sha256` is
    the hex digest of `display` (the store's key: the same picture sent twice is kept once)."""

    display: bytes
    thumb: bytes
    width: int
    height: int
    sha256: str

    @property
    def key(self) -> str:
        return f"photos/{self.sha256[:2]}/{self.sha256}.jpg"

    @property
    def thumb_key(self) -> str:
        return f"photos/{self.sha256[:2]}/{self.sha256}.thumb.jpg"


def prepare(data: bytes, *, max_bytes: int, max_pixels: int) -> Prepared:
    """`data` (any format Pillow reads: JPEG, PNG, WebP, GIF's first frame, BMP …) as a Prepared
    picture. PhotoRefused when it is larger than `max_bytes`, not an image, or more than
    `max_pixels` pixels (checked from the header, before anything is decoded)."""
    if len(data) > max_bytes:
        raise PhotoRefused(Refusal.too_large, f"{len(data)} bytes, limit {max_bytes}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise PhotoRefused(Refusal.too_many_pixels, f"{width}×{height}")
            shrink = DISPLAY_EDGE / max(width, height, 1)
            if shrink < 1:  # a JPEG can decode straight at 1/2, 1/4, 1/8 of its size: a 12 MP photo 4× faster
                image.draft("RGB", (max(int(width * shrink), 1), max(int(height * shrink), 1)))
            image.load()
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # Pillow's own guard
        raise PhotoRefused(Refusal.too_many_pixels, str(exc)[:80]) from None
    except UnidentifiedImageError as exc:
        raise PhotoRefused(Refusal.not_image, type(exc).__name__) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt data
        raise PhotoRefused(Refusal.not_image, type(exc).__name__) from None
    upright = ImageOps.exif_transpose(image)  # the camera's rotation applied, before EXIF is dropped
    rgb = _rgb(upright)
    rgb.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE))
    display = _jpeg(rgb, JPEG_QUALITY)
    small = rgb.copy()
    small.thumbnail((THUMB_EDGE, THUMB_EDGE))
    return Prepared(display=display, thumb=_jpeg(small, THUMB_QUALITY), width=rgb.width, height=rgb.height,
                    sha256=hashlib.sha256(display).hexdigest())


def _rgb(image: Image.Image) -> Image.Image:
    """Transparent parts on white (a screenshot's alpha would turn black in JPEG)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, "white")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """JPEG with no metadata at all: a fresh image carries no `info`, and nothing is passed on."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality)
    return out.getvalue()
