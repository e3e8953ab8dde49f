"""Long texts are cut for the platforms' byte limits only between grapheme clusters."""

from __future__ import annotations

import regex

from bot.transport.wecom_app import split_utf8

FAMILY = "👩‍👩‍👧‍👦"  # four people joined by zero-width joiners: 25 bytes, one symbol on screen
FLAG = "🇨🇳"  # two regional indicators
ACCENT = "é"  # e + a combining accent
KEYCAP = "3️⃣"


def clusters(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def test_no_piece_ends_inside_an_emoji_sequence_a_flag_or_an_accented_letter() -> None:
    for unit in (FAMILY, FLAG, ACCENT, KEYCAP, "火警" + FAMILY):
        for limit in (100, 2048, 2047, 31):
            text = "紧急：" + unit * (3 * limit // len(unit.encode()) + 7)
            pieces = split_utf8(text, limit)
            assert "".join(pieces) == text  # nothing lost, nothing added
            assert all(len(p.encode()) <= limit for p in pieces)
            whole = set(clusters(text))
            assert all(set(clusters(p)) <= whole for p in pieces), (unit, limit)  # every cluster intact


def test_lines_are_still_preferred_and_short_texts_untouched() -> None:
    text = "第一行\n" + "二" * 40 + "\n第三行"
    assert split_utf8(text, 2048) == [text]
    pieces = split_utf8(text, 130)
    assert pieces[0] == "第一行\n" + "二" * 40 or pieces[0] == "第一行"
    assert all(len(p.encode()) <= 130 for p in pieces)


def test_a_single_cluster_over_the_limit_is_still_cut_to_fit() -> None:
    monster = "a" + "\u0301" * 100  # one cluster of 201 bytes (never in real text)
    pieces = split_utf8(monster, 50)
    assert "".join(pieces) == monster and all(len(p.encode()) <= 50 for p in pieces)
