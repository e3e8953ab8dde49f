"""`gridbot demo`: the group-chat simulator on the embedded default (SQLite + demo roster).

The page talks to a few JSON endpoints; messages typed there enter the same dispatcher a WeCom
callback would feed, and what the bot says comes back through the demo transport (SSE). The demo
clock runs in real time and can be moved forward to show reminders and digests firing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import re
import tempfile
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import BodyPartReader, web
from sqlmodel import select

from bot.app import App, build_app
from bot.clock import OffsetClock, SystemClock
from bot.config import Settings
from bot.console.app import mount_console
from bot.demo_roster import demo_roster
from bot.domain.categories import category
from bot.domain.periods import in_years, parse_month
from bot.domain.tickets import state_label
from bot.events import InboundMessage, MediaRef, MessageKind
from bot.forms.monthly import write_monthly
from bot.i18n import LANGUAGES, N_, _, using
from bot.nlp.parser import get_parser
from bot.roles import role_label
from bot.server import APP_KEY, check_port, healthz, serve_forever
from bot.services import charts
from bot.services.languages import set_language
from bot.services.reports import monthly_forms, previous_month_of
from bot.transport import limits
from bot.transport.demo import DemoHub, DemoTransport, event_json
from scheduler.runner import SimulatedScheduler
from storage import preference_store, ticket_store
from storage.demo_store import wipe
from storage.history_store import history, notices_sent
from storage.models import ChatBinding, OrgUnit, Person, RoleGrant
from storage.roster_store import find_chat, find_member, replace_roster

log = logging.getLogger(__name__)
HUB_KEY = web.AppKey("hub", DemoHub)
CLOCK_KEY = web.AppKey("clock", OffsetClock)
SCHED_KEY = web.AppKey("scheduler", SimulatedScheduler)
LOCK_KEY = web.AppKey("clock_lock", asyncio.Lock)
RESET_KEY = web.AppKey("reset_at_start", bool)
DEMO, CLOCK = "demo", "clock"  # where the demo clock is kept (storage.preference_store)
MONTH_LANDING = time(10, 45)  # after the first working day's digests (08:30-10:30) and reminders
SHUTDOWN = "shutdown"

# Fictional residents to speak as (anyone not in the roster is a resident).
RESIDENTS = (("resident-wang", N_("Auntie Wang (resident)")), ("resident-li", N_("Uncle Li (resident)")),
             ("resident-zhang", N_("Mr Zhang (resident)")))

UI_STRINGS = (
    N_("Grid chat simulator"), N_("Group chats"), N_("Private chat with the bot"), N_("Speak as"),
    N_("Type a message"), N_("Send"), N_("Demo clock"), N_("+1 hour"), N_("+1 day"),
    N_("1st of next month"), N_("Notices to me"), N_("Try: "),
    N_("Everything here is fictional demo data."), N_("Tickets of this group"),
    N_("Reminders and digests"), N_("No tickets yet."), N_("handler"), N_("due"),
    N_("Monthly form (附件5, .xlsx)"), N_("Tickets and notices"), N_("Close"),
    N_("notice"), N_("reminder"), N_("digest"),  # the kinds of message, as tags on the page
    N_("Photo"), N_("[photo]"), N_("Street office console"), N_("reply"), N_("Moving the clock…"), N_("Reset demo"),
    N_("Not sent: "), N_("Not sent: a message can have at most {max} characters (this one has {n})."),
    N_("Start the demo over? Every message, ticket and notice is deleted and the clock goes back to now."),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# what the bot writes to files_dir: charts, forms, and the copies of photos notices carry
FILE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".xlsx": XLSX, ".csv": "text/csv"}
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


async def setup(request: web.Request) -> web.Response:
    """Chats, the people one can speak as, the clock, and the interface strings."""
    bot, clock = request.app[APP_KEY], request.app[CLOCK_KEY]
    lang = request.query.get("lang", bot.settings.locale)
    lang = lang if lang in ("zh_CN", "en") else "zh_CN"
    async with bot.db.read() as session:
        chats = (await session.exec(
            select(ChatBinding, OrgUnit).join(OrgUnit, OrgUnit.id == ChatBinding.unit_id)
            .where(ChatBinding.platform == "demo").order_by(ChatBinding.chat_id)
        )).all()
        grants = (await session.exec(
            select(RoleGrant, Person, OrgUnit).join(Person, Person.id == RoleGrant.person_id)
            .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id).where(Person.active)
            .order_by(RoleGrant.id)
        )).all()
    with using(lang):
        people = [
            {"id": p.im_user, "name": _("{name} ({role}, {unit})").format(name=p.name, role=role_label(g.role),
                                                                      unit=u.name),
             "role": g.role, "unit": u.id, "parent": u.parent_id}
            for g, p, u in grants if p.im_user
        ]
        residents = [{"id": rid, "name": _(label), "role": "resident", "unit": None, "parent": None}
                     for rid, label in RESIDENTS]
        strings = {s: _(s) for s in UI_STRINGS}
    return web.json_response({
        "lang": lang,
        "strings": strings,
        "now": clock.now().astimezone(bot.settings.tz).isoformat(),
        "chats": [{"id": c.chat_id, "name": c.name, "unit": u.id, "community": u.parent_id}
                  for c, u in chats],
        "people": residents + people,
    })


async def set_demo_language(request: web.Request) -> web.Response:
    """The page's language switch: the demo people (roster and residents) are spoken to in it
    from now on, as a person's own `语言` choice would. `{"lang": "zh_CN" | "en"}`."""
    bot = request.app[APP_KEY]
    try:
        body = await request.json()
        lang = body["lang"] if isinstance(body, dict) else None
    except (ValueError, KeyError):
        lang = None
    if lang not in LANGUAGES:
        raise web.HTTPBadRequest(text=f'expected JSON {{"lang": one of {", ".join(LANGUAGES)}}}')
    async with bot.db.transaction() as session:
        people = [p.im_user for p in (await session.exec(select(Person))).all() if p.im_user]
        await set_language(session, [*people, *(rid for rid, _label in RESIDENTS)], lang, bot.clock.now())
    return web.json_response({"lang": lang, "people": len(people) + len(RESIDENTS)})


async def messages(request: web.Request) -> web.Response:
    bot = request.app[APP_KEY]
    chat, user = request.query.get("chat"), request.query.get("user")
    if not chat and not user:
        raise web.HTTPBadRequest(text="give chat or user")
    async with bot.db.read() as session:
        said = await history(session, "demo", chat_id=chat or None, user_id=None if chat else user)
    return web.json_response([
        event_json(id=s.id, direction=s.direction, at=s.at, chat=s.chat, user=s.user,
                   user_name=s.user_name, text=s.text,
                   kind=_message_kind(s.kind) if s.direction == "in" else s.kind, ticket=s.ticket,
                   files=s.files, tz=bot.settings.tz)
        for s in said
    ])


async def tickets(request: web.Request) -> web.Response:
    """The tickets of the chat's grid (or community), newest first, for the side panel."""
    bot = request.app[APP_KEY]
    chat = request.query.get("chat", "")
    lang = request.query.get("lang", bot.settings.locale)
    async with bot.db.read() as session:
        place = await find_chat(session, "demo", chat)
        if place is None:
            raise web.HTTPNotFound(text="unknown chat")
        rows = await ticket_store.tickets_for(session, unit_ids=[place.unit_id], open_only=False)
        names = {p.id: p.name for p in (await session.exec(select(Person))).all()}
    work_tz = bot.settings.tz
    with using(lang if lang in ("zh_CN", "en") else "zh_CN"):
        return web.json_response([
            {"no": t.no, "state": t.state, "state_label": state_label(t.state),
             "category": category(t.category).name(), "urgency": t.urgency,
             "assignee": names.get(t.assignee_id or "", ""),
             "due": t.due_at.astimezone(work_tz).isoformat() if t.due_at else None,
             "resolution": t.resolution, "satisfaction": t.satisfaction,
             "duplicates": t.duplicate_count}
            for t in sorted(rows, key=lambda t: t.id or 0, reverse=True)
        ])


async def notices(request: web.Request) -> web.Response:
    """Reminders and digests sent (to anyone), newest first."""
    bot = request.app[APP_KEY]
    async with bot.db.read() as session:
        rows = await notices_sent(session, "demo", ("reminder", "digest"))
    return web.json_response([
        event_json(id=f"out-{r.id}", direction="out", at=r.created_at, chat=r.chat_id, user=r.user_id,
                   text=r.text, kind=r.kind, ticket=r.ticket_no, files=r.files or [], tz=bot.settings.tz)
        for r in rows
    ])


async def bot_file(request: web.Request) -> web.FileResponse:
    """A chart or form the bot wrote to `files_dir`, by plain file name only (no folders, no `..`)."""
    bot = request.app[APP_KEY]
    name = request.match_info["name"]
    kind = FILE_TYPES.get(Path(name).suffix.lower())
    if not SAFE_NAME.fullmatch(name) or ".." in name or kind is None:
        raise web.HTTPNotFound(text="no such file")
    folder = bot.settings.files_dir.resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        raise web.HTTPNotFound(text="no such file")
    return web.FileResponse(path, headers={"Content-Type": kind, "X-Content-Type-Options": "nosniff",
                                           "Cache-Control": "private, max-age=3600"})


async def monthly_form(request: web.Request) -> web.Response:
    """A cadre's 附件5 for a month as .xlsx: the same service and writer as `gridbot report monthly`.
    `cadre` is the cadre's im_user; `month` (YYYY-MM) defaults to the demo clock's previous month."""
    bot, clock = request.app[APP_KEY], request.app[CLOCK_KEY]
    cadre = request.query.get("cadre", "").strip()
    if not cadre:
        raise web.HTTPBadRequest(text="cadre (the cadre's im_user) is required")
    month = request.query.get("month", "").strip()
    if month:
        try:
            year, mon = parse_month(month)
        except ValueError as exc:
            raise web.HTTPBadRequest(text=f"month: {exc}") from None
        if not in_years(year):
            raise web.HTTPBadRequest(text=f"month: {month!r} is out of range")
    else:
        year, mon = previous_month_of(clock.now().astimezone(bot.settings.tz).date())
    async with bot.db.read() as session:
        member = await find_member(session, cadre)
        if member is None or "cadre" not in member.roles:
            raise web.HTTPBadRequest(text=f"{cadre!r} is not a stationed cadre in the roster")
        forms = await monthly_forms(session, year, mon, bot.settings.tz, bot.settings.duties.evening_hour,
                                    only=[member.person_id])
    if not forms:
        raise web.HTTPBadRequest(text=f"{cadre!r} has no posting to report on")
    posting, form = forms[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = await asyncio.to_thread(write_monthly, form, Path(tmp) / "form.xlsx")
        body = path.read_bytes()
    filename = f"附件5-{posting.community.name}-{posting.person.name}-{year}-{mon:02d}.xlsx"
    ascii_name = f"monthly-{year}-{mon:02d}.xlsx"
    return web.Response(body=body, headers={
        "Content-Type": XLSX,
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
    })


async def post_message(request: web.Request) -> web.Response:
    try:
        body = limits.loads(await request.read())
        kind = MessageKind.of(body.get("kind"))  # a photo from the page has no words
        user, text = str(body["user"]).strip(), str(body.get("text", "")).strip()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = f"{exc}; " if isinstance(exc, limits.BadInput) else ""
        raise web.HTTPBadRequest(text=f'{reason}expected JSON {{"user", "text", "chat"?, "kind"?}}') from None
    if not user or (not text and kind == MessageKind.text) or len(text) > 2000:
        raise web.HTTPBadRequest(text="user and text (at most 2000 characters) are required")
    try:
        message = limits.checked(InboundMessage(
            platform="demo", msg_id=str(body.get("msg_id") or uuid.uuid4()), user_id=user, text=text,
            chat_id=body.get("chat") or None, user_name=body.get("user_name"),
            mentions_bot=bool(body.get("mentions_bot")), kind=kind,
        ))
    except limits.BadInput as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return await _take(request, message)


async def post_photo(request: web.Request) -> web.Response:
    """A real picture from the page (multipart: `file`, `user`, `chat`?, `user_name`?, `text`?):
    it goes through the same fetch-check-keep path as a channel's (bot.services.photos)."""
    bot = request.app[APP_KEY]
    cap = bot.settings.media.max_bytes
    if request.content_length is not None and request.content_length > cap + 64 * 1024:
        raise web.HTTPRequestEntityTooLarge(max_size=cap, actual_size=request.content_length)
    fields: dict[str, str] = {}
    data, name = b"", "photo.jpg"
    try:
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "file":
                name = part.filename or name
                chunk = await part.read_chunk(cap + 1)
                data = bytearray(chunk)
                while chunk and len(data) <= cap:
                    chunk = await part.read_chunk(cap + 1 - len(data))
                    data += chunk
                if len(data) > cap:
                    raise web.HTTPRequestEntityTooLarge(max_size=cap, actual_size=len(data))
            elif part.name in ("user", "chat", "user_name", "text", "mentions_bot"):
                fields[part.name] = (await part.text())[:2000]
    except (ValueError, AssertionError) as exc:  # not multipart, or broken
        raise web.HTTPBadRequest(text=f"expected a multipart form with a file ({exc})") from None
    user = fields.get("user", "").strip()
    if not user or not data:
        raise web.HTTPBadRequest(text="user and file are required")
    try:
        message = limits.checked(InboundMessage(
            platform="demo", msg_id=str(uuid.uuid4()), user_id=user, text=fields.get("text", "").strip(),
            chat_id=fields.get("chat") or None, user_name=fields.get("user_name") or None,
            mentions_bot=fields.get("mentions_bot") == "true", kind=MessageKind.image,
            media=MediaRef("data", base64.b64encode(bytes(data)).decode("ascii"), name=Path(name).name[:100]),
        ))
    except limits.BadInput as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return await _take(request, message)


async def _take(request: web.Request, message: InboundMessage) -> web.Response:
    """Record the page's message, show it, handle it (after any clock move in progress)."""
    bot, hub = request.app[APP_KEY], request.app[HUB_KEY]
    user, kind, text = message.user_id, message.kind, message.text
    async with request.app[LOCK_KEY]:  # a message sent while the clock moves waits for the move
        inbound_id = await bot.dispatcher.record(message)
        if inbound_id is None:
            return web.json_response({"duplicate": True})
        hub.publish({"type": "message", "message": event_json(
            id=f"in-{inbound_id}", direction="in", at=bot.clock.now(), chat=message.chat_id,
            user=user, user_name=message.user_name, text=text, kind=_message_kind(kind), tz=bot.settings.tz)})
        await bot.dispatcher.process(inbound_id)
    bot.outbox.wake()
    return web.json_response({"id": inbound_id})


def _message_kind(kind: str) -> str:
    """What the page shows an inbound message as: words, or a photo."""
    return "message" if kind == MessageKind.text else str(kind)


async def move_clock(request: web.Request) -> web.Response:
    """Move the demo clock forward (hours / days / to the 1st of next month) and run due jobs.
    `{"to": "next_month"}` lands on next month's first working day after its morning jobs (the
    monthly digest with its chart, the red lines), so what the month brings is there at once.
    Answers `{"now", "runs"}`; while it moves, `clock` events with `"busy": true` say how far."""
    bot, clock = request.app[APP_KEY], request.app[CLOCK_KEY]
    try:
        body: dict[str, Any] = limits.loads(await request.read()) if request.can_read_body else {}
    except limits.BadInput as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='expected JSON {"to": "next_month"}, {"days": N} or {"hours": N}')
    async with request.app[LOCK_KEY]:  # a second click waits for the first, and is not lost
        now = clock.now().astimezone(bot.settings.tz)
        if body.get("to") == "next_month":
            first = (now.replace(day=1) + timedelta(days=32)).replace(day=1).date()
            day = bot.calendar.next_workday(first)
            target = datetime.combine(day, MONTH_LANDING, bot.settings.tz)
        else:
            try:
                hours = float(body.get("hours", 0)) + 24 * float(body.get("days", 0))
            except (TypeError, ValueError):
                raise web.HTTPBadRequest(text="hours and days must be numbers") from None
            if not 0 < hours <= 24 * 400:
                raise web.HTTPBadRequest(text="move forward by up to 400 days")
            target = now + timedelta(hours=hours)
        runs = await _run_until(request.app, target, show=True)
    now_text = clock.now().astimezone(bot.settings.tz).isoformat()
    request.app[HUB_KEY].publish({"type": "clock", "now": now_text, "busy": False})
    return web.json_response({"now": now_text, "runs": runs})


async def _run_until(app: web.Application, target: datetime, *, show: bool = False) -> int:
    """Run the jobs due up to `target` (the caller holds the clock lock), deliver what they said
    and keep the clock with the demo database. With `show`, the page hears how far it got."""
    bot, hub, tz = app[APP_KEY], app[HUB_KEY], app[APP_KEY].settings.tz
    last = [0.0]

    async def progress(at: datetime) -> None:
        now = asyncio.get_running_loop().time()
        if now - last[0] >= 0.2:  # a few updates a second is enough for a label
            last[0] = now
            hub.publish({"type": "clock", "now": at.astimezone(tz).isoformat(), "busy": True})
            await bot.outbox.flush()

    if show:
        hub.publish({"type": "clock", "now": app[CLOCK_KEY].now().astimezone(tz).isoformat(), "busy": True})
    runs = await app[SCHED_KEY].advance_to(target, progress if show else None)
    await bot.outbox.flush()
    await save_clock(bot, app[CLOCK_KEY])
    return runs


async def save_clock(bot: App, clock: OffsetClock) -> None:
    async with bot.db.transaction() as session:
        await preference_store.put(session, DEMO, CLOCK, clock.now().isoformat(), clock.now())


async def load_clock(bot: App, clock: OffsetClock) -> None:
    """The demo clock continues where the demo database left it (never behind real time)."""
    async with bot.db.read() as session:
        stored = await preference_store.get(session, DEMO, CLOCK)
    if stored:
        with contextlib.suppress(ValueError):
            clock.set(datetime.fromisoformat(stored))


async def reset_button(request: web.Request) -> web.Response:
    """The reset button: an empty demo (the roster only) and the clock back to real time."""
    async with request.app[LOCK_KEY]:
        await reset_demo(request.app)
    request.app[HUB_KEY].publish({"type": "reset"})
    clock = request.app[CLOCK_KEY]
    return web.json_response({"now": clock.now().astimezone(request.app[APP_KEY].settings.tz).isoformat()})


async def reset_demo(app: web.Application) -> None:
    """Everything said, filed and sent is deleted, the demo roster loaded again, the clock put back
    to real time (the caller holds the clock lock)."""
    bot, clock = app[APP_KEY], app[CLOCK_KEY]
    await bot.outbox.flush()
    async with bot.db.transaction() as session:
        await wipe(session)
        await replace_roster(session, demo_roster())
    clock.reset()
    app[SCHED_KEY].restart()
    await save_clock(bot, clock)


async def events(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB_KEY]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-cache"})
    await response.prepare(request)
    queue = hub.subscribe()
    try:
        await response.write(b": connected\n\n")
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=15)
                if event.get("type") == SHUTDOWN:
                    break
                data = json.dumps(event, ensure_ascii=False)
                await response.write(f"data: {data}\n\n".encode())
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(queue)
    return response


async def end_streams(app: web.Application) -> None:
    """On shutdown, let open event streams end now rather than at their next keep-alive."""
    app[HUB_KEY].publish({"type": SHUTDOWN})


async def page(request: web.Request) -> web.Response:
    html = files("bot.web").joinpath("demo.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html")


def demo_background(bot: App, clock: OffsetClock) -> Any:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await asyncio.to_thread(get_parser)  # the first message should not wait for jieba
        await asyncio.to_thread(charts.warm_up)  # nor the first monthly digest for matplotlib's fonts
        if app[RESET_KEY]:
            async with app[LOCK_KEY]:
                await reset_demo(app)
        await bot.dispatcher.recover()
        worker = asyncio.create_task(bot.outbox.run(interval=1.0), name="outbox")

        async def tick() -> None:  # real time passes in the demo too
            while True:
                await asyncio.sleep(20)
                try:
                    async with app[LOCK_KEY]:
                        await _run_until(app, clock.now())
                except Exception:
                    log.exception("demo clock tick failed")

        ticker = asyncio.create_task(tick(), name="demo-clock")
        yield
        for task in (ticker, worker):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await bot.close()

    return ctx


async def make_demo_app(settings: Settings, clock: OffsetClock | None = None, *,
                        reset: bool = False) -> web.Application:
    """The demo's web app. Its clock continues from the demo database (unless `reset`, which
    empties it at start-up, like the page's reset button)."""
    hub, clock = DemoHub(), clock or OffsetClock()
    transport = DemoTransport(hub, settings.tz)
    bot = await build_app(settings, clock, {"demo": transport}, people_platform="demo",
                          roster_if_empty=demo_roster())
    if not reset:
        await load_clock(bot, clock)
    web_app = web.Application(client_max_size=64 * 1024)
    web_app[APP_KEY], web_app[HUB_KEY], web_app[CLOCK_KEY] = bot, hub, clock
    web_app[RESET_KEY] = reset
    web_app[SCHED_KEY] = SimulatedScheduler(bot.jobs, bot.job_context, clock)
    web_app[LOCK_KEY] = asyncio.Lock()
    web_app.router.add_get("/", page)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/api/setup", setup)
    web_app.router.add_get("/api/messages", messages)
    web_app.router.add_get("/api/tickets", tickets)
    web_app.router.add_get("/api/notices", notices)
    web_app.router.add_get("/api/forms/monthly", monthly_form)
    web_app.router.add_get("/files/{name}", bot_file)
    web_app.router.add_post("/api/messages", post_message)
    web_app.router.add_post("/api/photo", post_photo)
    web_app.router.add_post("/api/clock", move_clock)
    web_app.router.add_post("/api/reset", reset_button)
    web_app.router.add_post("/api/language", set_demo_language)
    web_app.router.add_get("/api/events", events)
    mount_console(web_app, bot, demo=True, session_clock=SystemClock())  # "+1 day" must not log people out
    web_app.on_shutdown.append(end_streams)
    web_app.cleanup_ctx.append(demo_background(bot, clock))
    return web_app


async def run_demo(settings: Settings, *, reset: bool = False) -> None:
    check_port(settings.server.host, settings.server.port)  # before the database is opened
    web_app = await make_demo_app(settings, reset=reset)
    log.info("demo: open http://%s:%d in a browser", settings.server.host, settings.server.port)
    await serve_forever(web_app, settings)
