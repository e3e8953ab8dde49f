"""Chat handlers. `register_all` is the one list of what the bot understands."""

from __future__ import annotations

from bot.registry import Registry
from handlers import checkins, help, tickets


def register_all(registry: Registry) -> Registry:
    help.register(registry)
    tickets.register(registry)
    checkins.register(registry)
    return registry
