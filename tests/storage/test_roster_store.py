"""Storing the roster: replace in one transaction, deactivate who left, look people up."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.demo_roster import demo_roster
from bot.roster import read_roster, write_roster
from storage import migrate
from storage.db import Database
from storage.models import Person
from storage.roster_store import find_chat, find_member, load_roster, replace_roster, roster_is_empty


async def _db(url: str) -> Database:
    db = Database(url)
    await migrate.upgrade(db.engine)
    return db


async def test_store_and_load_round_trip(db_url: str) -> None:
    db = await _db(db_url)
    try:
        async with db.session() as s:
            assert await roster_is_empty(s)
        async with db.transaction() as s:
            await replace_roster(s, demo_roster())
        async with db.session() as s:
            assert await load_roster(s) == demo_roster().canonical()
            member = await find_member(s, "cadre-baxianlou")
            place = await find_chat(s, "demo", "demo-baxianlou-2")
            assert await find_member(s, "resident-1") is None
            assert await find_chat(s, "bridge", "demo-baxianlou-2") is None
        assert member is not None and member.roles == {"cadre"}
        assert member.grants[0].unit_name == "八仙楼社区"
        assert place is not None
        assert (place.grid_id, place.community_id) == ("g-baxianlou-2", "c-baxianlou")
    finally:
        await db.dispose()


async def test_reimport_deactivates_who_left_and_moves_ids(db_url: str) -> None:
    db = await _db(db_url)
    roster = demo_roster()
    try:
        async with db.transaction() as s:
            await replace_roster(s, roster)
        # p-gw-baxianlou-1 leaves; their chat id now belongs to the admin who also becomes a grid worker
        people = [p for p in roster.people if p.id != "p-gw-baxianlou-1"]
        people = [replace(p, im_user="gw-baxianlou-1") if p.id == "p-admin" else p for p in people]
        admin = next(p for p in people if p.id == "p-admin")
        people.append(replace(admin, role="grid_worker", unit_id="g-baxianlou-1"))
        new = replace(roster, people=people)
        async with db.transaction() as s:
            await replace_roster(s, new)
        async with db.session() as s:
            gone = await s.get(Person, "p-gw-baxianlou-1")
            member = await find_member(s, "gw-baxianlou-1")
            assert await find_member(s, "admin") is None
            assert await load_roster(s) == new.canonical()
            active = (await s.exec(select(Person).where(Person.active))).all()
        assert gone is not None and not gone.active and gone.im_user is None
        assert member is not None and member.roles == {"admin", "grid_worker"}
        assert len(active) == len({p.id for p in roster.people}) - 1  # everyone but the one who left
    finally:
        await db.dispose()


def test_cli_import_export_and_a_bad_roster_imports_nothing(tmp_path: Path, repo_root: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path}/r.db"
    good = tmp_path / "good.xlsx"
    write_roster(demo_roster(), good)
    result = runner.invoke(app, ["roster", "import", str(good), "--db", url])
    assert result.exit_code == 0, result.output
    assert "56 units, 72 people (72 roles), 28 chats" in result.output

    bad = runner.invoke(app, ["roster", "import", str(repo_root / "tests/fixtures/roster_bad"), "--db", url])
    assert bad.exit_code == 1
    assert "people.csv:3: role 'secretary'" in bad.output

    out = tmp_path / "export"
    result = runner.invoke(app, ["roster", "export", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert read_roster(out) == demo_roster().canonical()  # the bad import changed nothing

    demo_csv = tmp_path / "demo"
    assert runner.invoke(app, ["roster", "export", str(demo_csv), "--roster", "demo"]).exit_code == 0
    assert runner.invoke(app, ["roster", "check", str(demo_csv)]).output.startswith("ok: 56 units")
