"""Which emergency number to tell a resident to call for a P0 report (119 fire and rescue, 120
ambulance, 110 police). The bot never replaces these calls; it only reminds."""

from __future__ import annotations

_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("119", ("火", "冒烟", "烟雾", "燃气", "煤气", "爆炸", "困人", "被困", "关在电梯", "漏气")),
    ("120", ("受伤", "晕倒", "昏迷", "流血", "出血", "心脏", "抽搐", "摔倒", "不省人事", "中毒", "呼吸")),
    ("110", ("打架", "持刀", "拿刀", "动刀", "砍", "捅", "行凶", "抢劫", "斗殴", "跳楼", "跳河", "轻生", "自杀",
             "想不开", "偷", "打人", "闹事")),
)


def emergency_numbers(text: str) -> list[str]:
    """The numbers that fit the message, in the order 119, 120, 110; all three if none fits."""
    found = [number for number, words in _RULES if any(w in text for w in words)]
    return found or ["110", "119", "120"]


_GAS = ("燃气", "煤气", "天然气", "液化气", "漏气", "煤气味", "燃气味")
_FIRE = ("着火", "起火", "失火", "火灾", "火苗", "冒烟", "烟雾", "大火", "火势", "烧起来")


def hazard(text: str) -> str | None:
    """“gas” or “fire” when the message describes one (gas first: its advice forbids the very
    switches and flames that fire advice does not mention), else None."""
    if any(w in text for w in _GAS):
        return "gas"
    if any(w in text for w in _FIRE) or "火" in text:
        return "fire"
    return None
