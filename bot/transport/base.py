"""The outbound seam: each channel implements `Transport.send`; the outbox worker calls it."""

from __future__ import annotations

from typing import Protocol

from bot.events import OutboundMessage


class TransportError(Exception):
    """Delivery failed. `retryable` False means retrying cannot help (bad recipient, bad key)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class RateLimited(TransportError):
    """No slot for this destination now (a per-member or per-robot limit, or the platform said
    so): the outbox puts the message back until `retry_after` seconds from now, without counting
    an attempt, and goes on with other destinations meanwhile."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, retryable=True)
        self.retry_after = max(retry_after, 0.0)


class Transport(Protocol):
    platform: str

    async def send(self, message: OutboundMessage) -> None:
        """Deliver one message or raise TransportError."""
        ...


def is_utf8(text: str) -> bool:
    """JSON may carry lone surrogates (`"\\ud800"`) that no database can store: a message with one
    is refused at the door (400) instead of failing its whole batch later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class MediaError(Exception):
    """A message's picture could not be fetched from its channel. `reason`: "expired" (the
    platform no longer has it: WeCom's 40007 invalid media_id, a robot URL past its 5 minutes),
    "too_large", "not_image" (undecryptable or not a picture) or "unavailable" (try again later)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
