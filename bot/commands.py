"""Recognising chat commands the way people actually type them: with or without a leading `/`,
`#` or full-width `＃`, after an @mention of the bot, with full-width spaces and digits, and with
the argument glued to the command word ("查询261122-001")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_MENTION = re.compile(r"^@\S+[\s\u2005]*")
_PREFIX = re.compile(r"^[/#]+\s*")


@dataclass(frozen=True)
class CommandText:
    word: str  # the command word as matched (canonical or alias)
    args: str  # the rest, normalised, stripped
    explicit: bool  # typed with a / or # prefix, so it was meant as a command


# Full-width letters and digits, ＃, ／, －, ＠ and the ideographic space fold to ASCII; Chinese
# punctuation (，。：；！？（）) stays as typed, since the rest of a command is the user's own words.
_FOLD = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B),
                                    0xFF03, 0xFF0F, 0xFF0D, 0xFF20]}
_FOLD |= {0x3000: 0x20, 0x2005: 0x20}


def normalise(text: str) -> str:
    """Fold full-width digits, letters, spaces and ＃ into their plain forms; keep the rest."""
    text = text.translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip()


def parse_command(text: str, words: Iterable[str]) -> CommandText | None:
    """Match the longest known command word at the start of `text`; None if it is not a command.

    A message starting with `/` or `#` whose word is unknown still comes back (with `word` set to
    what was typed) so the bot can answer "unknown command" instead of staying silent."""
    norm = normalise(text)
    norm = _MENTION.sub("", norm) if norm.startswith("@") else norm
    explicit = bool(_PREFIX.match(norm))
    body = _PREFIX.sub("", norm)
    best = max((w for w in words if body.startswith(w)), key=len, default=None)
    if best is not None:
        rest = body[len(best) :]
        if not rest or rest[0] == " " or _glued_arg_ok(rest):
            return CommandText(best, rest.strip(), explicit)
    if explicit and body:
        return CommandText(body.split(" ", 1)[0], body.partition(" ")[2].strip(), True)
    return None


def _glued_arg_ok(rest: str) -> bool:
    # "查询261122-001" and "查询工单261122-001" are commands; "帮助我们看看" is not: only a number
    # (after an optional 工单) may follow without a space.
    return rest[0].isdigit() or re.match(r"工单\s*\d", rest) is not None
