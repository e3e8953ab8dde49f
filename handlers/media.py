"""Pictures, voice messages, videos, files, places and links. A picture the channel delivers is
kept (bot.services.photos) and placed by the pairing rule: on the ticket its sender just reported,
supplemented (补充) or resolved (办结), or waiting for the words that follow. A picture waiting for
words is talk in a group without an @ (no answer); privately or with an @ the bot asks what is
wrong. What the bot cannot keep (voice, video, a picture it could not fetch) is answered when the
bot is spoken to — once for a series (nine photos in a row get one answer, not nine)."""

from __future__ import annotations

from datetime import timedelta

from bot.audience import Audience
from bot.context import Context
from bot.events import MessageKind
from bot.i18n import _
from bot.registry import Registry
from bot.services import tickets as service
from bot.services.photos import Problem
from handlers.tickets import actor_of
from storage import inbound_store

SERIES = timedelta(minutes=10)  # pictures closer together than this are one series: one answer


def _hint(kind: str) -> str:
    if kind in (MessageKind.image, MessageKind.video):
        return _("I can only read words, not pictures or videos. Please describe the problem and the place in "
                 "a sentence (for example “3号楼电梯坏了”); keep the photo to show your grid worker.")
    if kind == MessageKind.voice:
        return _("I cannot listen to voice messages yet. Please type the problem and the place in a sentence "
                 "(for example “3号楼电梯坏了”).")
    return _("I can only read text messages. Please describe the problem and the place in a sentence "
             "(for example “3号楼电梯坏了”).")


def _problem(problem: Problem, max_mb: float) -> str:
    if problem == Problem.expired:
        return _("The picture could not be fetched any more (it has expired). Please send it again.")
    if problem == Problem.too_large:
        return _("The picture is too large (over {mb} MB). Please send a smaller one.").format(mb=f"{max_mb:g}")
    if problem == Problem.not_image:
        return _("That is not a picture I can read. Please send a photo (JPEG or PNG).")
    return _("The picture could not be fetched just now. Please send it again in a moment.")


async def answer_media(ctx: Context) -> bool:
    if ctx.message.kind == MessageKind.text:
        return False
    spoken_to = ctx.message.is_private or ctx.message.mentions_bot
    if ctx.photo is not None and ctx.photos is not None:
        work = ctx.work()
        placed = await ctx.photos.place(work, ctx.photo)
        if placed is not None:
            answer = await service.photo_added(work, actor_of(ctx), placed.ticket, ctx.photo, placed.role)
            await ctx.reply(answer, ticket=placed.ticket, public=answer)
        elif spoken_to and not await _answered_series(ctx):
            ask = _("Photo received. Send “办结 <number> <what was done>” now to keep it as the evidence of the "
                    "work, or describe a problem to report it.") if ctx.sender.roles & service.TICKET_WORKERS else \
                _("Photo received. What is wrong, and where? Describe it in a sentence (for example "
                  "“3号楼电梯坏了”) and the photo goes with your report.")
            await ctx.reply(ask, public=ask)
        return True  # in a group without an @, a picture waiting for words is talk
    if not spoken_to or ctx.inbound_id is None:
        return True
    if ctx.taken is not None and ctx.taken.problem is not None:
        answer = _problem(ctx.taken.problem, ctx.settings.media.max_mb)
        await ctx.reply(answer, public=answer)
        return True
    if not await _answered_series(ctx):
        await ctx.reply(_hint(ctx.message.kind), public=_hint(ctx.message.kind))
    return True


async def _answered_series(ctx: Context) -> bool:
    """An earlier message of the same kind from the sender in this chat within `SERIES`."""
    assert ctx.inbound_id is not None
    return await inbound_store.same_kind_sent_since(
        ctx.session, before_id=ctx.inbound_id, platform=ctx.message.platform, chat_id=ctx.message.chat_id,
        user_id=ctx.message.user_id, kind=ctx.message.kind, since=ctx.now - SERIES)


def register(registry: Registry) -> None:
    registry.add_text_handler(answer_media, audience=Audience.sender)  # first: the other handlers read words
