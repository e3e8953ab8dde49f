"""Injected time. Every deadline, reminder and ticket number reads the clock, never `datetime.now()`,
so tests and transcripts can run a month in a second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, always timezone-aware."""
        ...


class MovableClock(Clock, Protocol):
    """A clock that scheduled jobs can be run against in simulated time (replay, demo)."""

    def set(self, when: datetime) -> None: ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (tests, replay, the demo)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock times must be timezone-aware")
        if when < self._now:
            raise ValueError(f"the clock cannot go back from {self._now.isoformat()} to {when.isoformat()}")
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)


class OffsetClock:
    """Wall-clock time shifted by an offset that only grows: the demo's clock, which runs in real
    time and can be moved forward to show reminders and digests firing."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = start - datetime.now(UTC) if start is not None else timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("clock times must be timezone-aware")
        self._offset = max(self._offset, when - datetime.now(UTC))

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)

    def reset(self) -> None:
        """Back to real time (the demo's reset, which also empties its database)."""
        self._offset = timedelta(0)
