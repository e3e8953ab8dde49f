"""A person's language is one setting: the console reads and sets the preference chat's `语言` keeps
(so the bot writes to them in the language they picked in the browser, and the other way round);
before login the switch is this browser's only; the switch is a form with its CSRF token."""

from __future__ import annotations

from bot.services.languages import language_of
from tests.console.conftest import Rig

ENGLISH_PAGE = '<html lang="en">'
CHINESE_PAGE = '<html lang="zh-CN">'


async def _language(rig: Rig, user: str) -> str | None:
    async with rig.bot.db.session() as session:
        return await language_of(session, user)


async def test_chat_and_console_share_one_language_per_person(rig: Rig) -> None:
    await rig.say("sec-baxianlou", "语言 English")
    secretary = await rig.as_user("sec-baxianlou")
    assert ENGLISH_PAGE in (await secretary.get("/console/tickets")).text  # chose in chat: the console follows
    switched = await secretary.post("/console/lang", {"to": "zh_CN", "next": "/console/dashboard"})
    assert switched.url.endswith("/console/dashboard") and CHINESE_PAGE in switched.text
    assert await _language(rig, "sec-baxianlou") == "zh_CN"
    answer = "\n".join(m.text for m in await rig.say("sec-baxianlou", "帮助"))
    assert "您可以使用的命令" in answer and "Commands for you" not in answer  # chose in the console: chat follows


async def test_before_login_the_switch_is_the_browser_s_and_a_person_s_choice_wins_after(rig: Rig) -> None:
    await rig.say("gw-baxianlou-1", "语言 中文")
    await rig.add_account("gw-baxianlou-1")
    browser = await rig.browser()
    await browser.get("/console/login")
    login = await browser.post("/console/lang", {"to": "en", "next": "/console/login"})
    assert ENGLISH_PAGE in login.text and browser.cookie("gridbot_lang").value == "en"
    signed_in = await browser.post("/console/login", {"user": "gw-baxianlou-1", "password": "correct horse battery"})
    assert "/console/tickets" in signed_in.url and CHINESE_PAGE in signed_in.text  # the person chose 中文
    assert await _language(rig, "cadre-baxianlou") is None  # nobody's preference came from the login page
    newcomer = await rig.browser()  # a person who never chose: the browser's switch still counts
    await newcomer.get("/console/login")
    await newcomer.post("/console/lang", {"to": "en", "next": "/console/login"})
    await rig.add_account("cadre-baxianlou")
    assert ENGLISH_PAGE in (await newcomer.post("/console/login", {"user": "cadre-baxianlou",
                                                                   "password": "correct horse battery"})).text
    assert await _language(rig, "cadre-baxianlou") is None


async def test_the_switch_is_a_form_with_its_token(rig: Rig) -> None:
    secretary = await rig.as_user("sec-baxianlou")
    refused = await secretary.post("/console/lang", {"to": "en", "next": "/console/tickets"}, csrf=False)
    assert refused.status == 403 and await _language(rig, "sec-baxianlou") is None
    assert (await secretary.get("/console/lang?to=en")).status == 405
    assert await _language(rig, "sec-baxianlou") is None
    unknown = await secretary.post("/console/lang", {"to": "fr", "next": "/console/tickets"})
    assert unknown.status == 200 and await _language(rig, "sec-baxianlou") is None
