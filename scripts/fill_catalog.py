"""Fill empty msgstrs of a catalog from a JSON {msgid: translation} file (translator's helper after
`make extract`): `python scripts/fill_catalog.py zh_CN translations.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(locale: str, translations: str) -> int:
    path = Path("locale") / locale / "LC_MESSAGES" / "gridbot.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    given = json.loads(Path(translations).read_text(encoding="utf-8"))
    filled = 0
    for message in catalog:
        if message.id and not message.string and message.id in given:
            message.string = given[message.id]
            message.flags.discard("fuzzy")
            filled += 1
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True)
    print(f"{path}: filled {filled}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
