"""Login, logout and language pages of the console."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiohttp import web

from bot.console.app import DEMO_LOGINS, LANGS, PRE_TOKEN, VIEWER, console_of, lang_of, redirect, render
from bot.console.security import LANG_COOKIE, SESSION_COOKIE, client_address, drop_cookie, is_https, set_cookie
from bot.console.wecom_login import CALLBACK_PATH, WeComLoginError, authorize_url, userid_for
from bot.i18n import _, using
from bot.roles import role_label
from bot.services import console_auth
from bot.services.languages import set_language
from storage.roster_store import find_member

log = logging.getLogger(__name__)


def _safe_next(value: str | None) -> str:
    """Only a path inside the console: never another site (open redirect)."""
    if not value:
        return "/console/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/console") or value.startswith("//"):
        return "/console/"
    return value


def _signed_in(request: web.Request, token: str, target: str) -> web.StreamResponse:
    console = console_of(request)
    assert console.signer is not None
    response = redirect(_safe_next(target))
    set_cookie(response, request, console.bot.settings.console.secure_cookies, SESSION_COOKIE,
               console.signer.sign(token), max_age=int(console.limits.session_age.total_seconds()))
    return response


async def _demo_people(request: web.Request) -> list[dict[str, str]]:
    if not console_of(request).demo:
        return []
    bot = console_of(request).bot
    people = []
    async with bot.db.session() as session:
        for im_user in DEMO_LOGINS:
            member = await find_member(session, im_user)
            if member is not None:
                grant = member.grants[0]
                people.append({"im_user": im_user, "name": member.name, "role": role_label(grant.role),
                               "unit": grant.unit_name})
    return people


async def login_page(request: web.Request, *, error: str | None = None, status: int = 200,
                     user: str = "") -> web.Response:
    console = console_of(request)
    return render(request, "login.html", status=status, error=error, user=user,
                  next=_safe_next(request.query.get("next")), wecom=console.wecom is not None,
                  demo_people=await _demo_people(request))


async def login_get(request: web.Request) -> web.StreamResponse:
    if request.get(VIEWER) is not None:
        return redirect(_safe_next(request.query.get("next")))
    return await login_page(request)


async def login_post(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = await request.post()
    im_user = str(form.get("user") or "").strip()[:128]
    password = str(form.get("password") or "")
    target = str(form.get("next") or "")
    with using(lang_of(request)):
        if not im_user or not password:
            return await login_page(request, error=_("Enter your user name and password."), status=400,
                                    user=im_user)
        async with console.bot.db.transaction() as session:
            result = await console_auth.password_login(
                session, im_user, password, address=client_address(request), now=console.now(),
                limits=console.limits)
        if result.token is None:
            response = await login_page(request, error=result.refusal, user=im_user,
                                        status=429 if result.retry_after else 401)
            if result.retry_after:
                response.headers["Retry-After"] = str(result.retry_after)
            return response
    log.info("console: %s signed in with a password", im_user)
    return _signed_in(request, result.token, target)


async def demo_login(request: web.Request) -> web.StreamResponse:
    """The demo's one-click logins (no password): only in the demo, only its listed people."""
    console = console_of(request)
    if not console.demo:
        raise web.HTTPNotFound()
    form = await request.post()
    im_user = str(form.get("user") or "")
    if im_user not in DEMO_LOGINS:
        raise web.HTTPBadRequest(text="not a demo login")
    async with console.bot.db.transaction() as session:
        if await find_member(session, im_user) is None:
            raise web.HTTPBadRequest(text="not in the demo roster")
        token = await console_auth.start_session(session, im_user, "demo", now=console.now(),
                                                 limits=console.limits)
    return _signed_in(request, token, str(form.get("next") or ""))


def _callback_url(request: web.Request) -> str:
    console = console_of(request)
    base = console.bot.settings.console.public_url.rstrip("/")
    if not base:
        scheme = "https" if is_https(request, console.bot.settings.console.secure_cookies) else "http"
        base = f"{scheme}://{request.host}"
    return base + CALLBACK_PATH


def _wecom_state(request: web.Request) -> str:
    """The OAuth state of this browser, bound to its pre-login cookie: a callback that comes back to
    another browser (a login link someone was sent) is refused."""
    signer = console_of(request).signer
    assert signer is not None
    return signer.mac("wecom-state", request[PRE_TOKEN])[:32]


async def wecom_start(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    if console.wecom is None:
        raise web.HTTPNotFound()
    state = _wecom_state(request)
    in_app = "wxwork" in request.headers.get("User-Agent", "").lower()
    return redirect(authorize_url(console.bot.settings, redirect_uri=_callback_url(request), state=state,
                                       in_wecom_app=in_app))


async def wecom_callback(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    if console.wecom is None:
        raise web.HTTPNotFound()
    code, state = request.query.get("code", ""), request.query.get("state", "")
    expected = _wecom_state(request)
    with using(lang_of(request)):
        if not code or not state or state != expected:
            return await login_page(request, status=400, error=_(
                "The WeCom login did not come back from this browser's login page. Start again."))
        try:
            userid = await userid_for(console.wecom, code)
        except WeComLoginError as exc:
            log.warning("console: WeCom login refused: %s", exc)
            return await login_page(request, status=401, error=_(
                "WeCom did not confirm who you are (the code may have expired). Start again."))
        async with console.bot.db.transaction() as session:
            if await find_member(session, userid) is None:
                log.warning("console: WeCom user %s is not in the roster", userid)
                return await login_page(request, status=403, error=_(
                    "Your WeCom account is not in the street's roster. Ask the administrator."))
            token = await console_auth.start_session(session, userid, "wecom", now=console.now(),
                                                     limits=console.limits)
    log.info("console: %s signed in with WeCom", userid)
    return _signed_in(request, token, "/console/")


async def logout(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    viewer = request.get(VIEWER)
    if viewer is not None:
        async with console.bot.db.transaction() as session:
            await console_auth.end(session, viewer.token)
    response = redirect("/console/login")
    drop_cookie(response, SESSION_COOKIE)
    return response


async def switch_lang(request: web.Request) -> web.StreamResponse:
    """The language switch (a form, so it carries the CSRF token): a signed-in person's choice is
    their one language preference, the one chat's `语言` sets, so the bot writes to them in it too;
    before login it is kept in this browser only."""
    console = console_of(request)
    form = await request.post()
    chosen = str(form.get("to") or "")
    response = redirect(_safe_next(str(form.get("next") or "")))
    if chosen in LANGS:
        viewer = request.get(VIEWER)
        if viewer is not None:
            async with console.bot.db.transaction() as session:
                await set_language(session, [viewer.signed.im_user], chosen, console.bot.clock.now())
        set_cookie(response, request, console.bot.settings.console.secure_cookies, LANG_COOKIE, chosen,
                   max_age=365 * 86400)
    return response


async def home(request: web.Request) -> web.StreamResponse:
    return redirect("/console/tickets")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/login", login_get)
    app.router.add_post("/login", login_post)
    app.router.add_post("/login/demo", demo_login)
    app.router.add_get("/login/wecom", wecom_start)
    app.router.add_get("/login/wecom/callback", wecom_callback)
    app.router.add_post("/logout", logout)
    app.router.add_post("/lang", switch_lang)

