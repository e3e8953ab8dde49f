# ruff: noqa: E501  (the table of slips reads best as one dense list)
"""Reading through the slips of fast thumbs and voice input (着活 for 着火, 漏汽 for 漏气, 停点 for
停电, 晕到 for 晕倒, 电题 for 电梯). People type on phones and dictate; a danger word spelt wrong
must still be read as that word.

Every fix replaces a span with one of the same length, so offsets found on the fixed text are
offsets in the original (PII and place spans stay valid). The text is expected folded and
lower-cased (text.fold). Fixes are guarded by their neighbours where the slip is also a real word
("干着活" is working, "暂停点" a stop).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.nlp.gate import BranchGates

# (slip, meant, pattern guard). Pinyin-identical or near voice-to-text confusions and common
# keyboard (pinyin IME) first-candidate slips in the words that decide a request's urgency.
_FIXES: list[tuple[str, str]] = [
    (r"(?<![干做忙揽接])着活", "着火"), (r"着伙", "着火"), (r"起伙(?!食)", "起火"), (r"捆在", "困在"), (r"燃起(?=泄|漏|味|管|灶|罐|表|报警)", "燃气"),
    (r"煤其", "煤气"), (r"梅气", "煤气"), (r"燃其", "燃气"), (r"天然起(?=味)", "天然气"), (r"昏密", "昏迷"), (r"求祝", "求助"), (r"蹋了", "塌了"), (r"(?<![强空协])调楼", "跳楼"), (r"拿到(?=在|要|砍|捅)", "拿刀"), (r"到下了", "倒下了"), (r"(?<=[关卡困锁])电体", "电梯"), (r"(?<![生复快干])起活(?!动)", "起火"), (r"失活", "失火"), (r"火栽", "火灾"),
    (r"冒眼(?!睛)", "冒烟"), (r"帽烟", "冒烟"), (r"浓眼", "浓烟"), (r"黑眼(?!圈|睛)", "黑烟"),
    (r"漏汽", "漏气"), (r"露气", "漏气"), (r"燃汽", "燃气"), (r"煤汽", "煤气"), (r"天然汽", "天然气"), (r"然气味", "燃气味"),
    (r"液化汽", "液化气"), (r"泄露", "泄漏"), (r"(?<!天)燃起味", "燃气味"), (r"媒气", "煤气"),
    (r"(?<!公交)(?<![暂站车])停点(?![餐菜单])", "停电"), (r"停店(?!铺)", "停电"), (r"没点了", "没电了"), (r"停谁", "停水"),
    (r"晕到", "晕倒"), (r"昏到", "昏倒"), (r"摔到了", "摔倒了"), (r"跌到", "跌倒"), (r"滑到了", "滑倒了"), (r"到在地上", "倒在地上"),
    (r"(?<![溢流洒掉漏扔放滴泼])到地上了", "倒地上了"), (r"婚倒", "昏倒"), (r"婚迷", "昏迷"), (r"云倒", "晕倒"),
    (r"电题", "电梯"), (r"电体", "电梯"), (r"店梯", "电梯"), (r"坤人", "困人"), (r"捆人", "困人"),
    (r"救名", "救命"), (r"就命", "救命"), (r"就护车", "救护车"), (r"救乎车", "救护车"),
    (r"幺二零", "一二零"), (r"幺幺九", "一一九"), (r"妖二零", "一二零"),
    (r"触点(?!屏)", "触电"), (r"漏点(?!了吗)", "漏电"), (r"爆关", "爆管"), (r"水管报了", "水管爆了"),
    (r"塌限", "塌陷"), (r"踏了", "塌了"), (r"倒踏", "倒塌"),
    (r"焦胃", "焦味"), (r"胶味", "焦味"),
    (r"燃期(?=味|泄|漏|管|灶|罐|表)", "燃气"), (r"(?<=股)没气(?=味)", "煤气"), (r"(?<=[气炭])中度", "中毒"),
    (r"逆水(?=了|的人|啦)", "溺水"), (r"乎吸", "呼吸"), (r"救户车", "救护车"), (r"(?<=[人在])打价", "打架"),
    (r"(?<=[嗞滋咝呲啪吱])想", "响"), (r"睡(?=从.{0,6}(?:灯|天花板|顶上|吊顶|墙|插座|楼上|上面)|往下(?:流|滴|漏))", "水"),
    (r"处电", "触电"), (r"出电了", "触电了"), (r"心脏聚停", "心脏骤停"), (r"阳水", "羊水"),
    (r"煤器", "煤气"), (r"瓦丝", "瓦斯"), (r"见洪(?=了)", "见红"), (r"刹白", "煞白"), (r"爆诈", "爆炸"),
    (r"着获", "着火"), (r"农烟", "浓烟"), (r"(?<![情海警])报炸", "爆炸"), (r"暴炸", "爆炸"), (r"(?<=[气炭])中[读独]", "中毒"), (r"口吐白膜", "口吐白沫"), (r"抽出(?=了|吐沫|白沫)", "抽搐"),
    (r"漏器", "漏气"), (r"运倒", "晕倒"), (r"腻水(?=了)", "溺水"), (r"昏谜", "昏迷"), (r"倒蹋", "倒塌"), (r"摊塌", "坍塌"),
    (r"[至致]息(?=了|啦)", "窒息"), (r"新脏病", "心脏病"), (r"块来人", "快来人"),
    (r"没呼息", "没呼吸"), (r"不醒人事", "不省人事"), (r"叫不行", "叫不醒"), (r"喊不行", "喊不醒"),
    (r"跳搂", "跳楼"), (r"楼丁", "楼顶"), (r"天太(?=边|上)", "天台"),
    (r"拉恒幅", "拉横幅"), (r"横副", "横幅"), (r"停税", "停水"), (r"扰名", "扰民"),
    (r"飞线冲电", "飞线充电"), (r"冲电", "充电"), (r"电平车", "电瓶车"), (r"电评车", "电瓶车"),
    (r"消防通到", "消防通道"), (r"高空跑物", "高空抛物"), (r"高空抛屋", "高空抛物"),
    (r"违见", "违建"), (r"物页", "物业"), (r"物叶", "物业"), (r"网格圆", "网格员"),
]
# Dialect words everyone writes as they speak (south-west 啥子/屋头/娃儿/咋个/莫得, Hunan 么子/嗲嗲/娭毑,
# Cantonese 冇/喺/咗/佢/睇/揾/屋企, Wu 屋里厢), read as the Mandarin the rules and the message
# board's model know ("屋头水还没通" is "家里水还没通"); only words that mean nothing else, same length
_FIXES += [
    (r"啥子", "什么"), (r"么子", "什么"), (r"乜嘢", "什么"), (r"屋头", "家里"), (r"屋企", "家里"), (r"屋里厢", "家里面"),
    (r"娃儿", "孩子"), (r"咋个", "怎么"), (r"莫得", "没有"), (r"冇得", "没有"), (r"冇", "没"), (r"喺度", "在这"), (r"喺", "在"), (r"咗", "了"),
    (r"佢", "他"), (r"睇", "看"), (r"揾", "找"), (r"嘅", "的"), (r"嗲嗲", "爷爷"), (r"娭毑", "奶奶"), (r"搞么事", "干什么"),
    (r"恰饭", "吃饭"), (r"晓得", "知道"), (r"遭(?=压|砸|埋|撞|打|咬|电|烧|淹|冲|偷|抢|困|关)", "被"), (r"堡坎", "挡墙"),
    # Cantonese function words and verbs (而家 now, 仲 still, 啲 some, 嗰 that, 嚟 come, 俾 give/by, 瞓 sleep,
    # 冧 fall down, 嗌交 quarrel, 边个 who, 边度 where, 细路 child, 落雨 rain, 打唔通 cannot get through)
    (r"差啲", "差点"), (r"而家", "现在"), (r"(?<![a-z\d])仲(?![裁秋夏冬春])", "还"), (r"啲", "些"), (r"嗰", "那"), (r"嚟", "来"),
    (r"唔(?!该|好意思)", "不"), (r"瞓", "睡"), (r"冧", "塌"), (r"嗌交", "吵架"), (r"边个", "哪个"), (r"边度", "哪里"),
    (r"呢度", "这里"), (r"听日", "明天"), (r"听朝", "明早"), (r"冒得(?=人|事|水|电|钱|法|用)", "没有"), (r"冒(?=砸|伤到|伤着|事)", "没"), (r"(?<=[塌坏倒停死好烂])哒", "了"), (r"琴晚|寻晚", "昨晚"), (r"琴日|寻日", "昨天"), (r"整好(?=咗|晒)", "修好"), (r"细路", "小孩"), (r"落雨", "下雨"), (r"俾(?=[风水雨浪人车狗])", "被"),
    (r"食(?=饭|咗|紧|嘢)", "吃"), (r"系咪", "是不"), (r"(?<![关联体派世直星院中])系(?![统列数鞋])", "是"), (r"企(?=喺|在|住)", "站"), (r"(?<![忧抑阴浓馥沉])郁(?![闷金葱])", "动"), (r"搵", "找"), (r"攞", "拿"),
]
# North-eastern and Shandong words (嘎哈 what for, 埋汰 dirty, 旮旯 corner, 贼 very, 瞅 look, 俺 I, 夜来
# yesterday, 今儿/明儿/昨儿), Shanghai words (侬 you, 阿拉 we, 覅 don't, 搿 this, 交关/邪气 very, 辰光
# time, 物事 things) and Wuhan words (么斯 what, 渍水 standing water), read the same way
_FIXES += [
    (r"嘎哈", "干啥"), (r"埋汰", "脏乱"), (r"旮旯", "角落"), (r"贼(?=[冷热多大吵臭响亮快慢烦难冲呛脏危])", "很"), (r"瞅", "看"),
    (r"俺", "我"), (r"夜来(?!香)", "昨天"), (r"今儿", "今天"), (r"明儿", "明天"), (r"昨儿", "昨天"), (r"黑天", "晚上"),
    (r"侬", "你"), (r"阿拉(?!伯|丁|斯加)", "我们"), (r"覅", "别"), (r"搿", "这"), (r"交关", "非常"), (r"邪气(?=[大多冷热臭吵响])", "非常"),
    (r"辰光", "时候"), (r"昨黑(?=地|了|里|儿|夜|\s)", "昨晚"), (r"物事", "东西"), (r"么斯", "什么"), (r"(?<![什怎这那多要])么(?=人(?:应|管|接|理|开|在)|得)", "没"), (r"(?<![什怎这那多要])么样", "怎么"), (r"渍水", "积水"),
]
_COMPILED = [(re.compile(slip), meant) for slip, meant in _FIXES]

# the characters each slip cannot be made without (gate.py): most lines make none of the slips
_GATES = BranchGates([pattern for pattern, _meant in _COMPILED])

# Danger words typed in pinyin when the input method is off or the hands are shaking ("12dong
# dingceng zhaohuole kuai lai ren"): the word in characters, padded with spaces to the same length;
# not syllables that spell an everyday word as well (qihuo 期货, dajia 大家, yundao 运到)
_PINYIN: list[tuple[str, str]] = [
    (r"zhao ?huo", "着火"), (r"shi ?huo", "失火"), (r"mao ?yan", "冒烟"), (r"nong ?yan", "浓烟"),
    (r"kun ?ren", "困人"), (r"kun ?zhu", "困住"), (r"guan ?ren", "关人"), (r"jiu ?ming", "救命"), (r"kuai ?lai ?ren", "快来人"),
    (r"lou ?qi", "漏气"), (r"mei ?qi", "煤气"), (r"ran ?qi", "燃气"), (r"dian ?ti", "电梯"),
    (r"shuai ?dao", "摔倒"), (r"hun ?mi", "昏迷"), (r"tiao ?lou", "跳楼"), (r"ting ?dian", "停电"), (r"ting ?shui", "停水"),
    (r"lou ?shui", "漏水"), (r"lu ?deng", "路灯"), (r"huai ?le", "坏了"), (r"ding ?ceng", "顶层"), (r"lou ?dao", "楼道"),
    (r"bao ?zha", "爆炸"), (r"chu ?dian", "触电"), (r"bao ?jing", "报警"), (r"jiu ?hu ?che", "救护车"),
]
_PINYIN_COMPILED = [(re.compile(rf"(?<![a-z]){py}(?: ?le)?(?![a-z])"), word) for py, word in _PINYIN]
_LATIN_WORD = re.compile(r"[a-z]{4,}")


def _from_pinyin(m: re.Match[str], word: str) -> str:
    out = word + ("了" if m[0].endswith("le") and not word.endswith("了") else "")
    return out + " " * (len(m[0]) - len(out)) if len(out) <= len(m[0]) else m[0]


@lru_cache(maxsize=256)
def read_through(s: str) -> str:
    """The text with common slips, dialect words and danger words in pinyin replaced by the words
    meant; same length as `s`. Cached: one line is read through several times on its way (its
    parse, its features, its safety look), and the replacements are many."""
    pending = sorted(_GATES.admitted(set(s)))  # the slips in the table's order
    while pending:
        number = pending.pop(0)
        pattern, meant = _COMPILED[number]
        fixed = pattern.sub(lambda m, w=meant: w if len(m[0]) == len(w) else m[0], s)
        if fixed != s:  # a fix may make a later slip: the gates are asked again of the new text
            s, pending = fixed, sorted(n for n in _GATES.admitted(set(fixed)) if n > number)
    if _LATIN_WORD.search(s):
        for pattern, word in _PINYIN_COMPILED:
            s = pattern.sub(lambda m, w=word: _from_pinyin(m, w), s)
    return s


# a cadre's own shorthand and slips in the words of duty: read only when a cadre's line is read as
# duty done (a resident's "在港" stays Hong Kong). Pinyin initials stand alone ("zf 4户", "jr在sq").
_DUTY_FIXES: list[tuple[str, str]] = [
    (r"射区|设区|涉区", "社区"), (r"值版|值斑|直班", "值班"), (r"(?:^|(?<=\s))在港(?=$|\s|了|今天)", "在岗"), (r"签道", "签到"),
    (r"夜放|夜防|叶访|夜方", "夜访"), (r"走方|走仿|走房|走防", "走访"), (r"如户|入护", "入户"), (r"看往", "看望"),
    (r"当课|党可|党棵|档课", "党课"), (r"(?<=党员)大回", "大会"), (r"(?<=主题)当日", "党日"), (r"交流回", "交流会"),
    (r"请加(?=[一二两三半\d]天|$|\s)", "请假"), (r"条修|调修", "调休"), (r"年修", "年休"),
    (r"(?<![a-z])jr(?![a-z])", "今日"), (r"(?<![a-z])sq(?![a-z])", "社区"), (r"(?<![a-z])zf(?![a-z])", "走访"),
    (r"(?<![a-z])yf(?![a-z])", "夜访"), (r"(?<![a-z])dk(?![a-z])", "党课"), (r"(?<![a-z])rh(?![a-z])", "入户"),
    (r"(?<![a-z])zb(?![a-z])", "值班"), (r"(?<![a-z])qd(?![a-z])", "签到"),
]
# Cantonese and northern dialect words a cadre types as they speak, read as the Mandarin the duty
# rules know (same length: 今日 → 今天, 上昼 → 上午, 俺 → 我, 额 → 我 where it is the Shaanxi "I")
_DUTY_FIXES += [
    # (咗, 喺, 冇, 唔, 嘅, 佢, 嚟, 睇, 揾, 屋企, 莫得, 么子, 娭毑, 今儿: read for everyone by read_through, which runs first)
    (r"倾(?=咗|了|下|偈|计)", "聊"), (r"今日|今朝", "今天"), (r"琴日|寻日", "昨天"), (r"听日", "明天"),
    (r"上昼", "上午"), (r"今个(?=上午|下午|晚上|早上|一天)", "今天"), (r"明朝(?!.{0,2}[朝代])", "明天"), (r"(?<=[跑走进看去送帮量填换搬聊讲陪])咯", "了"), (r"下昼", "下午"), (r"朝早", "早上"), (r"夜晚", "晚上"), (r"食完饭", "吃完饭"),
    (r"探(?=咗|了)", "看"), (r"礼拜(?=[一二三四五六日天])", "星期"), (r"(?<=[一-龥\s])咧(?=$|\s)", "了"),
    (r"(?:^|(?<=[\s，。@]))额(?![度外头])", "我"), (r"(?<=[\s，。])额(?=跟|去|把|给|在|今|这|刚)", "我"),
    # Yunnan 克 (去), 一哈 (一下); Fujian 厝 (家); slips 执班, 页访, 请家
    (r"(?<=[午上天晚里共])克|(?<![巧千毫公马])克(?=[了看瞧开成])", "去"), (r"(?<=[瞧看])了一哈", "了一下"),
    (r"厝", "家"), (r"执班", "值班"), (r"页访", "夜访"), (r"请家(?=老家)", "请假"),
    # Shandong 头午/过晌/恁 (夜来, 俺, 明儿, 黑天: read for everyone); Hunan 港 (讲), 恰 (吃), 哒 (了), 伢子
    (r"头午", "上午"), (r"过晌", "下午"), (r"昨日", "昨天"), (r"恁", "你"),
    (r"港(?=一下|楼上|她|他|的|了|哒)", "讲"), (r"恰(?=完|了|饭)", "吃"), (r"(?<=[一-龥])哒", "了"),
    (r"伢子", "孩子"),
]
_DUTY_COMPILED = [(re.compile(slip, re.IGNORECASE), meant) for slip, meant in _DUTY_FIXES]


def read_duty_through(s: str) -> str:
    """A cadre's line with the slips and pinyin shorthand of duty words replaced (夜放 → 夜访,
    zf → 走访); same length as `s`, so offsets stay valid."""
    for pattern, meant in _DUTY_COMPILED:
        s = pattern.sub(lambda m, w=meant: w if len(m[0]) == len(w) else m[0], s)
    return s
