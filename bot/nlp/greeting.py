"""Two cheap looks at a message before the parser: is it only a greeting (“你好”, “在吗”, “hi”),
and is it written in English (a resident who writes English is answered in English)."""

from __future__ import annotations

import re

_GREETINGS = frozenset({
    "你好", "您好", "你们好", "大家好", "在吗", "在不在", "有人吗", "早", "早上好", "上午好", "中午好", "下午好",
    "晚上好", "哈喽", "嗨", "hi", "hello", "hey", "hallo", "good morning", "good afternoon", "good evening",
})
_STRIP = re.compile(r"[\s,.!?~，。！？～、…@]+")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_greeting(text: str) -> bool:
    """Only a greeting, perhaps with the bot's name or punctuation: “你好！”, “hi 网格通”."""
    words = _STRIP.sub(" ", text.lower()).strip()
    words = words.replace("网格通", "").replace("gridbot", "").strip()
    return words in _GREETINGS


def is_english(text: str) -> bool:
    """Mostly Latin letters and no Chinese characters: answer this person in English."""
    letters = len(_LATIN.findall(text))
    return letters >= 2 and not _CJK.search(text) and letters >= len(text.strip()) * 0.4
