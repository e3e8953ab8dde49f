"""What is wrong, as two fields: the object (楼道灯, 电梯, 水管 …) and the fault (不亮/故障, 漏水,
堵塞 …). Two reports are the same problem only when these agree, not merely their category and
building; and a group may be told what a report was joined to from these fields (and the
building number), never from the words a resident typed."""

from __future__ import annotations

from dataclasses import dataclass

# canonical object → the words that name it. Longer words are tried first, so 楼道灯 wins over 灯.
OBJECTS: dict[str, tuple[str, ...]] = {
    "楼道灯": ("楼道灯", "楼梯灯", "声控灯", "感应灯", "走廊灯", "楼道的灯", "楼道里的灯", "楼梯的灯",
               "楼梯间的灯", "楼梯间灯", "走廊的灯", "楼道照明"),
    "路灯": ("路灯", "庭院灯", "小区灯"),
    "电梯": ("电梯", "升降梯"),
    "供水": ("停水", "自来水", "供水", "水压", "水龙头"),
    "供电": ("停电", "供电", "电闸", "跳闸"),
    "燃气": ("燃气", "煤气", "天然气"),
    "水管": ("水管", "自来水管", "管道", "水表"),
    "下水道": ("下水道", "下水管", "排水管", "化粪池", "污水井", "地漏"),
    "井盖": ("井盖", "窨井"),
    "垃圾": ("垃圾", "垃圾桶", "垃圾箱", "建筑垃圾"),
    "门禁": ("门禁", "单元门", "防盗门", "楼道门", "大门"),
    "屋顶": ("屋顶", "楼顶", "天花板", "房顶", "外墙"),
    "路面": ("路面", "道路", "人行道", "台阶"),
    "树木": ("树枝", "树木", "大树", "绿化"),
    "消防设施": ("消防栓", "灭火器", "消防通道", "消防门"),
    "监控": ("监控", "摄像头"),
    "充电": ("飞线充电", "充电桩", "电瓶车充电", "电动车充电"),
    "停车": ("乱停车", "停车", "占道", "僵尸车"),
    "健身器材": ("健身器材", "健身器械", "滑梯", "秋千"),
    "噪音": ("噪音", "噪声", "广场舞", "装修声"),
}

# canonical fault → the words that say it.
FAULTS: dict[str, tuple[str, ...]] = {
    "broken": ("坏了", "坏掉", "损坏", "故障", "失灵", "不亮", "不工作", "不能用", "用不了", "停了",
               "停运", "停摆", "不动", "不走", "没电", "没水", "停水", "停电", "跳闸", "坏"),
    "trapped": ("困人", "关人", "被困", "关在里面"),
    "leak": ("漏水", "渗水", "滴水", "漏气", "泄漏", "爆管", "冒水"),
    "blocked": ("堵塞", "堵了", "堵住", "不通", "反水", "返水", "溢出", "堵"),
    "dirty": ("没人清", "没清运", "清运", "堆满", "满了", "很臭", "臭", "脏", "乱扔", "乱堆"),
    "missing": ("丢了", "丢失", "被偷", "不见了", "缺失", "没了"),
    "damaged": ("破损", "塌陷", "坑", "裂", "脱落", "倒了", "松动", "断了"),
    "noise": ("太吵", "吵", "扰民"),
    "blocking": ("占用", "堵住通道", "挡住"),
}

# faults that describe one state of a thing: an elevator that is broken may also trap someone.
_COMPATIBLE = {frozenset({"broken", "trapped"})}

# how a fault reads next to an object; the first match wins.
_FAULT_WORDS: dict[str, dict[str, str]] = {
    "broken": {"楼道灯": "不亮", "路灯": "不亮", "供水": "停水", "供电": "停电", "": "故障"},
    "trapped": {"": "困人"},
    "leak": {"": "漏水"},
    "blocked": {"": "堵塞"},
    "dirty": {"": "未清理"},
    "missing": {"": "缺失"},
    "damaged": {"": "破损"},
    "noise": {"": "扰民"},
    "blocking": {"": "被占用"},
}


@dataclass(frozen=True)
class Problem:
    """The object and the fault a report names (None where the words name none)."""

    object: str | None
    fault: str | None

    def label(self, building: str | None = None) -> str | None:
        """“3号楼楼道灯不亮”, from the fields only; None when the object is not known."""
        if self.object is None:
            return None
        words = _FAULT_WORDS.get(self.fault or "", {})
        fault = words.get(self.object, words.get("", "")) if words else ""
        place = f"{building}号楼" if building else ""
        return f"{place}{self.object}{fault}"


def _first(text: str, lexicon: dict[str, tuple[str, ...]]) -> str | None:
    """The canonical entry whose word comes first in `text` (the longer word at the same spot)."""
    best: tuple[int, int, str] | None = None
    for canonical, words in lexicon.items():
        for word in words:
            at = text.find(word)
            if at >= 0 and (best is None or (at, -len(word)) < (best[0], best[1])):
                best = (at, -len(word), canonical)
    return best[2] if best else None


def problem_of(text: str) -> Problem:
    """The object and the fault named in a report; the fault is looked for after the object first
    (“楼道灯不亮，电梯也坏了” is a light that does not work)."""
    obj = _first(text, OBJECTS)
    fault = None
    if obj is not None:
        at = min(i for i in (text.find(w) for w in OBJECTS[obj]) if i >= 0)
        fault = _first(text[at:], FAULTS) or _first(text[:at], FAULTS)
    else:
        fault = _first(text, FAULTS)
    return Problem(obj, fault)


def faults_agree(a: str | None, b: str | None) -> bool:
    """Unknown agrees with anything; otherwise equal or a compatible pair (broken / trapped)."""
    return a is None or b is None or a == b or frozenset({a, b}) in _COMPATIBLE


def same_thing(a: Problem, b: Problem) -> bool | None:
    """True/False when both name an object (same object, faults agree); None when either names
    none, and only the wording can tell."""
    if a.object is None or b.object is None:
        return None
    return a.object == b.object and faults_agree(a.fault, b.fault)
