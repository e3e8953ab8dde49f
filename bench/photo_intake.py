"""Photo intake: what keeping one picture costs (bot.domain.photos.prepare: decode, turn upright,
re-encode without metadata, thumbnail) for the sizes phones send, and the whole path a picture
takes before its message's transaction (PhotoDesk.take: read, prepare, store both files in the
local store), with several pictures at once as under a burst. Prints pictures per second.

    .venv/bin/python bench/photo_intake.py [--pictures 20]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_settings
from bot.domain.photos import prepare
from bot.events import InboundMessage, MediaRef
from bot.services.photos import PhotoDesk
from storage.media_store import LocalMediaStore

SIZES = {"12 MP phone photo (4000×3000)": (4000, 3000), "1080p screenshot (1920×1080)": (1920, 1080),
         "WeChat-compressed (1280×960)": (1280, 960)}


def photo(size: tuple[int, int], seed: int) -> bytes:
    """A JPEG with texture (noise compresses like a real photo, a flat colour would not)."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (size[0] // 16, size[1] // 16), rng.randbytes(size[0] // 16 * (size[1] // 16) * 3))
    out = io.BytesIO()
    small.resize(size).save(out, "JPEG", quality=88)
    return out.getvalue()


async def through_the_desk(pictures: list[Path], folder: Path, parallel: int) -> float:
    settings = load_settings(None, media__dir=str(folder / "media"), files_dir=str(folder / "files"))
    desk = PhotoDesk(settings, LocalMediaStore(folder / "media"))
    messages = [InboundMessage("demo", f"m{i}", "u", "", kind="image", media=MediaRef("file", str(p)))
                for i, p in enumerate(pictures)]
    gate = asyncio.Semaphore(parallel)

    async def one(message: InboundMessage) -> None:
        async with gate:
            taken = await desk.take(message)
            assert taken is not None
            assert taken.prepared is not None

    began = time.perf_counter()
    await asyncio.gather(*(one(m) for m in messages))
    return len(messages) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pictures", type=int, default=20)
    args = parser.parse_args()
    cap = 50 * 1024 * 1024
    print("| picture | bytes | prepare() per second | ms each |")
    print("|---|---|---|---|")
    for label, size in SIZES.items():
        data = [photo(size, seed) for seed in range(args.pictures)]
        began = time.perf_counter()
        for one in data:
            prepare(one, max_bytes=cap, max_pixels=100_000_000)
        rate = len(data) / (time.perf_counter() - began)
        print(f"| {label} | {len(data[0]) // 1024} KB | {rate:.1f} | {1000 / rate:.0f} |")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pictures = []
        for seed in range(args.pictures):
            path = folder / f"p{seed}.jpg"
            path.write_bytes(photo(SIZES["12 MP phone photo (4000×3000)"], 100 + seed))
            pictures.append(path)
        for parallel in (1, 4):
            rate = asyncio.run(through_the_desk(pictures, folder / f"run{parallel}", parallel))
            print(f"PhotoDesk.take, 12 MP photos, {parallel} at once: {rate:.1f} pictures/s")


if __name__ == "__main__":
    main()
