"""The group-chat corpus keeps the rules of its labelling guide (bot/nlp/data/LABELLING.md), so what
the models learn from, and what the bench measures on, means what the guide says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.nlp.training import CATEGORIES, GROUPCHAT_FILES, OWN_DATA

ROOT = Path(__file__).resolve().parents[2]
TRAINING = [OWN_DATA / name for name in GROUPCHAT_FILES]
# frozen sets the parser is measured on, never trained on: the held-out set and the blind boundary check
MEASURED = [ROOT / "bench" / "data" / "groupchat_heldout.jsonl", ROOT / "bench" / "data" / "groupchat_boundary.jsonl"]
FILES = TRAINING + MEASURED
KEYS = {"text", "as", "shape", "is_request", "category", "urgency", "place", "checkin", "kind"}
SHAPES = {"text", "quote", "system", "link", "notice", "relay", "chain"}
CHECKIN_KINDS = {"duty_day", "night_visit", "visit", "party_lesson", "meeting", "leave"}


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_line_follows_the_labelling_guide(path: Path) -> None:
    rows = _rows(path)
    assert len(rows) >= 100  # every writer's file is a hundred lines or more: a shorter file was cut off
    for row in rows:
        where = f"{path.name}: {row.get('text')!r}"
        assert set(row) == KEYS, where
        assert row["as"] in ("resident", "cadre") and row["shape"] in SHAPES, where
        if row["is_request"]:
            assert row["category"] in CATEGORIES and row["urgency"] in ("P0", "P1", "P2", "P3"), where
        else:
            assert row["category"] is None and row["urgency"] is None, where
        place = row["place"]
        assert set(place) == {"building", "unit", "room"}, where
        assert all(v is None or (isinstance(v, str) and v.isdigit()) for v in place.values()), where
        if row["checkin"] is not None:
            assert row["as"] == "cadre" and row["checkin"]["kind"] in CHECKIN_KINDS, where
            assert row["checkin"]["households"] is None or isinstance(row["checkin"]["households"], int), where


@pytest.mark.parametrize("path", MEASURED, ids=lambda p: p.name)
def test_a_measured_set_shares_no_line_with_the_training_corpus(path: Path) -> None:
    trained = {r["text"] for file in TRAINING for r in _rows(file)}
    assert not trained & {r["text"] for r in _rows(path)}


def test_every_category_and_kind_is_in_the_training_corpus() -> None:
    rows = [r for path in TRAINING for r in _rows(path)]
    assert {r["category"] for r in rows if r["is_request"]} == set(CATEGORIES)
    assert {r["checkin"]["kind"] for r in rows if r["checkin"]} == CHECKIN_KINDS
    assert {r["shape"] for r in rows} == SHAPES
