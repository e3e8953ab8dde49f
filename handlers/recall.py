"""A message taken back (WeChat's 撤回): bot.services.recall undoes what it may and hides the words;
the resident is told what became of a ticket it filed, and nothing is said for anything else (a
recall is silent in WeChat too)."""

from __future__ import annotations

from bot.audience import Audience
from bot.context import Context
from bot.events import MessageKind
from bot.i18n import _
from bot.registry import Registry
from bot.services import recall
from handlers.tickets import actor_of


async def on_recall(ctx: Context) -> bool:
    outcome = await recall.recall(ctx.work(), actor_of(ctx), ctx.message.text)
    if outcome is None:
        return True
    for no in outcome.withdrawn:
        await ctx.reply(_("You took back your message, so ticket {no} has been withdrawn.").format(no=no))
    for no in outcome.kept:
        await ctx.reply(_(
            "You took back your message. Staff are already working on ticket {no}, so it stays open (without "
            "your words). To withdraw it, send “撤回 {no}”."
        ).format(no=no))
    return True


def register(registry: Registry) -> None:
    registry.add_kind_handler(MessageKind.recall, on_recall, audience=Audience.sender)
