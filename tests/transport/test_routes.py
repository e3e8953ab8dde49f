"""Wiring: which channels `serve` turns on, and a restart with messages waiting in the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.events import OutboundKind, OutboundMessage
from bot.server import make_web_app
from bot.transport.routes import add_channels
from storage import outbox_store
from tests.transport.conftest import FakeTime, Rig


async def test_nothing_configured_means_no_channels(settings: Settings, clock: FakeClock) -> None:
    bot = await build_app(settings, clock, {}, people_platform="wecom_app")
    web_app = make_web_app(bot)
    assert add_channels(web_app, bot) == {}
    assert {r.resource.canonical for r in web_app.router.routes() if r.resource} == {"/healthz"}
    await bot.close()


async def test_every_configured_channel_is_routed(rig: Rig) -> None:
    assert set(rig.channels) == {"wecom_app", "wecom_robot", "webhook", "mp", "bridge"}
    paths = {r.resource.canonical for r in rig.client.app.router.routes() if r.resource}
    assert paths >= {"/wecom/callback", "/wecom/robot/callback", "/mp/callback", "/bridge/messages", "/healthz"}


async def test_a_restart_delivers_what_was_waiting_exactly_once(rig: Rig, fake_time: FakeTime) -> None:
    rig.fake.inject("/cgi-bin/message/send", *([503] * 4))  # WeCom down during the first run
    async with rig.bot.db.transaction() as session:
        for i in range(3):
            await outbox_store.enqueue(session, OutboundMessage(
                platform="wecom_app", kind=OutboundKind.notice, text=f"n{i}", user_id="zhangsan"), now=rig.clock.now())
    assert await rig.bot.outbox.flush() == 2  # the first message hit the outage and is kept
    settings = rig.bot.settings
    await rig.bot.close()  # the process stops
    transports: dict[str, Any] = {}
    bot = await build_app(settings, rig.clock, transports, people_platform="wecom_app")
    web_app = make_web_app(bot)
    transports.update(add_channels(web_app, bot, monotonic=fake_time.monotonic, sleep=fake_time.sleep))
    rig.clock.advance(timedelta(minutes=5))
    assert await bot.outbox.flush() == 1
    assert await bot.outbox.flush() == 0
    delivered = [s.body["text"]["content"] for s in rig.fake.calls("/cgi-bin/message/send") if s.body]
    assert sorted(set(delivered)) == ["n0", "n1", "n2"]
    assert len(rig.fake.calls("/cgi-bin/message/send")) == 4 + 3  # four failed tries of n0, then each message once
    for cleanup in web_app.on_cleanup:
        await cleanup(web_app)
    await bot.close()
