"""The web console under /console/: an aiohttp sub-application mounted by `gridbot serve` and by the
demo. Pages are rendered on the server from Jinja2 templates (autoescaped) with the bot's gettext
catalogs; the only static asset is the stylesheet in this package, so it works offline.

Every request passes the middleware: security headers, the session (signed cookie → live session →
roster member), the login wall, and the CSRF check of every form."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import App
from bot.clock import Clock
from bot.console.security import (
    LANG_COOKIE,
    PRE_COOKIE,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    Signer,
    drop_cookie,
    new_pre_token,
    set_cookie,
)
from bot.i18n import N_, _, using
from bot.roles import role_labels
from bot.services import access, console_auth, languages
from bot.services import tickets as ticket_service
from bot.services.work import Work
from bot.transport.wecom_api import WeComApi

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PUBLIC = ("/console/login", "/console/static/", "/console/lang")
LANGS = ("zh_CN", "en")
DEMO_LOGINS = ("street-secretary", "sec-baxianlou", "cadre-baxianlou", "gw-baxianlou-1", "dept-zhujian", "admin")


@dataclass
class Console:
    bot: App
    demo: bool = False
    wecom: WeComApi | None = None  # set when WeCom web login is on
    signer: Signer | None = None  # set at start-up (the key may live in the database)
    session_clock: Clock | None = None  # the demo's sessions keep real time while its bot clock jumps
    templates: jinja2.Environment = field(default_factory=lambda: jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined))

    @property
    def limits(self) -> console_auth.Limits:
        return console_auth.Limits.of(self.bot.settings.console)

    def now(self) -> datetime:
        """The time sessions and login limits are measured by."""
        return (self.session_clock or self.bot.clock).now()

    @property
    def people_platform(self) -> str:
        return self.bot.job_context.people_platform

    def work(self, session: AsyncSession) -> Work:
        """A unit of work for a service call, as a chat command gets from its context."""
        bot = self.bot
        return Work(session, bot.clock.now(), bot.settings.tz, bot.calendar, self.people_platform)

    def chat_allows(self, word: str, roles: frozenset[str]) -> bool:
        """Whether the chat command `word` is open to these roles: a console form standing for a chat
        command is offered to exactly the roles the command's registry entry names."""
        spec = self.bot.registry.command(word)
        return spec is not None and spec.allowed(roles)


CONSOLE_KEY = web.AppKey("console", Console)


@dataclass
class Viewer:
    """The signed-in person of this request."""

    signed: console_auth.Signed
    token: str
    csrf: str
    language: str | None = None  # the person's own choice (chat's `语言`, the console's switch)

    @property
    def member(self) -> Any:
        return self.signed.member

    @cached_property
    def scope(self) -> access.Scope:
        return access.scope_of(self.member)

    @cached_property
    def actor(self) -> ticket_service.Actor:
        return ticket_service.Actor(self.signed.im_user, self.member.name, self.member, "console")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.member.roles)


VIEWER = web.RequestKey("viewer", Viewer)
PRE_TOKEN = web.RequestKey("pre_token", str)
FLASH = web.RequestKey("flash", str)


def console_of(request: web.Request) -> Console:
    return request.config_dict[CONSOLE_KEY]


def viewer_of(request: web.Request) -> Viewer:
    viewer = request.get(VIEWER)
    if viewer is None:
        raise web.HTTPUnauthorized()
    return viewer  # type: ignore[no-any-return]


def lang_of(request: web.Request) -> str:
    """The page's language: a signed-in person's own choice, which chat speaks to them in too;
    otherwise (before login, or never chosen) the browser's switch, then the bot's language."""
    viewer = request.get(VIEWER)
    if viewer is not None and viewer.language in LANGS:
        return viewer.language  # type: ignore[no-any-return]
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGS else console_of(request).bot.settings.locale


def csrf_for(request: web.Request) -> str:
    """The CSRF token for forms on this page: bound to the session, or to the pre-session cookie."""
    console, viewer = console_of(request), request.get(VIEWER)
    assert console.signer is not None
    if viewer is not None:
        return viewer.csrf
    pre = request.get(PRE_TOKEN)
    assert pre, "pre-session token missing"
    return console.signer.csrf("pre:" + pre)


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    console = console_of(request)
    lang = lang_of(request)
    viewer: Viewer | None = request.get(VIEWER)
    with using(lang):
        html = console.templates.get_template(template).render(
            _=_, lang=lang, demo=console.demo, viewer=viewer, csrf=csrf_for(request), path=request.path_qs,
            who=(f"{viewer.member.name} · {role_labels(viewer.roles)}" if viewer else ""),
            flash=request.get(FLASH), nav=_nav(viewer), **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _nav(viewer: Viewer | None) -> list[tuple[str, str]]:
    """The header's pages this viewer may open: (path, label msgid)."""
    if viewer is None:
        return []
    pages = [("/console/tickets", N_("Tickets")), ("/console/dashboard", N_("Dashboard"))]
    if viewer.roles & access.CADRE_WATCHERS:
        pages.append(("/console/cadres", N_("Cadres' duties")))
    if viewer.roles & access.ROSTER_EDITORS:
        pages.append(("/console/roster", N_("Roster")))
    if viewer.roles & access.OPERATORS:
        pages.append(("/console/messages", N_("Messages")))
    return pages


def redirect(location: str, status: int = 303) -> web.Response:
    """A redirect answer (303 after a form: the browser follows with a GET)."""
    return web.Response(status=status, headers={"Location": location})


async def flash_and_go(request: web.Request, message: str, location: str) -> web.Response:
    """After a form: `message` is shown once on the next page (the session's flash), and a 303 there."""
    console, viewer = console_of(request), viewer_of(request)
    async with console.bot.db.transaction() as session:
        await console_auth.set_flash(session, viewer.signed, message)
    return redirect(location)


def local_time(value: datetime | None, tz: ZoneInfo, empty: str = "—") -> str:
    """A moment as the street reads it on a page or in a download: local date and minute."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else empty


def refuse(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "error.html", status=status, message=message)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def only(roles: frozenset[str], refusal: str) -> Callable[[Handler], Handler]:
    """A page for `roles` only: anyone else signed in gets 403 and `refusal` (a msgid, marked N_)
    in their language."""

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            if not viewer_of(request).roles & roles:
                with using(lang_of(request)):
                    return refuse(request, 403, _(refusal))
            return await handler(request)

        return guarded

    return wrap


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    console = console_of(request)
    assert console.signer is not None
    bot = console.bot
    now = console.now()
    pre = console.signer.unsign(request.cookies.get(PRE_COOKIE))
    new_pre = None
    if pre is None:
        pre = new_pre = new_pre_token()
    request[PRE_TOKEN] = pre
    token = console.signer.unsign(request.cookies.get(SESSION_COOKIE))
    ended = False
    if token:
        async with bot.db.transaction() as session:
            signed = await console_auth.resume(session, token, now=now, limits=console.limits)
            if signed is not None:
                flash = await console_auth.take_flash(session, signed) if request.method == "GET" else None
                if flash:
                    request[FLASH] = flash
                request[VIEWER] = Viewer(signed, token, console.signer.csrf("session:" + token),
                                         await languages.language_of(session, signed.im_user))
            else:
                ended = True
    public = request.path.startswith(PUBLIC)
    try:
        if request.method == "POST":
            form = await request.post()
            bound = ("session:" + token) if request.get(VIEWER) and token else "pre:" + pre
            if not console.signer.check_csrf(bound, str(form.get("csrf") or "")):
                with using(lang_of(request)):
                    response: web.StreamResponse = refuse(request, 403, _(
                        "This form has expired or did not come from the console. Go back, reload the page "
                        "and send it again."))
            else:
                response = await handler(request) if public or request.get(VIEWER) else _to_login(request)
        elif not public and request.get(VIEWER) is None:
            response = _to_login(request)
        else:
            response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "text/html" and request.method == "GET":
            with using(lang_of(request)):
                response = refuse(request, exc.status, exc.text or exc.reason)
        else:
            raise
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # pages hold personal data: never cached; the stylesheet may be, for an hour
    response.headers.setdefault("Cache-Control", "max-age=3600" if request.path.startswith("/console/static/")
                                else "no-store")
    if new_pre is not None:
        set_cookie(response, request, bot.settings.console.secure_cookies, PRE_COOKIE, console.signer.sign(new_pre))
    if ended:
        drop_cookie(response, SESSION_COOKIE)
    return response


def _to_login(request: web.Request) -> web.StreamResponse:
    target = request.path_qs if request.method == "GET" else "/console/"
    return redirect(f"/console/login?next={quote(target, safe='')}", 302)


async def _start(app: web.Application) -> None:
    console = app[CONSOLE_KEY]
    configured = console.bot.settings.console.secret_key
    async with console.bot.db.transaction() as session:
        key = await console_auth.signing_key(session, configured.get_secret_value() if configured else None,
                                             console.bot.clock.now())
    console.signer = Signer(key)


async def _close(app: web.Application) -> None:
    wecom = app[CONSOLE_KEY].wecom
    if wecom is not None:
        await wecom.http.close()


def make_console(bot: App, *, demo: bool = False, wecom: WeComApi | None = None,
                 session_clock: Clock | None = None) -> web.Application:
    """The console as a sub-application: `web_app.add_subapp("/console", make_console(bot))`.
    `wecom` defaults to the configured WeCom app when it can do web login."""
    from bot.console import auth_views, cadre_views, dashboard_views, message_views, roster_views, ticket_views
    from bot.console.wecom_login import wecom_api_for

    console = Console(bot, demo=demo, wecom=wecom or wecom_api_for(bot.settings), session_clock=session_clock)
    app = web.Application(middlewares=[guard])  # the body limit is the parent app's
    app[CONSOLE_KEY] = console
    auth_views.add_routes(app)
    ticket_views.add_routes(app)
    roster_views.add_routes(app)
    message_views.add_routes(app)
    dashboard_views.add_routes(app)
    cadre_views.add_routes(app)
    app.router.add_static("/static/", HERE / "static", append_version=True)
    app.on_startup.append(_start)
    app.on_cleanup.append(_close)
    return app


def mount_console(web_app: web.Application, bot: App, *, demo: bool = False, wecom: WeComApi | None = None,
                  session_clock: Clock | None = None) -> None:
    """Serve the console under /console/ (and send /console there)."""

    async def to_console(request: web.Request) -> web.Response:
        return redirect("/console/", 302)

    web_app.router.add_get("/console", to_console)
    web_app.add_subapp("/console", make_console(bot, demo=demo, wecom=wecom, session_clock=session_clock))
