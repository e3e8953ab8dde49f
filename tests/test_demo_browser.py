"""The demo end to end in a real headless browser (Playwright driving Debian's Chromium), plus the
HTTP routes the page uses for digest charts and the monthly form.

The browser test runs the real demo server (`make_demo_app`: SQLite, built-in demo roster, demo
clock) on a free port in a background thread. It skips when Chromium or Playwright is missing,
except in CI (`CI` or `GRIDBOT_REQUIRE_BROWSER` set), where a missing browser fails.
`GRIDBOT_SCREENSHOT=docs/demo.png` writes the README's screenshot there."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import os
import re
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.clock import OffsetClock
from bot.config import Settings, load_settings
from bot.demo_server import make_demo_app
from tests.conftest import local
from tests.photo_files import phone_jpeg

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REQUIRED = any(os.environ.get(v, "").strip().lower() not in ("", "0", "false", "no")
               for v in ("CI", "GRIDBOT_REQUIRE_BROWSER"))
START = local(2026, 11, 30, 10, 0)  # Monday, the last day of a month: +1 day brings daily and monthly digests
GROUP, RESIDENT, CADRE, SECRETARY = "demo-baxianlou-1", "resident-wang", "cadre-baxianlou", "sec-baxianlou"
TICKET_NO = re.compile(r"\d{6}-\d{3}")
WAIT = 20_000  # ms


def _browser_missing() -> str | None:
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the Python package playwright (pip install playwright)")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    return " and ".join(missing) or None


def _demo_settings(tmp_path: Path) -> Settings:
    return load_settings(None, database__url=f"sqlite+aiosqlite:///{tmp_path}/demo.db",
                         files_dir=tmp_path / "files")


# ------------------------------------------------------------------ HTTP routes (no browser)


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    client = TestClient(TestServer(await make_demo_app(_demo_settings(tmp_path), OffsetClock(START))))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_files_are_served_by_plain_name_only(demo: TestClient[Any, Any], tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir(exist_ok=True)
    (folder / "digest-abc.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "secret.png").write_bytes(b"not yours")
    (folder / "notes.txt").write_text("not a bot file")
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    ok = await demo.get("/files/digest-abc.png")
    assert ok.status == 200
    assert ok.headers["Content-Type"] == "image/png"
    assert ok.headers["X-Content-Type-Options"] == "nosniff"
    assert await ok.read() == b"\x89PNG\r\n\x1a\nfake"
    for bad in ("../secret.png", "..%2Fsecret.png", "%2E%2E%2Fsecret.png", ".hidden.png", "notes.txt",
                "missing.png", "link.png", "digest-abc.png%00.txt"):
        assert (await demo.get(f"/files/{bad}")).status == 404, bad


async def test_the_monthly_form_downloads_as_xlsx(demo: TestClient[Any, Any]) -> None:
    response = await demo.get(f"/api/forms/monthly?cadre={CADRE}&month=2026-10")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "2026-10" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await response.read()))["附件5"]
    assert sheet["A2"].value == "（2026年10月）"
    assert "八仙楼社区" in str(sheet["A3"].value)
    default = await demo.get(f"/api/forms/monthly?cadre={CADRE}")  # the demo clock's previous month
    assert load_workbook(io.BytesIO(await default.read()))["附件5"]["A2"].value == "（2026年10月）"


@pytest.mark.parametrize(("query", "says"), [
    ("month=2026-10", "cadre"),
    (f"cadre={CADRE}&month=2026-13", "month"),
    (f"cadre={CADRE}&month=October", "month"),
    (f"cadre={CADRE}&month=1900-01", "range"),
    ("cadre=nobody&month=2026-10", "not a stationed cadre"),
    (f"cadre={RESIDENT}&month=2026-10", "not a stationed cadre"),
    (f"cadre={SECRETARY}&month=2026-10", "not a stationed cadre"),
])
async def test_bad_form_requests_are_refused(demo: TestClient[Any, Any], query: str, says: str) -> None:
    response = await demo.get(f"/api/forms/monthly?{query}")
    assert response.status == 400
    assert says in await response.text()


# ------------------------------------------------------------------ the browser


@dataclass
class RunningDemo:
    url: str
    files_dir: Path


@pytest.fixture
def running_demo(tmp_path: Path) -> Iterator[RunningDemo]:
    """The real demo server on a free port, on its own event loop in a background thread."""
    settings = _demo_settings(tmp_path)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, Any] = {}

    async def start() -> None:
        runner = web.AppRunner(await make_demo_app(settings, OffsetClock(START)))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state["runner"] = runner
        state["port"] = runner.addresses[0][1]

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as exc:  # reported to the test below
            state["error"] = exc
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="demo-server", daemon=True)
    thread.start()
    assert started.wait(60), "the demo server did not start"
    if "error" in state:
        raise state["error"]
    try:
        yield RunningDemo(f"http://127.0.0.1:{state['port']}", settings.files_dir)
    finally:
        asyncio.run_coroutine_threadsafe(state["runner"].cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if REQUIRED:
            pytest.fail(f"the browser test is required here (CI / GRIDBOT_REQUIRE_BROWSER) but needs {missing}")
        pytest.skip(f"needs {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _say(page: Any, user: str, text: str) -> str:
    """Speak as `user` in the open chat; returns the bot's answer (the next bot bubble)."""
    page.select_option("[data-testid=speaker]", user)
    bubbles = page.locator("[data-testid=log] .msg.bot .bubble")
    page.wait_for_selector("[data-testid=log]:not([data-loading])", state="attached")  # reloaded for the speaker
    before = bubbles.count()
    page.fill("[data-testid=text]", text)
    page.click("[data-testid=send]")
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n",
                           arg=["[data-testid=log] .msg.bot .bubble", before], timeout=WAIT)
    return str(bubbles.last.inner_text())


def test_a_ticket_from_report_to_rating_and_a_digest_in_the_browser(
    browser: Any, running_demo: RunningDemo, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(running_demo.url)
    expect(page.locator("[data-testid=clock]")).to_contain_text("2026-11-30")

    # a resident picks the grid group and reports a problem; the reply carries a ticket number
    page.click(f"nav button[data-chat={GROUP}]")
    expect(page.locator("#title")).to_contain_text("八仙楼社区")
    filed = _say(page, RESIDENT, "3号楼电梯坏了，老人下不了楼")
    match = TICKET_NO.search(filed)
    assert match, filed
    no = match.group()
    assert no.startswith("261130-")
    ticket = page.locator(f"[data-testid=ticket-{no}]")
    expect(ticket).to_be_visible(timeout=WAIT)

    # the group's stationed cadre accepts and resolves it (on-site check first if the rules want one)
    assert "已受理" in _say(page, CADRE, f"受理 {no}")
    done = _say(page, CADRE, f"办结 {no} 已修好")
    if "到场" in done:  # 四必到 matters are visited before they can be resolved
        _say(page, CADRE, f"到场 {no}")
        done = _say(page, CADRE, f"办结 {no} 已修好")
    assert "已办结" in done, done

    # the resident rates it; the side panel shows it closed
    assert "已结案" in _say(page, RESIDENT, f"评价 {no} 满意")
    expect(ticket).to_have_attribute("data-state", "closed", timeout=WAIT)
    expect(ticket.locator(".state")).to_have_text("已结案")

    # the clock moves to Tuesday 1 December: the community secretary's morning digest (08:30) and
    # the monthly digest with its chart (09:30) arrive in the side panel
    page.click("[data-testid=plus-day]")
    expect(page.locator("[data-testid=clock]")).to_contain_text("2026-12-01", timeout=WAIT)
    digests = page.locator("[data-testid=digests] .note[data-kind=digest]")
    morning = digests.filter(has_text="早报").filter(has_text=no)
    expect(morning.first).to_be_visible(timeout=WAIT)
    monthly = digests.filter(has_text="2026-11").filter(has=page.locator("img"))
    expect(monthly.first).to_be_visible(timeout=WAIT)
    chart = monthly.first.locator("img").first
    assert re.fullmatch(r"/files/digest-[0-9a-f]+\.png", str(chart.get_attribute("src")))
    page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=chart.element_handle(),
                           timeout=WAIT)
    assert list(running_demo.files_dir.glob("digest-*.png"))

    # the screenshot for the README: the resident's view after the day moved on
    page.wait_for_selector("[data-testid=log]:not([data-loading])", state="attached")
    expect(page.locator("[data-testid=notices] .note").first).to_be_visible(timeout=WAIT)  # 受理/办结 notices
    page.locator("[data-testid=log]").evaluate("log => { log.scrollTop = log.scrollHeight; }")
    shot = tmp_path / "demo.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("GRIDBOT_SCREENSHOT"):
        target = Path(os.environ["GRIDBOT_SCREENSHOT"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shot.read_bytes())

    # the community secretary has both digests privately too
    page.select_option("[data-testid=speaker]", SECRETARY)
    notices = page.locator("[data-testid=notices] .note[data-kind=digest]")
    expect(notices.filter(has_text="早报").first).to_be_visible(timeout=WAIT)
    expect(notices.filter(has_text="2026-11").locator("img").first).to_be_visible(timeout=WAIT)

    # the cadre's 附件5 for November downloads as .xlsx, filled in from the ticket
    link = page.locator("a[data-testid=monthly-form]")
    expect(link).to_have_attribute("href", re.compile(rf"cadre={CADRE}&month=2026-11$"), timeout=WAIT)
    with page.expect_download(timeout=WAIT) as info:
        link.click()
    saved = tmp_path / "form.xlsx"
    info.value.save_as(saved)
    assert info.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(saved)
    assert book["附件5"]["A2"].value == "（2026年11月）"
    assert {row[0]: row[2] for row in book["数据"].iter_rows(min_row=2, values_only=True)}["info_raised"] == 1

    # English by the switch
    page.select_option("#lang", "en")
    expect(page.locator("[data-testid=send]")).to_have_text("Send", timeout=WAIT)
    expect(ticket.locator(".state")).to_have_text("closed", timeout=WAIT)

    assert errors == []
    context.close()


def test_the_demo_fits_a_phone(browser: Any, running_demo: RunningDemo, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    page.goto(running_demo.url)
    page.click(f"nav button[data-chat={GROUP}]")
    expect(page.locator("#title")).to_contain_text("八仙楼社区")
    picture = tmp_path / "lamp.jpg"
    picture.write_bytes(phone_jpeg((640, 480), "orange"))
    page.select_option("[data-testid=speaker]", RESIDENT)
    page.wait_for_selector("[data-testid=log]:not([data-loading])", state="attached")
    page.set_input_files("[data-testid=photo-file]", str(picture))  # a real photo from the phone
    expect(page.locator("[data-testid=log] .msg.me .bubble").last).to_have_text("[照片]", timeout=WAIT)
    assert TICKET_NO.search(_say(page, RESIDENT, "5号楼门口路灯不亮了"))  # its words: one report
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the screen
    for part in ("[data-testid=text]", "[data-testid=photo]", "[data-testid=send]", "[data-testid=speaker]",
                 "[data-testid=log]"):
        box = page.locator(part).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 376 and box["y"] + box["height"] <= 668, part
    panel = page.locator("[data-testid=panel]")
    expect(panel).to_be_hidden()  # behind the toggle on a phone
    page.click("[data-testid=panel-toggle]")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-testid=tickets] .ticket").first).to_be_visible(timeout=WAIT)
    page.click("#panel-close")
    expect(panel).to_be_hidden()
    context.close()


# ------------------------------------------------------------------ the first ten minutes (issue 18)

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1360, "height": 860}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}


def _post(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    import json
    import urllib.request

    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.loads(response.read()))


def _open_panel(page: Any, phone: bool) -> None:
    if phone and not page.locator("[data-testid=panel]").is_visible():
        page.click("[data-testid=panel-toggle]")


def _close_panel(page: Any, phone: bool) -> None:
    if phone and page.locator("[data-testid=panel]").is_visible():
        page.click("#panel-close")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_first_ten_minutes(browser: Any, running_demo: RunningDemo, screen: str) -> None:
    """Each point of the first visit, on a desktop and on a 390×844 phone."""
    from playwright.sync_api import expect

    phone = screen == "phone"
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[screen])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    for n in range(30):  # a group with history
        _post(running_demo.url, "/api/messages", {"user": RESIDENT, "chat": GROUP, "text": f"收到，谢谢{n}"})
    page.goto(running_demo.url)
    page.click(f"nav button[data-chat={GROUP}]")
    page.wait_for_selector("[data-testid=log]:not([data-loading])", state="attached")

    # 2. like a WeChat group: the page does not grow, the log scrolls in its box and opens at the newest
    height = VIEWPORTS[screen]["viewport"]["height"]  # type: ignore[index]
    assert page.evaluate("document.scrollingElement.scrollHeight") <= height + 1
    log = page.locator("[data-testid=log]")
    assert log.evaluate("l => l.scrollHeight > l.clientHeight && l.scrollHeight - l.scrollTop - l.clientHeight < 4")
    assert page.locator("header").bounding_box()["y"] == 0  # type: ignore[index]
    send = page.locator("[data-testid=send]").bounding_box()
    assert send and send["y"] + send["height"] <= height

    # 9. fire: what to do now first, the ticket after it
    answer = _say(page, RESIDENT, "6号楼2楼厨房着火了，冒烟")
    assert answer.startswith("火情") and "119" in answer.split("\n")[0], answer
    assert TICKET_NO.search(answer.split("\n")[-1])
    if phone and os.environ.get("GRIDBOT_SCREENSHOT"):  # the README's phone picture, beside the desktop one
        page.screenshot(path=str(Path(os.environ["GRIDBOT_SCREENSHOT"]).with_name("demo-phone.png")))

    # 3. a message too long: said why, and the text is still there
    long_text = "楼" * 2001
    page.fill("[data-testid=text]", long_text)
    page.click("[data-testid=send]")
    expect(page.locator("[data-testid=send-error]")).to_be_visible(timeout=WAIT)
    expect(page.locator("[data-testid=send-error]")).to_contain_text("2000")
    assert page.input_value("[data-testid=text]") == long_text
    page.fill("[data-testid=text]", "")

    # 8. 下月1日 lands after the first working day's digests: November's chart is there at once
    page.click("[data-testid=next-month]")
    expect(page.locator("[data-testid=clock]")).to_contain_text("2026-12-01 10:45", timeout=60_000)
    _open_panel(page, phone)
    chart = page.locator("[data-testid=digests] .note[data-kind=digest] img").first
    expect(chart).to_be_visible(timeout=WAIT)

    # 7. the chart thumbnail opens large, and closes with a click
    chart.click()
    expect(page.locator("[data-testid=lightbox] img")).to_be_visible(timeout=WAIT)
    page.locator("[data-testid=lightbox]").click()
    expect(page.locator("[data-testid=lightbox]")).to_have_count(0)
    _close_panel(page, phone)

    # 1. two clock clicks in a row: both count, and the page says it is busy meanwhile
    page.click("[data-testid=plus-day]")
    page.click("[data-testid=next-month]")
    expect(page.locator("[data-testid=clock-busy]")).to_be_visible(timeout=WAIT)
    expect(page.locator("[data-testid=clock]")).to_contain_text("2027-01-04 10:45", timeout=60_000)
    expect(page.locator("[data-testid=clock-busy]")).to_be_hidden(timeout=WAIT)

    # 4. the bot's answers to my commands stay in the chat, not among my notices; no untranslated tags
    _close_panel(page, phone)
    page.click("nav button[data-chat=__private__]")
    _say(page, CADRE, "帮助")
    _open_panel(page, phone)
    expect(page.locator("[data-testid=notices] .note[data-kind=reply]")).to_have_count(0)
    assert "reply" not in page.locator("[data-testid=panel]").inner_text()
    _close_panel(page, phone)

    # 4. English: the switch makes the bot speak English to the demo people, names included
    page.select_option("#lang", "en")
    expect(page.locator("[data-testid=send]")).to_have_text("Send", timeout=WAIT)
    names = page.locator("[data-testid=speaker] option").all_inner_texts()
    assert not [n for n in names if "（" in n], names
    assert _say(page, CADRE, "帮助").startswith("Commands for you")
    page.click(f"nav button[data-chat={GROUP}]")
    assert "Ticket" in _say(page, RESIDENT, "8号楼门口的路灯坏了")

    # 5. the reset button starts over: real time again, no tickets
    page.click("[data-testid=reset]")
    expect(page.locator("[data-testid=clock]")).not_to_contain_text("2027-01", timeout=WAIT)
    _open_panel(page, phone)
    expect(page.locator("[data-testid=tickets] .ticket")).to_have_count(0, timeout=WAIT)

    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[screen]["viewport"]["width"]  # type: ignore[index]
    assert errors == []
    context.close()


def test_a_photo_from_the_browser_reaches_the_handler_and_the_evidence_the_resident(
    browser: Any, running_demo: RunningDemo, tmp_path: Path,
) -> None:
    """The 照片 button uploads a real file; picture then words make one report, the cadre's notice
    shows the picture, and the cadre's picture before 办结 reaches the resident with the notice."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(running_demo.url)
    page.click(f"nav button[data-chat={GROUP}]")
    broken, fixed = tmp_path / "broken.jpg", tmp_path / "fixed.jpg"
    broken.write_bytes(phone_jpeg((800, 600), "orange"))
    fixed.write_bytes(phone_jpeg((800, 600), "white"))

    def upload(user: str, path: Path) -> None:
        page.select_option("[data-testid=speaker]", user)
        page.wait_for_selector("[data-testid=log]:not([data-loading])", state="attached")
        mine = page.locator("[data-testid=log] .msg.me .bubble")
        before = mine.count()
        page.set_input_files("[data-testid=photo-file]", str(path))
        page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n",
                               arg=["[data-testid=log] .msg.me .bubble", before], timeout=WAIT)
        expect(mine.last).to_have_text("[照片]")

    def photo_in_notices(user: str) -> None:
        page.select_option("[data-testid=speaker]", user)
        page.wait_for_selector("[data-testid=log]:not([data-loading])", state="attached")
        shown = page.locator("[data-testid=notices] img[data-testid=photo-out]")
        expect(shown.first).to_be_visible(timeout=WAIT)
        page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=shown.first.element_handle(),
                               timeout=WAIT)

    upload(RESIDENT, broken)  # a picture alone in the group: talk, no answer
    match = TICKET_NO.search(_say(page, RESIDENT, "9号楼楼道灯不亮了，晚上看不见"))
    assert match
    no = match.group()
    photo_in_notices(CADRE)  # the stationed cadre's notice of the new ticket carries it
    assert "已受理" in _say(page, CADRE, f"受理 {no}")
    upload(CADRE, fixed)
    assert "已办结" in _say(page, CADRE, f"办结 {no} 已更换灯泡")
    photo_in_notices(RESIDENT)  # the 办结 notice carries the cadre's picture of the work
    group_images = page.locator("[data-testid=log] .msg.bot img[data-testid=photo-out]")
    page.click(f"nav button[data-chat={GROUP}]")
    assert group_images.count() == 0  # never a picture into the group
    assert errors == []
    context.close()
