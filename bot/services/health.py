"""Health of the running bot: the `/healthz` answer and the channels the delivery watch must
route around."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.config import Settings
from bot.domain.health import Assessment, Snapshot, Thresholds, assess, failing_channels
from bot.events import OutboundKind, OutboundMessage
from bot.i18n import Text, _, configured_locale, render
from bot.services.languages import languages_of
from bot.transport import webhook
from storage import health_store, outbox_store
from storage.db import Database
from storage.models import Outbox
from storage.roster_store import chats_of_role, people_with_role


def thresholds(settings: Settings) -> Thresholds:
    limits = settings.health
    return Thresholds(stalled=timedelta(minutes=limits.stalled_minutes),
                      pending=timedelta(minutes=limits.pending_minutes),
                      inbound=timedelta(seconds=limits.inbound_seconds),
                      channel_failures=limits.channel_failures)


async def read(db: Database) -> Snapshot:
    """The numbers, in one short read; raises if the database cannot be reached."""
    async with db.session() as session:
        await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return await health_store.snapshot(session)


def _seconds(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else round(max((now - then).total_seconds(), 0.0), 1)


def report(snapshot: Snapshot, assessment: Assessment, now: datetime) -> dict[str, Any]:
    """The `/healthz` JSON: `status` (ok | degraded), `reasons`, `database`, `outbox` (pending,
    failed, last_error, oldest_pending_seconds, last_sent_at), `inbound` (unhandled,
    oldest_unhandled_seconds, failed), `inbound_failed` (kept for old monitors) and `channels`
    (per platform: pending, failing, last_sent_at, last_error, ok)."""
    iso = lambda t: t.isoformat() if t is not None else None  # noqa: E731
    return {
        "status": assessment.status,
        "reasons": assessment.reasons,
        "database": True,
        "outbox": {"pending": snapshot.pending, "failed": snapshot.failed, "last_error": snapshot.last_failure,
                   "oldest_pending_seconds": _seconds(now, snapshot.oldest_pending_at),
                   "last_sent_at": iso(snapshot.last_sent_at)},
        "inbound": {"unhandled": snapshot.unhandled,
                    "oldest_unhandled_seconds": _seconds(now, snapshot.oldest_unhandled_at),
                    "failed": snapshot.inbound_failed},
        "inbound_failed": snapshot.inbound_failed,
        "channels": {
            platform: {"pending": stats.pending, "failing": stats.failing, "last_sent_at": iso(stats.last_sent_at),
                       "last_error": stats.last_error, "ok": platform not in assessment.failing_channels}
            for platform, stats in snapshot.channels.items()
        },
    }


async def check(db: Database, settings: Settings, now: datetime) -> dict[str, Any]:
    """`report` for now; raises if the database cannot be reached (the caller answers 503)."""
    snapshot = await read(db)
    return report(snapshot, assess(snapshot, now, thresholds(settings)), now)


async def alert_admins(db: Database, settings: Settings, people_platform: str, now: datetime, period: str) -> int:
    """Tell admins, once per `period`, about messages whose retries are spent and channels that keep
    failing (where and why, never what they said); how many alerts were queued. An admin is told
    privately on `people_platform` unless that channel is failing: then in `[health] alert_chats`
    and the chats bound to their units, on the other configured channels (a webhook robot, the
    bridge, the smart robot), so the alert does not wait on the channel it is about. With no other
    channel it is queued anyway and goes when the channel is back."""
    queued = 0
    async with db.transaction() as session:
        failed = await outbox_store.failed(session)
        snapshot = await health_store.snapshot(session)
        failing = failing_channels(snapshot, now, thresholds(settings))
        bad = set(failing) | {row.platform for row in failed if _no_success_since(snapshot, row)}
        if not failed and not failing:
            return 0
        alerts: list[tuple[str, Text]] = []  # (duty, text): each once per period and recipient
        if failing:
            alerts.append(("channel_failing", lambda: "\n".join(
                _("Channel {platform} keeps failing: {n} message(s) waiting, last error: {error}").format(
                    platform=p, n=snapshot.channels[p].failing, error=(snapshot.channels[p].last_error or "")[:80])
                for p in sorted(failing))))
        if failed:
            where = [f"#{row.id} {row.platform} → {_destination(row)}: {(row.last_error or '')[:80]}"
                     for row in failed[:5]]
            alerts.append(("delivery_failures", lambda: _(
                "{n} message(s) could not be delivered after every retry:\n{where}\n"
                "See them with `gridbot outbox failed` and send them again with `gridbot outbox retry --all` "
                "once the cause is fixed."
            ).format(n=len(failed), where="\n".join(where))))
        others = settings.sending_platforms - bad
        admins = await people_with_role(session, "admin")
        routes: list[tuple[str, str | None, str | None, str]] = []  # platform, chat, user, recipient key
        if people_platform not in bad:
            routes = [(people_platform, None, a.im_user, a.im_user) for a in admins if a.im_user]
        else:
            chats = {(c.platform, c.chat_id) for a in admins for c in await chats_of_role(session, a.id, "admin")}
            chats |= {tuple(chat.get_secret_value().split(":", 1)) for chat in settings.health.alert_chats}
            routes = [(platform, chat, None, _chat_key(platform, chat))
                      for platform, chat in sorted(chats) if platform in others]
            if not routes:  # nowhere else: it goes when the channel is back
                routes = [(people_platform, None, a.im_user, a.im_user) for a in admins if a.im_user]
        chosen = await languages_of(session, [user for _p, _c, user, _r in routes if user])
        for platform, chat_id, user_id, recipient in routes:
            language = chosen.get(user_id or "", configured_locale())  # a chat: the bot's own language
            for duty, text in alerts:
                queued += await outbox_store.enqueue_once(
                    session,
                    OutboundMessage(platform=platform, kind=OutboundKind.notice, text=render(text, language),
                                    chat_id=chat_id, user_id=user_id),
                    duty=duty, period=period, recipient=recipient[:128], now=now,
                )
    return queued


def _destination(row: Outbox) -> str:
    """Where a message was for, as an alert may show it: a webhook's chat id is its key (the
    robot's only credential), so only its first characters."""
    if row.platform == webhook.PLATFORM and row.chat_id:
        return webhook.redact(row.chat_id)
    return row.chat_id or row.user_id or "?"


def _chat_key(platform: str, chat_id: str) -> str:
    """The send-once key of an alert to a chat: a digest, since a webhook's chat id is its key."""
    return f"chat:{platform}:{hashlib.sha256(chat_id.encode()).hexdigest()[:24]}"


def _no_success_since(snapshot: Snapshot, row: Outbox) -> bool:
    """A message that ran out of retries and nothing was delivered on its channel after it was queued."""
    stats = snapshot.channels.get(row.platform)
    last = stats.last_sent_at if stats is not None else None
    return last is None or last < row.created_at
