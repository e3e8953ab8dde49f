"""Random phone and ID numbers written the ways people write them in chat, for the property test
of `mask` and for `bench/mask_eval.py`: scripts (ASCII, full-width, Chinese and capital numerals,
幺, mixed), groupings (3-4-4, 6-8-4, 4-4-4-4-2, digit by digit), separators (space, dash, dot, slash,
underscore, em dash, zero-width space, ideographic space), +86 / 0086 / brackets in front, and a
sentence around it."""

from __future__ import annotations

import random
from datetime import date, timedelta

_FULL = {str(d): chr(0xFF10 + d) for d in range(10)}
_CN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_CN_ZERO = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))
_CAPITAL = dict(zip("0123456789", "零壹贰叁肆伍陆柒捌玖", strict=True))
_SEPARATORS = (" ", "-", ".", "/", "_", "—", "\u200b", "\u3000", " - ", "\u200b ", "－")
_BEFORE = ("", "我电话", "联系我：", "手机号是", "有事打", "身份证号", "号码", "麻烦回电 ", "3号楼王阿姨，电话",
           "查询 261122-001 ", "证件号码:", "家里人的号")
_AFTER = ("", "，谢谢", "。", " 找我", "（白天）", "，5号楼", "！！", "，尽快处理")
MOBILE_PREFIXES = ("13", "14", "15", "16", "17", "18", "19")


def random_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(9))


def random_id18(rng: random.Random) -> str:
    region = str(rng.randint(110000, 659999))
    born = date(1930, 1, 1) + timedelta(days=rng.randint(0, 33000))
    body = region + born.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    return body + rng.choice("0123456789X")


def random_id15(rng: random.Random) -> str:
    region = str(rng.randint(110000, 659999))
    born = date(1930, 1, 1) + timedelta(days=rng.randint(0, 25000))
    return region + born.strftime("%y%m%d") + f"{rng.randint(0, 999):03d}"


def _script(rng: random.Random, digits: str) -> str:
    choice = rng.randrange(7)
    if choice == 0:
        return digits
    if choice == 1:
        return "".join(_FULL.get(c, c) for c in digits)
    if choice == 2:
        return "".join(_CN.get(c, c) for c in digits)
    if choice == 3:
        return "".join(_CN_ZERO.get(c, c) for c in digits)
    if choice == 4:
        return "".join(_CAPITAL.get(c, c) for c in digits)
    if choice == 5:
        return "".join(("幺" if c == "1" else _CN.get(c, c)) for c in digits)
    tables: tuple[dict[str, str], ...] = ({}, _FULL, _CN, _CAPITAL)
    return "".join(rng.choice(tables).get(c, c) for c in digits)


def _group(rng: random.Random, digits: str, sizes: tuple[tuple[int, ...], ...]) -> list[str]:
    pick = rng.choice((*sizes, "each", "whole"))
    if pick == "whole":
        return [digits]
    if pick == "each":
        return list(digits)
    parts, at = [], 0
    for size in pick:
        parts.append(digits[at:at + size])
        at += size
    if at < len(digits):
        parts.append(digits[at:])
    return parts


def write_number(rng: random.Random, digits: str, kind: str) -> tuple[str, int, int]:
    """`digits` (a mobile, an 18- or 15-digit ID) as a person might type it inside a sentence:
    (the sentence, where the number starts and ends in it)."""
    sizes = {"mobile": ((3, 4, 4), (3, 3, 5), (4, 4, 3), (3, 8)),
             "id": ((6, 8, 4), (4, 4, 4, 4, 2), (3, 3, 4, 4, 4), (6, 8, 1), (6, 6, 3), (6, 4, 4, 4))}[kind]
    parts = [_script(rng, p) for p in _group(rng, digits, sizes)]
    separator = rng.choice(_SEPARATORS)
    if rng.random() < 0.3:  # a different separator between each group
        written = parts[0] + "".join(rng.choice(_SEPARATORS) + p for p in parts[1:])
    else:
        written = separator.join(parts)
    if rng.random() < 0.15:  # a zero-width space slipped in somewhere
        at = rng.randint(1, max(1, len(written) - 1))
        written = written[:at] + "\u200b" + written[at:]
    if kind == "mobile" and rng.random() < 0.3:
        written = rng.choice(("+86", "+86 ", "86-", "0086 ", "(+86)", "（0086）", "+86-")) + written
    if kind == "mobile" and rng.random() < 0.1:
        written = f"({written[:3]}){written[3:]}" if written[:3].isdigit() else written
    before = rng.choice(_BEFORE)
    return before + written + rng.choice(_AFTER), len(before), len(before) + len(written)
