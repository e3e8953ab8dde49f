# ruff: noqa: E501  (evidence tables read best one kind per line)
"""The P0 safety layer: is a life or property at risk RIGHT NOW?

Separate from the category model on purpose. It is built for recall: any sign of danger (fire,
smoke, gas, a person down or trapped, water on live electricity, ground giving way, someone on a
roof edge, violence, a crowd pushing) raises P0, with or without an urgency word, whoever reports
it (a relative far away included: "我在外地 我妈摔倒起不来了" is a P0 at home). What lowers it is
explicit negative evidence, each kind named:

- past: it happened before and is over (上周, 已经修好, 灭了, 没事了) — unless the line also says
  it is still going on (还在冒烟, 现在);
- elsewhere: news, another city, another estate, a forwarded story;
- hypothetical: 万一 / 如果 / 怕 / 容易 … before the danger word (a hazard, not a fire);
- planned: a threat or plan for a later day (下周一去区政府拉横幅) — unrest P1, not P0;
- drill: 演练, 检测, 培训, 宣传 — talk about danger, not danger;
- minor: nobody at risk (塌了一点, 没人受伤, people 围着 a street performer, a phone that 没反应).

The parser's category model may neither lower a P0 raised here nor raise one by itself.
Input is folded, lower-cased text already read through typos (typos.read_through).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlp.text import fold
from bot.nlp.typos import read_through

_P = r"(?:人|老人|老太太?|老头|老爷子|老奶奶|大爷|大妈|阿姨|奶奶|爷爷|姥姥|姥爷|外婆|外公|孩子|小孩|小朋友|宝宝|婴儿|他|她|老伴|我妈|我爸|我婆婆|我公公|妈|爸|邻居|师傅|工人|大哥|大姐|男的|女的|小伙|学生|娃|小娃娃|娃娃|闺女|儿子|女儿|老公|老婆|快递小哥|外卖员|小哥)"

# (kind, pattern, category): the danger itself
_DANGER: list[tuple[str, re.Pattern[str], str]] = [(kind, re.compile(p), cat) for kind, p, cat in [
    ("fire", r"(?<!打不)(?<!点不)(?<![打点])着火|起火|失火|火灾|烧起来|烧着了|自燃|火苗(?:窜|蹿|冒|很大|好大|往上)|明火|火光|火很大|火势|冒火(?!车)|窜火|(?:冒|溅|迸|窜|蹦|掉)(?:出)?火星|火星(?:子|四溅|乱溅|乱飞|直冒)|(?:点|引|烧|燃)着了|燃起来了|着起来了|(?:全是|都是|好大的?|很大的?)火|火好大|火一下|红光|(?:罐|锅|灶|油锅|插座|电线|电瓶|电动车|车|房子?|厨房|窗帘|被子|沙发)(?:子)?着了|(?:冒|飘|出|一股|一阵|滚滚|全是|都是|好多|很多|好大的|很大的)(?:黑|白|浓|灰|青|蓝)?烟(?![头草酒花囱瘾民])|浓烟|黑烟|(?:屋里|家里|楼道|里面|房间|楼梯间?)(?:有|全是|都是)烟|烟(?:很大|好大|太大|往外冒|一直冒|越来越大|呛人)|呛得.{0,4}(?:睁不开|喘不过气)|焦味|焦糊味|糊味.{0,6}(?:很大|好大|越来越|浓)|烧焦|烟雾报警|烟感.{0,3}(?:响|叫|报警)|(?:楼|家|店|厨房|车库|小区|单元|门口|里面|锅炉|罐|电瓶|电池).{0,8}(?:爆炸|炸了)|爆炸声|(?:一声|一阵)(?:巨响|爆响)", "emergency"),
    ("gas", r"(?:燃气|煤气|天然气|液化气)(?:管道?|罐|灶|表)?.{0,4}(?:泄漏|漏气|漏了|在漏|味)|燃气味|煤气味|天然气味|液化气味|臭鸡蛋味|闻到.{0,6}(?:燃气|煤气|天然气|液化气)|(?:燃气|煤气|天然气|液化气).{0,16}闻到.{0,2}味|煤气中毒|一氧化碳|(?:燃气|煤气|天然气)管.{0,4}(?:破|断|挖|打穿|打到)|(?:挖|打|钻)(?:破|断|到)了?(?:燃气|煤气|天然气)管|像(?:是)?(?:煤气|燃气|天然气)|gas味|(?<!没)漏气", "emergency"),
    ("trapped", rf"电梯.{{0,4}}(?:坠落|下坠|掉下去|冲顶|蹲底|往下掉|溜梯|失控)|电梯.{{0,6}}(?:关着|困着|卡着|锁着)(?:个|一个|两个)?(?:人|{_P})|(?:人|{_P}).{{0,4}}出不来|困人|被困|困住|困在(?!家)|(?:关|卡|锁|困)(?:在)?电梯|电梯.{{0,8}}(?:(?:里有人|里面有人)(?:被?困|出不来|在喊|在拍|晕|倒|卡)|人出不来|卡住了?.{{0,6}}人|困了)|卡在.{{0,8}}(?:楼|层)(?:之间|中间)|(?:人|孩子|小孩|老人).{{0,6}}(?:卡|夹)在.{{0,8}}(?:里|中间|栏杆|窗)|出不来了|卡在防盗网|轿厢不在|(?:一个人)?在电梯里.{{0,4}}卡住", "emergency"),
    ("person_down", rf"晕倒|昏倒|昏迷|栽倒|倒下了|倒下去|歪下去|{_P}.{{0,8}}倒了|噎住|憋紫|喘不上(?:来)?气|意识不清|迷迷糊糊|人.{{0,2}}迷糊了|抽搐|吐沫|喊.{{0,2}}不答应|一直没动|(?:头|脸).{{0,4}}(?:出血|都是血)|误(?:喝|服|吃)|吞了.{{0,6}}(?:电池|硬币|药)|休克|倒在地上|倒地|倒在.{{0,6}}(?:楼梯|门口|路上|地上|电梯|卫生间|厕所|家里)|不省人事|没(?:有)?(?:了)?呼吸|不喘气|{_P}.{{0,4}}没气了|叫不醒|喊不醒|{_P}.{{0,8}}(?:没反应|没有反应|没动静了|抽搐|口吐白沫|嘴唇发紫|脸都紫了)|(?:摔|跌|滑)(?:倒|了一跤|下去|下来)?.{{0,10}}(?:起不来|爬不起来|动不了|不能动|站不起来)|起不来了|爬不起来|心脏病.{{0,4}}(?:犯了|发作)|中风了|脑梗.{{0,4}}(?:了|犯)|突发.{{0,4}}(?:心脏|脑溢血|疾病)|大出血|血流不止|流了(?:好多|很多|一地)血|满头是血|头破血流|烫伤|被车撞|撞倒了?{_P}|{_P}.{{0,4}}被撞|{_P}.{{0,8}}(?:受伤|伤得|压在|压住|被压|中毒|烫伤|摔伤|骨折)|(?:被|给).{{0,4}}(?:压在|压住)", "emergency"),
    ("water_electric", r"(?:漏水|渗水|滴水|水(?!电)).{0,12}(?:插座|电线|灯线|吊灯|电热水器|电箱|电表箱|配电箱|电闸|灯座|开关|电器)|(?:插座|电线|电箱|电表箱|配电箱|电闸|灯座|开关).{0,8}(?:进水|泡水|泡在水|在滴水|淋湿|冒火花|打火|冒烟|噼啪)|冒火花|打火花|电火花|漏电|触电|一摸.{0,3}(?:就)?麻|电线.{0,6}(?:掉|断|垂).{0,8}(?:地上|水里|路上)", "emergency"),
    ("flood", r"爆管|水管爆|管子爆|爆了.{0,3}(?:水|管)|水(?:漫|淹)(?:进|到|了|金山)|淹了|积水.{0,6}(?:一米|半米|齐腰|没过|淹)|水.{0,6}(?:到膝盖|到腰|齐腰|没过膝)|(?:水|污水).{0,6}往.{0,4}(?:屋里|家里|楼道)(?:灌|涌|冲)", "emergency"),
    ("collapse", rf"塌陷|倒塌|坍塌|塌方|(?:房子?|楼|墙|地面?|路面?|桥|基坑|坑|坡|屋顶|棚|阳台|雨棚|招牌|广告牌|吊顶)[^，。\\s]{{0,4}}(?:塌|垮)了|(?:地面|路面|地|路).{{0,4}}(?:陷下去|陷了|往下陷|下沉|裂开)|(?:基坑|坑边|坑壁|边坡|土坡|挡土墙|脚手架|塔吊).{{0,8}}(?:塌|垮|滑|裂开|倒|往下掉|要倒|歪了|晃)|滑坡|砸到{_P}|砸伤|(?:河堤|堤坝|楼梯|墙|房子|楼板).{{0,4}}(?:在垮|垮了|往下垮|在裂|往下沉|在摇|在晃)|房子在摇|缝.{{0,6}}(?:一下子)?变大|土.{{0,4}}(?:一直在|在)垮", "emergency"),
    ("height", rf"{_P}.{{0,8}}(?:站在|坐在|爬上|蹲在|趴在|挂在).{{0,8}}(?:楼顶|天台|顶楼|屋顶|楼顶|阳台外|窗台|窗户外|窗外|护栏外|栏杆外|边上|边缘)|(?:楼顶|天台|屋顶|顶楼).{{0,8}}(?:边上|边缘|外面).{{0,6}}(?:站|坐|有{_P})|要跳|想跳|跳楼|女儿墙上|不想活了?|活不下去了|跳河|跳江|轻生|自杀|寻短见|想不开(?!心)|(?:孩子|小孩|宝宝|{_P}).{{0,10}}(?:窗台上?(?:爬|站|坐)|在窗台|爬窗|爬上窗|悬空|挂在|掉下去|在阳台外|在窗外|在空调架|在空调外机|在护栏外|爬到阳台外|爬出窗)", "emergency"),
    ("water", r"溺水|落水|掉进.{0,6}(?:河|水|湖|池|井|塘|坑)|掉(?:到|进)?(?:河|湖|水塘|粪池|化粪池|下水道)里", "emergency"),
    ("violence", rf"要杀|杀人(?!犯|案|游戏|狂|魔)|砸(?:我家)?门|撬门|撬锁|入室|闯进.{{0,4}}(?:家|屋)|持刀|拿刀|掏出.{{0,3}}刀|要捅|捅(?:他|她|人)|打群架|群殴|泼汽油|要点火|动刀|拿着刀|挥刀|砍人|砍伤|捅人|捅伤|行凶|抢劫|被抢|绑架|家暴.{{0,6}}(?:正在|还在|打|血)|(?:正在|还在)打{_P}|往死里打|打得.{{0,6}}(?:流血|出血|头破血流|起不来)|拿(?:棍|砖|铁棍|棒子).{{0,6}}(?:打|砸)|打人.{{0,6}}(?:流血|出血|见血)", "emergency"),
    ("crowd", r"聚集(?:到|在|起来)?|静坐|(?:工人|民工|业主|村民|居民|家属|老人|人)(?:们)?.{0,6}(?:围着|围住|围了|堵着|堵住|堵了|聚集|聚在|围堵)|聚集了|(?:一群人|一帮人|好多人|很多人|几十个?人|上百人|几十号人|一大群人|一堆人|一伙人|工人们|业主们|村民们?).{0,14}(?:堵(?:住|着|在|了)|围(?:住|着|堵|了)|推搡|推推搡搡|冲进|冲击|砸|拦(?:住|着)|闹起来|打起来|挤|推)|(?:堵(?:住|着|了)?|拦(?:住|着)?).{0,6}(?:路|马路|大门|门口|路口|车).{0,10}(?:推|挤|冲|打起来|打人|砸|闹事)|对峙|冲击|推搡|推推搡搡|围堵|踩踏|挤倒|拉横幅|拉着横幅|举着牌子", "unrest"),
    ("shout", r"快来人|救命|救救|快救|打1[12]0|打一[一二]零|叫1[12]0|叫一[一二]零|叫了1[12]0|叫救护车|叫了救护车|救护车(?:来了|快到|还没到)|消防车(?:来了|快到|还没到)|快报警|报警了|赶紧报警|快打电话", "emergency"),
]]
# urgency words count only with something of the neighbourhood around them ("救命啊这题好难")
_SHOUT_NEEDS = re.compile(rf"{_P}|楼|单元|门口|家|小区|电梯|楼道|路|车库|里面|火|烟|血|倒|摔|水")

# the danger is going on: outweighs words of the past ("昨晚着火 现在还在冒烟") and of a minor matter
_ONGOING = re.compile(r"正在|还在|一直在|越来越|在里面|里面还有|人还在|蔓延|烧到|出不来|救命|快救|十万火急")
# a call to hurry: outweighs words of the past, but not a minor matter ("招牌塌了一点 赶紧找人固定")
_IMMEDIATE = re.compile(r"正在|还在|一直在|越来越|快来|赶紧|马上|快点|快!|快！|在里面|里面还有|人还在|蔓延|烧到|出不来|救命"
                        r"|快救|[!！]{2,}|啊+[!！]|怎么办啊|急急|急!|急！|十万火急|紧急")
# weaker signs of now: they outweigh a hypothetical's absence but not a past that is over
_NOW = re.compile(r"现在|此刻|刚刚|刚才|就在|这会|眼下")
# the reporter is away, not the danger: these words never count as "elsewhere"
_REPORTER_AWAY = re.compile(r"(?:我|我们|家里人|儿子|女儿|闺女|孩子们|老公|老婆|媳妇)(?:人)?(?:现在)?(?:在外地|在外省|不在家|在上班|在单位|出差|在外面|在老家|在国外|在医院|在公司)(?:陪床|上班|打针|看病|值班|走不开)?|人不在家|不在本地|不在小区")
_ELSEWHERE = re.compile(r"新闻|报道|视频里|网上|抖音|快手|头条|朋友圈(?:里|说|看到)|别的小区|其他小区|外地的|国外|(?:朋友|同事|同学|亲戚|表姐|表哥|表妹|表弟|老家|外地朋友)(?:在的|那个|那边|那里|说|家那|群里|发的)|隔壁市|邻市|(?:看到|听说).{0,6}(?:一个|某个|有个)小区|(?<![我咱])(?:[\u4e00-\u9fff]{2,4}(?:市|省|县))(?:一|某|有个)(?:小区|居民楼|住宅|男子|女子|老人|商场)|转发|【转|转自")
_HYPOTHETICAL_BEFORE = re.compile(r"(?:万一|如果|要是|假如|假设|会不会|怕|担心|容易|防止|预防|小心|注意|以防|一旦|迟早|早晚|可能会|会不会|哪天|真要|防范|避免|杜绝|谨防|严禁|禁止|不要|别)[^，。！？!?,;；\n]{0,10}$")
_HYPOTHETICAL_WORD = re.compile(r"万一|如果|要是|假如|假设|会不会|怕|担心|容易|以防|一旦|迟早|早晚|可能会|哪天")
# with no position (the learnt signal), a hypothetical anywhere in the line counts
_HYPOTHETICAL_ANYWHERE = re.compile(r"万一|如果|要是|假如|会不会|一旦")
_NEGATED = re.compile(r"(?:没|没有|未|无|不是|并没|没人|不会)\s?$")
# the danger is placed here even when the story came by news or a friend ("朋友圈看到…那是我家啊")
_HERE = re.compile(r"(?:是|就是)我家|我们(?:小区|楼|单元|这栋)(?:有|的)|我家(?:阳台|楼|里|着|冒)|咱们?(?:小区|楼)(?:有|的)")
# smoke that comes from cooking, barbecues, cigarettes or goes on every day: a nuisance, not a fire
_FLAME = re.compile(r"火光|红光|明火|火苗|着了|烧起来")  # flames seen: not a barbecue's smoke
_SMOKE_SOURCE = re.compile(r"烧烤|油烟|做饭|炒菜|抽烟|烟头|香烟|天天|每天|经常|总是|老是")
# a threat used as leverage ("再不给低保就去跳河"): unrest, not someone on the edge now
_THREAT = re.compile(r"再不.{0,10}就|扬言|威胁|讨说法|说要|否则|不然")
_HYPOTHETICAL_AFTER = re.compile(r"^[^，。！？!?,;；\n]{0,6}(?:怎么办[?？]|谁负责|的话|隐患|风险|的可能)")
_DRILL = re.compile(r"演练|演习|培训|讲座|宣传|知识|检测|检查|排查|安全教育|应急预案|消防安全月|科普|体验|模拟")
_PAST = re.compile(r"上周|上个?礼拜|上个月|上次|前几天|前阵子|前段时间|前天|去年|之前|以前|那次|那天|当时|早就|曾经|事后|后来|昨[天晚夜]|(?:早上|上午|中午|下午|晚上)那会")
_OVER = re.compile(r"已经?(?:修好|处理|解决|灭|扑灭|恢复|没事|送医|送到医院|送去医院|出院|救出|抢救过来|救下|劝下|控制住|疏散)|修好了|处理好了|灭了|扑灭了|没事了|人没事|幸好|好在|还好没|救出来了|救下来了|劝下来了|虚惊一场|原来是|搞错了|看错了|误会|以为.{0,12}(?:原来|结果|其实)|是在(?:做饭|烧烤|烧纸|熏腊肉)|是我(?:家)?在(?:做饭|炒|烧|熏|煮|烤)|刚(?:才)?说的.{0,8}是我|烧烤的烟|住院|在医院|icu|做完手术|手术后|出院|抢救过来|(?<![要想])走了(?=[\\s,，。!！]|$)|去世|过世|住不了|没地方(?:去|住)|无处居住|临时安置|安置")
# what undoes an "over": it came back or is not fixed ("又冒烟了", "还是没修好")
_NOT_OVER = re.compile(r"又|还在|还是|没(?:有)?(?:修好|解决|灭)|又开始")
# what undoes a plan: it is happening or has happened
_UNDER_WAY = re.compile(r"正在|现在|已经|此刻|还在")
_PLANNED = re.compile(r"明天|后天|下周|下个?礼拜|下个月|周[一二三四五六日天](?:要|去|上午|下午)|准备|打算|计划|约好|商量|组织|扬言|威胁|说要|要去|就去|再不.{0,8}就|否则|不然就|过几天|月底|到时候|讨说法")
_MINOR = re.compile(r"塌了一点|塌了一小块|塌了一块|有点塌|有点歪|一点点|没人受伤|没伤到人|没有人受伤|没砸到人|(?<!有)(?:附近|旁边|下面)?(?<!有)(?:没人|没有人)(?!管|修|理|来|接|清|能|帮|在家|应|回|听|敢)|人不多|没几个人|差一点|差点|险些|幸好没|还好没|天天|每天|经常|总是|老是|好几次|多次|烧烤|油烟|做饭|炒菜|抽烟|看热闹|(?:围着|围了一圈|围在).{0,10}(?:看|表演|卖艺|唱歌|跳舞|直播|耍猴|下棋|打牌|拍照|卖)|表演|卖艺|街头艺人|(?:电话|热线|门禁|按钮|系统|app|小程序|群里|物业|客服|公众号|网格员|对讲).{0,8}(?:没反应|没有反应|没动静)")


# what makes a crowd unrest (a grievance) rather than an emergency (a crush, a brawl)
_PROTEST = re.compile(r"横幅|讨薪|工资|工钱|讨钱|欠钱|维权|售楼处|业主|村民|街道|居委|物业|对峙|冲击|举着牌子|情绪.{0,2}激动|围住|上访|信访|拆迁|讨说法|说法|闹事|抗议|示威|静坐|补偿|退房|退款|退钱|开发商|烂尾|政府|业主们|物业费|标语|喊口号|口号")


@dataclass(frozen=True)
class Alarm:
    """What the layer decided. `p0`: life or property at risk now; `category`: emergency, or unrest
    for a crowd; `word`: the danger as written (folded); `against`: the negative evidence that kept a
    danger from P0 (past, elsewhere, hypothetical, planned, drill, minor), None when none did."""

    p0: bool
    category: str | None = None
    kind: str | None = None
    word: str | None = None
    against: str | None = None

    @property
    def danger(self) -> bool:
        """A danger was named at all (P0 or not)."""
        return self.kind is not None


NONE = Alarm(False)


def _dangers(s: str) -> list[tuple[str, str, str, int]]:
    """(kind, category, word, position) for each danger named, in the order of the table."""
    found = []
    for kind, pattern, category in _DANGER:
        for match in pattern.finditer(s):
            if kind == "shout" and not _SHOUT_NEEDS.search(s.replace(match[0], "", 1)):
                continue
            if _NEGATED.search(s[max(0, match.start() - 4):match.start()]):
                continue  # "没人被困", "没有冒烟"
            found.append((kind, category, match[0], match.start()))
            break
    return found


LEARNT_P0 = 0.25  # the learnt score's cut-off (a margin over the SVM's boundary: the table of words comes first)


def names_danger(text: str) -> bool:
    """Whether a raw line names any danger of the table (typos read through): a cheap look, before
    parsing, for what to handle first. Negative evidence is not weighed here."""
    s = read_through(fold(text or "").lower())
    return any(pattern.search(s) for _kind, pattern, _category in _DANGER)


def _hypothetical(s: str, start: int, end: int) -> bool:
    if start == end:  # the learnt signal has no position: any hypothetical in the line counts
        return bool(_HYPOTHETICAL_BEFORE.search(s) or _HYPOTHETICAL_ANYWHERE.search(s))
    return bool(_HYPOTHETICAL_BEFORE.search(s[:start]) or _HYPOTHETICAL_AFTER.search(s[end:])
                or _HYPOTHETICAL_WORD.search(s[start:end]))


def assess(s: str, shape: str = "text", learnt: float | None = None) -> Alarm:
    """The P0 decision for one line (folded, lower-cased, typos read through). `learnt` is the
    score of the layer's own linear model (life at risk now, trained on labelled group-chat
    lines): above LEARNT_P0 it counts as a danger named in words the table lacks, and meets the
    same negative evidence."""
    if shape in ("system", "chain", "link", "relay") or not s:
        return NONE
    found = _dangers(s)
    if not found and learnt is not None and learnt > LEARNT_P0 and _SHOUT_NEEDS.search(s):
        # the learnt score alone needs someone or somewhere in danger named ("快了快了等我" names none)
        found = [("learnt", "emergency", "", 0)]
    if not found:
        return NONE
    real = [(k, c, w, p) for k, c, w, p in found if not _hypothetical(s, p, p + len(w))]
    kind, category, word, _pos = (real or found)[0]
    if not real:
        return Alarm(False, category, kind, word, "hypothetical")
    # a real danger outranks a crowd, a crowd a shout; a crowd with a grievance is unrest whatever else
    order = sorted(real, key=lambda f: (f[0] == "shout", f[0] == "crowd"))
    kind, category, word, _pos = order[0]
    crowd = next((f for f in real if f[0] == "crowd"), None)
    protest = bool(_PROTEST.search(s))
    if crowd is not None and protest:
        kind, category, word, _pos = crowd
    elif kind == "crowd":
        category = "emergency"  # a crush or a brawl, not a protest
    away = _REPORTER_AWAY.sub(" ", s)
    ongoing, immediate = bool(_ONGOING.search(s)), bool(_IMMEDIATE.search(s))
    if _ELSEWHERE.search(away) and not _HERE.search(s):
        return Alarm(False, category, kind, word, "elsewhere")
    if _DRILL.search(s) and not (immediate or _NOW.search(s)):
        return Alarm(False, category, kind, word, "drill")
    if _OVER.search(away) and not _NOT_OVER.search(s):
        return Alarm(False, category, kind, word, "past")
    if _PAST.search(away) and not (immediate or _NOT_OVER.search(s)):
        return Alarm(False, category, kind, word, "past")
    if kind in ("crowd", "shout", "learnt") and _PLANNED.search(s) and not _UNDER_WAY.search(s):
        return Alarm(False, category, kind, word, "planned")
    if kind == "height" and _THREAT.search(s):
        return Alarm(False, "unrest", kind, word, "planned")
    minor_kinds = ("crowd", "collapse", "person_down", "shout", "learnt", "height")
    if kind in minor_kinds and _MINOR.search(s) and not ongoing:
        return Alarm(False, category, kind, word, "minor")
    if kind == "fire" and "火" not in word and _SMOKE_SOURCE.search(s) and not (ongoing or _FLAME.search(s)):
        return Alarm(False, category, kind, word, "minor")
    if shape == "notice" and not immediate:
        return Alarm(False, category, kind, word, "notice")
    return Alarm(True, category, kind, word)
