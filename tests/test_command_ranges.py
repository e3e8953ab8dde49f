"""Numbers and dates typed in chat are checked for a plausible range: an absurd one gets a clear
answer in Chinese and nothing is stored (no OverflowError, no value a database column refuses).
Both databases."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from bot.services.reports import parse_value
from storage.models import CheckIn, InboundLog, InboundStatus
from tests.conftest import Harness

CADRE = "cadre-baxianlou"


async def stored_checkins(harness: Harness) -> int:
    async with harness.app.db.session() as session:
        return (await session.exec(select(func.count()).select_from(CheckIn))).one()


async def failed_messages(harness: Harness) -> int:
    async with harness.app.db.session() as session:
        return (await session.exec(select(func.count()).where(InboundLog.status == InboundStatus.failed))).one()


@pytest.mark.parametrize(("text", "answer"), [
    ("请假 2026-12-01 9999-12-31 病假", "一年"),
    ("请假 0001-01-01 0001-01-02 病假", "一年"),
    ("请假 2029-03-01 2029-03-02 事假", "一年"),
    ("联系卡 99999999999", "联系卡 20"),
    ("联系卡 0", "联系卡 20"),
    ("报表 9999-12", "2000-01"),
    ("报表 1999-12", "2000-01"),
    ("确认报表 9999-12", "2000-01"),
    ("报表 2026-10 到会人数 99999999999999999999", "报表 2026-10"),
])
async def test_absurd_numbers_and_dates_get_a_clear_answer_and_store_nothing(
    harness: Harness, text: str, answer: str
) -> None:
    [reply] = await harness.say(CADRE, text)
    assert answer in reply.text
    assert await stored_checkins(harness) == 0
    assert await failed_messages(harness) == 0  # answered, not an error kept for admins


async def test_points_for_an_absurd_year(harness: Harness) -> None:
    for year in ("99999999999999", "1066", "2999"):
        [reply] = await harness.say("dept-zhujian", f"积分 {year}")
        assert "2000" in reply.text and year in reply.text
    assert await failed_messages(harness) == 0


async def test_a_plausible_leave_and_card_count_are_still_recorded(harness: Harness) -> None:
    [leave] = await harness.say(CADRE, "请假 11-10 11-12 病假")
    assert "2026-11-10" in leave.text
    [cards] = await harness.say(CADRE, "联系卡 30")
    assert "30" in cards.text
    assert await stored_checkins(harness) == 2


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e308", "99999999"])
def test_form_numbers_out_of_range_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        parse_value("远程教育小时", value)
    with pytest.raises(ValueError, match=r".+"):
        parse_value("上次发展党员", "9999" if value == "nan" else value)
