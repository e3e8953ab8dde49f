"""`帮助` lists the commands the sender's roles may use; `身份` tells people how the bot sees them
(which roster entry and roles), which is the first thing to check when a command is refused."""

from __future__ import annotations

from bot.audience import Audience
from bot.context import Context
from bot.i18n import N_, _, using
from bot.nlp.greeting import is_greeting
from bot.registry import CommandSpec, Registry
from bot.roles import role_label, role_labels
from bot.services.languages import set_language

LANGUAGE_WORDS = {"zh_CN": ("中文", "汉语", "简体中文", "chinese", "zh", "zh_cn"),
                  "en": ("english", "英文", "英语", "en")}


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
            await ctx.reply("\n".join(lines), public="\n".join(lines))
            return
        await ctx.reply("\n".join(lines), audience=Audience.staff)  # a staff list is staff business

    async def whoami(ctx: Context, args: str) -> None:
        member = ctx.sender.member
        if member is None:
            text = _("You are not in the roster, so the bot treats you as a resident.")
            await ctx.reply(text, public=text)
            return
        grants = "；".join(f"{g.unit_name} {role_label(g.role)}" for g in member.grants)
        await ctx.reply(_("{name}: {grants}").format(name=member.name, grants=grants), audience=Audience.staff)

    registry.add_command(
        CommandSpec("帮助", N_("— list the commands you can use"), show_help,
                    aliases=("help", "菜单", "功能"), audience=Audience.sender)
    )

    async def greet(ctx: Context) -> bool:
        """A private “你好” (or one to the bot in a group) gets a greeting and what the bot does."""
        if not (ctx.message.is_private or ctx.message.mentions_bot) or not is_greeting(ctx.message.text):
            return False
        await ctx.reply(_(
            "Hello! I am {bot}, the grid's assistant. Tell me a problem in your community in plain "
            "words (e.g. “3号楼电梯又坏了”) and I file a ticket for the grid worker and tell you how it "
            "goes; “查询 <number>” shows where a ticket stands; “帮助” lists everything you can do."
        ).format(bot=ctx.settings.bot_name))
        return True

    async def choose_language(ctx: Context, args: str) -> None:
        """`语言 English` / `语言 中文`: the bot speaks to the sender in it from now on."""
        wanted = args.strip().lower()
        language = next((code for code, words in LANGUAGE_WORDS.items() if wanted in words), None)
        if language is None:
            await ctx.reply(_("Say “语言 中文” or “语言 English”."))
            return
        await set_language(ctx.session, [ctx.message.user_id], language, ctx.now)
        with using(language):  # staff's settings are staff business: not a word in the group
            await ctx.reply(_("From now on I will write to you in this language."),
                            audience=None if ctx.sender.is_resident else Audience.staff)

    registry.add_text_handler(greet, audience=Audience.sender)  # a greeting in a group: privately
    registry.add_command(
        CommandSpec("语言", N_("中文|English — the language I write to you in"), choose_language,
                    aliases=("language",), audience=Audience.sender)
    )
    registry.add_command(
        CommandSpec("身份", N_("— show your name and roles in the roster"), whoami,
                    aliases=("我是谁",), audience=Audience.sender)
    )
