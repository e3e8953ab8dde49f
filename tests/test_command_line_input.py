"""What people hand the command line is checked before anything runs, one line per problem and no
traceback: a transcript's times outside 2000–2100, deep JSON and messages no door would take (each
`file:line: reason`), and absurd dates given to `schedule list` and `report`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.replay import TranscriptError, read_transcript
from tests.conftest import TZ


def problems(tmp_path: Path, *lines: str) -> list[str]:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TranscriptError) as err:
        read_transcript(transcript, TZ)
    return err.value.problems


def say(at: str, **fields: object) -> str:
    return json.dumps({"at": at, "user": "resident-wang", "text": "帮助"} | fields, ensure_ascii=False)


def test_times_far_from_now_are_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, say("0001-01-01T00:00:00+08:00"), '{"at": "9999-12-31T23:59:59", "tick": true}',
                     say("2026-12-01T09:00:00+08:00"))
    assert found == ['t.jsonl:1: "at" 0001-01-01 is outside 2000–2100',
                     't.jsonl:2: "at" 9999-12-31 is outside 2000–2100']


def test_deep_json_is_one_line(tmp_path: Path) -> None:
    [found] = problems(tmp_path, "[" * 5000 + "]" * 5000)
    assert found == "t.jsonl:1: JSON nested deeper than 32 levels"
    [found] = problems(tmp_path, '{"at": "2026-12-01T09:00:00+08:00", "user": "u", "text": ' + "[" * 3000 + "]" * 3000
                       + "}")
    assert "nested deeper" in found


@pytest.mark.parametrize(("fields", "says"), [
    ({"user": "u" * 200}, "user_id"),
    ({"chat": "c" * 129}, "chat_id"),
    ({"msg_id": "m" * 300}, "msg_id"),
    ({"user_name": 12}, "user_name"),
    ({"platform": "p" * 40}, "platform"),
    ({"text": "长" * 4001}, "4000"),
])
def test_messages_no_door_would_take_are_refused(tmp_path: Path, fields: dict[str, object], says: str) -> None:
    [found] = problems(tmp_path, say("2026-12-01T09:00:00+08:00", **fields))
    assert found.startswith("t.jsonl:1: ") and says in found


def test_nul_in_text_is_cleaned_as_at_every_door(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text(say("2026-12-01T09:00:00+08:00", text="电梯\u0000坏了") + "\n", encoding="utf-8")
    [step] = read_transcript(transcript, TZ)
    assert step.message is not None and step.message.text == "电梯坏了"


def test_the_command_line_says_it_in_one_line_per_problem(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text(say("9999-01-01T00:00:00") + "\n" + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["replay", str(transcript)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "t.jsonl:1:" in result.output and "t.jsonl:2:" in result.output


@pytest.mark.parametrize("args", [
    ["schedule", "list", "--from", "0001-01-01", "--to", "0001-01-31", "--roster", "demo"],
    ["schedule", "list", "--from", "9999-12-01", "--to", "9999-12-31", "--roster", "demo"],
    ["schedule", "list", "--from", "2026-01-01", "--to", "2036-01-01", "--roster", "demo"],
    ["report", "monthly", "--cadre", "cadre-baxianlou", "--month", "9999-12", "--out", "x.xlsx"],
    ["report", "projects", "--year", "99999", "--out", "x.xlsx"],
])
def test_absurd_dates_on_the_command_line_are_one_line(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "2000" in result.output or "a year" in result.output
