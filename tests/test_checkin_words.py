"""Cadres report duty in plain words; the bot says what it understood and records it only after
“确认”. A cadre's account of duty is not a ticket, unless it also reports a problem left open: then
the duty is proposed and the problem filed."""

from __future__ import annotations

from sqlmodel import select

from storage.models import CheckIn, Ticket
from tests.conftest import Harness, local

CADRE, GROUP = "cadre-baxianlou", "demo-baxianlou-1"


async def records(harness: Harness) -> list[tuple[str, int | None]]:
    async with harness.app.db.session() as session:
        return [(r.kind, r.count) for r in (await session.exec(select(CheckIn))).all()]


async def test_an_evening_visit_told_in_the_group_is_confirmed_privately_then_recorded(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 20, 30))
    out = await harness.say(CADRE, "今晚去3号楼夜访了两户独居老人", chat=GROUP)
    assert [(m.chat_id, m.user_id) for m in out] == [(None, CADRE)]  # nothing in the group
    assert "夜访夜谈" in out[0].text and "2 户" in out[0].text and "独居老人" in out[0].text
    assert await records(harness) == [("pending", None)]

    out = await harness.say(CADRE, "确认")
    assert "夜访" in out[0].text and "本月" in out[0].text  # recorded, with the month's totals
    assert await records(harness) == [("night_visit", None)]
    async with harness.app.db.session() as session:
        assert (await session.exec(select(Ticket))).all() == []


async def test_a_household_visit_keeps_the_count_and_the_tags(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 10, 0))
    await harness.say(CADRE, "走访了5户困难家庭")
    out = await harness.say(CADRE, "确认")
    assert "5" in out[0].text and "困难家庭" in out[0].text
    assert await records(harness) == [("visit", 5)]


async def test_a_wrong_guess_is_cancelled_and_nothing_is_recorded(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 9, 0))
    out = await harness.say(CADRE, "上午在社区值班")
    assert "签到" in out[0].text
    out = await harness.say(CADRE, "取消")
    assert "未作记录" in out[0].text and await records(harness) == []
    out = await harness.say(CADRE, "确认")
    assert "没有待您确认" in out[0].text


async def test_a_guess_left_unconfirmed_for_half_a_day_is_forgotten(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 9, 0))
    await harness.say(CADRE, "下午开了支委会")
    harness.clock.set(local(2026, 11, 5, 22, 0))
    out = await harness.say(CADRE, "确认")
    assert "没有待您确认" in out[0].text


async def test_residents_words_are_not_check_ins(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 20, 30))
    out = await harness.say("resident-7", "今晚去3号楼夜访了两户独居老人", chat=GROUP)
    assert out == [] and await records(harness) == []
    assert await harness.say("resident-7", "确认", chat=GROUP) == []  # group chatter, not a command to answer
    pointer, refusal = await harness.say("resident-7", "确认", chat=GROUP, mentions_bot=True)
    assert pointer.chat_id == GROUP and "仅限驻社区干部" in refusal.text and refusal.chat_id is None


async def test_leave_told_in_plain_words_is_recorded_with_its_days_once_confirmed(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 30, 9, 0))
    out = await harness.say(CADRE, "12月8日到10日请假 孩子要做手术")
    assert "请假" in out[0].text
    out = await harness.say(CADRE, "确认")
    assert "2026-12-08" in out[0].text and "2026-12-10" in out[0].text
    assert await records(harness) == [("leave", None)]


async def test_leave_without_days_asks_for_them_and_records_nothing(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 30, 9, 0))
    await harness.say(CADRE, "这周有两天要请假")
    out = await harness.say(CADRE, "确认")
    assert "请假 12-01 12-03" in out[0].text and await records(harness) == []


async def test_duty_that_found_a_problem_left_open_is_proposed_and_the_problem_filed(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 20, 40))
    out = await harness.say(CADRE, "晚上夜访走到3号楼 楼道灯全不亮 老人摸黑上楼 请物业修一下", chat=GROUP)
    private = [m for m in out if m.chat_id is None and m.user_id == CADRE]
    assert any("夜访" in m.text and "确认" in m.text for m in private)  # the visit, proposed privately
    async with harness.app.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    assert ticket.category == "public_facility" and ticket.urgency == "P2"
    await harness.say(CADRE, "确认")
    assert await records(harness) == [("night_visit", None)]


async def test_duty_whose_problem_the_cadre_dealt_with_files_nothing(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 15, 0))
    await harness.say(CADRE, "去独居的孙奶奶家看了看 热水器打不着火 帮她叫了师傅修好了")
    async with harness.app.db.session() as session:
        assert (await session.exec(select(Ticket))).all() == []
    assert await records(harness) == [("pending", None)]


async def test_what_a_visit_found_is_filed_even_when_the_whole_line_reads_as_no_request(harness: Harness) -> None:
    """The parser reads the words after "入户时" on their own (the whole line reads as duty alone to the
    models); the intake must file what that reading decided, not parse the line afresh."""
    harness.clock.set(local(2026, 11, 5, 15, 0))
    await harness.say(CADRE, "入户时吴大爷说家里没暖气 冻得睡不着", chat=GROUP)
    async with harness.app.db.session() as session:
        [ticket] = (await session.exec(select(Ticket))).all()
    assert ticket.category == "utilities"
    assert await records(harness) == [("pending", None)]
