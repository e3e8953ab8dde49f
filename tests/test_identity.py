"""Identity is per platform: a roster person is recognised only where their id is bound — the
WeCom userid in `im_user` (WeCom app and smart robot, demo, replay), other platforms through the
`other_ids` column (`bridge:…;mp:…`). A bridge sender whose id merely equals a staff id is a
resident."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.demo_roster import demo_roster
from bot.roster import Roster, RosterError, parse_other_ids, read_roster, validate, write_roster
from storage import migrate
from storage.db import Database
from storage.roster_store import find_member, load_roster, replace_roster
from tests.conftest import Harness, local


def _with_other_ids(roster: Roster) -> Roster:
    people = [replace(p, other_ids=(("bridge", "wxid_q81kd"), ("mp", "oZk3-secr"))) if p.id == "p-sec-gulou"
              else p for p in roster.people]
    return replace(roster, people=people)


def test_other_ids_are_platform_id_pairs() -> None:
    assert parse_other_ids(" bridge:wxid_q81kd ; mp:oZk3-secr;") == (
        (("bridge", "wxid_q81kd"), ("mp", "oZk3-secr")), [])
    assert parse_other_ids("") == ((), [])
    _pairs, problems = parse_other_ids("wxid_only;wecom_app:x;bridge:")
    assert problems == [
        "other_ids 'wxid_only' is not platform:id",
        "other_ids platform 'wecom_app' is not one of bridge, mp, wecom_kf (the WeCom id goes in im_user)",
        "other_ids 'bridge:' is not platform:id",
    ]


def test_an_other_id_belongs_to_one_person() -> None:
    roster = _with_other_ids(demo_roster())
    people = [replace(p, other_ids=(("bridge", "wxid_q81kd"),)) if p.id == "p-cadre-gulou" else p
              for p in roster.people]
    problems = validate(replace(roster, people=people))
    assert any("other_ids bridge:wxid_q81kd already belongs to 'p-sec-gulou'" in p for p in problems)


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_other_ids_round_trip_and_an_old_roster_without_the_column_still_reads(tmp_path: Path, suffix: str) -> None:
    roster = _with_other_ids(demo_roster())
    write_roster(roster, tmp_path / f"r{suffix}")
    assert read_roster(tmp_path / f"r{suffix}") == roster
    if not suffix:  # an older roster without the column
        people = tmp_path / "r" / "people.csv"
        lines = people.read_text(encoding="utf-8").splitlines()
        people.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
        assert read_roster(tmp_path / "r") == demo_roster()


def test_a_bad_other_ids_cell_is_named_with_its_line(tmp_path: Path) -> None:
    write_roster(demo_roster(), tmp_path / "r")
    people = tmp_path / "r" / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3] + "qq:12345"
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(tmp_path / "r")
    assert err.value.problems == ["people.csv:4: other_ids platform 'qq' is not one of bridge, mp, wecom_kf "
                                  "(the WeCom id goes in im_user)"]


async def test_find_member_matches_only_the_platform_the_id_is_bound_to(db_url: str) -> None:
    db = Database(db_url)
    await migrate.upgrade(db.engine)
    try:
        async with db.transaction() as s:
            await replace_roster(s, _with_other_ids(demo_roster()))
        async with db.session() as s:
            for platform in (None, "wecom_app", "wecom_robot", "demo"):
                member = await find_member(s, "sec-gulou", platform)
                assert member is not None and member.person_id == "p-sec-gulou"
            assert await find_member(s, "sec-gulou", "bridge") is None  # equal to a WeCom id: a resident
            assert await find_member(s, "sec-gulou", "mp") is None
            assert (await find_member(s, "wxid_q81kd", "bridge")).person_id == "p-sec-gulou"  # type: ignore[union-attr]
            assert (await find_member(s, "oZk3-secr", "mp")).person_id == "p-sec-gulou"  # type: ignore[union-attr]
            assert await find_member(s, "wxid_q81kd", "mp") is None
            assert await find_member(s, "wxid_q81kd", "wecom_app") is None
            assert await load_roster(s) == _with_other_ids(demo_roster()).canonical()
    finally:
        await db.dispose()


async def test_a_bridge_user_with_a_secretarys_wecom_id_cannot_close_a_ticket(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 4, 9, 0))
    out = await harness.say("resident-n", "鼓楼社区7号楼门口的路灯不亮了", chat="demo-gulou-1")
    no = next(m.ticket for m in out if m.ticket)
    await harness.say("sec-gulou", f"结案 {no} 已转物业处理", platform="bridge")
    async with harness.app.db.session() as s:
        from storage.ticket_store import get_ticket
        ticket = await get_ticket(s, no)  # type: ignore[arg-type]
    assert ticket is not None and ticket.state == "reported"
    await harness.say("sec-gulou", f"结案 {no} 已转物业处理")  # the same id on the demo (WeCom) platform: the secretary
    async with harness.app.db.session() as s:
        ticket = await get_ticket(s, no)  # type: ignore[arg-type]
    assert ticket is not None and ticket.state == "closed"
