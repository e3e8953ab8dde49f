"""Are two reports the same problem? Used to join duplicates instead of opening new tickets."""

from __future__ import annotations

import re

_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def _bigrams(text: str) -> set[str]:
    chars = "".join(_KEEP.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (robust to word order and particles)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def same_problem(
    *, category_a: str, category_b: str, place_a: str | None, place_b: str | None,
    text_a: str, text_b: str, keywords_a: list[str], keywords_b: list[str],
) -> bool:
    """Same category, and the same place or very similar words; two different places never match.

    When only one report names the place, the decisive keyword plus some shared wording is enough:
    in one grid within 72 hours, "电梯又坏了" and "3号楼电梯坏了" are the same elevator."""
    if category_a != category_b:
        return False
    if place_a and place_b and place_a != place_b:
        return False
    score = similarity(text_a, text_b)
    shared_keywords = bool(set(keywords_a) & set(keywords_b))
    if place_a and place_a == place_b:
        return score >= 0.15 or shared_keywords
    if place_a or place_b:
        return score >= 0.45 or (shared_keywords and score >= 0.15)
    return score >= 0.45 or (shared_keywords and score >= 0.25)
