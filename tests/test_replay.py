"""`gridbot replay`: transcripts through the real pipeline on a simulated clock."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.replay import TranscriptError, read_transcript
from tests.conftest import TZ


def run(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(app, ["replay", *args])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines, result.output


def test_foundation_transcript(repo_root: Path) -> None:
    code, out, text = run(str(repo_root / "tests/transcripts/foundation.jsonl"))
    assert code == 0, text
    duty = [o for o in out if o["kind"] in ("reminder", "digest") and o["user"] != "admin"]
    assert duty and all(o["at"] >= "2026-11-02T08:30" for o in duty)  # duties and digests, in office hours
    out = [o for o in out if o not in duty]
    assert [(o["at"], o["chat"], o["user"], o["kind"]) for o in out] == [
        ("2026-11-02T08:00:00+08:00", "demo-baxianlou-1", "resident-7", "reply"),  # help: a pointer
        ("2026-11-02T08:00:00+08:00", None, "resident-7", "reply"),  # and the list, privately
        ("2026-11-02T08:01:00+08:00", None, "cadre-baxianlou", "reply"),  # who am I
        ("2026-11-02T08:02:00+08:00", "demo-baxianlou-1", "resident-7", "reply"),  # unknown command
        ("2026-11-02T08:02:00+08:00", None, "resident-7", "reply"),
        ("2026-11-02T08:03:00+08:00", "demo-baxianlou-1", "resident-7", "reply"),  # retried: once
        ("2026-11-02T08:03:00+08:00", None, "resident-7", "reply"),
        ("2026-11-02T09:00:00+08:00", None, "admin", "reminder"),  # jobs ran as the clock moved
        ("2026-11-09T09:00:00+08:00", None, "admin", "reminder"),
    ]
    assert out[0]["text"] == out[3]["text"] == "已私信回复您。"
    assert "居民" in str(out[1]["text"])
    assert "驻社区干部" in str(out[2]["text"])
    assert out[4]["text"] == "没有“开门”这个命令。发送“帮助”查看可以使用的命令。"
    assert all(o["ticket"] is None and o["files"] == [] for o in out)


def test_malformed_lines_are_all_named_and_nothing_runs(tmp_path: Path) -> None:
    transcript = tmp_path / "bad.jsonl"
    transcript.write_text(
        "\n".join([
            '{"at": "2026-12-01T09:00:00+08:00", "chat": "demo-baxianlou-1", "user": "r1", "text": "帮助"}',
            '{"at": "2026-12-01T09:01:00+08:00", "user": "r1", "text": "帮助"',
            '{"at": "yesterday", "user": "r1", "text": "x"}',
            '{"at": "2026-12-01T09:02:00+08:00", "user": "r1"}',
            '{"at": "2026-12-01T08:00:00+08:00", "user": "r1", "text": "early"}',
            '{"at": "2026-12-01T09:03:00+08:00", "user": "r1", "text": "x", "colour": "red"}',
            '["not", "an", "object"]',
        ]) + "\n",
        encoding="utf-8",
    )
    db_file = tmp_path / "r.db"
    code, out, text = run(str(transcript), "--db", f"sqlite:///{db_file}")
    assert code == 1 and out == []
    for expected in (
        "bad.jsonl:2: not valid JSON",
        "bad.jsonl:3: \"at\" is not an ISO 8601 time: 'yesterday'",
        'bad.jsonl:4: "text" must be a non-empty string',
        "bad.jsonl:5: time goes backwards",
        "bad.jsonl:6: unknown field(s) colour",
        "bad.jsonl:7: each line must be a JSON object",
    ):
        assert expected in text, text
    assert not db_file.exists()  # nothing half-written


def test_replay_into_a_database_keeps_the_log(tmp_path: Path, repo_root: Path) -> None:
    db_file = tmp_path / "keep.db"
    code, out, _ = run(str(repo_root / "tests/transcripts/foundation.jsonl"), "--db",
                       f"sqlite:///{db_file}", "--roster", "demo")
    assert code == 0 and len([o for o in out if o["kind"] == "reply" or o["user"] == "admin"]) == 9
    with sqlite3.connect(db_file) as conn:
        (count,) = conn.execute("SELECT count(*) FROM inbound_log").fetchone()
    assert count == 5  # six message lines, one of them a retry


def test_naive_times_are_read_in_the_configured_zone(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text('{"at": "2026-12-01T09:00:00", "tick": true}\n', encoding="utf-8")
    [step] = read_transcript(transcript, TZ)
    assert step.at.utcoffset() is not None and step.at.hour == 9 and step.message is None


def test_a_tick_takes_no_message_fields(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    line = '{"at": "2026-12-01T09:00:00+08:00", "tick": true, "text": "x"}\n'
    transcript.write_text(line, encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"t\.jsonl:1: a tick line takes only at and tick"):
        read_transcript(transcript, TZ)


def test_a_bad_roster_stops_the_replay(tmp_path: Path, repo_root: Path) -> None:
    code, out, text = run(str(repo_root / "tests/transcripts/foundation.jsonl"), "--roster",
                          str(repo_root / "tests/fixtures/roster_bad"))
    assert code == 1 and out == [] and "people.csv:3" in text


def test_pictures_get_one_hint_per_series_and_none_in_the_group(tmp_path: Path) -> None:
    transcript = tmp_path / "pictures.jsonl"
    lines = [
        {"at": "2026-12-01T09:00:00+08:00", "user": "resident-wang", "kind": "image"},
        {"at": "2026-12-01T09:01:00+08:00", "user": "resident-wang", "kind": "image"},  # same series: silent
        {"at": "2026-12-01T09:02:00+08:00", "user": "resident-wang", "kind": "image", "text": ""},
        {"at": "2026-12-01T09:03:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-li", "kind": "image"},
        {"at": "2026-12-01T09:20:00+08:00", "user": "resident-wang", "kind": "video"},  # a new series
        {"at": "2026-12-01T09:21:00+08:00", "user": "resident-wang", "kind": "sticker"},
    ]
    transcript.write_text("\n".join(json.dumps(line) for line in lines[:-1]) + "\n", encoding="utf-8")
    code, out, text = run(str(transcript))
    assert code == 0, text
    answers = [(o["at"], o["chat"], o["user"]) for o in out if o["kind"] == "reply"]
    assert answers == [("2026-12-01T09:00:00+08:00", None, "resident-wang"),
                       ("2026-12-01T09:20:00+08:00", None, "resident-wang")]
    assert all("文字" in str(o["text"]) for o in out if o["kind"] == "reply")
    transcript.write_text(json.dumps(lines[-1]) + "\n", encoding="utf-8")
    code, out, text = run(str(transcript))
    assert code == 1 and "kind" in text
