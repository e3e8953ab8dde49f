"""Where a short line's parsing time goes, and what the keyword gates (bot/nlp/gate.py) save.

Prints, per line of the group-chat corpus (folded, read through): the category rules and the P0
table with their gates and without, the time to work the gates out at import, and the whole
`Parser.understand` rate per CPU second. `--root DIR` measures only that rate for another
checkout (e.g. an older commit in a `git worktree`), so two versions of the parser can be compared
on the same machine.

    .venv/bin/python bench/parser_parts.py
    git worktree add /tmp/old cc042dd && .venv/bin/python bench/parser_parts.py --root /tmp/old
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def per_line_us(fn, lines: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for line in lines:
            fn(line)
        best = min(best, time.process_time() - started)
    return best / len(lines) * 1e6


def understand_rate(root: Path, seconds: float) -> tuple[int, float]:
    sys.path.insert(0, str(root))
    from bot.nlp import training
    from bot.nlp.parser import get_parser

    parser = get_parser()
    lines = []
    for name in ("requests.jsonl", "chatter.jsonl", "checkins.jsonl", *training.GROUPCHAT_FILES):
        lines += [row["text"] for row in training.load_jsonl(training.OWN_DATA / name)]
    for line in lines:
        parser.understand(line)
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for line in lines:
            parser.understand(line)
        done += len(lines)
    return len(lines), done / (time.process_time() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose parser to time")
    ap.add_argument("--seconds", type=float, default=5.0, help="CPU seconds for the understand loop")
    args = ap.parse_args()
    if args.root.resolve() != ROOT:
        n, rate = understand_rate(args.root.resolve(), args.seconds)
        print(f"{args.root}: {n} lines, {rate:,.0f} understood per CPU second")
        return

    sys.path.insert(0, str(ROOT))
    from bot.nlp import gate, lexicon, safety, training
    from bot.nlp.text import fold
    from bot.nlp.typos import read_through

    lines = [read_through(fold(row["text"]).lower())
             for name in training.GROUPCHAT_FILES for row in training.load_jsonl(training.OWN_DATA / name)]
    patterns = [p for _k, p, _c in safety._DANGER] + [p for rules in lexicon._COMPILED.values() for p, _w, _n in rules]
    started = time.process_time()
    for pattern in patterns:
        gate.gate_of(pattern)
    gates_ms = (time.process_time() - started) * 1e3

    def rules_ungated(s: str) -> None:
        for rules in lexicon._COMPILED.values():
            for pattern, _weight, _needed in rules:
                pattern.search(s)

    def table_ungated(s: str) -> None:
        for _kind, pattern, _category in safety._DANGER:
            for _match in pattern.finditer(s):
                pass

    print(f"{len(lines)} group-chat lines; {len(patterns)} patterns, gates worked out in {gates_ms:.0f} ms CPU\n")
    print("| part, per line | gated µs | ungated µs |")
    print("|---|---|---|")
    print(f"| category rules (lexicon.category_hits) | {per_line_us(lexicon.category_hits, lines):.0f} "
          f"| {per_line_us(rules_ungated, lines):.0f} |")
    print(f"| P0 table (safety._dangers) | {per_line_us(safety._dangers, lines):.0f} "
          f"| {per_line_us(table_ungated, lines):.0f} |")
    n, rate = understand_rate(ROOT, args.seconds)
    print(f"\nParser.understand: {n} lines, {rate:,.0f} per CPU second")


if __name__ == "__main__":
    main()
