"""花名册 (download, upload, preview of the changes or the errors by row, apply) and 消息 (failed
messages with retry, unknown chats, health): only admins and street secretaries; a cadre cannot
change the roster, by the page or by posting to it."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import select

from bot.demo_roster import demo_roster
from bot.events import InboundMessage, OutboundKind, OutboundMessage
from bot.roster import write_roster
from storage import outbox_store
from storage.models import Outbox, OutboxStatus
from storage.roster_store import find_member
from tests.console.conftest import Browser, Rig


def _roster_file(tmp_path: Path, name: str = "roster.xlsx", *, rename: str | None = None, drop: str | None = None,
                 bad_role: bool = False) -> bytes:
    roster = demo_roster()
    people = []
    for person in roster.people:
        if person.im_user == drop:
            continue
        if person.im_user == "gw-baxianlou-1" and rename:
            person = dataclasses.replace(person, name=rename)
        if bad_role and person.im_user == "cadre-baxianlou":
            person = dataclasses.replace(person, role="mayor")
        people.append(person)
    roster.people[:] = people
    path = tmp_path / name
    write_roster(roster, path)
    return path.read_bytes()


async def _upload(browser: Browser, data: bytes) -> tuple[int, str]:
    page = await browser.upload("/console/roster/preview", "roster.xlsx", data)
    return page.status, page.text


async def test_the_street_previews_and_applies_a_roster(rig: Rig, tmp_path: Path) -> None:
    street = await rig.as_user("street-secretary")
    page = await street.get("/console/roster")
    assert page.status == 200 and 'href="/console/roster"' in page.text
    status, body, headers = await street.get_bytes("/console/roster.xlsx")
    assert status == 200 and set(load_workbook(io.BytesIO(body)).sheetnames) == {"units", "people", "chats"}
    assert "filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C.xlsx" in headers["Content-Disposition"]  # 花名册.xlsx

    status, preview = await _upload(street, _roster_file(tmp_path, rename="王小明", drop="gw-bailifang-2"))
    assert status == 200
    assert 'data-testid="roster-changed"' in preview and "王小明" in preview
    assert 'data-testid="roster-deactivated"' in preview and "p-gw-bailifang-2" in preview
    assert 'data-testid="roster-added"' not in preview
    async with rig.bot.db.session() as session:  # a preview changes nothing
        assert (await find_member(session, "gw-bailifang-2")) is not None
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview)[1]
    binding = re.search(r'name="binding" value="([0-9a-f]+)"', preview)[1]

    # another admin cannot apply this preview (it is bound to its uploader); a forged one neither
    other = await rig.as_user("admin")
    await other.get("/console/roster")
    stolen = await other.post("/console/roster/apply", {"token": token, "binding": binding})
    assert stolen.status == 400

    applied = await street.post("/console/roster/apply", {"token": token, "binding": binding})
    assert applied.status == 200 and "1 处变更" in applied.text and "1 处停用" in applied.text
    async with rig.bot.db.session() as session:
        assert (await find_member(session, "gw-bailifang-2")) is None
        assert (await find_member(session, "gw-baxianlou-1")).name == "王小明"  # type: ignore[union-attr]
    again = await street.post("/console/roster/apply", {"token": token, "binding": binding})
    assert again.status == 400  # used once


async def test_a_bad_roster_shows_its_errors_by_row_and_changes_nothing(rig: Rig, tmp_path: Path) -> None:
    street = await rig.as_user("street-secretary")
    await street.get("/console/roster")
    status, page = await _upload(street, _roster_file(tmp_path, bad_role=True))
    assert status == 400
    assert 'data-testid="roster-errors"' in page and "roster.xlsx[people]:5" in page and "mayor" in page
    assert 'data-testid="roster-apply"' not in page
    status, page = await _upload(street, b"PK\x03\x04 not really a workbook")
    assert status == 400 and 'data-testid="roster-errors"' in page
    async with rig.bot.db.session() as session:
        assert (await find_member(session, "cadre-baxianlou")) is not None


async def test_a_cadre_cannot_change_the_roster(rig: Rig, tmp_path: Path) -> None:
    cadre = await rig.as_user("cadre-baxianlou")
    page = await cadre.get("/console/tickets")
    assert 'href="/console/roster"' not in page.text and 'href="/console/messages"' not in page.text
    assert (await cadre.get("/console/roster")).status == 403
    assert (await cadre.get_bytes("/console/roster.xlsx"))[0] == 403
    status, _text = await _upload(cadre, _roster_file(tmp_path, drop="sec-baxianlou"))
    assert status == 403
    assert (await cadre.post("/console/roster/apply", {"token": "ab" * 16, "binding": "00"})).status == 403
    assert (await cadre.get("/console/messages")).status == 403
    refused = await cadre.post("/console/messages/retry", {"all": "1"})
    assert refused.status == 403 and "消息队列" in refused.text
    async with rig.bot.db.session() as session:
        assert (await find_member(session, "sec-baxianlou")) is not None


async def test_failed_messages_are_listed_without_text_and_sent_again(rig: Rig) -> None:
    async with rig.bot.db.transaction() as session:
        for n in range(2):
            await outbox_store.enqueue(session, OutboundMessage(
                platform="demo", kind=OutboundKind.notice, text=f"私密内容{n} 13912345678", user_id="gw-baxianlou-1",
                ticket="261102-001"), now=rig.clock.now())
        rows = (await session.exec(select(Outbox))).all()
        for row in rows:
            row.status, row.last_error, row.attempts = OutboxStatus.failed, "errcode 81013 user not found", 8
            session.add(row)
    await rig.bot.dispatcher.receive(InboundMessage(platform="demo", msg_id="u1", user_id="resident-wang",
                                                    text="有人吗", chat_id="demo-unbound-group"))
    street = await rig.as_user("street-secretary")
    page = await street.get("/console/messages")
    assert page.status == 200
    assert len(re.findall(r'data-testid="failed-\d+"', page.text)) == 2 and "81013" in page.text
    assert "私密内容" not in page.text and "13912345678" not in page.text
    assert "demo-unbound-group" in page.text
    first = min(r.id for r in rows if r.id is not None)
    answer = await street.post("/console/messages/retry", [("id", str(first))])
    assert answer.status == 200 and 'data-testid="flash"' in answer.text
    async with rig.bot.db.session() as session:
        statuses = {r.id: r.status for r in (await session.exec(select(Outbox))).all()}
    assert statuses[first] in (OutboxStatus.pending, OutboxStatus.sent)
    assert [s for i, s in statuses.items() if i != first] == [OutboxStatus.failed]
