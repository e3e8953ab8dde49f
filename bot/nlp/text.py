"""Text helpers shared by the parser, PII detection and the training script.

`fold` maps full-width ASCII (１２３, ＡＢＣ, －, ＠) to half-width one character for one character, so
offsets found on the folded text are offsets in the original text too.
"""

from __future__ import annotations

from functools import lru_cache

_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20  # ideographic space
_FOLD[0x2014] = ord("-")  # em dash as typed in "3—2—501"
_FOLD[0x2013] = ord("-")

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
             "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_CN_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_NUM_CHARS = "".join(_CN_DIGIT) + "".join(_CN_UNIT)


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Full-width → half-width, same length. Cached: a line is folded by each reader on its way
    (shape, parse, places, PII, safety), seven times on average."""
    return text.translate(_FOLD)


def cn_to_int(token: str) -> int | None:
    """'3' / '三' / '十二' / '二十一' / '一百零五' / '三零一' (digit by digit) → int; None otherwise."""
    token = fold(token.strip())
    if not token:
        return None
    if token.isdigit():
        return int(token)
    if any(c not in _CN_DIGIT and c not in _CN_UNIT for c in token):
        return None
    if not any(c in _CN_UNIT for c in token):  # 三零一 read digit by digit
        return int("".join(str(_CN_DIGIT[c]) for c in token))
    total, current = 0, 0
    for c in token:
        if c in _CN_DIGIT:
            current = _CN_DIGIT[c]
        else:
            unit = _CN_UNIT[c]
            total += (current or (1 if unit == 10 else 0)) * unit
            current = 0
    return total + current


def num_str(token: str) -> str:
    """A building/unit/room token as digits when it is a number ('三' → '3'), else as written ('A', 'B座')."""
    value = cn_to_int(token)
    return str(value) if value is not None else fold(token).upper()
