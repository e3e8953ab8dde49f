"""Ticket commands in chat, for residents, grid workers and cadres, departments and secretaries.
Each parses its arguments, calls the ticket service and answers; refusals come back as a clear
Chinese sentence, never as silence."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence

from bot.audience import Audience
from bot.context import Context
from bot.domain.categories import category
from bot.domain.periods import FIRST_YEAR, plausible_year
from bot.domain.points import standings
from bot.domain.tickets import SATISFACTION, TransitionError, state_label
from bot.i18n import N_, _
from bot.registry import CommandSpec, Registry
from bot.services import tickets as service
from bot.services.work import Work
from storage import ticket_store
from storage.models import Ticket

STAFF = frozenset({"grid_worker", "cadre"})
SECRETARIES = frozenset({"community_secretary", "street_secretary"})
DEPARTMENT = frozenset({"department_liaison"})
_SPLIT = re.compile(r"[\s、,，;；/]+")

TicketAction = Callable[[Work, service.Actor, Ticket, str], Awaitable[str]]


def actor_of(ctx: Context) -> service.Actor:
    member = ctx.sender.member
    return service.Actor(ctx.sender.user_id, ctx.sender.name or (member.name if member else None),
                         member, ctx.message.platform, ctx.message.chat_id)


_NO_FIRST = re.compile(r"^(?:工单\s*)?(\d{6}-?\d{3})(?!\d)\s*(.*)$", re.S)


def split_no(args: str) -> tuple[str, str]:
    """The ticket number and the rest, the rest glued on or not ("261202-001满意", "工单261202001 已修好")."""
    match = _NO_FIRST.match(args.strip())
    if match:
        return match[1], match[2].strip()
    no, _sep, rest = args.strip().partition(" ")
    return no, rest.strip()


def on_ticket(action: TicketAction) -> Callable[[Context, str], Awaitable[None]]:
    """Wrap an action taking (work, actor, ticket, rest-of-arguments) into a command handler."""

    async def handler(ctx: Context, args: str) -> None:
        quoted = ctx.reading.quoted_ticket() if ctx.reading else None
        if quoted and not _NO_FIRST.match(args.strip()):
            args = f"{quoted} {args}"  # "受理" under a quote of the bot's message about that ticket
        raw_no, rest = split_no(args)
        work = ctx.work()
        try:
            ticket = await service.load(work, raw_no)
            answer = await action(work, actor_of(ctx), ticket, rest)
        except TransitionError as refusal:
            await ctx.reply(str(refusal), audience=Audience.sender, public=refusal.public)
            return
        await ctx.reply(answer, ticket=ticket)

    return handler


async def may_act(work: Work, actor: service.Actor, ticket: Ticket) -> bool:
    """service.may_act with the departments the ticket was escalated to (looked up only for liaisons)."""
    assert ticket.id is not None
    escalated = ([e.department_id for e in await ticket_store.escalations(work.session, ticket.id)]
                 if actor.units(service.DEPARTMENT_ROLES) else [])
    return service.may_act(actor, ticket, escalated)


async def query(ctx: Context, args: str) -> None:
    """查询: where a ticket stands, for anyone (a public line); its details only for those who may
    act on it, and only privately."""
    raw_no, _rest = split_no(args)
    work = ctx.work()
    try:
        ticket = await service.load(work, raw_no)
    except TransitionError as refusal:
        await ctx.reply(str(refusal), audience=Audience.sender, public=refusal.public)
        return
    details = await may_act(work, actor_of(ctx), ticket)
    if ctx.message.is_private:
        await ctx.reply(service.describe(work, ticket, staff=details), ticket=ticket)
        return
    await ctx.reply(service.describe(work, ticket, staff=False), ticket=ticket)
    if details:
        await ctx.reply(service.describe(work, ticket, staff=True), ticket=ticket, audience=Audience.staff)


async def _accept(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.accept(work, actor, ticket)


async def _on_site(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.on_site(work, actor, ticket)


async def _resolve(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.resolve(work, actor, ticket, rest)


async def _escalate(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    names = [n for n in _SPLIT.split(rest) if n]
    return await service.escalate(work, actor, ticket, names)


async def _reassign(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.reassign(work, actor, ticket, rest)


async def _extend(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    match = re.match(r"^(\d{1,4})\s*(?:个)?(?:工作日|天|日)?\s*(.*)$", rest)
    if not match:
        raise TransitionError(_("Write it as “延期 <number> 3天 <reason>”."))
    return await service.extend(work, actor, ticket, int(match[1]), match[2].strip())


async def _verify(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    verdict, _sep, reason = rest.partition(" ")
    if verdict not in ("通过", "退回"):
        raise TransitionError(_("Write “核查 <number> 通过” or “核查 <number> 退回 <reason>”."))
    return await service.verify(work, actor, ticket, verdict == "通过", reason.strip())


async def _close(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.close(work, actor, ticket, rest)


async def _report_in(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.dept_report(work, actor, ticket)


async def _feedback(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.dept_feedback(work, actor, ticket, rest)


async def _supplement(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.supplement(work, actor, ticket, rest)


async def _withdraw(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    return await service.withdraw(work, actor, ticket)


async def _rate(work: Work, actor: service.Actor, ticket: Ticket, rest: str) -> str:
    answer = rest.split(" ")[0] if rest else ""
    if answer not in SATISFACTION:
        raise TransitionError(_("Rate with 满意, 基本满意 or 不满意."))
    return await service.rate(work, actor, ticket, answer)


async def my_tickets(ctx: Context, args: str) -> None:
    assert ctx.sender.member is not None
    tickets = await ticket_store.tickets_for(ctx.session, assignee_id=ctx.sender.member.person_id)
    await ctx.reply(_listing(ctx, tickets, _("Your open tickets")))


async def area_tickets(ctx: Context, args: str) -> None:
    """工单: the open tickets inside the secretary's own units (a street: its communities)."""
    member = ctx.sender.member
    assert member is not None
    units = sorted(service.area_of(member, service.MANAGERS))
    tickets = await ticket_store.tickets_for(ctx.session, unit_ids=units)
    await ctx.reply(_listing(ctx, tickets, _("Open tickets of your area")))


def _listing(ctx: Context, tickets: Sequence[Ticket], title: str) -> str:
    work = ctx.work()
    rows = [
        f"{t.no} {category(t.category).name()} · {state_label(t.state)} · "
        + _("due {due}").format(due=service.fmt_due(work, t.due_at))
        + (" ⚠" if t.due_at and t.due_at < ctx.now else "")
        for t in tickets
    ]
    if not rows:
        return _("{title}: none.").format(title=title)
    return _("{title} ({n}):").format(title=title, n=len(rows)) + "\n" + "\n".join(rows)


async def points_ranking(ctx: Context, args: str) -> None:
    today, arg = ctx.work().local().date(), args.strip()
    year = int(arg) if arg.isdecimal() and len(arg) <= 4 else today.year
    if arg.isdecimal() and (len(arg) > 4 or not plausible_year(year, today)):
        await ctx.reply(_("Points are kept from {first} to {last}; {year} is not among them.").format(
            first=FIRST_YEAR, last=today.year, year=args.strip()))
        return
    ledger = [(unit.name, value) for unit, value in await ticket_store.points_by_department(ctx.session, year)]
    lines = [_("吹哨报到 points {year} (base 60):").format(year=year)]
    lines += [f"{place}. {name} {points:g}" for place, name, points in standings(ledger)]
    await ctx.reply("\n".join(lines))


def register(registry: Registry) -> None:
    add = registry.add_command
    add(CommandSpec("查询", N_("<number> — where a ticket stands"), query,
                    aliases=("进度",), audience=Audience.public))
    add(CommandSpec("补充", N_("<number> <details> — add to your report"), on_ticket(_supplement),
                    audience=Audience.public))
    add(CommandSpec("撤回", N_("<number> — withdraw your report"), on_ticket(_withdraw),
                    aliases=("撤销",), audience=Audience.public))
    add(CommandSpec("评价", N_("<number> 满意|基本满意|不满意 — rate how it was handled"),
                    on_ticket(_rate), audience=Audience.public))
    add(CommandSpec("受理", N_("<number> — accept a ticket"), on_ticket(_accept), STAFF,
                    aliases=("接单",), audience=Audience.public))
    add(CommandSpec("到场", N_("<number> — record that you are on site"), on_ticket(_on_site), STAFF,
                    aliases=("到达",), audience=Audience.public))
    add(CommandSpec("办结", N_("<number> <what was done> — mark as resolved"), on_ticket(_resolve),
                    STAFF, aliases=("完成",), audience=Audience.public))
    add(CommandSpec("吹哨", N_("<number> <department> — call a department (3 working days)"),
                    on_ticket(_escalate), STAFF, audience=Audience.public))
    add(CommandSpec("转派", N_("<number> <name> — pass to a colleague"), on_ticket(_reassign), STAFF,
                    audience=Audience.public))
    add(CommandSpec("延期", N_("<number> <n>天 <reason> — extend the deadline"), on_ticket(_extend),
                    STAFF, audience=Audience.public))
    add(CommandSpec("我的工单", N_("— your open tickets"), my_tickets, STAFF, aliases=("我的任务",),
                    audience=Audience.staff))
    add(CommandSpec("报到", N_("<number> — your department takes up a whistled ticket"),
                    on_ticket(_report_in), DEPARTMENT, audience=Audience.staff))
    add(CommandSpec("反馈", N_("<number> <what was done> — your department's answer"),
                    on_ticket(_feedback), DEPARTMENT, audience=Audience.staff))
    add(CommandSpec("核查", N_("<number> 通过|退回 <reason> — check a resolved ticket"),
                    on_ticket(_verify), SECRETARIES, audience=Audience.public))
    add(CommandSpec("结案", N_("<number> <reason> — close a ticket (the reporter is told the reason)"),
                    on_ticket(_close), SECRETARIES, audience=Audience.public))
    add(CommandSpec("工单", N_("— open tickets of your area"), area_tickets, SECRETARIES,
                    aliases=("工单列表",), audience=Audience.staff))
    add(CommandSpec("积分", N_("[year] — departments' 吹哨报到 points"), points_ranking,
                    SECRETARIES | DEPARTMENT, audience=Audience.staff))
