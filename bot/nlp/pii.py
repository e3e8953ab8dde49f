"""Personal data in free text: mobile and landline numbers, resident ID numbers (18 and the old 15
digits), bank cards, other long numbers, and (for masking only) room and door numbers and names.

People write a number in many ways: full-width (１３８…), in Chinese or capital numerals
(一三八…, 壹叁捌…, 幺 for 1), grouped with spaces, dots, slashes, underscores, dashes or brackets,
digit by digit with spaces between, with +86 or 0086 in front, or with zero-width spaces inside.
So the scanner reads *digit runs*: every character that is a digit in any of these scripts, with
up to three separator or zero-width characters between two of them, and looks for a phone, ID or
card number in the digits of each run. `find_pii` returns spans on the original text; `mask`
replaces the digits inside them (and room numbers, door numbers and names when asked), so group
replies, logs and exports never repeat a resident's number. Rules, not a model: the formats are
regular once the writing is folded away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.nlp import location as places  # places read numbers with `number_spans`: module, not names
from bot.nlp.text import fold


@dataclass(frozen=True)
class Pii:
    kind: str  # "phone" (mobile), "landline", "id_card", "bank_card", "number" (another long number)
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


# Characters read as one digit each (numbers are spelled digit by digit: 一三八…, never 十/百).
_DIGITS: dict[str, str] = {str(d): str(d) for d in range(10)}
for _digits in ("零一二三四五六七八九", "〇壹贰叁肆伍陆柒捌玖"):
    _DIGITS.update({c: str(i) for i, c in enumerate(_digits)})
_DIGITS.update({"幺": "1", "貳": "2", "陸": "6"})
# read aloud for numbers (voice input, radio habit): 两 2, 洞 0, 拐 7; circled digits ①…⑨ ⓪
_DIGITS.update({"两": "2", "洞": "0", "拐": "7", "⓪": "0"})
_DIGITS.update({chr(0x2460 + i): str(i + 1) for i in range(9)})
# Between two digits of one number: spaces, dashes, dots, slashes, brackets, plus signs …
_SEPARATORS = frozenset(",、\n\r \t\u00a0-‐‑‒–—―−.·•/\\_()（）[]【】+~～")
# … and characters that are not seen at all (zero-width space/joiners, BOM, soft hyphen, word joiner,
# the emoji selector and keycap of 1️⃣)
_INVISIBLE = frozenset("\ufe0f\u20e3\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063")
_MAX_GAP = 4  # separators allowed between two digits of one number: ") - "

_MOBILE = re.compile(r"(?:(?:00)?86)?1\d{10}")
_ID18 = re.compile(r"[1-9]\d{16}[\dX]")
_ID15 = re.compile(r"[1-9]\d{14}")
_LANDLINE = re.compile(r"0\d{9,11}")
_BANK = re.compile(r"\d{16,19}")
_TICKET_NO = re.compile(r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_LONG = 10  # any other run of this many digits or more is masked too (a number is a number)
_LOCAL_CUE = re.compile(r"(?:电话|手机|座机|号码|联系|打|拨|致电|热线|tel|call|微信|qq)[^\d]{0,4}$", re.I)
_HOTLINES = frozenset({"110", "119", "120", "122", "12345", "12315", "12319", "12320", "12348", "96110"})


@dataclass(frozen=True)
class _Run:
    digits: str  # the digits read, ASCII, "X" for a trailing ID check letter
    positions: tuple[int, ...]  # index in the original text of each digit
    breaks: tuple[int, ...]  # digit indexes where a new group starts (after separators)


def _runs(folded: str) -> list[_Run]:
    """Digit runs of a folded text: digits in any script, separators and invisible characters between."""
    runs: list[_Run] = []
    digits: list[str] = []
    positions: list[int] = []
    breaks: list[int] = []
    gap = 0
    i, n = 0, len(folded)
    while i < n:
        c = folded[i]
        d = _DIGITS.get(c)
        if d is None and c in "Xx" and len(digits) >= 14 and (
                i + 1 == n or not (folded[i + 1].isascii() and folded[i + 1].isalnum())):
            d = "X"  # the check letter of an ID number (Chinese may follow at once: …241X号楼)
        if d is not None:
            if gap and digits:
                breaks.append(len(digits))
            digits.append(d)
            positions.append(i)
            gap = 0
        elif c in _INVISIBLE:
            pass
        elif c in _SEPARATORS and digits and gap < _MAX_GAP:
            gap += 1
        else:
            if digits:
                runs.append(_Run("".join(digits), tuple(positions), tuple(breaks)))
            digits, positions, breaks, gap = [], [], [], 0
        if gap and len(digits) == 9 and breaks == [6] and _TICKET_NO.fullmatch("".join(digits)):
            # a ticket number (YYMMDD-NNN) ends its run: a phone typed after it is a number of its own
            runs.append(_Run("".join(digits), tuple(positions), tuple(breaks)))
            digits, positions, breaks, gap = [], [], [], 0
        i += 1
    if digits:
        runs.append(_Run("".join(digits), tuple(positions), tuple(breaks)))
    return runs


def _kind(digits: str) -> str | None:
    if _MOBILE.fullmatch(digits):
        return "phone"
    if _ID18.fullmatch(digits) or _ID15.fullmatch(digits):
        return "id_card"
    if _LANDLINE.fullmatch(digits):
        return "landline"
    if _BANK.fullmatch(digits):
        return "bank_card"
    return None


_PRIORITY = {"id18": 0, "phone": 1, "id_card": 2, "landline": 3, "bank_card": 4}


def _matches(run: _Run) -> list[tuple[str, int, int]]:
    """(kind, first digit, end digit) inside one run. A number starts and ends at a group
    boundary (a phone typed after a ticket number, a space between, is found alone); where
    candidates overlap, the longest wins (a 15-digit ID is not a phone and 4 digits more), then an
    18-digit ID, a phone, the rest, and the earlier the better. What is left over and is still 10
    digits or longer is masked as a number."""
    starts = [0, *run.breaks]
    ends = [*run.breaks, len(run.digits)]
    candidates: list[tuple[int, int, int, int]] = []
    for i, a in enumerate(starts):
        for b in ends[i:]:
            kind = _kind(run.digits[a:b])
            if kind is not None:
                rank = _PRIORITY["id18"] if kind == "id_card" and b - a == 18 else _PRIORITY[kind]
                candidates.append((a - b, rank, a, b))
    found: list[tuple[str, int, int]] = []
    covered: set[int] = set()
    for _length, _rank, a, b in sorted(candidates):
        if covered.isdisjoint(range(a, b)):
            found.append((_kind(run.digits[a:b]) or "number", a, b))
            covered.update(range(a, b))
    a = None
    for k in range(len(run.digits) + 1):
        inside = k < len(run.digits) and k not in covered
        if inside and a is None:
            a = k
        elif not inside and a is not None:
            if k - a >= _LONG:
                found.append(("number", a, k))
            a = None
    return sorted(found, key=lambda m: m[1])


def find_pii(text: str) -> list[Pii]:
    """Phone, ID, card and other long numbers, however written; spans on `text`, sorted by
    position, not overlapping. Short local numbers (7-8 digits) count only after a word like
    电话/打/联系 ("打12345热线" and dates do not)."""
    return list(_find_pii(fold(text))) if text else []


@lru_cache(maxsize=1024)
def _find_pii(folded: str) -> tuple[Pii, ...]:
    """find_pii on a text already folded (spans are the same on the original: fold keeps lengths).
    Cached: a line is read for its numbers by the parser and again by the place reader."""
    found: list[Pii] = []
    for run in _runs(folded):
        for kind, a, b in _matches(run):
            found.append(Pii(kind, run.positions[a], run.positions[b - 1] + 1))
        if not any(run.positions[0] <= p.start < run.positions[-1] + 1 for p in found):
            start = run.positions[0]
            if 7 <= len(run.digits) <= 8 and len(run.breaks) <= 1 and _LOCAL_CUE.search(folded[:start]):
                found.append(Pii("landline", start, run.positions[-1] + 1))
    return tuple(sorted(found, key=lambda p: p.start))


_UNBROKEN = 5  # digits in a row (any script) that are one number, never a building, unit or room


def number_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` writes a number that holds no address, as (start, end): every phone, ID, card
    or long number `find_pii` finds, however grouped (139 1234 5678), and every run of five digits
    or more with nothing between them (12345). A place reader must not take a building, unit or
    room from inside one: "…5678号楼" after a phone number is no building 5678."""
    folded = fold(text) if text else ""
    spans = [(p.start, p.end) for p in _find_pii(folded)]
    start = None
    for i, c in enumerate(folded + " "):
        if c in _DIGITS:
            start = i if start is None else start
            continue
        if start is not None and i - start >= _UNBROKEN:
            spans.append((start, i))
        start = None
    return spans


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _keep(kind: str, count: int) -> set[int]:
    """Which digits (by index among the span's digits) stay readable."""
    if kind == "phone":  # 138****5678: the last 11 are the mobile; a +86 in front is hidden
        return set(range(count - 11, count - 8)) | set(range(count - 4, count))
    if kind == "id_card":  # 330***********12
        return {0, 1, 2, count - 2, count - 1}
    if kind == "landline":  # the area code
        return {0, 1, 2} if count >= 10 else set()
    if kind == "bank_card":
        return set(range(count - 4, count))
    return set()


def _digit_chars(folded: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if folded[i] in _DIGITS or folded[i] in "Xx"]


# ------------------------------------------------------------------ rooms and doors

# a chain of numbers joined by - # / _ (3-501, 3#501, 3-2-501, 3/2/501, 3#楼501): the last is the room
_CHAIN = re.compile(r"(?<![\d.])\d{1,3}(?:\s?(?:[-#/_]|#楼|号?楼?之)\s?\d{1,3}){0,2}"
                    r"\s?(?:[-#/_]|#楼?)\s?(\d{3,4})(?![\d.])")
# after a building, unit or floor word: 2单元501, 3号楼的501, 5栋1203, B座1203, 3楼301
_AFTER_PLACE = re.compile(r"(?:单元|门洞|栋|幢|座|号楼|楼)(?:的|之)?\s?(\d{3,4})(?![\d.])")
# before a room word: 501室, 五零一房, 1203号房
_BEFORE_ROOM = re.compile(r"(?<![\d.])(\d{3,4})\s?(?:室|房|号房|号户)")
# a lone number shaped like a room anywhere in the sentence (…好像是503着火了, 楼下的702天天…)
# (after a colon only when a digit is before it: 10:30 is a time, "已办结：602…" is a room)
_LONE = re.compile(r"(?<![\d.*\-/#])(?<!\d[:：])(\d{3,4})(?![\d.:：*])")
_NOT_ROOM_AFTER = re.compile(
    r"\s?(?:年|元|块|米|个|人|次|天(?!天)|日|号楼|号院|号线|路|栋|幢|座|单元|层|楼|万|千|百|多|余|斤|克|公斤|吨|平|㎡|度|分|秒"
    r"|小时|%|％|岁|辆|台|户|家|名|位|件|条|张|期|届|页|字|亿|份|本|瓶|箱|袋|斤|kg|km|cm|mm|ml|m\b|g\b|w\b|k\b)",
    re.I)
_JOINED_AFTER = re.compile(r"[ _/\\.\-]{1,3}\d")
_JOINED_BEFORE = re.compile(r"\d[ _/\\.\-]{1,3}$")
_NOT_ROOM_BEFORE = re.compile(r"(?:[¥￥$]|第|打|拨|热线|共|约|近|超过|大约|花了|每)\s?$")
_CN_NUMBER = "零〇一二三四五六七八九十百"
# 门牌: 幸福路12号, 幸福路十二号, 人民大道88号 (a door pins a household like a room does)
_DOOR = re.compile(rf"([\u4e00-\u9fff]{{1,8}}?(?:路|街|巷|弄|胡同|大道))([\d{_CN_NUMBER}]{{1,5}})(号)(?![楼院线])")
_DOOR_PLATE = re.compile(r"(门牌号?(?:是|为|:|：)?\s?)(\d{1,4})")
# 七楼二号, 12楼3号: a floor and a door on it name one flat as a room number does
_FLOOR_DOOR = re.compile(r"(?<![\d十])([\d十]{1,3})(楼)(\d{1,2})(号)(?![楼院线])")


def _room_shaped(number: str) -> bool:
    """501, 1203, 2604: a floor and a door number 01-39 (years, 110, 2000 are not)."""
    if number in _HOTLINES or number.startswith("0"):
        return False
    floor, door = int(number[:-2]), int(number[-2:])
    if len(number) == 4 and (number.startswith(("19", "20")) or floor > 69):
        return False
    return 1 <= door <= 39 and floor >= 1


def _digit_view(folded: str) -> tuple[str, list[int]]:
    """The (folded) text with zero-width characters dropped and Chinese digits read as digits, and
    for each character its index in the text."""
    chars: list[str] = []
    index: list[int] = []
    for i, c in enumerate(folded):
        if c in _INVISIBLE:
            continue
        chars.append(_DIGITS.get(c, c))
        index.append(i)
    return "".join(chars), index


def _room_spans(text: str, folded: str) -> list[tuple[int, int, str]]:
    """Spans (on `text`, folded as `folded`) of room and door numbers, with what replaces each."""
    view, index = _digit_view(folded)
    spans: list[tuple[int, int, str]] = []

    def add(a: int, b: int, stars: str = "***") -> None:
        spans.append((index[a], index[b - 1] + 1, stars))

    for pattern in (_CHAIN, _AFTER_PLACE, _BEFORE_ROOM):
        for match in pattern.finditer(view):
            if match[1] not in _HOTLINES:  # 119/120/110 is advice, not an address
                add(*match.span(1))
    for match in _LONE.finditer(view):
        number = match[1]
        if not _room_shaped(number) or _JOINED_AFTER.match(view, match.end()) or _JOINED_BEFORE.search(
                view, 0, match.start()):
            continue  # one group of a longer number (138 1234 5678): the number rules saw it
        if _NOT_ROOM_AFTER.match(view, match.end()) or _NOT_ROOM_BEFORE.search(view, 0, match.start()):
            continue
        add(*match.span(1))
    for match in _DOOR.finditer(view):
        add(*match.span(2), "**")
    for match in _DOOR_PLATE.finditer(view):
        add(*match.span(2))
    for match in _FLOOR_DOOR.finditer(view):
        add(*match.span(1), "*")
        add(*match.span(3), "*")
    spans.extend(_place_reader_rooms(text, view, index))
    return spans


_ANY_DIGIT = re.compile(r"\d")


def _place_reader_rooms(text: str, view: str, index: list[int]) -> list[tuple[int, int, str]]:
    """Every place in the sentence where the room the place reader found is written. A room is
    written in digits once Chinese numerals are read (`view`): a line without one has no room, and
    the place reader (half the cost of `mask`) is not asked."""
    if not _ANY_DIGIT.search(view):
        return []
    location = places.find_location(text)
    if location is None or not location.room or not location.room.isdigit():
        return []
    written = [(*location.room_at, "***")] if location.room_at else []  # read from parts: "5-2", "3户"
    return written + [(index[m.start()], index[m.end() - 1] + 1, "***")
                      for m in re.finditer(rf"(?<!\d){re.escape(location.room)}(?!\d)", view)]


# ------------------------------------------------------------------ names


def _name_spans(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Every place one of `names` (two characters or more) is written; longest names first."""
    spans: list[tuple[int, int]] = []
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            spans.append((start + 1, start + len(name)))  # 王** : the surname stays
            start = text.find(name, start + len(name))
    return spans


# ------------------------------------------------------------------ mask


def mask(text: str, rooms: bool = True, names: Iterable[str] = ()) -> str:
    """`text` with its personal data hidden, each hidden character as one `*`:

    phones → 138****5678 (however written), ID numbers → 330***********12, landlines keep their
    area code, cards their last 4, other numbers of 10+ digits are hidden whole; with `rooms`, room
    and door numbers (501室, 3-2-501, 3#501, 3/2/501, 住在1203, 五零一室, 幸福路十二号, and a lone
    room-shaped number anywhere: …好像是503着火了) → ***; each of `names` (roster people, residents)
    → 王**. Building numbers (3号楼), ticket numbers (261122-001), dates, times and hotlines
    (12345, 110) stay readable."""
    if not text:
        return text
    hidden: set[int] = set()
    folded = fold(text)
    for p in _find_pii(folded):
        positions = _digit_chars(folded, p.start, p.end)
        keep = _keep(p.kind, len(positions))
        hidden.update(pos for k, pos in enumerate(positions) if k not in keep)
    for a, b in _name_spans(text, names):
        hidden.update(range(a, b))
    # a room or door number becomes *** (** for a door) whatever its length
    replaced: dict[int, tuple[int, str]] = {}
    if rooms:
        taken: set[int] = set(hidden)
        for a, b, stars in sorted(_room_spans(text, folded)):
            if taken.isdisjoint(range(a, b)):
                replaced[a] = (b, stars)
                taken.update(range(a, b))
    if not hidden and not replaced:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if i in replaced:
            i, stars = replaced[i]
            out.append(stars)
            continue
        out.append("*" if i in hidden else text[i])
        i += 1
    return "".join(out)


def readable_digits(text: str) -> str:
    """The numbers a reader sees in `text`, however written, as ASCII digits separated by spaces
    (for checks that nothing leaked): "电话一三八 1234" → "1381234"."""
    return " ".join(r.digits for r in _runs(fold(text)))
