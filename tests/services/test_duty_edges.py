"""Edge cases a street office hits: leave across the reminder day, a 签退 after midnight, an evening
visit logged at 00:30, leave over New Year, a bot that was down until after the due day."""

from __future__ import annotations

from scheduler.jobs import duty_reminders
from scheduler.runner import catch_up
from tests.conftest import Harness, local

CADRE = "cadre-mochi"


async def reports(harness: Harness) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in await harness.delivered():
        if "附件5" in m.text and m.user_id:
            out.setdefault(m.user_id, []).append(m.text)
    return out


async def test_no_reminder_on_a_day_of_approved_leave(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 27, 9, 0))
    await harness.say(CADRE, "请假 12-01 12-02 外出培训")
    harness.clock.set(local(2026, 12, 1, 9, 5))
    await duty_reminders(harness.app.job_context, harness.clock.now())
    sent = await reports(harness)
    assert CADRE not in sent  # November's report, reminded on a December day of leave
    assert "cadre-baxianlou" in sent  # colleagues are reminded


async def test_no_catch_up_reminder_after_the_due_day(harness: Harness) -> None:
    harness.clock.set(local(2026, 12, 7, 9, 5))  # down from the 3rd to the weekend; the 5th has passed
    await catch_up(harness.app.jobs, harness.app.job_context)
    assert CADRE not in await reports(harness)  # the street's late list speaks now, not a stale “due on the 5th”


async def test_sign_out_after_midnight_closes_last_nights_day(harness: Harness) -> None:
    harness.clock.set(local(2026, 12, 10, 18, 0))
    await harness.say(CADRE, "签到")
    harness.clock.set(local(2026, 12, 11, 1, 30))
    [reply] = await harness.say(CADRE, "签退")
    assert "7.5" in reply.text


async def test_an_evening_visit_logged_after_midnight_counts(harness: Harness) -> None:
    harness.clock.set(local(2026, 12, 15, 0, 30))
    [reply] = await harness.say(CADRE, "夜访 3号楼独居老人")
    assert "不计入" not in reply.text


async def test_leave_over_new_year(harness: Harness) -> None:
    harness.clock.set(local(2026, 12, 20, 9, 0))
    [reply] = await harness.say(CADRE, "请假 12-28 01-03 探亲")
    assert "2026-12-28" in reply.text and "2027-01-03" in reply.text


async def test_a_confirmed_report_that_is_corrected_must_be_confirmed_again(harness: Harness) -> None:
    harness.clock.set(local(2026, 12, 1, 9, 30))
    [asked] = await harness.say("cadre-baxianlou", "确认报表 2026-11")
    assert "空白" in asked.text and "党日主题" in asked.text  # many blanks: shown before it is signed
    await harness.say("cadre-baxianlou", "确认")
    [again] = await harness.say("cadre-baxianlou", "确认报表 2026-11")
    assert "已于 2026-12-01 确认" in again.text
    [form] = await harness.say("cadre-baxianlou", "报表 2026-11 到会人数 30")
    assert "请发送“确认报表 2026-11”" in form.text or "确认报表 2026-11" in form.text
    assert "已于" not in form.text  # the old confirmation no longer stands


async def test_implausible_numbers_are_refused_and_a_second_result_says_it_replaces_the_first(
    harness: Harness,
) -> None:
    harness.clock.set(local(2026, 12, 1, 10, 0))
    for text in ("报表 2026-11 到会人数 -5", "报表 2026-11 到会率 120%", "走访 100000户 全小区"):
        [reply] = await harness.say(CADRE, text)
        assert "请按" in reply.text or "写" in reply.text, text  # answered with how to write it
    [reply] = await harness.say(CADRE, "会议 居民代表")
    assert "居民代表" in reply.text
    await harness.say(CADRE, "项目 加装电梯 党建")
    await harness.say(CADRE, "项目完成 1 加装电梯3部")
    [reply] = await harness.say(CADRE, "项目完成 1 加装电梯4部")
    assert "加装电梯3部" in reply.text  # the earlier wording is shown, not silently lost
