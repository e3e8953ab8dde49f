"""The 工单 board, its .xlsx export, and the ticket page with the actions the viewer may take.

Every action goes through bot.services.tickets, the functions the chat commands call, and is offered
only to the roles the chat command allows (read from the command registry), so the console and the
chat cannot disagree about who may do what."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from bot.console.app import Viewer, console_of, lang_of, local_time, redirect, render, viewer_of
from bot.console.export import board_workbook, xlsx_download
from bot.domain.categories import CATEGORIES, category
from bot.domain.tickets import ALLOWED, OPEN, Action, State, TransitionError, resolution_label, state_label
from bot.i18n import N_, _, using
from bot.nlp.pii import mask
from bot.roles import role_label
from bot.services import board as board_service
from bot.services import console_auth
from bot.services import tickets as ticket_service
from bot.services.work import Work
from storage.board_store import SORTS, BoardQuery
from storage.media_store import MediaStoreError
from storage.models import Ticket

PAGE_SIZE = 25
EXPORT_LIMIT = 20_000
URGENCIES = ("P0", "P1", "P2", "P3")
_DIGITS = re.compile(r"^\d{1,6}-?\d{0,4}$")

ACTION_LABELS = {
    Action.report: N_("reported"), Action.accept: N_("accepted"), Action.on_site: N_("on site"),
    Action.resolve: N_("resolved"), Action.escalate: N_("whistle blown (吹哨)"),
    Action.dept_report: N_("department reported in"), Action.dept_feedback: N_("department fed back"),
    Action.reassign: N_("passed on"), Action.extend: N_("deadline extended"),
    Action.verify_pass: N_("check passed"), Action.verify_fail: N_("sent back"), Action.close: N_("closed"),
    Action.withdraw: N_("withdrawn"), Action.supplement: N_("details added"), Action.rate: N_("rated"),
    Action.reopen: N_("reopened"), Action.remind: N_("reminder"), Action.overdue: N_("overdue"),
    "duplicate_joined": N_("a duplicate report joined"), "report_to_street": N_("reported to the street (五必报)"),
    "recalled": N_("message taken back by the resident"),
}
# Events whose note is a resident's own words (shown only to those who may act on the ticket).
RESIDENT_NOTES = frozenset({Action.report, Action.supplement, "duplicate_joined"})


@dataclass(frozen=True)
class ConsoleAction:
    """A form on the ticket page: the chat command it stands for and the service call it makes."""

    key: str
    word: str  # the chat command: its roles decide who sees the form
    domain: Action
    label: str
    run: Callable[[Work, ticket_service.Actor, Ticket, MultiDictProxy[Any]], Awaitable[str]]
    fields: tuple[str, ...] = ()


def _text(form: MultiDictProxy[Any], name: str) -> str:
    return str(form.get(name) or "").strip()[:1000]


async def _extend(work: Work, actor: ticket_service.Actor, ticket: Ticket, form: MultiDictProxy[Any]) -> str:
    days = _text(form, "days")
    if not days.isdigit():
        raise TransitionError(_("Give the number of working days."))
    return await ticket_service.extend(work, actor, ticket, int(days), _text(form, "reason"))


async def _close(work: Work, actor: ticket_service.Actor, ticket: Ticket, form: MultiDictProxy[Any]) -> str:
    reason = _text(form, "reason")
    if not reason:
        raise TransitionError(_("Give the reason for closing the ticket."))
    return await ticket_service.close(work, actor, ticket, reason)


ACTIONS: tuple[ConsoleAction, ...] = (
    ConsoleAction("accept", "受理", Action.accept, N_("Accept"),
                  lambda w, a, t, f: ticket_service.accept(w, a, t)),
    ConsoleAction("on_site", "到场", Action.on_site, N_("Record on-site visit"),
                  lambda w, a, t, f: ticket_service.on_site(w, a, t)),
    ConsoleAction("resolve", "办结", Action.resolve, N_("Resolve"),
                  lambda w, a, t, f: ticket_service.resolve(w, a, t, _text(f, "note")), ("note",)),
    ConsoleAction("escalate", "吹哨", Action.escalate, N_("Blow the whistle (吹哨)"),
                  lambda w, a, t, f: ticket_service.escalate(w, a, t, [str(v) for v in f.getall("department", [])]),
                  ("departments",)),
    ConsoleAction("reassign", "转派", Action.reassign, N_("Pass to a colleague"),
                  lambda w, a, t, f: ticket_service.reassign(w, a, t, _text(f, "name")), ("colleague",)),
    ConsoleAction("extend", "延期", Action.extend, N_("Extend the deadline"), _extend, ("days", "reason")),
    ConsoleAction("verify_pass", "核查", Action.verify_pass, N_("Check: passed"),
                  lambda w, a, t, f: ticket_service.verify(w, a, t, True, "")),
    ConsoleAction("verify_fail", "核查", Action.verify_fail, N_("Check: send back"),
                  lambda w, a, t, f: ticket_service.verify(w, a, t, False, _text(f, "reason")), ("reason",)),
    ConsoleAction("close", "结案", Action.close, N_("Close with a reason"), _close, ("reason",)),
    ConsoleAction("dept_report", "报到", Action.dept_report, N_("Report in (报到)"),
                  lambda w, a, t, f: ticket_service.dept_report(w, a, t)),
    ConsoleAction("dept_feedback", "反馈", Action.dept_feedback, N_("Department feedback"),
                  lambda w, a, t, f: ticket_service.dept_feedback(w, a, t, _text(f, "note")), ("note",)),
)
BY_KEY = {a.key: a for a in ACTIONS}


def offered(request: web.Request, viewer: Viewer, ticket: Ticket, escalated_to: set[str]) -> list[ConsoleAction]:
    """The actions this viewer may take on this ticket now: the chat command's roles, the state the
    domain allows, and the service's own area guard."""
    console = console_of(request)
    out = []
    for action in ACTIONS:
        if not console.chat_allows(action.word, viewer.roles) or State(ticket.state) not in ALLOWED[action.domain]:
            continue
        if not board_service.passes_guard(viewer.actor, ticket, action.word, escalated_to):
            continue
        out.append(action)
    return out


# ------------------------------------------------------------------ the board


@dataclass
class Filters:
    query: BoardQuery
    page: int
    params: dict[str, Any]
    problems: list[str]


def _day(value: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(_("“{value}” is not a date (YYYY-MM-DD); that filter is ignored.").format(value=value[:20]))
        return None


def parse_filters(request: web.Request) -> Filters:
    """The board's query string as filters; a bad value is ignored and said so, never an error."""
    bot = console_of(request).bot
    tz, args = bot.settings.tz, request.query
    problems: list[str] = []
    states = tuple(s for s in args.getall("state", []) if s in State.__members__)
    cat = args.get("category") if args.get("category") in CATEGORIES else None
    urgency = args.get("urgency") if args.get("urgency") in URGENCIES else None
    start, end = _day(args.get("from", ""), problems), _day(args.get("to", ""), problems)
    text = args.get("q", "").strip()[:100]
    number = words = None
    if text:
        full = ticket_service.normalise_no(text)
        if full:
            number = full
        elif _DIGITS.match(text):
            number = text if len(text) < 7 or "-" in text else f"{text[:6]}-{text[6:]}"
        else:
            words = text
    sort = args.get("sort", "created")
    sort = sort if sort in SORTS else "created"
    page = int(args["page"]) if args.get("page", "").isdigit() else 1
    query = BoardQuery(
        now=bot.clock.now(), states=states, category=cat, urgency=urgency, unit=args.get("unit") or None,
        overdue=args.get("overdue") == "1", escalated=args.get("escalated") == "1",
        created_from=datetime.combine(start, time(), tz) if start else None,
        created_before=datetime.combine(end + timedelta(days=1), time(), tz) if end else None,
        number=number, words=words, sort=sort, descending=args.get("dir", "desc") != "asc",
    )
    params = {k: v for k, v in (
        ("category", cat), ("urgency", urgency), ("unit", query.unit), ("overdue", "1" if query.overdue else None),
        ("escalated", "1" if query.escalated else None), ("from", start.isoformat() if start else None),
        ("to", end.isoformat() if end else None), ("q", text or None),
    ) if v}
    return Filters(query, max(1, page), params, problems)


def _link(base: str, params: dict[str, Any], states: tuple[str, ...], **changes: Any) -> str:
    pairs = [(k, v) for k, v in (params | changes).items() if v not in (None, "")]
    pairs += [("state", s) for s in states]
    return base + ("?" + urlencode(pairs) if pairs else "")


async def board_page(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    bot = console_of(request).bot
    filters = parse_filters(request)
    async with bot.db.session() as session:
        page = await board_service.load_board(session, viewer.scope, filters.query, page=filters.page,
                                              per_page=PAGE_SIZE)
        units = await board_service.area_units(session, viewer.scope)
    tz = bot.settings.tz
    q = filters.query
    with using(lang_of(request)):
        rows = [{
            "no": r.ticket.no, "state": r.ticket.state, "state_label": state_label(r.ticket.state),
            "category": category(r.ticket.category).name(), "urgency": r.ticket.urgency,
            "place": r.grid or r.community or "—", "assignee": r.assignee or "—",
            "created": local_time(r.ticket.created_at, tz),
            "due": _due(request, r.ticket.due_at) if r.ticket.state in OPEN else "—",
            "overdue": r.ticket.state in OPEN and r.ticket.due_at is not None and r.ticket.due_at < q.now,
            "summary": _summary(r.ticket.text) if r.acts else "",
        } for r in page.rows]
        counts = [{"state": s.value, "label": state_label(s), "n": page.counts.get(s.value, 0),
                   "link": _link("/console/tickets", filters.params, (s.value,)),
                   "active": q.states == (s.value,)} for s in State]
        sort_links = {
            key: _link("/console/tickets", filters.params, q.states, sort=key,
                       dir="asc" if q.sort == key and q.descending else "desc")
            for key in SORTS
        }
        pages = max(1, -(-page.total // PAGE_SIZE))
        base_params = filters.params | {"sort": q.sort, "dir": "desc" if q.descending else "asc"}

        def page_link(number: int) -> str:
            return _link("/console/tickets", base_params, q.states, page=number)

        return render(
            request, "board.html", rows=rows, counts=counts, total=page.total, all_count=sum(page.counts.values()),
            page=filters.page, pages=pages, problems=filters.problems, sort=q.sort, descending=q.descending,
            sort_links=sort_links, f=filters.params, states=q.states, units=units,
            categories=[(c, CATEGORIES[c].name()) for c in CATEGORIES], urgencies=URGENCIES,
            all_states=[(s.value, state_label(s)) for s in State],
            prev_link=page_link(filters.page - 1) if filters.page > 1 else None,
            next_link=page_link(filters.page + 1) if filters.page < pages else None,
            export_link=_link("/console/tickets.xlsx", base_params, q.states),
            clear_link="/console/tickets",
        )


def _summary(text: str, limit: int = 40) -> str:
    """A line of the report with phones, IDs and rooms masked (the board shows no personal data)."""
    short = mask(" ".join(text.split()), rooms=True)
    return short if len(short) <= limit else short[: limit - 1] + "…"


def _due(request: web.Request, when: datetime | None) -> str:
    return ticket_service.due_text(when, console_of(request).bot.settings.tz)


async def board_export(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    bot = console_of(request).bot
    filters = parse_filters(request)
    async with bot.db.session() as session:
        page = await board_service.load_board(session, viewer.scope, filters.query, page=1, per_page=EXPORT_LIMIT)
    with using(lang_of(request)):
        body = await asyncio.to_thread(board_workbook, page.rows, bot.settings.tz, filters.query.now)
    stamp = bot.clock.now().astimezone(bot.settings.tz).strftime("%Y%m%d-%H%M")
    return xlsx_download(body, f"tickets-{stamp}.xlsx", f"工单-{stamp}.xlsx")


# ------------------------------------------------------------------ one ticket


async def ticket_page(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    console = console_of(request)
    bot = console.bot
    no = ticket_service.normalise_no(request.match_info["no"])
    async with bot.db.transaction() as session:
        view = await board_service.ticket_view(session, viewer.scope, viewer.actor, no, now=bot.clock.now())
        # the pictures are the resident's own words: shown to exactly those who may read the words
        photos = (await bot.dispatcher.photos.listing(session, view.ticket.id)
                  if view is not None and view.personal and view.ticket.id is not None
                  and bot.dispatcher.photos is not None else [])
    if view is None:
        raise web.HTTPNotFound(text=_not_found(request))
    tz = bot.settings.tz
    ticket = view.ticket

    def when(value: datetime | None) -> str:
        return local_time(value, tz)

    with using(lang_of(request)):
        timeline = [{
            "at": when(e.at), "who": view.names.get(e.actor) or (_("resident") if e.actor != "system" else _("system")),
            "role": role_label(e.actor_role) if e.actor_role else "",
            "action": _(ACTION_LABELS.get(e.action, e.action)),
            "change": (f"{state_label(e.from_state)} → {state_label(e.to_state)}"
                       if e.from_state and e.to_state and e.from_state != e.to_state else ""),
            "note": e.note if e.note and (view.personal or e.action not in RESIDENT_NOTES) else "",
        } for e in view.events]
        facts = [
            (_("State"), state_label(ticket.state)
             + (f" ({resolution_label(ticket.resolution)})" if ticket.resolution else "")),
            (_("Category"), category(ticket.category).name()),
            (_("Urgency"), ticket.urgency),
            (_("Place"), view.place),
            (_("Handler"), view.assignee or "—"),
            (_("Reported"), when(ticket.created_at)),
            (_("Accept by"), when(ticket.accept_due_at)),
            (_("Due"), _due(request, ticket.due_at) + (
                " ⚠ " + _("overdue") if ticket.state in OPEN and ticket.due_at and ticket.due_at < bot.clock.now()
                else "")),
            (_("On site"), when(ticket.on_site_at)),
            (_("Resolved"), when(ticket.resolved_at)),
            (_("Closed"), when(ticket.closed_at)),
            (_("Extended"), _("{days} working days").format(days=ticket.extension_days)
             if ticket.extension_days else "—"),
            (_("Rating"), ticket.satisfaction or "—"),
        ]
        flags = [label for on, label in (
            (ticket.requires_on_site, _("on-site visit required (四必到)")),
            (ticket.report_to_street, _("reported to the street (五必报)")),
            (ticket.supervised, _("supervised (督办)")),
            (ticket.duplicate_count > 0, _("{n} more reporters").format(n=ticket.duplicate_count)),
        ) if on]
        escalations = [{
            "department": view.departments.get(e.department_id, e.department_id), "lead": e.lead,
            "whistled": when(e.whistled_at), "due": when(e.feedback_due), "reported": when(e.reported_at),
            "feedback": (e.feedback or "") if view.personal else ("✓" if e.feedback else ""),
            "late": e.late,
        } for e in view.escalations]
        actions = [{"key": a.key, "label": _(a.label), "fields": a.fields}
                   for a in offered(request, viewer, ticket, set(view.escalated_to))]
        return render(
            request, "ticket.html", ticket=ticket, facts=facts, flags=flags, timeline=timeline,
            escalations=escalations, personal=view.personal, text=ticket.text if view.personal else None,
            reporters=[{"name": r.user_name or _("resident"), "text": r.text,
                                               "at": when(r.joined_at), "original": r.original}
                                              for r in view.reporters] if view.personal else [],
            location=(ticket.location or {}).get("text") if view.personal else None,
            actions=actions, departments=view.all_departments, colleagues=view.colleagues,
            state_label=state_label(ticket.state),
            photos=[{"id": p.id, "at": when(p.created_at), "role": _(PHOTO_ROLES.get(p.role or "", "Photo"))}
                    for p in photos],
        )


PHOTO_ROLES = {"report": N_("the reporter's photo"), "supplement": N_("added by the reporter"),
               "evidence": N_("photo of the work done")}


async def ticket_photo(request: web.Request) -> web.Response:
    """One photo of a ticket (`?thumb=1`: its thumbnail), for exactly those who may read the
    ticket's words; anyone else gets the ticket's own 404. Never cached by the browser or a proxy."""
    viewer = viewer_of(request)
    bot = console_of(request).bot
    no = ticket_service.normalise_no(request.match_info["no"])
    thumb = request.query.get("thumb") == "1"
    async with bot.db.transaction() as session:
        view = await board_service.ticket_view(session, viewer.scope, viewer.actor, no, now=bot.clock.now(),
                                               log=not thumb)  # the page that shows the thumbnails logged it
        photos = (await bot.dispatcher.photos.listing(session, view.ticket.id)
                  if view is not None and view.personal and view.ticket.id is not None
                  and bot.dispatcher.photos is not None else [])
    wanted = request.match_info["photo"]
    photo = next((p for p in photos if str(p.id) == wanted), None)
    if photo is None or bot.dispatcher.photos is None:
        raise web.HTTPNotFound(text=_not_found(request))
    try:
        data = await bot.dispatcher.photos.store.get(photo.thumb_key if thumb else photo.key)
    except (FileNotFoundError, MediaStoreError):
        raise web.HTTPNotFound(text=_not_found(request)) from None
    return web.Response(body=data, content_type="image/jpeg", headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def _not_found(request: web.Request) -> str:
    with using(lang_of(request)):
        return _("There is no such ticket in your area.")


async def ticket_action(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    console = console_of(request)
    bot = console.bot
    no = ticket_service.normalise_no(request.match_info["no"])
    form = await request.post()
    action = BY_KEY.get(str(form.get("action") or ""))
    with using(lang_of(request)):
        async with bot.db.transaction() as session:
            view = await board_service.ticket_view(session, viewer.scope, viewer.actor, no, now=bot.clock.now(),
                                                   log=False)
        if view is None:
            raise web.HTTPNotFound(text=_("There is no such ticket in your area."))
        if action is None or action not in offered(request, viewer, view.ticket, set(view.escalated_to)):
            message = _("That action is not open to you on this ticket now.")
        else:
            try:
                async with bot.db.transaction() as session:
                    work = console.work(session)
                    ticket = await ticket_service.load(work, view.ticket.no)
                    message = await action.run(work, viewer.actor, ticket, form)
            except TransitionError as refusal:
                message = str(refusal)
            else:
                bot.outbox.wake()
        async with bot.db.transaction() as session:
            await console_auth.set_flash(session, viewer.signed, message)
            still = await board_service.ticket_view(session, viewer.scope, viewer.actor, no, now=bot.clock.now(),
                                                    log=False)
    # passed to another grid's worker, say: it has left the viewer's area, so back to the board
    return redirect(f"/console/tickets/{view.ticket.no}" if still else "/console/tickets")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/tickets", board_page)
    app.router.add_get("/tickets.xlsx", board_export)
    app.router.add_get("/tickets/{no}", ticket_page)
    app.router.add_get("/tickets/{no}/photos/{photo}", ticket_photo)
    app.router.add_post("/tickets/{no}", ticket_action)
