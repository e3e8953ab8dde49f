"""How often the parser understands cadres' plain-words check-ins right, on lines written after the
rules and never used to write or train them (bench/data/checkins_heldout.jsonl).

    .venv/bin/python bench/checkin_eval.py
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.nlp.parser import get_parser

HELD_OUT = Path(__file__).parent / "data" / "checkins_heldout.jsonl"


def main() -> None:
    rows = [json.loads(line) for line in HELD_OUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    parser = get_parser()
    kind_right = full_right = 0
    misses = []
    for row in rows:
        guess = parser.checkin(row["text"])
        kind = guess.kind if guess else None
        full = kind == row["kind"] and (guess is None or (
            guess.households == row.get("households") and set(guess.tags) == set(row.get("tags", []))
            and guess.meeting_type == row.get("meeting_type")))
        kind_right += kind == row["kind"]
        full_right += full
        if not full:
            misses.append(f"  {row['text']}: expected {row['kind']}, got {guess}")
    positives = sum(1 for r in rows if r["kind"])
    print(f"{len(rows)} held-out lines ({positives} check-ins, {len(rows) - positives} not)\n")
    print("| measure | value |\n|---|---|")
    print(f"| kind right (or rightly none) | {kind_right / len(rows):.3f} ({kind_right}/{len(rows)}) |")
    print(f"| fully right (kind, households, tags, meeting type) | {full_right / len(rows):.3f} "
          f"({full_right}/{len(rows)}) |")
    if misses:
        print("\nmisread:\n" + "\n".join(misses))


if __name__ == "__main__":
    main()
