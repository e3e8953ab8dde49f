"""A resident whose report joined a ticket is told its outcome from fields (state, category,
resolution, date), never the handler's free note: that note answers the original report and may
name its household and neighbours, which no masking can find for certain. The original reporter
gets the note, masked (phones, IDs, rooms, doors, names the bot knows)."""

from __future__ import annotations

import re

from bot.nlp.pii import mask
from tests.conftest import Harness, local

GROUP = "demo-baxianlou-1"
NOTE = "换了灯泡，顺便去了1105车美玲家看了，联系人钱立群 电话15977003264说没事"
REASON = "物业经理严志远答应本周内全部换成感应灯，2单元907蒲家负责协调"


def notices(out: list, user: str) -> list[str]:  # type: ignore[type-arg]
    return [m.text for m in out if m.user_id == user and m.chat_id is None]


async def test_a_co_reporter_learns_the_outcome_from_fields_and_the_reporter_the_masked_note(
        harness: Harness) -> None:
    harness.clock.set(local(2026, 12, 7, 9, 0))
    out = await harness.say("resident-61", "9号楼楼道灯坏了", chat=GROUP, user_name="小苗")
    no = re.search(r"\d{6}-\d{3}", " ".join(m.text for m in out if m.chat_id == GROUP))
    assert no is not None
    await harness.say("resident-62", "9号楼楼道灯又不亮了", chat=GROUP, user_name="大伟")
    await harness.say("gw-baxianlou-1", f"受理 {no[0]}")
    out = await harness.say("gw-baxianlou-1", f"办结 {no[0]} {NOTE}")
    out += await harness.say("sec-baxianlou", f"结案 {no[0]} {REASON}")

    joined = notices(out, "resident-62")
    assert len(joined) == 2 and no[0] in joined[0] and "评价" in joined[0]
    assert "办结" in joined[0] and "结案" in joined[1] and "已解决" in joined[1]
    for secret in ("车美玲", "钱立群", "1105", "3264", "灯泡", "严志远", "907", "蒲家", "感应灯"):
        assert not any(secret in text for text in joined), (secret, joined)

    original = notices(out, "resident-61")
    assert any("换了灯泡" in text for text in original) and any("感应灯" in text for text in original)
    assert not any(re.search(r"1105|907|15977003264", text) for text in original), original


def test_a_room_after_a_colon_is_a_room_and_a_time_stays_a_time() -> None:
    assert mask("已办结：1203冉家门口已清理") == "已办结：***冉家门口已清理"
    assert mask("明天10:30到，14:05走") == "明天10:30到，14:05走"
