"""Free text that the parser calls a request becomes a ticket (or joins one about the same
problem). Chatter returns False so the pipeline stays silent in groups."""

from __future__ import annotations

import logging

from bot.context import Context
from bot.i18n import _
from bot.nlp.parser import get_parser
from bot.registry import Registry
from bot.services import tickets as service
from handlers.tickets import actor_of
from storage import ticket_store
from storage.models import Person
from storage.roster_store import communities, find_chat

log = logging.getLogger(__name__)


async def intake(ctx: Context) -> bool:
    parsed = get_parser().parse(ctx.message.text)
    if not parsed.is_request:
        return False
    place = await _place(ctx, parsed.location.community if parsed.location else None)
    if place is None:
        if ctx.message.is_private or ctx.message.mentions_bot:
            await ctx.reply(_(
                "Please say which community this is in, e.g. “八仙楼社区3号楼电梯坏了”, "
                "so the right grid worker gets it."
            ))
            return True
        log.warning("request in unbound chat %s/%s ignored", ctx.message.platform, ctx.message.chat_id)
        return False
    grid_id, community_id = place
    report = service.Report(
        text=ctx.message.text, category=parsed.category, urgency=parsed.urgency,
        department=parsed.department, nature=parsed.nature,
        location=parsed.location.to_dict() if parsed.location else None,
        keywords=list(parsed.keywords),
    )
    work = ctx.work()
    ticket, joined = await service.file_report(work, actor=actor_of(ctx), grid_id=grid_id,
                                               community_id=community_id, report=report)
    handler = await ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    await ctx.reply(service.filing_reply(work, ticket, handler, joined), ticket=ticket.no)
    return True


async def _place(ctx: Context, named_community: str | None) -> tuple[str | None, str] | None:
    """(grid, community) of the report: the bound chat; otherwise the community the text names;
    for a private message, failing that, the group the resident last reported from."""
    if ctx.place is not None and ctx.place.community_id is not None:
        return ctx.place.grid_id, ctx.place.community_id
    text = ctx.message.text
    for unit_id, name in await communities(ctx.session):
        short = name.removesuffix("社区")
        if (named_community and short in named_community) or short in text:
            return None, unit_id
    if not ctx.message.is_private:
        return None
    last = await ticket_store.last_place_of(ctx.session, ctx.message.platform, ctx.message.user_id)
    if last is not None and last.chat_id is not None:
        chat = await find_chat(ctx.session, last.platform, last.chat_id)
        if chat is not None and chat.community_id is not None:
            return chat.grid_id, chat.community_id
    return None


def register(registry: Registry) -> None:
    registry.add_text_handler(intake)
