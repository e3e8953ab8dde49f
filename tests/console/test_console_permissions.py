"""Chat and the console apply one rule for who sees a ticket's words and who may act on it: for each
role of the chat permission matrix (tests/test_permissions.py) × where the ticket is (the actor's own
grid, another grid of the community, another community, another street: tests/two_streets.py), on the
same bot, the console shows the ticket and the resident's words exactly when 查询 in chat shows the
words, and offers exactly the actions the chat matrix allows that role there."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import timedelta

from openpyxl import load_workbook

from bot.console.ticket_views import ACTIONS, BY_KEY
from bot.domain.tickets import ALLOWED, State
from storage import ticket_store
from storage.roster_store import replace_roster
from tests.console.conftest import RigFactory
from tests.test_permissions import ACTORS, COMMANDS, PLACES
from tests.two_streets import two_streets

STAFF = {role: actor for role, actor in ACTORS.items() if role != "resident"}  # residents have no console


def offered(html: str) -> set[str]:
    """The chat command words of the action forms on a ticket page."""
    return {BY_KEY[key].word for key in re.findall(r'data-testid="action-([a-z_]+)"', html)}


async def test_chat_and_console_agree_on_who_sees_and_acts(make_rig: RigFactory) -> None:
    rig = await make_rig(roster=two_streets())
    tickets: dict[tuple[str, bool], tuple[str, str]] = {}  # (place, whistled to 交通运输) → (number, words)
    for n, (place, whistled) in enumerate((p, w) for p in PLACES for w in (False, True)):
        rig.clock.advance(timedelta(hours=73))  # far apart: no report joins another as a duplicate
        chat, worker = PLACES[place]
        words = f"{n + 1}号楼门口的路灯不亮了，晚上很黑"
        no = await rig.file(words, chat=chat, user=f"reporter-{n}")
        if whistled:
            await rig.say(worker, f"吹哨 {no} 交通运输")
        tickets[place, whistled] = no, words
    wrong: dict[tuple[str, str, bool], object] = {}
    chat_shows: dict[tuple[str, str, bool], bool] = {}
    for role, actor in STAFF.items():
        browser = await rig.as_user(actor)
        board = await browser.get("/console/tickets")
        for (place, whistled), (no, words) in tickets.items():
            chat_words = any(words in m.text for m in await rig.say(actor, f"查询 {no}"))
            chat_shows[role, place, whistled] = chat_words
            page = await browser.get(f"/console/tickets/{no}")
            console = {"board": f'data-testid="row-{no}"' in board.text, "page": page.status == 200,
                       "words": words in page.text}
            if any(seen != chat_words for seen in console.values()):
                wrong[role, place, whistled] = {"chat": chat_words, **console}
            async with rig.bot.db.session() as session:
                ticket = await ticket_store.get_ticket(session, no)
            assert ticket is not None
            state = State(ticket.state)
            want = {a.word for a in ACTIONS
                    if state in ALLOWED[a.domain] and place in COMMANDS[a.word][2].get(role, ())}
            if page.status == 200 and offered(page.text) != want:
                wrong[role, place, whistled] = {"offered": offered(page.text), "chat allows": want}
    assert not wrong
    # the matrix holds both answers: the own grid's worker and the whistled department see, the other
    # street's secretary does not
    assert chat_shows["grid_worker", "own", False] and chat_shows["department_liaison", "other street", True]
    assert not chat_shows["street_secretary", "other street", False]


async def test_a_ticket_assigned_outside_ones_area_is_listed_without_the_residents_words(
        make_rig: RigFactory) -> None:
    """Someone still holding a ticket of a grid that is no longer theirs (moved to the next grid, say)
    sees it on the board and its page, as 我的工单 lists it in chat, but not what the resident wrote:
    chat's 查询 does not show it to them either."""
    rig = await make_rig(roster=two_streets())
    words = "9号楼门口的路灯不亮了，我家502室电话13912345678"
    no = await rig.file(words, chat=PLACES["own"][0])
    async with rig.bot.db.transaction() as session:
        ticket = await ticket_store.get_ticket(session, no)
        assert ticket is not None
        ticket.assignee_id = "p-gw-baxianlou-2"  # the worker of the other grid
        session.add(ticket)
    assert not any("路灯" in m.text for m in await rig.say("gw-baxianlou-2", f"查询 {no}"))
    browser = await rig.as_user("gw-baxianlou-2")
    board = await browser.get("/console/tickets")
    page = await browser.get(f"/console/tickets/{no}")
    assert f'data-testid="row-{no}"' in board.text and page.status == 200
    for html in (board.text, page.text):
        assert "路灯" not in html and "1391" not in html
    assert 'data-testid="masked"' in page.text and offered(page.text) == set()
    status, body, _headers = await browser.get_bytes("/console/tickets.xlsx")
    [row] = load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True)
    assert status == 200 and row[0] == no and not any("路灯" in str(cell or "") for cell in row)


async def test_a_community_taken_off_the_roster_stays_with_its_street_in_chat_and_console(
        make_rig: RigFactory) -> None:
    """Its open tickets still belong to the street above it: the street secretary sees their words with
    查询 and on the console board and page alike (the console once walked only the active units)."""
    rig = await make_rig(roster=two_streets())
    words = "4号楼门口的路灯不亮了，晚上很黑"
    no = await rig.file(words, chat=PLACES["other street"][0])
    roster = two_streets()
    gone = {"c-dongmen", "g-dongmen-1"}
    smaller = replace(roster, units=[u for u in roster.units if u.id not in gone],
                      people=[p for p in roster.people if p.unit_id not in gone],
                      chats=[c for c in roster.chats if c.unit_id not in gone])
    async with rig.bot.db.transaction() as session:
        await replace_roster(session, smaller)
    assert any(words in m.text for m in await rig.say("ss-dongmen", f"查询 {no}"))
    browser = await rig.as_user("ss-dongmen")
    assert f'data-testid="row-{no}"' in (await browser.get("/console/tickets")).text
    assert words in (await browser.get(f"/console/tickets/{no}")).text
