"""Gates for the parser's keyword tables: the characters a pattern cannot match without.

Most lines name nothing of most tables (a line about a lift names no fire, no gas, no wages), yet
each of the hundreds of patterns would scan the whole line to find that out. A pattern's gate is
worked out once, from the pattern itself: sets of characters such that every match holds at least
one character of each set ("电梯.{0,4}(?:坠落|下坠)" → {梯}, {坠}). A line whose characters miss a set
cannot match, so the pattern is not run on it. The answer is the pattern's own, never a guess:
a pattern whose shape the gate cannot read (case-folding, classes such as \\w, lookbehind-only
alternatives) gets no gate and always runs.
"""

from __future__ import annotations

import re
from re import _constants as C  # the regular-expression compiler's own parse tree
from re import _parser as sre

# characters so common in group chat that a set holding one barely narrows anything: the gate
# prefers the other mandatory parts of a pattern ("楼" is in most lines, "梯" in few)
_COMMON = set("的了是我不人在有一这个们来楼家到说上也就要下水电好号天没大里吗门去会都还能小区物业")
_WIDE_RANGE = 64  # a class wider than this ([\u4e00-\u9fff]) gates nothing

Chars = frozenset[str]


def _cost(chars: Chars) -> int:
    return sum(10 if c in _COMMON else 1 for c in chars)


def _in_class(items) -> Chars | None:
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] <= _WIDE_RANGE:
            out.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY (\d, \w), a wide range
            return None
    return frozenset(out)


def _musts(seq) -> list[Chars]:
    """Every mandatory part's character set, for a sequence of parsed items."""
    out: list[Chars] = []
    for op, av in seq:
        if op is C.LITERAL:
            out.append(frozenset(chr(av)))
        elif op is C.IN:
            chars = _in_class(av)
            if chars is not None:
                out.append(chars)
        elif op is C.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if not add_flags and not del_flags:
                out.extend(_musts(sub))
        elif op is C.ATOMIC_GROUP:
            out.extend(_musts(av))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low >= 1:
                out.extend(_musts(sub))
        elif op is C.BRANCH:
            one = _one_of_branches(av[1])
            if one is not None:
                out.append(one)
    return out


def _one_of_branches(branches) -> Chars | None:
    """A set every alternative's match meets: the union of each alternative's best set."""
    union: set[str] = set()
    for branch in branches:
        musts = _musts(branch)
        if not musts:
            return None
        union |= min(musts, key=_cost)
    return frozenset(union)


def gate_of(pattern: re.Pattern[str], keep: int = 2) -> tuple[Chars, ...]:
    """The sets of characters every match of `pattern` meets (empty: no gate, always run).

    Only the `keep` most selective are kept: each kept set is one more check per line. Callers
    test them inline (a Python call per pattern costs as much as running a short pattern)."""
    if pattern.flags & re.IGNORECASE:
        return ()
    try:
        tree = sre.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover - the pattern compiled, so it parses
        return ()
    musts = sorted(set(_musts(tree)), key=_cost)
    return tuple(musts[:keep])


def _branches(seq) -> list:
    """The top-level alternatives of a parsed pattern, nested alternations flattened (a whole-pattern
    group is looked through): [seq] when the pattern is no alternation."""
    items = list(seq)
    while len(items) == 1 and items[0][0] is C.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][3])
    if len(items) == 1 and items[0][0] is C.BRANCH:
        return [branch for alternative in items[0][1][1] for branch in _branches(alternative)]
    return [items]


class BranchGates:
    """The gates of a table of patterns, each one long alternation (the P0 table: each kind two
    hundred ways of telling one danger), kept per alternative: a line may match a pattern only
    when it meets every set of some one of its alternatives. gate_of's one set per alternative,
    unioned over hundreds of them, holds nearly every common character and lets most lines
    through; per alternative, most lines meet none.

    Checked from the line's side, for the whole table at once: the characters that open some
    alternative's check are intersected with the line's in one set operation, and only those
    alternatives are looked at."""

    __slots__ = ("_always", "_first", "_rest")

    def __init__(self, patterns: list[re.Pattern[str]], keep: int = 2) -> None:
        self._always: set[int] = set()
        self._rest: dict[str, list[tuple[int, tuple[Chars, ...]]]] = {}
        for number, pattern in enumerate(patterns):
            if pattern.flags & re.IGNORECASE:
                self._always.add(number)
                continue
            tree = sre.parse(pattern.pattern, pattern.flags)
            gates = [sorted(set(_musts(branch)), key=_cost)[:keep] for branch in _branches(tree)]
            if not all(gates):  # an alternative the gate cannot read: always run
                self._always.add(number)
                continue
            for musts in gates:
                for char in musts[0]:
                    self._rest.setdefault(char, []).append((number, tuple(musts[1:])))
        self._first = frozenset(self._rest)

    def admitted(self, chars: set[str]) -> set[int]:
        """The numbers (positions in the table) of the patterns a line whose characters are
        `chars` could match."""
        out = set(self._always)
        for char in self._first.intersection(chars):
            for number, rest in self._rest[char]:
                if number not in out and all(not needed.isdisjoint(chars) for needed in rest):
                    out.add(number)
        return out


def could_match(gate: tuple[Chars, ...], chars: set[str]) -> bool:
    """Whether a line whose characters are `chars` meets every set of `gate`."""
    return all(not needed.isdisjoint(chars) for needed in gate)
