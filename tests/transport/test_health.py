"""Health that tells the truth: `/healthz` is `degraded` with its reasons while messages are stuck
(HTTP 200, a field monitors can alert on), 503 only when the database cannot be reached; admins
hear of a failing channel over another one. The real server and channels, a fake WeCom API."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import HealthConfig, Settings
from bot.events import InboundMessage, OutboundKind, OutboundMessage
from bot.server import make_web_app
from bot.services.health import alert_admins
from bot.services.languages import set_language
from storage import outbox_store
from storage.db import Database
from storage.inbound_store import InboundWriter
from storage.models import ChatBinding, RoleGrant
from tests.conftest import local
from tests.transport.conftest import Rig, json_of


async def queue_notice(rig: Rig, text: str, user: str = "gw-1") -> None:
    async with rig.bot.db.transaction() as session:
        await outbox_store.enqueue(session, OutboundMessage(
            platform="wecom_app", kind=OutboundKind.notice, text=text, user_id=user), now=rig.clock.now())


async def health(rig: Rig) -> dict:  # type: ignore[type-arg]
    response = await rig.client.get("/healthz")
    assert response.status == 200
    return await response.json()  # type: ignore[no-any-return]


async def wecom_down(rig: Rig, minutes: int) -> None:
    """Every WeCom send answers 502 while the outbox keeps trying for `minutes`."""
    rig.fake.inject("/cgi-bin/message/send", *([502] * 400))
    for _ in range(minutes):
        rig.clock.advance(timedelta(minutes=1))
        await rig.bot.outbox.flush()


async def test_a_total_wecom_outage_is_degraded_with_its_reasons(rig: Rig) -> None:
    assert (await health(rig))["status"] == "ok"
    for i in range(4):
        await queue_notice(rig, f"工单 {i}")
    await wecom_down(rig, 2)
    early = await health(rig)
    assert early["status"] == "ok"  # two minutes of retries: not yet a problem
    assert early["channels"]["wecom_app"]["failing"] == 4
    await wecom_down(rig, 5)
    body = await health(rig)
    assert body["status"] == "degraded"
    codes = {reason.split(":")[0] for reason in body["reasons"]}
    assert codes == {"outbox_stalled", "channel_failing"}
    assert any("wecom_app" in r and "502" in r for r in body["reasons"])
    assert body["channels"]["wecom_app"]["ok"] is False
    assert body["outbox"]["pending"] == 4 and body["outbox"]["oldest_pending_seconds"] >= 7 * 60
    rig.fake.injected.clear()  # WeCom is back
    rig.clock.advance(timedelta(hours=2))
    assert await rig.bot.outbox.flush() == 4
    assert (await health(rig))["status"] == "ok"


async def test_acknowledged_messages_left_unhandled_are_degraded(rig: Rig) -> None:
    message = InboundMessage(platform="wecom_app", msg_id="ack-1", user_id="resident-1", text="帮助")
    assert await rig.bot.dispatcher.record(message) is not None  # acknowledged, never handled
    assert (await health(rig))["status"] == "ok"  # a moment old: being handled
    rig.clock.advance(timedelta(seconds=90))
    body = await health(rig)
    assert body["status"] == "degraded"
    assert body["inbound"]["unhandled"] == 1 and body["inbound"]["oldest_unhandled_seconds"] == 90
    [reason] = body["reasons"]
    assert reason.startswith("inbound_unhandled: 1 ")
    assert await rig.bot.dispatcher.recover() == 1
    assert (await health(rig))["status"] == "ok"


async def test_503_only_when_the_database_cannot_be_reached(settings: Settings, clock: FakeClock) -> None:
    bot = await build_app(settings, clock, {}, people_platform="wecom_app")
    reachable = bot.db
    bot.db = Database("postgresql+asyncpg://gridbot:gridbot@127.0.0.1:18169/nowhere")  # nothing listens there
    try:
        async with TestClient(TestServer(make_web_app(bot))) as client:
            response = await client.get("/healthz")
            assert response.status == 503
            body = await response.json()
            assert (body["status"], body["database"], body["reasons"]) == ("error", False, ["database_unreachable"])
    finally:
        await bot.db.dispose()
        bot.db = reachable
        await bot.close()


async def test_admins_hear_of_a_failing_channel_over_another_one(rig: Rig) -> None:
    settings = rig.bot.settings.model_copy(update={"health": HealthConfig(alert_chats=["bridge:admins-room"])})
    for i in range(3):
        await queue_notice(rig, f"工单 {i}")
    await wecom_down(rig, 8)
    rig.clock.set(local(2026, 11, 2, 9, 45))
    assert await alert_admins(rig.bot.db, settings, "wecom_app", rig.clock.now(), "2026-11-02") == 1
    assert await alert_admins(rig.bot.db, settings, "wecom_app", rig.clock.now(), "2026-11-02") == 0
    await rig.bot.outbox.flush()
    [alert] = [json_of(c) for c in rig.fake.calls("/gateway/outbound")]
    assert alert["chat_id"] == "admins-room" and "wecom_app" in alert["text"] and "502" in alert["text"]
    assert "工单" not in alert["text"]  # where and why, never what
    sent_to_admin = [json_of(c) for c in rig.fake.calls("/cgi-bin/message/send") if json_of(c).get("touser") == "admin"]
    assert sent_to_admin == []  # not over the channel that is down


async def test_an_admin_of_a_community_is_told_in_its_group(rig: Rig) -> None:
    async with rig.bot.db.transaction() as session:  # the admin also sits in a community with a bridge group
        session.add(ChatBinding(platform="bridge", chat_id="baxianlou-staff", unit_id="c-baxianlou", name="工作群"))
        session.add(RoleGrant(person_id="p-admin", role="admin", unit_id="c-baxianlou"))
    for i in range(3):
        await queue_notice(rig, f"工单 {i}")
    await wecom_down(rig, 8)
    assert await alert_admins(rig.bot.db, rig.bot.settings, "wecom_app", rig.clock.now(), "2026-11-02") == 1
    await rig.bot.outbox.flush()
    assert [json_of(c)["chat_id"] for c in rig.fake.calls("/gateway/outbound")] == ["baxianlou-staff"]


async def test_with_no_other_channel_the_alert_waits_for_the_failing_one(rig: Rig) -> None:
    for i in range(3):
        await queue_notice(rig, f"工单 {i}")
    await wecom_down(rig, 8)
    assert await alert_admins(rig.bot.db, rig.bot.settings, "wecom_app", rig.clock.now(), "2026-11-02") == 1
    async with rig.bot.db.session() as session:
        pending = [m for m in await outbox_store.claim_due(session, rig.clock.now() + timedelta(days=1))
                   if m.user_id == "admin"]
    assert [m.platform for m in pending] == ["wecom_app"]


def test_alert_chats_name_a_platform_and_are_shown_masked() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="platform:chat_id"):
        HealthConfig(alert_chats=["a-webhook-key-without-platform"])
    settings = Settings(health=HealthConfig(alert_chats=["webhook:0b1c2d3e-secret"]))
    assert "0b1c2d3e-secret" not in str(settings.redacted())


async def test_a_message_that_cannot_be_recorded_is_a_503_not_a_traceback(rig: Rig) -> None:
    from tests.transport.test_hostile import bridge, bridge_msg

    recorder = rig.bot.dispatcher.recorder
    kept, gone = recorder.writer, Database("postgresql+asyncpg://gridbot:gridbot@127.0.0.1:18169/nowhere")
    recorder.writer = InboundWriter(gone)  # the database is out of reach
    try:
        status, answer = await bridge(rig, bridge_msg())
    finally:
        await recorder.writer.close()
        await gone.dispose()
        recorder.writer = kept
    assert status == 503 and "send it again" in answer
    status, _ = await bridge(rig, bridge_msg())  # the platform's retry, once it is back
    assert status == 200


async def test_an_alert_about_a_failed_webhook_message_never_shows_the_robots_key(rig: Rig) -> None:
    key = "7f3c9a2e-secret-robot-key"
    async with rig.bot.db.transaction() as session:
        row = await outbox_store.enqueue(session, OutboundMessage(
            platform="webhook", kind=OutboundKind.digest, text="日报", chat_id=key), now=rig.clock.now())
        assert row.id is not None
        await outbox_store.mark_failed_attempt(session, row.id, "webhook 7f3c…: errcode 93000", None)
    assert await alert_admins(rig.bot.db, rig.bot.settings, "wecom_app", rig.clock.now(), "2026-11-02") == 1
    async with rig.bot.db.session() as session:
        [alert] = [m for m in await outbox_store.claim_due(session, rig.clock.now()) if m.user_id == "admin"]
    assert "webhook → 7f3c…" in alert.text and "93000" in alert.text
    assert key not in alert.text


async def test_an_admin_is_alerted_in_the_language_they_chose(rig: Rig) -> None:
    async with rig.bot.db.transaction() as session:
        await set_language(session, ["admin"], "en", rig.clock.now())
    for i in range(3):
        await queue_notice(rig, f"工单 {i}")
    await wecom_down(rig, 8)
    assert await alert_admins(rig.bot.db, rig.bot.settings, "wecom_app", rig.clock.now(), "2026-11-02") == 1
    async with rig.bot.db.session() as session:
        [alert] = [m for m in await outbox_store.claim_due(session, rig.clock.now() + timedelta(days=1))
                   if m.user_id == "admin"]
    assert alert.text.startswith("Channel wecom_app keeps failing"), alert.text
