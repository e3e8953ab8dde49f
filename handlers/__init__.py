"""Chat handlers. `register_all` is the one list of what the bot understands."""

from __future__ import annotations

from bot.registry import Registry
from handlers import checkins, help, media, recall, report, tickets


def register_all(registry: Registry) -> Registry:
    help.register(registry)
    tickets.register(registry)
    recall.register(registry)
    media.register(registry)  # before the handlers that read words
    checkins.register(registry)  # its plain-words handler runs before the intake of reports
    report.register(registry)
    return registry
