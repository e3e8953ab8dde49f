"""gettext for every user-facing string. Catalogs live in ``locale/<lang>/LC_MESSAGES/gridbot.po``;
the ``.mo`` files are compiled by ``make`` (install/test time). Message ids are English; zh_CN is the
default language of the bot. The active language is a context variable so the demo can switch per
request without touching the bot's own replies."""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "gridbot"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LOCALE = "zh_CN"

LANGUAGES = ("zh_CN", "en")

_current: ContextVar[str] = ContextVar("gridbot_locale", default=DEFAULT_LOCALE)
_configured = [DEFAULT_LOCALE]  # the bot's own language (config `locale`), for people who chose none

# A text to send: a string, or a function that renders it, called in the recipient's language.
Text = str | Callable[[], str]


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """Load the compiled catalog; compile the .po in memory if the .mo is missing or stale."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po.is_file():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=True)
        buf.seek(0)
        return _gettext.GNUTranslations(buf)
    return _gettext.NullTranslations()


def set_default_locale(locale: str) -> None:
    """Set the language for this context (the server sets it once from the config)."""
    _current.set(locale)
    _configured[0] = locale


def configured_locale() -> str:
    """The bot's own language: for anyone who has not chosen one."""
    return _configured[0]


def render(text: Text, locale: str) -> str:
    """The text in `locale` (a plain string was rendered already and stays as it is)."""
    if isinstance(text, str):
        return text
    with using(locale):
        return text()


def current_locale() -> str:
    return _current.get()


@contextmanager
def using(locale: str) -> Iterator[None]:
    token = _current.set(locale)
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (tables of labels)."""
    return message
