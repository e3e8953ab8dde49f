"""`帮助` lists the commands the sender's roles may use; `身份` tells people how the bot sees them
(which roster entry and roles), which is the first thing to check when a command is refused."""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_, _
from bot.registry import CommandSpec, Registry
from bot.roles import role_label, role_labels


def register(registry: Registry) -> None:
    async def show_help(ctx: Context, args: str) -> None:
        lines = [
            _("Commands for you ({roles}):").format(roles=role_labels(ctx.sender.roles))
        ]
        for spec in registry.visible_to(ctx.sender.roles):
            lines.append(f"· {spec.word} {_(spec.usage)}")
        if ctx.sender.is_resident:
            lines.append(
                _("To report a problem, just describe it, e.g. “3号楼电梯又坏了”. "
                  "You will get a ticket number.")
            )
        await ctx.reply("\n".join(lines))

    async def whoami(ctx: Context, args: str) -> None:
        member = ctx.sender.member
        if member is None:
            await ctx.reply(_("You are not in the roster, so the bot treats you as a resident."))
            return
        grants = "；".join(f"{g.unit_name} {role_label(g.role)}" for g in member.grants)
        await ctx.reply(_("{name}: {grants}").format(name=member.name, grants=grants))

    registry.add_command(
        CommandSpec("帮助", N_("— list the commands you can use"), show_help,
                    aliases=("help", "菜单", "功能"))
    )
    registry.add_command(
        CommandSpec("身份", N_("— show your name and roles in the roster"), whoami,
                    aliases=("我是谁",))
    )
