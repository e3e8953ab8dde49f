"""Pictures, voice messages, videos, files, places and links: the bot reads only words, so when
one is sent to it (1:1, or with an @ in a group) it says so and asks for a sentence instead of
staying silent — once for a series (nine photos in a row get one hint, not nine; a voice message
after them gets its own); in a group
without an @ it is talk, like any other."""

from __future__ import annotations

from datetime import timedelta

from bot.audience import Audience
from bot.context import Context
from bot.events import MessageKind
from bot.i18n import _
from bot.registry import Registry
from storage import inbound_store

SERIES = timedelta(minutes=10)  # pictures closer together than this are one series: one hint


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
    if not (ctx.message.is_private or ctx.message.mentions_bot) or ctx.inbound_id is None:
        return True
    hinted = await inbound_store.same_kind_sent_since(
        ctx.session, before_id=ctx.inbound_id, platform=ctx.message.platform, chat_id=ctx.message.chat_id,
        user_id=ctx.message.user_id, kind=ctx.message.kind, since=ctx.now - SERIES)
    if not hinted:
        await ctx.reply(_hint(ctx.message.kind), public=_hint(ctx.message.kind))
    return True


def register(registry: Registry) -> None:
    registry.add_text_handler(answer_media, audience=Audience.sender)  # first: the other handlers read words
