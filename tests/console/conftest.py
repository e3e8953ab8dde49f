"""The console on the real bot (both databases), served by aiohttp's test server, with browsers that
each keep their own cookies and fill in the CSRF token of the last page like a real form would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.console.app import mount_console
from bot.demo_roster import demo_roster
from bot.events import InboundMessage, OutboundMessage
from bot.roster import Roster
from bot.services import console_auth
from bot.transport.memory import MemoryTransport
from bot.transport.wecom_api import WeComApi
from storage.models import Platform

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TICKET_NO = re.compile(r"\d{6}-\d{3}")
PASSWORD = "correct horse battery"


@dataclass
class Page:
    status: int
    text: str
    headers: Any
    url: str

    def has(self, needle: str) -> bool:
        return needle in self.text


@dataclass
class Browser:
    """One person's browser: its own cookie jar; forms carry the CSRF token of the last page."""

    base: str
    session: aiohttp.ClientSession
    csrf: str | None = None
    last: Page | None = None

    async def get(self, path: str, **kwargs: Any) -> Page:
        async with self.session.get(self.base + path, **kwargs) as response:
            page = Page(response.status, await response.text(), response.headers, str(response.url))
        self._remember(page)
        return page

    async def get_bytes(self, path: str) -> tuple[int, bytes, Any]:
        async with self.session.get(self.base + path) as response:
            return response.status, await response.read(), response.headers

    async def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]], *, csrf: bool = True,
                   **kwargs: Any) -> Page:
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf and self.csrf and not any(k == "csrf" for k, _v in fields):
            fields.append(("csrf", self.csrf))
        async with self.session.post(self.base + path, data=fields, **kwargs) as response:
            page = Page(response.status, await response.text(), response.headers, str(response.url))
        self._remember(page)
        return page

    async def upload(self, path: str, filename: str, data: bytes) -> Page:
        """A multipart form with one file (`file`) and the CSRF token."""
        form = aiohttp.FormData()
        form.add_field("csrf", self.csrf or "")
        form.add_field("file", data, filename=filename, content_type="application/octet-stream")
        async with self.session.post(self.base + path, data=form) as response:
            page = Page(response.status, await response.text(), response.headers, str(response.url))
        self._remember(page)
        return page

    def _remember(self, page: Page) -> None:
        self.last = page
        found = CSRF.search(page.text)
        if found:
            self.csrf = found[1]

    def cookie(self, name: str) -> Any:
        for cookie in self.session.cookie_jar:
            if cookie.key == name:
                return cookie
        return None

    async def login(self, user: str, password: str = PASSWORD) -> Page:
        await self.get("/console/login")
        return await self.post("/console/login", {"user": user, "password": password})

    async def demo_login(self, user: str) -> Page:
        await self.get("/console/login")
        return await self.post("/console/login/demo", {"user": user})


@dataclass
class Rig:
    bot: App
    clock: FakeClock
    server: TestServer
    transports: dict[str, MemoryTransport]
    browsers: list[Browser] = field(default_factory=list)
    _seq: int = 0

    @property
    def base(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def browser(self) -> Browser:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        browser = Browser(self.base, session)
        self.browsers.append(browser)
        return browser

    async def as_user(self, user: str) -> Browser:
        """A browser signed in as `user` with a password account made for them."""
        await self.add_account(user)
        browser = await self.browser()
        page = await browser.login(user)
        assert page.status == 200 and "/console/tickets" in page.url, page.text[:500]
        return browser

    async def add_account(self, user: str, password: str = PASSWORD) -> None:
        async with self.bot.db.transaction() as session:
            await console_auth.set_password(session, user, password, self.clock.now(),
                                            console_auth.hasher_for(self.bot.settings.console))

    async def say(self, user: str, text: str, chat: str | None = None) -> list[OutboundMessage]:
        self._seq += 1
        await self.bot.dispatcher.receive(InboundMessage(platform="demo", msg_id=f"c{self._seq}", user_id=user,
                                                         text=text, chat_id=chat))
        await self.bot.outbox.flush()
        out: list[OutboundMessage] = []
        for transport in self.transports.values():
            out.extend(transport.pop())
        return out

    async def file(self, text: str, chat: str = "demo-baxianlou-1", user: str = "resident-wang") -> str:
        """A resident reports in a grid group; returns the ticket number."""
        for message in await self.say(user, text, chat):
            found = TICKET_NO.search(message.text)
            if found and message.chat_id == chat:
                return found.group()
        raise AssertionError(f"no ticket filed for {text!r}")


RigFactory = Callable[..., Any]


def cheap_hashing(settings: Settings) -> Settings:
    """argon2 at its smallest cost: the tests are about the rules, not the hash's strength."""
    console = settings.console.model_copy(update={"argon2_time_cost": 1, "argon2_memory_kib": 1024})
    return settings.model_copy(update={"console": console})


@pytest.fixture
async def make_rig(settings: Settings, clock: FakeClock) -> AsyncIterator[RigFactory]:
    rigs: list[Rig] = []

    async def make(*, demo: bool = True, wecom: WeComApi | None = None, settings_: Settings | None = None,
                   roster: Roster | None = None) -> Rig:
        transports = {p.value: MemoryTransport(p.value) for p in Platform}
        bot = await build_app(cheap_hashing(settings_ or settings), clock, dict(transports), people_platform="demo",
                              roster=roster or demo_roster())
        web_app = web.Application()
        mount_console(web_app, bot, demo=demo, wecom=wecom)
        server = TestServer(web_app)
        await server.start_server()
        rig = Rig(bot, clock, server, transports)
        rigs.append(rig)
        return rig

    try:
        yield make
    finally:
        for rig in rigs:
            for browser in rig.browsers:
                await browser.session.close()
            await rig.server.close()
            await rig.bot.close()


@pytest.fixture
async def rig(make_rig: RigFactory) -> Rig:
    return await make_rig()  # type: ignore[no-any-return]
