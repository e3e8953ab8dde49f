"""Who sees what: the audience rule (bot.audience) and the cases the transcripts under
tests/transcripts/ replay — 查询 and handlers' notes in a group, staff business in a group, typed
text echoed by errors, rooms later in a sentence, and a bridge user posing as a secretary."""

from __future__ import annotations

import re
import sqlite3

import pytest

from bot.audience import Answer, Audience, narrowest, route
from bot.events import InboundMessage
from bot.registry import CommandSpec
from tests.conftest import Harness, local

POINTER = "已私信回复您。"


def group_lines(out: list[dict[str, object]]) -> list[dict[str, object]]:
    return [o for o in out if o["chat"]]


def private_to(out: list[dict[str, object]], user: str) -> list[str]:
    return [str(o["text"]) for o in out if o["user"] == user and not o["chat"]]


# ------------------------------------------------------------------ the rule itself

GROUP_MSG = InboundMessage(platform="demo", msg_id="1", user_id="u1", text="x", chat_id="g1")
ROBOT_MSG = InboundMessage(platform="wecom_robot", msg_id="1", user_id="u1", text="x", chat_id="g1")


def test_a_public_line_goes_to_the_group_masked() -> None:
    [m] = route(Answer("工单261130-001：3号楼2单元501，处理人林晓海", Audience.public), GROUP_MSG,
                is_member=False, people_platform="wecom_app", names=["林晓海"])
    assert (m.chat_id, m.text) == ("g1", "工单261130-001：3号楼2单元***，处理人林**")


def test_a_sender_answer_goes_privately_with_one_pointer() -> None:
    pointer, answer = route(Answer("“13900001111”不是工单号", Audience.sender), GROUP_MSG,
                            is_member=False, people_platform="wecom_app")
    assert (pointer.chat_id, pointer.text) == ("g1", POINTER)
    assert (answer.chat_id, answer.user_id, answer.platform) == (None, "u1", "demo")
    [again] = route(Answer("second", Audience.sender), GROUP_MSG, is_member=False, people_platform="wecom_app",
                    pointed=True)
    assert again.chat_id is None


def test_where_the_sender_cannot_be_reached_the_group_gets_the_public_form_or_nothing() -> None:
    [m] = route(Answer("“13900001111”不是工单号", Audience.sender, public="这不是工单号"), ROBOT_MSG,
                is_member=False, people_platform="wecom_app")
    assert (m.chat_id, m.text) == ("g1", "这不是工单号")
    assert route(Answer("list", Audience.sender), ROBOT_MSG, is_member=False, people_platform="wecom_app") == []
    assert route(Answer("签到成功", Audience.staff, public="x"), ROBOT_MSG, is_member=False,
                 people_platform="wecom_app") == []


def test_staff_on_the_smart_robot_are_answered_through_the_app() -> None:
    [m] = route(Answer("签到成功", Audience.staff), ROBOT_MSG, is_member=True, people_platform="wecom_app")
    assert (m.platform, m.chat_id, m.user_id) == ("wecom_app", None, "u1")


def test_staff_business_gets_no_pointer_and_private_chats_are_answered_in_place() -> None:
    [m] = route(Answer("签到成功", Audience.staff), GROUP_MSG, is_member=True, people_platform="demo")
    assert m.chat_id is None
    private = InboundMessage(platform="mp", msg_id="1", user_id="o1", text="x")
    [m] = route(Answer("line", Audience.public), private, is_member=False, people_platform="wecom_app")
    assert (m.platform, m.chat_id, m.user_id, m.text) == ("mp", None, "o1", "line")


def test_a_handler_can_narrow_the_audience_but_never_widen_it() -> None:
    assert narrowest(Audience.public, Audience.sender) == Audience.sender
    assert narrowest(Audience.staff, Audience.public) == Audience.staff
    assert narrowest(Audience.public, None) == Audience.public


def test_a_command_must_declare_its_audience() -> None:
    async def handler(ctx: object, args: str) -> None: ...

    with pytest.raises(TypeError):
        CommandSpec("新命令", "", handler)  # type: ignore[call-arg,arg-type]


async def test_no_staff_command_says_a_word_in_a_residents_group(harness: Harness) -> None:
    """Every command declared `staff`, used in a group by someone allowed to use it."""
    harness.clock.set(local(2026, 11, 4, 10, 0))
    users = {"cadre": "cadre-gulou", "grid_worker": "gw-gulou-1", "community_secretary": "sec-gulou",
             "street_secretary": "street-secretary", "department_liaison": "dept-zhujian"}
    staff = [s for s in harness.app.registry.commands if s.audience == Audience.staff]
    assert {"签到", "报表", "请假", "不在岗", "会议", "谈话", "工单", "我的工单"} <= {s.word for s in staff}
    for spec in staff:
        user = next(u for role, u in users.items() if spec.roles and role in spec.roles)
        out = await harness.say(user, f"{spec.word} 1", chat="demo-gulou-1")
        assert out and not [m for m in out if m.chat_id], spec.word
    for user in ("cadre-gulou", "sec-gulou", "street-secretary"):  # a staff member's 帮助 is staff business
        out = await harness.say(user, "帮助", chat="demo-gulou-1")
        assert out and not [m for m in out if m.chat_id]


# ------------------------------------------------------------------ co-reporters


async def test_co_reporters_learn_the_outcome_from_fields_the_reporter_the_masked_note(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 3, 8, 10))
    await harness.say("r-a", "5号楼电梯又坏了", chat="demo-gulou-2", user_name="陶阿姨")
    out = await harness.say("r-b", "5号楼的电梯坏了，困在家里下不去", chat="demo-gulou-2", user_name="龚先生")
    [no] = {m.ticket for m in out if m.ticket}
    await harness.say("gw-gulou-2", f"受理 {no}")
    out = await harness.say("gw-gulou-2", f"办结 {no} 已修复，陶阿姨家5号楼1102电话13611112222已回访，龚先生说还有异响")
    notices = [m for m in out if m.user_id in ("r-a", "r-b")]
    assert {m.user_id for m in notices} == {"r-a", "r-b"}
    for m in notices:
        assert "13611112222" not in m.text and "1102" not in m.text
        assert "陶阿姨" not in m.text and "龚先生" not in m.text
        assert "办结" in m.text  # the outcome itself is told
    # the original reporter gets the handler's note (masked); the co-reporter the outcome from fields only
    assert ["已修复" in m.text for m in sorted(notices, key=lambda m: m.user_id)] == [True, False]


# ------------------------------------------------------------------ the transcripts


def test_query_and_notes_in_a_group(replay) -> None:  # type: ignore[no-untyped-def]
    out, _db = replay("query_and_notes_in_group.jsonl")
    queries = [o for o in group_lines(out) if "期限" in str(o["text"])]
    assert len(queries) == 4 and all("井盖" not in str(o["text"]) for o in queries)
    assert any("井盖丢了" in t for t in private_to(out, "gw-luwan-1"))  # details privately, to who acts
    assert any("井盖丢了" in t for t in private_to(out, "cadre-luwan"))
    assert not any("井盖" in t for t in private_to(out, "gw-mochi-1"))  # another community: the state only
    [done] = [t for t in private_to(out, "resident-hu") if "已办结" in t]
    assert "13955501234" not in done and "302" not in done and "402" not in done and "补装井盖" in done


def test_staff_business_in_a_group_is_answered_privately_only(replay) -> None:  # type: ignore[no-untyped-def]
    out, _db = replay("staff_business_in_group.jsonl")
    assert group_lines(out) == []
    assert any("签到成功" in t for t in private_to(out, "cadre-shuomen"))
    assert any("不在岗" in t for t in private_to(out, "sec-shuomen"))


def test_typed_text_is_never_echoed_into_a_group(replay) -> None:  # type: ignore[no-untyped-def]
    out, _db = replay("echoes_in_group.jsonl")
    lines = [str(o["text"]) for o in group_lines(out)]
    assert lines.count(POINTER) == 5
    assert not any(re.search(r"13812340000|幺三八|HYPERLINK|503|702|1203", t) for t in lines)
    assert any("119" in t for t in lines)  # the P0 advice is public
    assert any("13812340000" in t for t in private_to(out, "resident-lu"))  # the sender sees their own words


def test_a_bridge_user_with_a_secretarys_id_is_a_resident(replay) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("bridge_impostor.jsonl")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT state FROM ticket").fetchall() == [("reported",)]
    assert any("仅限" in t for t in private_to(out, "sec-gulou"))


# ------------------------------------------------------------------ who handles it, by role


async def test_a_group_is_told_who_handles_a_ticket_by_role_never_by_name(harness: Harness) -> None:
    """The filing line and a 转派 answered in the group name the handler's role; not even a
    masked name (网格员潘**) reaches the neighbours."""
    from sqlmodel import select

    from storage.models import Person

    harness.clock.set(local(2026, 11, 3, 9, 10))
    out = await harness.say("r-c", "4号楼门口的路灯不亮了", chat="demo-baxianlou-1")
    [line] = [m for m in out if m.chat_id == "demo-baxianlou-1"]
    assert "由网格员负责" in line.text and "*" not in line.text
    no = line.ticket
    async with harness.app.db.read() as session:
        names = {p.im_user: p.name for p in (await session.exec(select(Person))).all()}
    out = await harness.say("gw-baxianlou-1", f"转派 {no} {names['gw-baxianlou-2']}", chat="demo-baxianlou-1")
    [passed] = [m for m in out if m.chat_id == "demo-baxianlou-1"]
    assert passed.text == f"工单{no}已转派给网格员。"
    assert any(m.user_id == "gw-baxianlou-2" and "转派给您" in m.text for m in out)
