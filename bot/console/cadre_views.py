"""干部履职: the stationed cadres of the viewer's area for a month, the quarterly ranking, the
red-line indicators (worded as indicators), and the 附件5 / 附件6 downloads (the same writers as
`gridbot report monthly` / `report projects`)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from bot.console.app import Viewer, console_of, flash_and_go, lang_of, only, refuse, render, viewer_of
from bot.console.export import written, xlsx_download
from bot.domain.checkins import MEETING_TYPES
from bot.domain.periods import in_years, parse_month
from bot.domain.tickets import TransitionError
from bot.forms.monthly import write_monthly
from bot.forms.projects import write_projects
from bot.i18n import N_, _, using
from bot.services import access, cadre_duties, duties
from bot.services.reports import previous_month_of


def _month(request: web.Request) -> tuple[int, int]:
    raw = request.query.get("month", "")
    if raw:
        try:
            year, month = parse_month(raw)
        except ValueError:
            year = 0
        if in_years(year):
            return year, month
    bot = console_of(request).bot
    return previous_month_of(bot.clock.now().astimezone(bot.settings.tz).date())


_CADRE_WATCHERS = only(access.CADRE_WATCHERS, N_("The cadres' duties are for the street, the community "
                                                  "secretaries and the cadres themselves."))


# The secretary's records about a cadre, each the chat command it stands for (its registry roles
# decide who gets the form) and the duties service call that command makes.
RECORDS = {"talk": "谈话", "absent": "不在岗"}


def _recording(request: web.Request, viewer: Viewer) -> list[str]:
    """The records (RECORDS keys) this viewer may make, as chat lets them."""
    console = console_of(request)
    return [key for key, word in RECORDS.items() if console.chat_allows(word, viewer.roles)]


@_CADRE_WATCHERS
async def cadres_page(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    console = console_of(request)
    bot = console.bot
    year, month = _month(request)
    records = _recording(request, viewer)
    async with bot.db.session() as session:
        page = await cadre_duties.month_page(session, viewer.scope, year=year, month=month, tz=bot.settings.tz,
                                             calendar=bot.calendar, evening_hour=bot.settings.duties.evening_hour)
        recordable = {c.id for c in await duties.cadres_in_area(console.work(session), viewer.member)} \
            if records else set()
    return render(request, "cadres.html", page=page, month=f"{year}-{month:02d}", year=year, records=records,
                  recordable=recordable, meetings=list(MEETING_TYPES) if console.chat_allows("会议", viewer.roles)
                  else [], confirms=viewer.member.person_id if console.chat_allows("确认报表", viewer.roles) else None,
                  many_blanks=duties.MANY_BLANKS)


@_CADRE_WATCHERS
async def confirm(request: web.Request) -> web.Response:
    """The viewer's own 附件5 of a month confirmed (确认报表), for the roles of the chat command, by
    its service call. With many blank items the form asks the cadre to tick that they saw them: the
    second “确认” chat asks for."""
    viewer = viewer_of(request)
    console = console_of(request)
    form = await request.post()
    month = str(form.get("month") or "").strip()[:7]
    back = "/console/cadres" + (f"?month={quote(month)}" if month else "")
    with using(lang_of(request)):
        if not console.chat_allows("确认报表", viewer.roles):
            return refuse(request, 403, _("Only stationed cadres confirm their own monthly form 5, as in chat."))
        async with console.bot.db.transaction() as session:
            try:
                message = await duties.confirm_report(console.work(session), viewer.member.person_id, month,
                                                      console.bot.settings.duties.evening_hour,
                                                      blanks_seen=form.get("blanks_seen") == "1")
            except TransitionError as refusal:
                message = str(refusal)
        return await flash_and_go(request, message, back)


@_CADRE_WATCHERS
async def meeting(request: web.Request) -> web.Response:
    """A meeting the viewer attended or held (支委会, 两委联席, 居民代表, or the street's quarterly
    交流会, which the street secretary's duty counts), for the roles of chat's 会议, by its service call."""
    viewer = viewer_of(request)
    console = console_of(request)
    form = await request.post()
    with using(lang_of(request)):
        if not console.chat_allows("会议", viewer.roles):
            return refuse(request, 403, _("Only stationed cadres and secretaries record meetings, as in chat."))
        async with console.bot.db.transaction() as session:
            try:
                message = await duties.meeting(console.work(session), viewer.member.person_id,
                                               str(form.get("kind") or "").strip())
            except TransitionError as refusal:
                message = str(refusal)
        return await flash_and_go(request, message, "/console/cadres")


@_CADRE_WATCHERS
async def record(request: web.Request) -> web.Response:
    """A talk (谈话) or a spot check's absence (不在岗) recorded for a cadre of the viewer's own
    units: the chat command's roles, its list of cadres and its service call."""
    viewer = viewer_of(request)
    console = console_of(request)
    key, person_id = request.match_info["record"], request.match_info["person"]
    form = await request.post()
    back = "/console/cadres" + (f"?month={quote(str(form['month']))}" if form.get("month") else "")
    if key not in RECORDS:
        raise web.HTTPNotFound()
    with using(lang_of(request)):
        if key not in _recording(request, viewer):
            return refuse(request, 403, _("Only the street and community secretaries record talks and spot "
                                          "checks, as in chat."))
        async with console.bot.db.transaction() as session:
            work = console.work(session)
            cadre = next((c for c in await duties.cadres_in_area(work, viewer.member) if c.id == person_id), None)
            if cadre is None:
                raise web.HTTPNotFound(text=_("There is no such cadre in your area."))
            try:
                if key == "talk":
                    message = await duties.talk(work, viewer.member.person_id, cadre.name, [cadre])
                else:
                    message = await duties.spot_check_absent(work, [cadre], cadre.name)
            except TransitionError as refusal:
                message = str(refusal)
        return await flash_and_go(request, message, back)


@_CADRE_WATCHERS
async def monthly_download(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    bot = console_of(request).bot
    year, month = _month(request)
    async with bot.db.session() as session:
        found = await cadre_duties.monthly_form(session, viewer.scope, request.match_info["person"], year=year,
                                                month=month, tz=bot.settings.tz,
                                                evening_hour=bot.settings.duties.evening_hour)
    if found is None:
        with using(lang_of(request)):
            raise web.HTTPNotFound(text=_("There is no such cadre in your area."))
    posting, form = found
    return xlsx_download(await written(lambda path: write_monthly(form, path)), f"monthly-{year}-{month:02d}.xlsx",
                         f"附件5-{posting.community.name}-{posting.person.name}-{year}-{month:02d}.xlsx")


@_CADRE_WATCHERS
async def projects_download(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    bot = console_of(request).bot
    year = _month(request)[0]
    if request.query.get("year", "").isdigit() and in_years(int(request.query["year"])):
        year = int(request.query["year"])
    async with bot.db.session() as session:
        blocks = await cadre_duties.projects_form(session, viewer.scope, year=year, tz=bot.settings.tz)
    return xlsx_download(await written(lambda path: write_projects(year, blocks, path)), f"projects-{year}.xlsx",
                         f"附件6-{year}.xlsx")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/cadres", cadres_page)
    app.router.add_get("/cadres/projects.xlsx", projects_download)
    app.router.add_get("/cadres/{person}/monthly.xlsx", monthly_download)
    app.router.add_post("/cadres/meeting", meeting)
    app.router.add_post("/cadres/confirm", confirm)
    app.router.add_post("/cadres/{person}/{record}", record)
