"""Channel tests: the real aiohttp server, the real crypto, a fake WeCom API at the network edge.
Time never really passes: sleeps are recorded by `FakeTime` and advance its clock instead."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.nlp.parser import get_parser
from bot.server import make_web_app
from bot.transport.intake import Intake
from bot.transport.routes import CHANNELS_KEY, INTAKE_KEY, add_channels
from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.xml import render_xml
from tests.fakes.fake_wecom import FakeWeCom


class FakeTime:
    """An injected monotonic clock and sleep: `await sleep(5)` returns at once, 5 s later."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def fake(fake_time: FakeTime) -> AsyncIterator[FakeWeCom]:
    server = FakeWeCom(monotonic=fake_time.monotonic)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def json_of(seen: Any) -> dict[str, Any]:
    assert isinstance(seen.body, dict)
    return seen.body


# ---------------------------------------------------------------- a whole bot with every channel




# Tencent's sample credentials (vector A) for the app; others made up, of the right shape.
APP_TOKEN, APP_KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwcorp"
ROBOT_TOKEN, ROBOT_KEY = "robotToken", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
MP_TOKEN, MP_KEY = "AAAAA", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
BRIDGE_SECRET = "bridge-secret"
AGENT_ID = 1000002


@dataclass
class Rig:
    bot: App
    client: TestClient
    fake: FakeWeCom
    clock: FakeClock
    time: FakeTime
    intake: Intake
    channels: dict[str, Any]

    @property
    def ts(self) -> str:
        return str(int(self.clock.now().timestamp()))

    def app_crypto(self) -> WeComCrypto:
        return WeComCrypto(APP_TOKEN, APP_KEY, CORP)

    async def settle(self) -> int:
        """Let background handling finish, then deliver the outbox; how many were sent."""
        await self.intake.drain()
        return await self.bot.outbox.flush()

    async def post_wecom(self, plain_xml: str, *, ts: str | None = None, nonce: str = "1372623149",
                         signature: str | None = None, crypto: WeComCrypto | None = None,
                         path: str = "/wecom/callback") -> ClientResponse:
        crypto = crypto or self.app_crypto()
        ts = ts or self.ts
        encrypt = crypto.encrypt(plain_xml)
        sig = signature or crypto.signature(ts, nonce, encrypt)
        body = render_xml({"ToUserName": CORP, "Encrypt": encrypt, "AgentID": AGENT_ID})
        return await self.client.post(path, params={"msg_signature": sig, "timestamp": ts, "nonce": nonce},
                                      data=body.encode())


def text_xml(user: str, content: str, msg_id: str, *, to: str = CORP, create: int = 1409659813) -> str:
    return render_xml({"ToUserName": to, "FromUserName": user, "CreateTime": create, "MsgType": "text",
                       "Content": content, "MsgId": msg_id, "AgentID": AGENT_ID})


@pytest.fixture
async def rig(db_url: str, clock: FakeClock, fake: FakeWeCom, fake_time: FakeTime) -> AsyncIterator[Rig]:
    settings = load_settings(
        None, database__url=db_url,
        wecom__corp_id=CORP, wecom__agent_id=AGENT_ID, wecom__secret=fake.secret, wecom__token=APP_TOKEN,
        wecom__encoding_aes_key=APP_KEY, wecom__api_base=fake.url,
        wecom_robot__token=ROBOT_TOKEN, wecom_robot__encoding_aes_key=ROBOT_KEY,
        mp__app_id=fake.app_id, mp__app_secret=fake.app_secret, mp__token=MP_TOKEN, mp__encoding_aes_key=MP_KEY,
        bridge__secret=BRIDGE_SECRET, bridge__outbound_url=f"{fake.url}/gateway/outbound",
    )
    transports: dict[str, Any] = {}
    bot = await build_app(settings, clock, transports, people_platform="wecom_app", roster=demo_roster())
    web_app = make_web_app(bot)
    transports.update(add_channels(web_app, bot, monotonic=fake_time.monotonic, sleep=fake_time.sleep,
                                   mp_api_base=fake.url))
    await asyncio.to_thread(get_parser)  # loaded before the first message, as `gridbot serve` does
    client = TestClient(TestServer(web_app))
    await client.start_server()
    try:
        yield Rig(bot, client, fake, clock, fake_time, web_app[INTAKE_KEY], web_app[CHANNELS_KEY])
    finally:
        await client.close()
        await bot.close()


def elapsed(start: float) -> float:
    return time.perf_counter() - start
