"""The console in headless Chromium on the real demo server: from the simulator's header to the
console, a one-click demo login as a community secretary, the board filtered, a ticket opened and
closed with a reason, the filtered list downloaded as .xlsx; then the street secretary downloads the
roster, changes it, previews and applies the upload. Skips without a browser except in CI
(see tests/test_demo_browser.py). `GRIDBOT_CONSOLE_SCREENSHOT=docs/console.png` saves the README's
picture."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.test_demo_browser import WAIT, RunningDemo, browser, running_demo  # noqa: F401  (fixtures)

TICKET_NO = re.compile(r"\d{6}-\d{3}")


def _report(page: Any, base: str, user: str, text: str, chat: str) -> None:
    answer = page.request.post(f"{base}/api/messages", data={"user": user, "text": text, "chat": chat})
    assert answer.ok, answer.text()


def test_a_secretary_works_a_ticket_in_the_console(
    browser: Any, running_demo: RunningDemo, tmp_path: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = running_demo.url
    _report(page, base, "resident-wang", "3号楼电梯坏了，老人下不了楼，电话13912345678", "demo-baxianlou-1")
    _report(page, base, "resident-li", "7号楼门口的垃圾三天没人清了", "demo-baxianlou-2")
    _report(page, base, "resident-zhang", "5号楼路灯不亮了", "demo-bailifang-1")  # another community

    # from the simulator's header to the console's login, one click as the community secretary
    page.goto(base)
    page.click("[data-testid=console-link]")
    expect(page).to_have_url(re.compile(r"/console/login"))
    expect(page.locator(".demo-banner")).to_contain_text("演示")
    page.click("[data-testid=demo-login-sec-baxianlou]")
    expect(page.locator("[data-testid=who]")).to_contain_text("社区书记")

    # the board: the two tickets of 八仙楼, none of 百里坊; filtered to one grid
    rows = page.locator("[data-testid=board] tbody tr[data-state]")
    expect(rows).to_have_count(2)
    page.select_option("[data-testid=unit]", "g-baxianlou-1")
    page.click("[data-testid=apply]")
    expect(rows).to_have_count(1)
    expect(page.locator("[data-testid=board]")).not_to_contain_text("13912345678")  # masked on the board
    expect(page.locator("[data-testid=count-reported]")).to_contain_text("1")
    if os.environ.get("GRIDBOT_CONSOLE_SCREENSHOT"):
        target = Path(os.environ["GRIDBOT_CONSOLE_SCREENSHOT"])
        target.parent.mkdir(parents=True, exist_ok=True)
        page.select_option("[data-testid=unit]", "")
        page.click("[data-testid=apply]")
        expect(rows).to_have_count(2)
        page.screenshot(path=str(target), full_page=False)
        page.select_option("[data-testid=unit]", "g-baxianlou-1")
        page.click("[data-testid=apply]")

    # the filtered list downloads as .xlsx
    with page.expect_download(timeout=WAIT) as info:
        page.click("[data-testid=export]")
    saved = tmp_path / "tickets.xlsx"
    info.value.save_as(saved)
    listed = [r[0] for r in load_workbook(saved).active.iter_rows(min_row=2, values_only=True)]
    assert len(listed) == 1 and TICKET_NO.fullmatch(str(listed[0]))
    no = str(listed[0])

    # the ticket: the resident's words (the secretary may act), the timeline, closed with a reason
    page.click(f"[data-testid=row-{no}] a")
    expect(page.locator("[data-testid=text]")).to_contain_text("13912345678")
    expect(page.locator("[data-testid=timeline] li")).to_have_count(1)
    close = page.locator("[data-testid=action-close]")
    close.locator("textarea[name=reason]").fill("电梯公司已修复，已回访居民")
    close.locator("button").click()
    expect(page.locator("[data-testid=flash]")).to_contain_text(no)
    expect(page.locator("[data-testid=state]")).to_have_text("已结案")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("电梯公司已修复，已回访居民")
    expect(page.locator("[data-testid=no-actions]")).to_be_visible()

    # the closed ticket counts as closed on the board; logging out ends the session
    page.goto(f"{base}/console/tickets")
    expect(page.locator("[data-testid=count-closed]")).to_contain_text("1")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.goto(f"{base}/console/tickets/{no}")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))

    # the street secretary downloads the roster, renames a grid worker in it, previews and applies it
    page.click("[data-testid=demo-login-street-secretary]")
    page.click("a[href='/console/roster']")
    with page.expect_download(timeout=WAIT) as info:
        page.click("[data-testid=roster-download]")
    roster = tmp_path / "roster.xlsx"
    info.value.save_as(roster)
    book = load_workbook(roster)
    people = book["people"]
    row = next(r for r in people.iter_rows(min_row=2) if r[5].value == "gw-baxianlou-1")
    row[1].value = "林新来"
    book.save(roster)
    page.set_input_files("[data-testid=roster-file]", str(roster))
    page.click("[data-testid=roster-upload] button")
    expect(page.locator("[data-testid=roster-changed]")).to_contain_text("林新来")
    expect(page.locator("[data-testid=roster-added]")).to_have_count(0)
    page.click("[data-testid=roster-apply] button")
    expect(page.locator("[data-testid=flash]")).to_contain_text("1 处变更")
    page.goto(f"{base}/console/tickets?unit=g-baxianlou-2")
    expect(page.locator("[data-testid=board]")).not_to_contain_text("林新来")
    page.goto(f"{base}/console/tickets?unit=g-baxianlou-1")
    expect(page.locator("[data-testid=board]")).to_contain_text("林新来")  # the handler's new name
    assert errors == []
    context.close()
