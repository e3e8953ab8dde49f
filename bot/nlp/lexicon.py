# ruff: noqa: E501  (keyword tables read best one category per line)
"""Rules of the parser: category keywords (domain.md §6), emergencies, chatter and notices,
request cues, urgency, nature, and cadres' check-in phrases. Texts arrive folded and lower-cased."""

from __future__ import annotations

import re

from bot.nlp.safety import names_danger

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
        (r"随时.{0,3}(?:掉下来|会掉|倒)|摇摇欲坠|(?:瓷砖|广告牌|空调外机|窗户).{0,6}(?:松了|松动)", 3),
        (r"太危险|很危险|非常危险", 2),
        (r"没有红绿灯|车开得飞快", 1.5), (r"楼道.{0,4}(?:堆|放).{0,6}(?:杂物|纸箱|家具)", 1), (r"烧纸", 1.5),
    ],
    "illegal_building": [
        (r"违建|违章(?:搭建|建筑)|私搭乱建|乱搭乱建", 3), (r"搭(?:了个|个|建)?(?:棚|铁皮房|彩钢房|板房|阳光房)", 3),
        (r"加盖|加建|扩建|往外扩|外扩|加了一截", 3), (r"砸承重墙|拆承重墙|承重墙", 3), (r"拆墙|改结构", 2),
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
    ],
    "sanitation": [
        (r"垃圾", 2), (r"清运|没人清|清理", 1.5), (r"杂物|堆满", 1.5), (r"小广告|牛皮癣|贴满", 2.5),
        (r"狗屎|粪便|小便|大便|拉屎|随地便溺", 2.5), (r"臭|异味|味道大|难闻", 1.5), (r"脏|灰", 1), (r"化粪池|泔水|污水", 2),
        (r"死鱼|烂菜|老鼠|蚊子|苍蝇|蟑螂", 1.5), (r"外卖盒|塑料袋", 1.5), (r"打扫|保洁", 1.5), (r"焚烧|乱倒|乱扔", 1.5),
    ],
    "public_facility": [
        (r"电梯.{0,6}(?:坏|停|故障|卡住|不动|失灵|异响|关不上)|电梯按钮", 3), (r"路灯|楼道灯|灯.{0,2}(?:不亮|坏)", 3),
        (r"井盖|盖板", 3), (r"健身器材|滑梯|秋千|长椅|座椅", 2.5), (r"(?:门禁|单元门|道闸|闸杆|大门).{0,6}(?:坏|刷不开|打不开|关不上|失灵|不灵)", 2.5),
        (r"护栏|栏杆|站牌|红绿灯|信号灯|斑马线", 2), (r"下水道|雨水井|排水", 2), (r"监控|摄像头", 2),
        (r"充电桩", 2), (r"地砖|路面|坑坑洼洼|路.{0,2}坏", 2), (r"坏了|坏掉|失灵|断了|烂了|不亮|不好用|关不上", 1.5),
        (r"报修|维修|修一下|修修", 1.5),
    ],
    "utilities": [
        (r"停水|没水|水压|自来水|水质|水是黄", 3), (r"停电|楼.{0,4}没电|家里没电|整栋.{0,3}没电|跳闸|来电|电表", 3), (r"暖气|供暖|供热|暖气片", 3),
        (r"燃气|天然气|煤气|没气了|漏气|停气", 2.5), (r"水管|水龙头|漏水|爆管", 1.5), (r"网络|光纤|宽带|没信号", 2),
        (r"热水器", 1.5),
    ],
    "nuisance_order": [
        (r"噪音|太吵|吵得|吵死|扰民|声音.{0,4}大|打鸣", 3), (r"装修|电钻|施工|砸", 1.5), (r"广场舞|音响|ktv|唱到", 2.5),
        (r"油烟|排风扇|烧烤", 2.5), (r"占道|摆摊|摊子|水果摊|夜市", 2.5), (r"乱停|停满|堵门|乱停车|停车.{0,4}堵", 2.5),
        (r"遛狗|不牵绳|狗.{0,6}叫", 2.5), (r"横冲直撞|大货车|飙车", 2),
        (r"凌晨|半夜|日夜不停|晚上(?:十|十一|十二|1[0-2])点|六点就", 1), (r"睡不着|让不让人睡|没法睡", 2.5),
        (r"剁|养鸡", 1.5),
    ],
    "property_mgmt": [
        (r"物业费|物业公司|物业经理|换物业|物业合同", 3), (r"物业", 1.5), (r"业委会|业主大会|业主委员会", 3),
        (r"维修基金|专项维修资金", 3), (r"车位|停车费", 1.5), (r"公共收益|公共区域|收支", 2), (r"电梯维保|维保", 2.5),
        (r"开发商|交房|交付|房产证|会所", 2), (r"押金|保安", 1.5),
    ],
    "service_consult": [
        (r"怎么(?:领|办理|申请|补|交|弄|报名|开)|如何(?:办理|申请|领取)|去哪(?:里)?(?:办|补|领|打|报名)|在哪(?:里)?(?:办|补|领|打|报名)", 2.5),
        (r"要带什么|需要什么(?:材料|手续)|哪些材料|什么手续|什么时候开始", 2.5),
        (r"证明|社保|医保|养老(?:保险|金)|退休|户口|落户|入学|准生证|疫苗|补贴|失业金|公租房|廉租房|居住证", 2),
        (r"报名|办理|盖章|上班吗|几点上班|对口|家庭医生|乘车卡", 1.5), (r"请问|咨询", 1),
    ],
    "opinion": [
        (r"建议|提议|有个想法", 3), (r"希望", 2), (r"表扬|点赞|点个赞|感谢.{0,6}(?:书记|网格员|社区)", 2),
        (r"不作为|推来推去|没人负责|态度.{0,2}(?:很差|差|恶劣)|没人回复|说来没来|(?:网格员|书记|干部|社区).{0,8}没来", 2.5),
        (r"能不能(?:在|多|加|装|设|开|改)|多组织|多种|多装", 1.5),
    ],
}
PRIORITY = ("emergency", "unrest", "safety_hazard", "illegal_building", "dispute", "life_event", "care_request",
            "utilities", "public_facility", "sanitation", "nuisance_order", "property_mgmt", "service_consult",
            "opinion")
_COMPILED = {cat: [(re.compile(p), w) for p, w in rules] for cat, rules in CATEGORY_RULES.items()}

def may_be_urgent(text: str) -> bool:
    """A cheap look before parsing: could this report an emergency (a P0)? Used to handle it
    ahead of a queue; the parser (its safety layer) decides what it is."""
    return names_danger(text)


_RESOLVED = re.compile(r"(?:已经|已)(?:修好|处理|解决|灭了|扑灭|恢复)|修好了|解决了|处理好了|恢复了|来电了|来水了"
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
_MARKET = re.compile(r"接龙|团购|拼单|拼车|快递(?:到了|放在)|(?:^|\n)\s*\d+[.、].{0,12}\d+份|捡到|招领|谁(?:家)?的.{0,8}(?:钥匙|卡|手机|包|快递).{0,6}(?:落|丢|掉|放)")
# an incident told from elsewhere (news, another city) is not one here and now
_ELSEWHERE = re.compile(r"新闻|报道|视频里|网上|隔壁市|外地|别的小区")
_FESTIVE = re.compile(r"快乐|安康|吉祥|如意|幸福|节日|生日|早上好|晚安|新年|春节好")

# request cues (added to the request model's score)
_CUES = [
    (re.compile(r"坏了|坏掉|又坏|漏水|堵了|堵死|没人管|没人清|没人修|不亮|不热|停水|停电|没水"), 1.5),
    (re.compile(r"能不能|可不可以|能否|请问|怎么办|怎么申请|怎么领|麻烦.{0,6}(?:看看|处理|解决|管管|调解|来)|谁(?:来)?管管|管一管|管管"), 1.5),
    (re.compile(r"投诉|举报|求助|反映|报修|帮忙|帮帮|救命|快来"), 1.5),
    (re.compile(r"太吵|扰民|臭死|熏死|太危险|很危险|吓到|差点|让不让人睡|没法睡"), 1.0),
]
_COMMUNITY_WORD = re.compile(r"社区|物业|小区|网格|书记|楼|单元|居委会|业主|邻居|门口|电梯|车位|停车")
# what ties a cue word to the neighbourhood; without one, cue words count little ("网恋了怎么办")
ANCHOR = re.compile(r"社区|物业|小区|网格|书记|居委|业主|邻居|隔壁|对门|楼|单元|栋|院子|门口|电梯|车位|停车|垃圾|路灯|井盖"
                    r"|家里|我家|老人|孩子|低保|医保|社保|户口|证明|补贴|工地|工资|装修|噪音|广场|路口|马路|下水|水管|暖气|燃气"
                    r"|停水|停电|门禁|监控|保安|商铺|店|摊|学校|幼儿园|医院|公交|红绿灯|街道|村")
_QUESTION = re.compile(r"[?？]|吗$|吗[，,。]|呢$|什么时候|怎么|哪里|在哪|多少|是否|有没有")


def category_hits(s: str) -> dict[str, tuple[float, list[str]]]:
    hits: dict[str, tuple[float, list[str]]] = {}
    for cat, rules in _COMPILED.items():
        score, words = 0.0, []
        for pattern, weight in rules:
            match = pattern.search(s)
            if match:
                score += weight
                words.append(match[0])
        if score >= 1.5:
            hits[cat] = (score, words)
    return hits


def without_alarm(hits: dict[str, tuple[float, list[str]]], alarm) -> dict[str, tuple[float, list[str]]]:
    """Category hits for a line the safety layer kept from P0: a danger only imagined (万一着火) is a
    hazard; a crowd only threatened or planned is unrest; a sign that sagged a little with nobody
    near is a hazard too. Other dangers that are over (a leak fixed last week) leave the rules to
    say what is left (the family in need: life_event)."""
    if not alarm.danger or alarm.p0:
        return hits
    out = dict(hits)
    add = None
    if alarm.against == "hypothetical" and alarm.category == "emergency":
        add = "safety_hazard"
    elif alarm.kind == "crowd" and alarm.against == "planned":
        add = "unrest"
    elif alarm.kind == "collapse" and alarm.against == "minor":
        add = "safety_hazard"
    if add is not None:
        score, words = out.get(add, (0.0, []))
        out[add] = (score + 3.0, [alarm.word or "", *words])
    return out


def is_chatter(s: str) -> bool:
    bare = _STICKER.sub("", s).strip()
    if not bare:
        return True  # only emoji / stickers
    if _ACK.match(bare):
        return True
    if _NOTICE.match(bare) or (_MARKET.search(bare) and len(bare) <= 60):
        return True
    if len(bare) <= 14 and _FESTIVE.search(bare) and not _QUESTION.search(bare):
        return True
    return bool(_RESOLVED.search(bare) and not re.search(r"又|还是|没有?(?:修好|解决)", bare))


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
        if re.search(r"(?:两|几|好几|三)天没|没开门|敲门没人|电话也?不接|没见.{0,3}下楼|没开灯|没动静", s):
            return "P1"
        return "P3" if re.search(r"怎么申请|怎么办理|去哪里办|在哪办|要去哪", s) else "P2"
    if category == "public_facility":
        return "P1" if re.search(r"井盖.{0,4}(?:丢|没了|不见|被偷|坏|碎|翻)|井盖丢|盖板.{0,3}(?:松|翻)", s) else "P2"
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

CHECKIN_KINDS = [
    ("party_lesson", re.compile(r"党课")),
    ("meeting", re.compile(r"支委会|两委联席|联席会|居民代表(?:大会|会议|会|议事会)|交流会|议事会|党员大会")),
    ("night_visit", re.compile(r"夜访|夜谈|(?:今晚|晚上|昨晚|夜里).{0,12}(?:走访|入户|看望|慰问|探访)")),
    ("visit", re.compile(r"走访|入户|看望|慰问|探访|上门|家访|去.{0,10}家里?(?:看了看|看看|坐了坐)|家走访")),
    ("duty_day", re.compile(r"值班|值了.{0,3}班|坐班|驻社区|在社区(?:上班|工作|办公)|这边工作|到社区(?:报到|了)|网格里巡查|巡查了|签到")),
]
# it reports something done: a time word or a perfective marker
CHECKIN_DONE = re.compile(r"了|过|完|刚|今天|今晚|今日|昨天|昨晚|上午|下午|晚上|中午|全天|一天|周[一二三四五六日天]|本周|结束")
# questions, requests, plans, announcements: not a check-in
CHECKIN_NOT = re.compile(
    r"[?？]|吗|什么时候|能不能|请|希望|要不要|准备|计划|打算|将于|明天|下周|下个月|改到|通知|@所有人|@all|没来|"
    r"坏了|漏水|投诉|举报|太吵|怎么"
)
HOUSEHOLDS = re.compile(r"(\d{1,3}|[一二两三四五六七八九十]{1,3})\s?(?:户|家)(?!口)")
CHECKIN_TAGS = [
    ("困难家庭", re.compile(r"困难家庭|困难户|低保户|特困")), ("空巢老人", re.compile(r"空巢")),
    ("留守儿童", re.compile(r"留守")), ("重点户", re.compile(r"重点户")), ("独居老人", re.compile(r"独居")),
]
MEETING_TYPES = [
    ("支委会", re.compile(r"支委会")), ("两委联席", re.compile(r"两委联席|联席会")),
    ("居民代表", re.compile(r"居民代表")), ("交流会", re.compile(r"交流会")),
]

ALL_KEYWORDS = ("飞线", "电瓶车", "化粪池", "楼道", "物业费", "维修基金", "网格员", "高空抛物", "消防通道", "独居",
                "空巢", "留守", "低保", "违建", "夜访", "走访", "党课", "支委会")
