"""`gridbot parse`: one JSON line per input message, in input order.

Each line is read as the bot reads it: its shape first (quote, system line, card, notice, relay,
接龙: `"shape"`), then its new words; with `--as cadre` a plain-words account of duty done comes
back in `"checkin"` (`{"kind", "households", "text"}`, what the bot would record) and such a line
is not a request. A JSON line may carry its own `"as"`."""

from __future__ import annotations

import json
import sys
from typing import TextIO


def _lines(jsonl: str):
    if jsonl == "-":
        yield from sys.stdin
        return
    with open(jsonl, encoding="utf-8") as f:
        yield from f


ROLES = ("resident", "cadre")
DEFAULT_BOT_NAME = "网格通"  # config `bot_name`'s default: "@网格通 …" is addressed to the bot


def run(texts: list[str], jsonl: str | None, out: TextIO, err: TextIO, role: str = "resident",
        bot_name: str = DEFAULT_BOT_NAME) -> int:
    """Parse `texts` (ids 1..n) and then the lines of `jsonl` (a path, or "-" for stdin), as written
    by a `role` (resident or cadre; a JSON line's own "as" wins). A malformed line gives
    {"id": ..., "error": ...} on `out`, a message on `err`, and exit code 1."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    from bot.nlp.parser import get_parser

    parser = get_parser()
    failed = False

    def emit(obj: dict) -> None:
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")

    for n, text in enumerate(texts, start=1):
        emit(parser.understand(text, role=role, bot_name=bot_name).to_dict(id=n))
    if jsonl is None:
        out.flush()
        return 0
    try:
        lines = _lines(jsonl)
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            ident = None
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
                ident = obj.get("id")
                text = obj.get("text")
                if not isinstance(text, str):
                    raise ValueError('"text" missing or not a string')
                line_role = obj.get("as", role)
                if line_role not in ROLES:
                    raise ValueError(f'"as" must be one of {", ".join(ROLES)}')
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                failed = True
                message = f"line {lineno}: {exc}"
                err.write(message + "\n")
                emit({"id": ident, "error": message})
                continue
            emit(parser.understand(text, role=line_role, bot_name=bot_name).to_dict(id=ident))
    except OSError as exc:
        err.write(f"{jsonl}: {exc}\n")
        return 1
    out.flush()
    return 1 if failed else 0
