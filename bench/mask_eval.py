"""How many random phone and ID numbers `mask()` hides, written the ways people write them
(tests/nlp/number_writings.py), and how fast it runs.

    .venv/bin/python bench/mask_eval.py [--n 20000] [--seed 0]

A number counts as hidden when its digits can no longer be read from the masked sentence (in any
script) and at most the 3 + 4 (mobile) or 3 + 2 (ID) digits `mask` keeps are left."""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.nlp.pii import mask, readable_digits  # noqa: E402
from tests.nlp.number_writings import random_id15, random_id18, random_mobile, write_number  # noqa: E402


def hidden(number: str, masked: str, kept: int) -> bool:
    """The full number cannot be read, nor any stretch longer than what mask keeps on purpose."""
    seen = readable_digits(masked).upper()
    longest = max(kept, 4)
    return not any(number[i:i + longest + 1] in seen for i in range(len(number) - longest))


def rate(kind: str, n: int, rng: random.Random) -> tuple[int, list[str]]:
    make = {"mobile": random_mobile, "id18": random_id18, "id15": random_id15}[kind]
    ok, misses = 0, []
    for _ in range(n):
        number = make(rng)
        text, start, end = write_number(rng, number, "mobile" if kind == "mobile" else "id")
        if hidden(number, mask(text)[start:end], 4 if kind == "mobile" else 3):
            ok += 1
        elif len(misses) < 5:
            misses.append(text)
    return ok, misses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    for kind in ("mobile", "id18", "id15"):
        ok, misses = rate(kind, args.n, rng)
        print(f"{kind}: {ok}/{args.n} hidden ({100 * ok / args.n:.2f}%)")
        for text in misses:
            print(f"  readable: {text!r}")
    elapsed = time.perf_counter() - started
    print(f"{3 * args.n / elapsed:,.0f} sentences masked per second (one core)")


if __name__ == "__main__":
    main()
