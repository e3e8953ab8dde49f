"""In-memory transport for tests and replay: records what would have been sent."""

from __future__ import annotations

from collections.abc import Callable

from bot.events import OutboundMessage
from bot.transport.base import TransportError


class MemoryTransport:
    def __init__(self, platform: str, on_send: Callable[[OutboundMessage], None] | None = None):
        self.platform = platform
        self.sent: list[OutboundMessage] = []
        self.fail_next: list[TransportError] = []
        self._on_send = on_send

    async def send(self, message: OutboundMessage) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append(message)
        if self._on_send is not None:
            self._on_send(message)

    def pop(self) -> list[OutboundMessage]:
        sent, self.sent = self.sent, []
        return sent
