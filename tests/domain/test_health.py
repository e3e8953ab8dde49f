"""How health is decided from the numbers: each reason, and quiet when messages flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.health import ChannelStats, Snapshot, Thresholds, assess

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
LIMITS = Thresholds()


def ago(**kw: float) -> datetime:
    return NOW - timedelta(**kw)


def codes(snapshot: Snapshot) -> set[str]:
    return {reason.split(":")[0] for reason in assess(snapshot, NOW, LIMITS).reasons}


def test_messages_flowing_is_ok_even_with_a_backlog_being_worked_off() -> None:
    flowing = Snapshot(pending=300, oldest_pending_at=ago(minutes=4), last_sent_at=ago(seconds=2))
    assert assess(flowing, NOW, LIMITS).status == "ok"


def test_nothing_delivered_while_messages_wait_is_stalled() -> None:
    assert codes(Snapshot(pending=2, oldest_pending_at=ago(minutes=6), last_sent_at=ago(minutes=40))) == {
        "outbox_stalled"}
    assert codes(Snapshot(pending=2, oldest_pending_at=ago(minutes=6))) == {"outbox_stalled"}  # never sent
    # sending, but one message has waited long (a destination kept failing): a backlog, not a stall
    assert codes(Snapshot(pending=2, oldest_pending_at=ago(minutes=20), last_sent_at=ago(seconds=5))) == {
        "outbox_backlog"}


def test_acknowledged_but_unhandled_messages() -> None:
    assert codes(Snapshot(unhandled=5, oldest_unhandled_at=ago(seconds=59))) == set()
    reasons = assess(Snapshot(unhandled=5, oldest_unhandled_at=ago(minutes=3)), NOW, LIMITS).reasons
    assert reasons == ["inbound_unhandled: 5 acknowledged message(s) not handled, the oldest for 3 min"]


def test_a_channel_failing_for_a_while_with_no_success() -> None:
    failing = ChannelStats(pending=4, failing=4, last_error="HTTP 502", oldest_failing_at=ago(minutes=6))
    healthy = ChannelStats(pending=1, failing=3, last_sent_at=ago(seconds=30), oldest_failing_at=ago(minutes=9))
    result = assess(Snapshot(pending=5, oldest_pending_at=ago(minutes=6), last_sent_at=ago(seconds=30),
                             channels={"wecom_app": failing, "bridge": healthy}), NOW, LIMITS)
    assert result.failing_channels == {"wecom_app"}
    assert result.reasons == ["channel_failing: wecom_app: 4 message(s) failed to send, last error HTTP 502"]
    two_failures = ChannelStats(pending=2, failing=2, oldest_failing_at=ago(hours=1))
    assert assess(Snapshot(channels={"mp": two_failures}), NOW, LIMITS).failing_channels == frozenset()
