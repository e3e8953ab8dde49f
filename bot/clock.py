"""Injected time. Every deadline, reminder and ticket number reads the clock, never `datetime.now()`,
so tests and transcripts can run a month in a second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, always timezone-aware."""
        ...


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
