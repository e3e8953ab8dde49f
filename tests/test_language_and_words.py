"""Each person hears the bot in their language, and what it says is plain: safety before paperwork
for fire and gas, “本周” not 2026-W48, “还差1次” not 0/1, a greeting answered, a missing number
asked for, valid departments named."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.clock import OffsetClock
from bot.demo_server import make_demo_app
from scheduler.runner import SimulatedScheduler
from tests.conftest import Harness, local

GROUP = "demo-baxianlou-1"
CJK = re.compile(r"[\u3400-\u9fff]")


def _no(text: str) -> str:
    found = re.search(r"\d{6}-\d{3}", text)
    assert found, text
    return found[0]


async def test_a_resident_writing_english_is_answered_in_english(harness: Harness) -> None:
    out = await harness.say("resident-li", "hello")
    assert out[0].text.startswith("Hello") and "网格通" in out[0].text
    out = await harness.say("resident-li", "Can you help me please")
    assert out and re.match(r"[A-Za-z]", out[0].text), out  # English, whatever the answer is


async def test_a_private_hello_gets_a_greeting_and_what_the_bot_does(harness: Harness) -> None:
    out = await harness.say("resident-wang", "你好！")
    assert len(out) == 1 and out[0].text.startswith("您好") and "查询" in out[0].text and "帮助" in out[0].text
    assert await harness.say("resident-wang", "你好", chat=GROUP) == []  # group chatter stays unanswered


async def test_each_person_is_spoken_to_in_their_own_language(harness: Harness) -> None:
    out = await harness.say("gw-baxianlou-1", "语言 English")
    assert out[0].text == "From now on I will write to you in English."
    out = await harness.say("resident-wang", "3号楼电梯坏了，好几天了", chat=GROUP)
    to_worker = next(m.text for m in out if m.user_id == "gw-baxianlou-1")
    to_cadre = next(m.text for m in out if m.user_id == "cadre-baxianlou")
    assert to_worker.startswith("New ticket") and to_cadre.startswith("新工单")
    group = next(m.text for m in out if m.chat_id == GROUP)
    assert group.startswith("已登记") or "工单" in group  # the resident writes Chinese: Chinese
    no = _no(group)
    out = await harness.say("gw-baxianlou-1", f"受理 {no}")
    assert next(m.text for m in out if m.user_id == "gw-baxianlou-1").startswith("Ticket")
    resident = [m.text for m in out if m.user_id == "resident-wang"]
    assert resident and CJK.search(resident[0])  # the resident is still told in Chinese
    out = await harness.say("gw-baxianlou-1", "语言 中文")
    assert out[0].text.startswith("好的")


async def test_fire_and_gas_answers_start_with_what_to_do_now(harness: Harness) -> None:
    fire = (await harness.say("resident-wang", "5号楼3楼着火了，冒了好多烟", chat=GROUP))
    first = next(m.text for m in fire if m.chat_id == GROUP)
    assert first.startswith("火情") and "119" in first.split("\n")[0] and "电梯" in first.split("\n")[0]
    assert "工单" in first.split("\n")[-1]  # the ticket comes after the advice
    gas = await harness.say("resident-zhang", "2号楼楼道里煤气味很重，好像漏气了", chat=GROUP)
    first = next(m.text for m in gas if m.chat_id == GROUP).split("\n")[0]
    assert first.startswith("燃气") and "开关" in first and "明火" in first and "119" in first


async def test_a_command_without_its_number_asks_for_it(harness: Harness) -> None:
    out = await harness.say("resident-wang", "查询")
    assert "哪张工单" in out[0].text and "261122-001" in out[0].text


async def test_an_unknown_department_is_answered_with_the_valid_ones(harness: Harness) -> None:
    out = await harness.say("resident-wang", "3号楼电梯坏了", chat=GROUP)
    no = _no(next(m.text for m in out if m.chat_id == GROUP))
    out = await harness.say("gw-baxianlou-1", f"吹哨 {no} 消防大队")
    answer = out[0].text
    assert "消防大队" in answer and "住建" in answer and "应急" in answer


async def test_reminders_say_this_week_and_what_is_missing(harness: Harness) -> None:
    scheduler = SimulatedScheduler(harness.app.jobs, harness.app.job_context, harness.clock)
    await scheduler.advance_to(local(2026, 11, 5, 15, 30))  # Thursday: the weekly evening-visit reminder
    texts = [m.text for m in await harness.delivered() if m.user_id == "cadre-baxianlou" and "夜访" in m.text]
    assert texts and "本周" in texts[0] and "还差1次" in texts[0]
    assert not re.search(r"\d{4}-W\d\d|\d{4}-Q\d|\b0/1\b", texts[0])


async def test_the_demo_switch_sets_the_demo_peoples_language(tmp_path: Any) -> None:
    from bot.config import load_settings

    settings = load_settings(None, database__url=f"sqlite+aiosqlite:///{tmp_path}/demo.db", files_dir=tmp_path / "f")
    client = TestClient(TestServer(await make_demo_app(settings, OffsetClock(local(2026, 12, 1, 10, 0)))))
    await client.start_server()
    try:
        assert (await client.post("/api/language", json={"lang": "xx"})).status == 400
        assert (await client.post("/api/language", json={"lang": "en"})).status == 200
        setup = await (await client.get("/api/setup?lang=en")).json()
        cadre = next(p["name"] for p in setup["people"] if p["id"] == "cadre-baxianlou")
        assert "（" not in cadre and "(stationed cadre, " in cadre
        await client.post("/api/messages", json={"user": "resident-wang", "chat": GROUP, "text": "3号楼电梯坏了"})
        replies: list[str] = []
        for _try in range(100):  # the outbox worker delivers it a moment later
            log = await (await client.get(f"/api/messages?chat={GROUP}")).json()
            replies = [m["text"] for m in log if m["direction"] == "out"]
            if replies:
                break
            await asyncio.sleep(0.05)
        reply = replies[0]
        assert reply.startswith("Ticket"), reply
    finally:
        await client.close()


async def test_notices_a_command_causes_are_in_each_recipients_language(harness: Harness) -> None:
    """The worker writes English; the secretary told of the extension and the resident told of
    the outcome read Chinese (their notices were rendered in the sender's language)."""
    harness.clock.set(local(2026, 11, 3, 9, 0))
    out = await harness.say("resident-wang", "6号楼下水道堵了，污水漫到路上", chat=GROUP)
    no = _no(next(m.text for m in out if m.chat_id == GROUP))
    await harness.say("gw-baxianlou-1", "语言 English")
    await harness.say("gw-baxianlou-1", f"受理 {no}")
    out = await harness.say("gw-baxianlou-1", f"延期 {no} 2天 等配件")
    [told] = [m.text for m in out if m.user_id == "sec-baxianlou"]
    assert CJK.search(told) and "extended" not in told
    await harness.say("gw-baxianlou-1", f"到场 {no}")  # a public facility on the street: 四必到
    out = await harness.say("gw-baxianlou-1", f"办结 {no} 已疏通")
    [resident] = [m.text for m in out if m.user_id == "resident-wang"]
    assert CJK.search(resident.replace("已疏通", "")) and "dealt with" not in resident


async def test_the_street_reads_red_lines_and_the_ranking_in_its_language(harness: Harness) -> None:
    await harness.say("street-secretary", "语言 English")
    await harness.say("cadre-baxianlou", "签到")  # one cadre with data: ranked; the others listed as without
    await harness.delivered()
    scheduler = SimulatedScheduler(harness.app.jobs, harness.app.job_context, harness.clock)
    await scheduler.advance_to(local(2027, 1, 4, 11, 0))  # January's first working day, after 10:30
    street = [m.text for m in await harness.delivered() if m.user_id == "street-secretary"]
    indicators = next(t for t in street if t.startswith("Indicators for 2026-12"))
    ranking = next(t for t in street if t.startswith("Ranking of stationed cadres"))
    for text in (indicators, ranking):
        assert all(_language(line) == "en" for line in text.split("\n")[1:]), text


def _language(text: str) -> str:
    """“en” when the bot's own words are English (lowercase English words), else “zh”: the names,
    places and notes in these tests are Chinese, so only the template can bring English words."""
    return "en" if re.search(r"\b[a-z]{3,}\b", text) else "zh"


async def test_every_notice_of_a_ticket_life_is_in_its_recipients_language(harness: Harness) -> None:
    """Senders and recipients differ in language at each step (whistle, report-in, feedback,
    extension, rework, reopening): each person told of another's action reads their own language."""
    harness.clock.set(local(2026, 11, 3, 9, 0))
    english = {"sec-baxianlou", "dept-jiaotong"}
    for person in english:
        await harness.say(person, "语言 English")
    out = await harness.say("resident-wang", "6号楼门口的路灯坏了，晚上一片漆黑", chat=GROUP)
    no = _no(next(m.text for m in out if m.chat_id == GROUP))
    steps = [("gw-baxianlou-1", f"受理 {no}"), ("gw-baxianlou-1", f"延期 {no} 2天 等配件"),
             ("gw-baxianlou-1", f"吹哨 {no} 交通运输"), ("dept-jiaotong", f"报到 {no}"),
             ("dept-jiaotong", f"反馈 {no} 已换灯泡"), ("gw-baxianlou-1", f"办结 {no} 路灯已修好"),
             ("sec-baxianlou", f"核查 {no} 退回 灯还不亮"), ("gw-baxianlou-1", f"办结 {no} 已换线路"),
             ("resident-wang", f"评价 {no} 不满意")]
    heard: set[str] = set()
    for sender, text in steps:
        out = await harness.say(sender, text)
        told = {m.user_id: m.text for m in out if m.user_id != sender and m.chat_id is None}
        assert told, (text, out)  # each step tells someone else
        for user, said in told.items():
            assert _language(said) == ("en" if user in english else "zh"), (text, user, said)
            heard.add(_language(said))
    assert heard == {"en", "zh"}


async def test_an_admin_reads_the_calendar_warning_in_their_language(harness: Harness) -> None:
    await harness.say("admin", "语言 English")
    scheduler = SimulatedScheduler(harness.app.jobs, harness.app.job_context, harness.clock)
    await scheduler.advance_to(local(2026, 11, 2, 10, 0))
    [warning] = [m.text for m in await harness.delivered() if m.user_id == "admin" and "2027" in m.text]
    assert warning.startswith("The holiday calendar for 2027 is not loaded yet"), warning
