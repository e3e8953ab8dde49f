"""A pattern's gate: the characters it cannot match without. A gate may only ever skip lines the
pattern would not have matched; a wrong gate would silently drop a P0."""

import re

import pytest

from bot.nlp import lexicon, safety, training
from bot.nlp.gate import BranchGates, could_match, gate_of
from bot.nlp.text import fold
from bot.nlp.typos import read_through


def test_a_sequence_is_gated_by_its_rarest_mandatory_part() -> None:
    gate = gate_of(re.compile(r"电梯.{0,4}(?:坠落|下坠)"))
    assert frozenset("梯") in gate
    assert not could_match(gate, set("电梯门坏了"))
    assert could_match(gate, set("电梯突然下坠"))


def test_an_alternation_needs_one_character_of_each_alternative() -> None:
    (gate,) = gate_of(re.compile(r"着火|冒烟"), keep=1)
    assert gate in (frozenset("着冒"), frozenset("火烟"))


@pytest.mark.parametrize("pattern", [r"\w+坏了|漏", r"(?i)fire|火", r"(?:楼上)?|水", r"[\u4e00-\u9fff]{2}市"])
def test_what_the_gate_cannot_read_is_never_skipped(pattern: str) -> None:
    compiled = re.compile(pattern)
    gate = gate_of(compiled)
    for line in ("xyz", "楼下漏水", "FIRE", "某某市"):
        if compiled.search(line):
            assert could_match(gate, set(line))


def test_a_long_alternation_is_gated_per_alternative() -> None:
    # one set per alternative, unioned, would be {火, 气}: "今天天气好" would pass it
    gates = BranchGates([re.compile(r"(?:着火.{0,3}了|燃气.{0,4}漏)"), re.compile(r"楼上|\w+")])
    assert gates.admitted(set("今天天气好")) == {1}  # an alternative the gate cannot read always runs
    assert 0 in gates.admitted(set("厨房着火了"))
    assert 0 in gates.admitted(set("燃气好像漏了"))
    assert 0 not in gates.admitted(set("火锅气氛好"))  # 火 without 着, 气 without 燃


def _lines() -> list[str]:
    lines = []
    for name in training.GROUPCHAT_FILES[:6]:
        lines += [read_through(fold(r["text"]).lower()) for r in training.load_jsonl(training.OWN_DATA / name)]
    return lines


def test_no_gate_of_the_keyword_tables_skips_a_line_its_pattern_matches() -> None:
    patterns = [p for _kind, p, _cat in safety._DANGER]
    patterns += [p for rules in lexicon._COMPILED.values() for p, _w, _n in rules]
    gates = [gate_of(p) for p in patterns]
    matched = 0
    for line in _lines():
        chars = set(line)
        for pattern, gate in zip(patterns, gates, strict=True):
            if pattern.search(line):
                matched += 1
                assert could_match(gate, chars), (pattern.pattern[:40], line)
    assert matched > 1000  # the check saw the tables at work


def test_no_branch_gate_of_the_p0_table_skips_a_line_its_kind_matches() -> None:
    matched = 0
    for line in _lines():
        admitted = safety._GATES.admitted(set(line))
        for number, (kind, pattern, _category) in enumerate(safety._DANGER):
            if pattern.search(line):
                matched += 1
                assert number in admitted, (kind, line)
    assert matched > 500
