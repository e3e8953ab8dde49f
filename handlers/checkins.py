"""Cadres' duty commands (签到, 签退, 夜访, 走访, 党课, 会议, 联系卡, 请假, 项目, 项目完成) and the
secretary's 谈话. Each answers with what was recorded and the month's running totals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.audience import Audience
from bot.context import Context
from bot.domain.tickets import TransitionError
from bot.i18n import N_
from bot.nlp.parser import get_parser
from bot.nlp.shape import Reading
from bot.registry import CommandSpec, Registry
from bot.services import duties
from bot.services.duties import SECRETARIES
from bot.services.work import Work
from storage.models import Person

CADRES = frozenset({"cadre", "sunk_cadre", "grid_worker"})

Recorder = Callable[[Work, str, str, Context], Awaitable[str]]


def recorded(action: Recorder, *, with_totals: bool = True) -> Callable[[Context, str], Awaitable[None]]:
    async def handler(ctx: Context, args: str) -> None:
        member = ctx.sender.member
        assert member is not None  # the role check let only roster people through
        work = ctx.work()
        try:
            answer = await action(work, member.person_id, args, ctx)
        except TransitionError as refusal:
            await ctx.reply(str(refusal), public=refusal.public)
            return
        if with_totals:
            await work.session.flush()
            local = work.local()
            month = await duties.totals(work, member.person_id, local.year, local.month,
                                        ctx.settings.duties.evening_hour)
            answer += "\n" + duties.totals_line(month)
        await ctx.reply(answer)

    return handler


async def _sign_in(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.sign_in(work, person)


async def _sign_out(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.sign_out(work, person)


async def _night(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.night_visit(work, person, args, ctx.settings.duties.evening_hour)


async def _visit(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.visit(work, person, args)


async def _lecture(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.party_lecture(work, person, args)


async def _meeting(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.meeting(work, person, args)


async def _cards(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.contact_cards(work, person, args)


async def _leave(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.leave(work, person, args)


async def _cadres_of_sender(work: Work, ctx: Context) -> list[Person]:
    assert ctx.sender.member is not None  # the role check let only roster people through
    return await duties.cadres_in_area(work, ctx.sender.member)


async def _talk(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.talk(work, person, args, await _cadres_of_sender(work, ctx))


async def _report(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.report(work, person, args, ctx.settings.duties.evening_hour)


async def _confirm(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.confirm_report(work, person, args, ctx.settings.duties.evening_hour)


async def _absent(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.spot_check_absent(work, await _cadres_of_sender(work, ctx), args)


async def _project(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.commit_project(work, person, args)


async def _project_done(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.finish_project(work, person, args)


async def plain_words(ctx: Context) -> bool:
    """A cadre's account of duty done in plain words ("今晚去3号楼夜访了两户独居老人") is proposed,
    not recorded: the cadre confirms it privately so a wrong guess never enters the report."""
    member = ctx.sender.member
    if member is None or not (member.roles & CADRES) or ctx.shape not in ("text", "quote"):
        return False
    parser = get_parser()
    guess, ctx.parsed = parser.of_cadre(ctx.message.text, parser.read(ctx.reading or Reading("text", ctx.message.text)))
    if guess is None:
        return False
    data: dict[str, object] = {"kind": guess.kind, "households": guess.households, "tags": list(guess.tags),
                               "meeting_type": guess.meeting_type}
    await ctx.reply(await duties.propose(ctx.work(), member.person_id, data, guess.note))
    # duty that found a problem left open (or a danger) is also a report: the intake files it next (its
    # alarm is sent first all the same: the outbox sends by urgency before order)
    return not ctx.parsed.is_request


async def _confirm_words(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.confirm_pending(work, person, ctx.settings.duties.evening_hour)


async def _cancel_words(work: Work, person: str, args: str, ctx: Context) -> str:
    return await duties.cancel_pending(work, person)


def register(registry: Registry) -> None:
    # before the resident intake: a cadre's report is not a ticket; answered privately, never in a group
    registry.add_text_handler(plain_words, audience=Audience.staff)
    add = registry.add_command
    staff = Audience.staff  # duty business is never answered in a residents' group
    add(CommandSpec("确认", N_("— record what the bot understood from your words"), recorded(_confirm_words),
                    CADRES, audience=staff))
    add(CommandSpec("取消", N_("— drop what the bot understood from your words"),
                    recorded(_cancel_words, with_totals=False), CADRES, audience=staff))
    add(CommandSpec("签到", N_("— arrive in the community"), recorded(_sign_in), CADRES, audience=staff))
    add(CommandSpec("签退", N_("— leave the community (hours are counted)"), recorded(_sign_out), CADRES,
                    audience=staff))
    add(CommandSpec("夜访", N_("<notes> — an evening visit"), recorded(_night), CADRES,
                    aliases=("夜谈",), audience=staff))
    add(CommandSpec("走访", N_("<n>户 <notes> — household visits (困难家庭, 空巢老人, 留守儿童, 重点户)"),
                    recorded(_visit), CADRES, audience=staff))
    add(CommandSpec("党课", N_("[topic] — a Party lecture you gave"), recorded(_lecture), CADRES, audience=staff))
    add(CommandSpec("会议", N_("支委会|两委联席|居民代表|交流会 — a meeting you attended"), recorded(_meeting),
                    CADRES | SECRETARIES, audience=staff))
    add(CommandSpec("联系卡", N_("<n> — contact cards handed out"), recorded(_cards), CADRES, audience=staff))
    add(CommandSpec("请假", N_("<from> <to> <reason> — leave"), recorded(_leave, with_totals=False), CADRES,
                    audience=staff))
    add(CommandSpec("项目", N_("<name> [党建] — commit to one of this year's 3 projects"),
                    recorded(_project, with_totals=False), CADRES, audience=staff))
    add(CommandSpec("项目完成", N_("<1-3> <results> — a project is done"),
                    recorded(_project_done, with_totals=False), CADRES, audience=staff))
    add(CommandSpec("报表", N_("[YYYY-MM] [<item> <value>] — your monthly form 5, filled in from your records"),
                    recorded(_report, with_totals=False), CADRES, audience=staff))
    add(CommandSpec("确认报表", N_("[YYYY-MM] — confirm your monthly form 5"),
                    recorded(_confirm, with_totals=False), CADRES, audience=staff))
    add(CommandSpec("不在岗", N_("<cadre name> — a spot check found a cadre absent"),
                    recorded(_absent, with_totals=False), SECRETARIES, audience=staff))
    add(CommandSpec("谈话", N_("<cadre name> — record a heart-to-heart talk (谈心谈话)"),
                    recorded(_talk, with_totals=False), SECRETARIES, audience=staff))
