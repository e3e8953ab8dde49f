"""Signing in to the console: local accounts with argon2, sessions in signed cookies that end at
logout, age or idleness, CSRF tokens on every form, login limits, demo logins, WeCom web login."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.config import Settings
from bot.console.security import PRE_COOKIE, SESSION_COOKIE
from bot.demo_roster import demo_roster
from bot.transport.wecom_api import HttpClient, TokenSource, WeComApi
from storage.models import ConsoleAccount, ConsoleSession
from storage.roster_store import replace_roster
from tests.console.conftest import PASSWORD, Rig, RigFactory
from tests.fakes.fake_wecom import FakeWeCom

SECRETARY = "sec-baxianlou"
OTHER_SECRETARY = "sec-bailifang"


async def test_every_page_but_login_needs_a_session(rig: Rig) -> None:
    browser = await rig.browser()
    for path in ("/console/", "/console/tickets", "/console/tickets.xlsx", "/console/tickets/261102-001"):
        page = await browser.get(path, allow_redirects=False)
        assert page.status == 302, path
        assert page.headers["Location"].startswith("/console/login?next="), path
    login = await browser.get("/console/login")
    assert login.status == 200 and 'name="password"' in login.text


async def test_a_password_login_opens_a_session_in_a_signed_httponly_cookie(rig: Rig) -> None:
    await rig.add_account(SECRETARY)
    browser = await rig.browser()
    await browser.get("/console/login")
    answer = await browser.post("/console/login", {"user": SECRETARY, "password": PASSWORD,
                                                   "next": "/console/tickets?state=reported"},
                                allow_redirects=False)
    assert answer.status == 303
    assert answer.headers["Location"] == "/console/tickets?state=reported"
    cookie = answer.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookie if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Path=/console" in session_cookie
    assert "Secure" not in session_cookie  # plain http here
    board = await browser.get("/console/tickets")
    assert board.status == 200 and 'data-testid="board"' in board.text
    async with rig.bot.db.session() as session:
        account = await session.get(ConsoleAccount, SECRETARY)
        stored = (await session.exec(select(ConsoleSession))).all()
    assert account is not None and account.password_hash.startswith("$argon2id$")
    token = browser.cookie(SESSION_COOKIE).value.rpartition(".")[0]
    assert [s.im_user for s in stored] == [SECRETARY]
    assert token not in {s.token_hash for s in stored}  # only a hash of the token is kept


async def test_behind_https_the_cookies_are_secure(rig: Rig) -> None:
    await rig.add_account(SECRETARY)
    browser = await rig.browser()
    https = {"X-Forwarded-Proto": "https"}
    login = await browser.get("/console/login", headers=https)
    pre = next(c for c in login.headers.getall("Set-Cookie") if c.startswith(PRE_COOKIE + "="))
    assert "Secure" in pre
    value = pre.split(";")[0]
    answer = await browser.post("/console/login", {"user": SECRETARY, "password": PASSWORD},
                                headers=https | {"Cookie": value}, allow_redirects=False)
    assert answer.status == 303
    assert all("Secure" in c for c in answer.headers.getall("Set-Cookie"))


async def test_wrong_password_and_unknown_user_get_the_same_answer(rig: Rig) -> None:
    await rig.add_account(SECRETARY)
    browser = await rig.browser()
    wrong = await browser.login(SECRETARY, "not the password")
    unknown = await browser.login("nobody-here", PASSWORD)
    resident = await browser.login("resident-wang", PASSWORD)
    assert wrong.status == unknown.status == resident.status == 401
    assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in unknown.text
    assert browser.cookie(SESSION_COOKIE) is None


async def test_failed_logins_are_limited_per_account_and_released_after_the_window(rig: Rig) -> None:
    await rig.add_account(SECRETARY)
    browser = await rig.browser()
    for _ in range(5):
        assert (await browser.login(SECRETARY, "guess")).status == 401
    locked = await browser.login(SECRETARY, PASSWORD)  # even the right password waits now
    assert locked.status == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "次数过多" in locked.text
    other = await rig.browser()  # another account from the same address is not locked
    await rig.add_account("cadre-baxianlou")
    assert (await other.login("cadre-baxianlou")).status == 200
    rig.clock.advance(timedelta(minutes=16))
    assert (await browser.login(SECRETARY, PASSWORD)).status == 200


async def test_one_address_trying_many_accounts_is_limited(rig: Rig) -> None:
    browser = await rig.browser()
    for n in range(20):
        assert (await browser.login(f"someone-{n}", "guess")).status == 401
    await rig.add_account(SECRETARY)
    assert (await browser.login(SECRETARY, PASSWORD)).status == 429


async def test_a_form_without_its_csrf_token_is_refused(rig: Rig) -> None:
    await rig.add_account(SECRETARY)
    browser = await rig.browser()
    await browser.get("/console/login")
    refused = await browser.post("/console/login", {"user": SECRETARY, "password": PASSWORD}, csrf=False)
    assert refused.status == 403
    forged = await browser.post("/console/login", {"user": SECRETARY, "password": PASSWORD, "csrf": "0" * 64})
    assert forged.status == 403
    stranger = await rig.browser()  # a token from another browser's page is no good here either
    await stranger.get("/console/login")
    crossed = await browser.post("/console/login", {"user": SECRETARY, "password": PASSWORD,
                                                    "csrf": stranger.csrf or ""})
    assert crossed.status == 403
    assert browser.cookie(SESSION_COOKIE) is None
    # signed in, the token is bound to the session: the pre-login token no longer passes
    pre_login_token = browser.csrf
    assert (await browser.login(SECRETARY)).status == 200
    assert browser.csrf != pre_login_token
    logout = await browser.post("/console/logout", {"csrf": pre_login_token or ""})
    assert logout.status == 403
    assert (await browser.get("/console/tickets")).status == 200  # still signed in


async def test_logout_ends_the_session_for_good(rig: Rig) -> None:
    browser = await rig.as_user(SECRETARY)
    stolen = browser.cookie(SESSION_COOKIE).value
    await browser.get("/console/tickets")
    out = await browser.post("/console/logout", {})
    assert out.status == 200 and "/console/login" in out.url
    assert browser.cookie(SESSION_COOKIE) is None or browser.cookie(SESSION_COOKIE).value == ""
    replay = await rig.browser()
    replay.session.cookie_jar.update_cookies({SESSION_COOKIE: stolen})
    page = await replay.get("/console/tickets", allow_redirects=False)
    assert page.status == 302


async def test_sessions_expire_when_idle_and_at_their_age(rig: Rig) -> None:
    browser = await rig.as_user(SECRETARY)
    rig.clock.advance(timedelta(minutes=59))
    assert (await browser.get("/console/tickets")).status == 200  # activity keeps it alive
    rig.clock.advance(timedelta(minutes=61))
    assert (await browser.get("/console/tickets", allow_redirects=False)).status == 302
    busy = await rig.as_user(SECRETARY)
    for _ in range(9):  # busy all day: still ends 8 hours after login
        rig.clock.advance(timedelta(minutes=55))
        page = await busy.get("/console/tickets", allow_redirects=False)
    assert page.status == 302


async def test_a_person_removed_from_the_roster_is_out_at_once(rig: Rig) -> None:
    browser = await rig.as_user(SECRETARY)
    roster = demo_roster()
    roster.people[:] = [p for p in roster.people if p.im_user != SECRETARY]
    async with rig.bot.db.transaction() as session:
        await replace_roster(session, roster)
    assert (await browser.get("/console/tickets", allow_redirects=False)).status == 302


async def test_a_tampered_cookie_is_no_session(rig: Rig) -> None:
    browser = await rig.as_user(SECRETARY)
    value = browser.cookie(SESSION_COOKIE).value
    token, _dot, mac = value.rpartition(".")
    other = await rig.browser()
    other.session.cookie_jar.update_cookies({SESSION_COOKIE: f"{token}x.{mac}"})
    assert (await other.get("/console/tickets", allow_redirects=False)).status == 302


async def test_next_never_leaves_the_console(rig: Rig) -> None:
    await rig.add_account(SECRETARY)
    browser = await rig.browser()
    for target in ("https://evil.example/", "//evil.example/x", "/api/messages", "javascript:alert(1)"):
        await browser.get("/console/login")
        await browser.post("/console/logout", {}) if browser.cookie(SESSION_COOKIE) else None
        await browser.get("/console/login")
        answer = await browser.post("/console/login", {"user": SECRETARY, "password": PASSWORD, "next": target},
                                    allow_redirects=False)
        assert answer.headers["Location"] == "/console/", target


async def test_pages_carry_security_headers(rig: Rig) -> None:
    browser = await rig.browser()
    page = await browser.get("/console/login")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    css = await browser.get("/console/static/console.css")
    assert css.status == 200 and "font" in css.text


async def test_demo_logins_exist_only_in_the_demo(make_rig: RigFactory) -> None:
    demo = await make_rig(demo=True)
    browser = await demo.browser()
    login = await browser.get("/console/login")
    assert "演示" in login.text and 'data-testid="demo-login-street-secretary"' in login.text
    assert 'data-testid="demo-login-sec-baxianlou"' in login.text
    assert (await browser.demo_login("resident-wang")).status == 400  # only the listed roster people
    page = await browser.demo_login("street-secretary")
    assert page.status == 200 and "街道党工委书记" in page.text
    serve = await make_rig(demo=False)
    plain = await serve.browser()
    login = await plain.get("/console/login")
    assert "demo-login" not in login.text
    assert (await plain.demo_login("street-secretary")).status == 404
    assert plain.cookie(SESSION_COOKIE) is None


# ------------------------------------------------------------------ WeCom web login


@pytest.fixture
async def fake_wecom() -> FakeWeCom:
    fake = FakeWeCom()
    await fake.start()
    yield fake  # type: ignore[misc]
    await fake.close()


def _wecom_settings(settings: Settings, fake: FakeWeCom) -> Settings:
    return settings.model_copy(update={"wecom": settings.wecom.model_copy(update={
        "corp_id": fake.corp_id, "agent_id": 1000002, "secret": fake.secret, "api_base": fake.url})})


async def test_wecom_web_login_turns_a_code_into_the_roster_person(
    make_rig: RigFactory, settings: Settings, fake_wecom: FakeWeCom,
) -> None:
    from pydantic import SecretStr

    wecom_settings = _wecom_settings(settings, fake_wecom)
    wecom_settings.wecom.secret = SecretStr(fake_wecom.secret)
    api = WeComApi(fake_wecom.url, TokenSource.wecom(fake_wecom.corp_id, fake_wecom.secret), http=HttpClient(),
                   max_attempts=2, backoff=0.0)
    rig = await make_rig(demo=False, wecom=api, settings_=wecom_settings)
    browser = await rig.browser()
    login = await browser.get("/console/login")
    assert 'data-testid="wecom-login"' in login.text
    start = await browser.get("/console/login/wecom", allow_redirects=False)
    assert start.status == 303
    target = urlsplit(start.headers["Location"])
    query = parse_qs(target.query)
    assert target.netloc == "login.work.weixin.qq.com"
    assert query["appid"] == [fake_wecom.corp_id] and query["agentid"] == ["1000002"]
    assert query["redirect_uri"][0].endswith("/console/login/wecom/callback")
    state = query["state"][0]
    inside_app = await browser.get("/console/login/wecom", allow_redirects=False,
                                   headers={"User-Agent": "Mozilla/5.0 wxwork/4.1.0"})
    assert urlsplit(inside_app.headers["Location"]).netloc == "open.weixin.qq.com"

    # WeCom sends the browser back with a code: the userid behind it is the roster's secretary
    code = fake_wecom.login_code(SECRETARY)
    back = await browser.get(f"/console/login/wecom/callback?code={code}&state={state}")
    assert back.status == 200 and "/console/tickets" in back.url
    assert "社区书记" in back.text
    asked = fake_wecom.calls("/cgi-bin/auth/getuserinfo")
    assert asked[-1].query["code"] == code and asked[-1].query["access_token"]

    # the same code again (a replay), a code with another browser's state, non-members, strangers
    again = await rig.browser()
    await again.get("/console/login")
    assert (await again.get(f"/console/login/wecom/callback?code={code}&state={state}")).status == 400
    start = await again.get("/console/login/wecom", allow_redirects=False)
    own_state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    assert (await again.get(f"/console/login/wecom/callback?code={code}&state={own_state}")).status == 401
    outsider = fake_wecom.login_code("openid:o-123")
    assert (await again.get(f"/console/login/wecom/callback?code={outsider}&state={own_state}")).status == 401
    not_in_roster = fake_wecom.login_code("zhangsan")
    refused = await again.get(f"/console/login/wecom/callback?code={not_in_roster}&state={own_state}")
    assert refused.status == 403 and "花名册" in refused.text
    fake_wecom.inject("/cgi-bin/auth/getuserinfo", 500, 500)
    down = await again.get(f"/console/login/wecom/callback?code={fake_wecom.login_code(SECRETARY)}"
                           f"&state={own_state}")
    assert down.status == 401
    assert again.cookie(SESSION_COOKIE) is None


async def test_without_the_wecom_app_there_is_no_wecom_login(rig: Rig) -> None:
    browser = await rig.browser()
    assert 'data-testid="wecom-login"' not in (await browser.get("/console/login")).text
    assert (await browser.get("/console/login/wecom", allow_redirects=False)).status == 404


# ------------------------------------------------------------------ gridbot console add-user


def test_add_user_sets_an_argon2_password_for_roster_people_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/cli.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["roster", "import", "demo", "--db", url]).exit_code == 0
    made = runner.invoke(cli, ["console", "add-user", SECRETARY, "--password-stdin", "--db", url],
                         input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert "created" in made.output
    again = runner.invoke(cli, ["console", "add-user", SECRETARY, "--db", url],
                          input=f"{PASSWORD}2\n{PASSWORD}2\n")
    assert again.exit_code == 0 and "updated" in again.output
    stranger = runner.invoke(cli, ["console", "add-user", "nobody", "--password-stdin", "--db", url],
                             input=PASSWORD + "\n")
    assert stranger.exit_code == 1 and "nobody" in stranger.output
    weak = runner.invoke(cli, ["console", "add-user", OTHER_SECRETARY, "--password-stdin", "--db", url],
                         input="short\n")
    assert weak.exit_code == 1
