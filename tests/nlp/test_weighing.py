"""The weighing of a line's evidence into one request decision (bot/nlp/weighing.py): its vector
matches its names, the committed model carries fitted weights for exactly those names, and the
parser uses them (and only them) for the lines the rules leave open."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.nlp import weighing
from bot.nlp.lexicon import MARKS, request_marks
from bot.nlp.parser import MODEL_FILE, Parser, cleaned, gather, get_parser
from bot.nlp.pii import find_pii


@pytest.fixture(scope="module")
def parser() -> Parser:
    return get_parser()


def _evidence(**changes) -> weighing.Evidence:
    base = weighing.Evidence(summed=0.3, board=0.1, chat=0.2, p0=-1.0, cue=0.0, anchored=True, hit_max=0.0, hits=0,
                             place=False, marks=(False,) * len(MARKS), chatter=False, danger=False, p0_layer=False,
                             against=None, shape="text", length=12)
    return replace(base, **changes)


def test_the_vector_has_one_value_per_named_signal():
    assert _evidence().vector().shape == (len(weighing.SIGNALS),)
    assert len(set(weighing.SIGNALS)) == len(weighing.SIGNALS)


def test_each_signal_lands_at_its_name():
    names = list(weighing.SIGNALS)
    v = _evidence(board=1.5, against="drill", shape="quote", marks=(True,) + (False,) * (len(MARKS) - 1)).vector()
    assert v[names.index("board")] == 1.5
    assert v[names.index("against_drill")] == 1.0 and v[names.index("against_past")] == 0.0
    assert v[names.index("shape_quote")] == 1.0 and v[names.index("shape_notice")] == 0.0
    assert v[names.index("mark_" + MARKS[0])] == 1.0 and v[names.index("mark_" + MARKS[1])] == 0.0


def test_the_probability_follows_the_weights():
    names = list(weighing.SIGNALS)
    w = np.zeros(len(names))
    w[names.index("chat")] = 2.0
    assert weighing.probability(w, 0.0, _evidence(chat=3.0)) > 0.99
    assert weighing.probability(w, 0.0, _evidence(chat=-3.0)) < 0.01
    assert weighing.probability(w, 0.0, _evidence(chat=0.0)) == pytest.approx(0.5)


def test_marks_read_memories_advice_guesses_and_asks():
    marks = dict(zip(MARKS, request_marks("以前这楼道灯老坏 那时候没人管"), strict=True))
    assert marks["reminisce"] and not marks["ask"]
    marks = dict(zip(MARKS, request_marks("大家记得晚上把窗关好"), strict=True))
    assert marks["advice"]
    marks = dict(zip(MARKS, request_marks("估计是变压器的问题吧"), strict=True))
    assert marks["guess"]
    marks = dict(zip(MARKS, request_marks("麻烦物业来看看 还是没修好"), strict=True))
    assert marks["ask"] and marks["still"]


def test_the_committed_model_carries_weights_for_these_signals():
    with np.load(MODEL_FILE) as z:
        assert "weigh_w" in z, "retrain: scripts/train_parser.py"
        names = z["weigh_names"].tobytes().decode().split("\n")
        assert names == list(weighing.SIGNALS)
        assert z["weigh_w"].shape == (len(weighing.SIGNALS),)


def test_a_model_file_for_other_signals_is_not_weighed(tmp_path):
    with np.load(MODEL_FILE) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["weigh_names"] = np.frombuffer(b"board\nsomething_else", dtype=np.uint8)
    other = Parser(tokenizer=Parser.make_tokenizer(cache_dir=tmp_path), arrays=arrays)
    assert other.weighing is None
    assert other.parse("3号楼楼道灯坏了一个礼拜了").is_request  # the hand-summed score still decides


def test_the_parser_decides_an_open_line_by_the_weighing(parser):
    if parser.weighing is None:
        pytest.skip("model trained before the weighing")
    line = "5栋地下室一股霉味 好几天了"
    s, clean = cleaned(line, find_pii(line))
    found = gather(s, clean, "text", None, 0.0, 0.0, -1.0)
    assert found.weighed
    saved = parser.weighing
    try:
        names = list(weighing.SIGNALS)
        never = np.zeros(len(names))
        parser.weighing = (never, -10.0)  # weights that file nothing
        assert not parser.parse(line).is_request
        parser.weighing = (never, 10.0)  # weights that file everything
        assert parser.parse(line).is_request
        # ...but never a line the rules close: a system line, a story from elsewhere, a notice
        assert not parser.understand('"小程"拍了拍"网格通"').result.is_request
        assert not parser.understand("【转发】外省一小区电梯坠落").result.is_request
        # and a danger now is filed whatever the weights say
        parser.weighing = (never, -10.0)
        assert parser.parse("7栋2单元楼道着火了 好大的烟").is_request
    finally:
        parser.weighing = saved


def test_talk_with_nothing_of_the_neighbourhood_needs_the_boards_cut_off_too(parser):
    """An unanchored line (no place, no anchor or category word) is filed only when the weights and
    the board's cut-off both say so; a line of the neighbourhood, when the weights do."""
    if parser.weighing is None:
        pytest.skip("model trained before the weighing")
    alone, anchored = "脑补一下冰箱角落里有只猫", "5栋地下室一股霉味 好几天了"
    saved = parser.weighing
    try:
        parser.weighing = (np.zeros(len(weighing.SIGNALS)), 10.0)  # weights that file everything
        assert not parser.parse(alone).is_request
        assert parser.parse(anchored).is_request
    finally:
        parser.weighing = saved


@pytest.mark.parametrize("line", ["井盖丢了", "电梯坏了", "奶茶店招牌塌了一点 挂在那 下面没人"])
def test_what_the_rules_are_sure_of_is_filed_whatever_the_weights(parser, line):
    """Short plain reports (rare in group chat, so the weights undervalue them) and a danger that is only
    minor stay filed when the weights say no; a look-alike does not."""
    if parser.weighing is None:
        pytest.skip("model trained before the weighing")
    saved = parser.weighing
    try:
        parser.weighing = (np.zeros(len(weighing.SIGNALS)), -10.0)  # weights that file nothing
        assert parser.parse(line).is_request
        assert not parser.parse("谢谢物业 楼道灯修好了").is_request
    finally:
        parser.weighing = saved


@pytest.mark.parametrize("line", ["出租：8栋2单元 两室一厅 拎包入住", "收到 谢谢", "#接龙\n周六义剪\n1. 3栋老宋",
                                  "👍👍"])
def test_group_business_is_never_weighed_into_a_request(parser, line):
    """Ads, acknowledgements, lists and stickers are closed by the rules: weights that file everything
    still file none of them."""
    saved = parser.weighing
    try:
        parser.weighing = (np.zeros(len(weighing.SIGNALS)), 10.0)
        assert not parser.understand(line).result.is_request
    finally:
        parser.weighing = saved
