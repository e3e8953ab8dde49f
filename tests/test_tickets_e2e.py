"""Grid tickets end to end, as transcripts through `gridbot replay` (the real pipeline, parser,
storage and scheduler on a simulated clock)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.conftest import Out


def to(out: Out, user: str, *, kind: str | None = None) -> list[str]:
    return [str(o["text"]) for o in out if o["user"] == user and (kind is None or o["kind"] == kind)]


def in_group(out: Out, chat: str) -> list[str]:
    return [str(o["text"]) for o in out if o["chat"] == chat]


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_a_report_through_to_a_satisfied_rating(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("report_to_satisfied.jsonl")
    group = in_group(out, "demo-baxianlou-1")
    assert "261102-001" in group[0] and "公共设施" in group[0] and "网格员" in group[0]
    assert "13800001111" not in "".join(group)  # the phone number never reaches the group
    assert "电梯又坏了" not in group[0]  # nor the resident's words
    worker = to(out, "gw-baxianlou-1", kind="notice")
    assert any("13800001111" in t for t in worker)  # the grid worker gets the full text privately
    assert to(out, "cadre-baxianlou", kind="notice")  # and so does the stationed cadre
    resident = to(out, "resident-wang", kind="notice")
    assert any("受理" in t for t in resident) and any("评价 261102-001" in t for t in resident)
    assert "已结案" in group[-1]
    assert query(db, "SELECT state, resolution, satisfaction FROM ticket") == [("closed", "fixed", "满意")]
    actions = [a for (a,) in query(db, "SELECT action FROM ticket_event ORDER BY id")]
    assert actions == ["report", "accept", "on_site", "resolve", "rate"]
    actors = {a for (a,) in query(db, "SELECT actor FROM ticket_event")}
    assert actors == {"resident-wang", "gw-baxianlou-1"}


def test_chatter_gets_no_reply_and_no_ticket(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("chatter.jsonl")
    assert out == []
    assert query(db, "SELECT count(*) FROM ticket") == [(0,)]
    assert query(db, "SELECT count(*) FROM inbound_log WHERE status = 'done'") == [(6,)]


def test_three_residents_one_elevator_one_ticket(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("three_reporters_one_elevator.jsonl")
    assert query(db, "SELECT no, duplicate_count FROM ticket") == [("261103-001", 2)]
    replies = in_group(out, "demo-gulou-2")
    assert len(replies) == 3 and all("261103-001" in r for r in replies)
    assert "已并入工单261103-001（5号楼电梯故障" in replies[1] and "不是同一问题 261103-001" in replies[1]
    for resident in ("resident-a", "resident-b", "resident-c"):  # everyone hears it is solved
        assert any("261103-001" in t and "评价" in t for t in to(out, resident, kind="notice"))


def test_whistle_across_national_day_with_a_late_department(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("whistle_over_national_day.jsonl")
    [(due,)] = query(db, "SELECT feedback_due FROM escalation")
    assert str(due).startswith("2026-10-10 15:59:59")  # Sat 10 Oct (调休) 23:59:59 in Shanghai, as UTC
    assert query(db, "SELECT late FROM escalation") == [(1,)]
    points = query(db, "SELECT department_id, kind, points FROM points_entry ORDER BY id")
    assert points == [("dept-zhifa", "late", -3.0), ("dept-zhifa", "solo", 1.0)]
    liaison = to(out, "dept-zhifa", kind="notice")
    assert any("10/10" in t or "10月10日" in t for t in liaison)
    assert any("−3" in t or "-3" in t for t in liaison)
    ranking = to(out, "sec-shuomen", kind="reply")[-1]
    assert re.search(r"综合执法 58\b", ranking)
    assert re.search(r"住建 60\b", ranking)


def test_an_unsatisfied_rating_reopens(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("unsatisfied_reopens.jsonl")
    assert query(db, "SELECT state, reopen_count, resolution FROM ticket") == [("in_progress", 1, None)]
    assert any("261104-001" in t and "不满意" in t for t in to(out, "gw-mochi-1", kind="notice"))
    assert any("261104-001" in t for t in to(out, "sec-mochi", kind="notice"))
    assert "处置中" in in_group(out, "demo-mochi-1")[-1]


def test_a_resident_cannot_use_cadre_commands(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("resident_tries_cadre_command.jsonl")
    replies = in_group(out, "demo-anlan-1")
    assert replies[1:] == ["已私信回复您。"] * 3  # refusals go privately; the group gets one line each
    private = [str(o["text"]) for o in out if o["chat"] is None and o["kind"] == "reply"]
    assert "仅限" in private[0] and "网格员" in private[0]
    assert "仅限" in private[1]
    assert "不在您的" in private[2] or "辖区" in private[2]  # grid 2's worker, grid 1's ticket
    assert query(db, "SELECT state FROM ticket") == [("reported",)]


def test_a_retried_message_makes_one_ticket(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("retried_message.jsonl")
    assert query(db, "SELECT count(*) FROM ticket") == [(1,)]
    assert query(db, "SELECT count(*) FROM inbound_log") == [(1,)]
    assert len(in_group(out, "demo-luwan-1")) == 1


async def test_words_glued_to_the_number_and_a_problem_that_comes_back(harness) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import local

    group = "demo-baxianlou-1"
    harness.clock.set(local(2026, 12, 1, 9, 0))
    [reply] = [m for m in await harness.say("resident-a", "7号楼电梯坏了", chat=group) if m.chat_id == group]
    no = re.search(r"\d{6}-\d{3}", reply.text).group()  # type: ignore[union-attr]
    await harness.say("gw-baxianlou-1", f"受理工单{no}")
    out = await harness.say("gw-baxianlou-1", f"办结 {no.replace('-', '')}更换控制板，已恢复")
    assert "办结" in out[0].text
    resident = [m.text for m in await harness.delivered() + out if m.user_id == "resident-a"]
    assert any("更换控制板，已恢复" in t for t in resident)  # the resident reads it as written
    harness.clock.set(local(2026, 12, 2, 9, 0))
    [again] = [m for m in await harness.say("resident-b", "7号楼电梯又坏了", chat=group) if m.chat_id == group]
    assert no not in again.text and re.search(r"\d{6}-\d{3}", again.text)  # a new ticket, not the solved one
    out = await harness.say("resident-a", f"评价 {no}满意", chat=group)
    assert "结案" in out[0].text


async def test_passing_a_ticket_to_the_other_grids_worker_moves_it(harness) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import local

    harness.clock.set(local(2026, 12, 1, 9, 0))
    out = await harness.say("resident-a", "5号楼楼道灯不亮了", chat="demo-baxianlou-1")
    no = re.search(r"\d{6}-\d{3}", out[-1].text).group()  # type: ignore[union-attr]
    out = await harness.say("gw-baxianlou-1", f"转派 {no} 郑建海")
    assert any(m.user_id == "gw-baxianlou-2" and "转派给您" in m.text for m in out)
    answer = next(m.text for m in out if m.user_id == "gw-baxianlou-1")
    assert answer == f"工单{no}已转派给网格员。"  # by role: the command may be given in a group
    out = await harness.say("gw-baxianlou-2", f"受理 {no}")  # the new handler can act on it
    assert "受理" in out[0].text and "不在" not in out[0].text


async def test_an_unaccepted_p0_reaches_the_secretary_within_the_hour(harness) -> None:  # type: ignore[no-untyped-def]
    from scheduler.runner import SimulatedScheduler
    from tests.conftest import local

    harness.clock.set(local(2026, 12, 1, 20, 0))
    await harness.say("resident-a", "3号楼着火了，有人困在里面", chat="demo-baxianlou-1")
    await SimulatedScheduler(harness.app.jobs, harness.app.job_context, harness.clock).advance_to(
        local(2026, 12, 1, 20, 50))
    secretary = [m.text for m in await harness.delivered() if m.user_id == "sec-baxianlou"]
    assert any("P0" in t and "30 分钟内无人受理" in t for t in secretary)


async def test_a_report_in_an_unbound_group_that_names_its_community_is_filed(harness) -> None:  # type: ignore[no-untyped-def]
    out = await harness.say("resident-a", "@网格通 报修 八仙楼社区3号楼水管爆了", chat="some-unbound-group",
                            mentions_bot=True)
    # filed, and told privately: a group bound to no unit holds no ticket, so it gets only the pointer
    assert any(re.search(r"\d{6}-\d{3}", m.text) for m in out if m.chat_id is None and m.user_id == "resident-a")
    assert [m.text for m in out if m.chat_id == "some-unbound-group"] == ["已私信回复您。"]
