"""The handler table: chat commands (with the roles allowed to use them and a usage line for
`帮助`) and free-text handlers tried in order when a message is not a command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.audience import Audience
from bot.commands import parse_command
from bot.context import Context
from bot.i18n import _
from bot.roles import role_labels

CommandHandler = Callable[[Context, str], Awaitable[None]]
COMMAND_SHAPES = frozenset({"text", "quote"})  # shapes whose words a person wrote now
TextHandler = Callable[[Context], Awaitable[bool]]


@dataclass(frozen=True)
class CommandSpec:
    """A command: its word, usage line, handler, who may use it (`roles`) and who may read its
    answers (`audience`, required: a command cannot forget to say whether it is public)."""

    word: str  # canonical command word, as documented
    usage: str  # msgid: "<arguments> — what it does"
    handler: CommandHandler
    roles: frozenset[str] | None = None  # None: anyone, residents included
    aliases: tuple[str, ...] = ()
    audience: Audience = field(kw_only=True)

    def allowed(self, roles: frozenset[str]) -> bool:
        return self.roles is None or bool(self.roles & roles)


class Registry:
    def __init__(self) -> None:
        self.commands: list[CommandSpec] = []
        self._by_word: dict[str, CommandSpec] = {}
        self.text_handlers: list[tuple[TextHandler, Audience]] = []
        self.kind_handlers: dict[str, tuple[TextHandler, Audience]] = {}

    def add_command(self, spec: CommandSpec) -> None:
        for word in (spec.word, *spec.aliases):
            if word in self._by_word:
                raise ValueError(f"command word {word!r} registered twice")
            self._by_word[word] = spec
        self.commands.append(spec)

    def add_text_handler(self, handler: TextHandler, *, audience: Audience) -> None:
        """A free-text handler and who may read its answers (as for commands)."""
        self.text_handlers.append((handler, audience))

    def command(self, word: str) -> CommandSpec | None:
        """The command a word (or alias) names, None if there is none."""
        return self._by_word.get(word)

    def add_kind_handler(self, kind: str, handler: TextHandler, *, audience: Audience) -> None:
        """The one handler for messages of `kind` that are not words (a recall): no command or
        free-text handler sees them."""
        self.kind_handlers[kind] = (handler, audience)

    def visible_to(self, roles: frozenset[str]) -> list[CommandSpec]:
        return [c for c in self.commands if c.allowed(roles)]

    async def dispatch(self, ctx: Context) -> None:
        """Command first; otherwise free-text handlers; otherwise a hint when spoken to directly.

        Plain group chatter that is neither a command nor handled gets no answer at all, and so do
        the group's own system lines and 接龙 lists, wherever they come; cards, notices and relayed
        news are never commands (only a line a person wrote, or the new words of a quote, are)."""
        ctx.audience = Audience.sender
        if (by_kind := self.kind_handlers.get(ctx.message.kind)) is not None:
            handler, ctx.audience = by_kind
            await handler(ctx)
            return
        if ctx.reading is not None and ctx.reading.silent:
            return
        command = parse_command(ctx.message.text, self._by_word) if ctx.shape in COMMAND_SHAPES else None
        if command is not None:
            spec = self._by_word.get(command.word)
            if spec is None:  # the word was typed: privately only; the group learns the kind of mistake
                await ctx.reply(
                    _("There is no command “{word}”. Send “帮助” to see what you can use.").format(
                        word=command.word),
                    public=_("There is no such command. Send “帮助” to see what you can use."),
                )
                return
            if spec.allowed(ctx.sender.roles):
                ctx.audience = spec.audience
                await spec.handler(ctx, command.args)
                return
            if command.explicit or command.args or ctx.message.is_private or ctx.message.mentions_bot:
                refusal = _("“{word}” is only for: {roles}. Send “帮助” to see what you can use.").format(
                    word=spec.word, roles=role_labels(spec.roles or ()))
                await ctx.reply(refusal, public=refusal)
                return
            # a bare word not addressed to the bot: a resident saying “确认” in the group is talk
        for handler, audience in self.text_handlers:
            ctx.audience = audience
            if await handler(ctx):
                return
        ctx.audience = Audience.sender
        if ctx.message.is_private or ctx.message.mentions_bot:
            hint = _("I did not understand that. Send “帮助” to see what you can use.")
            await ctx.reply(hint, public=hint)
