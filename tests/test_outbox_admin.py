"""Messages whose retries are spent: admins are told once a working day (where, why, never what),
can list them and send them again."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.events import OutboundKind, OutboundMessage
from scheduler.jobs import delivery_watch
from storage import outbox_store
from tests.conftest import Harness, local

SECRET_TEXT = "居民王某 13812345678 反映漏水"


async def fail_one(harness: Harness) -> int:
    async with harness.app.db.transaction() as session:
        row = await outbox_store.enqueue(session, OutboundMessage(
            platform="wecom_app", kind=OutboundKind.notice, text=SECRET_TEXT, user_id="gw-gone"),
            now=harness.clock.now())
        await session.flush()
        await outbox_store.mark_failed_attempt(session, row.id, "errcode 60111: userid not found", None)
        return int(row.id)


async def test_admins_hear_of_failed_deliveries_once_a_day_without_the_text(harness: Harness) -> None:
    ctx = harness.app.job_context
    outbox_id = await fail_one(harness)
    harness.clock.set(local(2026, 11, 3, 10, 45))
    await delivery_watch(ctx, local(2026, 11, 3, 9, 45))
    await delivery_watch(ctx, local(2026, 11, 3, 10, 45))  # the same day: not again
    sent = [m for m in await harness.delivered() if m.user_id == "admin"]
    assert len(sent) == 1
    assert f"#{outbox_id}" in sent[0].text and "60111" in sent[0].text and "outbox retry" in sent[0].text
    assert "13812345678" not in sent[0].text and "漏水" not in sent[0].text
    harness.clock.set(local(2026, 11, 4, 9, 45))
    await delivery_watch(ctx, local(2026, 11, 4, 9, 45))  # still failing the next day: told again
    assert [m.user_id for m in await harness.delivered() if m.user_id == "admin"] == ["admin"]


async def test_nothing_to_say_when_nothing_failed(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 3, 9, 45))
    await delivery_watch(harness.app.job_context, local(2026, 11, 3, 9, 45))
    assert [m for m in await harness.delivered() if m.user_id == "admin"] == []


def test_list_and_retry_failed_messages_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/o.db"
    runner = CliRunner()

    async def seed() -> None:
        from bot.app import build_app
        from bot.clock import SystemClock
        from bot.config import load_settings
        from bot.demo_roster import demo_roster

        bot = await build_app(load_settings(None, database__url=db), SystemClock(), {}, people_platform="demo",
                              roster=demo_roster())
        try:
            async with bot.db.transaction() as session:
                row = await outbox_store.enqueue(session, OutboundMessage(
                    platform="wecom_app", kind="notice", text=SECRET_TEXT, user_id="gw-gone"), now=bot.clock.now())
                await session.flush()
                await outbox_store.mark_failed_attempt(session, row.id, "HTTP 503", None)
        finally:
            await bot.close()

    import asyncio

    asyncio.run(seed())
    listed = runner.invoke(app, ["outbox", "failed", "--db", db])
    assert listed.exit_code == 0, listed.output
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["user_id"] == "gw-gone" and row["last_error"] == "HTTP 503" and "text" not in row
    assert runner.invoke(app, ["outbox", "retry", "--db", db]).exit_code == 2  # ids or --all
    retried = runner.invoke(app, ["outbox", "retry", "--all", "--db", db])
    assert retried.exit_code == 0 and "queued 1" in retried.output
    assert runner.invoke(app, ["outbox", "failed", "--db", db]).stdout == ""
