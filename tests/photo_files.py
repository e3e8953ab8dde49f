"""Real pictures for the photo tests, made with Pillow: a JPEG whose EXIF carries a camera, a GPS
position and a rotation (what a phone writes), a PNG with transparency, and not-pictures."""

from __future__ import annotations

import io

from PIL import Image

GPS_TAG = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def phone_jpeg(size: tuple[int, int] = (64, 48), colour: str = "orange", *, rotated: bool = True) -> bytes:
    """A JPEG as a phone writes it: EXIF with Make, a GPS position (a resident's home) and
    Orientation 6 (stored sideways, to be shown turned 90°)."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    if rotated:
        exif[ORIENTATION] = 6
    exif[GPS_TAG] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 12.25)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_with_alpha(size: tuple[int, int] = (40, 40)) -> bytes:
    image = Image.new("RGBA", size, (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def huge_header_png(width: int = 30000, height: int = 30000) -> bytes:
    """A small file that claims to be a picture of width×height pixels (a decompression bomb)."""
    image = Image.new("1", (width, height))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
