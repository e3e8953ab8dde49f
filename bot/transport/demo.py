"""The simulator's channel: outbound messages are pushed to every open browser over server-sent
events. It is a transport like WeCom's; the bot does not know it is being demonstrated."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.events import OutboundMessage


def event_json(
    *, id: str, direction: str, at: datetime | None, chat: str | None, user: str | None,
    text: str, kind: str, tz: ZoneInfo, user_name: str | None = None, ticket: str | None = None,
    files: tuple[str, ...] | list[str] = (),
) -> dict[str, Any]:
    return {
        "id": id, "direction": direction, "at": at.astimezone(tz).isoformat() if at else None,
        "chat": chat, "user": user, "user_name": user_name, "kind": kind, "text": text,
        "ticket": ticket, "files": list(files),
    }


class DemoHub:
    """Fan-out of events to browser subscribers (one queue each)."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    def publish(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            if queue.full():  # a stalled tab: drop it rather than grow without bound
                self._subscribers.discard(queue)
            else:
                queue.put_nowait(event)


class DemoTransport:
    platform = "demo"

    def __init__(self, hub: DemoHub, tz: ZoneInfo) -> None:
        self.hub, self.tz = hub, tz

    async def send(self, message: OutboundMessage) -> None:
        self.hub.publish({
            "type": "message",
            "message": event_json(
                id=f"out-{message.id}", direction="out", at=message.created_at,
                chat=message.chat_id, user=message.user_id, text=message.text, kind=message.kind,
                ticket=message.ticket, files=message.files, tz=self.tz,
            ),
        })
