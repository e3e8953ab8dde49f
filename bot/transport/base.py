"""The outbound seam: each channel implements `Transport.send`; the outbox worker calls it."""

from __future__ import annotations

from typing import Protocol

from bot.events import OutboundMessage


class TransportError(Exception):
    """Delivery failed. `retryable` False means retrying cannot help (bad recipient, bad key)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Transport(Protocol):
    platform: str

    async def send(self, message: OutboundMessage) -> None:
        """Deliver one message or raise TransportError."""
        ...
