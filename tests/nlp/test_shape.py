"""A message's shape before its words (bot/nlp/shape.py): every line here is the project's own."""

from __future__ import annotations

import pytest

from bot.nlp.shape import SHAPES, read_shape

BOT = "网格通"
RULE = "- - - - - - - - - - - - - - -"


@pytest.mark.parametrize(("text", "quoted", "new"), [
    (f"「刘姐：明早7点到9点电梯保养」\n{RULE}\n收到👌", "刘姐：明早7点到9点电梯保养", "收到👌"),
    (f"「老孟：车库进口那个坑谁报一下」\n{RULE}\n我们13栋门口也有一个 一下雨全是水",
     "老孟：车库进口那个坑谁报一下", "我们13栋门口也有一个 一下雨全是水"),
    ('"物业客服：周五下午消杀"\n------\n好滴', "物业客服：周五下午消杀", "好滴"),
    ("“小吴：报名截止到周三”\n————\n已报", "小吴：报名截止到周三", "已报"),
    ("引用 杜主任 的消息 : 下周一开始换水表\n那我们单元呢", "下周一开始换水表", "那我们单元呢"),
    ("知道了\n引用 物业小邱 的消息：今晚九点停电检修", "今晚九点停电检修", "知道了"),
])
def test_a_quote_keeps_only_the_new_words(text, quoted, new):
    r = read_shape(text, bot_name=BOT)
    assert (r.shape, r.quoted, r.text) == ("quote", quoted, new)


def test_a_platform_quote_field_and_a_quoted_ticket_number():
    r = read_shape("受理", bot_name=BOT, quote="已登记工单 261201-007（公共设施），网格员处理中")
    assert r.shape == "quote" and r.text == "受理" and r.quoted_ticket() == "261201-007"
    assert read_shape("受理 261201-007").quoted_ticket() is None


@pytest.mark.parametrize(("text", "detail"), [
    ('"大刘" 拍了拍 "网格通"', "pat"), ('"桂芳"拍了拍我', "pat"), ('"Coco🌸" 拍了拍 "老王" 的肩膀', "pat"),
    ('"小蔡"邀请"豆豆妈"、"阿强"加入了群聊', "join"), ('"老于"通过扫描"小蔡"分享的二维码加入群聊', "join"),
    ('"9栋-晓东"退出了群聊', "leave"), ('"群主"将"卖保险的"移出了群聊', "leave"),
    ('"小蔡"修改群名为"枫林湾一期业主交流群"', "rename"),
    ('"张师傅"撤回了一条消息', "recall"), ("你撤回了一条消息 重新编辑", "recall"),
    ('"阿芳"已成为新群主', "owner"), ("[红包]恭喜发财，大吉大利", "red_packet"),
])
def test_system_lines(text, detail):
    r = read_shape(text, bot_name=BOT)
    assert (r.shape, r.detail, r.silent) == ("system", detail, True)


@pytest.mark.parametrize(("text", "shape"), [
    ("[链接]冬季用电安全十注意", "link"), ("[小程序]拼多多 | 帮我砍一刀", "link"), ("[视频号]大爷广场舞教学", "link"),
    ("燃气安全小知识 https://mp.weixin.qq.com/s/Zx81", "link"),
    ("@所有人 周日上午社区义诊 地点活动中心", "notice"), ("温馨提示：天冷路滑 出门注意安全", "notice"),
    ("【停水通知】4号楼周二检修", "notice"), ("群公告：请勿在群内发广告", "notice"),
    ("各位业主：本月物业费请于25号前缴纳", "notice"),
    ("【转发】某地一居民楼燃气爆炸 已致2人受伤", "relay"), ("转：冬天千万别在家里烧炭取暖", "relay"),
    ("转自区融媒体：高空抛物入刑了", "relay"), ("别的小区昨天电梯掉下来了 吓人", "relay"),
    ("#接龙\n周日包饺子\n1. 6栋周姐\n2. 3栋老纪", "chain"), ("接龙：团购砂糖橘\n1. 12-301 两箱", "chain"),
    ("5栋楼道灯坏了", "text"), ("我家门口下水道堵了 看视频 https://v.douyin.com/abc", "text"),
])
def test_shapes(text, shape):
    assert read_shape(text, bot_name=BOT).shape == shape


def test_every_shape_is_named_in_the_contract():
    assert set(SHAPES) == {"text", "quote", "system", "link", "notice", "relay", "chain"}
    assert not read_shape("5栋楼道灯坏了").silent and read_shape("#接龙\n1. 老王").silent


@pytest.mark.parametrize("text", ["@网格通\u20053栋电梯又停了", "@网格通 3栋电梯又停了", "＠网格通\u20053栋电梯又停了"])
def test_a_line_opening_with_the_bots_name_is_addressed(text):
    r = read_shape(text, bot_name=BOT)
    assert r.addressed and r.text == "3栋电梯又停了" and r.shape == "text"


def test_other_mentions_and_names_that_only_start_alike_are_not_the_bot():
    assert not read_shape("@网格员小李\u2005你好", bot_name=BOT).addressed
    assert not read_shape("@张阿姨\u2005您家漏水了", bot_name=BOT).addressed
    assert not read_shape("@网格通\u2005好", bot_name=None).addressed


def test_a_quote_under_a_mention_of_the_bot():
    r = read_shape(f"「网格通：已登记工单 261201-002」\n{RULE}\n@网格通\u2005到场", bot_name=BOT)
    assert (r.shape, r.text, r.addressed, r.quoted_ticket()) == ("quote", "到场", True, "261201-002")


@pytest.mark.parametrize("text", ["", "   ", "x" * 50_000, "「没有结尾", "---\n---", "\n\n\n", "「」\n-----\n"])
def test_odd_inputs(text):
    r = read_shape(text, bot_name=BOT)
    assert r.shape in SHAPES and isinstance(r.text, str)


@pytest.mark.parametrize(("text", "shape"), [
    ("[文件]2026年停车费收支明细.xlsx", "link"), ("[位置]枫林湾东门 和平路36号", "link"),
    ("[名片]物业维修 小杭", "link"), ("家里老人摔倒了怎么办？三步要记牢 https://mp.weixin.qq.com/s/Qw3", "link"),
    ("[位置]枫林湾8栋北侧\n就是这里 下水道盖子翻了 已经有人踩进去了", "text"),
    ("[链接]加装电梯补贴办法\n我们5栋想申请 找谁牵头", "text"),
    ("转一下 南湖那边一个小区电梯掉了两层 大家坐电梯注意", "relay"),
    ("隔壁桂园小区昨晚又停电了 幸亏我们这没停", "relay"),
    ("转一下 不是别的小区 就是我们7栋 楼道一股煤气味", "text"),
    ("煤气表那里冒火了 在2栋1单元", "text"),
])
def test_cards_shares_and_relays_with_or_without_words_of_ones_own(text, shape):
    """A card alone is a card; with a line of one's own under it, a message. A story from elsewhere is
    relayed news unless it turns out to be here; a thing "那里" is not a place far away."""
    assert read_shape(text, bot_name=BOT).shape == shape
