"""Roster files as street offices save them: UTF-8, UTF-8 with Excel's BOM and GBK / GB18030 CSV are
read (and the encoding named); every file that cannot be read is one line saying why, never a
traceback, through `gridbot roster check` too."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.roster import Roster, RosterError, Unit, read_roster, write_roster

# A fictional street of our own, with names that need more than ASCII (and a character outside GBK).
UNITS = ("id,name,level,parent_id,households\nst-qingshan,青山街道,street,,\n"
         "cm-hexi,河西社区,community,st-qingshan,860\ngd-hexi-1,河西社区第一网格,grid,cm-hexi,420\n")
PEOPLE = "id,name,role,unit_id,phone,im_user\nps-1,欧阳明,street_secretary,st-qingshan,13800001111,u-ouyang\n" \
         "ps-2,司马岚,grid_worker,gd-hexi-1,,u-sima\n"
CHATS = "chat_id,unit_id,platform,name\nroom-hexi-1,gd-hexi-1,bridge,河西一网格居民群\n"


def folder(tmp_path: Path, encoding: str, *, bom: bool = False, people: str = PEOPLE) -> Path:
    for name, text in (("units", UNITS), ("people", people), ("chats", CHATS)):
        data = text.replace("\n", "\r\n").encode(encoding)
        (tmp_path / f"{name}.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return tmp_path


def check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["roster", "check", str(path)])
    return result.exit_code, result.output


@pytest.mark.parametrize(("encoding", "bom", "named"), [
    ("utf-8", False, "UTF-8"), ("utf-8", True, "UTF-8 with BOM"), ("gbk", False, "GBK"),
])
def test_csv_in_each_encoding_offices_save(tmp_path: Path, encoding: str, bom: bool, named: str) -> None:
    roster = read_roster(folder(tmp_path, encoding, bom=bom))
    assert [u.name for u in roster.units] == ["青山街道", "河西社区", "河西社区第一网格"]
    assert roster.people[0].name == "欧阳明"
    assert roster.encodings == {"units.csv": named, "people.csv": named, "chats.csv": named}
    code, output = check(tmp_path)
    assert code == 0 and f"units.csv as {named}" in output and "ok: 3 units" in output


def test_gb18030_beyond_gbk_is_read_as_gb18030(tmp_path: Path) -> None:
    people = PEOPLE.replace("司马岚", "司马𠀀")  # a character GBK does not have
    roster = read_roster(folder(tmp_path, "gb18030", people=people))
    assert roster.people[1].name == "司马𠀀"
    assert roster.encodings["people.csv"] == "GB18030"


def test_neither_utf8_nor_gbk_is_named_not_mistaken_for_missing_columns(tmp_path: Path) -> None:
    folder(tmp_path, "utf-8")
    (tmp_path / "people.csv").write_bytes(PEOPLE.encode("utf-16-le"))
    with pytest.raises(RosterError) as err:
        read_roster(tmp_path)
    [problem] = err.value.problems
    assert problem.startswith("people.csv:?: ") and "missing column" not in problem
    (tmp_path / "people.csv").write_bytes(b"\xff\xfe" + PEOPLE.encode("utf-16-le"))
    code, output = check(tmp_path)
    assert code == 1 and "UTF-16" in output and "Traceback" not in output


@pytest.mark.parametrize(("cell", "says"), [
    ("长" * 140_000, "line"),  # over the csv module's field limit
    ("x" * 2000, "at most"),  # over what any roster column holds
    ("a\x00b", "control"),
])
def test_a_broken_cell_is_one_line(tmp_path: Path, cell: str, says: str) -> None:
    folder(tmp_path, "utf-8")
    (tmp_path / "people.csv").write_text(PEOPLE + f"ps-3,{cell},grid_worker,gd-hexi-1,,u-3\n", encoding="utf-8")
    code, output = check(tmp_path)
    assert code == 1 and says in output and "Traceback" not in output
    assert len([line for line in output.splitlines() if line.startswith("people.csv")]) == 1


def test_ids_longer_than_their_columns_are_refused_before_any_database_sees_them(tmp_path: Path) -> None:
    folder(tmp_path, "utf-8")
    (tmp_path / "chats.csv").write_text(CHATS + f"{'r' * 129},gd-hexi-1,bridge,群\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"chats.csv:3: chat_id: 129 characters; at most 128"):
        read_roster(tmp_path)


def test_absurd_households_are_refused(tmp_path: Path) -> None:
    folder(tmp_path, "utf-8")
    (tmp_path / "units.csv").write_text(UNITS + "gd-hexi-2,二网格,grid,cm-hexi,99999999\n", encoding="utf-8")
    with pytest.raises(RosterError, match="households must be 0 to 1,000,000"):
        read_roster(tmp_path)


def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "roster.xlsx"
    write_roster(Roster(units=[Unit("st-qingshan", "青山街道", "street")]), path)
    return path


def rezip(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename in change:
                if change[item.filename] is not None:
                    new.writestr(item.filename, change[item.filename])  # type: ignore[arg-type]
            else:
                new.writestr(item, old.read(item))
    return target


def entity_sheet(original: bytes) -> bytes:
    text = original.decode()
    head, _, rest = text.partition("?>")
    return (head + '?><!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>' + rest).encode()


def test_broken_workbooks_are_one_line_each(tmp_path: Path) -> None:
    good = workbook(tmp_path)
    with zipfile.ZipFile(good) as z:
        sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/"))
        original = z.read(sheet)
    not_zip = tmp_path / "old.xlsx"
    not_zip.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # an .xls renamed
    no_workbook = tmp_path / "nowb.xlsx"
    with zipfile.ZipFile(no_workbook, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    cases = {
        not_zip: "not a zip file",
        no_workbook: "no xl/workbook.xml",
        rezip(good, tmp_path / "entity.xlsx", {sheet: entity_sheet(original)}): "DOCTYPE",
        rezip(good, tmp_path / "garbage.xlsx", {sheet: b"<worksheet><sheetData><row>"}): "not a readable",
        rezip(good, tmp_path / "nostyles.xlsx", {"xl/workbook.xml": b"not xml at all"}): "not a readable",
    }
    for path, says in cases.items():
        code, output = check(path)
        assert code == 1, (path.name, output)
        assert says in output and "Traceback" not in output, (path.name, output)
        problems = [line for line in output.splitlines() if line.startswith(path.name)]
        assert len(problems) == 1, output


def test_an_empty_xlsx_file_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    code, output = check(empty)
    assert code == 1 and "not a zip file" in output


def test_a_workbook_with_a_damaged_part_is_one_line(tmp_path: Path) -> None:
    good = workbook(tmp_path)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        part = z.getinfo("xl/workbook.xml")
    start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)
    data[start + 2:start + 12] = b"\xff" * 10  # the deflate stream is garbage now
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    code, output = check(damaged)
    assert code == 1 and "Traceback" not in output
    assert len([line for line in output.splitlines() if line.startswith("damaged.xlsx")]) == 1
