"""The place a group is told ("已并入工单…（3号楼电梯故障…）") is built from fields a group may
see: never digits of a phone or ID number that a resident wrote just before 号楼/栋."""

from __future__ import annotations

import re

from bot.services.tickets import problem_label
from storage.models import Ticket
from tests.conftest import Harness, local

GROUP = "demo-baxianlou-1"


async def test_a_phone_glued_to_haolou_never_becomes_the_building_a_group_is_told(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 3, 9, 0))
    await harness.say("resident-31", "我电话15866002417号楼道灯坏了好几天", chat=GROUP, user_name="小芸")
    out = await harness.say("resident-32", "楼道灯还是不亮", chat=GROUP, user_name="阿坤")
    group = [m.text for m in out if m.chat_id == GROUP]
    assert any("楼道灯" in line for line in group), group  # joined, and told what to
    assert not any("2417" in line or "号楼" in line for line in group), group


def test_a_stored_building_shaped_like_a_phone_tail_is_not_shown() -> None:
    def ticket(building: str) -> Ticket:
        return Ticket(no="261103-001", text="电梯坏了", location={"building": building})

    assert problem_label(ticket("3")) == "3号楼电梯故障"
    assert problem_label(ticket("B")) == "B号楼电梯故障"
    assert problem_label(ticket("5678")) == "电梯故障"
    assert not re.search(r"\d", problem_label(ticket("5678 ")) or "")
