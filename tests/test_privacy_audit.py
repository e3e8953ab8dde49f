"""The privacy audit: every transcript under tests/transcripts/ is replayed through the real
pipeline, and every message the bot says into a group is checked. It fails on a phone number, an
ID number, a room or door number, a resident's name, or more than N consecutive characters of
anything a resident typed (ticket numbers aside: a number is not a resident's words)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.commands import parse_command
from bot.demo_roster import demo_roster
from bot.nlp.pii import find_pii, mask, readable_digits
from bot.registry import Registry
from handlers import register_all
from tests.conftest import TRANSCRIPTS

MAX_RUN = 6  # characters of a resident's own words a group line may share with them (e.g. 电梯故障)
_TICKET_NO = re.compile(r"\d{6}-?\d{3}")
STAFF_IDS = {p.im_user for p in demo_roster().people if p.im_user}


def command_words() -> set[str]:
    registry = register_all(Registry())
    return {w for c in registry.commands for w in (c.word, *c.aliases)}


COMMAND_WORDS = command_words()


def longest_common_run(a: str, b: str) -> str:
    """The longest substring of both (dynamic programming, texts are short)."""
    best, best_end = 0, 0
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                current[j] = previous[j - 1] + 1
                if current[j] > best:
                    best, best_end = current[j], i
        previous = current
    return a[best_end - best:best_end]


def leaks(text: str, resident_texts: list[str], resident_names: set[str]) -> list[str]:
    """Why a group message is not fit for a group (empty: it is)."""
    found = []
    if find_pii(text):
        found.append(f"personal number {[text[p.start:p.end] for p in find_pii(text)]}")
    if mask(text) != text:
        found.append(f"room/door or number readable: {mask(text)!r}")
    if any(len(run) >= 11 for run in readable_digits(text).split()):
        found.append("a long number")
    found += [f"resident's name {name!r}" for name in resident_names if name and name in text]
    plain = _TICKET_NO.sub("#", text)
    for typed in resident_texts:
        for version in (typed, mask(typed)):  # word for word, or with its numbers masked
            run = longest_common_run(plain, _TICKET_NO.sub("#", version))
            if len(run) > MAX_RUN:
                found.append(f"resident's words {run!r}")
                break
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in TRANSCRIPTS.glob("*.jsonl")))
def test_nothing_private_reaches_a_group(replay, name: str) -> None:  # type: ignore[no-untyped-def]
    lines = [json.loads(line) for line in (TRANSCRIPTS / name).read_text(encoding="utf-8").splitlines() if line]
    said = [line for line in lines if "text" in line]
    residents = [line for line in said
                 if line["user"] not in STAFF_IDS or line.get("platform", "demo") in ("bridge", "mp")]
    # a resident's own words: what they wrote, not the commands they typed (查询 261102-001)
    resident_texts = [line["text"] for line in residents
                      if line["text"] and parse_command(line["text"], COMMAND_WORDS) is None]
    resident_names = {line.get("user_name") or "" for line in residents}
    out, _db = replay(name)
    problems = {f"{o['at']} {o['chat']}: {o['text']!r}": why for o in out if o["chat"]
                for why in [leaks(str(o["text"]), resident_texts, resident_names)] if why}
    assert not problems


def test_the_audit_catches_each_kind_of_leak() -> None:
    typed = ["3号楼2单元501漏水了，我电话13955501234"]
    names = {"胡阿姨"}
    assert leaks("工单261109-001已登记（水电气暖）", typed, names) == []
    assert leaks("电话13955501234", typed, names)
    assert leaks("电话一三九五五五零一二三四", typed, names)
    assert leaks("2单元501", typed, names)
    assert leaks("胡阿姨反映的问题", typed, names)
    assert leaks("工单261109-001：3号楼2单元***漏水了", typed, names)  # the resident's own words
    assert leaks("身份证330106199001011234", typed, names)


def test_every_transcript_is_audited(repo_root: Path) -> None:
    assert len(list(TRANSCRIPTS.glob("*.jsonl"))) >= 15  # the new cases are in the audit too
