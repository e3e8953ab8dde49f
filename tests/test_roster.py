"""Roster files: CSV folder and xlsx, every bad row named by file and line, exact round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.demo_roster import COMMUNITIES, DEPARTMENTS, demo_roster
from bot.roster import Roster, RosterError, Unit, read_roster, validate, write_roster


def test_demo_roster_is_complete_and_valid() -> None:
    roster = demo_roster()
    assert validate(roster) == []
    communities = [u for u in roster.units if u.level == "community"]
    grids = [u for u in roster.units if u.level == "grid"]
    assert [c.name for c in communities] == [f"{name}社区" for name, _ in COMMUNITIES]
    assert len(communities) == 14 and len(grids) == 28 and len(roster.chats) == 28
    assert {c.name for c in communities} >= {"八仙楼社区", "黎明西路社区"}
    roles = [p.role for p in roster.people]
    assert roles.count("cadre") == 14 and roles.count("community_secretary") == 14
    assert roles.count("grid_worker") == 28 and roles.count("street_secretary") == 1
    assert roles.count("department_liaison") == len(DEPARTMENTS) == 12
    assert all(300 <= (g.households or 0) <= 500 for g in grids)
    assert len({p.name for p in roster.people}) == len(roster.people)
    assert all(p.phone and p.phone.startswith("1380000") for p in roster.people)


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_round_trip_is_exact(tmp_path: Path, suffix: str) -> None:
    roster = demo_roster()
    path = tmp_path / f"roster{suffix}"
    write_roster(roster, path)
    again = read_roster(path)
    assert again == roster
    write_roster(again, tmp_path / f"second{suffix}")
    if not suffix:
        for name in ("units", "people", "chats"):
            assert (path / f"{name}.csv").read_bytes() == (tmp_path / "second" / f"{name}.csv").read_bytes()


def test_xlsx_has_three_sheets_with_the_documented_columns(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    write_roster(demo_roster(), path)
    book = load_workbook(path, read_only=True)
    headers = {name: [c.value for c in next(book[name].iter_rows(max_row=1))] for name in book.sheetnames}
    book.close()
    assert headers == {
        "units": ["id", "name", "level", "parent_id", "households"],
        "people": ["id", "name", "role", "unit_id", "phone", "im_user", "other_ids"],
        "chats": ["chat_id", "unit_id", "platform", "name"],
    }


def test_every_bad_row_is_reported_with_file_line_and_reason(repo_root: Path) -> None:
    with pytest.raises(RosterError) as err:
        read_roster(repo_root / "tests/fixtures/roster_bad")
    problems = err.value.problems
    expected = [
        "units.csv:5: households 'abc' is not a whole number",
        "units.csv:6: parent_id 'c-nowhere' is not a unit in this roster",
        "units.csv:7: level 'village' is not one of",
        "people.csv:3: role 'secretary' is not one of",
        "people.csv:4: phone '12345' is not a mobile or landline number",
        "people.csv:5: im_user 'cadre-a' already belongs to 'p1'",
        "people.csv:6: name differs from people.csv:2 for the same person 'p1'",
        "people.csv:6: duplicate row for p1 as cadre in c-a",
        "people.csv:7: a department_liaison cannot belong to a community",
        "chats.csv:2: platform 'wechat' is not one of",
        "chats.csv:3: a chat must be bound to a grid or community, not a street",
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), (line, problems)
    assert len(problems) == len(expected), problems


def test_missing_files_and_columns_are_named(tmp_path: Path, repo_root: Path) -> None:
    folder = tmp_path / "r"
    write_roster(demo_roster(), folder)
    (folder / "chats.csv").unlink()
    (folder / "people.csv").write_text("id,name,role,unit_id\n", encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(folder)
    assert err.value.problems == [
        "people.csv:1: missing column(s) phone, im_user",
        "chats.csv: missing",
    ]
    with pytest.raises(RosterError, match=r"not a folder of CSV files or an \.xlsx"):
        read_roster(tmp_path / "roster.txt")


def test_excel_quirks_are_tolerated(tmp_path: Path) -> None:
    """Phone numbers typed as numbers, a BOM, extra remark columns, blank lines."""
    folder = tmp_path / "r"
    write_roster(demo_roster(), folder)
    people = (folder / "people.csv").read_text(encoding="utf-8").splitlines()
    people[0] += ",备注"
    people.insert(3, "")
    (folder / "people.csv").write_text("\ufeff" + "\n".join(people) + "\n", encoding="utf-8")
    assert read_roster(folder) == demo_roster()

    book_path = tmp_path / "r.xlsx"
    write_roster(demo_roster(), book_path)
    book = load_workbook(book_path)
    book["people"]["E2"] = 13800000001  # Excel turned the phone into a number
    book["units"]["E5"] = 412.0
    book.save(book_path)
    roster = read_roster(book_path)
    assert roster.people[0].phone == "13800000001"
    assert roster.units[3].households == 412


def test_a_unit_cannot_be_its_own_ancestor() -> None:
    roster = demo_roster()
    units = [u for u in roster.units if u.id not in {"district", "wuma"}]
    units += [Unit("district", "示范区", "district"), Unit("wuma", "五马街道", "street", "wuma")]
    problems = validate(Roster(units, roster.people, roster.chats))
    assert any("its own ancestor" in p for p in problems)
