"""Each person's language. A roster person or a resident may choose one (`语言 English`, or the
demo's switch for the demo people); everyone else is spoken to in the bot's configured language.
Texts are rendered where the recipient is known (`Work.text_for`), in that person's language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import LANGUAGES, configured_locale
from storage import preference_store

LANGUAGE = "language"


def _subject(user_id: str) -> str:
    return f"user:{user_id}"


async def language_of(session: AsyncSession, user_id: str) -> str | None:
    """The language the person chose, or None (the bot's own)."""
    return await preference_store.get(session, _subject(user_id), LANGUAGE)


async def languages_of(session: AsyncSession, user_ids: Iterable[str]) -> dict[str, str]:
    """{user_id: language} for those who chose one (one query)."""
    chosen = await preference_store.get_many(session, [_subject(u) for u in user_ids], LANGUAGE)
    return {subject.removeprefix("user:"): lang for subject, lang in chosen.items()}


class Languages:
    """Everyone's chosen language, loaded once for a job that writes to many people."""

    def __init__(self, chosen: dict[str, str]) -> None:
        self.chosen = chosen

    @classmethod
    async def load(cls, session: AsyncSession) -> Languages:
        every = await preference_store.all_of(session, LANGUAGE)
        return cls({subject.removeprefix("user:"): lang for subject, lang in every.items()
                    if subject.startswith("user:")})

    def of(self, user_id: str | None) -> str:
        return self.chosen.get(user_id or "", configured_locale())


async def set_language(session: AsyncSession, user_ids: Iterable[str], language: str, now: datetime) -> None:
    """Speak to these people in `language` (one of bot.i18n.LANGUAGES) from now on."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    for user_id in user_ids:
        await preference_store.put(session, _subject(user_id), LANGUAGE, language, now)
