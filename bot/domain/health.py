"""What `/healthz` says, decided from numbers the database gives (pure: no I/O).

`ok` when messages flow; `degraded` (still HTTP 200: monitors that only read the status have a
field to alert on) with one reason per problem: the outbox delivered nothing for a while although
messages wait, the oldest waiting message is old, an acknowledged message has not been handled, a
channel keeps failing. Only an unreachable database is an error (503), decided by the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Thresholds:
    stalled: timedelta = timedelta(minutes=5)  # no delivery at all for this long while messages wait
    pending: timedelta = timedelta(minutes=15)  # the oldest message waiting for delivery
    inbound: timedelta = timedelta(seconds=60)  # the oldest acknowledged message not yet handled
    channel_failures: int = 3  # waiting messages one channel failed to send, with no success since


@dataclass(frozen=True)
class ChannelStats:
    """One platform's side of the outbox."""

    pending: int = 0
    failing: int = 0  # waiting messages whose last attempt failed
    last_sent_at: datetime | None = None
    last_error: str | None = None  # of the most recent failing message
    oldest_failing_at: datetime | None = None  # when the oldest failing message was queued


@dataclass(frozen=True)
class Snapshot:
    """The numbers health is decided from (storage.health_store reads them)."""

    pending: int = 0
    failed: int = 0
    oldest_pending_at: datetime | None = None
    last_sent_at: datetime | None = None
    last_failure: str | None = None  # why the latest message that ran out of retries failed
    unhandled: int = 0  # inbound rows still `received`
    oldest_unhandled_at: datetime | None = None
    inbound_failed: int = 0
    channels: dict[str, ChannelStats] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    status: str  # ok | degraded
    reasons: list[str]
    failing_channels: frozenset[str]


def _ago(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max((now - then).total_seconds(), 0.0)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"


def failing_channels(snapshot: Snapshot, now: datetime, limits: Thresholds) -> frozenset[str]:
    """Platforms with at least `channel_failures` waiting messages they failed to send, the oldest
    of them queued `stalled` ago or more, and no successful send within `stalled`."""
    failing = set()
    for platform, stats in snapshot.channels.items():
        quiet = stats.last_sent_at is None or now - stats.last_sent_at >= limits.stalled
        long = stats.oldest_failing_at is not None and now - stats.oldest_failing_at >= limits.stalled
        if stats.failing >= limits.channel_failures and quiet and long:
            failing.add(platform)
    return frozenset(failing)


def assess(snapshot: Snapshot, now: datetime, limits: Thresholds) -> Assessment:
    """The status and its reasons, each `code: detail` (codes: outbox_stalled, outbox_backlog,
    inbound_unhandled, channel_failing)."""
    reasons: list[str] = []
    waiting = _ago(now, snapshot.oldest_pending_at)
    since_sent = _ago(now, snapshot.last_sent_at)
    if snapshot.pending and waiting is not None and waiting >= limits.stalled.total_seconds() and (
            since_sent is None or since_sent >= limits.stalled.total_seconds()):
        last = "never" if since_sent is None else f"{_minutes(since_sent)} ago"
        reasons.append(f"outbox_stalled: nothing delivered for {_minutes(min(waiting, since_sent or waiting))}"
                       f" while {snapshot.pending} message(s) wait (last delivery {last})")
    if waiting is not None and waiting >= limits.pending.total_seconds():
        reasons.append(f"outbox_backlog: the oldest of {snapshot.pending} waiting message(s) has waited "
                       f"{_minutes(waiting)}")
    unhandled = _ago(now, snapshot.oldest_unhandled_at)
    if snapshot.unhandled and unhandled is not None and unhandled >= limits.inbound.total_seconds():
        reasons.append(f"inbound_unhandled: {snapshot.unhandled} acknowledged message(s) not handled, the "
                       f"oldest for {_minutes(unhandled)}")
    failing = failing_channels(snapshot, now, limits)
    for platform in sorted(failing):
        stats = snapshot.channels[platform]
        reasons.append(f"channel_failing: {platform}: {stats.failing} message(s) failed to send, last error "
                       f"{(stats.last_error or '?')[:120]}")
    return Assessment("degraded" if reasons else "ok", reasons, failing)
