"""The permission matrix: every ticket command × every role × where the ticket is (the actor's own
grid, another grid of the same community, another community of the same street, another street).
An action is allowed when it leaves an audit event on the ticket; 查询 shows details only to
those who may act. Duty records (不在岗, 谈话) and listings (工单) are checked the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from bot.events import OutboundMessage
from storage.models import CheckIn, Ticket, TicketEvent
from tests.conftest import Harness, local
from tests.two_streets import streets, two_streets  # noqa: F401 (fixture)

# where the ticket is, seen from actors stationed in 八仙楼社区 (grid 1) of 五马街道
PLACES = {"own": ("demo-baxianlou-1", "gw-baxianlou-1"), "other grid": ("demo-baxianlou-2", "gw-baxianlou-2"),
          "other community": ("demo-bailifang-1", "gw-bailifang-1"),
          "other street": ("demo-dongmen-1", "gw-dongmen-1")}
ACTORS = {"resident": "resident-q", "grid_worker": "gw-baxianlou-1", "cadre": "cadre-baxianlou",
          "sunk_cadre": "baolian-baxianlou", "community_secretary": "sec-baxianlou",
          "street_secretary": "street-secretary", "department_liaison": "dept-jiaotong"}
COMMUNITY_OF = {"own": "c-baxianlou", "other grid": "c-baxianlou", "other community": "c-bailifang",
                "other street": "c-dongmen"}
WITHIN_COMMUNITY = {"own", "other grid"}
WITHIN_STREET = {"own", "other grid", "other community"}
EVERYWHERE = set(PLACES)

# command → (text after the number, the set-up by the ticket's own grid worker, who may: role → places)
COMMANDS: dict[str, tuple[str, tuple[str, ...], dict[str, set[str]]]] = {
    "受理": ("", (), {"grid_worker": {"own"}, "cadre": WITHIN_COMMUNITY}),
    "到场": ("", (), {"grid_worker": {"own"}, "cadre": WITHIN_COMMUNITY}),
    "办结": (" 已更换灯泡", ("受理",), {"grid_worker": {"own"}, "cadre": WITHIN_COMMUNITY}),
    "吹哨": (" 住建", (), {"grid_worker": {"own"}, "cadre": WITHIN_COMMUNITY}),
    "转派": (" {cadre}", (), {"grid_worker": {"own"}, "cadre": WITHIN_COMMUNITY}),
    "延期": (" 2天 等待配件", (), {"grid_worker": {"own"}, "cadre": WITHIN_COMMUNITY}),
    "核查": (" 通过", ("受理", "办结 {no} 已修好"), {"community_secretary": WITHIN_COMMUNITY,
                                              "street_secretary": WITHIN_STREET}),
    "结案": (" 已电话答复居民", (), {"community_secretary": WITHIN_COMMUNITY, "street_secretary": WITHIN_STREET}),
    "报到": ("", ("吹哨 {no} 交通运输",), {"department_liaison": EVERYWHERE}),
    "反馈": (" 已协调公交公司", ("吹哨 {no} 交通运输",), {"department_liaison": EVERYWHERE}),
    "补充": (" 晚上更暗", (), {}),  # only the reporter
    "撤回": ("", (), {}),
    "评价": (" 满意", ("受理", "办结 {no} 已修好"), {}),
}
# who sees a ticket's details with 查询 (the resident's words): its handlers and secretaries
DETAILS = {"grid_worker": {"own"}, "cadre": WITHIN_COMMUNITY, "sunk_cadre": WITHIN_COMMUNITY,
           "community_secretary": WITHIN_COMMUNITY, "street_secretary": WITHIN_STREET}


class Tickets:
    """Fresh tickets in each place, filed 73 hours apart so none joins another as a duplicate."""

    def __init__(self, harness: Harness) -> None:
        self.harness, self.n = harness, 0
        harness.clock.set(local(2026, 11, 2, 9, 0))
        cadres = {p.unit_id: p.name for p in two_streets().people if p.role == "cadre"}
        self.cadre_of = {place: cadres[community] for place, community in COMMUNITY_OF.items()}

    async def new(self, place: str, setup: tuple[str, ...] = ()) -> tuple[str, str]:
        chat, worker = PLACES[place]
        self.n += 1
        self.harness.clock.advance(timedelta(hours=73))
        text = f"{self.n}号楼门口的路灯不亮了，晚上很黑"
        out = await self.harness.say(f"reporter-{self.n}", text, chat=chat)
        no = next(m.ticket for m in out if m.ticket)
        assert no is not None
        for step in setup:
            await self.harness.say(worker, step.format(no=no) if "{no}" in step else f"{step} {no}")
        return no, text

    async def events(self, no: str) -> int:
        async with self.harness.app.db.session() as s:
            ticket = (await s.exec(select(Ticket).where(Ticket.no == no))).one()
            return (await s.exec(select(func.count()).where(TicketEvent.ticket_id == ticket.id))).one()


@pytest.mark.parametrize("command", list(COMMANDS))
async def test_ticket_commands_by_role_and_place(streets: Harness, command: str) -> None:  # noqa: F811
    tickets = Tickets(streets)
    tail, setup, expected = COMMANDS[command]
    allowed: dict[tuple[str, str], bool] = {}
    for place in PLACES:
        no, _text = await tickets.new(place, setup)
        for role, actor in ACTORS.items():
            before = await tickets.events(no)
            await streets.say(actor, f"{command} {no}{tail.format(cadre=tickets.cadre_of[place])}")
            allowed[role, place] = await tickets.events(no) > before
            if allowed[role, place]:
                no, _text = await tickets.new(place, setup)
    want = {(role, place): place in expected.get(role, set()) for role in ACTORS for place in PLACES}
    wrong = {key: ("allowed" if got else "refused") for key, got in allowed.items() if got != want[key]}
    assert not wrong, f"{command}: {wrong}"


async def test_only_the_reporter_may_add_withdraw_and_rate(streets: Harness) -> None:  # noqa: F811
    tickets = Tickets(streets)
    no, _text = await tickets.new("own", ("受理", "办结 {no} 已修好"))
    reporter = f"reporter-{tickets.n}"
    for text in (f"补充 {no} 晚上更暗", f"评价 {no} 满意"):
        before = await tickets.events(no)
        await streets.say(reporter, text)
        assert await tickets.events(no) > before, text


async def test_query_shows_details_only_to_who_may_act(streets: Harness) -> None:  # noqa: F811
    tickets = Tickets(streets)
    wrong = {}
    for place in PLACES:
        no, text = await tickets.new(place)
        for role, actor in ACTORS.items():
            for chat in (None, PLACES["own"][0]):
                out: list[OutboundMessage] = await streets.say(actor, f"查询 {no}", chat=chat)
                assert any(no in m.text for m in out), (role, place)  # everyone learns it exists
                assert not any(text in m.text for m in out if m.chat_id), (role, place)  # never in a group
                shown = any(text in m.text for m in out)
                if shown != (place in DETAILS.get(role, set())):
                    wrong[role, place, chat] = shown
    assert not wrong


async def test_a_department_acts_only_on_what_was_whistled_to_it(streets: Harness) -> None:  # noqa: F811
    tickets = Tickets(streets)
    no, text = await tickets.new("other street", ("吹哨 {no} 交通运输",))
    for liaison, may in (("dept-zhujian", False), ("dept-jiaotong", True)):
        before = await tickets.events(no)
        out = await streets.say(liaison, f"报到 {no}")
        assert (await tickets.events(no) > before) is may, liaison
        out = await streets.say(liaison, f"查询 {no}")
        assert any(text in m.text for m in out) is may, liaison


async def test_secretaries_list_only_the_tickets_of_their_own_units(streets: Harness) -> None:  # noqa: F811
    tickets = Tickets(streets)
    numbers = {place: (await tickets.new(place))[0] for place in PLACES}
    for actor, sees in (("sec-baxianlou", WITHIN_COMMUNITY), ("street-secretary", WITHIN_STREET),
                        ("ss-dongmen", {"other street"}), ("sec-dongmen", {"other street"})):
        [listing] = await streets.say(actor, "工单")
        assert {place for place, no in numbers.items() if no in listing.text} == sees, actor
    out = await streets.say("sec-baxianlou", "工单", chat="demo-baxianlou-1")  # staff business: privately
    assert out and all(m.chat_id is None for m in out)


@pytest.mark.parametrize("command", ["不在岗", "谈话"])
async def test_red_line_and_talk_records_only_for_cadres_of_ones_own_units(
        streets: Harness, command: str) -> None:  # noqa: F811
    streets.clock.set(local(2026, 11, 3, 10, 0))
    cadres = {p.unit_id: p.name for p in two_streets().people if p.role == "cadre"}
    targets = {"own": cadres["c-baxianlou"], "other community": cadres["c-bailifang"],
               "other street": cadres["c-dongmen"]}
    expected = {"community_secretary": {"own"}, "street_secretary": {"own", "other community"}}
    wrong = {}
    for role, actor in ACTORS.items():
        for place, name in targets.items():
            async with streets.app.db.session() as s:
                before = (await s.exec(select(func.count()).select_from(CheckIn)
                                       .where(col(CheckIn.kind).in_(["absence", "talk"])))).one()
            await streets.say(actor, f"{command} {name}")
            async with streets.app.db.session() as s:
                after = (await s.exec(select(func.count()).select_from(CheckIn)
                                      .where(col(CheckIn.kind).in_(["absence", "talk"])))).one()
            if (after > before) != (place in expected.get(role, set())):
                wrong[role, place] = after > before
    assert not wrong
