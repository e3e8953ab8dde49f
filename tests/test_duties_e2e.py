"""Duties end to end, as transcripts through `gridbot replay` and `gridbot schedule list`: a
cadre's month, a 5th on a holiday, a quarter-end ranking and a year of 谈心谈话."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import Out


def to(out: Out, user: str, *, kind: str | None = None) -> list[dict[str, object]]:
    return [o for o in out if o["user"] == user and (kind is None or o["kind"] == kind)]


def schedule(first: str, last: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(app, ["schedule", "list", "--from", first, "--to", last, "--roster", "demo"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_cadres_month_from_check_ins_to_a_confirmed_form(replay, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out, db = replay("cadre_month.jsonl")
    cadre = "cadre-baxianlou"
    replies = [str(o["text"]) for o in to(out, cadre, kind="reply")]
    assert "在社区工作 11 天" in replies[-5]  # running totals answer every check-in
    assert "空白" in replies[-2] and "党日主题" not in replies[-2].split("空白")[1]  # blanks listed before signing
    assert any("不计入夜访夜谈" in r for r in replies)  # a 16:00 "evening" visit does not count

    reminders = {(o["at"], str(o["text"]).split("\n")[0][:20]) for o in to(out, cadre, kind="reminder")}
    report = [o for o in to(out, cadre, kind="reminder") if "附件5" in str(o["text"])
              and "2026-11" in str(o["text"])]
    assert [o["at"] for o in report] == ["2026-12-01T09:05:00+08:00"]  # first working day; none after confirming
    assert not any("每月驻社区" in text and at >= "2026-11-25" for at, text in reminders)  # 10 days were met by then

    late = [str(o["text"]) for o in to(out, "street-secretary")
            if "2026-11" in str(o["text"]) and "附件5" in str(o["text"])]
    assert late and "叶国海" not in late[0] and "周军明" in late[0]  # the late list names those who did not confirm

    xlsx = tmp_path / "form5.xlsx"
    result = CliRunner().invoke(app, ["report", "monthly", "--cadre", cadre, "--month", "2026-11", "--out", str(xlsx),
                                      "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(xlsx)
    values = {row[0]: row[2] for row in book["数据"].iter_rows(min_row=2, values_only=True)}
    with sqlite3.connect(db) as conn:
        hours = conn.execute(
            "SELECT SUM((julianday(ended_at) - julianday(at)) * 24) FROM checkin WHERE kind = 'day'").fetchone()[0]
    assert values["hours"] == pytest.approx(hours, abs=0.05) == pytest.approx(93.5)
    assert (values["night_visits"], values["visits"], values["households"], values["contact_cards"]) == (2, 2, 8, 20)
    assert (values["party_lectures"], values["branch_committee"], values["joint_committee"]) == (1, 1, 1)
    assert values["party_day_theme"] == "学习全会精神" and values["party_attendance"] == 23
    sheet = book["附件5"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("在社区工作时间93.5小时，开展夜访夜谈活动2次" in t for t in texts)
    assert any("叶国海（2026-12-01 在网格通确认）" in t for t in texts)  # the signature line


def test_a_fifth_on_a_holiday() -> None:
    """2026-10-05 is in the National Day holiday and no working day lies between September's end
    and it: the report is due, and reminded, on the first working day after (8 October)."""
    planned = [p for p in schedule("2026-09-28", "2026-10-12") if p["duty"].startswith("monthly_report")
               and p["period"] == "2026-09"]
    reminders = {(p["at"][:10], p["duty"]) for p in planned if p["to"] == "cadre-baxianlou"}
    assert reminders == {("2026-10-08", "monthly_report.r1")}
    late = [p for p in planned if p["duty"] == "monthly_report.late"]
    assert [p["at"][:10] for p in late] == ["2026-10-09"] and late[0]["to"] == "street-secretary"
    # 2026-12-05 is a Saturday: the date stands and the last reminder is on Friday the 4th
    december = {p["at"][:10] for p in schedule("2026-12-01", "2026-12-08")
                if p["duty"].startswith("monthly_report.r") and p["to"] == "cadre-baxianlou"}
    assert december == {"2026-12-01", "2026-12-02", "2026-12-04"}


def test_schedule_list_prints_the_contract_fields_and_sends_nothing() -> None:
    planned = schedule("2026-11-30", "2026-12-01")
    assert planned and all(set(p) == {"at", "duty", "period", "to", "text"} for p in planned)
    assert planned == sorted(planned, key=lambda p: p["at"])
    assert not [p for p in planned if p["at"].startswith("2026-11-29")]


def test_the_quarter_ranking_goes_to_the_street_secretary(replay) -> None:  # type: ignore[no-untyped-def]
    out, _db = replay("quarter_ranking.jsonl")
    ranking = [str(o["text"]) for o in to(out, "street-secretary", kind="digest") if "2026年第三季度" in str(o["text"])]
    assert len(ranking) == 1
    lines = ranking[0].splitlines()
    assert lines[1].startswith("1. 张明平") and "14" in lines[1]  # the cadre who was there most ranks first
    assert lines[2].startswith("2. 蔡杰军")
    assert not [o for o in out if "2026年第三季度" in str(o["text"]) and o["user"] != "street-secretary"
                and o["kind"] == "digest" and "排名" in str(o["text"])]


def test_a_year_of_heart_to_heart_talks(replay) -> None:  # type: ignore[no-untyped-def]
    out, _db = replay("talks_year.jsonl")
    talks = [o for o in to(out, "street-secretary", kind="reminder") if "谈心谈话" in str(o["text"])]
    assert [o["at"][:10] for o in talks] == ["2026-07-01"]  # none on 10-08: everyone was talked with
    missing = str(talks[0]["text"])
    assert all(name in missing for name in ("周军明", "蔡芳春", "叶敏华", "张春玲"))
    assert "叶国海" not in missing
    refused = [str(o["text"]) for o in to(out, "street-secretary", kind="reply") if "王不存在" in str(o["text"])]
    assert refused and "不是您辖区的驻社区干部" in refused[0]  # nothing said of the roster beyond the area


def test_the_two_days_a_week_rule_reminds_the_liaison_cadres_only() -> None:
    """包联干部 (sunk_cadre) owe 2 working days a week; stationed cadres owe 10 a month instead."""
    thursday = [p for p in schedule("2026-11-26", "2026-11-26") if p["duty"].startswith("baolian_days")]
    assert sorted(p["to"] for p in thursday) == ["baolian-bailifang", "baolian-baxianlou"]
    assert all(p["at"] == "2026-11-26T10:00:00+08:00" for p in thursday)


def test_the_quarterly_party_lecture_is_announced_at_the_quarters_start() -> None:
    year = schedule("2026-01-01", "2026-12-31")
    first = sorted({p["at"][:10] for p in year if p["duty"] == "party_lecture.r1"})
    assert first == ["2026-01-04", "2026-04-01", "2026-07-01", "2026-10-08"]  # 1 Jan, 1 Oct are holidays
