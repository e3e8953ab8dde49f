"""Residents' phone numbers, ID numbers and rooms never reach a group; the people who handle the
ticket get them privately."""

from __future__ import annotations

import re

from tests.conftest import Harness, local

GROUP = "demo-baxianlou-1"
TEXT = "3号楼2单元501卫生间漏水到楼下了，我电话13812345678，身份证330302199001011234"


async def test_a_report_with_a_phone_number_is_masked_in_the_group_and_whole_in_private(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 3, 9, 0))
    out = await harness.say("resident-7", TEXT, chat=GROUP)
    group = [m for m in out if m.chat_id == GROUP]
    private = [m for m in out if m.chat_id is None]
    assert group and all("13812345678" not in m.text and "501" not in m.text for m in group)
    assert any("13812345678" in m.text for m in private)  # the grid worker can call back
    no = re.search(r"\d{6}-\d{3}", group[0].text)
    assert no is not None

    assert any(TEXT in m.text for m in private)


async def test_whatever_a_handler_echoes_into_a_group_is_masked(harness: Harness) -> None:
    pointer, reply = await harness.say("resident-7", "/13812345678 3号楼2单元501", chat=GROUP)  # not a command
    assert pointer.chat_id == GROUP and not re.search(r"\d", pointer.text)  # the group: one line, no echo
    assert reply.chat_id is None and "13812345678" in reply.text  # the sender: privately
    [reply] = await harness.say("resident-7", "/13812345678")  # privately: the sender's own words
    assert "13812345678" in reply.text
