"""The ticket rules a street office relies on (issue 17), each as a transcript replayed through the
real pipeline (`bot.replay`: parser, handlers, storage, scheduler on a simulated clock) on SQLite
and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.demo_roster import demo_roster
from bot.events import OutboundMessage
from bot.replay import TranscriptError, outbound_json, read_transcript, run_transcript
from bot.roster import Roster, read_roster
from bot.transport.memory import MemoryTransport
from storage.models import Platform
from tests.conftest import TRANSCRIPTS

CHANNELS_ROSTER = Path(__file__).parent / "fixtures" / "roster_channels"


@dataclass
class Played:
    out: list[dict[str, Any]]
    app: App

    def to(self, user: str, kind: str | None = None) -> list[str]:
        return [str(o["text"]) for o in self.out if o["user"] == user and (kind is None or o["kind"] == kind)]

    def in_chat(self, chat: str) -> list[str]:
        return [str(o["text"]) for o in self.out if o["chat"] == chat]

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        async with self.app.db.session() as session:
            connection = await session.connection()
            return [tuple(r) for r in (await connection.execute(text(sql))).all()]


Play = Callable[..., Awaitable[Played]]


@pytest.fixture
async def play(settings: Settings) -> AsyncIterator[Play]:
    """Replay tests/transcripts/<name> on this test's backend; the app stays open for queries."""
    apps: list[App] = []

    async def run(name: str | Path, roster: Roster | None = None) -> Played:
        steps = read_transcript(TRANSCRIPTS / name, settings.tz)  # an absolute path stays as it is
        out: list[dict[str, Any]] = []

        def emit(message: OutboundMessage) -> None:
            out.append(outbound_json(message, settings.tz))

        clock = FakeClock(steps[0].at)
        transports = {p.value: MemoryTransport(p.value, on_send=emit) for p in Platform}
        app = await build_app(settings, clock, dict(transports), people_platform="demo",
                              roster=roster or demo_roster())
        apps.append(app)
        await run_transcript(app, clock, steps)
        return Played(out, app)

    yield run
    for app in apps:
        await app.close()


def number(text: str) -> str:
    found = re.search(r"\d{6}-\d{3}", text)
    assert found, text
    return found[0]


async def test_staff_are_never_reporters_and_only_residents_rate(play: Play) -> None:
    run = await play("staff_are_not_reporters.jsonl")
    for staff in ("gw-baxianlou-1", "cadre-baxianlou"):
        [same] = [t for t in run.to(staff, "reply") if "工作人员不作为反映人" in t]
        assert "261109-001（8号楼电梯故障" in same and "受理 261109-001" in same
        assert [t for t in run.to(staff, "reply") if "只有反映工单261109-001的居民" in t]
    [secretary] = [t for t in run.to("sec-baxianlou", "reply") if "工作人员不作为反映人" in t]
    assert "查询 261109-001" in secretary and "受理" not in secretary  # offered what a secretary may do
    assert await run.rows("SELECT user_id FROM ticket_reporter") == [("resident-liu",)]
    assert await run.rows("SELECT duplicate_count, state, satisfaction FROM ticket") == [(0, "closed", "基本满意")]
    [(rater,)] = await run.rows("SELECT actor FROM ticket_event WHERE action = 'rate'")
    assert rater == "resident-liu"


async def test_only_a_ticket_somebody_answered_can_be_rated(play: Play) -> None:
    run = await play("rating_needs_an_answer.jsonl")
    replies = run.to("resident-he", "reply")
    assert "已撤回" in replies[-1] and "没有可评价" in replies[-1]
    assert await run.rows("SELECT state, resolution, satisfaction, reopen_count FROM ticket WHERE no = '261110-001'") \
        == [("closed", "withdrawn", None, 0)]
    assert not [t for t in run.to("gw-chengliang-1") + run.to("sec-chengliang") if "261110-001" in t and "不满意" in t]
    _filed, early, reopened = [t for t in run.to("resident-gu", "reply") if t != "已私信回复您。"]
    assert "办结后才能评价" in early  # accepted, not resolved: nothing to rate yet
    assert "重新办理" in reopened  # once resolved, 不满意 reopens it
    assert await run.rows("SELECT state, reopen_count FROM ticket WHERE no = '261110-002'") == [("in_progress", 1)]


async def test_duplicates_are_the_same_object_and_fault_and_can_be_split(play: Play) -> None:
    run = await play("duplicates_by_object_and_fault.jsonl")
    group = run.in_chat("demo-gulou-1")
    assert "已登记工单261111-002" in group[1]  # the elevator is not the stair light of the same building
    assert "已并入工单261111-002（3号楼电梯故障" in group[2]  # 又停了 is the same broken elevator
    assert "已并入工单261111-001（3号楼楼道灯不亮" in group[3] and "不是同一问题 261111-001" in group[3]
    assert "摸黑" not in "".join(group)  # the group is told fields, never what was typed
    assert "拆分" in group[4] and "已登记工单261111-003" in group[4]
    assert group[5:] == ["已私信回复您。"] * 2  # refusals go privately, with one line in the group
    assert [t for t in run.to("resident-song", "reply") if "本人反映" in t]
    assert [t for t in run.to("resident-fang", "reply") if "只有反映被并入" in t]
    assert await run.rows("SELECT no, duplicate_count FROM ticket ORDER BY no") == [
        ("261111-001", 0), ("261111-002", 1), ("261111-003", 0)]
    assert await run.rows("SELECT reporter_user, text FROM ticket WHERE no = '261111-003'") == [
        ("resident-zeng", "3号楼楼梯的灯不亮，晚上摸黑")]
    assert await run.rows(
        "SELECT t.no, r.user_id FROM ticket_reporter r JOIN ticket t ON t.id = r.ticket_id ORDER BY r.id") == [
        ("261111-001", "resident-song"), ("261111-002", "resident-tang"), ("261111-002", "resident-fang"),
        ("261111-003", "resident-zeng")]


async def test_credit_and_the_handler_follow_who_did_the_work(play: Play, settings: Settings) -> None:
    from bot.services.reports import monthly_forms

    run = await play("credit_follows_the_work.jsonl")
    assert await run.rows("SELECT assignee_id, accepted_by_id, escalated_by_id, resolved_by_id FROM ticket") == [
        ("p-cadre-mochi", None, "p-cadre-mochi", "p-cadre-mochi")]
    assert any("住建已报到" in t for t in run.to("cadre-mochi", "notice"))  # the whistle-blower hears the answers
    assert any("住建已反馈" in t for t in run.to("cadre-mochi", "notice"))
    assert not [t for t in run.to("gw-mochi-1", "notice") if "住建" in t]  # the worker never touched it
    actors = await run.rows("SELECT action, actor, actor_role FROM ticket_event WHERE action IN "
                            "('escalate', 'dept_report', 'dept_feedback', 'resolve', 'rate') ORDER BY id")
    assert actors == [("escalate", "cadre-mochi", "cadre"), ("dept_report", "dept-zhujian", "department_liaison"),
                      ("dept_feedback", "dept-zhujian", "department_liaison"),
                      ("resolve", "cadre-mochi", "cadre"), ("rate", "resident-lu", None)]
    async with run.app.db.session() as session:
        forms = dict((p.person.id, f) for p, f in await monthly_forms(session, 2026, 9, settings.tz, 18))
    assert forms["p-cadre-mochi"].values["problems_solved"] == 1  # 附件5 item 6: 协调解决问题
    assert forms["p-gw-mochi-1"].values["problems_solved"] == 0 if "p-gw-mochi-1" in forms else True
    [ranking] = [t for t in run.to("street-secretary", "digest") if "2026年第三季度" in t]
    lines = ranking.splitlines()
    assert lines[1].startswith("1. 张明平（墨池社区）40 分") and "按时办结 1/1，满意 1/1" in lines[1]


async def test_no_data_scores_nothing_and_the_ranking_says_so(play: Play) -> None:
    run = await play("ranking_without_data.jsonl")
    [ranking] = [t for t in run.to("street-secretary", "digest") if "2026年第二季度" in t]
    assert "无数据：本季度没有任何干部的记录" in ranking
    assert not re.search(r"^\d+\. ", ranking, re.M)  # nobody is placed for doing nothing
    assert "40 分" not in ranking and "张明平（墨池社区）" in ranking.split("无数据（不参与排名）：")[1]


async def test_notices_offer_only_what_the_reader_may_do(play: Play) -> None:
    run = await play("notices_fit_the_reader.jsonl")
    [urgent] = [t for t in run.to("sec-fuqian", "notice") if "261112-001" in t]
    assert "紧急" in urgent and "受理 261112-001" not in urgent and "查询 261112-001" in urgent
    assert any("回复“受理 261112-001”" in t for t in run.to("gw-fuqian-1", "notice"))  # the worker may accept
    asked, _first, _second = [t for t in run.to("sec-fuqian", "reply") if "结案" in t]
    assert "结案理由" in asked
    resident = run.to("resident-jin", "notice")
    assert resident[-1] == "您反映的问题（工单261112-001）已由社区书记结案：消防已到场扑灭，无人受伤"
    assert not [t for t in resident if "已答复" in t]
    for worker in ("cadre-fuqian", "gw-fuqian-1"):  # the whistle-blower and the worker who accepted it
        assert any("住建已反馈工单261112-002" in t for t in run.to(worker, "notice"))
    assert run.to("resident-qiu", "notice")[-1] == "您反映的问题（工单261112-002）已办结，社区书记已结案。"
    assert await run.rows("SELECT no, resolution FROM ticket ORDER BY no") == [
        ("261112-001", "explained"), ("261112-002", "fixed")]
    [(note,)] = await run.rows("SELECT note FROM ticket_event WHERE action = 'close' AND actor = 'sec-fuqian' "
                               "AND note IS NOT NULL")
    assert note == "消防已到场扑灭，无人受伤"


async def test_an_escalated_ticket_is_measured_by_the_departments_clock(play: Play) -> None:
    run = await play("escalated_on_the_departments_clock.jsonl")
    digests = {t.splitlines()[0]: t for t in run.to("sec-anlan", "digest") if "早报" in t}
    for day in ("10/8", "10/9", "10/10"):  # its own deadline (9/30) passed, the department's had not
        assert "超期：0 件" in digests[f"{day} 早报："]
    assert "超期：1 件 260928-001" in digests["10/12 早报："]  # the department's clock ran out on 10/10
    assert not [t for t in run.to("sec-anlan", "reminder") if "督办" in t and "260928-001" in t]
    [(due,)] = await run.rows("SELECT due_at FROM ticket")
    [(feedback_due,)] = await run.rows("SELECT feedback_due FROM escalation")
    assert str(due)[:16] == str(feedback_due)[:16]


async def test_duty_details_meeting_reminders_item_names_and_blank_confirmation(play: Play) -> None:
    run = await play("duty_details.jsonl")
    meeting = [o["at"][:10] for o in run.out if o["user"] == "street-secretary" and "交流会" in str(o["text"])
               and o["kind"] == "reminder"]
    assert meeting == ["2026-09-01", "2026-11-02"]  # Q3's last month (not held); none in Q4's, it was held
    replies = run.to("cadre-luwan", "reply")
    assert "本月党日活动主题学习全会精神" in replies[0]  # the README's own example
    assert "协调解决群众困难和问题4个" in replies[1]
    assert "远程教育次数" in replies[2] and "远程教育小时" in replies[2]
    assert "空白" in replies[3] and "到会人数" in replies[3] and "党日主题" not in replies[3]
    assert "已确认" in replies[4]
    [(period,)] = await run.rows("SELECT data FROM checkin WHERE kind = 'report_confirmed'")
    assert "2026-11" in str(period)


async def test_replay_finds_a_chat_by_its_id_and_admins_hear_of_unbound_chats(play: Play) -> None:
    run = await play("chats_found_by_id.jsonl", read_roster(CHANNELS_ROSTER))
    assert await run.rows("SELECT no, chat_id, reporter_platform FROM ticket ORDER BY no") == [
        ("261116-001", "river-bridge-1", "bridge"), ("261116-002", "river-robot-2", "wecom_robot"),
        ("261116-003", "river-both", "wecom_robot")]
    replies = await run.rows("SELECT platform, chat_id FROM outbox WHERE kind = 'reply' ORDER BY id")
    assert replies == [("bridge", "river-bridge-1"), ("wecom_robot", "river-robot-2"), ("wecom_robot", "river-both")]
    told = [o for o in run.out if o["user"] == "admin-jiangbin" and "river-unknown" in str(o["text"])]
    assert [o["at"][:10] for o in told] == ["2026-11-16", "2026-11-17"]  # once a day, not per message
    assert "楼道灯" not in str(told[0]["text"])  # the chat's id, never the resident's words


async def test_a_chat_bound_on_two_platforms_needs_the_lines_platform(
    play: Play, tmp_path: Path,
) -> None:
    transcript = tmp_path / "both.jsonl"
    transcript.write_text('{"at": "2026-11-16T09:00:00+08:00", "chat": "river-both", "user": "r1", '
                          '"text": "路灯不亮"}\n', encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"both.jsonl:1: chat 'river-both' is bound on bridge, wecom_robot"):
        await play(transcript, read_roster(CHANNELS_ROSTER))
