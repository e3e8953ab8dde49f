"""Message-board letters and everyday chit-chat keep their reading while the group-chat rules and
models grow (issue 13's first round dropped the board's figures: these are the mechanisms). All
lines are the project's own."""

from __future__ import annotations

import pytest

from bot.nlp import lexicon as lx
from bot.nlp.parser import Parser, get_parser
from bot.nlp.safety import assess
from bot.nlp.text import fold


@pytest.fixture(scope="module")
def parser() -> Parser:
    return get_parser()


@pytest.mark.parametrize("text", [
    "致市第一医院急诊科全体医护人员的感谢信",
    "感谢有关部门及时整治我区夜市噪声扰民问题",
    "一封给区政府的表扬信",
    "请问在外地打的流感疫苗回来能报销多少钱",
])
def test_letters_and_official_questions_are_not_neighbours_talk(text):
    """The look-alike rules (praise, prices) leave them to the request model."""
    assert not lx.is_lookalike(fold(text).lower()), text


def test_a_question_about_money_back_is_a_consultation(parser):
    r = parser.parse("请问在外地打的流感疫苗回来能报销多少钱")
    assert r.is_request and r.category == "service_consult"


@pytest.mark.parametrize("text", ["感谢物业 垃圾终于拉走了", "楼下新开的烧饼店一个多少钱",
                                  "谢谢网格员小吴 帮我把快递搬上楼"])
def test_neighbours_thanks_and_prices_stay_look_alikes(parser, text):
    assert not parser.parse(text).is_request, text


@pytest.mark.parametrize("text", ["这字写得跟火星文一样", "昨晚看了部杀人犯的电影 吓死我了", "快了快了 马上到"])
def test_words_that_only_sound_dangerous_raise_nothing(text):
    assert not assess(fold(text).lower()).p0, text


@pytest.mark.parametrize("text", ["2号楼配电箱一直冒火星 噼啪响", "车棚插座火星四溅 快来人"])
def test_sparks_are_still_a_danger(text):
    assert assess(fold(text).lower()).p0, text


@pytest.mark.parametrize("line", ["脑补一下冰箱角落里有只猫", "异地恋快半年了 啥时候回来呢",
                                  "高三上课太困了 笔记写成了火星文", "今天的晚霞好好看", "这个游戏的新皮肤太贵了"])
def test_chit_chat_with_nothing_of_the_neighbourhood_is_not_filed(parser, line):
    """The weighing (weighing.py) is fitted on the message board's chit-chat too: talk about oneself
    and the world is left alone, whichever of the models it weighs leans the other way."""
    assert not parser.parse(line).is_request


def test_a_plain_report_of_the_neighbourhood_is_filed(parser):
    assert parser.parse("3号楼楼道里乱糟糟").is_request


@pytest.mark.parametrize("line", ["臭美一下 新买的裙子好看吗", "我还在想什么时候开始减肥", "这猫连塑料袋都要啃"])
def test_a_categorys_weak_word_alone_does_not_make_a_line_of_the_neighbourhood(line):
    """臭, 什么时候开始, 塑料袋 are a category's words, but chit-chat says them too: a line with nothing
    else of the neighbourhood is weighed as chit-chat (filed only if the board's cut-off agrees)."""
    from bot.nlp.parser import cleaned, gather
    from bot.nlp.pii import find_pii

    s, clean = cleaned(line, find_pii(line))
    found = gather(s, clean, "text", None, 0.0, 0.0, 0.0)
    assert found.hits and not found.evidence.anchored, found.hits
    assert not found.local


def test_a_place_or_an_anchor_word_still_makes_a_line_of_the_neighbourhood():
    from bot.nlp.location import find_location
    from bot.nlp.parser import cleaned, gather
    from bot.nlp.pii import find_pii

    line = "5栋楼道臭得很"
    s, clean = cleaned(line, find_pii(line))
    assert gather(s, clean, "text", find_location(line), 0.0, 0.0, 0.0).local


@pytest.mark.parametrize(("line", "weak"), [
    ("生了孩子就要负责 希望大家认同", True),  # 孩子 alone
    ("没见过你站门口的样子 改天去看看", True),  # 门口 alone
    ("5栋楼道臭得很", False),  # a place
    ("下水道堵了 污水漫到路上", False),  # a category's strong word
])
def test_a_line_tied_to_the_neighbourhood_by_a_common_word_alone_is_weighed_against_a_higher_cut(line, weak):
    from bot.nlp import weighing
    from bot.nlp.location import find_location
    from bot.nlp.parser import cleaned, gather
    from bot.nlp.pii import find_pii

    s, clean = cleaned(line, find_pii(line))
    found = gather(s, clean, "text", find_location(line), 0.0, 0.0, 0.0)
    assert found.local and found.weakly_local is weak, (found.evidence, found.hits)
    assert weighing.CUT_WEAK > weighing.CUT
