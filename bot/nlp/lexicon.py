# ruff: noqa: E501  (keyword tables read best one category per line)
"""Rules of the parser: category keywords (domain.md §6), emergencies, chatter and notices,
request cues, urgency, nature, and cadres' check-in phrases. Texts arrive folded and lower-cased."""

from __future__ import annotations

import re

from bot.nlp.gate import gate_of
from bot.nlp.text import cn_to_int

_NUM = r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3})"

# Category keywords: (pattern, weight). Patterns describe a problem, not just an object
# ("电梯坏了", not "电梯"), so "电梯修好了，谢谢物业" does not read as a repair request.
CATEGORY_RULES: dict[str, list[tuple[str, float]]] = {
    "safety_hazard": [
        (r"飞线", 3), (r"(?:电瓶车|电动车|电车).{0,6}(?:充电|上楼|进电梯|推进|带上楼|楼道|大厅)", 3),
        (r"(?:楼道|走廊|大厅|窗户|门口).{0,6}充电", 2), (r"拉.{0,3}电线|私拉|乱拉电线|电线乱拉", 2),
        (r"消防通道|消防车道.{0,4}(?:堵|占|停)", 2), (r"灭火器", 2), (r"消防栓|消火栓", 2), (r"烟感", 2),
        (r"高空抛物|往下扔|往下丢|楼上扔", 3), (r"危房", 3), (r"裂缝|裂了.{0,4}缝|开裂", 2),
        (r"安全出口|逃生通道", 2), (r"安全隐患|隐患", 2), (r"液化气罐|煤气罐|汽油", 2), (r"塔吊", 2),
        (r"万一着火|着火了跑|容易着火|会着火", 2), (r"群租", 1.5), (r"墙皮.{0,4}掉|掉墙皮", 1.5),
        (r"随时.{0,3}(?:掉下来|会掉|倒)|随时(?:可能|会|都会)?.{0,2}(?:滑下来|砸下来|塌下来)|冰溜子|冰锥子?|(?:屋顶|楼顶|房顶|房檐|屋檐).{0,4}积雪|摇摇欲坠|(?:瓷砖|广告牌|空调外机|窗户).{0,6}(?:松了|松动)", 3),
        (r"太危险|很危险|非常危险", 2),
        (r"没有红绿灯|车开得飞快", 1.5), (r"楼道.{0,4}(?:堆|放).{0,6}(?:杂物|纸箱|家具)", 1), (r"烧纸", 1.5),
    ],
    "illegal_building": [
        (r"违建|违章(?:搭建|建筑)|私搭乱建|乱搭乱建", 3), (r"搭(?:了个|个|建)?(?:棚|铁皮房|彩钢房|板房|阳光房)", 3),
        (r"加盖|加建|扩建|往外扩|外扩|加了一截|墙(?:往|朝)[^，。\s]{0,4}(?:外|里|路上|过道)?(?:推|挪|扩|移)了", 3), (r"砸承重墙|拆承重墙|承重墙", 3), (r"拆墙|改结构", 2),
        (r"(?:占|圈).{0,3}(?:绿地|公共绿地|耕地|土地)|私占土地|圈起来", 2.5), (r"盖房子|建厂房|盖了几间", 2.5),
        (r"砌了?围墙", 2), (r"封起来", 1), (r"车库改", 2),
    ],
    "dispute": [
        (r"吵起来|吵架|吵翻|争吵|吵了好几回|吵", 1.5), (r"打架|动手|打起来", 2), (r"纠纷|调解|矛盾", 2.5),
        (r"楼上.{0,6}漏水|漏水到我家|漏到我家|漏水的事", 2.5), (r"不认账|不还|欠了?.{0,4}钱|欠.{0,3}房租|打官司", 2),
        (r"赡养", 2), (r"占了?.{0,3}车位|车位被.{0,3}占", 2), (r"他不管|也不改|沟通不了|不开门", 1),
        (r"邻居|邻里|隔壁|对门", 0.5), (r"骂人", 1.5), (r"咬了|咬伤", 1.5),
    ],
    "unrest": [
        (r"上访|信访|越级", 3), (r"拉横幅|横幅", 3), (r"讨薪|讨要工资|拖欠.{0,6}工资|工资.{0,4}(?:没发|拖欠)", 2.5),
        (r"聚集|围堵|堵在|围着|围了|堵路|集体去|串联", 2.5), (r"维权|讨说法|闹事|扬言|要闹", 2.5),
        (r"投诉无门|联名", 2), (r"情绪.{0,2}激动|憋着火", 2), (r"拆迁补偿|回迁", 1.5), (r"对抗|停交物业费", 1.5),
    ],
    "life_event": [
        (r"去世|过世|走了|病逝|离世|不在了", 3), (r"丧事|白事|灵棚|追悼", 3), (r"婚礼|结婚|喜事|喜宴|酒席|摆.{0,2}桌", 2.5),
        (r"住院|重病|车祸|手术|ICU|icu", 2), (r"变故|无处住|垮了|乱成一团", 2), (r"鞭炮", 1),
    ],
    "care_request": [
        (r"独居|空巢|孤寡|留守", 2.5), (r"残疾|轮椅|瘫痪|行动不便", 2.5), (r"低保|救助|补助|困难家庭|家里困难|特困", 2.5),
        (r"(?:两|几|好几|三)天没(?:开门|见|出门|下楼)|没开门|没见.{0,3}下楼|敲门没人|电话也不接|没开灯", 2),
        (r"没人管|没人照顾|没人陪|陪着去医院|上门照护|照护", 1), (r"精神病", 2), (r"一个人在外面|游荡", 1),
        # a child left alone for days, an elder who does not answer the phone
        (r"(?:孩子|小孩|娃|闺女|儿子).{0,6}(?:一个人|自己)在家", 3), (r"电话.{0,4}(?:没人接|不接|打不通)", 1.5),
        # an old person's ailment with the community doctor asked to come: care at home
        (r"(?:社区|家庭|签约)医生.{0,8}(?:上门|来看|看看|过来)|上门(?:看病|诊疗|巡诊|体检)", 2),
    ],
    "sanitation": [
        (r"垃圾", 2), (r"清运|没人清|清理", 1.5), (r"杂物|堆满", 1.5), (r"小广告|牛皮癣|贴满", 2.5),
        (r"狗屎|粪便|小便|大便|拉屎|随地便溺", 2.5), (r"臭|异味|味道大|难闻", 1.5), (r"脏|灰", 1), (r"化粪池|泔水|污水", 2),
        (r"死鱼|烂菜|老鼠|蚊子|苍蝇|蟑螂", 1.5), (r"外卖盒|塑料袋", 1.5), (r"打扫|保洁", 1.5), (r"焚烧|乱倒|乱扔", 1.5),
    ],
    "public_facility": [
        (r"电梯.{0,6}(?:坏|停|故障|卡住|不动|失灵|异响|关不上)|电梯按钮", 3), (r"路灯|楼道灯|灯.{0,2}(?:不亮|坏)", 3),
        (r"井盖|盖板|(?:化粪池|窨井|污水井|检查井|阴井|沙井)的?盖子?", 3), (r"健身器材|滑梯|秋千|长椅|座椅", 2.5), (r"(?:门禁|单元门|道闸|闸杆|大门|卷帘门|车库门|伸缩门|电动门).{0,6}(?:坏|刷不开|打不开|关不上|失灵|不灵|卡住|卡死|升不上去|不动)", 2.5),
        (r"护栏|栏杆|站牌|红绿灯|信号灯|斑马线", 2), (r"下水道|雨水井|排水", 2), (r"监控|摄像头", 2),
        (r"充电桩", 2), (r"(?:车棚|自行车棚|雨棚|连廊|围墙).{0,6}(?:塌|垮|倒)", 2), (r"地砖|路面|坑坑洼洼|路.{0,2}坏", 2), (r"坏了|坏掉|失灵|断了|烂了|不亮|不好用|关不上", 1.5),
        (r"报修|维修|修一下|修修", 1.5),
    ],
    "utilities": [
        (r"停水|没水|水压|自来水|水质|水是黄", 3), (r"停电|楼.{0,4}没电|家里没电|整栋.{0,3}没电|跳闸|来电|电表", 3), (r"暖气|供暖|供热|暖气片", 3),
        (r"燃气|天然气|煤气|没气了|漏气|停气", 2.5), (r"水管|水龙头|漏水|爆管", 1.5), (r"网络|光纤|宽带|没信号", 2),
        (r"热水器", 1.5), (r"气压(?:太|很|特别)?(?:低|小|不够)|火(?:苗)?(?:太|很|特别)?小得?", 3),
        # a supply never switched on after moving in ("水一直没开通")
        (r"(?:水|电|燃气|天然气|煤气|暖气|气)(?:一直|到现在|还|都)*(?:没|没有|未)(?:开通|通|接通|接上)", 3),
    ],
    "nuisance_order": [
        (r"噪音|太吵|吵得|吵死|扰民|声音.{0,4}大|打鸣", 3), (r"装修|电钻|施工|砸", 1.5), (r"广场舞|音响|ktv|唱到", 2.5),
        (r"油烟|排风扇|烧烤", 2.5), (r"占道|摆摊|摊子|水果摊|夜市|把(?:路|马路|人行道|过道)(?:都|给|全)*占|占(?:着|了)(?:路|马路|人行道)", 2.5), (r"乱停|停满|堵门|乱停车|停车.{0,4}堵|(?:车|车子)[^，。]{0,8}(?:停|堵|挡)在[^，。]{0,6}(?:出口|门口|通道|路口)", 2.5), (r"(?:车|车子)(?:都)?(?:出不去|开不出去|进不来)", 1.5),
        (r"遛狗|不牵绳|(?:不|没)(?:拴|栓)绳|狗.{0,6}叫", 2.5), (r"大喇叭|喇叭.{0,4}(?:喊|吵|响|叫)", 2.5), (r"横冲直撞|大货车|飙车", 2),
        (r"凌晨|半夜|日夜不停|晚上(?:十|十一|十二|1[0-2])点|六点就", 1), (r"睡不着|让不让人睡|没法睡", 2.5),
        (r"剁|养鸡", 1.5),
    ],
    "property_mgmt": [
        (r"物业费|物业公司|物业经理|换物业|物业合同", 3), (r"物业", 1.5), (r"业委会|业主大会|业主委员会", 3),
        (r"维修基金|专项维修资金", 3), (r"车位|停车费", 1.5), (r"公共收益|公共区域|收支", 2), (r"电梯维保|维保", 2.5),
        (r"开发商|交房|交付|房产证|会所", 2), (r"押金|保安", 1.5),
    ],
    "service_consult": [
        (r"怎么(?:领|办理|申请|补|交|弄|报名|开)|如何(?:办理|申请|领取)|去哪(?:里)?(?:办|补|领|打|报名|弄|认证)|在哪(?:里)?(?:办|补|领|打|报名|弄|认证)", 2.5),
        (r"要带什么|需要什么(?:材料|手续)|哪些材料|什么手续|什么时候开始", 2.5),
        (r"证明|社保|医保|养老(?:保险|金)|退休|户口|落户|入学|准生证|疫苗|补贴|失业金|公租房|廉租房|居住证", 2),
        (r"报名|办理|盖章|上班吗|几点上班|对口|家庭医生|乘车卡", 1.5), (r"请问|咨询", 1),
    ],
    "opinion": [
        (r"建议|提议|有个想法", 3), (r"希望", 2), (r"表扬|点赞|点个赞|感谢.{0,6}(?:书记|网格员|社区)", 2),
        (r"不作为|推来推去|没人负责|态度.{0,2}(?:很差|差|恶劣)|没人回复|说来没来|(?:网格员|书记|干部|社区).{0,8}没来", 2.5),
        (r"能不能(?:在|多|加|装|设|开|改)|多组织|多种|多装", 1.5),
        # a case closed on paper and not in fact: a complaint about how it was handled
        (r"(?:显示|说|写着?|系统里)(?:已经?)?办结|接诉即办|(?:12345|热线).{0,10}(?:办结|没解决|没人来)", 3),
    ],
}
# each rule with the one set of characters it cannot match without (None: always run; gate.py)


def _gated(pattern: str, weight: float) -> tuple[re.Pattern[str], float, frozenset[str] | None]:
    compiled = re.compile(pattern)
    gate = gate_of(compiled, keep=1)
    return compiled, weight, gate[0] if gate else None


_COMPILED = {cat: [_gated(p, w) for p, w in rules] for cat, rules in CATEGORY_RULES.items()}

_RESOLVED = re.compile(r"还好(?:又)?来了|搞掂|搞定了|调解好了|(?:水管|管子|线|电|网)[^，。\s]{0,2}(?:接|通|装)好了|(?:这会儿?|现在)(?:已经)?(?:消停|安静|不吵)了|(?:已经|已)(?:全部|都)?(?:修好|换好|处理|解决|灭了|扑灭|恢复|赔了|和解)|修好了|解决了|处理好了|恢复了|来电了|来水了"
                       r"|和解了|搞定了|总算(?:好了|修好|来了|搞定|通了|热了)|不怪(?:物业|社区|他|她)"
                       r"|(?:已经?|已督促)整改(?:完毕|到位)?|已督促|已(?:报|上报|转)(?:物业|社区)")
URL = re.compile(r"https?://\S+|www\.\S+")

# whole-message chatter: acknowledgements, thanks, greetings, emoji, stickers
_STICKER = re.compile(r"\[[^\]]{1,6}\]|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]")
_ACK_WORD = (r"收到|好的|好嘞|好滴|好吧|好|嗯+|哦+|噢|ok|okay|明白|了解|知道了|懂了|行|可以|没问题|中|对+|是的|同意|支持|赞|"
             r"谢谢[\u4e00-\u9fff]{0,4}|感谢[\u4e00-\u9fff]{0,8}|多谢|辛苦[\u4e00-\u9fff]{0,4}|不客气|客气了|应该的|"
             r"哈+|呵+|嘿+|666|\+1|1|2|早上好|早安|晚安|午安|中午好|晚上好|大家好|你好|您好|在吗|在的|拜拜|88|再见|"
             r"恭喜|加油|点赞|厉害|威武|已读|打卡|已报名|报名|参加|马上到|来了|稍等|刚看到|没事|没关系|不用了")
_ACK = re.compile(rf"^(?:(?:@\S+\s*)?(?:{_ACK_WORD})[\s,，。.!！~～、…]*)+$")
_NOTICE = re.compile(r"^(?:@所有人|@all|【[^】]{1,10}】|\[链接\]|转发|温馨提示|(?:物业|社区|居委会?|网格)?(?:通知|公告|提示)[:：]"
                     r"|各位(?:居民|业主|党员|邻居)[，,:：]|(?:出租|出售|转让|求购|求租)[:：\s])")
# group-buying lists and lost-and-found: neighbours' business, not the community's
_MARKET = re.compile(r"谁家(?:的)?(?:猫|狗)[^，。\s]{0,10}(?:跑(?:到|我家|丢|出来)|走丢|丢了|跟了我)|(?:猫|狗)[^，。\s]{0,8}(?:快来领|来领|认领)|接龙|团购|拼单|拼车|快递(?:到了|放在)|(?:^|\n)\s*\d+[.、].{0,12}\d+份|捡到|招领|谁(?:家)?的.{0,8}(?:钥匙|卡|手机|包|快递).{0,6}(?:落|丢|掉|放)"
                     # giving away, selling, renting out, hiring, adopting: a neighbour's offer
                     r"|^收(?:个|一个|台|辆|套)?(?:车位|二手|旧)|代收(?:个|一下)?(?:快递|外卖)|帮(?:我|忙)?(?:拿|收)(?:个|一下)?快递"
                     r"|车位(?:还)?(?:租不租|卖不卖|转不转|出不出)|我出[\d一二三四五六七八九十百两]+(?:块|元)?一个?月|(?:有的|有意的?|感兴趣的?|要的)私(?:我|聊|信)|免费(?:送|领|给)|不要钱|自提|(?:猫|狗|小狗|小猫|狗狗|猫咪).{0,10}领养|有人想领养|有意向|私聊(?:我)?$"
                     r"|出租(?:车位|房间|单间)|车位(?:出租|出售|转让)|每(?:小时|天|月)\d+"
                     r"|有(?:人|谁|没有人)(?:要|想要).{0,12}(?:吗|不)")
_FESTIVE = re.compile(r"快乐|安康|吉祥|如意|幸福|节日|生日|早上好|晚安|新年|春节好")

# request cues (added to the request model's score)
_CUES = [
    (re.compile(r"坏了|坏掉|又坏|故障|失灵|漏水|堵了|堵死|没人(?:来)?(?:管|清|修|处理)|不亮|不热|停水|停电|没水"
                r"|(?:井盖|盖板|护栏|栏杆|路灯|灭火器).{0,4}(?:丢|没了|不见|被偷|碎|翻|断)"), 1.5),
    (re.compile(r"能不能|可不可以|能否|请问|怎么办|怎么申请|怎么领|麻烦.{0,6}(?:看看|处理|解决|管管|调解|来)|谁(?:来)?管管|管一管|管管"), 1.5),
    (re.compile(r"投诉|举报|求助|反映|报修|帮忙|帮帮|救命|快来"), 1.5),
    (re.compile(r"太吵|扰民|臭死|熏死|太危险|很危险|吓到|差点|让不让人睡|没法睡|睡不着"
                r"|随时(?:可能|会|都)|眼看(?:就)?要(?:掉|塌|倒|断|砸)|(?:快|要)(?:掉|塌|倒|断|砸)下来"), 1.0),
]
_COMMUNITY_WORD = re.compile(r"社区|物业|小区|网格|书记|楼|单元|居委会|业主|邻居|门口|电梯|车位|停车")
# someone on the other side of a dispute: a neighbour, a household, a landlord, a shop, "he/she/they"
TWO_PARTIES = re.compile(r"楼上|楼下|邻居|隔壁|对门|对面|他|她|人家|房东|租客|租户|业主|老板|店|商户|家(?!里|中)|户|司机|物业|开发商"
                         r"|老人|大爷|大妈|阿姨|师傅|谁|吵|骂|打|争|纠纷|矛盾|赔|调解|不让|占|欠|隔篱|认账|扯皮|闹")
# what ties a cue word to the neighbourhood; without one, cue words count little ("网恋了怎么办")
ANCHOR = re.compile(r"社区|物业|小区|网格|书记|居委|业主|邻居|隔壁|对门|楼|单元|栋|院子|门口|电梯|车位|停车|垃圾|路灯|井盖"
                    r"|家里|我家|老人|孩子|低保|医保|社保|户口|证明|补贴|工地|工资|装修|噪音|广场|路口|马路|下水|水管|暖气|燃气"
                    r"|停水|停电|门禁|监控|保安|商铺|店|摊|学校|幼儿园|医院|公交|红绿灯|街道|村|充电桩|车棚|楼顶|天台")
_QUESTION = re.compile(r"[?？]|吗$|吗[，,。]|呢$|什么时候|怎么|哪里|在哪|多少|是否|有没有")


def category_hits(s: str) -> dict[str, tuple[float, list[str]]]:
    hits: dict[str, tuple[float, list[str]]] = {}
    chars = set(s)
    for cat, rules in _COMPILED.items():
        score, words = 0.0, []
        for pattern, weight, needed in rules:
            if needed is not None and needed.isdisjoint(chars):
                continue
            match = pattern.search(s)
            if match:
                score += weight
                words.append(match[0])
        if score >= 1.5:
            hits[cat] = (score, words)
    return hits


def instead_of_alarm(alarm) -> str | None:
    """The category of a line the safety layer kept from P0 when the danger decides it: only
    imagined (万一着火 → a hazard), a crowd threatened or planned for later (unrest), a sign sagged a
    little with nobody near (a hazard). None: the model decides (a leak fixed last week leaves the
    family's need: life_event, care …)."""
    if not alarm.danger or alarm.p0:
        return None
    if alarm.against == "hypothetical" and alarm.category == "emergency":
        return "safety_hazard"
    if alarm.against == "planned" and (alarm.kind == "crowd" or alarm.category == "unrest"):
        return "unrest"
    if alarm.kind in ("collapse", "height") and alarm.against == "minor":
        return "safety_hazard"
    return None


# what stands in the way today when a fire is only imagined ("万一着火了 楼道里这些杂物…"): a hazard to
# file (safety_hazard, P1), not a musing
STANDING_HAZARD = re.compile(r"杂物|堆(?:满|着|了|的)|纸箱|电瓶车|电动车|电瓶|飞线|拉线充电|消防通道|安全通道|逃生通道|楼梯口"
                             r"|煤气罐|液化气罐|气罐|堵(?:死|住|着)|锁(?:死|住|着)|占(?:了|着|满)")


def hazard_left_standing(alarm, s: str, chatter: bool) -> bool:
    """Whether a danger the safety layer kept from P0 still leaves a hazard to file: a fire only
    imagined beside a real blocked way (STANDING_HAZARD; not in chit-chat: "真着火了我也不会用灭火器
    哈哈"), or something that fell or hangs over an edge with nobody hurt ("车棚让雪压塌了 还好没人":
    the wreck is still there, and 还好 is relief, not chit-chat)."""
    if alarm.p0 or not alarm.danger:
        return False
    if alarm.against == "hypothetical":
        return not chatter and bool(STANDING_HAZARD.search(s))
    return alarm.against == "minor" and alarm.kind in ("collapse", "height")


# look-alikes of a request: a worker's progress on a job, a joke or a self-correction, praise, a
# question about how to report, a problem told as over; each unless the line still asks for something
_STILL = re.compile(r"又|还是|还没|怎么还|到现在|一直没|仍然|依然|说好的|不是说|没有?(?:修好|解决|来人|人来)|再不|根本"
                    r"|都说了|说了.{0,3}(?:次|遍|回)|光说|只说|(?:早|昨天|前天|上次|上回)就?(?:说|讲|反映)过了")
_ASK = re.compile(r"帮|请(?!问)|能不能|可不可以|能否|麻烦|需要|申请|怎么办|谁来管|找谁|求助|管管|赶紧|尽快|快来|救")
_PROGRESS = re.compile(
    r"已经?(?:派|联系|上门|叫停|交到|收齐|跟.{0,8}说了|放了|安排|通知|报(?:给|到)|确认|在路上|进小区|到了|围起来)"
    r"|在(?:抢修|查|换|修|协调|路上|处理|跟进|审批)|预计|(?:明天|下午|上午|今晚|晚上|马上|一会儿?|待会)(?:上午|下午|早上)?"
    r".{0,8}(?:上门|来换|来修|换|清|修|到|恢复|处理|统一|劝离)|等审批|别着急|(?:大家|您)(?:再)?(?:等(?:等|一下)|耐心|稍等)"
    r"|师傅.{0,6}(?:到|来|上门|在路上)|(?:跟|和).{0,8}(?:商量好|说好|联系|沟通)了|(?:约了|约好).{0,8}(?:来|看|鉴定|上门)"
    r"|回复了|这周(?:修|来|换|处理)|下个月(?:发|修|到|办)|(?:明天|后天|周.).{0,8}(?:带过来|一起看|来看|来鉴定)"
    r"|排班表|发群里了|沟通了"
    r"|已经?(?:报|提交|报给)|打过电话|工作日内|周末统一|下周再|调解了|(?:我|我们)(?:明天|下午|待会)去"
    # a worker telling how the job stands: under way, sent for, settled with someone, said to come
    r"|已经?(?:在|去|下了|做了|发了|拆|解救|救出|排查|放气|协调|转交|转给|对接|登记)|在路上了?|到现场了|正在.{0,10}(?:排查|抢修|处理|协调|清理|疏通|检修|维修)"
    r"|(?:确认|核实|沟通|协调|问)过了|跟(?:他|她)们?说了|(?:城管|物业|师傅|供电所|自来水公司|燃气公司|热力公司|街道|派出所)说.{0,8}(?:来拆|来修|来换|来电|来水|恢复|处理|上门)"
    r"|统一(?:清理|处理|安排|更换|清运)|(?:稍等|再忍|再等)|帮(?:你|您|他|她)?问(?:问|一下|了)?"
    r"|跟进一下|(?:明天|后天|回头|过两天)再去(?:一趟|看看|谈谈|说说|做做)|(?:回复|答复)(?:说)?(?:下周[一二三四五六日天]?|明天|后天|周[一二三四五六日]|这周).{0,4}(?:来|拆|修|处理)|(?:两家|双方)(?:都)?(?:同意|答应)(?![^，。]{0,12}(?:就是|但是|可是|不给|还没|一直不))"
    r"|已解救|均无恙|停运检修|已断电|已更换|(?:家属|大家)放心|在灭了|拿灭火器|(?:119|120|110)打了|(?:已经)?打了1[12][09]"
    r"|送(?:他|她|人)?(?:去)?医院了|已经停工|限期.{0,4}拆|调解好了|同意重做|医院说没大事|(?:明天|明早)一早.{0,6}收")
_SELF_CORRECT = re.compile(r"(?:搞|闹|弄)了半天[^，。]{0,10}是因为|尴尬(?:死|了)|以为.{0,16}(?:原来|结果|其实|是我|合着|敢情|闹半天)|原来(?:不是|是我|是自家|是我家)|是我(?:家|自己|没)"
                           r"|说错了|搞错了|看错了|虚惊|丢人|乌龙|不好意思.{0,6}(?:错|误)|原来.{0,10}(?:没钱|没交|没开|关了|忘了)"
                           r"|走近一看|仔细一看|一看是|别管我|闹笑话|还以为是(?:谁|哪个|哪家|别人|外人)"
                           r"|结果发现|其实是|是因为我|拿错|勿好意思|(?:好像|原来)?不是(?:坏了|停电|停水|没水|没电|漏水)"
                           r"|刚(?:才)?说(?:的)?.{0,8}(?:是我|的是我)")
# good news and neighbourly asks that name the neighbourhood but want nothing of the community
_GOOD_NEWS = re.compile(r"终于(?:亮|修好|通|来|好|热|能)|看着舒服|方便了|贴心|人真好|效率可以|拉走了|干净多了|开心|舒服多了|不用摸黑|知足")
_SOCIAL = re.compile(r"推荐|比较好[?？吗]?$|几点(?:开门|关门)|多少钱|一平米多少|私聊|蹭个?车|出租吗|租一个|有多余|群(?:在哪|有人建|是哪个)"
                     r"|拉我(?:进|一下)|这个群可以|有人知道.{0,16}吗|谁知道.{0,12}(?:几点|在哪|多少)")
_PRAISE = re.compile(r"点赞|点个赞|表扬|感谢|谢谢|好多了|挺好|效率(?:还行|挺高|很高)|方便多了|服务好|真给力|辛苦了")
_PROBLEM = re.compile(r"坏|不亮|不热|漏|堵|吵|臭|没人管|投诉|举报|太差|不行|危险|乱|没水|没电|停水|停电|着火|冒烟|摔")
_HOW_TO_REPORT = re.compile(
    r"怎么(?:报修|报事|反映|上报|投诉|用这个|联系网格员|找网格员)|(?:报修|反映问题|投诉)(?:是)?找(?:谁|物业还是|社区还是)"
    r"|找物业还是找社区|(?:发消息|发这|在这发|在这里发).{0,8}(?:能看见|看得见|能看到|看得到)|找谁(?:报|修|反映)|(?:报修|报事)(?:的|那个)?(?:小程序|二维码|电话|链接)(?:在哪|是多少|发一个|发一下|怎么)|网格员的?(?:电话|手机|微信)(?:是)?多少|(?:居委会?|社区|物业)(?:几点|什么时候)上班"
    r"|找(?:物业|社区|网格员?)还是(?:找)?(?:物业|社区|网格)|(?:报修|反映)是.{0,6}还是|值班电话|报修进度|直接找网格员"
    r"|(?:能不能|怎么|咋|在哪(?:里|儿)?)查.{0,12}(?:报的|工单|进度|到哪一步)|(?:报的|工单).{0,10}到哪一步了?.{0,4}(?:在哪|怎么)(?:里|儿)?(?:看|查)"
    r"|群里.{0,10}(?:能看到|看得到)|在哪(?:里)?(?:报修|反映|提交)|怎么(?:跟|和)(?:你|网格通)说|这个(?:机器人|网格通)怎么用|报修流程|这个群可以反映"
    r"|是(?:不是)?机器人|(?:反映|报修|报事|投诉)(?:问题)?(?:该|要|应该)?怎么(?:写|说|发|弄|填)|(?:该|要)怎么(?:写|说|发)(?:才|呢|啊)?")
_OVER = re.compile(r"(?:我|老公|老婆|自己)(?:已经)?(?:换了|弄好了|修好了)|已经?拆了|补上了|后来.{0,10}(?:修|刷|补|换|好|赔|拆|贴)|现在.{0,6}(?:好了|改好|不怕|没事|正常)|已经没事"
                   r"|还好(?:我们|没)|最后.{0,12}(?:修的|判|赔|解决)")


# a letter to the authorities (a thank-you letter, 感谢相关部门…): a message to them, never a neighbour's look-alike
_LETTER = re.compile(r"感谢(?:信|状)|表扬信|^致[\u4e00-\u9fff]|(?:相关|有关|职能)部门|政府")
# official matters (money back, insurance, allowances): a question about them is a consultation, not neighbours' talk
_OFFICIAL = re.compile(r"报销|社保|医保|公积金|补贴|低保|养老金|政策|疾控|卫生院|收费标准|办理|证明")
_THANKED_HELP = re.compile(r"(?:谢谢|感谢|多谢)[^，。!！]{0,8}帮(?:忙|我)?")
_GENERIC_TROUBLE = re.compile(r"东西坏了?|出了?问题|有问题|有事|一般.{0,8}(?:坏|漏|堵|停电|停水|没水|不亮)了?"
                              r"|(?:要是|如果|万一)?[^，。,\s]{0,6}(?:坏|漏|堵|不热|不亮|停电|停水|没水)了?的话")  # no concrete problem named


# how group talk that asks nothing is told: memories, advice to everyone, guesses, answers to a
# neighbour, other places compared, a job one will do oneself (signals the weighing weighs)
_REMINISCE = re.compile(r"以前|早些年|早年|那时候|那会儿|当年|小时候|记得.{0,4}(?:以前|那年|当年|小时候)|想起(?:以前|来)")
_ADVICE = re.compile(r"^(?:记得|别|千万|一定(?:要|得)|建议大家|提醒大家|大家(?:记得|注意|别|千万))|(?:记得|千万别|别忘了|一定得)"
                     r"|有.{1,6}的(?:[\s,，]|$)")
_GUESS = re.compile(r"估计|八成|大概|应该是|可能是|好像是|是不是(?:你们|你家|您家)|我猜|估摸|没准")
_AGREE = r"^(?:楼上|上面|前面)(?:的)?(?:说|讲)得?(?:对|在理|有道理|没错)|^同意楼上"  # "楼上说得在理 …"
_REPLY = re.compile(rf"^(?:回楼上|楼上说的|回复|答)|^@\S+\s|{_AGREE}|往上翻(?:翻|一下)?|翻(?:翻)?(?:群|聊天)?记录")
_COMPARED = re.compile(r"老家|住的时候|我同学|我朋友|别人家|人家(?:小区|那边)|国外|日本|外地")
_SELF_HANDLE = re.compile(r"我自己(?:找|弄|修|去|来|买)|我.{0,6}帮(?:他|她|您|你)(?:看看|弄|修)")
MARKS = ("question", "ask", "still", "progress", "reminisce", "advice", "guess", "reply", "compared", "self_handle",
         "resolved", "self_correct", "praise", "problem")


# the time asked for in an ask ("请社区医生明天上门看看") is not a worker telling when they come
_ASKED_FOR = re.compile(r"(?:请|麻烦|希望|能不能|能否|可不可以)[^，。,;；!！?？\s]{0,16}")


def request_marks(s: str) -> tuple[bool, ...]:
    """The marks of MARKS found in a line (folded, lower-cased): a question to the community, an ask,
    a "still not fixed", a worker's progress, a memory, advice to everyone, a guess, an answer to a
    neighbour, another place compared, a job one does oneself, a matter resolved, a self-correction,
    praise, a problem word — what the request decision weighs (bot/nlp/weighing.py)."""
    patterns = (_QUESTION, _ASK, _STILL, _PROGRESS, _REMINISCE, _ADVICE, _GUESS, _REPLY, _COMPARED, _SELF_HANDLE)
    found = [bool(p.search(_ASKED_FOR.sub(" ", s) if p is _PROGRESS else s)) for p in patterns]
    found.append(bool(_RESOLVED.search(s) or _OVER.search(s)))
    found.append(bool(_SELF_CORRECT.search(s)))
    found.append(bool(_PRAISE.search(s)))
    found.append(bool(_PROBLEM.search(s)))
    return tuple(found)


def asks_how_to_report(s: str) -> bool:
    """A question about how to report or reach the grid worker (a help question, not a report)."""
    return bool(_HOW_TO_REPORT.search(s)) and not _PROBLEM.search(_GENERIC_TROUBLE.sub("", s))


# a worry about what is coming, told with a doubt and asking nothing ("眼看要供暖了 … 今年还不知道咋样呢")
_LATER = re.compile(r"眼看(?:就)?要|(?:下|这)(?:礼拜|周|个月)[一二三四五六日天]?(?:又)?要|到时候|怕是(?:又)?要|今年还|明年")
# a sigh ("想想就头大", "想起来就窝火", "愁死了"): ends a worry about later, and an old grievance told
_SIGH_WORDS = (r"想(?:想|起来|到)(?:就|都)?(?:窝火|来气|生气|头大|头疼|发愁|愁|烦|心烦|心疼|难受|后怕|怕)|愁(?:死|人)了?"
               r"|心有余悸|说起来都是泪")
_DOUBT_END = re.compile(rf"(?:还)?不(?:知道|晓得)[^，。!?！？]{{0,8}}(?:呢|哦|啊|吧)?$|(?:扛|撑|顶)(?:得|不)?住(?:么|吗|不)|唉$"
                        rf"|(?:{_SIGH_WORDS})$")
# agreeing with a neighbour ("楼上说得在理 …") or a rumour doubted ("…也不晓得谁传的"): talk, asking nothing
_AGREED_OR_RUMOUR = re.compile(rf"{_AGREE}|不(?:晓得|知道)(?:是)?谁传的|(?:不|没)(?:晓得|知道|知)(?:是)?真(?:的)?假|是真是假")
# getting ready for a stoppage announced ("下周要停水两天是吧 那我得提前拿桶接点水"): one's own plan, asking nothing
_PREPARE = re.compile(r"(?:我|我们|那我|那我们|大家)(?:得|就|先|要|也)?(?:提前|先)(?:拿|用)?[^，。!?！？\s]{0,4}(?:接|存|囤|备|准备|充)")
# a favour asked of the neighbours, not of anyone whose job it is ("哪个邻居方便帮我看一眼 快递还在不在")
_NEIGHBOUR_FAVOUR = re.compile(r"(?:哪个|哪位|有没有|谁|哪家|有)(?:邻居|街坊|宝妈|姐妹|楼上楼下|住[^，。\s]{1,6}的)[^，。\s]{0,4}(?:方便|有空|在家|顺路|能|可以)")
_WHOSE_JOB = re.compile(r"社区|物业|网格|居委|街道|书记|保安|管理处|派出所|政府")
# a stoppage announced (停水/停电) and what leaks (not a stoppage); a neighbour out of reach is no favour
_STOPPAGE = re.compile(r"停(?:水|电|气|暖)(?:检修)?|通知")
_LEAKING = re.compile(r"漏|泡|滴|渗")
_UNREACHED = re.compile(r"没接电话|不接电话|电话不接|打不通|联系不上|老人|一个人在家")
# a shop's prices griped about ("门口修车那老板 补个胎要20-30块 是不是有点黑"), not those whose job it is
_PRICE_GRIPE = re.compile(r"(?:老板|店|摊|超市|菜场|菜市场)[^，。]{0,16}\d+(?:[-~到]\d+)?(?:块|元)[^，。]{0,10}(?:黑|贵|坑|宰)")
# gossip about neighbours ("…跟他儿媳妇吵 嗓门老大了 啧啧"), a grievance of long ago sighed over ("去年那场水… 想起来就窝火")
_GOSSIP = re.compile(r"啧啧|八卦一下|吃瓜|瓜保熟|听说[^。!?！？]{0,30}(?:怪不得|难怪)")
_SIGH = re.compile(_SIGH_WORDS)
_LONG_AGO = re.compile(r"去年|前年|那年|那场|那次|当年|以前|早些年")
# one's own family's habit griped about ("我家老头子…说了多少回都不听"): a sigh, not a report
_FAMILY_GRIPE = re.compile(r"(?:我家|我们家|俺家)(?:老头子?|老太婆|老伴|那口子|老公|男人|媳妇|老婆|孩子|娃|儿子|闺女|婆婆|公公)"
                           r"(?:(?!被|楼上|楼下|隔壁|邻居|对门|那家|他们)[^。!?！？]){0,24}(?:说了?(?:多少|好几|无数|八百)(?:回|次|遍)|就是不听|都不听|改不了|劝不动)")


def is_lookalike(s: str) -> bool:
    """Group talk that reads like a request and is not one (see the patterns above)."""
    if asks_how_to_report(s) or _SELF_CORRECT.search(s):
        return True
    later = _LATER.search(s) and _DOUBT_END.search(s) and not _PROBLEM.search(_STOPPAGE.sub(" ", s))
    prepared = _PREPARE.search(s) and _STOPPAGE.search(s) and not _LEAKING.search(s)
    if (_AGREED_OR_RUMOUR.search(s) or later or prepared or _FAMILY_GRIPE.search(s)) and not _ASK.search(s):
        return True
    if _NEIGHBOUR_FAVOUR.search(s) and not (_PROBLEM.search(s) or _WHOSE_JOB.search(s) or _UNREACHED.search(s)):
        return True
    if _PRICE_GRIPE.search(s) and not (_WHOSE_JOB.search(s) or _ASK.search(s)):
        return True
    if (_GOSSIP.search(s) or (_SIGH.search(s) and _LONG_AGO.search(s))) and not _ASK.search(s) and not _QUESTION.search(s):
        return True
    if _STILL.search(s) or _LETTER.search(s):
        return False
    asks = bool(_ASK.search(_THANKED_HELP.sub("", s)))  # "谢谢邻居帮忙找到…" thanks for help, asks none
    if _PROGRESS.search(s) and not asks and not _QUESTION.search(s):
        return True
    if _PRAISE.search(s) and not _PROBLEM.search(s) and not asks and not _QUESTION.search(s):
        return True
    if (_GOOD_NEWS.search(s) or (_SOCIAL.search(s) and not _OFFICIAL.search(s))) and not _PROBLEM.search(s) and not asks:
        return True
    return bool((_OVER.search(s) or _RESOLVED.search(s)) and not asks)


# a form's figures passed on ("办理事项：7件；协调解决问题：5个"): a report's lines, not a request
_FORM_FIGURES = re.compile(r"(?:[:：]\s?\d+\s?(?:件|个|次|人次|户|条)[^：:]{0,20}){2,}")


def is_group_business(s: str) -> bool:
    """Whole-message group business that is never a request, whatever else the line's words weigh:
    only stickers, an acknowledgement or greeting, a notice or an ad (出租：…), group buying and
    lost-and-found, festive wishes."""
    bare = _STICKER.sub("", s).strip()
    if not bare or _ACK.match(bare):
        return True
    if _NOTICE.match(bare) or (_MARKET.search(bare) and len(bare) <= 60) or _FORM_FIGURES.search(bare):
        return True
    return len(bare) <= 14 and bool(_FESTIVE.search(bare)) and not _QUESTION.search(bare)


def is_chatter(s: str) -> bool:
    """Group business, or a look-alike of a request (is_lookalike: weighed, not final, by the parser)."""
    return is_group_business(s) or is_lookalike(_STICKER.sub("", s).strip())


def request_cue(s: str) -> float:
    bonus = 0.0
    for pattern, weight in _CUES:
        if pattern.search(s):
            bonus += weight
    if _QUESTION.search(s) and _COMMUNITY_WORD.search(s):
        bonus += 0.75
    return min(bonus, 2.5)


def urgency(category: str, s: str) -> str:
    if category == "emergency":
        return "P0"
    if category == "unrest":
        return "P0" if re.search(r"聚集|围堵|围着|围了|堵在|拉横幅|横幅|堵路|闹事|情绪.{0,2}激动|跳楼", s) else "P1"
    if category in ("safety_hazard", "illegal_building", "dispute"):
        if category == "dispute" and re.search(r"打架|动手|打起来|拿刀|持刀", s):
            return "P0" if re.search(r"刀|流血|受伤", s) else "P1"
        return "P1"
    if category == "care_request":
        if re.search(r"(?:两|几|好几|三)天没|(?:这|好)?(?:两|几|三)天.{0,3}(?:门)?一直没(?:开|出来|出门|动静)|(?:喊|叫|敲).{0,3}(?:也)?没人应|没开门|(?:一个人|自己)在家.{0,4}(?:两|三|几|好几)天|(?:两|三|几|好几|这几)天.{0,4}(?:一个人|自己)在家|电话.{0,4}没人接|敲门.{0,4}(?:没人|不应)|电话也?不接|电话.{0,6}打不通|没见.{0,3}下楼|没开灯|没动静"
                     r"|(?:牛奶|报纸|外卖).{0,6}(?:放|堆|没拿)"
                     r"|(?:走丢|迷路|坐着|找不到家|说不清)[^。]{0,30}(?:找|联系|认识)(?:她|他|老人)?(?:的)?家(?:里)?人"
                     r"|(?:这|好)?(?:两|几|三)天[^，。]{0,6}(?:大门|门|窗帘)[^，。]{0,3}一直(?:关着|没开|没拉开?)|没人(?:给|帮)?(?:她|他)?送饭", s):  # someone lost found now: the family to reach today
            return "P1"
        return "P3" if re.search(r"怎么申请|怎么办理|去哪里办|在哪办|要去哪", s) else "P2"
    if category == "public_facility":
        return "P1" if re.search(r"井盖.{0,4}(?:丢|没了|没有了|不见|偷|坏|碎|翻|冲开|冲走|冲起|掀|移位)|井盖丢|盖板.{0,3}(?:松|翻)"
                                r"|井盖[^，。]{0,12}(?:莫得了|没得了|没了|没有了|不见了)|井[^，。]{0,6}(?:一个|个)?(?:黑)?洞"
                                r"|(?:井|池)的?盖子?.{0,6}(?:塌|陷)(?:下去|进去|了?半边|了?一半)|(?:井|池)的?盖子?.{0,4}(?:裂开|破了|碎了)", s) else "P2"
    if category in ("life_event", "sanitation", "utilities", "nuisance_order"):
        return "P2"
    return "P3"


_NATURE_EXPLICIT = [
    ("举报", re.compile(r"举报|偷偷|私自|违建|违章|传销|赌博|非法")),
    ("投诉", re.compile(r"投诉|不作为|态度.{0,2}(?:差|恶劣)|乱收费|没人管|扰民|太吵|熏死|臭死|推来推去")),
    ("建议", re.compile(r"建议|提议|希望|有个想法|表扬|点赞|点个赞")),
    ("求助", re.compile(r"求助|救命|帮帮|帮忙|快来|怎么办")),
    ("咨询", re.compile(r"请问|咨询|怎么(?:领|办|申请|补|交|弄|报名|操作)|如何|去哪|在哪|哪里|哪个|什么时候|多少|要带什么"
                      r"|需要什么|哪些|是否|能否|可以吗")),
]
_NATURE_DEFAULT = {
    "emergency": "求助", "safety_hazard": "举报", "illegal_building": "举报", "dispute": "求助", "unrest": "投诉",
    "life_event": "求助", "care_request": "求助", "sanitation": "投诉", "public_facility": "求助",
    "utilities": "投诉", "nuisance_order": "投诉", "property_mgmt": "投诉", "service_consult": "咨询",
    "opinion": "建议", "other": "咨询",
}


def nature(category: str, s: str) -> str:
    if category == "emergency":
        return "求助"
    for name, pattern in _NATURE_EXPLICIT:
        if pattern.search(s):
            return name
    if category in _ASKABLE and _BARE_QUESTION.search(s):
        return "咨询"
    return _NATURE_DEFAULT[category]


_ASKABLE = {"service_consult", "property_mgmt", "care_request", "life_event", "utilities", "opinion", "other"}
_BARE_QUESTION = re.compile(r"吗[?？]?$|吗[，,]|[?？]$|有没有")


# ---------------------------------------------------------------- cadre check-ins
# How a cadre tells the bot what was done, in the words of the labelling guide and the duty list
# (docs/domain.md §4.5): a day in the community (坐班, 在岗, 驻点, 下沉报到, 值了个班, 轮值…), household
# visits (走访, 入户, 看望, 慰问, 探望, 上门, 拜访, 串门, "去…家坐了坐", "转了一圈", "跑了几户"), the same
# in the evening, a Party lecture given (讲党课, 给党员上课), a meeting attended (full names and short
# forms) and leave (请假, 休假, 调休, 轮休…). Not a check-in: plans, questions, instructions to others,
# someone else's duty, duty that did not happen, progress on a case and problems seen (a request).

_EVENING = r"(?:吃(?:了|过)晚饭|天黑了|今晚|晚上|昨晚|夜里|夜间|深夜|傍晚|晚饭后|吃完(?:晚)?饭|晚间|下班后|天黑|晚[上间]?[七八九十\d]{1,2}点|(?<!\d)(?:1[89]|2[0-3])(?:[:：]\d{2}|点))"
_COUNT = r"(?:\d{1,3}|[一二两三四五六七八九十几]{1,3}|俩)"
_PERSON = (r"奶奶|爷爷|阿姨|大爷|婆婆|老人|老党员|房东|租客|长者|街坊|老人家|党员|家庭|孩子|住户|居民|困难户|低保户|五保户|空巢|独居|留守|残疾|高龄|老年人|群众"
           r"|对象|病人|患者|租户|新市民|退役军人|军属|老兵|儿童|学生|妇女|户主|老太太|老爷子|老大爷")
# a person visited by name ("张奶奶", "老冯", "刘老师")
_KIN = (r"[\u4e00-\u9fff](?:奶奶|爷爷|阿姨|大爷|大妈|大娘|姥姥|姥爷|叔叔?|婶婶?|伯伯?|老师|师傅)"
        r"|老(?![党人年旧小区师乡家])[\u4e00-\u9fff]")
# an elder helped by name ("帮陈伯量了血压", "给刘大爷送降压药", "陪王大爷唠了俩钟头"): a household visited
_ELDER = (r"[\u4e00-\u9fff](?:奶奶|爷爷|阿姨|大爷|大妈|大娘|婆婆|阿婆|阿伯|伯伯?|嗲嗲|爹爹|娭毑|阿公|阿嫲|姨|老师)|老人家|孤老"
          r"|独居[^，。,;；\s]{0,4}(?:老人|大爷|奶奶|阿婆|阿伯)")
_VISITED = (rf"(?:帮|给|陪|替|同|和)[^，。,;；\s]{{0,6}}?(?:{_ELDER})[^，。,;；\s]{{0,10}}?(?:量|填|换|送|打|充|办|搬|修|拿|撬|教|讲|聊|唠|倾|去|把)[^，。,;；\s]{{0,10}}"
            rf"|送[^，。,;；\s]{{0,3}}(?:药|米|油|饭|菜)(?:畀|给)[^，。,;；\s]{{0,4}}(?:{_ELDER})|(?:{_ELDER})[^，。,;；\s]{{0,6}}的?药我送到"
            r"|走访|入户|看望|慰问(?!物资|品|金)|探访|探望|探视|上门|家访|拜访|登门|串了?串?门|走家串户|挨家挨户"
            r"|敲了.{0,3}门|走了一(?:趟|圈|遍)|转了一圈|转了?转|摸排|摸底"
            rf"|(?:和|跟|同|与)[^，。,;；\s]{{0,10}}(?:户|家|居民|老人|住户|租户)[^，。,;；\s]{{0,6}}(?:聊|谈|拉家常|唠)"
            rf"|跑了[^，。,;；\s]{{0,4}}?好?{_COUNT}(?:户|家)|给[^，。,;；\s]{{1,6}}家送(?:了|去)|给[^，。,;；\s]{{1,5}}送(?:了|去)(?:米|油|药|菜|饭|面|被|衣|煤|慰问)|去敲门|走了[^，。,;；\s]{{1,6}}?{_COUNT}(?:户|家)|去了[^，。,;；]{{0,12}}?{_COUNT}户(?:人家)?|去了?一?趟|(?:去|到)了?(?:\d{{1,2}}(?:[栋幢]|号楼?)-?\d{{3,4}}(?!\d)|\d{{3,4}}室)|送(?:过去|到家|上门)|(?:看了|看望了?|探望了?)(?:一?下)?[^，。,;；\s]{{0,8}}?(?:{_KIN})|(?:去|走|进)了{_COUNT}(?:户|家)"
            r"|(?:去|到)了?(?:趟)?[^，。,;；\s]{1,10}?家(?!长|属|具|电|政|人(?!家)|乡|门口|里有)|(?:去|到)了?[^，。,;；\s]{1,6}?度(?=$|[\s，。])"
            rf"|看了?俩|给{_COUNT}(?:户|家|位).{{0,10}}(?:送|装|换|修)(?:了|去|好)"
            r"|行了[^，。,;；\s]{0,4}一(?:转|圈|轮)|入了[^，。,;；\s]{0,3}(?:间屋|户|家)|(?:拍|敲)了.{0,4}门|(?:走|跑|看)完了|(?:去|到)了?[^，。,;；\s]{0,10}?\d{3,4}(?:室)?(?=$|[\s，。])"
            r"|回访|必访|(?:户|家|楼|栋)[^，。,;；\s]{0,4}过了一遍|(?:跑|敲|走)了一遍|都敲了|敲了个遍|挨(?:个|家)(?:敲|问)|摸了个?底|坐了坐|查(?:了)?出租屋|跑了一?(?:上午|下午|天|整天)|都?跑到了"
            r"|(?:在|到)[^，。,;；\s]{1,10}?(?:\d{3,4}|家|屋里)(?:帮|给|陪|坐)|(?:去|到)了?[^，。,;；\s]{0,4}?\d{3,4}(?!\d)(?:室|家)?(?:问|看|聊|坐|帮)"
            r"|(?:去|到)了?(?:趟)?[^，。,;；\s]{1,10}?(?:屋里|屋头|家里)(?:坐|聊|看|转)"  # "去王娭毑屋里坐了会"
            r"|去看了?(?:看|下|一下|一眼)|去看了|都去(?:看)?过了|看了(?:看|几|[一二两三四五六七八九十\d]{1,3})(?:户|家|位)?")
_PLACE = r"(?:社区|网格|服务站|居委会?|村委|村里|村部|党群|服务中心|服务大厅|便民|工作站|值班室)"
_DUTY = (r"签到|签退|值班|值了.{0,3}班|值守|值日|轮值|顶班|替.{1,3}(?:值|坐)班|坐班|作班|(?<!主)做班(?!主任)|坐了.{0,4}班|在岗|到岗|驻点|蹲点"
         r"|驻社区|驻村|住点|(?<![面往地])下沉|下社区|下网格|进社区|坐镇|报到|报个到|(?<!网红)打个?卡(?!点|地)|上了?.{0,3}天?班"
         r"|^\s*(?:已经?到了|已到(?:岗|社区|位)?)|签(?:了)?个?到|(?<!的)人(?:已经?)?到了(?=$|[\s，。!！])|(?:在|喺)(?:网格|社区|小区)[^，。]{0,4}(?:行|走|转)(?:了|咗)?(?:几|一|两|\d)圈|接班了|(?:上|值)?(?:了)?(?:个)?白班"
         r"|坐(?:了)?(?:一|一整)天|巡(?:了)?一(?:轮|圈|遍)|收工|落(?:区|社区)|(?:返|回)到?(?:社区|居委)(?:了|喇|啦)?(?=$|\s)")
# a day told by where it was spent ("今天在社区", "在居委会待了一上午"): the duty only when nothing else
# done there is named in the same breath ("今天在社区走访了五户" is a visit, "今天到社区开会" a meeting)
_DUTY_PLACE = (rf"(?:今天|今日|今儿|今朝|今早|早上|一早|上午|下午|全天|一天|半天|整天|一整天|本周.|周.|\d{{1,2}}月\d{{1,2}}[号日]).{{0,8}}(?:在|到|去|来|搁).{{0,12}}{_PLACE}"
               rf"|人在{_PLACE}|(?:在|到|来|搁){_PLACE}(?:了|待|上班|工作|办公|这边|忙|呢|啦|坐镇)"
               rf"|在{_PLACE}[^，。,;；]{{0,12}}(?:待了|呆了|守了|忙了|一上午|一下午|一天|半天|全天|整天)")
_NAMED_MEETING = (r"meeting|碰了个?头|碰头会|支委会|季交会|季度会|会上发了?言|(?:固定|党员)活动日|开完(?:了)?会|支委扩大会|支部委员会|支部大会|两委联席|联席会|两委会|居民代表(?:大会|会议|会|议事会)|交流会"
                  r"|议事会|协商会|党员大会|党员会议|党小组会|主题党日|党日|三会一课|民主评议|述职|学习会|总结会|表彰会|启动会|培训会|组织生活会|民主生活会"
                  r"|座谈会|协调会|推进会|例会|视频会|电话会|线上会|参会|与会|列席|碰头会|调度会|部署会|动员会|分析会|研判会|恳谈会|听证会|评议会|现场会")
# the kinds a line names outright win; among the others the first one named does ("上午驻点 下午开会");
# standing in for a colleague on leave is the writer's duty day, not leave ("小王请假了 我替他值班")
CHECKIN_FIRST = [
    ("duty_day", re.compile(r"替.{1,3}(?:值|坐)班|顶(?:他|她|.{1,2}的)?班")),
    ("leave", re.compile(r"请.{0,5}假|请(?:半天|一天|两天|[一二三两\d]天)|(?:返乡|回老家)探亲|休(?:年)?假|病假|事假|年假|年休假|年休|早退|(?<!算)(?<!可以)调休|外出(?:学习|培训)"
                         r"|(?:[周星期礼拜][一二三四五六日天]|明天|后天)我?休(?:息)?(?=$|\s|一天|半天)|轮休|补休|倒休|婚假|产假|丧假|陪产假|育儿假"
                         r"|(?:明天|后天|明后天|明天后天|[周星期礼拜][一二三四五六日天]|这(?:礼拜|星期|周)[一二三四五六日天]|\d{1,2}[号日])(?:我|俺|本人)?(?:[一二两三半\d]天|两天|整天|全天)?(?:都|也)?(?:不在(?=$|[\s，。,])|不来(?:了|咧)?|不过来)"
                         r"|(?:我|俺)[^，。,;；]{0,10}歇(?:一|两|半|[一二两三\d])天|^歇(?:一|两|半)天"
                         r"|探亲假|护理假|病休|(?:今天|明天|后天|[周星期礼拜][一二三四五六日天]|\d[日号])休息(?:一天|半天|两天)?(?!好)")),
    ("party_lesson", re.compile(r"党课|(?:讲|上)完(?:了)?.{0,8}课|课(?:是)?我讲的|党校.{0,6}(?:上|讲)了?.{0,2}课|(?:讲|上)了.{0,6}课|党员.{0,8}(?:上|讲)(?:了|过)?.{0,3}课"
                                r"|给[^，。,;；\s]{0,8}党员[^，。,;；\s]{0,4}(?:讲|上|宣讲)(?!.{0,4}(?:通知|安排))")),
    ("meeting", re.compile(_NAMED_MEETING)),
    ("night_visit", re.compile(r"夜访|夜谈|night\s?visit")),
]
CHECKIN_KINDS = [
    ("night_visit", re.compile(rf"夜访|夜谈|{_EVENING}.{{0,14}}(?:{_VISITED})|(?:{_EVENING}|后半夜|半夜)[^，。,;；]{{0,14}}(?:巡(?:了|到|逻)|转(?:了|到)|在(?:网格|社区|小区)里?转)")),
    ("visit", re.compile(_VISITED + r"|(?<![a-z])visit(?:ed)?(?![a-z])")),
    ("duty_day", re.compile(_DUTY)),
    ("meeting", re.compile(r"开会|会议|开了.{0,4}会|散会|会开(?:完|好|结束|到)|参加(?:了)?[^，。,;；\s]{0,10}(?<![居村业协学商工社机晚聚宴庙])会(?![员长计费所场址])")),
]
DUTY_PLACE = re.compile(_DUTY_PLACE)
_CLAUSE_BREAK = re.compile(r"[\s，。,;；!！]")


def duty_by_place(s: str, named: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """Where a day told by its place starts and ends, unless another kind (`named`: start, end, kind)
    is named in the same clause after it ("今天在社区走访了五户")."""
    m = DUTY_PLACE.search(s)
    if m is None:
        return None
    for start, _end, _kind in named:
        if start >= m.start() and not _CLAUSE_BREAK.search(s, m.start(), start):
            return None
    return m.start(), m.end()
# questions, asks, plans, announcements, instructions, progress on a job and problem reports: not an
# account of duty done (leave is announced ahead: future words do not rule it out)
CHECKIN_NOT = re.compile(
    r"[?？]|吗|(?<!没)(?<!没有)(?<!发现)(?:什么|啥)(?!都|也)|(?<!我是)谁|(?<!没有)(?<!嗯)哪(?!怕)|请问|算不算|咋|如何|是否|几次|几点|多少|统计|查一下|要不要|(?<!户)通知|@所有人|@all|各位"
    r"|辛苦(?:大家|各位|了|啦)|(?:大家|各位)辛苦|感谢大家|大家[^，。,;；\s]{0,6}(?:落实|执行|传达|知悉|周知)|大家.{0,4}(?:准备|交|报|注意|记得|看下|看一下|配合|等等|再等|收到|把|抓紧|尽快)|请(?:各|全体|大家)"
    r"|(?<![特区分告级类性差辨识])别(?!人|的)|不要|务必|记得|准时|届时|地点[:：]?|报名"
    r"|没来|太吵|怎么"
    r"|的话|有空|适合|想去|应该|该去|得去|发我|(?<![定排好])(?<!定了)(?<!排了)(?<![了的]安置点)值班表|排班|表格|材料(?:发|交|报)(?!了)|发(?!言).{0,4}材料|名单(?:更新|发)|记录表|(?<!按)(?<!按照)计划"
    r"|晚点回|在开会|在[^，。,;；\s]{1,6}开会|开会中|正在|过去看看|过去瞧瞧"
    r"|把.{0,8}(?:做完|完成|弄完|搞完|交上来)|你(?:们)?(?:去|今天|明天|把|帮|来|负责|值|先|再|记得|那边|带)"
    r"|使不使|每(?:日|天)都要|劝(?:过|了|说|离|导|阻)|做通|做了.{0,4}工作|多穿|注意(?:安全|保暖|身体)|慢点|路滑"
    r"|师傅(?:已|到|来|在|说|下午|明天)|检测|整改|改(?:到|成|天|明天|下周)"
    r"|(?:时|的时候)[^，。,;；\s]{0,2}(?:多带|带上|带好|要|记得|注意|别|请)"
    r"|以前|那时候|上班(?:的)?路(?:上|过)|上班途中|每(?:个)?人(?:[\d一二三四五六七八九十两]+户|负责|分)|系咪|(?:是|在)[^，。,;；\s]{0,10}还是|^提醒|提醒[:：]|提醒(?:大家|各位)|还没报|没报的|还有[^，。,;；\s]{0,6}没"
    r"|小程序|系统里|录不进|补录|请假条|的相|定了去|替(?:我|俺)去|你替|还没(?:弄完|准备好|做完|写完|备完)|帮我(?:顶|值|代|替)|替我(?:值|顶|代)|就行.{0,4}还是"  # how to do a duty: "夜访的时候多带个手电"
)
# an ask for others to act, an alarm raised, a complaint: before the duty word it is what the line is
# about ("请社区安排人走访一下3栋"); after duty told as done, the duty still stands and the line is a
# report as well ("晚上9点在7号楼夜访 听到楼上在打人 已经报110了")
CHECKIN_ASK = re.compile(
    r"投诉|举报|建议|希望|能不能|可不可以"
    r"|(?<![申邀])请(?!.{0,2}假)(?:.{0,6})(?:协助|处理|来|派|尽快|帮|安排|关注)"
    r"|(?<![申邀])请(?!.{0,2}假)[^，。,;；]{0,12}(?:上门|看看|看一下|过去|到场|解决|跟进|落实)"
    r"|了解到|赶紧|马上|立即|快来|求助|报警|(?<!\d)1[12]0(?!\d)|已联系|送医")
# duty that did not happen ("今天没去走访", "支委会推迟了"): leave is exempt ("请了病假 没去社区")
CHECKIN_UNDONE = re.compile(r"没(?:有)?(?:去(?!世)|做|开(?!门|灯|空调|火|车|机|窗)|讲|上(?:班|课|成)|值|在(?:社区|岗|网格|位)|到(?:岗|社区|位|场)|走成|入户|能|成|顾上|空)"
                            r"|不(?:用)?(?:值班|坐班|去社区|去走访|夜访)|暂停|停了"
                            r"|未(?:能|去|开|到|完成)|取消|推迟|延期"
                            r"|改期|延后|顺延|泡汤|黄了|(?:到|去)不了|落不到|白跑|扑空")
# a duty told in a form's fields ("日期：… 地点：…", "对象：… 时长：…"): the 地点 of a record, not a notice
CHECKIN_FORM = re.compile(r"日期[:：]|时间[:：]|对象[:：]|时长[:：]|参加人数|户数[:：]|记录")
FORM_PLACE = re.compile(r"地点[:：][^；;，,。\s]*")
# a month's or a year's figures, not a day's duty ("本月走访累计56户", "这个月夜访才3次"), unless a day's
# account comes first ("今天入户4户，本月累计入户26户")
CHECKIN_SUMMARY = re.compile(r"够数|(?:这个?季度|本季度)[^，。,;；\s]{0,6}(?:就|才|共)|(?:这个?月|今个月|本月|上个?月|全年|今年)[^，。,;；\s]{0,8}(?:[\d一二三四五六七八九十]|天数|才|还差|够了)|这一年|一年下来|小结|累计|覆盖率|共计|(?<![第这那:：])(?:\d+|[二三四五六七八九十两])次")
TODAY = re.compile(r"今天|今日|今晚|今早|刚|(?:上午|下午|晚上)(?=[^，。,;；]{0,8}(?:点|到|入户|走访|夜访))")
# away from the community: duty not done, unless it is why (a meeting in the 街道, a course, leave)
CHECKIN_AWAY = re.compile(r"不在(?:岗|社区|网格|位)")
LEAVE_CANCELLED = re.compile(r"假[^，。,;；\s]{0,2}(?:取消|撤|不请|没批|不批)|不请了|销假")
# someone else's leave ("帮小周请个假", "小王说她明天调休", "刘姐婚假下周开始")
LEAVE_OF_OTHER = re.compile(r"(?:帮|替|给)[^我，。\s]{1,3}请|(?:他|她|小[\u4e00-\u9fff]|(?<!我)[\u4e00-\u9fff][姐哥](?!们)|主任|书记|同事)(?:说|让)?(?:她|他)?"
                            r"(?:今天|明天|后天|周.|下周|这周)?(?=[^我]{0,6}(?:请|休|病假|事假|婚假|产假|调休|年假))")
# someone else's duty, told by the line's first words ("书记今天走访了两户", "小何今天在社区值班")
SOMEONE_ELSE = re.compile(
    r"^(?:(?i:fyi)\s*)?(?:今天|今晚|昨天|昨晚|上午|下午|晚上)?(?:我们|社区|街道)?(?:(?:(?![和跟与同陪带给帮替随])[\u4e00-\u9fff])?(?:书记|主任|站长|委员|领导|同事|网格员|社工|志愿者|民警|派出所|保安|警察|巡逻队|城管)|小[\u4e00-\u9fff]"
    r"|老[\u4e00-\u9fff](?!党|人|年|旧)|[\u4e00-\u9fff][姐哥]|他们?|她们?)"
    r"(?:今天|今晚|昨天|昨晚|上午|下午|晚上|刚才?|已经?|也)*(?:在|去|到|巡|走访|入户|看望|慰问|值|坐班|驻点|开|参加|讲|上|请|休|夜访|给|下沉|签到|主题党日)")
# a company or trade named before the duty word does it ("燃气公司回复了 周四上午上门检修"), unless the
# cadre went with them ("和燃气公司的师傅一起入户…")
_OTHER_PARTY = re.compile(r"公司|物业|师傅|厂家|城管|派出所|供电所|执法队|(?:热力|燃气|自来水|电力)(?:的|那边)|水务|维修工|施工队")
_WITH = re.compile(r"[和跟与同陪带随]")


def someone_else_does_it(s: str, at: int, kind: str) -> bool:
    """Whether the duty word at `at` is someone else's: a colleague named first ("书记今天走访了两户",
    "小何今天在社区值班") or, for a visit, a company or trade before it, with no "我" taking over between them
    ("小王请假了 今天我替他值班" is the writer's)."""
    first = SOMEONE_ELSE.search(s)
    if first and "我" not in s[first.end():at]:
        return True
    if kind not in ("visit", "night_visit"):
        return False
    for party in _OTHER_PARTY.finditer(s, 0, at):
        if not _WITH.search(s[max(0, party.start() - 6):party.start()]) and "我" not in s[party.end():at]:
            return True
    return False

# a problem seen is a report (a request) unless the same line says the cadre dealt with it
# ("去蔡奶奶家看了看 发现燃气灶打不着 帮她换了电池", "走访8户 其中2户反映暖气不热 已转热力公司")
CHECKIN_PROBLEM = re.compile(r"发现|看到|注意到|闻到|听到|反映|坏了|漏水(?!情况|问题)|危险|要掉|麻烦(?!了?(?:您|你))"
                             r"|不热|没暖气|漏雨|渗水|老化|冒火星|松动|脱落|裂缝|堵了|不亮|故障|失灵|停水|停电|接到(?:电话|反映|举报|求助)"
                             r"|需要(?:社区|物业|街道|有人|马上|尽快|协调|处理|解决|救助|帮扶|管)"
                             r"|(?:走访|入户|夜访|巡查|上门|看望)(?:时|的时候|过程中|途中)")
CHECKIN_DEALT = re.compile(r"当场(?:让|叫|劝|帮)(?![^，。]{0,12}(?:还没|没人来|没修))|先(?:压住|盖上|围起来|挡住|拦住|堵上)了|顺手(?:给|帮)?(?:他|她)?(?:换|修|弄|装|清|拧|接|扶)|帮(?:她|他|其|忙|着|老人|一户|其中)?.{0,10}了|(?:给|帮)(?:他|她)[^，。,;；\s]{0,8}了|不漏了|(?:说|叫)开了|和好了|好了(?=$|\s)|(?:唠|说|讲|聊)明白了|完事|消气|各退一步|劝好|复位了|(?:我|明天|回头)(?:去)?找[^，。,;；\s]{0,6}(?:公司|物业|师傅)|搞掂|搞定|弄好了?|(?:清|拉)走了|说和|握手了|填好|办好了|落实了|紧上了|亮了|(?:换|修|装|合|接)(?:好|上|返)了|(?:清单|单子|材料|表|政策)[^，。,;；\s]{0,4}给(?:他|她)|告诉(?:他|她)了|讲(?:清楚|明白)了|已(?:经)?(?:帮|给|转|报|记|登记|联系|处理|修)|记下了"
                           r"|报给.{0,8}了|修好了|解答了|答复了|处理好了|解决了"
                           r"|让家属|了解(?:了)?.{0,8}情况|没(?:啥|什么)?(?:问题|事)|都(?:还)?(?:好|挺好|正常)"
                           # what the cadre asked about, or will see to themself ("主要问问暖气热不热", "我明天带材料过去帮他弄")
                           r"|主要(?:是)?问(?:问|了问|一下)|(?:我|我们)(?:明天|后天|下午|上午|回头|待会|过两天)[^，。,;；\s]{0,8}(?:帮(?:他|她|他们|她们)|替(?:他|她))(?:弄|办|跑|申请|交|问)")
# the kind's own word followed by a thing about it: the photos, form, task or notice of a duty, not the duty
CHECKIN_ABOUT = re.compile(r"[^，。,;；\s]{0,3}的?(?:发言稿|二维码|慰问品|物资|报告|照片|记录(?![:：])|表|材料|台账|课件|报表|任务|安排|情况表|纪要|要点|议程|议题|通知|模板|指标|发重复|发错)")
# a bare look ("刚去看了") at a problem named in the line: a case checked, not a household visited
BARE_LOOK = re.compile(r"去看了?(?:看|下|一下|一眼)?")
# ... unless a person follows the look ("去看了独居的何爷爷 他家灯泡坏了…"): then it is a visit
PERSON_AFTER = re.compile(rf"[^，。,;；\s]{{0,6}}?(?:{_KIN}|{_PERSON})")
# someone's duty complained of or reported ("有居民反映网格员老张入户态度生硬"): not the writer's duty
CHECKIN_REPORTED = re.compile(r"反映|投诉|举报|说(?:他|她)|让我(?:在群里)?(?:说|报|吱|转告)|让我跟|(?:他|她)让我|帮着说|[帮替][^我，。\s]{1,3}报|个案|案子")
# a question told, not asked ("了解过冬缺什么", "问了问有啥困难"): the question word is not a question
INDIRECT_QUESTION = re.compile(r"(?:商量了?(?:商量)?|讨论了?|研究了?|议了?议|题目是|主题是|讲的是|解释|讲|教|学了?学?|了解|(?<![慰询访疑提])问了?问?|看看|聊了?聊?|打听|摸清|核实)[^，。,;；\s?？]{0,10}(?:什么|啥|多少|哪些|哪一步|怎么样|咋|怎么|去哪|在哪)(?![好呢吗啊])"
                               r"|不知道(?:是)?(?:咋|怎么|什么)回事")
# a case named before the duty word: progress on it, not an account of duty ("那户的低保材料…", "上次反映的…")
CASE_TOPIC = re.compile(r"在跟|工单|(?:吵架|纠纷|矛盾|漏水|违建|飞线|噪音|投诉)[^，。,;；\s]{0,3}的|的事|的问题|那(?:家|户|个|位|两家|几户|几家|条)(?!人|[^，。,;；\s]{0,6}(?:挨家|挨个|都|逐户)?(?:串|走访|入户|看望|慰问|跑))|反映的|说的那|上次|昨天那|刚才那")
# an acknowledgement of a notice or an ask, with nothing done yet ("收到 今晚的夜访我参加")
ACKNOWLEDGED = re.compile(r"^(?:收到|好的|好嘞|明白|ok)(?:[\s，,!！。~]|$)")
PERFECTIVE = re.compile(r"了|过|完|done")
# leave only meant, not asked for ("打算下周请两天假 先跟书记打个招呼")
LEAVE_INTENDED = re.compile(r"打算|准备|想(?!.{0,2}家)|计划|考虑")
CHECKIN_FUTURE = re.compile(r"下(?:个)?(?:礼拜|星期)|明晚|明早|明日|准备|(?<!按)(?<!按照)计划|打算|将于|明天|后天|下周|下个月|改到|要去|待会|一会儿?|过两天|等会|等下|再去|回头|改天"
                            r"|过几天|抽空|找时间|晚点去|稍后|又要|还要|要开|要值|要讲|要上|得开|得值|要(?:夜访|走访|入户|坐班|驻点)"
                            r"|(?<![开例交议谈评党大散集参与])[将会](?:逐户|挨家挨户|上门|入户|再去|去)")
# something done (a perfective or a time of today): then a plan later in the line does not undo it
CHECKIN_DONE = re.compile(r"done|(?:访|走|巡)到|了|过|完|结束|今天|今日|今儿|今晚|昨天|昨晚|上午|下午|中午|晚上|刚|已")
_STAFF = r"同事|网格员|志愿者|社工|民警|干部|领导|医生|书记|委员"
HOUSEHOLDS = re.compile(
    # a count in Chinese may follow a block's digits ("T6五户"); one in digits may not ("2417户")
    r"(?<![第一二两三四五六七八九十])(?:(?<!\d)|(?=[一二两三四五六七八九十俩仨]))(\d{1,3}|[一二两三四五六七八九十]{1,3}|俩|仨)\s?"
    rf"(?:户|家|间屋|间房|位(?!{_STAFF})|(?:个|名)(?=[^，。,\s]{{0,4}}(?:{_PERSON})))(?![口长庭属])"
    rf"|(?<![\d一二两三四五六七八九十])(俩|仨)(?=[^，。,\s]{{0,2}}(?:{_PERSON}))|(?<=[访户了])(仨)(?=$|[\s，。,])")
# "七八户", "五六家": a guess, not a count
_APPROX = re.compile(r"^(?:[一二三四五六七八九]{2}|\d{1,2}[-~到至、]\d{1,2})$")
_NAMED_HOMES = re.compile(r"(?:^|[\s：:、和与及,，])[\u4e00-\u9fff]家(?=$|[\s、和与及,，])")
# homes or people named one after another ("张奶奶和李爷爷", "老刘家、老马家"): one household each
_NAMED_LIST = re.compile(rf"(?:{_KIN})家?(?:(?:和|、|与|及|跟|还有|,|，)(?:{_KIN})家?)+")
_JOINER = re.compile(r"和|、|与|及|跟|还有|,|，")
# homes named by their rooms ("301、302、501", "7栋502和8栋301"): one household each
_ROOM_LIST = re.compile(r"(?<!\d)(?:\d{1,2}[栋号幢]-?)?\d{3,4}室?(?:(?:、|和|与|及|,|，)(?:\d{1,2}[栋号幢]-?)?\d{3,4}室?)+(?!\d)")
# a total said as one ("一共七户 登记了两户要装扶手" → 7)
_TOTAL = re.compile(r"(?:一共|总共|共计|合计|累计共)(?:走访|入户|看了|去了|跑了)?了?\s?(\d{1,3}|[一二两三四五六七八九十]{1,3})\s?(?:户|家)")
# a form's count ("走访户数：5")
_FORM_COUNT = re.compile(r"户数\s*[:：]?\s*(\d{1,3})")
# a count after which another count is a part of it, not more households ("看了两户 帮一户…"), or a
# running total ("本月累计入户26户")
_SUBSET = re.compile(r"(?:帮|给|有|替|为|陪|的)\s?$|其中[^，。,;；\s]{0,6}$|(?:累计|本月|这个月|本周|这周|今年)[^，。,;；\s]{0,4}$")
# ... or one told about, not a group visited: a count followed by what it said or how it stands
# ("走访3户当事人 两家基本谈妥了", "走访两户 一户说孩子学费有困难")
_PART_SAID = re.compile(r"(?:基本|都|说|反映|不在|是|需要|同意|表示|提|想|希望|在家|没|已|还|挺)")
# one household named, not counted ("去王阿姨家坐了坐", "看望了唐大爷", "去了趟11栋502", "上门给吴奶奶…")
ONE_HOUSEHOLD = re.compile(r"(?:去|到|看望|探望|慰问|拜访|看了看|看了一下|看了下|走访|上门|串门|帮|给|替|陪)[^，。,;；\s]{0,10}?"
                           r"(?:阿姨|大爷|奶奶|爷爷|大娘|大妈|姥姥|婆婆|嬢嬢|阿婆|阿公|阿伯|嗲嗲|娭毑|老人|老太|老头|老师|师傅|大哥|大姐"
                           r"|叔叔?|婶|伯伯?|(?<!大)家(?!属)|\d{3,4}"
                           r"|老(?![党人年旧小区])[\u4e00-\u9fff])"
                           # the form's way: "对独居老人王某某进行了上门探访"
                           r"|对[^，。,;；]{0,12}?[\u4e00-\u9fff]某某?[^，。,;；]{0,4}进行")
_PLURAL = re.compile(r"几|(?<!好)些|(?<![我你他她咱])们|各|每|多(?:户|家|位)|挨家|一圈|一遍")


def households(s: str, kind: str) -> int | None:
    """Households visited: a total and its breakdown count once ("走访两户 一户低保 一户残疾" → 2),
    separate groups add up ("两户独居老人 一户新市民" → 3), a part of an earlier count is not more
    ("看了两户 帮一户…", "走访两户 一户说…" → 2); named homes are counted ("王家 李家 赵家" → 3); one named
    household → 1; a guess ("几户", "七八户", "十来户") → None."""
    counts = []
    if re.search(r"一(户|家)一\1", s):
        return None  # "一户一户敲门": door after door, not a count
    if total := _TOTAL.search(s):
        return cn_to_int(total[1])
    for match in HOUSEHOLDS.finditer(s):
        token = match[1] or match[2] or match[3]
        if _APPROX.match(token):
            return None
        value = {"俩": 2, "仨": 3}.get(token) or cn_to_int(token)
        part = _SUBSET.search(s[:match.start()]) or _PART_SAID.match(s, match.end()) or "其中" in s[:match.start()]
        if value is None or (counts and part):
            continue
        counts.append(value)
    if counts:
        return counts[0] if len(counts) > 1 and counts[0] == sum(counts[1:]) else sum(counts)
    if form := _FORM_COUNT.search(s):
        return int(form[1])
    named = len(_NAMED_HOMES.findall(s))
    for listed in (_NAMED_LIST.search(s), _ROOM_LIST.search(s)):
        if listed:
            named = max(named, len(_JOINER.findall(listed[0])) + 1)
    if named >= 2:
        return named
    if kind in ("visit", "night_visit") and ONE_HOUSEHOLD.search(s) and not _PLURAL.search(s):
        return 1
    return None
CHECKIN_TAGS = [
    ("困难家庭", re.compile(r"困难家庭|困难户|低保户|特困")), ("空巢老人", re.compile(r"空巢")),
    ("留守儿童", re.compile(r"留守")), ("重点户", re.compile(r"重点户")), ("独居老人", re.compile(r"独居")),
]
MEETING_TYPES = [
    ("支委会", re.compile(r"支委会|支部委员会")), ("两委联席", re.compile(r"两委联席|联席会")),
    ("居民代表", re.compile(r"居民代表")), ("交流会", re.compile(r"交流会")),
]

ALL_KEYWORDS = ("飞线", "电瓶车", "化粪池", "楼道", "物业费", "维修基金", "网格员", "高空抛物", "消防通道", "独居",
                "空巢", "留守", "低保", "违建", "夜访", "走访", "党课", "支委会")
