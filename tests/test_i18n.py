"""Every user-facing string is in the catalogs and translated into Chinese."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import _, translations, using
from bot.roles import role_label

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def source_msgids(root: Path) -> set[str]:
    ids: set[str] = set()
    for folder in ("bot", "handlers", "scheduler", "storage"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / folder, keywords=KEYWORDS, comment_tags=()
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def catalog(root: Path, locale: str) -> dict[str, str]:
    with (root / "locale" / locale / "LC_MESSAGES" / "gridbot.po").open("rb") as fh:
        cat = read_po(fh)
    return {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in cat if m.id}  # type: ignore[misc]


def test_every_message_is_translated_into_chinese(repo_root: Path) -> None:
    used = source_msgids(repo_root)
    zh = catalog(repo_root, "zh_CN")
    assert used, "extraction found nothing: the test would be meaningless"
    missing = sorted(m for m in used if not zh.get(m))
    assert missing == [], "run `make extract` and translate these in locale/zh_CN"


def test_english_catalog_has_every_message(repo_root: Path) -> None:
    assert source_msgids(repo_root) <= set(catalog(repo_root, "en"))


def test_placeholders_survive_translation(repo_root: Path) -> None:
    import re

    for msgid, msgstr in catalog(repo_root, "zh_CN").items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", msgstr)), msgid


def test_languages_switch_per_context() -> None:
    assert role_label("cadre") == "驻社区干部"
    with using("en"):
        assert role_label("cadre") == "stationed cadre"
        assert _("resident") == "resident"
    assert _("resident") == "居民"
    assert translations("xx").gettext("resident") == "resident"  # unknown locale: the msgid
