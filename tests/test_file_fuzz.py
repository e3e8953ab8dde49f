"""Fuzzing the readers of files people hand the bot (rosters, transcripts) and of what every door
parses: whatever the bytes, the answer is a result or the reader's own one-line error — never
another exception (a traceback on the office's screen, a 500 at a callback)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.events import InboundMessage
from bot.replay import TranscriptError, read_transcript
from bot.roster import Roster, RosterError, decode, read_roster, write_roster
from bot.transport import limits
from tests.conftest import TZ

T = TypeVar("T")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADERS = {"units": "id,name,level,parent_id,households", "people": "id,name,role,unit_id,phone,im_user",
           "chats": "chat_id,unit_id,platform,name"}

cells = st.one_of(st.text(max_size=30), st.sampled_from(["street", "grid", "community", "cadre", "bridge", "", "-1",
                                                          "99999999999", '"', "\x00", "\r", "青山", "1e9"]))
rows = st.lists(st.lists(cells, min_size=0, max_size=8), max_size=6)


def csv_text(header: str, records: list[list[str]]) -> str:
    out = io.StringIO()
    out.write(header + "\n")
    for record in records:
        out.write(",".join(record) + "\n")
    return out.getvalue()


def attempt(read: Callable[[], T], error: type[Exception]) -> T | Exception:
    """What `read` returns, or the reader's own error (any other exception fails the test)."""
    try:
        return read()
    except error as exc:
        return exc


def one_line_each(outcome: object) -> None:
    """A refusal lists its problems, each on one line."""
    if isinstance(outcome, RosterError | TranscriptError):
        assert outcome.problems
        assert all(p and "\n" not in p for p in outcome.problems)


def read_folder(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            (Path(tmp) / f"{name}.csv").write_bytes(data)
        one_line_each(attempt(lambda: read_roster(Path(tmp)), RosterError))


@FAST
@given(units=rows, people=rows, chats=rows, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
def test_roster_csv_rows_of_any_kind(units: list[list[str]], people: list[list[str]], chats: list[list[str]],
                                     encoding: str) -> None:
    files = {}
    for name, records in (("units", units), ("people", people), ("chats", chats)):
        files[name] = csv_text(HEADERS[name], records).encode(encoding, errors="replace")
    read_folder(files)


@FAST
@given(garbage=st.binary(max_size=400), which=st.sampled_from(["units", "people", "chats"]))
def test_roster_csv_of_any_bytes(garbage: bytes, which: str) -> None:
    files = {name: (HEADERS[name] + "\n").encode() for name in HEADERS}
    files[which] = garbage
    read_folder(files)


@FAST
@given(data=st.binary(max_size=300))
def test_decode_names_an_encoding_or_says_why_not(data: bytes) -> None:
    outcome = attempt(lambda: decode(data), ValueError)
    if isinstance(outcome, ValueError):
        assert str(outcome)
        assert "\n" not in str(outcome)
    else:
        assert outcome[1] in {"UTF-8", "UTF-8 with BOM", "GBK", "GB18030"}


def _workbook_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.xlsx"
        write_roster(Roster(), path)
        return path.read_bytes()


WORKBOOK = _workbook_bytes()


@FAST
@given(cut=st.integers(min_value=0, max_value=len(WORKBOOK)), flips=st.lists(
    st.tuples(st.integers(min_value=0, max_value=len(WORKBOOK) - 1), st.integers(0, 255)), max_size=8))
def test_roster_xlsx_damaged_anywhere(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(WORKBOOK[:cut] if cut else WORKBOOK)
    for at, value in flips:
        if at < len(data):
            data[at] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        path.write_bytes(bytes(data))
        one_line_each(attempt(lambda: read_roster(path), RosterError))


@FAST
@given(parts=st.dictionaries(st.sampled_from(["xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml",
                                              "xl/_rels/workbook.xml.rels", "docProps/app.xml"]),
                             st.one_of(st.binary(max_size=200), st.sampled_from([
                                 b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
                                 b"<workbook/>", "<a>青山</a>".encode("utf-16")])), max_size=5))
def test_roster_xlsx_of_any_parts(parts: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        one_line_each(attempt(lambda: read_roster(path), RosterError))


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                     st.text(max_size=20)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                           max_leaves=12)
fields = st.fixed_dictionaries({}, optional={
    "at": st.one_of(st.sampled_from(["2026-12-01T09:00:00+08:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59",
                                     "2026-02-30", "yesterday"]), json_values),
    "user": st.one_of(st.text(max_size=200), json_values), "text": st.one_of(st.text(max_size=50), json_values),
    "chat": st.one_of(st.none(), st.text(max_size=150), json_values), "tick": json_values, "restart": json_values,
    "kind": st.one_of(st.sampled_from(["image", "voice", "sticker"]), json_values), "msg_id": json_values,
    "user_name": json_values, "platform": json_values, "mentions_bot": json_values,
})


@FAST
@given(lines=st.lists(st.one_of(fields.map(lambda d: json.dumps(d, ensure_ascii=False)), st.text(max_size=60),
                                st.integers(0, 3000).map(lambda n: "[" * n + "]" * n)), max_size=5))
def test_transcripts_of_any_lines(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        outcome = attempt(lambda: read_transcript(path, TZ), TranscriptError)
        one_line_each(outcome)
        if isinstance(outcome, TranscriptError):
            assert all(p.startswith(("t.jsonl:", str(path))) for p in outcome.problems)
        else:  # what it accepted, every door would accept as it is
            assert all(step.message is None or limits.checked(step.message) == step.message for step in outcome)


@FAST
@given(body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()),
                      st.integers(0, 3000).map(lambda n: b"[" * n + b"]" * n)))
def test_json_at_the_doors(body: bytes) -> None:
    outcome = attempt(lambda: limits.loads(body), limits.BadInput)
    assert not isinstance(outcome, limits.BadInput) or str(outcome)


@FAST
@given(msg_id=st.text(max_size=140), user=st.text(max_size=140), text=st.text(max_size=100),
       name=st.one_of(st.none(), st.text(max_size=120)), chat=st.one_of(st.none(), st.text(max_size=140)))
def test_checked_messages_fit_the_inbound_log(msg_id: str, user: str, text: str, name: str | None,
                                               chat: str | None) -> None:
    message = InboundMessage(platform="bridge", msg_id=msg_id, user_id=user, text=text, chat_id=chat, user_name=name)
    ok = attempt(lambda: limits.checked(message), limits.BadInput)
    if isinstance(ok, Exception):
        return
    assert len(ok.msg_id) <= 128 and len(ok.user_id) <= 128 and len(ok.chat_id or "") <= 128
    assert "\x00" not in ok.text and len(ok.user_name or "") <= 100 and "\x00" not in (ok.user_name or "")
    ok.text.encode("utf-8")
