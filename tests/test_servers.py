"""The HTTP side: health for monitoring, and the simulator's API as a browser uses it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.clock import OffsetClock, SystemClock
from bot.config import Settings
from bot.demo_server import make_demo_app
from bot.server import make_web_app
from tests.conftest import local


@pytest.fixture
async def demo(settings: Settings) -> AsyncIterator[TestClient]:
    clock = OffsetClock(local(2026, 11, 23, 8, 0))
    client = TestClient(TestServer(await make_demo_app(settings, clock)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_healthz_reports_database_and_outbox(settings: Settings) -> None:
    bot = await build_app(settings, SystemClock(), {}, people_platform="wecom_app")
    async with TestClient(TestServer(make_web_app(bot))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        body = await response.json()
        assert (body["status"], body["reasons"], body["database"]) == ("ok", [], True)
        assert body["outbox"] == {"pending": 0, "failed": 0, "last_error": None, "oldest_pending_seconds": None,
                                  "last_sent_at": None}
        assert body["inbound"] == {"unhandled": 0, "oldest_unhandled_seconds": None, "failed": 0}
        assert (body["inbound_failed"], body["channels"]) == (0, {})
    await bot.close()


async def test_demo_page_and_setup(demo: TestClient) -> None:
    page = await demo.get("/")
    assert page.status == 200 and "EventSource" in await page.text()
    setup = await (await demo.get("/api/setup")).json()
    assert setup["lang"] == "zh_CN" and setup["strings"]["Send"] == "发送"
    assert len(setup["chats"]) == 28 and setup["chats"][0]["name"].endswith("居民群")
    roles = {p["role"] for p in setup["people"]}
    assert roles >= {"resident", "grid_worker", "cadre", "community_secretary", "department_liaison"}
    english = await (await demo.get("/api/setup?lang=en")).json()
    assert english["strings"]["Send"] == "Send"


async def test_a_message_typed_in_the_page_is_answered_live(demo: TestClient) -> None:
    events = await demo.get("/api/events")
    assert (await events.content.readline()).startswith(b": connected")
    chat = "demo-baxianlou-1"
    posted = await demo.post("/api/messages", json={"chat": chat, "user": "resident-wang", "text": "帮助"})
    assert posted.status == 200
    seen = []
    while len(seen) < 2:
        line = await asyncio.wait_for(events.content.readline(), timeout=5)
        if line.startswith(b"data: "):
            seen.append(json.loads(line[6:])["message"])
    assert [(m["direction"], m["chat"]) for m in seen] == [("in", chat), ("out", chat)]
    assert "私信" in seen[1]["text"]  # 帮助 in a group is answered privately, with a pointer there
    for _ in range(100):  # the push can arrive just before the outbox marks the row sent
        log = await (await demo.get(f"/api/messages?chat={chat}")).json()
        if len(log) == 2:
            break
        await asyncio.sleep(0.02)
    assert [m["direction"] for m in log] == ["in", "out"]
    events.close()


async def test_a_photo_from_the_page_is_shown_as_one_and_answered_with_a_hint(demo: TestClient) -> None:
    posted = await demo.post("/api/messages", json={"user": "resident-wang", "kind": "image"})
    assert posted.status == 200
    for _ in range(100):
        log = await (await demo.get("/api/messages?user=resident-wang")).json()
        if len(log) == 2:
            break
        await asyncio.sleep(0.02)
    photo, hint = log
    assert (photo["direction"], photo["kind"], photo["text"]) == ("in", "image", "")
    assert hint["direction"] == "out" and "文字" in hint["text"]
    assert (await demo.post("/api/messages", json={"user": "u", "kind": "sticker"})).status == 400


async def test_moving_the_clock_runs_the_jobs(demo: TestClient) -> None:
    assert await (await demo.get("/api/messages?user=admin")).json() == []
    moved = await (await demo.post("/api/clock", json={"days": 1})).json()
    assert moved["now"].startswith("2026-11-24T08:0")
    [reminder] = await (await demo.get("/api/messages?user=admin")).json()
    assert reminder["kind"] == "reminder" and reminder["at"].startswith("2026-11-23T09:00")
    moved = await (await demo.post("/api/clock", json={"to": "next_month"})).json()
    assert moved["now"].startswith("2026-12-01T10:45")  # after the first working day's digests
    assert len(await (await demo.get("/api/messages?user=admin")).json()) == 2  # weekly, Mondays


@pytest.mark.parametrize(
    "body", [{"chat": "x"}, {"user": "u", "text": ""}, {"user": "u", "text": "x" * 2001}, "not json"]
)
async def test_bad_posts_are_refused(demo: TestClient, body: object) -> None:
    data = body if isinstance(body, str) else json.dumps(body)
    response = await demo.post("/api/messages", data=data)
    assert response.status == 400


async def test_clock_only_moves_forward(demo: TestClient) -> None:
    assert (await demo.post("/api/clock", json={"days": -1})).status == 400
    assert (await demo.post("/api/clock", json={"days": "soon"})).status == 400
