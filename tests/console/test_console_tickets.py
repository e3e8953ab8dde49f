"""Who sees which tickets in the console, the board (filters, search, sort, pages, counts, export),
the ticket page (timeline, personal data shown only to those who may act, every such view logged)
and the actions, which go through the same services as the chat commands."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlmodel import select

from bot.domain.tickets import State
from bot.services import access
from bot.services import board as board_service
from bot.services import tickets as ticket_service
from storage import console_store, ticket_store
from storage.models import Outbox, TicketEvent
from storage.roster_store import Grant, Member
from tests.console.conftest import Rig

BAXIANLOU_1, BAXIANLOU_2, BAILIFANG_1 = "demo-baxianlou-1", "demo-baxianlou-2", "demo-bailifang-1"


def rows_of(html: str) -> list[str]:
    return re.findall(r'data-testid="row-(\d{6}-\d{3})"', html)


async def test_a_community_secretary_sees_only_their_community(rig: Rig) -> None:
    own = await rig.file("3号楼电梯坏了，老人下不了楼")
    other_grid = await rig.file("7号楼门口垃圾没人清", chat=BAXIANLOU_2)
    elsewhere = await rig.file("5号楼路灯不亮了", chat=BAILIFANG_1)
    browser = await rig.as_user("sec-baxianlou")
    board = await browser.get("/console/tickets")
    assert sorted(rows_of(board.text)) == sorted([own, other_grid])
    assert (await browser.get(f"/console/tickets/{own}")).status == 200
    by_url = await browser.get(f"/console/tickets/{elsewhere}")
    assert by_url.status == 404 and "5号楼" not in by_url.text
    assert (await browser.get(f"/console/tickets?q={elsewhere}")).text.count("data-testid=\"row-") == 0
    export_status, body, _h = await browser.get_bytes("/console/tickets.xlsx")
    numbers = [r[0] for r in load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True)]
    assert export_status == 200 and sorted(numbers) == sorted([own, other_grid])


async def test_a_form_posted_to_another_communitys_ticket_changes_nothing(rig: Rig) -> None:
    elsewhere = await rig.file("5号楼路灯不亮了", chat=BAILIFANG_1)
    browser = await rig.as_user("sec-baxianlou")
    await browser.get("/console/tickets")
    answer = await browser.post(f"/console/tickets/{elsewhere}", {"action": "close", "reason": "不归我们管"})
    assert answer.status == 404
    async with rig.bot.db.session() as session:
        ticket = await ticket_store.get_ticket(session, elsewhere)
    assert ticket is not None and ticket.state == State.reported


async def test_grid_workers_see_their_grid_and_their_own_tickets(rig: Rig) -> None:
    mine = await rig.file("3号楼电梯坏了")
    neighbours = await rig.file("7号楼楼道堆满杂物", chat=BAXIANLOU_2)
    worker = await rig.as_user("gw-baxianlou-1")
    assert rows_of((await worker.get("/console/tickets")).text) == [mine]
    assert (await worker.get(f"/console/tickets/{neighbours}")).status == 404
    # passed to them by the grid worker of the other grid: now it is theirs and they see it
    other_worker = await rig.as_user("gw-baxianlou-2")
    await other_worker.get(f"/console/tickets/{neighbours}")
    async with rig.bot.db.session() as session:
        name = (await board_service.board_store.names_of(session, ["p-gw-baxianlou-1"]))["p-gw-baxianlou-1"]
    passed = await other_worker.post(f"/console/tickets/{neighbours}", {"action": "reassign", "name": name})
    # the answer names the colleague by role (the same words a group chat may see)
    assert passed.status == 200 and f"工单{neighbours}已转派给网格员" in passed.text
    assert passed.url.endswith("/console/tickets")
    assert rows_of(passed.text) == []  # it has left their grid with the worker it was passed to
    assert sorted(rows_of((await worker.get("/console/tickets")).text)) == sorted([mine, neighbours])


async def test_the_street_sees_every_community_and_a_cadre_their_community(rig: Rig) -> None:
    tickets = [await rig.file("3号楼电梯坏了"), await rig.file("7号楼楼道灯坏了", chat=BAXIANLOU_2),
               await rig.file("5号楼路灯不亮了", chat=BAILIFANG_1)]
    street = await rig.as_user("street-secretary")
    assert sorted(rows_of((await street.get("/console/tickets")).text)) == sorted(tickets)
    cadre = await rig.as_user("cadre-baxianlou")
    assert sorted(rows_of((await cadre.get("/console/tickets")).text)) == sorted(tickets[:2])


async def test_a_department_sees_only_what_was_escalated_to_it(rig: Rig) -> None:
    whistled = await rig.file("3号楼楼顶有违章搭建")
    await rig.file("7号楼楼道灯坏了", chat=BAXIANLOU_2)
    liaison = await rig.as_user("dept-zhujian")
    assert rows_of((await liaison.get("/console/tickets")).text) == []
    assert (await liaison.get(f"/console/tickets/{whistled}")).status == 404
    await rig.say("gw-baxianlou-1", f"吹哨 {whistled} 住建")
    assert rows_of((await liaison.get("/console/tickets")).text) == [whistled]
    page = await liaison.get(f"/console/tickets/{whistled}")
    assert 'data-testid="action-dept_report"' in page.text and 'data-testid="action-close"' not in page.text
    await liaison.post(f"/console/tickets/{whistled}", {"action": "dept_report"})
    fed = await liaison.post(f"/console/tickets/{whistled}", {"action": "dept_feedback", "note": "已责令拆除"})
    assert "已责令拆除" in fed.text
    async with rig.bot.db.session() as session:
        ticket = await ticket_store.get_ticket(session, whistled)
        escalations = await ticket_store.escalations(session, ticket.id)  # type: ignore[union-attr, arg-type]
    assert ticket is not None and ticket.state == State.in_progress
    assert escalations[0].feedback == "已责令拆除"


async def test_personal_data_only_for_those_who_may_act_and_every_view_is_logged(rig: Rig) -> None:
    no = await rig.file("3号楼502室漏水到楼下，我电话13912345678")
    secretary = await rig.as_user("sec-baxianlou")
    page = await secretary.get(f"/console/tickets/{no}")
    assert "13912345678" in page.text and "502室" in page.text
    board = await secretary.get("/console/tickets")
    # the board shows masked summaries ("502" alone could be part of a random CSRF token)
    assert "13912345678" not in board.text and "502室" not in board.text
    rig.clock.advance(timedelta(minutes=5))
    await secretary.get(f"/console/tickets/{no}")
    async with rig.bot.db.session() as session:
        ticket = await ticket_store.get_ticket(session, no)
        assert ticket is not None and ticket.id is not None
        views = await console_store.views_of(session, ticket.id)
        assert [(v.viewer, v.what) for v in views] == [("sec-baxianlou", "ticket_detail")] * 2
        assert views[1].at - views[0].at == timedelta(minutes=5)
        # someone whose scope holds the ticket but who may not act on it sees it masked, unlogged
        onlooker = Member("p-onlooker", "旁观者", (Grant("department_liaison", "dept-zhujian", "住建", "department"),))
        scope = access.Scope("p-onlooker", frozenset({"c-baxianlou"}), frozenset())
        actor = ticket_service.Actor("onlooker", "旁观者", onlooker, "console")
        view = await board_service.ticket_view(session, scope, actor, no, now=rig.clock.now())
        assert view is not None and not view.personal and view.reporters == []
        assert len(await console_store.views_of(session, ticket.id)) == 2


async def test_the_board_filters_searches_sorts_counts_and_pages(rig: Rig) -> None:
    numbers = []
    for n in range(28):
        numbers.append(await rig.file(f"{n + 1}号楼门口路灯不亮了", user=f"resident-{n}"))
        rig.clock.advance(timedelta(minutes=10))
    leak = await rig.file("小区里有人在打架，有人受伤了", chat=BAXIANLOU_2, user="resident-x")
    await rig.say("gw-baxianlou-1", f"受理 {numbers[0]}")
    browser = await rig.as_user("sec-baxianlou")
    first = await browser.get("/console/tickets")
    assert len(rows_of(first.text)) == 25 and rows_of(first.text)[0] == leak  # newest first
    assert "共 29 件" in first.text and "第 1 页，共 2 页" in first.text
    second = await browser.get("/console/tickets?page=2")
    assert rows_of(second.text) == list(reversed(numbers[:4]))
    oldest_first = await browser.get("/console/tickets?sort=no&dir=asc")
    assert rows_of(oldest_first.text)[:2] == numbers[:2]
    accepted = await browser.get("/console/tickets?state=accepted")
    assert rows_of(accepted.text) == [numbers[0]]
    counts = dict(re.findall(r'data-testid="count-(\w+)">[^<]*<b>(\d+)</b>', accepted.text))
    assert counts["accepted"] == "1" and counts["reported"] == "28"  # counts ignore the state filter
    assert rows_of((await browser.get(f"/console/tickets?q={numbers[5].replace('-', '')}")).text) == [numbers[5]]
    assert rows_of((await browser.get("/console/tickets?q=打架")).text) == [leak]
    assert rows_of((await browser.get("/console/tickets?unit=g-baxianlou-2")).text) == [leak]
    p0 = await browser.get("/console/tickets?urgency=P0")
    assert rows_of(p0.text) == [leak]
    assert rows_of((await browser.get("/console/tickets?category=public_facility&q=12号楼")).text) == [numbers[11]]
    today = rig.clock.now().date().isoformat()
    assert len(rows_of((await browser.get(f"/console/tickets?from={today}&to={today}")).text)) == 25
    assert rows_of((await browser.get("/console/tickets?to=2026-11-01")).text) == []
    bad = await browser.get("/console/tickets?from=2026-13-40")
    assert "不是日期" in bad.text and len(rows_of(bad.text)) == 25
    assert rows_of((await browser.get("/console/tickets?overdue=1")).text) == []
    rig.clock.advance(timedelta(days=10))
    browser = await rig.as_user("sec-baxianlou")  # the old session has long gone idle
    overdue = await browser.get("/console/tickets?overdue=1&sort=due&dir=asc")
    assert len(rows_of(overdue.text)) == 25 and "超期" in overdue.text
    await rig.say("gw-baxianlou-1", f"吹哨 {numbers[3]} 住建")
    assert rows_of((await browser.get("/console/tickets?escalated=1")).text) == [numbers[3]]


async def test_the_export_is_the_filtered_list_masked_and_inert(rig: Rig) -> None:
    risky = await rig.file("=HYPERLINK(\"http://x\") 3号楼电梯坏了 电话13912345678", user="resident-a")
    await rig.file("7号楼楼道灯坏了", chat=BAXIANLOU_2, user="resident-b")
    browser = await rig.as_user("sec-baxianlou")
    await browser.get("/console/tickets?unit=g-baxianlou-1")
    status, body, headers = await browser.get_bytes("/console/tickets.xlsx?unit=g-baxianlou-1")
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单号" and [r[0] for r in rows[1:]] == [risky]
    summary = rows[1][-1]
    assert summary.startswith("=HYPERLINK") and "13912345678" not in summary
    assert sheet.cell(2, len(rows[0])).data_type == "s"  # text, not a formula


async def test_actions_go_through_the_ticket_service_like_chat(rig: Rig) -> None:
    no = await rig.file("3号楼电梯坏了，老人下不了楼")
    rig.transports["demo"].pop()
    worker = await rig.as_user("gw-baxianlou-1")
    page = await worker.get(f"/console/tickets/{no}")
    offered = set(re.findall(r'data-testid="action-(\w+)"', page.text))
    assert offered == {"accept", "on_site", "escalate", "reassign", "extend"}  # what 受理/到场/吹哨/转派/延期 allow
    accepted = await worker.post(f"/console/tickets/{no}", {"action": "accept"})
    assert f"工单{no}已受理" in accepted.text.replace(" ", "")
    await rig.bot.outbox.flush()
    told = [m.text for m in rig.transports["demo"].pop() if m.user_id == "resident-wang"]
    assert any(no in text and "受理" in text for text in told)  # the resident hears it as from chat
    # a chat command that the state no longer allows gets the same answer in chat and console
    chat_answer = await rig.say("gw-baxianlou-1", f"受理 {no}")
    assert "不能" in chat_answer[0].text
    assert 'data-testid="action-accept"' not in (await worker.get(f"/console/tickets/{no}")).text
    refused = await worker.post(f"/console/tickets/{no}", {"action": "accept"})
    assert "不能对此工单执行该操作" in refused.text
    # a secretary closes it with a reason: state, resolution and the audited reason
    secretary = await rig.as_user("sec-baxianlou")
    await secretary.get(f"/console/tickets/{no}")
    empty = await secretary.post(f"/console/tickets/{no}", {"action": "close", "reason": " "})
    assert "请填写结案理由" in empty.text
    closed = await secretary.post(f"/console/tickets/{no}", {"action": "close", "reason": "电梯公司已修复，居民确认"})
    assert closed.status == 200
    assert "已结案" in closed.text and "电梯公司已修复，居民确认" in closed.text  # on the timeline
    async with rig.bot.db.session() as session:
        ticket = await ticket_store.get_ticket(session, no)
        assert ticket is not None and ticket.state == State.closed
        event = (await session.exec(select(TicketEvent).where(TicketEvent.action == "close"))).one()
        notices = (await session.exec(select(Outbox).where(Outbox.user_id == "resident-wang"))).all()
    assert (event.actor, event.actor_role, event.note) == ("sec-baxianlou", "community_secretary",
                                                            "电梯公司已修复，居民确认")
    assert notices[-1].text == f"您反映的问题（工单{no}）已由社区书记结案：电梯公司已修复，居民确认"  # as from chat
    await rig.bot.outbox.flush()
    rig.transports["demo"].pop()
    assert "已结案" in (await rig.say("resident-wang", f"查询 {no}"))[0].text  # chat says what the console did


async def test_a_cadre_cannot_use_a_secretarys_action_by_posting_it(rig: Rig) -> None:
    no = await rig.file("3号楼电梯坏了")
    cadre = await rig.as_user("cadre-baxianlou")
    await cadre.get(f"/console/tickets/{no}")
    refused = await cadre.post(f"/console/tickets/{no}", {"action": "close", "reason": "不用管"})
    assert "不能对此工单执行该操作" in refused.text
    async with rig.bot.db.session() as session:
        ticket = await ticket_store.get_ticket(session, no)
    assert ticket is not None and ticket.state == State.reported
    missing = await cadre.post(f"/console/tickets/{no}", {"action": "accept"}, csrf=False)
    assert missing.status == 403


async def test_an_unknown_ticket_number_is_not_found(rig: Rig) -> None:
    browser = await rig.as_user("street-secretary")
    for path in ("/console/tickets/261102-999", "/console/tickets/nonsense", "/console/tickets/..%2F..%2Fetc"):
        assert (await browser.get(path)).status == 404, path
