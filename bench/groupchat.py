"""The issue-13 measures on labelled group-chat lines (the format of bot/nlp/data/LABELLING.md).

    .venv/bin/python bench/groupchat.py FILE.jsonl [--misses]
    .venv/bin/python bench/groupchat.py --cv 5 [--by-writer] [--misses] [--data ../shared/data]

Used by bench/parse_eval.py on the frozen held-out set (bench/data/groupchat_heldout.jsonl). Run
alone it measures any labelled file; `--misses` lists the lines read wrong, and is refused for the
held-out set (it is measured, never read line by line to fix misses) and for any file outside
the repository (a second held-out set kept there is measured only).

`--cv K`: K-fold cross-validation of the training corpus (bot/nlp/data/groupchat_*.jsonl, folds
stratified by the lines' `kind`, seed 0): each fold's models are trained from scratch without its
lines (the message-board data and the project's other lines all in), with the committed model's
request threshold, and its lines read as the bot reads them. Needs scikit-learn (the `dev` extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bot.nlp.parser import Parser, get_parser  # noqa: E402

HELD_OUT = Path(__file__).parent / "data" / "groupchat_heldout.jsonl"


@dataclass
class Ratio:
    hit: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.hit += bool(ok)

    @property
    def value(self) -> float:
        return self.hit / self.total if self.total else float("nan")

    def __str__(self) -> str:
        return f"{self.value:.2f} ({self.hit}/{self.total})"


@dataclass
class Scores:
    p0_caught: Ratio = field(default_factory=Ratio)  # life-at-risk lines marked P0 and filed
    p0_precise: Ratio = field(default_factory=Ratio)  # lines marked P0 that really are P0
    requests_filed: Ratio = field(default_factory=Ratio)
    lookalikes_filed: Ratio = field(default_factory=Ratio)  # non-requests filed as tickets
    category: Ratio = field(default_factory=Ratio)
    urgency: Ratio = field(default_factory=Ratio)
    place: Ratio = field(default_factory=Ratio)  # building + unit + room all right (lines naming a place)
    checkin: Ratio = field(default_factory=Ratio)  # cadres' check-ins (kind and households) read right
    shape: Ratio = field(default_factory=Ratio)
    misses: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, Ratio, str, bool]]:
        """(measure, value, goal, met) in the issue's order."""
        return [
            ("life-at-risk lines marked P0 and filed", self.p0_caught, "1.00", self.p0_caught.value >= 1.0),
            ("lines marked P0 that really are P0", self.p0_precise, "≥ 0.80", self.p0_precise.value >= 0.80),
            ("genuine requests filed", self.requests_filed, "≥ 0.98", self.requests_filed.value >= 0.98),
            ("look-alike non-requests filed as tickets", self.lookalikes_filed, "≤ 3%",
             self.lookalikes_filed.value <= 0.03),
            ("category right (and filed)", self.category, "≥ 0.92", self.category.value >= 0.92),
            ("urgency right (and filed)", self.urgency, "≥ 0.90", self.urgency.value >= 0.90),
            ("building + unit + room all right", self.place, "≥ 0.95", self.place.value >= 0.95),
            ("cadres' plain-words check-ins read right", self.checkin, "≥ 0.95", self.checkin.value >= 0.95),
            ("shape read right (all lines)", self.shape, "—", True),
        ]


def load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(parser: Parser, rows: list[dict], bot_name: str = "网格通", sc: Scores | None = None) -> Scores:
    """Read every line as the bot would (shape, new words, the writer's role) and score it (added to
    `sc` when given)."""
    sc = sc if sc is not None else Scores()
    for row in rows:
        got = parser.understand(row["text"], role=row.get("as", "resident"), bot_name=bot_name)
        res, gold_req = got.result, bool(row["is_request"])
        wrong: list[str] = []
        filed = res.is_request
        if gold_req:
            sc.requests_filed.add(filed)
            sc.category.add(filed and res.category == row["category"])
            sc.urgency.add(filed and res.urgency == row["urgency"])
            if not filed:
                wrong.append("not filed")
            elif res.category != row["category"] or res.urgency != row["urgency"]:
                wrong.append(f"{res.category}/{res.urgency} for {row['category']}/{row['urgency']}")
        else:
            sc.lookalikes_filed.add(filed)
            if filed:
                wrong.append(f"filed as {res.category}/{res.urgency}")
        gold_p0 = gold_req and row["urgency"] == "P0"
        if gold_p0:
            sc.p0_caught.add(filed and res.urgency == "P0")
        if filed and res.urgency == "P0":
            sc.p0_precise.add(gold_p0)
        place = row.get("place") or {}
        if any(place.get(k) for k in ("building", "unit", "room")):
            loc = res.location
            mine = (loc.building, loc.unit, loc.room) if loc else (None, None, None)
            theirs = (place.get("building"), place.get("unit"), place.get("room"))
            sc.place.add(mine == theirs)
            if mine != theirs:
                wrong.append(f"place {mine} for {theirs}")
        if row.get("as") == "cadre":
            gold = row.get("checkin")
            mine_ci = got.checkin
            ok = (gold is None and mine_ci is None) or (
                gold is not None and mine_ci is not None and mine_ci.kind == gold["kind"]
                and mine_ci.households == gold.get("households"))
            sc.checkin.add(ok)
            if not ok:
                wrong.append(f"checkin {mine_ci.to_dict() if mine_ci else None} for {gold}")
        sc.shape.add(got.reading.shape == row.get("shape", "text"))
        if got.reading.shape != row.get("shape", "text"):
            wrong.append(f"shape {got.reading.shape} for {row.get('shape')}")
        if wrong:
            if res.alarm.danger:
                wrong.append(f"alarm {res.alarm.kind}/{res.alarm.against or 'now'}")
            sc.misses.append(f"[{row.get('kind')}] {row['text']!r}: " + "; ".join(wrong))
    return sc


def cross_validate(k: int, data: Path | None = None, seed: int = 0, by_writer: bool = False) -> Scores:
    """K-fold CV of the group-chat training corpus (see the module's docstring); `by_writer`: one fold
    per writers' batch instead (k is ignored)."""
    from bot.nlp import training

    tokenizer = Parser.make_tokenizer()
    corpus = training.build_corpus(tokenizer, training.data_dir(str(data) if data else None))
    threshold = Parser(tokenizer=tokenizer).threshold
    rows = training.groupchat_rows()
    sc = Scores()
    splits = [test for _name, test in writer_folds()] if by_writer else \
        training.folds(len(rows), k, seed, [str(r.get("kind")) for r in rows])
    k = len(splits)
    for f, test in enumerate(splits):
        out = set(test.tolist())
        keep = [j for j, r in enumerate(corpus.groupchat) if r["index"] not in out]
        arrays = training.fit(training.subset(corpus, keep))
        arrays["req_threshold"] = np.array([threshold], dtype=np.float32)
        evaluate(Parser(tokenizer=tokenizer, arrays=arrays), [rows[i] for i in sorted(out)], sc=sc)
        print(f"fold {f + 1}/{k} done", file=sys.stderr)
    return sc


def writer_folds(data: Path | None = None) -> list[tuple[str, np.ndarray]]:
    """The corpus's rows grouped by the writers' batch they came from (one file each, except the first
    batch, split into its requests and its other lines): a fold per batch tests on a writer the
    models never saw, as a fresh blind set does."""
    from bot.nlp import training

    base = data or training.OWN_DATA
    batches: dict[str, list[int]] = {}
    at = 0
    for name in training.GROUPCHAT_FILES:
        n = len(training.load_jsonl(base / name)) if (base / name).exists() else 0
        batch = "groupchat_first" if name in ("groupchat_requests.jsonl", "groupchat_other.jsonl") else name
        batches.setdefault(batch, []).extend(range(at, at + n))
        at += n
    return [(name, np.array(rows)) for name, rows in batches.items()]


def print_table(sc: Scores, out=sys.stdout, title: str = "on the held-out group-chat set") -> None:
    print(f"| {title} | measured | goal | met |", file=out)
    print("|---|---|---|---|", file=out)
    for name, ratio, goal, met in sc.rows():
        print(f"| {name} | {ratio} | {goal} | {'yes' if met else '**no**'} |", file=out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path, nargs="?", default=HELD_OUT)
    ap.add_argument("--misses", action="store_true", help="list the lines read wrong (not for the held-out set)")
    ap.add_argument("--cv", type=int, metavar="K", help="K-fold CV of the training corpus instead of a file")
    ap.add_argument("--by-writer", action="store_true",
                    help="with --cv: one fold per writers' batch (tests on a writer the models never saw)")
    ap.add_argument("--data", type=Path, help="message-board data for --cv (default ../shared/data)")
    args = ap.parse_args()
    if args.cv:
        sc = cross_validate(args.cv, args.data, by_writer=args.by_writer)
        what = "leave-one-writer-out CV" if args.by_writer else f"{args.cv}-fold CV"
        print_table(sc, title=f"{what} of the group-chat training corpus")
    else:
        held_out = args.file.resolve() == HELD_OUT.resolve() or not args.file.resolve().is_relative_to(ROOT)
        if args.misses and held_out:
            print("a held-out set is measured, never read line by line: no --misses for it", file=sys.stderr)
            return 2
        sc = evaluate(get_parser(), load(args.file))
        print_table(sc)
    if args.misses:
        print("\n".join(sc.misses), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
