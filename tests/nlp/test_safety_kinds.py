"""The P0 safety layer by kind of mistake (issue 13, third round): every life at risk caught, and
P0 only for what is an emergency now. Every line here is the project's own, invented for the kind;
the checks of the issue use other lines."""

from __future__ import annotations

import pytest

from bot.nlp import safety
from bot.nlp.location import find_location
from bot.nlp.parser import Parser, get_parser
from bot.nlp.text import fold
from bot.nlp.typos import read_through


def assess(text: str, shape: str = "text") -> safety.Alarm:
    return safety.assess(read_through(fold(text).lower()), shape)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return get_parser()


# a person in trouble told by what is seen, not by a keyword (晕倒, 昏迷 …)
PERSON = [
    "花坛边上趴着个大叔 喊他半天也不应 7栋后面",
    "公交站那有个小伙子蜷在地上 浑身发抖 嘴角有白沫",
    "老伴刚才吃饭时突然说不出话 半边脸都麻了 12栋",
    "楼下超市收银员捂着胸口蹲下去了 脸煞白 满头大汗",
    "隔壁王姐要生了 羊水都破了 她老公不在 谁有车",
    "有个骑电动车的被货车刮倒了 腿压在车轮下面",
    "一个老太太坐在台阶上喘得厉害 嘴唇都紫了 谁有速效救心丸",
    "广场上有个大姐被狗咬了腿 血一直往外冒",
    "单元门口有人被砖头砸中了脑袋 倒那儿了",
    "楼下的小伙子割腕了 满地都是血 快",
    "老爷子心口疼得直不起腰 冒冷汗 4栋2单元",
    "有个工人从脚手架上掉下来了 躺着不动",
    "对门大爷晕在电梯里 电梯门一开一关的",
    "快递员倒在楼梯口 怎么喊都没反应",
    "有人在健身器材那边突然不动了 有没有懂急救的",
    "我爸在家打电话说了半句胸口闷就没声了 再打不接 6-1-302",
]
# someone shut in: a lift stopped half-way, a cold store, a child locked in a car or a room
SHUT_IN = [
    "小区车库道闸旁边那辆车里锁着个婴儿 车主不知道去哪了",
    "5号楼电梯半路停了 里面好几个人在拍门",
    "超市冷藏库门从外面关上了 里面有员工敲门",
    "小孩被反锁在卫生间里了 哭得喘不过气",
    "3栋的电梯停半截了 门扒不开 听见里面有老人在喊",
]
# water running through a light or a switch that is still live
WATER_ON_POWER = [
    "厨房顶上的灯罩里积满了水 灯还开着 啪啪响",
    "地下室进水了 插线板泡在水里 还通着电",
    "家里墙上的开关在往外渗水 一碰就麻手",
    "水从吸顶灯边上往下滴 灯一闪一闪的 滋滋的声音",
]
# something falling or giving way over people who are there now
PEOPLE_UNDER = [
    "工地的围墙被风吹倒了 压着两个路过的学生",
    "楼顶的广告牌快掉下来了 一晃一晃 下面好多人在排队买早饭",
    "老房子的墙在往外鼓 掉砖头 屋里还住着老两口",
    "大树被风刮断了 砸在车上 车里还有人",
    "山坡上一直往下滚石头 坡底下有人在摆摊",
]
# heights, fire, gas, water, fights and crowds told in other words than the usual ones
OTHER_WORDS = [
    "对面阳台护栏外面蹲着个小孩 家里没大人",
    "一个男的爬到楼顶水箱上 说要往下跳",
    "家里热水器用着用着 我和孩子都头晕想吐",
    "暴雨 地库车道的水快到车顶了 车里还有人在拍窗",
    "楼下两个人抄起板凳打起来了 一个满脸是血",
    "有个醉汉拿着菜刀在单元门口追人",
    "烧烤摊那边打起来了 有人拿酒瓶砸人",
    "对面楼窗口的火越烧越旺 消防通道被车堵死了 快找车主",
    "厨房窗口蹿出火舌了 7栋1102 家里有老人",
    "煤气管子断了 一直在呲 我们人已经跑出来了 快叫燃气公司",
    "江边有个人被浪冲走了 在往下游漂",
]
# the reporter far away, watching on a camera or a video call: the danger is at home, not elsewhere
WATCHING = [
    "我在外地 手机上看家里监控 我妈倒在客厅半天没起来 2-1-502",
    "在单位 刚才跟我爸视频 他说话含糊 手也抬不起来了 8栋",
    "在医院陪床走不开 家里摄像头看到阳台在冒黑烟 5栋",
    "我闺女一个人在电梯里 卡住了 视频里哭着喊我 我在楼下进不去",
]
# 家里没人 / 没大人 next to a child in danger makes it worse: it is not "nobody at risk"
NOBODY_HOME = [
    "一个小孩趴在九楼窗台上往下看 家里好像没人",
    "四楼空调外机上坐着个小朋友 屋里没大人",
]


NOW = PERSON + SHUT_IN + WATER_ON_POWER + PEOPLE_UNDER + OTHER_WORDS + WATCHING + NOBODY_HOME


@pytest.mark.parametrize("text", NOW)
def test_a_life_at_risk_now_is_p0_in_whatever_words(parser, text):
    alarm = assess(text)
    assert alarm.p0, (text, alarm)
    r = parser.parse(text)
    assert r.is_request and r.urgency == "P0" and r.category in ("emergency", "unrest"), (text, r)


def test_nobody_near_a_sagging_sign_is_still_minor():
    alarm = assess("便利店的雨棚塌了一角 底下没人 找人固定一下")
    assert alarm.danger and not alarm.p0 and alarm.against == "minor", alarm


@pytest.mark.parametrize(("text", "against"), [
    # figures of speech, jokes, anger let off
    ("物业费又涨了 我想跳楼 开玩笑的", "figurative"),
    ("周末商场跳楼价大甩卖 快去抢", None),
    ("游乐场的跳楼机太刺激了 孩子玩了三次", None),
    ("看到成绩单 我妈气得想拿刀砍我😂 开玩笑的", "figurative"),
    ("装修吵得我想跳楼的心都有了 能不能管管", "figurative"),
    # a harm in the past with a need now: the family's need, not an emergency
    ("上礼拜我妈在楼道摔了一跤 骨折了 现在还在医院 楼道灯什么时候修", "past"),
    ("三天前楼下失火把我家窗户熏黑了 谁来赔", "past"),
    ("我家前两天着过一次火 东西都烧没了 现在借住在亲戚家", "past"),
    ("前天电梯困过人 今天又停在三楼不动 这回里面没人 赶紧修", "past"),
    # a hypothetical asked as a question
    ("楼道里堆满了纸箱 真着火了大家往哪逃", "hypothetical"),
    ("后门焊死了 着火了咋出去", "hypothetical"),
    ("消防车开进来了 是哪栋着火了吗", "hypothetical"),
    # a threat said, not carried out
    ("楼上那人说再吵就拿刀下来 说了好多次了 这种能管吗", "planned"),
    # a false alarm told as one
    ("还以为有人掉河里了 走近一看是个塑料模特😂", "past"),
    ("窗台上那个是布娃娃 我眼花了 不好意思让大家担心了", "past"),
    # a harm whose aftermath is argued over
    ("他家狗把我家老人扑倒了 手擦破了 医药费一分不给 求调解", "past"),
])
def test_what_is_not_an_emergency_now_is_not_p0(parser, text, against):
    alarm = assess(text)
    assert not alarm.p0 and alarm.against == against, (text, alarm)
    assert parser.parse(text).urgency != "P0", text


@pytest.mark.parametrize("text", [
    "昨晚就闻到一股煤气味 今天越来越浓了 3单元",
    "前天电梯困过人 现在又困住了两个 快来",
    "上周那个招牌修过一次 今天又歪下来了 底下好多人在等车",
])
def test_a_danger_now_after_one_in_the_past_is_p0(text):
    assert assess(text).p0, (text, assess(text))


@pytest.mark.parametrize(("slip", "meant"), [
    ("燃期味好大", "燃气味好大"), ("一股没气味", "一股煤气味"), ("有人逆水了", "有人溺水了"),
    ("煤气中度了", "煤气中毒了"), ("乎吸不上来", "呼吸不上来"), ("灯滋滋想", "灯滋滋响"),
    ("楼上的睡从灯里漏下来", "楼上的水从灯里漏下来"), ("厨房着获了", "厨房着火了"), ("一屋子农烟", "一屋子浓烟"),
    ("他抽出了 口吐白膜", "他抽搐了 口吐白沫"), ("煤器味好冲", "煤气味好冲"),
    ("老人运倒了", "老人晕倒了"), ("孩子腻水了", "孩子溺水了"), ("块来人啊", "快来人啊"), ("新脏病犯了", "心脏病犯了"),
])
def test_more_slips_of_thumb_and_voice_are_read_through(slip, meant):
    assert read_through(slip) == meant


@pytest.mark.parametrize("text", [
    "我睡从来不好", "逆水行舟不进则退", "天台上有人种了菜 算不算违建", "楼顶有人在晒被子",
    "今天太热了 热得喘不过气", "楼下有人在车里睡觉 车一直打着火 好吵", "电梯按到八楼就不动了 十二栋",
    "前台那个小姑娘对我翻白眼 态度太差", "楼下嫌吵 天天拿棍子捅天花板", "孩子有哮喘 楼道里别抽烟了",
    "有人把车停在大门口 救护车都进不来", "井盖被水冲走了 留了个大洞",
    "孩子在窗台上养了盆多肉", "这天热得要中暑了", "他喝多了在楼下唱歌 吵得不行", "我家吸顶灯里面都是虫子 怎么清理",
    "周六在社区中心有心肺复苏急救培训 欢迎报名", "刚才说的煤气味 燃气公司来看了 是下水道返味",
])
def test_look_alikes_of_the_new_words_raise_nothing(text):
    assert not assess(text).p0, (text, assess(text))


# second batch: how the line is shaped and what surrounds the danger word
@pytest.mark.parametrize(("text", "shape"), [
    ("@所有人 2栋楼梯间趴着个阿姨 叫她不答应 谁懂急救", "notice"),
    ("@所有人 6栋正在冒黑烟 请6栋住户从楼梯撤离 不要坐电梯", "notice"),
    ("转：冬天谨防煤气中毒\n我家楼下101刚才抬出来一个人 叫不醒 一屋子煤气味", "relay"),
    ("一开始以为是谁家烧烤 后来发现是变电箱那边冒黑烟 噼啪响", "text"),
    ("不好意思打扰大家 我爸刚在卫生间滑倒了 起不来 我一个人扶不动 4-2-301", "text"),
    ("广场上人太多 有个小孩被挤倒了后面的人还在往前涌", "text"),
    ("电梯卡在九楼和十楼中间 灯也灭了 里面是我妈和孩子", "text"),
    ("我人在国外 家里摄像头看到客厅全是烟 我婆婆在里面 8-1-1201", "text"),
])
def test_the_shape_and_the_words_around_do_not_hide_a_danger_now(text, shape):
    alarm = assess(text, shape)
    assert alarm.p0, (text, alarm)


@pytest.mark.parametrize("text", [
    "物业门口排了好长的队 挤满了人 原来是在领免费的米",
    "这物价涨得我心脏骤停",
    "救命 楼下的垃圾堆了一个礼拜了 臭得要命",
    "厨房烟雾报警器叫个不停 原来是我在煎鱼 冒了点烟 对不起大家",
    "隔壁花园小区又有人拉横幅了 听说是物业的事",
    "喷淋管一直在滴水 滴在电线槽上 还没出事 就怕短路",
    "小孩刚才爬到窗台上 被他爸一把拽回来了 吓死了",
])
def test_a_danger_word_said_of_something_else_is_not_p0(text):
    alarm = assess(text)
    assert not alarm.p0, (text, alarm)


@pytest.mark.parametrize("text", [
    "楼上那家的老头子好像不行了 他老伴在哭喊 你们快上去看看 502",
    "俺娘突然说不了话 半拉身子不能动了 快帮俺叫车",
    "我屋头老汉遭电打了 倒起没得反应",
    "阿婆喺楼梯度跌咗 成个人冇反应",
    "楼里有个老人在楼梯上滚下来了 现在趴着不动",
    "单元门口有个人躺着 叫了几声没反应",
])
def test_dialect_and_plain_words_for_a_person_down(text):
    assert assess(text).p0, (text, assess(text))


def test_every_pattern_of_the_table_is_a_pattern_not_a_formatting_slip():
    """A table entry written as an f-string keeps its {0,6} only when doubled; a placeholder in a
    plain string stays literal. Either slip silently stops a kind of danger from matching."""
    for kind, pattern, _category in safety._DANGER:
        assert "{_" not in pattern.pattern and "(0, " not in pattern.pattern, kind


@pytest.mark.parametrize("text", [
    "一辆车冲进小区超市了 撞了人 人压在车底下",
    "食堂吃完饭 好几个老人上吐下泻 站都站不稳",
    "我家孩子吃鱼被鱼刺卡住喉咙了 脸都憋红了",
    "小孩吃了花生过敏 喉咙肿了 喘不上气",
    "我女儿不见了 刚才还在楼下玩 穿红衣服 五岁",
    "有个陌生男的抱走了孩子 往东门跑了",
    "孩子被马蜂蛰了好几下 脸肿得睁不开眼",
    "老人在路边抽风了 嘴里吐白沫",
    "人从水里拉上来了 但是没呼吸 谁会心肺复苏",
])
def test_more_bodies_in_danger_and_a_rescue_that_did_not_end_it(text):
    assert assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "电梯停在5楼不动 按了警铃 自己就好了 门开了",
    "阳台开关冒了下火花 我把总闸关了 明天请电工来",
    "孩子的水壶找不到了 谁看见了",
    "上周食堂有人食物中毒 后来查清楚了 现在好了",
])
def test_a_spell_that_passed_or_a_switch_turned_off_is_not_p0(text):
    assert not assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "冰面裂了 有个孩子掉冰窟窿里了 在人工湖",
    "老人家里停电了 在用制氧机 现在喘不动气了 嘴唇发白",
    "有个外卖员骑车摔进沟里了 半天没爬上来",
    "我爸呼吸特别急 胸口起伏很大 说不出完整的话 4-2-302",
    "楼顶水箱漏水 顺着电梯井往下流 电梯还在运行",
    "楼上两口子在吵架 男的说要把孩子从窗户扔下去 孩子在哭",
    "一群初中生在围殴一个小孩 在小区后门",
    "池塘边有个老人滑下去了 在水里挣扎",
    "游泳池有个小孩沉底了 救生员不在",
])
def test_water_breath_and_a_threat_made_in_a_fight_going_on(text):
    assert assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "我很挣扎要不要换工作", "股票又沉底了", "电梯井那边有积水 物业看一下", "我家小孩推倒了积木",
    "冬天湖面结冰了 别让孩子上去玩", "楼上的把垃圾从窗户扔下去 太没素质了", "电梯里的空调不制冷 夏天闷得喘不过气",
])
def test_the_same_words_said_of_everyday_things_raise_nothing(text):
    assert not assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "几十个业主现在把开发商的车围住了 不让走 有人在拍车窗",
    "工人们爬上塔吊了 说不给工资就不下来",
    "菜市场门口挤满了抢特价的人 有人被挤倒在地上",
])
def test_a_crowd_counted_in_numbers_or_up_a_crane_now_is_p0(text):
    assert assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "听说明天有人要去售楼处拉横幅", "去年这时候业主堵过一次大门", "物业门口围了一圈大妈在跳广场舞",
    "工人说这周再不发工资就去劳动局",
])
def test_a_crowd_planned_past_or_dancing_is_not_p0(text):
    assert not assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "我妈上个月晕倒过一次 现在每天要吃药 社区有没有上门量血压的",
    "那个跳楼的新闻是隔壁区的 不是我们小区 大家别传了",
    "谁家孩子在楼道喊救命玩 吓我一跳 家长管管",
    "小区门口那个卖水果的大爷中暑了 已经被家人接走了",
    "昨晚楼上打架的声音是电视 不好意思打扰大家",
    "看到一个视频 小孩从窗户掉下去了 大家家里有窗户的装个护栏吧",
])
def test_chatter_about_a_danger_past_elsewhere_or_in_play_is_not_p0(text):
    assert not assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "fire!! 5号楼3楼",
    "网格员在吗？？？电梯里有人！！！卡住了！！！",
    "楼下一个阿姨被车门挂倒拖了好几米 在地上不动",
])
def test_a_cry_in_english_or_broken_by_exclamation_marks_is_still_read(text):
    assert assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", [
    "3栋 火", "救命 5-2-301", "7号楼 有人晕了", "8栋楼道 烟", "有人打架 见血了 南门", "楼梯间有人倒着",
])
def test_a_terse_cry_is_read(text):
    assert assess(text).p0, (text, assess(text))


@pytest.mark.parametrize("text", ["3栋 火锅店开业了", "救命 今天好忙", "8栋楼道 灯坏了", "东门 堵车"])
def test_a_terse_line_without_a_danger_raises_nothing(text):
    assert not assess(text).p0, (text, assess(text))


# fourth round (a retired held-out set read for its kinds; every line below is our own)
@pytest.mark.parametrize(("text", "shape"), [
    # asking where or whose takes the danger as given
    ("谁家燃气漏了 二单元楼梯间味道冲得很", "text"),
    ("哪家在烧东西 楼道里全是烟 呛得睁不开眼", "text"),
    # asking whether it is true while asking someone to act: alarm, not doubt
    ("邻居说我家厨房冒烟了 真的假的 谁在家帮我去敲敲门 4栋302", "text"),
    # someone in the water not yet pulled out
    ("河边那个小孩掉下去了 还没拉上来 谁会水", "text"),
    # on the floor and cannot get up; 没别人 is nobody else home, not "don't"
    ("我奶奶坐在地上站不起来 家里没别人 6栋", "text"),
    # shut inside, told without 困
    ("轿厢里有人关在里头 按了铃半天没人来 3号楼东边那部", "text"),
    # fire told in emoji after a place
    ("12栋🔥🔥 快", "text"),
    # a crowd pushing, growing
    ("菜市场门口两拨人在推人 越聚越多", "text"),
])
def test_dangers_told_as_questions_emoji_and_plain_words_are_p0(parser, text, shape):
    alarm = assess(text, shape)
    assert alarm.p0, (text, alarm)
    assert parser.parse(text, shape=shape).urgency == "P0", text


@pytest.mark.parametrize(("text", "shape"), [
    ("[链接]突发！某地居民楼起火 多人被困", "link"),  # a card's title is not one's own words
    ("温馨提示：如遇紧急情况请拨打119 物业24小时电话 0571-88880000", "notice"),  # where to call, not a call
    ("楼顶的瓦片松了 哪天掉下来砸到人就晚了", "text"),  # one day it might: a hazard
    ("我爸骨折了 在骨科住着 能不能帮忙申请个轮椅", "text"),  # in hospital: the family's need
    ("她婆婆病倒了 家里没人做饭 社区能不能送个餐", "text"),  # illness, not a collapse
    ("楼上又往下扔垃圾 砸在车棚上 都好几回了 砸到人咋整", "text"),  # a standing matter
    ("热得我要着火了🔥🔥 有没有一起去游泳的", "text"),  # a figure of speech with emoji
])
def test_look_alikes_of_this_round_are_not_p0(parser, text, shape):
    assert not assess(text, shape).p0, (text, assess(text, shape))
    assert parser.parse(text, shape=shape).urgency != "P0", text


@pytest.mark.parametrize("text", [
    "总阀关上了 水不往外冒了 大家放心",  # the leak stopped
    "老人被扶到沙发上了 人醒了 说是低血糖",  # came round
    "120来了 拉到人民医院了 家属跟着去了",  # taken to hospital
    "锅烧干了而已 火关了 没得事",  # dialect: nothing the matter
    "这个月报表要把我烧着了😵",  # a figure of speech
    "物业天天占我车位 换你你不冒火",  # angry, not on fire
    "这周真够呛 火灾 电梯 堵门 全赶上了 大家辛苦",  # a recap of the week
    "我家狗不咬人的 别怕",  # a dog that does not bite
    "给三户独居老人装了烟感报警器",  # a smoke alarm fitted, not one going off
])
def test_over_figurative_and_fitted_are_not_p0(parser, text):
    assert not assess(text).p0, (text, assess(text))
    assert parser.parse(text).urgency != "P0", text


# a second fresh blind batch (a flood town, a high-rise, a mining compound) showed the kinds below
@pytest.mark.parametrize("text", [
    "水进屋了 我外婆腿脚不好 一个人在家 河东街18号",  # water into a home with someone in it
    "码头那边 水齐胸了",  # a fragment: the water's depth
    "江堤那个口子越来越大 下面就是菜市场",  # a dike giving way
    "二中后面的圩堤在管涌 冒浑水",  # piping under a dike
    "哪个有冲锋舟 前街三户人家都在屋顶上",  # people on roofs in a flood
    "我爸烧了一晚上炉子 早上起来头疼得厉害 一直想吐",  # carbon monoxide from a coal stove
    "煤炉子封了一夜 打我妈电话都不接 谁去敲下门 5号楼102",  # a stove and nobody answering
    "外墙吊篮的绳子断了一边 工人斜吊在半空 12栋",  # a gondola hanging by one rope
    "3座天台边 有人",  # a fragment: someone at a roof's edge
    "对面楼顶上那个人一直在招手 半天了没人管",  # someone waving from a roof
    "楼上漏下来的水顺着吊顶流 客厅的灯一闪一闪的",  # water on a light that flickers
    "厂门口围了百十号人 把书记的车堵住了 在推",  # a crowd of a hundred-odd pushing
])
def test_floods_stoves_roofs_and_crowds_told_plainly_are_p0(parser, text):
    alarm = assess(text)
    assert alarm.p0, (text, alarm)
    assert parser.parse(text).urgency == "P0", text


@pytest.mark.parametrize("text", [
    "都在传咱们镇要淹了 问过水利站了 是谣言 别信别转",  # a rumour denied
    "我表姐在九江那边 说水都漫到街上了 看视频好吓人",  # a cousin far away, a video
    "北堤那个管涌昨晚就堵住了 这两天水在退",  # over
    "火灾过后楼道里烧焦的东西堆了一个礼拜 没人清",  # the aftermath's rubbish
    "撤回一下 刚才冒烟的不是3栋 是对面工地在烧沥青",  # a correction
])
def test_floods_and_fires_that_are_over_elsewhere_or_rumour_are_not_p0(parser, text):
    assert not assess(text).p0, (text, assess(text))
    assert parser.parse(text).urgency != "P0", text


# fifth round: a crowd with a grievance is unrest even when someone is hurt or a gate is blocked
@pytest.mark.parametrize("text", [
    "回迁办门口人推人 一个大姐被挤倒了 腿上都是血 还在推",  # a scuffle at a resettlement office
    "二十几个拆迁户把项目部大门堵起了 不准车出来 跟保安扭起来了",  # blocking a site gate and scuffling
    "安置户围在物业中心 把主任围在里面不准走 哪个快来",  # a manager shut in by resettled owners
])
def test_a_grievance_crowd_hurting_or_blocking_now_is_unrest_p0(parser, text):
    alarm = assess(text)
    assert alarm.p0 and alarm.category == "unrest", (text, alarm)
    result = parser.parse(text)
    assert (result.category, result.urgency) == ("unrest", "P0"), text


@pytest.mark.parametrize("text", [
    "装修队的砂石倒在我们单元门口 进出都难",  # rubble dumped, nobody fell
    "泰迪扑到我闺女身上了 吓得直哭 主人还笑",  # a dog jumping up, nobody bitten
    "我妈有点糊涂 上个月在菜场走丢两次了 想问有没有防走失手环",  # lost before, found: a need
    "两口子在楼下吵 都快动手了 谁去劝劝",  # about to fight, not fighting
    "一氧化碳报警器叫了半天 拔了重插就好了",  # an alarm that a reset ended
    "想问一下 家里着火了是先打119还是先关总闸",  # how to act in a fire, asked
    "楼上的水一直往我家卫生间渗 天花板泡软了 敲门没人在",  # a neighbour's leak, no wiring
])
def test_a_pounce_a_dump_a_lost_habit_a_reset_alarm_or_a_leak_is_not_p0(parser, text):
    assert parser.parse(text).urgency != "P0", (text, parser.parse(text).alarm)


@pytest.mark.parametrize("text", [
    "油烟机着了 厨房里 火 我奶奶一个人在 6栋",  # the range hood itself on fire
    "对面塔楼顶上有个人在边边上晃来晃去 不像干活的",  # someone pacing a roof's edge
    "5dong 3danyuan zhaohuole jiu ming",  # pinyin, the IME off
    "kun ren le 8hao dianti li you xiaohai",  # a lift with a child, in pinyin
])
def test_a_range_hood_fire_a_roof_edge_and_pinyin_are_p0(parser, text):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0", (text, result.alarm)


@pytest.mark.parametrize("text", ["今天窝火得很 很火的那个店也关门了", "开车穿过一片荒无人烟的戈壁", "大家都是路痴吧"])
def test_figures_of_speech_with_fire_smoke_or_a_road_name_no_one_in_danger(text):
    assert not safety._names_someone_or_somewhere(read_through(fold(text).lower()))


# fifth round, storm and winter: dangers told by what hangs, moves or is missing, in Cantonese words too
@pytest.mark.parametrize("text", [
    "超市门口那块招牌一边螺丝松脱了 吊着晃 底下一排人在等公交",  # a sign loose over people
    "台风把阿伯屋顶的铁皮掀走了一半 佢两公婆躲在厨房",  # a roof blown off, people hiding inside
    "屋后那堵墙在动 一直掉泥 阿嫲还在房里",  # a wall moving, someone inside
    "我阿哥条船而家都冇返 电话打唔通 浪越来越大",  # a boat not back, storm rising (Cantonese)
    "停电了 我爸的氧气瓶快用完了 救护车说进不来 7栋303",  # oxygen running out
    "楼下一楼的水到膝盖了 王奶奶不肯走",  # water to the knee in a home
    "工人把项目部大门堵死了 要工钱 车都出不去 在推",  # a gate blocked by a grievance, pushing
    "我爸有点糊涂 早上出去到现在没回来 外面刮大风",  # a confused old man gone out
    "有个喝多的躺在路边 零下十五度 摇都摇不醒",  # cannot be woken in the cold
])
def test_storm_and_winter_dangers_told_plainly_are_p0(parser, text):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0", (text, result.alarm)


@pytest.mark.parametrize("text", [
    "燃气灶打不着火 也没味道 是不是要换电池",  # a stove that will not light
    "今天给孩子们上了堂防溺水的课",  # a safety lesson's topic
    "建议给独居老人家里都装个烟雾报警器",  # a detector suggested
    "后山挡土墙那条缝 今天去看了 没再裂 雨也停了",  # a crack that has not moved
    "那个乱拉插线板给电动车充电的 又来了 7栋楼道",  # a flying lead, no fire: a hazard
    "楼上的水又渗下来了 卫生间天花板都泡了 找了几次不理",  # a neighbour's leak: a dispute
    "6栋那个独居大爷 牛奶在门口放了两天了 敲门没人应",  # a lone elder not seen: P1 care
    "万一晚上停电 我妈的制氧机怎么办",  # a fear, not a cut
    "过完年大家一起去开发商那里讨个说法",  # a protest planned
])
def test_storm_and_winter_look_alikes_are_not_p0(parser, text):
    assert parser.parse(text).urgency != "P0", (text, parser.parse(text).alarm)


def test_a_lone_elder_not_seen_for_days_is_p1_care(parser):
    result = parser.parse("6栋那个独居大爷 牛奶在门口放了两天了 敲门没人应")
    assert (result.category, result.urgency) == ("care_request", "P1"), result


# sixth round: smoke that spreads through a building, burning plastic smelt, a worker on a roof's
# edge over his wages (P0, and the grievance is unrest), news from another district (not here)
@pytest.mark.parametrize(("text", "category"), [
    ("烟顺着楼梯间已经漫到五楼了 上面还有人", "emergency"),
    ("过道里一股烧胶皮的味 越来越冲 不知道哪家的", "emergency"),
    ("电线烧焦的味道好大 从2单元配电那边出来的", "emergency"),
    ("几个农民工坐在工地塔吊顶上 说不结工钱就跳下来", "unrest"),
])
def test_spreading_smoke_burning_plastic_and_a_roof_edge_over_wages_are_p0(parser, text, category):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0" and result.category == category, result


@pytest.mark.parametrize("text", [
    "别的区有个老小区电梯掉下来了 大家坐电梯注意点",
    "隔壁县一个厂子着火了 烟好大 看着好吓人",
])
def test_news_from_another_district_is_not_filed(parser, text):
    assert not parser.parse(text).is_request


@pytest.mark.parametrize("text", [
    "要是哪天真烧起来 三楼楼梯口那堆纸箱子谁都跑不出去",
    "万一起火 后门安全通道被锁死了 大家往哪跑",
])
def test_an_imagined_fire_with_a_real_blocked_way_is_a_hazard_to_file(parser, text):
    result = parser.parse(text)
    assert (result.is_request, result.category, result.urgency) == (True, "safety_hazard", "P1"), result


@pytest.mark.parametrize("text", [
    "真着火了 我估计我连灭火器都不会用 哈哈",
    "如果着火了 大家第一时间是跑还是拿手机🤣",
])
def test_a_musing_about_fire_with_nothing_standing_in_the_way_is_not_filed(parser, text):
    assert not parser.parse(text).is_request


# north-eastern, Shandong, Shanghai and Wuhan words read as Mandarin, same length
@pytest.mark.parametrize(("said", "meant"), [
    ("俺家楼道贼呛", "我家楼道很呛"), ("夜来着的火", "昨天着的火"), ("楼道埋汰死了", "楼道脏乱死了"),
    ("侬晓得伐", "你知道伐"), ("阿拉弄堂渍水交关深", "我们弄堂积水非常深"), ("搞么斯", "搞什么"),
    ("夜来香开了", "夜来香开了"), ("抓住一个贼", "抓住一个贼"),
])
def test_dialect_words_of_four_more_regions_are_read_through(said, meant):
    assert read_through(said) == meant


@pytest.mark.parametrize(("text", "p0"), [
    ("俺家厨房贼呛 冒黑烟了 快来人", True),
    ("夜来着的火 消防来过了 已经灭了", False),
])
def test_a_dialect_word_keeps_now_and_then_apart(parser, text, p0):
    result = parser.parse(text)
    assert (result.is_request and result.urgency == "P0") == p0, result


@pytest.mark.parametrize("text", [
    "7栋后面的自行车棚让大雪压塌了 幸好当时没人",
    "工地围挡被风刮倒了 横在人行道上 还好没砸到人",
])
def test_what_fell_with_nobody_hurt_is_a_hazard_still_to_clear(parser, text):
    result = parser.parse(text)
    assert (result.is_request, result.category, result.urgency) == (True, "safety_hazard", "P1"), result


@pytest.mark.parametrize("text", [
    "6号楼屋檐上挂着一排冰溜子 下面就是单元门",
    "楼顶积雪好厚 房檐那块随时可能滑下来",
])
def test_ice_and_snow_hanging_over_a_way_is_a_hazard(parser, text):
    result = parser.parse(text)
    assert (result.is_request, result.category, result.urgency) == (True, "safety_hazard", "P1"), result


# held-out 5, retired: the kinds its misses showed, with lines of our own
@pytest.mark.parametrize("text", [
    "后山挡墙垮了 泥巴冲到路上 有个骑车的好像遭埋了",  # 遭 = 被, by voice in the south-west
    "一块大石头滚下来砸穿了厨房的墙 屋里有人",  # someone at home under it
    "广告牌让风吹掉半块 还在晃 下面全是等车的",  # everyone under it waiting
    "大树倒了压在平房顶上 里面喊了没动静",  # 没动静 is not "it has not moved"
    "地下室有人烧东西 烟已经漫到一楼大厅了",  # smoke spreading outweighs a cause that sounds harmless
    "锅炉房门口聚了几十个人 把供热公司的车围住了 推推搡搡",  # a heating grievance crowd: unrest
    "街道门口坐着一群老职工 说不给取暖补贴不走 大门堵着",
    "几十号人在物业办公室拍桌子 经理让人围在里面出不来",
    "楼门口一个老头躺地上 已经打了120 我在这守着",  # keeping watch is not over
    "我在外区赶不回来 我爸烧煤炉子 视频里说话都含糊了 谁能去开下窗",  # away in another district
])
def test_retired_five_kinds_of_life_at_risk_are_p0(parser, text):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0", (text, result)


@pytest.mark.parametrize("text", [
    "救命 楼上又在蹦迪 都十二点了",  # a gripe, not a call for a life
    "我妈要做退休认证 她腿脚不好走不动了 能不能上门",  # cannot walk far is not a body that does not move
    "帮隔壁奶奶把煤球搬进屋 她一个人搬不动",
    "狗扑到我家孩子身上 还好没咬着 主人还不承认",
    "着火那家现在没地方住 被子衣服都烧了",  # the burnt-out family's need
    "有辆车把单元门堵死了 我们出不去 车上也没电话",  # a car across the way out
    "楼道堆满纸箱 真的起火了跑都跑不掉",  # if it really did: a hazard
])
def test_retired_five_kinds_that_are_not_p0(parser, text):
    result = parser.parse(text)
    assert not (result.is_request and result.urgency == "P0"), (text, result)


def test_an_affirmed_fire_is_no_hypothetical(parser):
    result = parser.parse("真的着火了 5栋 快来人")
    assert result.is_request and result.urgency == "P0"


@pytest.mark.parametrize(("text", "p0"), [
    ("送气的三轮翻了 气罐子在地上滋滋往外冒 一圈人在看", True),
    ("两家为加装电梯吵得都快打起来了 3号楼1单元", False),  # about to, not fighting
    ("昨黑地楼道电表箱冒烟 今早上电工换了 现在好了", False),  # 昨黑 = last night
])
def test_blind_twelve_kinds_of_now_and_not_now(parser, text, p0):
    result = parser.parse(text)
    assert (result.is_request and result.urgency == "P0") == p0, result


def test_water_dripping_onto_a_meter_is_p0(parser):
    result = parser.parse("亭子间楼板一直在滴水 下面就是电表 噼啪响")
    assert result.is_request and result.urgency == "P0"


# blind batches 14 and 15 (central plains, the middle Yangtze), their kinds with lines of our own
@pytest.mark.parametrize("text", [
    "我在广州 我爸一个人住4栋 从昨晚起电话就没人接 邻居说灯一直亮着 敲门也不应 他有心脏病",  # since yesterday: still
    "楼上砰的一声 之后一点动静都没有了 那是独居的周奶奶家",
    "赵爹爹家报纸三天没拿了 敲门的时候听到屋里有人在呻吟",
    "热死人的天 门口保安大叔突然栽了 一直抽搐 喊他不应",  # a gripe's word beside a real collapse
    "早上一直没见老两口出门 窗玻璃全是水雾 他俩冬天关窗烧煤炉的 怎么敲都不开",  # 一早/早上: not long ago
    "水库边有个小孩掉下去没上来 快",  # 没上来 tells, it does not ask
    "我儿子打球回来就发烧 胡言乱语的 连他妈都不认得了 8栋",
    "5冬2单元有个老人倒在楼梯上 口吐白沫",  # 冬: 栋 by voice input
])
def test_blind_fourteen_fifteen_dangers_are_p0(parser, text):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0", result


@pytest.mark.parametrize("text", [
    "楼道的纸箱要是有人扔个烟头 整栋楼就会烧起来 物业清一清",  # a consequence foretold
    "外面38度 我爸偏要去河边钓鱼 中暑了我可不管",  # a consequence threatened
    "电线从三楼窗户上吊下来一大截 好多人家在楼下飞线充电",  # hanging wires, nobody hanged
    "饭店后面阴沟堵了 臭水漫到人行道上",  # sewage over a pavement: dirt, no flood
    "隔壁那个小区好像着火了 烟好大 我们这边没事 大家关好窗",  # another estate's fire, ours fine
])
def test_blind_fourteen_fifteen_not_dangers_now(parser, text):
    result = parser.parse(text)
    assert result.urgency != "P0", result


def test_a_thud_and_silence_names_the_room_after_the_home(parser):
    location = parser.parse("刚才咚的一声 然后就没声音了 那是孙爷爷屋里 602").location
    assert location is not None and location.room == "602"


def test_an_emergency_number_after_a_building_is_no_room(parser):
    location = parser.parse("住三栋 120说马上到 谁去门口接一下").location
    assert location is not None and (location.building, location.room) == ("3", None)


@pytest.mark.parametrize("text", [
    "楼道里一股很冲的煤气味 要不要报警",  # asking whether to call is no stand-down
    "有个人坐在天台边上 是不是要跳啊",
    "那男的拿着刀威胁说不要报警 还在踹门",
    "插座冒火花了 物业不管",  # 不管 said of someone else is no threat of one's own
    "住在隔壁家的刘奶奶摔倒了 喊她没反应",  # living at a neighbour's is no aftermath
    "隔壁老两口烧煤炉子 早上敲门半天么人应 里头有人哼哼",  # 么人 = 没人
])
def test_dangers_stay_p0_beside_look_alike_words(parser, text):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0", result


@pytest.mark.parametrize("text", [
    "路封了 药店也不开门",  # 封了 without a stove
    "群里那个起火的视频是外地的 不是咱们小区 别再转了",  # a video from elsewhere
])
def test_no_p0_from_words_that_only_look_like_danger(parser, text):
    assert parser.parse(text).urgency != "P0"


# blind batch 17 (the first boundary check, read as training): the kinds it showed, in lines of our own
@pytest.mark.parametrize("text", [
    "要不要打120啊 2栋天台边上站着个小伙子 一直往下看",  # 要不要 asks whether to call: no prohibition
    "6号楼的王奶奶一个人住 我刚上去送饺子 她靠在沙发上喊都喊不醒",  # 刚 + going there: now, not past
    "这两天热得要命 对门大爷躺在门口 叫都叫不太醒 说话也含糊",  # body signs outweigh a gripe's 热
])
def test_blind_seventeen_dangers_stay_p0(parser, text):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0", result


@pytest.mark.parametrize("text", [
    "雨水口堵住了 路口积水没过鞋面 走路得绕 物业来掏一下",  # ankle-deep on a road: a drain, no flood
    "转：外地某小区燃气爆炸 多人受伤！！大家注意用气安全",  # a forwarder's ！！ is tone, not a danger here
    "转：某市老旧小区电梯下坠 一人受伤",  # 某市: some other town
    "超市门口有个大爷找不到家了 店员让他在店里坐着喝口热水 谁认识他家里人",  # lost, in safe hands
])
def test_blind_seventeen_not_dangers_now(parser, text):
    assert parser.understand(text).result.urgency != "P0"


def test_a_lost_elder_in_safe_hands_is_care_for_today(parser):
    result = parser.parse("菜场门口有个老爷子走丢了 问他家在哪说不清 保安让他先在门卫室坐着 社区帮忙联系家人")
    assert (result.is_request, result.category, result.urgency) == (True, "care_request", "P1"), result


def test_a_sunk_septic_tank_cover_is_a_facility_for_today(parser):
    assert parser.parse("西门化粪池的盖子陷下去半边 电动车骑过去差点翻 快来修").urgency == "P1"


# blind batch 18 and retired held-out 6, read as training: the kinds they showed, in lines of our own
@pytest.mark.parametrize("text", [
    "河边那个阿姨坐了半天不说话 刚才看见她往河里走了",  # walking into water; 走了 is no death here
    "我在市里住院呢 我妈一个人在家 刚才电话说头晕站不起来 之后就不接了 5栋301",  # reporter in hospital
    "停电了 电梯卡在两层中间 我和孩子在里头 闷死了 7号楼",  # people inside outweigh a gripe's 闷死
    "8栋那个瘫着的老爷子这两天没人管 刚去看 喊都喊不醒",
])
def test_blind_eighteen_dangers_stay_p0(parser, text):
    result = parser.parse(text)
    assert result.is_request and result.urgency == "P0", result


@pytest.mark.parametrize("text", [
    "前年那场大水我到现在都记得 地库淹了好多车 今年千万别再来了",  # a memory, not a flood now
    "配电房门口那个电箱一直滋滋响 有点发烫 没冒烟",  # a switchboard's hiss is no gas
    "对门的又跑上来拍门骂人 说我家拖椅子太吵",  # someone banging on our door: a dispute
    "下周三我们十几户约好了去区里反映 已经说好了 要去的报名",  # agreed for later
    "2单元门口那个灭火器压力表都到红线了 该换了",  # an extinguisher's gauge is no gas
    "谁的车堵在5号楼单元门口 婴儿车推不出去",  # a car in the doorway is parking, no crowd
    "厨房一股煤气味 找了半天是我家灶没关好 已经关了",  # found and turned off
    "还以为哪里着火了 结果是楼下在炒辣椒 呛得直咳",  # cooking named as the smoke's source
    "小区外面有人举着牌子讨工钱 七八个人 没堵路 就站在那",  # a calm protest: unrest for today
    "后山那段护坡鼓出来一块 有点渗水",  # a bulging slope with nothing coming down: a hazard
])
def test_blind_eighteen_not_dangers_now(parser, text):
    assert parser.understand(text).result.urgency != "P0"


@pytest.mark.parametrize("text", [
    "电动车电池鼓起来了 一直往外喷白烟 就在楼道里",  # a bulge that sprays is a danger
    "15栋电梯关了人 已经关了半个钟头 里面老人说胸口闷",  # 已经关了 of a trapped person is not 'switched off'
    "车库出口被业主拿车堵死了 说不退车位费就不挪 后面堵了一长串",  # a blockade over a grievance
])
def test_look_alikes_of_the_new_negatives_stay_p0(parser, text):
    assert parser.understand(text).result.urgency == "P0"


# blind batches 20–22 (Cantonese and Minnan, Beijing and Tianjin, Gan and Xiang words): dangers in
# dialect and the negatives they showed, in lines of our own
@pytest.mark.parametrize("text", [
    "阿公透唔到气 面都紫晒 9座1201",  # cannot get a breath, face gone purple
    "细路食糖哽亲 咳唔出 快啲嚟人",  # choking
    "煤炉子那屋我妈出溜地上了 我爸也迷糊",  # a coal stove and people dazed: carbon monoxide
    "土暖气屋里我爷爷又迷糊过去了 上回就这样 15号楼",  # 上回就这样 compares, it does not date
    "楼下那家着起来了 烟往上翻 我有点慌 咋整",  # 有点慌 is the reporter's fear, not a faint smoke
    "菜场门口人挤人 有个阿姨被推倒了 后面还在往前拥",  # a crush
    "菜场口人挤人 都说要封了都往里拥 有人被踩在底下",  # 说要 in another clause is no threat
    "鱼塘里有个人浮浮沉沉 好像不会游泳",
    "充电宝炸咗 张床烧紧 4座508",  # 烧紧: burning now
    "夜市那边有人劈友 满地都是血",
    "孩子从塘里捞上来了 好像没得气了 谁会按胸口",  # pulled out, still not breathing
    "「物业：今天检修燃气管道」\n- - - - - - - - - - - - - - -\n修完了吗 屋里一股煤气味 老人说头晕",
])
def test_blind_twenty_to_twenty_two_dangers_stay_p0(parser, text):
    result = parser.understand(text).result
    assert result.is_request and result.urgency == "P0", result


@pytest.mark.parametrize("text", [
    "琴晚三楼煤气漏咗 今朝师傅整好咗 冇事喇",  # last night, fixed this morning
    "拍门嗰个唔系贼 系送水嘅 唔好意思吵到大家",  # a correction in Cantonese
    "2栋的阿婆三日冇落楼 拍门又冇人应",  # knocking with no answer: a lone elder unseen (P1)
    "听说顺义那边一小区电梯往下掉了 咱这也老",  # another district's lift
    "听说城东一个大杂院着了 人都跑出来了",
    "拆迁款到现在还没到位 下礼拜一我们十几户一起去区里",  # 到现在 is no 'now' of a crowd
    "河边有个老人家坐在地上 我过去问了 讲冇事 就是走累了",  # said to be fine
    "闻到一股煤气味 后来晓得是楼下在打边炉 冇事",  # learnt later what it was
    "转：外省暴雨 多处山体滑坡 有群众被困 消防正在救援",  # a one-line story passed on
])
def test_blind_twenty_to_twenty_two_not_dangers_now(parser, text):
    assert parser.understand(text).result.urgency != "P0"


@pytest.mark.parametrize(("text", "place"), [
    ("着活了 7动楼梯间全是烟", ("7", None, None)),  # 动/懂 for 栋 by voice
    ("三懂402有人跌倒了", ("3", None, "402")),
    ("门缝往外冒烟 2门201的", (None, "2", "201")),  # a unit by its door, as in Beijing
])
def test_dialect_and_voice_building_and_unit(text, place):
    location = find_location(text)
    assert location is not None and (location.building, location.unit, location.room) == place


def test_a_motion_is_no_building():
    assert find_location("他一动不动") is None


# the second reader's review of this round's patterns: each over-reach it found, as a test
@pytest.mark.parametrize("text", [
    "刚才下楼看到一院子都是烟 哪家着火了",  # 一院子 is a yard full, not another courtyard
    "电梯里关着个人 物业办公室已经关了 电话没人接",  # an office closed is no valve turned off
    "燃气味很大 阀门我已经关了 窗户也开了 味道还在 头有点晕",  # turned off, still there, dizzy
    "刚把行李整好了 就闻到楼道一股很浓的煤气味 是哪家",  # 整好了: got ready, not fixed
    "楼道水管爆了 水已经没过脚背了 还在哗哗喷 快找人关总阀",  # ankle-deep and rising
    "河水涨上来了 已经到脚脖子了 还在涨 一楼老人走不动",
    "屋里一股怪味 头晕想吐 灯都不敢开 怎么办",  # 不敢开灯: a gas leak's fear, no switchboard
    "一群人冲进物业办公室砸东西 保安就站着看",  # the guard stands, the crowd storms
    "物业门口聚集了几十个业主 我们家没事 就是门口全堵死了 保安被围在中间",
    "听说楼下超市有人晕倒了 快去个人看看",  # 超市 is no city
    "听说隔壁单元有人煤气中毒 现在救护车还没到",  # hearsay next door is no story from elsewhere
    "我现在在医院住院呢 家里老人一个人摔倒了起不来 谁能去看看",  # the reporter is in hospital
])
def test_review_dangers_stay_p0(parser, text):
    result = parser.understand(text).result
    assert result.is_request and result.urgency == "P0", result


@pytest.mark.parametrize("text", [
    "3栋那个独居阿婆家的门一直关着紧紧的 两天没见她出来了",  # 着紧 is no 'burning now'
    "我烧紧水 等下落去睇下 2栋电梯又坏咗",
    "楼下电瓶车胎爆了 谁家有打气筒借一下",  # a tyre, not a battery
    "3栋门口垃圾桶臭得能把人熏倒了 几天没人收了",
    "家里土暖气一点都不热 冻得老人头晕",  # cold, not fumes
    "孩子在滑梯上磕了一下 脸青了一块",  # a bruise
    "感冒半个月了 有痰咳不出来 社区医院几点开门",
    "小区新栽地上的草皮又被人踩坏了",
    "我家孩子不会游泳 小区泳池什么时候开放",
    "人生就是浮浮沉沉 想开点",
    "饭馆天天往河里冲泔水",
    "菜市场门口杀鸡的摊子 满地是血 臭得要命",  # a butcher's stall
    "早上电梯太挤了 人挤人 物业能不能再开一部",
    "城管来了 3栋那个违建的棚子被推倒了",
    "花坛刚种的花被人踩在脚底下了",
])
def test_review_ordinary_lines_are_not_p0(parser, text):
    assert parser.understand(text).result.urgency != "P0"


@pytest.mark.parametrize("text", [
    "救护车是来接3栋一个孕妇的 要生了 不是出事 大家放心",  # not an accident
    "有人往雨水口倒废油 一股味 就在6栋后面",  # oil down a drain: dirt
])
def test_blind_twenty_four_not_dangers_now(parser, text):
    assert parser.understand(text).result.urgency != "P0"


def test_a_pit_caving_wider_by_a_road_is_p0(parser):
    assert parser.parse("路边那个坑又塌大了 刚才有个骑车的差点掉进去 边上的土还在往下掉").urgency == "P0"


# blind batches 25 and 26 (danger at its boundary; categories in dialect): our own lines
@pytest.mark.parametrize("text", [
    "楼梯间有个细伢子玩打火机 被我抢下来了 他家大人不在",  # taken off him: over
    "刚才电梯关了个小孩 已经放出来了 物业蛮快",
    "哪里有教心肺复苏的 想学学 家里有老人",  # learning first aid
    "听日我哋一齐去区政府门口拉横幅",  # 听日: tomorrow
    "10栋边上沙井有人倒咗几袋垃圾",  # someone dumped bags, nobody fell
    "电梯又坏哒 停在九楼不动 冒得人关在里面",  # 冒得人: nobody inside
    "单车棚塌哒一角 还好冒砸到人",
    "楼道堆满纸箱 还有人在那充电瓶车 一着火大家都跑不出去",  # once it catches fire
    "坐了一天居委会 来开证明的排长队 嗓子都冒烟了",  # a figure of speech
])
def test_blind_twenty_five_twenty_six_not_dangers_now(parser, text):
    assert parser.understand(text).result.urgency != "P0"


@pytest.mark.parametrize("text", [
    "楼下一着火 烟就往上窜 快来人 3栋",  # 楼下 一着火 with a call to hurry is a fire now
    "一班人喺物业门口嗌要退钱 推跌咗个保安",  # a crowd with a grievance: unrest P0
])
def test_blind_twenty_five_twenty_six_dangers_stay_p0(parser, text):
    assert parser.understand(text).result.urgency == "P0"


def test_a_crowd_with_a_grievance_told_plainly_is_unrest(parser):
    result = parser.understand("几十个工人坐在售楼处门口 拉横幅讨工钱 门都堵死了 现在还在喊").result
    assert (result.category, result.urgency) == ("unrest", "P0"), result


def test_a_unit_by_its_door_in_chinese_numerals():
    location = find_location("跟楼上吵起来了 我住六门401")
    assert location is not None and (location.unit, location.room) == ("6", "401")
