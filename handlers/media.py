"""Pictures, voice messages, videos, files, places and links: the bot reads only words, so when
one is sent to it (1:1, or with an @ in a group) it says so and asks for a sentence instead of
staying silent; in a group without an @ it is talk, like any other."""

from __future__ import annotations

from bot.context import Context
from bot.events import MessageKind
from bot.i18n import _
from bot.registry import Registry


def _hint(kind: str) -> str:
    if kind in (MessageKind.image, MessageKind.video):
        return _("I can only read words, not pictures or videos. Please describe the problem and the place in "
                 "a sentence (for example “3号楼电梯坏了”); keep the photo to show your grid worker.")
    if kind == MessageKind.voice:
        return _("I cannot listen to voice messages yet. Please type the problem and the place in a sentence "
                 "(for example “3号楼电梯坏了”).")
    return _("I can only read text messages. Please describe the problem and the place in a sentence "
             "(for example “3号楼电梯坏了”).")


async def answer_media(ctx: Context) -> bool:
    if ctx.message.kind == MessageKind.text:
        return False
    if ctx.message.is_private or ctx.message.mentions_bot:
        await ctx.reply(_hint(ctx.message.kind))
    return True


def register(registry: Registry) -> None:
    registry.add_text_handler(answer_media)  # first: the other handlers read words
