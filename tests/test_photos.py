"""Photos on tickets: the pairing rule (picture then words, words then picture, 补充 then a picture,
a handler's picture before or after 办结), what notices carry (never into a group), the
`resolve_photo_required` rule and the retention purge — through the real pipeline on SQLite and
PostgreSQL, with real pictures."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import text

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.demo_roster import demo_roster
from bot.events import OutboundMessage
from bot.export import write_export
from bot.replay import TranscriptError, outbound_json, read_transcript, run_transcript
from bot.transport.memory import MemoryTransport
from scheduler.jobs import photo_purge
from storage.export_store import ticket_rows
from storage.models import Platform
from tests.conftest import TRANSCRIPTS, TZ, local
from tests.photo_files import GPS_TAG, MAKE, phone_jpeg


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(None, database__url=db_url, media__dir=str(tmp_path / "media"),
                         files_dir=str(tmp_path / "files"))


@dataclass
class Played:
    out: list[dict[str, Any]]
    app: App
    clock: FakeClock

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        async with self.app.db.session() as session:
            connection = await session.connection()
            return [tuple(r) for r in (await connection.execute(text(sql))).all()]

    def to(self, user: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [o for o in self.out if o["user"] == user and o["chat"] is None and (kind is None or o["kind"] == kind)]


Play = Callable[..., Awaitable[Played]]


@pytest.fixture
async def play(settings: Settings) -> AsyncIterator[Play]:
    apps: list[App] = []

    async def run(lines: list[dict[str, Any]] | str, folder: Path | None = None,
                  settings_: Settings | None = None) -> Played:
        s = settings_ or settings
        if isinstance(lines, str):
            path = TRANSCRIPTS / lines
        else:
            assert folder is not None
            path = folder / "t.jsonl"
            path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", "utf-8")
        steps = read_transcript(path, s.tz)
        out: list[dict[str, Any]] = []

        def emit(message: OutboundMessage) -> None:
            if message.kind not in ("reminder", "digest"):
                out.append(outbound_json(message, s.tz))

        clock = FakeClock(steps[0].at)
        transports = {p.value: MemoryTransport(p.value, on_send=emit) for p in Platform}
        app = await build_app(s, clock, dict(transports), people_platform="demo", roster=demo_roster())
        apps.append(app)
        await run_transcript(app, clock, steps)
        return Played(out, app, clock)

    yield run
    for app in apps:
        await app.close()


def exif_free(path: str) -> bool:
    with Image.open(path) as image:
        exif = image.getexif()
        return not exif and "exif" not in image.info and image.format == "JPEG"


async def test_pictures_and_words_pair_into_reports_and_evidence(play: Play) -> None:
    played = await play("photos_on_tickets.jsonl")
    out = played.out
    group = [o for o in out if o["chat"] is not None]
    # a picture alone in a group is talk; the words after it are the report (one filing line)
    assert [o["at"][11:16] for o in group] == ["09:01"]
    assert all(o["files"] == [] for o in group)  # never a picture into a group

    # picture then words: the handler's and the cadre's notices of the new ticket carry it
    for user in ("gw-baxianlou-1", "cadre-baxianlou"):
        notice = next(o for o in played.to(user, "notice") if o["ticket"] == "261102-001")
        assert len(notice["files"]) == 1 and exif_free(notice["files"][0])
    # words then picture: the picture joins the ticket the words filed, and its handler is told
    later = [o for o in played.to("cadre-baxianlou", "notice") if o["at"].startswith("2026-11-02T09:32")]
    assert len(later) == 1 and later[0]["ticket"] == "261102-002" and len(later[0]["files"]) == 1
    # the handler's picture before 办结 goes to the reporter with the 办结 notice
    done = [o for o in played.to("resident-li", "notice") if "办结" in o["text"] or "已办结" in o["text"]]
    assert len(done) == 1 and len(done[0]["files"]) == 1 and exif_free(done[0]["files"][0])
    # ... and a picture right after 办结 follows it
    after = [o for o in played.to("resident-zhao", "notice") if o["at"].startswith("2026-11-02T11:02")]
    assert len(after) == 1 and after[0]["ticket"] == "261102-002" and after[0]["files"]
    # a picture alone in private: kept, and the sender is asked what is wrong
    last = played.to("resident-zhao", "reply")[-1]
    assert last["at"].startswith("2026-11-02T14:00") and last["files"] == [] and last["ticket"] is None

    rows = await played.rows(
        "SELECT t.no, p.role, p.user_id FROM photo p LEFT JOIN ticket t ON t.id = p.ticket_id ORDER BY p.id")
    assert rows == [
        ("261102-001", "report", "resident-li"),
        ("261102-002", "report", "resident-zhao"),
        ("261102-001", "evidence", "gw-baxianlou-1"),
        ("261102-002", "evidence", "cadre-baxianlou"),
        (None, None, "resident-zhao"),
    ]


async def test_the_handlers_photo_goes_to_the_original_reporter_only(play: Play, tmp_path: Path) -> None:
    """A neighbour whose report joined the ticket learns the outcome from fields: the photo of the
    work, like the handler's note, may show the first reporter's household."""
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "fixed.jpg").write_bytes((TRANSCRIPTS / "media" / "lamp_fixed.jpg").read_bytes())
    group = "demo-baxianlou-1"
    played = await play([
        {"at": "2026-11-03T08:00:00+08:00", "chat": group, "user": "resident-li", "text": "9号楼3单元楼道灯坏了"},
        {"at": "2026-11-03T08:20:00+08:00", "chat": group, "user": "resident-zhao", "text": "9号楼3单元楼道灯也不亮"},
        {"at": "2026-11-03T09:00:00+08:00", "user": "gw-baxianlou-1", "text": "受理 261103-001"},
        {"at": "2026-11-03T10:00:00+08:00", "user": "gw-baxianlou-1", "kind": "image", "media": "media/fixed.jpg"},
        {"at": "2026-11-03T10:01:00+08:00", "user": "gw-baxianlou-1", "text": "办结 261103-001 已换灯"},
        {"at": "2026-11-03T10:03:00+08:00", "user": "gw-baxianlou-1", "kind": "image", "media": "media/fixed.jpg"},
    ], tmp_path)
    assert [o["ticket"] for o in played.out if o["chat"] is not None] == ["261103-001", "261103-001"]  # joined
    first = [o for o in played.to("resident-li", "notice") if o["at"] >= "2026-11-03T10"]
    joined = [o for o in played.to("resident-zhao", "notice") if o["at"] >= "2026-11-03T10"]
    assert [len(o["files"]) for o in first] == [1, 1]  # with 办结, and the picture after it
    assert len(joined) == 1 and joined[0]["files"] == [] and "已换灯" not in joined[0]["text"]


async def test_words_long_after_a_picture_are_a_report_without_it(play: Play, tmp_path: Path) -> None:
    picture = tmp_path / "p.jpg"
    picture.write_bytes(phone_jpeg())
    played = await play([
        {"at": "2026-11-02T09:00:00+08:00", "user": "resident-q", "kind": "image", "media": str(picture)},
        {"at": "2026-11-02T09:30:00+08:00", "user": "resident-q", "text": "八仙楼社区3号楼电梯坏了"},
    ], tmp_path)
    notices = [o for o in played.out if o["kind"] == "notice"]
    assert notices and all(o["files"] == [] for o in notices)  # 30 minutes apart: not one report
    assert await played.rows("SELECT ticket_id FROM photo") == [(None,)]


async def test_another_persons_picture_is_not_paired(play: Play, tmp_path: Path) -> None:
    picture = tmp_path / "p.jpg"
    picture.write_bytes(phone_jpeg())
    played = await play([
        {"at": "2026-11-02T09:00:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-a", "kind": "image",
         "media": str(picture)},
        {"at": "2026-11-02T09:01:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-b",
         "text": "5号楼楼道灯不亮了"},
    ], tmp_path)
    assert all(o["files"] == [] for o in played.out)
    assert await played.rows("SELECT ticket_id, user_id FROM photo") == [(None, "resident-a")]


async def test_supplement_then_a_picture_adds_it(play: Play, tmp_path: Path) -> None:
    picture = tmp_path / "crack.jpg"
    picture.write_bytes(phone_jpeg(colour="grey"))
    played = await play([
        {"at": "2026-11-02T09:00:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-s",
         "text": "9号楼外墙裂缝很大，怕掉下来"},
        {"at": "2026-11-02T10:00:00+08:00", "user": "resident-s", "text": "补充 261102-001"},
        {"at": "2026-11-02T10:01:00+08:00", "user": "resident-s", "kind": "image", "media": str(picture)},
    ], tmp_path)
    assert await played.rows("SELECT p.role, t.no FROM photo p JOIN ticket t ON t.id = p.ticket_id") == [
        ("supplement", "261102-001")]
    handler = [o for o in played.to("gw-baxianlou-1", "notice") if o["at"].startswith("2026-11-02T10:01")]
    assert len(handler) == 1 and handler[0]["files"]


@pytest.mark.parametrize("picture_first", [True, False])
async def test_a_reporters_picture_reaches_the_same_people_whichever_comes_first(
        play: Play, tmp_path: Path, picture_first: bool) -> None:
    """补充 then a picture, or a picture then 补充 with words: the handler and the community's
    stationed cadre get it either way."""
    picture = tmp_path / "leak.jpg"
    picture.write_bytes(phone_jpeg(colour="blue"))
    photo = {"at": "2026-11-02T10:00:00+08:00", "user": "resident-s", "kind": "image", "media": str(picture)}
    words = {"at": "2026-11-02T10:01:00+08:00", "user": "resident-s", "text": "补充 261102-001 水已经流到楼道"}
    if not picture_first:
        photo["at"], words["at"] = words["at"], photo["at"]
        words["text"] = "补充 261102-001"
    played = await play([
        {"at": "2026-11-02T09:00:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-s",
         "text": "6号楼地下室管道漏水"},
        *sorted([photo, words], key=lambda line: line["at"]),
    ], tmp_path)
    got = {user for user in ("gw-baxianlou-1", "cadre-baxianlou")
           if any(o["files"] and o["at"] >= "2026-11-02T10" for o in played.to(user, "notice"))}
    assert got == {"gw-baxianlou-1", "cadre-baxianlou"}


async def test_photo_required_categories_refuse_a_bare_resolve(play: Play, tmp_path: Path, db_url: str) -> None:
    strict = load_settings(None, database__url=db_url, media__dir=str(tmp_path / "media"),
                           files_dir=str(tmp_path / "files"),
                           tickets__resolve_photo_required=["public_facility"])
    picture = tmp_path / "fixed.jpg"
    picture.write_bytes(phone_jpeg(colour="white"))
    played = await play([
        {"at": "2026-11-02T09:00:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-r",
         "text": "5号楼楼道灯不亮了"},
        {"at": "2026-11-02T09:10:00+08:00", "user": "gw-baxianlou-1", "text": "受理 261102-001"},
        {"at": "2026-11-02T10:00:00+08:00", "user": "gw-baxianlou-1", "text": "办结 261102-001 已修好"},
        {"at": "2026-11-02T10:05:00+08:00", "user": "gw-baxianlou-1", "kind": "image", "media": str(picture)},
        {"at": "2026-11-02T10:06:00+08:00", "user": "gw-baxianlou-1", "text": "办结 261102-001 已修好"},
    ], tmp_path, strict)
    answers = played.to("gw-baxianlou-1", "reply")
    assert "261102-001" in answers[1]["text"] and answers[1]["ticket"] is None  # refused, says which ticket
    assert await played.rows("SELECT state FROM ticket") == [("resolved",)]
    assert await played.rows("SELECT role FROM photo") == [("evidence",)]
    told = [o for o in played.to("resident-r", "notice") if o["at"].startswith("2026-11-02T10:06")]
    assert len(told) == 1 and told[0]["files"]


async def test_purge_keeps_open_tickets_photos_whatever_their_age(play: Play, tmp_path: Path, db_url: str) -> None:
    short = load_settings(None, database__url=db_url, media__dir=str(tmp_path / "media"),
                          files_dir=str(tmp_path / "files"), media__keep_days=30)
    one, two, three = (tmp_path / f"{n}.jpg" for n in ("one", "two", "three"))
    one.write_bytes(phone_jpeg(colour="red"))
    two.write_bytes(phone_jpeg(colour="green"))
    three.write_bytes(phone_jpeg(colour="blue"))
    played = await play([
        {"at": "2026-11-02T09:00:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-o", "kind": "image",
         "media": str(one)},
        {"at": "2026-11-02T09:01:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-o",
         "text": "5号楼楼道灯不亮了"},  # stays open
        {"at": "2026-11-02T09:05:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-c", "kind": "image",
         "media": str(two)},
        {"at": "2026-11-02T09:06:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-c",
         "text": "8号楼门口的垃圾没人清运"},
        {"at": "2026-11-02T09:30:00+08:00", "user": "gw-baxianlou-1", "text": "受理 261102-002"},
        {"at": "2026-11-02T10:00:00+08:00", "user": "gw-baxianlou-1", "text": "办结 261102-002 已清运"},
        {"at": "2026-11-02T11:00:00+08:00", "user": "resident-c", "text": "评价 261102-002 满意"},  # closed
        {"at": "2026-11-02T12:00:00+08:00", "user": "resident-x", "kind": "image", "media": str(three)},  # alone
    ], tmp_path, short)
    media = tmp_path / "media"
    keys = dict(await played.rows("SELECT t.no, p.key FROM photo p LEFT JOIN ticket t ON t.id = p.ticket_id"))
    assert all((media / k).is_file() for k in keys.values())
    ctx = played.app.job_context

    async def purge_at(when: Any) -> list[str | None]:
        played.clock.set(when)
        await photo_purge(ctx, when)
        return sorted(n or "-" for (n,) in await played.rows(
            "SELECT t.no FROM photo p LEFT JOIN ticket t ON t.id = p.ticket_id"))

    assert await purge_at(local(2026, 11, 2, 23, 0)) == ["-", "261102-001", "261102-002"]
    assert await purge_at(local(2026, 11, 3, 12, 30)) == ["261102-001", "261102-002"]  # alone a day: gone
    assert await purge_at(local(2026, 12, 2, 10, 0)) == ["261102-001", "261102-002"]  # closed 29 days 23 h ago
    assert await purge_at(local(2026, 12, 2, 11, 30)) == ["261102-001"]  # closed 30 days ago: gone
    assert not (media / keys["261102-002"]).exists()
    assert await purge_at(local(2029, 1, 1, 10, 0)) == ["261102-001"]  # open: kept, years on
    assert (media / keys["261102-001"]).is_file()


async def test_a_picture_the_bot_cannot_read_is_answered_and_not_kept(play: Play, tmp_path: Path) -> None:
    fake = tmp_path / "lamp.jpg"
    fake.write_bytes(b"GIF89a this is no picture at all" * 10)
    played = await play([
        {"at": "2026-11-02T09:00:00+08:00", "user": "resident-n", "kind": "image", "media": str(fake)},
        {"at": "2026-11-02T09:01:00+08:00", "chat": "demo-baxianlou-1", "user": "resident-n", "kind": "image",
         "media": str(fake)},
    ], tmp_path)
    assert [(o["chat"], o["kind"]) for o in played.out] == [(None, "reply")]  # the group one is talk
    assert await played.rows("SELECT count(*) FROM photo") == [(0,)]


def test_replay_media_lines_are_checked(tmp_path: Path) -> None:
    picture = tmp_path / "ok.jpg"
    picture.write_bytes(phone_jpeg())
    transcript = tmp_path / "bad.jsonl"
    transcript.write_text("\n".join(json.dumps(line) for line in [
        {"at": "2026-12-01T09:00:00+08:00", "user": "r1", "kind": "image", "media": "missing.jpg"},
        {"at": "2026-12-01T09:01:00+08:00", "user": "r1", "kind": "voice", "media": "ok.jpg"},
        {"at": "2026-12-01T09:02:00+08:00", "user": "r1", "media": 7},
        {"at": "2026-12-01T09:03:00+08:00", "user": "r1", "media": "ok.jpg"},  # kind image by default
        {"at": "2026-12-01T09:04:00+08:00", "user": "r1", "kind": "file", "media": str(picture)},
    ]) + "\n", encoding="utf-8")
    with pytest.raises(TranscriptError) as caught:
        read_transcript(transcript, TZ)
    assert [p.split(":")[1] for p in caught.value.problems] == ["1", "2", "3"]
    transcript.write_text("\n".join(transcript.read_text().splitlines()[3:]) + "\n", encoding="utf-8")
    steps = read_transcript(transcript, TZ)
    assert [(s.message.kind, Path(s.message.media.ref)) for s in steps if s.message and s.message.media] == [
        ("image", picture.resolve()), ("file", picture.resolve())]


def test_kept_pictures_have_no_metadata(tmp_path: Path) -> None:
    from bot.domain.photos import prepare

    original = phone_jpeg((64, 48))
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif()[MAKE] == "PhoneMaker" and GPS_TAG in image.getexif()  # the input has them
    prepared = prepare(original, max_bytes=1 << 20, max_pixels=10_000_000)
    with Image.open(io.BytesIO(prepared.display)) as image:
        assert not image.getexif() and image.size == (48, 64)  # upright (Orientation 6 applied)
    assert b"PhoneMaker" not in prepared.display and b"PhoneMaker" not in prepared.thumb


async def test_export_counts_photos_and_the_spreadsheet_shows_the_first(play: Play, tmp_path: Path) -> None:
    played = await play("photos_on_tickets.jsonl")
    store = played.app.dispatcher.photos.store  # type: ignore[union-attr]
    async with played.app.db.session() as session:
        out = io.StringIO()
        await write_export(ticket_rows(session), "jsonl", TZ, out=out)
        xlsx = tmp_path / "tickets.xlsx"
        await write_export(ticket_rows(session), "xlsx", TZ, path=xlsx, thumbs=store.get)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["no"], r["photos"]) for r in rows] == [("261102-001", 2), ("261102-002", 2)]
    assert all(not k.startswith("_") for r in rows for k in r)  # the thumbnail's key stays inside
    sheet = load_workbook(xlsx)["tickets"]
    assert [c.value for c in sheet[1]][-2:] == ["photos", "thumbnail"]
    anchors = sorted(image.anchor._from.row for image in sheet._images)  # type: ignore[attr-defined]
    assert anchors == [1, 2]  # one thumbnail on each ticket's row (0-based rows 1 and 2)
