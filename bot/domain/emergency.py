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
