"""Are two reports the same problem? Used to join duplicates instead of opening new tickets."""

from __future__ import annotations

import re

from bot.domain.problem import problem_of, same_thing

_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def _bigrams(text: str) -> set[str]:
    chars = "".join(_KEEP.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (robust to word order and particles)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def _places_differ(a: str | None, b: str | None) -> bool:
    """Two places ("community/building/unit", or a place's words) differ when a part both name
    differs: "/3/2" (a reporter's own 3-2-501) and "/3/" are one building, "/3/1" and "/3/2" are two
    units' lifts, "/3/" and "/5/" two buildings."""
    if not a or not b:
        return False
    parts_a, parts_b = a.split("/"), b.split("/")
    if len(parts_a) != len(parts_b):
        return a != b
    return any(x and y and x != y for x, y in zip(parts_a, parts_b, strict=True))


def same_problem(
    *, category_a: str, category_b: str, place_a: str | None, place_b: str | None,
    text_a: str, text_b: str, keywords_a: list[str], keywords_b: list[str],
) -> bool:
    """Same category, no two different places, and the same thing wrong: the same object with a
    fault that agrees (`bot.domain.problem`). Same category and building alone are not enough
    (“楼道灯坏了” and “电梯坏了” in one building are two problems).

    When only one report names the place, the object decides: in one grid within 72 hours,
    "电梯又停了" and "3号楼电梯坏了" are the same elevator. When either names no object we know,
    only very similar wording (plus a shared keyword when it is short) joins them."""
    if category_a != category_b:
        return False
    if _places_differ(place_a, place_b):
        return False
    thing = same_thing(problem_of(text_a), problem_of(text_b))
    if thing is not None:
        return thing
    score = similarity(text_a, text_b)
    shared_keywords = bool(set(keywords_a) & set(keywords_b))
    return score >= 0.6 or (shared_keywords and score >= 0.45)
