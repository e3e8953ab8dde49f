"""Free text that the parser calls a request becomes a ticket (or joins one about the same
problem). Chatter returns False so the pipeline stays silent in groups."""

from __future__ import annotations

import logging

from bot.audience import Audience
from bot.context import Context
from bot.domain.photos import PhotoRole
from bot.domain.tickets import TransitionError
from bot.events import NORMAL, URGENT
from bot.i18n import N_, _
from bot.nlp.lexicon import asks_how_to_report
from bot.nlp.parser import ParseResult, get_parser
from bot.nlp.shape import Reading
from bot.nlp.text import fold
from bot.registry import CommandSpec, Registry
from bot.services import tickets as service
from handlers.tickets import actor_of, split_no
from storage import ticket_store
from storage.models import Person
from storage.roster_store import communities, find_chat

log = logging.getLogger(__name__)


def report_of(text: str, parsed: ParseResult | None = None) -> service.Report:
    """A report as the parser reads it (also used to file a split-off duplicate again); `parsed`:
    the parse the intake already made of `text` (with its shape), so a line is parsed once."""
    parsed = parsed if parsed is not None else get_parser().parse(text)
    return service.Report(
        text=text, category=parsed.category, urgency=parsed.urgency,
        department=parsed.department, nature=parsed.nature,
        location=parsed.location.to_dict() if parsed.location else None,
        keywords=list(parsed.keywords),
    )


async def intake(ctx: Context) -> bool:
    parsed = ctx.parsed or get_parser().read(ctx.reading or Reading("text", ctx.message.text))
    if not parsed.is_request:
        if ctx.shape in ("text", "quote") and asks_how_to_report(fold(ctx.message.text).lower()):
            # "在吗 想问下怎么报修": a question for 帮助, answered with how to report, not filed
            await ctx.reply(_("To report a problem, just describe it, e.g. “3号楼电梯又坏了”. "
                              "You will get a ticket number."))
            return True
        return False
    place = await _place(ctx, parsed.location.community if parsed.location else None)
    if place is None:
        if ctx.message.is_private or ctx.message.mentions_bot:
            ask = _("Please say which community this is in, e.g. “八仙楼社区3号楼电梯坏了”, "
                    "so the right grid worker gets it.")
            await ctx.reply(ask, audience=Audience.sender, public=ask)
            return True
        log.warning("request in unbound chat %s/%s", ctx.message.platform, ctx.message.chat_id)
        await service.tell_admins_of_unbound_chat(ctx.work(), ctx.message.platform, str(ctx.message.chat_id))
        return True
    grid_id, community_id = place
    # a reply taking up a quoted call for help: the staff are told the call itself, not only "谁有钥匙"
    said = ctx.message.text
    if parsed.from_quote and ctx.reading is not None and ctx.reading.quoted:
        said = f"「{ctx.reading.quoted}」{said}"
    report = report_of(said, parsed)
    work = ctx.work()
    actor = actor_of(ctx)
    # the sender's pictures from the last minutes (this message's own included) go with the report
    photos = await ctx.photos.waiting(work, platform=actor.platform, user_id=actor.im_user,
                                      chat_id=actor.chat_id) if ctx.photos is not None else []
    files = await ctx.photos.files(photos) if ctx.photos is not None and photos else ()
    ticket, filed = await service.file_report(work, actor=actor, grid_id=grid_id,
                                              community_id=community_id, report=report, files=files)
    if ctx.photos is not None and photos and filed != service.Filed.staff_same:
        await ctx.photos.attach(work, photos, ticket, PhotoRole.report)
    handler = await ctx.session.get(Person, ticket.assignee_id) if ticket.assignee_id else None
    staff = filed is service.Filed.staff_same  # staff are told which ticket it is, privately
    await ctx.reply(service.filing_reply(work, ticket, handler, filed, staff and service.may_work(actor, ticket)),
                    ticket=ticket, audience=Audience.staff if staff else None,
                    priority=URGENT if ticket.urgency == "P0" else NORMAL)
    return True


async def not_the_same(ctx: Context, args: str) -> None:
    """不是同一问题 <no>: the sender's report was joined to ticket <no> but is another problem."""
    raw_no, _rest = split_no(args)
    work = ctx.work()
    try:
        ticket = await service.load(work, raw_no)
        new = await service.split(work, actor_of(ctx), ticket, report_of)
    except TransitionError as refusal:
        await ctx.reply(str(refusal), audience=Audience.sender, public=refusal.public)
        return
    handler = await ctx.session.get(Person, new.assignee_id) if new.assignee_id else None
    await ctx.reply(_("Your report is no longer part of ticket {no}.").format(no=ticket.no) + "\n"
                    + service.filing_reply(work, new, handler, service.Filed.opened), ticket=new)


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
    registry.add_command(CommandSpec(
        "不是同一问题", N_("<number> — your report was joined to a ticket but is another problem"),
        not_the_same, audience=Audience.public))  # answered with the new ticket's filing line
    registry.add_text_handler(intake, audience=Audience.public)  # the group sees the filing line
