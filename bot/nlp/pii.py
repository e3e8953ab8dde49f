"""Personal data in free text: mobile and landline numbers, 18-digit resident ID numbers, bank
cards, and (for masking only) room/door numbers.

`find_pii` returns spans on the original text; `mask` replaces them so that logs, exports and
group replies never repeat a resident's number. Rules, not a model: these formats are regular.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlp.text import fold


@dataclass(frozen=True)
class Pii:
    kind: str  # "phone" (mobile), "landline", "id_card", "bank_card"
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


_SEP = r"[ \-]?"
# mobile: 1[3-9]x xxxx xxxx, optionally +86 / 86, with spaces or dashes between the groups
_MOBILE = re.compile(rf"(?<![\dA-Za-z])(?:\+?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)")
# landline: area code 0xx(x) + 7-8 digits, or (0xx)xxxxxxx
_LANDLINE = re.compile(r"(?<![\dA-Za-z])(?:\(0\d{2,3}\)|0\d{2,3})[ \-]?[2-9]\d{6,7}(?:-\d{1,4})?(?!\d)")
_ID = re.compile(r"(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
_BANK = re.compile(r"(?<![\dA-Za-z])(?:62|4\d|5[1-5])\d{14,17}(?!\d)")
# room/door numbers masked by mask(rooms=True): 3-2-501, 501室, 2单元501, 12号门牌
_ROOM_DASH = re.compile(r"(?<![\d.])(\d{1,3}-\d{1,2}-)(\d{3,4})(?![\d.])")
_ROOM_SUFFIX = re.compile(r"(?<![\d.])(\d{3,4})(?=[室房户])")
_ROOM_AFTER_UNIT = re.compile(r"((?:单元|栋|幢|座|号楼)(?:的)?)(\d{3,4})(?![\d.])")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def find_pii(text: str) -> list[Pii]:
    """Phone and ID-like numbers, sorted by position, not overlapping."""
    if not text:
        return []
    folded = fold(text)
    found: list[Pii] = []

    def free(start: int, end: int) -> bool:
        return all(end <= p.start or start >= p.end for p in found)

    for match in _ID.finditer(folded):
        found.append(Pii("id_card", match.start(), match.end()))
    for match in _MOBILE.finditer(folded):
        if free(match.start(), match.end()):
            found.append(Pii("phone", match.start(), match.end()))
    for match in _LANDLINE.finditer(folded):
        if free(match.start(), match.end()):
            found.append(Pii("landline", match.start(), match.end()))
    for match in _BANK.finditer(folded):
        if free(match.start(), match.end()):
            found.append(Pii("bank_card", match.start(), match.end()))
    return sorted(found, key=lambda p: p.start)


def _mask_span(kind: str, raw: str) -> str:
    digits = [i for i, c in enumerate(raw) if c.isdigit() or c in "xX"]
    if kind == "phone" and len(digits) >= 11:
        keep = set(digits[:3] + digits[-4:]) if len(digits) == 11 else set(digits[-11:-8] + digits[-4:])
    elif kind in ("id_card", "bank_card"):
        keep = set(digits[:3] + digits[-2:]) if kind == "id_card" else set(digits[-4:])
    else:  # landline: keep the area code, hide the number
        head = raw.split("-")[0] if "-" in raw else raw[: raw.find(")") + 1] if ")" in raw else ""
        keep = set(range(len(head)))
        if not head:
            keep = set(digits[:3])
    return "".join(c if (i in keep or not (c.isdigit() or c in "xX")) else "*" for i, c in enumerate(raw))


def mask(text: str, rooms: bool = True) -> str:
    """Phones → 138****5678, ID numbers → 110***********12, and with `rooms` room/door numbers
    (501室, 3-2-501, 2单元501) → ***. Building numbers ("3号楼") stay readable."""
    if not text:
        return text
    out = []
    last = 0
    for p in find_pii(text):
        out.append(text[last:p.start])
        out.append(_mask_span(p.kind, text[p.start:p.end]))
        last = p.end
    out.append(text[last:])
    masked = "".join(out)
    if rooms:
        masked = _ROOM_DASH.sub(lambda m: m[1] + "***", masked)
        masked = _ROOM_AFTER_UNIT.sub(lambda m: m[1] + "***", masked)
        masked = _ROOM_SUFFIX.sub("***", masked)
        masked = _DOOR.sub(lambda m: m[1] + "**" + m[3], masked)
    return masked


# 门牌: "幸福路12号" → "幸福路**号" (a street address pins a household as precisely as a room number)
_DOOR = re.compile(r"([\u4e00-\u9fff]{1,8}(?:路|街|巷|弄|胡同))(\d{1,4})(号)(?![楼院])")
