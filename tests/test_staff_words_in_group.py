"""What staff write in a residents' group is answered to them alone: the group is never told that
someone is staff, nor given staff instructions; and a command is offered only to someone whose
role and area let them use it on that ticket."""

from __future__ import annotations

import re

from tests.conftest import Harness, local

GROUP = "demo-baxianlou-1"


async def _ticket(harness: Harness) -> str:
    harness.clock.set(local(2026, 12, 4, 8, 30))
    out = await harness.say("resident-51", "7号楼电梯坏了好几天了", chat=GROUP, user_name="老柯")
    found = re.search(r"\d{6}-\d{3}", " ".join(m.text for m in out if m.chat_id == GROUP))
    assert found is not None
    return found[0]


async def test_staff_writing_about_an_open_tickets_problem_are_told_privately(harness: Harness) -> None:
    no = await _ticket(harness)
    offered = {"gw-baxianlou-1": True, "cadre-baxianlou": True,  # its grid worker and its cadre
               "sec-baxianlou": False,  # a secretary does not take 受理
               "cadre-bailifang": False}  # a cadre, but of another community
    for user, may in offered.items():
        out = await harness.say(user, "7号楼电梯又停了", chat=GROUP)
        assert [m for m in out if m.chat_id == GROUP] == [], (user, out)
        [told] = [m.text for m in out if m.user_id == user and m.chat_id is None]
        assert no in told
        assert (f"受理 {no}" in told) is may, (user, told)


async def test_a_staff_members_language_choice_says_nothing_in_the_group(harness: Harness) -> None:
    out = await harness.say("gw-baxianlou-2", "语言 English", chat=GROUP)
    assert [m for m in out if m.chat_id == GROUP] == []
    assert [m.text for m in out if m.chat_id is None] == ["From now on I will write to you in English."]
    out = await harness.say("resident-52", "语言 English", chat=GROUP)  # a resident: the usual pointer
    assert [m.text for m in out if m.chat_id == GROUP] == ["Replied to you privately."]
