"""Places in a message: community (社区/小区 names), building (号楼/栋/幢/座), unit (单元),
room, plus courtyard (号院), door number (门牌: 路/街/巷 + 号), floor and shop names.

Numbers are normalised to digits ("三号楼二单元501" → building "3", unit "2", room "501");
`text` is the span as written. Rules only: addresses in group chat are short and regular.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.nlp import pii  # a cycle (mask asks for rooms): both sides import the module, not its names
from bot.nlp.text import CN_NUM_CHARS, fold, num_str

_N = rf"(?:\d{{1,4}}|[{CN_NUM_CHARS}]{{1,4}})"
_HAN = r"\u4e00-\u9fff"
# words that end a name when read backwards from a suffix ("我们小区" is not a name)
_STOP = set("的在是了我你他她们个家到去住这那咱本全和说从给对跟里上下门前后旁边有没请问就都还把被让")

_COMBO = re.compile(r"(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])")
_BUILDING = re.compile(rf"(?:({_N})\s?(?:号楼|号栋|栋|幢|号幢|#楼?|号?座)|([A-Za-z])\s?(?:座|栋|幢|号楼)"
                       rf"|(?<![\d-])(\d{{1,3}}|(?<!一)[{CN_NUM_CHARS}]{{1,3}}(?=[动懂]\d))\s?(?:洞(?![口里眼])|[冬动懂](?=\d|[一二三四五六七八九十两]|单元|楼|门)|dong(?![a-z]))"
                       r"|(?<![A-Za-z\d])[Tt](\d{1,2})(?![\d.:]))")  # 洞/冬/动/懂/dong: 栋 by voice; T5: a tower
# not the digits of a tower ("T3单元" is tower 3), but a unit in Chinese after them ("T5两单元")
# (2梯: a lift core; 2门201: a unit by its door, before a room)
_UNIT = re.compile(rf"(?:(?<![A-Za-z\d])|(?<=\d)(?=[一二两三四五六七八九十]))({_N})"
                   r"\s?(?:单元|门洞|(?<=\d)梯(?![一二两三四\d]户)|门(?=\d{3,4}(?![\d米路号元块公])))")
# the northern way of naming a unit by its door, right after the building ("7号楼2门401", "二号楼二门楼道")
_UNIT_DOOR = re.compile(rf"\s?({_N})\s?门(?![口卫外前后面牌诊店市禁铃框窗锁把])")
# an emergency number after a building is a call, not a room ("住七栋 120说要等")
_ROOM_AFTER = re.compile(r"\s?(?:的)?(?!1(?:10|19|20|22)(?![\d室号房家户]))"
                         r"(\d{3,4}|[零〇一二三四五六七八九]{3,4})(?:室|号|房)?(?!\d|楼(?![上下道]))")
_ROOM = re.compile(r"(?<![\d-])(\d{3,4})(?:室|房间?)")
_FLOOR = re.compile(rf"(?<![号\d])({_N})\s?(?:楼|层)(?![道顶下上梯房])")
# a courtyard and a household in it ("17号院3户", "5号院7号"): the household is the door, read as a room
_COURT = re.compile(rf"({_N})\s?号院(?:\s?(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s?(?:户|号(?![楼院])))?")
# a tower's room after a dash ("T5-2603"), and a floor-door after a unit ("2单元5-2": 5th floor, door 2)
_DASH_ROOM = re.compile(r"\s?[-—–]\s?(\d{3,4})(?![\d-])")
_FLOOR_DOOR = re.compile(r"\s?(\d{1,2})\s?[-—–]\s?(\d{1,2})(?![\d-])")
# rooms offered as a choice, a pair or a range ("501还是502", "501和502都…", "1501到1504这一层"): no one flat
_ROOM_CHOICE = re.compile(r"(\d{3,4})\s?(?:室|家)?\s?(?:还是|或者|或|和|跟|、|/|到|至|~)\s?(\d{3,4})(?!\d)")
# "3栋2-501", "4幢1-201": unit and room after the building
_UNIT_ROOM_AFTER = re.compile(r"\s?(\d{1,2})\s?[-—–]\s?(\d{3,4})(?![\d-])")
# Shanghai lanes: "淮海路88弄12号601室" — the 弄 number is the lane; the 号 after it is the building
_ROOM_TAIL = r"(?:\s?(\d{3,4})(?:室|号)?(?!\d))?"  # a room after a house or block number, optional
_LANE = re.compile(rf"[{_HAN}]{{1,10}}(?:路|街|道)?\s?\d{{1,4}}\s?弄\s?(\d{{1,3}})\s?号(?!楼|院){_ROOM_TAIL}")
# an estate's block by its 号 ("梅林新村14号201", "阳光小区8号"): a 新村 or 小区 numbers its blocks so,
# while a lane's or a village's 号 is a house ("后浔里47号402", "桂花村12号")
_ESTATE_NO = re.compile(rf"(?:新村|小区|花园|家园|公寓|[^\s\d]苑)\s?(\d{{1,3}})\s?号(?![楼院]){_ROOM_TAIL}")
# a row of single-storey houses and its door ("北区5排3号", "5排那家"): the row is the building
_ROW = re.compile(r"(?<![\d一])(\d{1,2})\s?排(?![队水气查放班名])(?:\s?(\d{1,3})\s?号(?![楼院]))?")
# a numbered lane or village group's house ("解放路3巷7号201", "二组18号"), read like a 弄's
_GROUP_NO = re.compile(rf"(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})(?:组|巷)\s?({_N})\s?号(?![楼院]){_ROOM_TAIL}")
# a lettered block and its unit ("A7-2"), a block and its room ("9-1502")
_LETTER_PAIR = re.compile(r"(?<![A-Za-z\d-])[A-Za-z](\d{1,2})-(\d{1,2})(?![\d-])")
_PAIR = re.compile(r"(?<![A-Za-z\d\-.:/])(\d{1,2})-(\d{3,4})(?![\d\-.:/])")
# a building and unit signed off alone at the end of a line ("一直冇人换 6-2"), opening it ("13-1门禁坏了")
# or naming a door ("就在5-1门口"): the way "3-2-501" is written, without the room; a unit is a small number; never
# a range of hours or counts ("停水时间 9-5") or a date ("6-1儿童节")
_SIGNED_PAIR = re.compile(r"(?<![时间点数号月日期钟度岁价元块分天年龄级])(?:^|\s)(\d{1,2})\s?[-—–]\s?([1-9])\s*$"
                          r"|^\s*(\d{1,2})[-—–]([1-9])(?![\d\-.:/点号月日岁度人元块折分天年个儿节])"
                          r"|(?:^|\s|在|就在)(\d{1,2})[-—–]([1-9])(?=门口|单元门)")
# "2号303": a building number with 号 alone, then a room
_NO_ROOM = re.compile(r"(?<![\d路街巷弄])(\d{1,2})号\s?(\d{3,4})(?:室)?(?![\d号])")
# a room named alone ("住702", "楼下的702", "好像是503", "802家", "一五零二家"): 3-4 digits that read as
# floor + door (door 01-20), not a year, a price, an amount or an emergency number
_BARE_ROOM = re.compile(
    r"(?<![\d\-#.:/年月号第])(\d{3,4}|[零〇一二三四五六七八九]{3,4})(?![\d\-:/.]|\s?(?:元|块|米|斤|年|天(?!天)|个|人|平|度|路|次|分钟|分|点|%|万|岁"
    r"|多|号楼|号线|栋|幢|单元|楼(?![上下道])|层|公里|毫|克|千|瓦|期|户|辆|台|页|件|条|套|吨|升|秒|小时|届|班))")
_OWN_ROOM_CUE = re.compile(r"(?:住|住在|我家|家住|我们家)\s?$")  # the writer's own home wins over a neighbour's
_ROOM_CUE_BEFORE = re.compile(r"(?:住|住在|是|是从|从|楼下的?|楼上的?|对门的?|隔壁的?|对面的?|我家|家住|那户|门牌"
                               r"|屋里|屋头"
                               r"|到|去了?"
                               r"|顶楼|门口|(?:[一二三四五六七八九十]{1,3}|\d{1,2})楼)\s?$")
_ROOM_CUE_AFTER = re.compile(r"^\s?(?:的|家|室|号房|门口|那户|那家|户|房间|阳台|屋|这户|老|在|把|装修|养|总|天天|有"
                             r"|看了|一直|里)")
_NOT_ROOMS = {"110", "119", "120", "122", "114", "315", "12345", "一一零", "一一九", "一二零"}
# a correction: the building named last is the one meant ("不是5号楼 是6号楼")
_CORRECTION = re.compile(r"不是|更正|说错|其实是|应该是|打错|错怪|不止|不光|不只")  # the one named last
_DOOR = re.compile(rf"([{_HAN}]{{1,8}}(?:路|街|巷|弄|胡同|大道))(\d{{1,4}})号(?![楼院])")
_COMMUNITY = re.compile(rf"([{_HAN}A-Za-z0-9]{{1,10}}?)(社区|小区|花园|家园|新村|公寓|嘉园|名苑|雅苑|新城|安置区)")
_SHOP = re.compile(rf"([{_HAN}A-Za-z]{{1,8}}?)(烧烤店|饭店|餐馆|餐厅|酒楼|超市|便利店|药店|药房|诊所|理发店|网吧"
                   rf"|酒吧|KTV|ktv|棋牌室|麻将馆|洗车店|修车店|快递站|菜市场|水果店|小吃店|面馆|火锅店|店)")


@dataclass(frozen=True)
class Location:
    community: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    text: str | None = None
    courtyard: str | None = None
    door: str | None = None
    floor: str | None = None
    shop: str | None = None
    # where a room read from parts is written ("5-2" for room 502), so `mask` hides it; not compared
    room_at: tuple[int, int] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, str | None]:
        out = {"community": self.community, "building": self.building, "unit": self.unit,
               "room": self.room, "text": self.text}
        for extra in ("courtyard", "door", "floor", "shop"):
            value = getattr(self, extra)
            if value is not None:
                out[extra] = value
        return out


_NOT_A_NAME = re.compile(r"\d|今天|明天|昨天|上午|下午|晚上|周[一二三四五六日天]|[月号点]"
                         r"|^(?:能不能|建议|感谢|希望|谢谢)|掉进|^(?:老旧|整个|咱们|我们|你们|这个|那个|本)$")


def _trim_name(name: str) -> str:
    """Cut a name read before a suffix at the last stop word: '我们八仙楼' → '八仙楼'."""
    for i in range(len(name) - 1, -1, -1):
        if name[i] in _STOP:
            return name[i + 1:]
    return name


@lru_cache(maxsize=512)
def find_location(text: str) -> Location | None:
    """The place a line names, or None. Cached (a Location is frozen): the parser and `mask` read the
    same line (a report, then its masked echo; one notice masked for each reporter), and the place
    reader is half of what `mask` costs."""
    if not text:
        return None
    s = _outside_numbers(fold(text), pii.number_spans(text))
    spans: list[tuple[int, int]] = []
    building = unit = room = floor = courtyard = door = community = shop = None
    room_at: tuple[int, int] | None = None
    choices = [m.span() for m in _ROOM_CHOICE.finditer(s)]

    combo = _COMBO.search(s)
    if combo:
        building, unit, room = combo[1], combo[2], combo[3]
        spans.append(combo.span())
    lane = _LANE.search(s)
    if lane and building is None:
        building = lane[1]
        spans.append(lane.span())
        if lane[2]:
            room = lane[2]
    for pattern in (_ESTATE_NO, _GROUP_NO, _ROW):
        match = pattern.search(s) if building is None else None
        if match:
            building = num_str(match[1])
            spans.append(match.span())
            if match[2]:
                room = match[2]
    lettered = _LETTER_PAIR.search(s) if building is None else None
    if lettered:
        building, unit = lettered[1], lettered[2]
        spans.append(lettered.span())
    buildings = [] if building is not None else list(_BUILDING.finditer(s))
    pair = _PAIR.search(s) if building is None and not buildings else None
    if pair and _plausible_room(pair[2]):
        building, room = pair[1], pair[2]
        spans.append(pair.span())
    signed = _SIGNED_PAIR.search(s) if building is None and not buildings else None
    if signed:
        building, unit = signed[1] or signed[3] or signed[5], signed[2] or signed[4] or signed[6]
        spans.append(signed.span())
    by_door = None  # a unit named by its door right after the building ("7号楼2门401")
    if len(buildings) > 1 and _CORRECTION.search(s):
        buildings = buildings[-1:]  # "不是5号楼 是6号楼": the one named last
    for match in buildings:
        building = num_str(match[1] or match[2] or match[3] or match[4])
        spans.append(match.span())
        pair = _UNIT_ROOM_AFTER.match(s, match.end())
        rest = _ROOM_AFTER.match(s, match.end())
        dashed = _DASH_ROOM.match(s, match.end()) if match[4] else None
        if pair and unit is None and room is None:
            unit, room = pair[1], pair[2]
            spans.append(pair.span())
        elif dashed and room is None:
            room = dashed[1]
            spans.append(dashed.span())
        elif room is None and (floor_door := _FLOOR_DOOR.match(s, match.end())) and 0 < int(floor_door[2]) <= 20 \
                and not _UNIT.match(s, match.end()):
            room = f"{int(floor_door[1])}{int(floor_door[2]):02d}"
            room_at = (floor_door.start(1), floor_door.end(2))
            spans.append(floor_door.span())
        elif rest and room is None and not _UNIT.match(s, match.end()) and not _overlaps(rest.span(1), choices):
            room = num_str(rest[1])
            spans.append(rest.span())
        by_door = _UNIT_DOOR.match(s, match.end())
        break
    if building is None and room is None:
        pair = _NO_ROOM.search(s)
        if pair:
            # after a lane's name the 号 is a house number, not a building ("后浔里47号402")
            building = None if s[max(0, pair.start() - 1):pair.start()] in ("里", "村") else pair[1]
            room = pair[2]
            spans.append(pair.span())
    unit_match = _UNIT.search(s) or by_door
    if unit_match and unit is None:
        unit = num_str(unit_match[1])
        spans.append(unit_match.span())
        rest = _ROOM_AFTER.match(s, unit_match.end())
        floor_door = _FLOOR_DOOR.match(s, unit_match.end())
        if rest and room is None and not _overlaps(rest.span(1), choices):
            room = num_str(rest[1])
            spans.append(rest.span())
        elif floor_door and room is None and 0 < int(floor_door[2]) <= 20:
            room = f"{int(floor_door[1])}{int(floor_door[2]):02d}"
            room_at = (floor_door.start(1), floor_door.end(2))
            spans.append(floor_door.span())
    if room is None:
        match = _ROOM.search(s)
        if match and not _overlaps(match.span(), choices):
            room = match[1]
            spans.append(match.span())
    if room is None:
        bare = _bare_room(s, spans, choices)
        if bare is not None:
            room = num_str(bare[1])
            spans.append(bare.span())
    court = _COURT.search(s)
    if court:
        courtyard = num_str(court[1])
        spans.append(court.span())
        if court[2] and room is None:
            room = num_str(court[2])
            room_at = court.span(2)
    floor_match = _FLOOR.search(s)
    if floor_match and not _overlaps(floor_match.span(), spans):
        value = num_str(floor_match[1])
        if value.isdigit() and 0 < int(value) < 100:
            floor = value
            spans.append(floor_match.span())
    door_match = _DOOR.search(s)
    if door_match:
        name = _trim_name(door_match[1][:-1]) + door_match[1][-1]
        if len(name) >= 2:
            door = f"{name}{door_match[2]}号"
            spans.append((door_match.end() - len(door), door_match.end()))
    for match in _COMMUNITY.finditer(s):
        name = _trim_name(match[1])
        if _NOT_A_NAME.search(name):
            continue  # "明天社区", "能不能社区", "老旧小区": words before a generic 社区/小区, not a name
        if len(name) >= 2 or (name and match[2] in ("社区", "小区")):
            community = name + match[2]
            spans.append((match.end() - len(community), match.end()))
            break
    for match in _SHOP.finditer(s):
        name = _trim_name(match[1])
        if name or match[2] != "店":
            shop = name + match[2]
            spans.append((match.end() - len(shop), match.end()))
            break
    if not spans:
        return None
    start = min(a for a, _ in spans)
    end = max(b for _, b in spans)
    return Location(community=community, building=building, unit=unit, room=room, text=text[start:end].strip(),
                    courtyard=courtyard, door=door, floor=floor, shop=shop, room_at=room_at)


def _outside_numbers(s: str, numbers: list[tuple[int, int]]) -> str:
    """`s` with each of `numbers` (phones, IDs, long digit runs) blanked out, same length: no
    building, unit or room is read from the middle or the tail of a longer number."""
    for a, b in numbers:
        s = s[:a] + "*" * (b - a) + s[b:]
    return s


def _bare_room(s: str, spans: list[tuple[int, int]], choices: list[tuple[int, int]]) -> re.Match[str] | None:
    """A room number written alone, when the words around it say it is one (住702, 楼下的702,
    好像是503, 802家) or it follows the building and unit already named; plausible as floor + door.
    Rooms offered as a choice (`choices`: "501还是502") are none of them, wherever else they are named."""
    named = bool(spans)
    offered = {s[a:b] for a, b in choices}
    candidates = [m for m in _BARE_ROOM.finditer(s) if _plausible_room(m[1]) and not _overlaps(m.span(), spans)
                  and not any(m[1] in pair for pair in offered)]
    for match in candidates:
        if _OWN_ROOM_CUE.search(s[:match.start()]):
            return match
    for match in candidates:
        token = match[1]
        cue = _ROOM_CUE_BEFORE.search(s[:match.start()]) or _ROOM_CUE_AFTER.match(s[match.end():])
        if cue or (named and token.isdigit()) or match.start() == 0 or _signed(s, match):
            return match
    return None


_CLAUSE_EDGE = re.compile(r"[\s，。,.!！?？~～、:：;；]")


def _signed(s: str, match: re.Match[str]) -> bool:
    """A room number standing alone at the end of the line ("…一直尖叫救命 1201", "半夜蹦迪？？？903"),
    or opening a clause that goes on about who is there ("…焦糊味 1103好像没人"): the writer naming the
    flat, as people sign a complaint with their door; not an item of a numbered list ("3. 1503")."""
    before = s[match.start() - 1] if match.start() else " "
    if not _CLAUSE_EDGE.match(before) or not match[1].isdigit() or re.search(r"\d[.、]\s*$", s[:match.start()]):
        return False
    after = s[match.end():]
    return not after.strip(" 。.!！~～") or bool(re.match(r"(?:好像|像是|那边|那里|没人|没得人|也|又)", after))


def _plausible_room(token: str) -> bool:
    """Floor + door (door 01-20, floor 1-60), not an emergency number; Chinese digits only with a 零."""
    if token in _NOT_ROOMS:
        return False
    digits = num_str(token)
    if not digits.isdigit() or len(digits) < 3 or (not token.isdigit() and "零" not in token and "〇" not in token):
        return False
    return 1 <= int(digits[-2:]) <= 20 and 1 <= int(digits[:-2]) <= 60


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)
