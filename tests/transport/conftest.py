"""Channel tests: the real aiohttp server, the real crypto, a fake WeCom API at the network edge.
Time never really passes: sleeps are recorded by `FakeTime` and advance its clock instead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

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
async def fake() -> AsyncIterator[FakeWeCom]:
    server = FakeWeCom()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def json_of(seen: Any) -> dict[str, Any]:
    assert isinstance(seen.body, dict)
    return seen.body
