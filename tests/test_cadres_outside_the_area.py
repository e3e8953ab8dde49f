"""不在岗 and 谈话 about a cadre outside the secretary's area are refused without saying whether
that cadre exists: a real cadre of another community and a name nobody has get the same answer."""

from __future__ import annotations

from tests.conftest import Harness, local


async def test_a_cadre_of_another_community_is_refused_as_a_name_nobody_has(harness: Harness) -> None:
    harness.clock.set(local(2026, 12, 8, 10, 0))
    for command in ("谈话", "不在岗"):
        [elsewhere] = await harness.say("sec-baxianlou", f"{command} 张玲建")  # 百里坊's cadre in the demo roster
        [nobody] = await harness.say("sec-baxianlou", f"{command} 骆小川")
        assert elsewhere.text.replace("张玲建", "骆小川") == nobody.text
        assert "辖区" in nobody.text and "花名册" not in nobody.text
