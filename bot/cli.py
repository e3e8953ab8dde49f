"""`gridbot` command line: serve, demo, replay, db, roster, parse, config."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.config import ConfigError, Settings, load_settings
from bot.domain.periods import FIRST_YEAR, LAST_YEAR, in_years

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.replay import Step
    from bot.roster import Roster

T = TypeVar("T")

app = typer.Typer(help="网格通 gridbot: a chat bot for community grid governance.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
roster_app = typer.Typer(help="Import, export and check the roster (units, people, chats).",
                         no_args_is_help=True)
config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)
tickets_app = typer.Typer(help="Grid tickets.", no_args_is_help=True)
schedule_app = typer.Typer(help="Planned reminders and digests.", no_args_is_help=True)
report_app = typer.Typer(help="Report forms (附件5 monthly, 附件6 projects) as .xlsx.", no_args_is_help=True)
outbox_app = typer.Typer(help="Messages that could not be delivered: list and retry.", no_args_is_help=True)
console_app = typer.Typer(help="The web console (/console/): local accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(roster_app, name="roster")
app.add_typer(config_app, name="config")
app.add_typer(tickets_app, name="tickets")
app.add_typer(schedule_app, name="schedule")
app.add_typer(report_app, name="report")
kf_app = typer.Typer(help="微信客服 (WeCom customer service): the links residents open.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(console_app, name="console")
app.add_typer(kf_app, name="kf")

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="TOML config file (default: $GRIDBOT_CONFIG).")
]
DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL, overriding the config.")]
RosterOpt = Annotated[
    str | None, typer.Option("--roster", help="Roster folder, .xlsx file, or 'demo'.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _settings(config: Path | None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _load_roster(spec: str) -> Roster:
    from bot.demo_roster import demo_roster
    from bot.roster import RosterError, read_roster

    if spec == "demo":
        return demo_roster()
    try:
        return read_roster(Path(spec))
    except RosterError as exc:
        raise _fail("roster not imported; fix these rows:\n" + str(exc), 1) from None


def _in_database(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Open the configured database (creating or upgrading the schema), run `work` in one
    transaction, close it: what every command that reads or writes the database does."""
    from storage import migrate
    from storage.db import Database

    async def run() -> T:
        database = Database(settings.database.url)
        try:
            await migrate.upgrade(database.engine)
            async with database.transaction() as session:
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(run())


# ------------------------------------------------------------------ serve / demo


@app.command()
def serve(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Run the production server: channel callbacks, scheduler and outbox, from the config."""
    from bot.server import run_server

    settings = _settings(config, database__url=db)
    _logging()
    _serve(run_server(settings), "gridbot serve --config FILE (with another [server] port)")


def _serve(main: Coroutine[Any, Any, None], retry: str) -> None:
    """Run a server; a busy port is one line that says what to do, not a traceback."""
    from bot.server import PortInUse

    try:
        asyncio.run(main)
    except PortInUse as exc:
        typer.echo(f"port {exc.port} is in use (another gridbot, or another program); "
                   f"try `{retry.format(port=exc.port + 1)}`", err=True)
        raise typer.Exit(1) from None


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the demo page.")] = 8080,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: var/demo.db).")] = None,
    config: ConfigOpt = None,
    reset: Annotated[bool, typer.Option("--reset", help="Start over: empty the demo database and "
                                        "put the demo clock back to real time.")] = False,
) -> None:
    """Start the embedded demo: SQLite, the built-in fictional roster, a group-chat simulator. The
    demo clock and everything said are kept in the demo database between runs."""
    from bot.demo_server import run_demo

    settings = _settings(config, database__url=db or "sqlite+aiosqlite:///var/demo.db",
                         server__port=port, server__host=host)
    _logging()
    _serve(run_demo(settings, reset=reset), "make run PORT={port}` or `gridbot demo --port {port}")


# ------------------------------------------------------------------ replay


@app.command()
def replay(
    transcript: Annotated[Path, typer.Argument(help="JSON lines transcript.")],
    roster: RosterOpt = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: a fresh "
                                           "temporary SQLite file).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Run a transcript through the real pipeline on a simulated clock; print what the bot says."""
    from bot.replay import TranscriptError, read_transcript

    with tempfile.TemporaryDirectory(prefix="gridbot-replay-") as tmp:
        url = db or f"sqlite+aiosqlite:///{tmp}/replay.db"
        settings = _settings(config, database__url=url)
        try:
            steps = read_transcript(transcript, settings.tz)
        except TranscriptError as exc:
            raise _fail("transcript not run; fix these lines:\n" + str(exc), 1) from None
        loaded = _load_roster(roster) if roster else None
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        try:
            asyncio.run(_replay(settings, steps, loaded))
        except TranscriptError as exc:
            raise _fail("transcript not run; fix these lines:\n" + str(exc), 1) from None


async def _replay(settings: Settings, steps: list[Step], roster: Roster | None) -> None:
    from bot.app import build_app
    from bot.clock import FakeClock
    from bot.demo_roster import demo_roster
    from bot.events import OutboundMessage
    from bot.replay import outbound_json, run_transcript
    from bot.transport.memory import MemoryTransport
    from storage.models import Platform

    if not steps:
        return
    clock = FakeClock(steps[0].at)

    def emit(message: OutboundMessage) -> None:
        sys.stdout.write(json.dumps(outbound_json(message, settings.tz), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    transports = {p.value: MemoryTransport(p.value, on_send=emit) for p in Platform}
    bot = await build_app(settings, clock, dict(transports), people_platform="demo",
                          roster=roster, roster_if_empty=demo_roster())
    try:
        await run_transcript(bot, clock, steps)
    finally:
        await bot.close()


# ------------------------------------------------------------------ db


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Create the schema or upgrade it to the latest revision (SQLite or PostgreSQL)."""
    from storage import migrate
    from storage.db import Database

    settings = _settings(config, database__url=db)

    async def run() -> str | None:
        database = Database(settings.database.url)
        try:
            await migrate.upgrade(database.engine)
            return await migrate.current_revision(database.engine)
        finally:
            await database.dispose()

    revision = asyncio.run(run())
    typer.echo(f"database at revision {revision}")


# ------------------------------------------------------------------ roster


@roster_app.command("import")
def roster_import(
    path: Annotated[Path, typer.Argument(help="Folder with units.csv, people.csv, chats.csv, "
                                         "or an .xlsx with sheets units, people, chats.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Replace the stored roster with PATH; a bad row imports nothing."""
    from storage.roster_store import replace_roster

    settings = _settings(config, database__url=db)
    roster = _load_roster(str(path))
    _in_database(settings, lambda session: replace_roster(session, roster))
    typer.echo(f"imported {roster.summary()}")
    _say_encodings(roster)


@roster_app.command("export")
def roster_export(
    path: Annotated[Path, typer.Argument(help="Folder for CSV files, or a file ending in .xlsx.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
    roster: RosterOpt = None,
) -> None:
    """Write the stored roster (or --roster demo) in the import format."""
    from bot.roster import write_roster
    from storage.roster_store import load_roster

    data = _load_roster(roster) if roster else _in_database(_settings(config, database__url=db), load_roster)
    write_roster(data, path)
    typer.echo(f"exported {data.summary()} to {path}")


@roster_app.command("check")
def roster_check(path: Annotated[Path, typer.Argument(help="Roster folder or .xlsx.")]) -> None:
    """Validate a roster without importing it."""
    roster = _load_roster(str(path))
    typer.echo(f"ok: {roster.summary()}")
    _say_encodings(roster)


def _say_encodings(roster: Roster) -> None:
    """How each CSV file was read, so an office knows its GBK file was taken as GBK."""
    if roster.encodings:
        typer.echo("read " + ", ".join(f"{name} as {enc}" for name, enc in sorted(roster.encodings.items())))


# ------------------------------------------------------------------ tickets


@tickets_app.command("export")
def tickets_export(
    fmt: Annotated[str, typer.Option("--format", help="jsonl, csv or xlsx.")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: stdout).")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Export every ticket (no, state, resolution, category, department, urgency, grid, …, photos;
    the .xlsx shows each ticket's first photo as a thumbnail)."""
    from bot.export import FORMATS, write_export
    from storage.export_store import ticket_rows
    from storage.media_store import MediaStoreError, media_store

    if fmt not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "xlsx" and out is None:
        raise _fail("--format xlsx needs --out FILE.xlsx")
    settings = _settings(config, database__url=db)

    store = media_store(settings)

    async def thumb(key: str) -> bytes | None:
        try:
            return await store.get(key)
        except (FileNotFoundError, MediaStoreError):
            return None

    async def export(session: AsyncSession) -> int:
        try:
            return await write_export(ticket_rows(session), fmt, settings.tz, out=sys.stdout, path=out, thumbs=thumb)
        finally:
            await store.close()

    count = _in_database(settings, export)
    if out is not None:
        typer.echo(f"exported {count} tickets to {out}", err=True)


# ------------------------------------------------------------------ console


@console_app.command("add-user")
def console_add_user(
    im_user: Annotated[str, typer.Argument(help="The person's im_user in the roster (their WeCom userid).")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from standard input.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a console login for a roster person, or set a new password (which signs them out)."""
    from bot.clock import SystemClock
    from bot.services.console_auth import hasher_for, set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings(config, database__url=db)

    async def work(session: AsyncSession) -> bool:
        return await set_password(session, im_user, password, SystemClock().now(), hasher_for(settings.console))

    try:
        created = _in_database(settings, work)
    except ValueError as exc:
        raise _fail(str(exc), 1) from None
    typer.echo(f"console account {'created' if created else 'updated'} for {im_user}")


# ------------------------------------------------------------------ outbox


@outbox_app.command("failed")
def outbox_failed(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Messages whose retries are spent, as JSON lines {id, created_at, platform, chat_id, user_id,
    kind, ticket, attempts, last_error} (never the text: it may hold a resident's details)."""
    from storage import outbox_store

    for row in _in_database(_settings(config, database__url=db), outbox_store.failed):
        typer.echo(json.dumps({
            "id": row.id, "created_at": row.created_at.isoformat(), "platform": row.platform,
            "chat_id": row.chat_id, "user_id": row.user_id, "kind": row.kind, "ticket": row.ticket_no,
            "attempts": row.attempts, "last_error": row.last_error,
        }, ensure_ascii=False))


@outbox_app.command("retry")
def outbox_retry(
    ids: Annotated[list[int] | None, typer.Argument(help="Outbox ids (see `gridbot outbox failed`).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every failed message.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Queue failed messages again with a fresh retry budget (the running bot delivers them)."""
    from datetime import UTC, datetime

    from storage import outbox_store

    if not ids and not all_:
        raise _fail("give outbox ids or --all")

    queued = _in_database(_settings(config, database__url=db),
                          lambda session: outbox_store.retry(session, None if all_ else ids, datetime.now(UTC)))
    typer.echo(f"queued {queued} message(s) again", err=True)


# ------------------------------------------------------------------ schedule / report


def _xlsx(out: Path) -> None:
    if out.suffix.lower() != ".xlsx":
        raise _fail(f"--out must name an .xlsx file, not {out.name!r}")




def _day_arg(text: str, name: str) -> Any:
    from datetime import date

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{name} must be a date like 2026-12-01, not {text!r}") from None
    if not in_years(day.year):
        raise _fail(f"{name} must be a date from {FIRST_YEAR} to {LAST_YEAR}, not {text!r}")
    return day


@schedule_app.command("list")
def schedule_list(
    from_: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    to: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    roster: RosterOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Print the reminders and digests planned for the days, as JSON lines {at, duty, period, to,
    text}, without sending anything. With --roster alone: a scratch database holding that roster."""
    from bot.app import build_app
    from bot.clock import SystemClock
    from scheduler.planning import plan_range

    first, last = _day_arg(from_, "--from"), _day_arg(to, "--to")
    if last < first:
        raise _fail("--to is before --from")
    if (last - first).days > 366:
        raise _fail("--from and --to span more than a year: list a year at a time")
    with tempfile.TemporaryDirectory() as scratch:
        url = db or (f"sqlite+aiosqlite:///{scratch}/schedule.db" if roster else None)
        settings = _settings(config, **({"database__url": url} if url else {}))
        data = _load_roster(roster) if roster else None

        async def run() -> None:
            bot = await build_app(settings, SystemClock(), {}, people_platform="wecom_app", roster_if_empty=data)
            try:
                async for notice in plan_range(bot.job_context, first, last):
                    typer.echo(json.dumps(notice, ensure_ascii=False))
            finally:
                await bot.close()

        asyncio.run(run())


@report_app.command("monthly")
def report_monthly(
    cadre: Annotated[str, typer.Option("--cadre", help="The cadre's im_user (roster column).")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="FILE.xlsx to write.")],
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Write a cadre's 附件5 for a month, filled in from check-ins, tickets and chat corrections."""
    from bot.domain.periods import parse_month
    from bot.forms.monthly import write_monthly
    from bot.services.reports import monthly_forms
    from storage.roster_store import find_member

    try:
        year, mon = parse_month(month)
    except ValueError as exc:
        raise _fail(f"--month: {exc}") from None
    if not in_years(year):
        raise _fail(f"--month must be from {FIRST_YEAR} to {LAST_YEAR}, not {month!r}")
    _xlsx(out)
    settings = _settings(config, database__url=db)

    async def write(session: AsyncSession) -> str | None:
        member = await find_member(session, cadre)
        if member is None or "cadre" not in member.roles:
            return f"{cadre} is not a stationed cadre in the roster"
        forms = await monthly_forms(session, year, mon, settings.tz, settings.duties.evening_hour,
                                    only=[member.person_id])
        write_monthly(forms[0][1], out)
        return None

    problem = _in_database(settings, write)
    if problem:
        raise _fail(problem, 1)
    typer.echo(f"wrote {out}", err=True)


@report_app.command("projects")
def report_projects(
    year: Annotated[int, typer.Option("--year", help="YYYY")],
    out: Annotated[Path, typer.Option("--out", help="FILE.xlsx to write.")] = Path("projects.xlsx"),
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Write 附件6 (every cadre's 3 lead projects of the year, measures and results)."""
    from bot.forms.projects import write_projects
    from bot.services.reports import project_blocks

    if not in_years(year):
        raise _fail(f"--year must be from {FIRST_YEAR} to {LAST_YEAR}, not {year}")
    _xlsx(out)
    settings = _settings(config, database__url=db)
    blocks = _in_database(settings, lambda session: project_blocks(session, year, settings.tz))
    write_projects(year, blocks, out)
    typer.echo(f"wrote {out}", err=True)


# ------------------------------------------------------------------ 微信客服


@kf_app.command("link")
def kf_link(
    open_kfid: Annotated[str | None, typer.Option("--open-kfid", help="KF account (wk…); default: "
                                                 "[wecom_kf] open_kfid.")] = None,
    scene: Annotated[list[str] | None, typer.Option("--scene", help="Only this scene (repeatable); default: "
                                                    "every wecom_kf chat of the roster.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='JSON lines {"scene", "unit", "name", "url"}.')] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Print the 微信客服 link to share for each community (kf/add_contact_way, one scene each).

    A scene is bound to its community (or grid) in the roster's `chats` sheet: platform wecom_kf,
    chat_id = the scene. A resident who opens that link has their reports filed there."""
    from bot.transport.wecom_api import TokenSource, WeComApi, WeComApiError
    from bot.transport.wecom_kf import contact_link
    from storage.roster_store import chats_on

    settings = _settings(config, database__url=db)
    kf = settings.wecom_kf
    kfid = open_kfid or kf.open_kfid
    if not kfid:
        raise _fail("give --open-kfid or set [wecom_kf] open_kfid")
    if not kf.corp_id or kf.secret is None or not kf.secret.get_secret_value():
        raise _fail("[wecom_kf] corp_id and secret (the 微信客服 secret) are needed to ask WeChat for links")
    secret = kf.secret.get_secret_value()

    async def bound(session: AsyncSession) -> list[tuple[str, str, str]]:
        return [(chat.chat_id, unit.id, unit.name) for chat, unit in await chats_on(session, "wecom_kf")]

    rows = _in_database(settings, bound)
    if scene:
        known = {r[0]: r for r in rows}
        rows = [known.get(s, (s, "", "")) for s in scene]
    if not rows:
        raise _fail("no 微信客服 scenes in the roster: add a row per community to the `chats` sheet with "
                    "platform wecom_kf and a scene as chat_id (e.g. c-baxianlou), import it, run this again", 1)

    async def ask() -> list[tuple[tuple[str, str, str], str]]:
        api = WeComApi(kf.api_base, TokenSource.wecom(kf.corp_id, secret))
        try:
            return [(row, await contact_link(api, kfid, row[0])) for row in rows]
        finally:
            await api.http.close()

    try:
        links = asyncio.run(ask())
    except (ValueError, WeComApiError) as exc:
        raise _fail(f"no link: {exc}", 1) from None
    for (scene_id, unit_id, name), url in links:
        if as_json:
            typer.echo(json.dumps({"scene": scene_id, "unit": unit_id or None, "name": name or None, "url": url},
                                  ensure_ascii=False))
        else:
            typer.echo(f"{name or '(not in the roster)'}\t{scene_id}\t{url}")


# ------------------------------------------------------------------ parse / config


@app.command()
def parse(
    text: Annotated[list[str] | None, typer.Argument(help="Messages to parse.")] = None,
    jsonl: Annotated[str | None, typer.Option("--jsonl", help='JSON lines {"id", "text"[, "as"]}; '
                                              "'-' for stdin.")] = None,
    as_: Annotated[str, typer.Option("--as", help="who wrote the lines: resident (default) or cadre "
                                     "(then plain-words check-ins are read)")] = "resident",
    bot_name: Annotated[str, typer.Option("--bot-name", help="the bot's name in @mentions")] = "网格通",
) -> None:
    """Parse messages: shape, is it a request, category, department, urgency, place, check-in (JSON lines)."""
    from bot.nlp.cli import ROLES, run

    if not text and jsonl is None:
        raise _fail("give TEXT arguments or --jsonl FILE ('-' for stdin)")
    if as_ not in ROLES:
        raise _fail(f"--as must be one of {', '.join(ROLES)}")
    raise typer.Exit(run(text or [], jsonl, sys.stdout, sys.stderr, role=as_, bot_name=bot_name))


@config_app.command("show")
def config_show(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Print the effective configuration (secrets masked); exits 2 naming any bad key."""
    settings = _settings(config, database__url=db)
    typer.echo(json.dumps(settings.redacted(), ensure_ascii=False, indent=2))
