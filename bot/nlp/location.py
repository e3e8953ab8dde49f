"""Places in a message: community (社区/小区 names), building (号楼/栋/幢/座), unit (单元),
room, plus courtyard (号院), door number (门牌: 路/街/巷 + 号), floor and shop names.

Numbers are normalised to digits ("三号楼二单元501" → building "3", unit "2", room "501");
`text` is the span as written. Rules only: addresses in group chat are short and regular.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlp.text import CN_NUM_CHARS, fold, num_str

_N = rf"(?:\d{{1,4}}|[{CN_NUM_CHARS}]{{1,4}})"
_HAN = r"\u4e00-\u9fff"
# words that end a name when read backwards from a suffix ("我们小区" is not a name)
_STOP = set("的在是了我你他她们个家到去住这那咱本全和说从给对跟里上下门前后旁边有没请问就都还把被让")

_COMBO = re.compile(r"(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])")
_BUILDING = re.compile(rf"(?:({_N})\s?(?:号楼|号栋|栋|幢|号幢|#楼?|号?座)|([A-Za-z])\s?(?:座|栋|幢|号楼))")
_UNIT = re.compile(rf"({_N})\s?(?:单元|门洞)")
_ROOM_AFTER = re.compile(r"\s?(?:的)?(\d{3,4}|[零〇一二三四五六七八九]{3,4})(?:室|号|房)?(?!\d|楼(?![上下道]))")
_ROOM = re.compile(r"(?<![\d-])(\d{3,4})(?:室|房间?)")
_FLOOR = re.compile(rf"(?<![号\d])({_N})\s?(?:楼|层)(?![道顶下上梯房])")
_COURT = re.compile(rf"({_N})\s?号院")
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


def find_location(text: str) -> Location | None:
    if not text:
        return None
    s = fold(text)
    spans: list[tuple[int, int]] = []
    building = unit = room = floor = courtyard = door = community = shop = None

    combo = _COMBO.search(s)
    if combo:
        building, unit, room = combo[1], combo[2], combo[3]
        spans.append(combo.span())
    for match in _BUILDING.finditer(s):
        if building is None:
            building = num_str(match[1] or match[2])
            spans.append(match.span())
            rest = _ROOM_AFTER.match(s, match.end())
            if rest and room is None and not _UNIT.match(s, match.end()):
                room = num_str(rest[1])
                spans.append(rest.span())
            break
    unit_match = _UNIT.search(s)
    if unit_match and unit is None:
        unit = num_str(unit_match[1])
        spans.append(unit_match.span())
        rest = _ROOM_AFTER.match(s, unit_match.end())
        if rest and room is None:
            room = num_str(rest[1])
            spans.append(rest.span())
    if room is None:
        match = _ROOM.search(s)
        if match:
            room = match[1]
            spans.append(match.span())
    court = _COURT.search(s)
    if court:
        courtyard = num_str(court[1])
        spans.append(court.span())
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
                    courtyard=courtyard, door=door, floor=floor, shop=shop)


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)
