"""The P0 safety layer (bot/nlp/safety.py) and how the parser obeys it. All lines are the project's own."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlp import safety
from bot.nlp.parser import MODEL_FILE, Parser, get_parser
from bot.nlp.text import fold
from bot.nlp.typos import read_through


def assess(text: str, shape: str = "text") -> safety.Alarm:
    return safety.assess(read_through(fold(text).lower()), shape)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return get_parser()


AWAY = [
    "我在广州上班 邻居打电话说我家厨房冒烟了 12栋302 谁有物业电话",
    "人在老家 我爸一个人在家 电话里说摔了一跤爬不起来 求帮忙去看一眼 5-1-601",
    "我出差呢 家里燃气报警器一直在叫 我妈说闻到一股煤气味",
]
NO_KEYWORD = [
    "饭店后厨那边一股一股往外冒黑烟 门还关着",
    "二单元楼梯拐角躺着个大爷 叫了半天没反应",
    "楼上漏下来的水顺着吊顶流到插座里了 噼啪响",
    "工地那个基坑边上的土一直往下滑 旁边就是上学的路",
    "对面楼顶边上站着个小伙子 来回走",
    "几十个人堵在东门 推推搡搡的 车都出不去",
    "孩子在阳台外面的空调架上 下不来",
]
# second round: the reporter at a hospital bed, and dangers told by what is seen (own lines)
AWAY += [
    "我在医院陪床走不开 邻居说我家窗户里有火光 7栋一单元",
    "我老公在外地出差 我一个人在家 刚才栽倒了 腿动不了 门没锁",
]
NO_KEYWORD += [
    "菜场后面的草堆被烟头点着了 火往电动车那边跑",
    "路口挖沟把燃气管挖破了 呲呲地往外喷",
    "超市门口一个大叔突然歪下去了 嘴里吐沫 手一直抽",
    "我家娃卡在防盗网里 头出不来了",
    "两拨人在夜市打群架 有人掏出了刀",
    "地下车库的水已经到膝盖了 还有人在里面挪车",
    "河堤那边在往下垮 上面还站着钓鱼的",
    "吊灯里往下滴水 一摸开关手就麻",
    "天台女儿墙上坐着个姑娘 一直哭",
]
TYPOS = ["3号楼地下室着活了", "隔壁梅气味很大 敲门没人应", "大爷昏密不醒 在二楼楼梯口",
         "厨房漏汽 味道好重", "老太太在菜场门口晕到了", "楼道里一股然气味", "电题里关着人 出不来"]


@pytest.mark.parametrize("text", AWAY + NO_KEYWORD + TYPOS)
def test_dangers_now_are_p0_with_or_without_the_usual_words(parser, text):
    alarm = assess(text)
    assert alarm.p0, (text, alarm)
    r = parser.parse(text)
    assert r.is_request and r.urgency == "P0" and r.category in ("emergency", "unrest"), (text, r)


@pytest.mark.parametrize(("text", "against"), [
    ("前天晚上5栋有户人家着火了 幸好人没事 现在他家没地方住", "past"),
    ("上个月燃气管漏了 已经修好了 就是老人吓得一直睡不好", "past"),
    ("刚才以为着火了 原来是楼下在熏腊肉😂", "past"),
    ("看新闻说有个城市的小区电梯坠落了 咱们的电梯也该查查", "elsewhere"),
    ("抖音上说一个老小区燃气爆炸 太吓人了", "elsewhere"),
    ("楼道里堆了这么多纸箱 万一起火了跑都跑不掉", "hypothetical"),
    ("电动车推进电梯 要是自燃了怎么办", "hypothetical"),
    ("业主们说下周三去区里拉横幅讨说法", "planned"),
    ("再不退钱他们就准备月底聚集到售楼处", "planned"),
    ("工地边上的土坡塌了一点 下面没人", "minor"),
    ("广场上好多人围着看耍猴的", "minor"),
    ("下午小区搞消防演练 会有浓烟 大家别慌", "drill"),
])
def test_negative_evidence_keeps_a_named_danger_from_p0(parser, text, against):
    alarm = assess(text)
    assert alarm.danger and not alarm.p0 and alarm.against == against, (text, alarm)
    assert parser.parse(text).urgency != "P0"


@pytest.mark.parametrize(("text", "category", "urgency"), [
    ("楼道里堆了这么多纸箱 万一起火了跑都跑不掉", "safety_hazard", "P1"),
    ("业主们说下周三去区里拉横幅讨说法", "unrest", "P1"),
    ("奶茶店招牌塌了一点 挂在那 下面没人", "safety_hazard", "P1"),
])
def test_what_a_danger_that_is_not_one_now_is_instead(parser, text, category, urgency):
    r = parser.parse(text)
    assert (r.is_request, r.category, r.urgency) == (True, category, urgency)


@pytest.mark.parametrize("text", [
    "物业那个报修电话打了好几遍都没反应", "昨天睡太晚 早上起不来", "这游戏玩得我快窒息了哈哈", "救命这道数学题好难",
    "刚才打雷好大声", "今天好冷 冻死了", "快了快了 等我一下", "这部电影里的杀人犯演得真好",
])
def test_ordinary_words_raise_nothing(text):
    assert not assess(text).p0


def test_relayed_news_and_cards_never_raise_p0():
    for shape in ("relay", "link", "system", "chain"):
        assert not assess("3号楼着火了", shape).p0
    assert not assess("@所有人 本周五消防检查 请配合", "notice").p0
    assert assess("@所有人 9号楼正在着火 大家赶紧下楼!!", "notice").p0


def _parser_with_category_bias(bias: float) -> Parser:
    """The committed model, with the category model pushed towards (or away from) emergency."""
    with np.load(MODEL_FILE) as z:
        arrays = {k: z[k] for k in z.files}
    categories = arrays["categories"].tobytes().decode().split("\n")
    arrays["cat_b"] = arrays["cat_b"].copy()
    arrays["cat_b"][categories.index("emergency")] += bias
    arrays["cat_b"][categories.index("unrest")] += bias
    return Parser(arrays=arrays, tokenizer=get_parser().tokenizer)


def test_the_category_model_never_raises_a_p0_by_itself():
    eager = _parser_with_category_bias(+100.0)
    for text in ("小区东门的健身器材松了", "我家对面一直在装修 周末也不停", "二期业委会什么时候换届"):
        r = eager.parse(text)
        assert r.urgency != "P0" and r.category not in ("emergency",), (text, r)


def test_the_category_model_never_lowers_a_p0_the_layer_raised():
    reluctant = _parser_with_category_bias(-100.0)
    for text in NO_KEYWORD + AWAY:
        assert reluctant.parse(text).urgency == "P0", text


def test_p0_comes_from_the_layer_alone(parser):
    others = ["楼道灯坏了", "一楼的在院子里砌围墙", "隔壁天天半夜唱歌", "上周燃气漏了 已经修好了"]
    lines = AWAY + NO_KEYWORD + TYPOS + others
    for text in lines:
        assert (parser.parse(text).urgency == "P0") == assess(text).p0, text
