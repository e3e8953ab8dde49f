# ruff: noqa: E501  (evidence tables read best one kind per line)
"""The P0 safety layer: is a life or property at risk RIGHT NOW?

Separate from the category model on purpose. It is built for recall: any sign of danger (fire,
smoke, gas, a person down, shut in or trapped, water on live electricity, something giving way
over people who are there, someone on an edge, violence, a crowd pushing) raises P0, with or
without an urgency word, whoever reports it (a relative far away or watching on a camera
included: "我在外地 监控里看到我妈倒在客厅" is a P0 at home). People in trouble are told by what is
seen, heard or felt as often as by a keyword (躺着不动, 说不出话, 心口疼得打滚, 里面有人在拍门,
灯里都是水 还亮着), so the table names states, sounds and places, not only events.

Every place a danger is named is weighed on its own ("昨天困过人 现在又困住了" is P0 by its second
naming). What lowers it is explicit negative evidence, each kind named:

- past: told after a word of the past with no word of now between (上周摔伤 现在还在医院: the
  family's need, not an emergency), or over (已经修好, 灭了, 没事了, the people out of a lift), or
  its aftermath argued (医药费, 调解), or a false alarm told as one (还以为…, 一看是…) — unless
  what follows says it is still going on (还在冒烟, 越来越浓);
- elsewhere: news, another city, another estate, a forwarded story, a song or a film;
- hypothetical: 万一 / 如果 / 怕 / 真(着火了) … before the danger word, or a question after it
  (…往哪跑, …咋出来, 是哪里着火了吗): a hazard, not a fire;
- planned: a threat or plan for a later day (下周一去区政府拉横幅, 说再吵就拿刀) — P1, not P0;
- figurative: a figure of speech or anger let off (想跳楼的心都有了, 气话, 开玩笑);
- drill: 演练, 检测, 培训, 宣传 — talk about danger, not danger;
- minor: nobody at risk (塌了一点, 下面没人, people 围着 a street performer, a phone that 没反应)
  or a standing matter (天天, 总说); 家里没人 / 没大人 next to a child in danger is not "nobody".

The learnt score (training.py) is a second opinion for words the table lacks; it meets the same
evidence. The parser's category model may neither lower a P0 raised here nor raise one by itself.
Input is folded, lower-cased text already read through typos (typos.read_through).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlp.text import fold
from bot.nlp.typos import read_through

_CHILD = r"(?:孩子|小孩|小朋友|宝宝|婴儿|娃娃?|小娃娃|细路仔?|细佬|伢|bb|儿子|女儿|闺女)"
_P = r"(?:人|老人|老太太?|老头|老爷子|老奶奶|大爷|大妈|阿姨|奶奶|爷爷|姥姥|姥爷|外婆|外公|孩子|小孩|小朋友|宝宝|婴儿|他|她|老伴|我妈|我爸|我婆婆|我公公|妈|爸|邻居|师傅|工人|民工|农民工|大哥|大姐|男的|女的|小伙|学生|娃|小娃娃|娃娃|闺女|儿子|女儿|老公|老婆|快递小哥|外卖员|小哥|细路仔?|细佬|伢|孕妇|病人|司机|路人|初中生|小学生|高中生|姑娘|小姑娘|老板|保安|保洁|老汉儿?|老两口|员工|店员|顾客|住户|租户|病人|男子|女子|一男子|一女子|男孩|女孩|阿婆|阿公|阿嫲|阿爷|阿伯|阿叔|阿姐|婆婆|公公|嬢嬢|嗲嗲|娭毑|两公婆|两口子)"
# the same without a bare 人 ("人人影视倒了" is a website)
_PN = r"(?:老人|老太太?|老头|老爷子|老奶奶|大爷|大妈|阿姨|奶奶|爷爷|姥姥|姥爷|外婆|外公|孩子|小孩|小朋友|宝宝|婴儿|他|她|老伴|我妈|我爸|我婆婆|我公公|妈|爸|邻居|师傅|工人|民工|农民工|大哥|大姐|男的|女的|小伙|学生|娃|小娃娃|娃娃|闺女|儿子|女儿|老公|老婆|快递小哥|外卖员|小哥|细路仔?|细佬|伢|孕妇|病人|司机|路人|初中生|小学生|高中生|姑娘|小姑娘|老板|保安|保洁|老汉儿?|老两口|员工|店员|顾客|住户|租户|病人|男子|女子|男孩|女孩|阿婆|阿公|阿嫲|阿爷|阿伯|阿叔|阿姐|婆婆|公公|嬢嬢|嗲嗲|娭毑|两公婆|两口子)"

def _quick(alternation: str) -> str:
    """`alternation` led by a class of its words' first characters: the regex engine then tries the
    long list only where one of them stands (the table is run on every line; this keeps it fast)."""
    words = alternation[3:-1].split("|")
    return f"(?=[{''.join(sorted({w[0] for w in words}))}]){alternation}"


_CHILD, _P, _PN = _quick(_CHILD), _quick(_P), _quick(_PN)

# people in the way of what is falling, giving way or flooding: in it, under it, waiting beside it
_EXPOSED = rf"(?:(?:下面|底下|下边|楼下|里面|里头|屋里|车里|旁边|上面)(?:还|就|都|正)?(?:有|在|住着|坐着|站着)?[^,，。!?！？;；是没无不]{{0,6}}?(?!人行道|人来人往|人往)(?:(?<!来)人(?!行道|来人往|往)|{_CHILD}|{_P}|学生|老人|工人|幼儿园|学校|小学|接孩子|在等|在玩)|(?:下面|底下|下边|楼下|旁边|后面|对面)(?:就)?是.{{0,6}}(?:幼儿园|学校|小学|住户|人家|居民|放学|主干道|马路|公交站|路口)|(?:一堆|好多|很多|一群|不少|一大堆)人在|(?:一家|全家|我们)(?:人)?(?:都|还)?在(?:屋|家)里|(?<![没莫])砸(?:中|到)(?:人|{_P})|有人被|(?:有人|人|{_P})(?:家)?(?:还)?在(?:里面|里头|下面|底下|上面|屋里|房|屋)|(?:一家|全家)[^，。]{{0,3}}(?:都|还)?在|(?:躲|匿|缩)在)"
# (kind, pattern, category): the danger itself, named or told by what is seen, heard or felt
_DANGER: list[tuple[str, re.Pattern[str], str]] = [(kind, re.compile(p), cat) for kind, p, cat in [
    ("fire", r"(?<![a-z])fire(?![a-z])|(?<=[楼栋幢元室号家店车库房])\s?🔥+|🔥+\s?(?:快|救|着火|起火)|(?:^|(?<=\s))(?:火|烟|浓烟|大火|起火)(?=\s|$|[!！])|(?<!打不)(?<!点不)(?<!开不)(?<![打点憋窝])着火|[着起失]过(?:一次|一回|两次|几次)?火|起火|失火|火灾|烧起来|烧着了|自燃|火苗(?:窜|蹿|冒|很大|好大|往上)|(?:窜|蹿|冒|喷)出?(?:了)?(?:火苗|火舌)|火舌|明火|见火|火光|火很大|火势|冒火(?!车)|窜火|(?:冒|溅|迸|窜|蹦|掉)(?:出)?火星|火星(?:四溅|乱溅|直冒)|(?:点|引|烧|燃)着了|燃起来了|着起来了|(?:全是|都是|好大的?|很大的?)火(?![星花车锅腿柴机龙])|火好大|火一下|红光|(?:罐|锅|灶|灶台|油锅|插座|电线|电瓶|电动车|车|房子?|厨房|窗帘|被子|沙发|充电桩|电箱|电表箱|车棚|仓库|杂物|纸箱|垃圾桶|垃圾堆|柴火|草垛|衣服|床)(?:子)?(?:那边|那儿|里)?着了|(?:窗户?|屋|楼)里.{0,4}(?:一大片|一片|通)红"
     r"|火.{0,2}(?:越烧越|越来越)(?:大|旺)|越烧越(?:大|旺)|火.{0,4}(?:往上|往外)?(?:窜|蹿)|火.{0,3}关不(?:掉|了|上)|烧得(?:噼里啪啦|噼啪)"
     r"|(?:冒|飘|出|一股|一阵|滚滚|全是|都是|好多|很多|好大的|很大的)(?:黑|白|浓|灰|青|蓝)?烟(?![头草酒花囱瘾民])|浓烟|黑烟|(?:屋里|家里|楼道|里面|房间|楼梯间?|楼顶|屋头)(?:里)?(?:真|确实|也)?(?:有|全是|都是)烟(?![头草酒花囱瘾民])"
     r"|烟子?\s?(?:很大|好大|太大|往外冒|一直冒|越来越大|呛人|往外|往上|顺着|从|滚|窜|蹿|一股一股|一阵一阵)|(?:往外|往上|一直|在)(?:翻|滚|渗|窜|蹿|冒)(?:黑的|黑烟|烟|浓烟)|(?:翻|渗)烟|(?:窗户?|门缝|后门)(?:里|下面)?.{0,4}(?:冒|翻|滚|渗|窜)(?:黑的|烟|火)|(?:闻到|有|一股|好大的?)烟味"
     r"|呛得.{0,6}(?:睁不开|喘不过气|眼泪|流泪|直咳|咳)|(?:黑乎乎|黑漆漆|黑压压|白茫茫|灰蒙蒙)的?.{0,4}(?:往上|往外)?(?:飘|冒|窜|涌|一片)|(?:屋里|客厅|家里|厨房|房间|楼道|卧室).{0,6}(?:白茫茫|灰蒙蒙|黑乎乎|全是黑的)|门(?:摸上去|摸着)?(?:是|都|很|好)?烫(?:的|手)|看不见楼梯|(?:轰|嘭|砰|轰隆)(?:的)?一声.{0,16}(?:震|碎|塌|烟|火|晃)|焦味|焦糊味|糊味.{0,6}(?:很大|好大|越来越|浓)|(?:塑料|胶皮|橡胶|电线|绝缘皮)(?:烧)?(?:糊|焦)(?:了的|的)?味|烧(?:塑料|胶皮|橡胶|电线)(?:的)?味|(?<!油)烟.{0,4}(?:漫到|漫上|漫进|灌进|窜到|蹿到|飘到)(?:了)?.{0,3}(?:楼|层|屋|家|楼道|走廊)|烧焦(?!的(?:东西|垃圾|家具|杂物))|烟雾报警(?!器)|烟感.{0,3}(?:响|叫|报警(?!器))|(?:楼|家|店|厨房|车库|小区|单元|门口|里面|锅炉|罐|电瓶|电池).{0,8}(?<![群锅毛])(?<!群都)(?:爆炸|炸了)|爆炸声|(?:一声|一阵)(?:巨响|爆响)|(?:打火|点火|灶|燃气|煤气|气罐).{0,8}(?:轰|砰|嘭)(?:了一下|的一声|一声)|燎了", "emergency"),
    ("gas", r"(?:燃气|煤气|天然气|液化气)(?:管道?|罐|灶|表)?.{0,4}(?:泄漏|漏气|漏了|在漏|味)|燃气味|煤气味|天然气味|液化气味|臭鸡蛋|(?<!没)闻到.{0,6}(?:燃气|煤气|天然气|液化气)|(?:燃气|煤气|天然气|液化气).{0,16}(?<!没)(?<!没有)闻到.{0,2}味|煤气中毒|一氧化碳|(?:燃气|煤气|天然气)管.{0,4}(?:破|断|挖|打穿|打到)|(?:挖|打|钻)(?:破|断|到)了?(?:燃气|煤气|天然气)管|像(?:是)?(?:煤气|燃气|天然气|液化气)|gas味|(?<!没)漏气"
     r"|(?:呲|嗞|咝|嘶)(?:呲|嗞|咝|嘶)?(?:地)?(?:往外)?(?:喷|冒|漏|响|气)|漏气声|(?:气罐|煤气罐|液化气罐|钢瓶|燃气管|燃气表|阀门|减压阀).{0,6}(?:在漏|漏了|在呲|冒白|喷|往外冒|往外喷)|(?:喷|冒|往外喷|往外冒)(?:白)?(?:蒸)?[汽气](?!泡)|瓦斯|压力表.{0,6}(?:红线|爆表|超了|打满|到头)|在漏.{0,6}(?:呲|嗞|咝|嘶)|(?:呲|嗞|咝|嘶){2}的"
     r"|(?:燃气|煤气|可燃气体)报警器.{0,10}(?:一直|在|还在)?(?:响|叫|报|弹)|报警器.{0,6}(?:推送|报警).{0,6}(?:浓度|燃气|煤气)|浓度超标|(?:怪味|一股味|有股味|味道|气味|味儿?).{0,12}(?:头晕|头好晕|头很晕|头痛|头疼|想吐|吐了|恶心|站不住)|(?:头晕|头好晕|头很晕|想吐).{0,12}(?:怪味|股味|气味|煤气)|熏得.{0,8}(?:吐|晕|睁不开)"
     r"|(?:燃气|煤气)?(?:热水器|燃气灶|煤气灶|炉子|取暖器).{0,16}(?:头晕|想吐|恶心|站不住|晕|没动静|叫不应|不应)|(?:都|全家|一家|我们|俩).{0,4}(?:头晕|头痛|头疼)(?:想吐|恶心)|(?:烧炭|蜂窝煤|炭火|炭盆|煤炉).{0,14}(?:含糊|晕|没反应|叫不醒|不动|没声)|(?:炉子|煤炉|蜂窝煤|炭|封火|封炉|封了)[^。]{0,24}(?:头疼|头痛|头晕|想吐|恶心|起不来|叫不醒|电话都?不接|没人应)|(?:头疼|头痛|头晕|想吐|恶心|起不来|叫不醒|电话都?不接)[^。]{0,24}(?:炉子|煤炉|蜂窝煤|炭火|封了)|没熄火.{0,10}(?:窗户?关|门关|人在|趴)|肥皂水.{0,10}泡", "emergency"),
    ("trapped", rf"电梯.{{0,4}}(?:坠落|下坠|掉下去|掉下来|冲顶|蹲底|往下掉|溜梯|失控)|电梯.{{0,6}}(?:关着|困着|卡着|锁着|关了|困了|卡了|关住|困住)(?:[一二两三四五六七八九十几]?个)?(?:人|{_P})|(?:门)?扒不开|(?:人|{_P}).{{0,4}}出不来|困人|困过(?:一次|一回|两次|几次)?人|被困|困住|困在(?!家)|(?:有人|人|我|{_P})(?:被)?(?:关|困|锁)在(?:里头|里面|里边|轿厢)|(?:关|卡|锁|困)(?:在)?电梯|电梯.{{0,8}}(?:(?:里有人|里面有人)[!！?？\s]*(?:被?困|出不来|在喊|在拍|晕|倒|卡)|人出不来|卡住了?.{{0,6}}人|困了)|卡在.{{0,8}}(?:楼|层)(?:之间|中间)|(?:人|孩子|小孩|老人|{_CHILD}).{{0,6}}(?:卡|夹)在.{{0,8}}(?:里|栏杆|窗|护栏|防盗|门|缝|墙边)|被(?:卡|夹)(?:在|住)|出不来了|卡在防盗网|轿厢不在|(?:一个人)?在电梯里.{{0,4}}卡住"
     rf"|(?:里面|里头)(?:还)?有.{{0,6}}(?:拍门|敲门|在喊|呼救|喊救命)|(?:里面|里头)(?:还)?(?:有|困着|关着)(?:个|一个)?(?:人|{_P}).{{0,8}}(?:拍门|敲门|喊|哭|呼救|出不来|打不开|扒不开)|(?:人|{_P})(?:还)?(?:在)?(?:里面|里头)(?:在)?(?:拍门|敲门|喊|哭|呼救)|拍门|(?:门|电梯门?)(?:打不开|扒不开|开不了|开不开).{{0,12}}(?:里面有|有人|人在)|(?:里面有人|有人在里面|人在里面).{{0,12}}(?:打不开|扒不开|开不了|开不开)"
     rf"|电梯.{{0,8}}(?:停|卡)(?:在)?(?:了)?半截|(?:停|卡)(?:在|佇)?(?:了)?(?:半截|半道|半路|半中间)|出袂来|(?:我们|一家|全家|[一二三四五]口|老人|孩子|小孩)[^,，。挡堵停车]{{0,12}}(?<![车班])出不去(?!玩|吃|旅游|逛)|电梯.{{0,10}}停在.{{0,6}}(?:楼|层).{{0,4}}不动.{{0,10}}(?:有人|人在|拍门)|(?:锁|反锁|关)(?:在)?车里|车里(?:锁|关)(?:了|着)(?:个|一个)?(?:人|{_P})|反锁在(?:家|屋|房|车|厕所|卫生间)|(?:冷库|冰库|地窖).{{0,10}}(?:有人|人在|关上|锁)"
     rf"|夹(?:住|着)(?:了)?(?:一?个)?(?:人|{_P})|被.{{0,8}}夹(?:在|住)|(?:还有|还有个|有个?)(?:人|{_P}).{{0,6}}没(?:出来|跑出来|撤出来)", "emergency"),
    ("person_down", rf"晕倒|昏倒|昏迷|栽倒|倒下了|倒下去|歪下去|(?:有人|人)(?:突然|一下子?|忽然|直接|就)*(?<![推扳碰放摆病])倒了(?![一些点很好不])|{_PN}[^\s,，。!?！？]{{0,8}}(?<![推扳碰放摆病])倒了(?![一些点很好不])|噎住|憋紫|喘不上(?:来)?气|意识不清|迷迷糊糊|人.{{0,2}}迷糊了|抽搐|吐沫|喊.{{0,2}}不答应|一直没动|(?:头|脸).{{0,4}}(?:出血|都是血)|误(?:喝|服|吃)|吞了.{{0,6}}(?:电池|硬币|药)|休克|倒在地上|倒地|不省人事|没(?:有)?(?:了)?呼吸|不喘气|{_P}.{{0,4}}没气了|叫不醒|喊不醒|推不醒|摇不醒|拍不醒|(?:船|出海).{{0,12}}(?:没返|没回|没靠岸|没返港|失联)(?=.{{0,30}}(?:打不通|联系不上|风|浪))|(?:吸氧|氧气|制氧机|呼吸机).{{0,16}}(?:只剩一|快用完|快没了|撑不住)|(?:糊涂|痴呆|认不得路|不认路).{{0,30}}(?:没回来|没回家|不见了|联系不上)|{_P}.{{0,8}}(?:没反应|没有反应|没动静了|抽搐|口吐白沫|嘴唇发紫|脸都紫了)|(?:摔|跌|滑)(?![东碗门盘杯手])(?:倒|了一跤|下去|下来|到|在)?.{{0,12}}(?:起不来|爬不起来|没起来|动不了|不能动|站不起来|不动|没动(?!手)|没反应|叫不醒|流血|出血)|起不来了|爬不起来|(?:坐|躺|趴|瘫|倒|跌|摔)(?:在)?(?:地上|地下|地板上).{{0,6}}(?:起不来|站不起来|动不了)|心脏病.{{0,4}}(?:犯了|发作)|中风了|脑梗.{{0,4}}(?:了|犯)|突发.{{0,4}}(?:心脏|脑溢血|疾病)|大出血|血流不止|流了(?:好多|很多|一地)血|满头是血|头破血流|烫伤|被车撞(?!歪|坏|断|弯|塌|变形)|撞倒了?{_P}|{_P}.{{0,4}}被撞|{_P}.{{0,8}}(?:受伤|伤得|压在|压住|被压|中毒|烫伤|摔伤|骨折)|(?:被|给).{{0,4}}(?:压在|压住)"
     r"|(?<![圾土料水菜渣物西油沙灰泥石砖瓦])倒在(?!床|沙发上)[^\s，。,]{0,6}(?:地上|地下|楼梯|门口|路|电梯|卫生间|厕所|家里|阳台|厨房|客厅|卧室|浴室|沙发边|楼道|花园|草地|垃圾|小区|边|旁)|倒在.{0,8}(?:不动|没动|没反应|叫不醒|起不来|半天|一直|没起来)"
     rf"|躺(?:在|着|了)?(?:个|了个)?.{{0,10}}(?:不动|没动|起不来|叫不醒|叫他|喊他|叫她|喊她|没反应|没起来|一直|哼|抽|血|吐|滚烫|意识|流|不应)|躺(?:在)?(?:地上|地下|楼梯|路上|路边|路中间|马路|草坪|垃圾|楼道|电梯|花坛|车库|门口)|(?:有|个)(?:人|{_P})躺着|躺(?:着|了)?个"
     rf"|(?:半天|好久|一直|好一会儿?|一个多?(?:钟头|小时)|半个?(?:钟头|小时))(?:都)?没(?:动|起来|动静|出来|醒)|一动不动|(?:就|人|{_P})没(?:声|动)了|头一歪|(?:手指|手|脸|嘴唇)(?:头)?(?:都)?(?:发)?紫了|(?:人|{_P})[^\s,，。]{{0,12}}不动了|没气了好像|好像没气了|(?:叫|喊)(?:他|她|人)?.{{0,4}}(?:也)?(?:不应|不答应|没反应|不醒)|(?:趴|蜷|瘫|缩)(?:着|在)?(?:个|地上|地下|在地)|(?:趴|蜷)(?:在)?.{{0,6}}(?:不动|没动|没反应|叫不醒)|(?:在|躺在|倒在|趴在)地上(?:一动)?不动|被.{{0,6}}(?:拖行|拖了|卷进|卷入)|白沫|浑身(?:发抖|抽|发紫|发青)|(?:捂着|捂住)(?:胸口|心口|肚子|头)|脸(?:色)?(?:煞白|惨白|发青|发紫|铁青)|冒冷汗|冷汗直冒|晕在|昏在|晕过去|昏过去|厥过去|被.{{0,6}}(?:撞倒|刮倒|撞飞|撞伤|碾|轧)|(?:压|卡)在[^\s,，。]{{0,6}}(?:下面|底下)|(?:电话|语音|说了?一?(?:句|半)).{{0,14}}(?:没声|没了声音|没动静)"
     rf"|(?:头|脑门|脑袋|额头|脸|鼻子|嘴|腿|手|身上).{{0,4}}(?:在|一直)?(?:流血|出血|冒血)|没(?:了)?意识|失去意识|意识模糊|神志不清|说不(?:出|了)话|没得反应|冇(?:晒)?反应|冇气|(?:晕|跌|瞓低)咗|(?:遭|着|被)电打|(?:人|{_P})[^\s,，。]{{0,6}}(?:快|好像|怕是|眼看|已经)?不行了|(?:人|{_P})[^\s,，。]{{0,8}}(?:不能动|动不了)了|说话(?:都)?(?:含糊|不利索|不清楚|不清)|口齿不清|嘴(?:也|都)?歪了|半(?:边|拉|个)(?:身子|脸|身体)?(?:都)?(?:麻|动不了|没知觉|不能动)|没知觉|(?:在|直|一直)翻白眼|翻白眼.{{0,4}}(?:抽|吐|没反应|倒)"
     r"|(?:胸口|心口)(?:很|好|特别|突然)?(?:疼|痛|闷)(?:得|的)|满地打滚|见红|(?:疼|痛)[得的](?:打滚|满地打滚|受不了|遭不住|站不起来|说不出话|直冒汗|满头大汗|直叫|晕|直不起)|满头大汗.{0,6}(?:疼|痛|喘)|(?:疼|痛).{0,6}满头大汗"
     rf"|(?:撞|碾|轧)(?:了|倒|伤|到)(?:一?个)?(?:人|{_P})|(?:人|{_P})[^\s,，。]{{0,4}}晕了|(?:有人|{_P})倒着|倒着(?:个|一个)(?:人|{_P})|上吐下泻|食物中毒|集体中毒|噎着|鱼刺卡|卡(?:住)?喉咙|过敏性休克|喉咙肿|抽(?:起来了|风了)|羊癫疯|癫痫(?:犯|发作)|烧伤|被马蜂(?:蛰|叮)|马蜂在(?:蛰|追)|{_CHILD}[^的\s,，。]{{0,4}}(?:不见了|找不到了|走丢了|(?<![本证卡包书表票费钱机])丢了)|心脏骤停|心跳(?:停|没)了|没(?:有)?心跳|心肺复苏|人工呼吸|(?:有没有|谁有|拿|找|快|借).{{0,4}}aed|aed(?:在哪|呢|吗)|(?:懂|会|识)急救|羊水(?:破|流)|要生了|快生了|早产"
     rf"|被.{{0,4}}(?:砸|打)(?:了|到|中|伤)?(?:头|脑袋|脑门)|砸中(?:了)?(?:一?个|{_P})|被.{{0,6}}砸(?:晕|伤|倒|中)|(?<!放)(?:狗|大狗|狼狗|藏獒).{{0,8}}(?<!不)(?<!没)(?:咬(?:住|伤|倒|了)?|扑(?:倒|伤)).{{0,4}}(?:人|{_P})|在咬.{{0,4}}(?:人|{_P})|被.{{0,4}}狗.{{0,2}}(?:咬|扑)|在咬(?:人|{_P})"
     r"|(?:一直|还在|不停)(?:在)?(?:流血|出血|吐)|血(?:止不住|流不止)|流血不止|头(?:破|磕破|摔破|撞破)了|地上(?:都是|一滩)血|一滩血|满脸(?:是)?血|(?:流|出)了好多血|被(?:人)?(?:捅|砍|刺|扎)(?:了|伤|一刀)|被打(?:晕|伤|倒|得)"
     rf"|脖子.{{0,4}}(?:缠|勒|套)着?.{{0,2}}(?:绳|电线|带子)|(?:吃|喝)药(?:吃|喝)?多了|药(?:吃|喝)多了|吃多了药|说胡话|(?:手脚|浑身|身上)冰凉|(?:咚|砰|扑通|嘭)的一声.{{0,12}}(?:没动静|没声|不应|没反应)|然后就没(?:动静|声音?)了|(?:人|{_P}).{{0,6}}(?:摔|跌)(?:在|到)?地上|摔那儿?了|整不起来|哼哼唧唧|喝了?农药|喝(?:了)?(?:敌敌畏|百草枯|老鼠药|洗洁精|消毒液|84)|吃了(?:一瓶|一整瓶|好多|很多|一把|半瓶)(?:的)?(?:安眠药|药)|割腕|上吊|哮喘(?:犯了|发作|病发)|哮喘.{{0,6}}(?:没带药|喘不|上不来|呼吸)|呼吸(?:困难|不上来|不过来)|吸不上(?:来)?气|(?<![闷累压气热忙笑]得)喘不过(?:来)?气|喘气很弱|透不过气|(?<![闷累压气热忙笑]得)喘不(?:上|动|过)(?:来)?气|呼吸(?:特别|很|好|非常)?(?:急促|困难|很弱|微弱|好弱|特别急|很急)|说不出完整|嘴唇发(?:白|紫|青)|上气不接下气"
     rf"|(?:人|{_P}).{{0,6}}(?:从|在).{{0,8}}(?:楼上|梯子|架子|脚手架|楼顶|窗户|阳台|树|楼梯)上?(?:摔|掉|跌|滚)下来|(?:人|{_P})[^,，。!?！？]{{0,4}}(?:掉|摔|跌|滚)(?:下来|下去|进去)|(?:在|从)(?:下面|底下|里面|井里|坑里)(?:哭|喊|叫|呼救)|中暑|全身滚烫|浑身滚烫|高烧.{{0,6}}(?:抽|不退|说胡话)|抬不动|扶不起来|拉不起来|被踩|(?:走丢|走失)(?!.{{0,3}}[回次])(?=.{{0,30}}(?:痴呆|零下|天黑|河|湖|水库|冻))|(?:痴呆|几岁的?(?:孩子|小孩)|小孩|孩子).{{0,20}}(?:走丢|走失)(?!.{{0,3}}[回次])", "emergency"),
    ("water_electric", r"(?:漏水|渗水|滴水|水(?!电)).{0,12}(?:插座|插头|插排|插线板|电线|灯线|吊灯|电热水器|电箱|电表箱|配电箱|配电柜|配电间|电闸|灯座|开关|电器)|(?:插座|电线|电箱|电表箱|配电箱|电闸|灯座|开关).{0,8}(?:进水|泡水|泡在水|在滴水|渗水|漏水|冒水|淋湿|冒火花|打火|冒烟|噼啪)|冒火花|打火花|电火花|漏电|触电|(?:水|漏|流).{0,16}电梯(?:还在|照常|也还在)(?:运行|在用|在跑|开|用)|(?:一摸|一碰|摸|碰).{0,3}(?:就)?(?:麻|电人|电手)|麻手|电线.{0,6}(?:掉|断|垂).{0,8}(?:地上|水里|路上)"
     r"|灯(?:里|罩|座|管|里面)?.{0,4}(?:都是水|有水|进水|积水|滴水|流水|往下(?:漏|滴|流)|在滴|在漏)|灯(?:罩|座|管|泡|具)?(?:里|里面|上|边上|周围)[^\s,，。]{0,5}水|水.{0,8}(?:从|顺着|流进|流到|漏到|滴到|进了?).{0,6}灯|水.{0,20}灯.{0,4}(?:在闪|一闪一闪|忽明忽暗)|(?:灯还亮|灯亮着|灯还开着|还有电|通着电|带电|没断电|电还没断|插着电).{0,14}水|水.{0,16}(?:灯还亮|灯亮着|灯还开着|还有电|通着电|带着电|没断电|电还没断|插着电)"
     r"|(?:插头|插排|插线板|接线板|插座|电线|配电柜|配电间|配电房|配电室|电箱|电表|电缆|充电器|电机)(?:都|也|全)?(?:浸|泡|淹)(?:在)?(?:水里|了|到|着)|(?:淹|泡|浸)(?:到|了|着)(?:配电|电箱|插座|电表|电缆|插头)"
     r"|(?:灯|电|插座|插头|电线|开关|电箱|电闸).{0,12}(?:嗞嗞|滋滋|呲呲|噼啪|噼里啪啦|吱吱)|(?:嗞嗞|滋滋|呲呲|噼啪|噼里啪啦|吱吱).{0,12}(?:灯|电|插座|插头|电线|开关|电箱|电闸)|被电(?:倒|到|打|击|了)|电(?:倒|到)了", "emergency"),
    ("flood", r"(?:水|洪水|河水|江水)(?:已经|都)?(?:进屋|进房间|进家|灌进来|倒灌|漫进|冲进)|水(?:已经)?齐(?:胸|脖|腰)|水(?:到|淹到)(?:胸|脖子)|水(?:已经)?(?:到|淹到|浸到|漫到|没过)了?(?:膝|腰|大腿|床边|床)|(?:沙袋|堤|坝|圩)[^，。]{0,8}(?:冲开|冲垮|决口|口子|管涌|冒水)|管涌|决堤|溃堤|破圩|口子越来越大|闸门?关不上|冲锋舟|(?:人|个人)在(?:楼顶|屋顶|房顶)上|水管爆|管子爆|爆了.{0,3}(?:水|管)|水(?:漫|淹)(?:进|到|了|金山)|淹了|积水.{0,6}(?:一米|半米|齐腰|没过|淹)|水.{0,6}(?:到膝盖|到腰|齐腰|没过膝)|(?:水|污水).{0,6}往.{0,4}(?:屋里|家里|楼道)(?:灌|涌|冲)"
     rf"|水.{{0,6}}(?:到车窗|到车顶|没过车|到小腿|到大腿|到胸|快没)|(?:水|淹|沉|河|湖).{{0,16}}(?:车|车里|车内)(?:里)?(?:还)?(?:有人|坐着人|有个人)|(?:人|{_P})(?:还)?在车里(?=.{{0,12}}(?:水|淹|沉|拍窗))|(?:河水|洪水|江水|湖水|水位)(?:已经)?漫上来|漫进(?:屋|家|一楼|楼道)|漫上来.{{0,10}}(?:屋|家|一楼|进水|老人|人)|还在涨|灌进去|(?:一楼|地下室|车库|地库|家里).{{0,6}}进水.{{0,12}}(?:有人|老人|病人|没出来|人在|推不出|出不去|插|电)", "emergency"),
    ("collapse", rf"塌陷|倒塌|坍塌|塌方|(?:墙|墙身|山坡|后山|坡|挡土墙)[^，。\s]{{0,6}}(?:在动|在这动|在晃|落泥|掉泥|落石|滚石)|(?:房子?|楼|墙|地面?|路面?|桥|基坑|坑|坡|屋顶|棚|阳台|雨棚|招牌|广告牌|吊顶)[^，。\s]{{0,4}}(?:塌|垮)了|(?:地面|路面|地|路).{{0,4}}(?:陷下去|陷了|往下陷|下沉|裂开)|(?:基坑|坑边|坑壁|边坡|土坡|挡土墙|脚手架|塔吊).{{0,8}}(?:塌|垮|滑|裂开|倒|往下掉|要倒|歪了|晃)|滑坡|(?<![没莫])(?<!没有)砸到{_P}|砸伤|(?:河堤|堤坝|楼梯|墙|房子|楼板).{{0,4}}(?:在垮|垮了|往下垮|在裂|往下沉|在摇|在晃)|房子在摇|缝.{{0,6}}(?:一下子)?变大|缝.{{0,4}}越来越大|土.{{0,4}}(?:一直在|在)垮"
     rf"|(?:天花板|吊顶|水泥块|钢筋|钢管|钢丝绳|吊着的|吊物|重物|墙|围墙|围挡|树|大树|招牌|广告牌|牌子|车棚|棚顶|雨棚|塔吊|脚手架|楼板|外墙|山|石头|空调|外机|架子|玻璃|窗户|窗框|砖|瓦|彩钢板|吊篮|电线杆|灯杆|堤|土|顶|铁棚|铁皮|瓦面|彩钢瓦)[^,，。!?！？;；]{{0,12}}(?:倒|塌|掉|砸|滚|压|歪|沉|裂|鼓|垮|晃|摇|滑|荡|甩|掀|松脱|脱落|吊着|挂着|扇|吹走|吹飞|刮走|刮飞)[^,，。!?！？;；]{{0,24}}{_EXPOSED}|往下(?:掉|滚|砸).{{0,12}}{_EXPOSED}|被埋|埋在下面|压在下面|压(?:着|住|倒|伤)(?:了)?.{{0,8}}(?:人|{_P}|骑车|车)|压.{{0,4}}(?:轮子|车)(?:底下|下面)", "emergency"),
    ("height", rf"{_P}[^把将给的\s]{{0,8}}(?:站在|坐在|爬上|蹲在|趴在|挂在).{{0,8}}(?:楼顶|天台|顶楼|屋顶|楼顶|阳台外|窗台|窗户外|窗外|护栏外|栏杆外|边上|边缘)|(?:楼顶|天台|屋顶|顶楼).{{0,8}}(?:边上|边缘|外面).{{0,6}}(?:站|坐|有{_P})|(?:楼顶|天台|屋顶|顶楼).{{0,12}}(?:边上|边边|边缘|沿上)(?:走来走去|晃来晃去|徘徊|来回走|转来转去)|要跳|想跳|要从.{{0,8}}跳下去|(?:从|往)楼上跳|跳楼(?!机|价|甩卖|大甩卖)|(?:站|坐|蹲|趴)在.{{0,6}}(?:阳台外|外沿|窗户?外|护栏外|栏杆外|楼顶边|天台边|楼边|边沿)|遗书|遗言|交代后事|(?:站|坐|爬|蹲|趴)(?:在)?女儿墙上|女儿墙上(?:坐|站|蹲|趴)|不想活了?|活不下去了|跳河|跳江|轻生|自杀|寻短见|想不开(?!心)|{_CHILD}.{{0,10}}(?:窗台上?(?:爬|站|坐)|在窗台(?!上?(?:养|放|摆|种|晾|晒))|爬窗|爬上窗|悬空|挂在|掉下去|在阳台外|在窗外|在空调架|在空调外机|在护栏外|爬到阳台外|爬出窗)"
     rf"|(?:人|{_P})[^把将给的\s]{{0,10}}(?:扒着|扒在|站在|坐在|趴在|挂在|爬到|爬上|爬出|踩着|探出|吊在|骑在|蹲在|企喺|踩在).{{0,10}}(?:塔吊|吊车|脚手架|广告牌|铁塔|电线杆|桥|边|护栏|栏杆|窗|阳台|空调|防盗|飘窗|楼顶|天台|屋顶|河堤|外面|沿|台)|(?:半个身子|身子|上半身)(?:都)?(?:探出去|在外面|悬空|露在外面|伸出去|探出)|探出去了|往下跳|吊篮[^。]{{0,12}}(?:断|斜吊|歪|卡住|悬)|(?:安全)?绳(?:子)?断了|(?:天台|楼顶|屋顶)边[^，。]{{0,3}}有(?:个)?人|(?:楼顶|屋顶|天台|房顶)上?[^，。]{{0,6}}人[^，。]{{0,4}}招手|(?:楼顶|天台|屋顶)(?:上)?有(?:个)?(?:人|{_P})(?=.{{0,12}}(?:往下看|不理|喊|哭|坐在边|站在边|徘徊|走来走去|来回走|边上|外面|要跳|不下来))|女儿墙上(?:走|来回)"
     rf"|{_CHILD}.{{0,12}}(?:窗台(?!上?(?:养|放|摆|种|晾|晒))|窗户外|窗外|阳台外|空调外机|空调架|空调台|防盗窗外|护栏外|栏杆外|飘窗外)|(?:窗台|窗户外|窗外|阳台外|空调外机|空调架|空调台|防盗窗外|护栏外|栏杆外|飘窗外).{{0,12}}(?:挂着|趴着|站着|坐着)?(?:个|一个)?{_CHILD}", "emergency"),
    ("water", rf"冰窟窿|掉进冰|冰面.{{0,4}}(?:裂|塌)(?=.{{0,12}}(?:人|孩子|小孩))|(?:在)?(?:水|河|湖|池|塘|江)(?:里|中)(?:挣扎|扑腾|喊)|(?:人|{_P}).{{0,6}}沉底|(?:河|湖|池|塘|水|井|沟)(?:边|里)?.{{0,8}}(?:滑|掉|摔|跌)(?:下去|进去)了|(?:摔|跌|滑|掉)进.{{0,4}}(?:沟|坑|井|河|湖|池|塘|水)|溺水|落水(?![管口斗槽])|掉进.{{0,6}}(?:河|水|湖|池|井|塘|坑)|掉(?:到|进)?(?:河|湖|水塘|粪池|化粪池|下水道|水|水池|水库|池塘|井)里|(?:人|{_P})(?:还)?在水里|水里有(?:个)?人|扑腾|(?:人|车|{_P}).{{0,8}}(?:在)?往下沉|沉下去|漂着(?:个|一个)?人|(?:人|{_P}).{{0,4}}被(?:水|河水|洪水|浪)?冲走|往下游漂|(?:人|{_P}).{{0,4}}(?:在)?(?:水里)?漂(?!亮|白|移|泊)|(?:下去|掉下去|掉进去).{{0,4}}没(?:上来|出来|动静)|没上来|(?:还)?没(?:捞|救|拉|拽|拖|打捞)(?:上来|出来|起来)|趴在.{{0,4}}里(?:面)?不动|游泳.{{0,4}}抽筋", "emergency"),
    ("violence", rf"要杀|杀人(?!犯|案|游戏|狂|魔)|砸(?:我家)?门|撬门|撬锁|入室|闯进.{{0,4}}(?:家|屋)|持刀|拿刀|掏出.{{0,3}}刀|要捅|捅(?:他|她|人)|打群架|群殴|泼汽油|要点火|动刀|拿着刀|挥刀|砍人|砍伤|捅人|捅伤|行凶|抢劫|被抢|绑架|抱走(?:了)?(?:孩子|小孩)|抢孩子|拐(?:走|卖)?(?:了)?(?:孩子|小孩)|家暴.{{0,6}}(?:正在|还在|打|血)|(?:正在|还在)打{_P}|往死里打|打得.{{0,6}}(?:流血|出血|头破血流|起不来)|拿(?:棍|砖|铁棍|棒子).{{0,6}}(?:打|砸)|打人.{{0,6}}(?:流血|出血|见血)"
     rf"|(?<![要会])打起来(?!过)了?|打起架|在打架|打架了|(?<![要想快])动(?:起)?手了(?=$|[\s，。！!?？])|推起来了|还在打(?:人|架|他|她|孩子|老人|小孩|老婆)|打得很凶|按在地上打|掐(?:着)?.{{0,4}}脖子|(?:拿|举|挥|提|抡)(?:着|了|起)?(?:剪子|剪刀|菜刀|刀|斧头|斧子|锤子|铁锤|榔头|棍子?|铁棍|钢管|电棍|砖头?|酒瓶|锄头|铁锹|东西).{{0,8}}(?:乱挥|追|砍|打|砸|捅|挥|冲|晃)(?!天花板|楼板|地板)|(?:拿|举|挥|提|抡)(?:着|了|起)?(?:菜刀|斧头|斧子|剪刀|电棍|锄头|钢管|砍刀|匕首|尖刀|水果刀)|在追(?:小孩|人|孩子|{_CHILD})|追着.{{0,4}}(?:打|砍)|惨叫|呼救|喊救命|见血|围殴|殴打|暴打|毒打|(?:孩子|小孩|人).{{0,8}}(?:扔|推|丢)下去|别打了|住手|要死人了|追打|揪着.{{0,6}}(?:头|头发)|(?:头|脑袋).{{0,4}}往.{{0,4}}(?:墙|地)上(?:撞|磕)|往墙上撞|打死人了|踹(?:我家)?门|踹开|撞门|动手推人|打人了|在打人|把人打", "emergency"),
    ("crowd", r"聚集(?:到|在|起来)?|静坐|人推人|把.{0,8}(?:大门|门口|路口|出口|港口|马路)堵(?:住|上|死|了)|(?:一起|全楼|集体|大家|好几家)(?:都)?去.{0,10}(?:讨(?:个)?说法|门口坐|静坐|上访|闹)|去.{0,10}门口(?:坐着|静坐|拉横幅|堵)|把.{0,6}围在(?:里面|中间)|(?:工人|民工|业主|村民|居民|家属|老人|安置户|拆迁户|住户|商户|租户|家长|渔民|船民|司机|摊贩|(?:好多|一群|一帮|很多|一堆)人|(?:几十|几百|上百|百十|百把|上千|二三十|十几|[一二三四五六七八九十百]+)(?:多)?(?:个|号)?(?:人|业主|工人|村民|居民|家长|老人))(?:们)?.{0,10}(?:冲了|冲进|往里涌|围着|围住|围了|围起来|围在|堵起|堵上|堵死|堵着(?=.{0,4}[路门口车道楼处室府])|堵住|堵了(?=.{0,4}[路门口车道楼处室府])|聚集|聚在|围堵)|聚集了|(?:一群人|一帮人|好多人|很多人|几十个?人|上百人|几十号人|一大群人|一堆人|一伙人|工人们|业主们|村民们?).{0,14}(?:堵(?:住|着|在|了)|围(?:住|着|堵|了|起来)|推搡|推推搡搡|冲进|冲击|砸|拦(?:住|着)|闹起来|打起来|挤|推)|(?:堵(?:住|着|了)?|拦(?:住|着)?).{0,6}(?:路|马路|大门|门口|路口|车).{0,10}(?:推|挤|冲|打起来|打人|砸|闹事)|对峙|冲击|推搡|推推搡搡|在推人|推人了|越聚越多|双方在推|(?:人|人员|保安)[^，。]{0,4}推来推去|(?:围了|聚了)(?:百十|百把|几十|上百|几百)号?人|围堵|踩踏|挤倒|拉横幅|拉着横幅|举着牌子|涌上来|往上冲|一推一挤|往.{0,6}(?:门里|里面|大厅|办公室)冲|推了(?:工作人员|保安|干部)|聚了.{0,8}(?:人|业主|工人|村民|居民)|(?:堵|围|挤)满了?(?:人|业主|居民|工人)", "unrest"),
    ("shout", r"快来人|救命|救救|快救|打1[12]0|打一[一二]零|叫1[12]0|叫一[一二]零|叫了1[12]0|叫救护车|叫了救护车|救护车(?:来了|快到|还没到)|消防车(?:来了|快到|还没到)|快报警|报警了|赶紧报警|快打电话"
     r"|(?<![a-z])(?:help|sos)(?![a-z])|快去(?:拦|救|叫|敲门|帮忙)|救护车(?:已经|来了|到了|到门口)?(?:进不来|过不来|开不进|被堵|堵在)|谁有绳子|求救(?!助|电话|热线|方法)|救我|有没有医生|有医生吗|快叫人|搞快点|快帮忙|帮忙抬|谁能上去|谁离得近|(?:救护车|120).{0,4}(?:咋|怎么)?还(?:不|没)(?:来|到)|120打不通|打不通120|求求了", "emergency"),
]]
# urgency words count only with something of the neighbourhood around them ("救命啊这题好难")
_SHOUT_NEEDS = re.compile(rf"{_P}|楼|单元|栋|幢|室|\d+-\d+|门口|家|小区|电梯|楼道|路|车库|里面|火|烟|血|倒|摔|水")
# words in which those characters name no danger and no place ("窝火很火", "荒无人烟的工业区",
# "大家", "路痴"): blanked before the check, so a figure of speech is not someone in danger
_FIGURES = re.compile(r"火星|窝火|恼火|发火|(?<!楼)上火|火锅|火车|火爆|很火|红火|火气|火箭|火腿|火速|烟花|人烟|香烟|烟酒|烟草"
                      r"|倒是|倒霉|倒也|反倒|颠倒|倒数|倒计时|水平|水果|口水|薪水|水货|水军|灌水|心血|血拼|血型|热血"
                      r"|大家|人家|专家|国家|作家|家伙|路痴|一路|套路|思路")


def _names_someone_or_somewhere(s: str) -> bool:
    """Whether an urgency word or the learnt score has someone or somewhere in danger to go with."""
    return bool(_SHOUT_NEEDS.search(_FIGURES.sub(" ", s)))

# the danger is going on: outweighs words of the past ("昨晚着火 现在还在冒烟") and of a minor matter.
# 还在 counts for the danger, not for a bed ("上周摔伤 现在还在医院" is over: the family's need remains)
_STILL = r"还在(?!医院|icu|住院|重症|病房|抢救|康复|养|家|外地|老家|朋友家|亲戚家|借住|上学|上班|吵|闹)"
_ONGOING = re.compile(rf"正在|{_STILL}|一直在|越来越|在里面|里面还有|人还在|蔓延|烧到|出不来|十万火急"
                      r"|一直(?:流|冒|吐|哭|喊|响|漏|烧|晃|往)|不停地?(?:流|冒|吐|漏)")
# a call to hurry: outweighs a drill, a notice or a hypothetical's absence, but neither a past nor a minor matter
_IMMEDIATE = re.compile(rf"正在|{_STILL}|一直在|越来越|快来|赶紧|马上|快点|快!|快！|在里面|里面还有|人还在|蔓延|烧到|出不来|救命"
                        r"|快救|[!！]{2,}|啊+[!！]|怎么办啊|急急|急!|急！|十万火急|紧急")
# weaker signs of now: they outweigh a drill's talk but not a past that is over
_NOW = re.compile(r"现在|此刻|刚刚|刚才|就在|这会|眼下")
# the reporter is away or watches from afar (a camera, a video call), not the danger: never "elsewhere"
_REPORTER_AWAY = re.compile(r"(?:(?:我|我们|家里人|我(?:儿子|女儿|闺女|老公|老婆|媳妇)|孩子们)(?:人)?(?:现在)?|^)(?:在外地|在外省|不在家|在上班|在单位|出差|在外面|在老家|在国外|在医院|在公司)(?:陪床|上班|打针|看病|值班|走不开)?|人不在家|不在本地|不在小区|陪床|走不开|(?:^|我)(?:人)?(?:是)?外地的|(?:^|我|人)(?:现在)?在(?:加班|国外|外地|外省|[^\s,，。]{2,3}(?:出差|上班|读书|工作|办事))|外地的(?:女儿|儿子|闺女)"
                            r"|监控|摄像头|视频(?:通话|电话)|打视频|开视频|(?:刚才|刚刚)?视频(?:里)?(?=.{0,8}(?:看到|说|吓|哭|喊|他|她))")
_ELSEWHERE = re.compile(r"新闻|报道|(?:看|刷)(?:到|了)(?:一?个|条|段)?视频|发的视频|视频号|网上|抖音|快手|头条|朋友圈(?:里|说|看到)|别的小区|其他小区|(?:别的|其他|外|隔壁)(?:区|县|街道|镇|城市)(?![域间别分])|(?<![我人])(?<!我是)外地的(?!女儿|儿子|闺女|我)|(?<![在])国外(?!时间)|(?:朋友|同事|同学|亲戚|表姐|表哥|表妹|表弟|老家|外地朋友)(?:在的|那个|那边|那里|说|家那|群里|发的)|(?:朋友|同事|同学|亲戚|表姐|表哥|表妹|表弟)在(?!我们|咱)[^，。\s]{1,6}(?:那边|那里|那儿)|看视频|刷到个?视频|(?:我|我们)(?:上班|单位|公司)那边|(?:朋友|同事|同学|亲戚|表姐|表哥|表妹|表弟)(?:他们|她们|家)小区|隔壁市|邻市|(?:看到|听说).{0,6}(?:一个|某个|有个)小区|(?<![我咱])(?:[\u4e00-\u9fff]{2,4}(?:市|省|县))(?:一|某|有个)(?:小区|居民楼|住宅|男子|女子|老人|商场)|转发|【转|转自"
                        r"|(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古?|广西|西藏|宁夏|新疆|香港|澳门)(?:那边|那里|那儿)|揪心|祈福|祈祷|默哀|一路走好|隔壁(?:小区|街道|楼盘|村)|隔壁[\u4e00-\u9fff]{2,4}(?:雅居|花园|小区|家园|苑|公寓|大厦|新村)|市中心|写字楼|别往那边|转一下|https?://|mp\.weixin"
                        r"|这首歌|歌词|电视剧?里|电影里|剧里|游戏里|小说里")
_HYPOTHETICAL_BEFORE = re.compile(r"(?:(?<![消国边海])防(?=$)|万一|如果|要是|假如|假设|会不会|怕|担心|容易|防止|预防|小心|注意|以防|一旦|迟早|早晚|可能会|会不会|哪天|真要|以后|将来|防范|避免|杜绝|谨防|严禁|禁止|不要|请勿|切勿|不得|要等|等到|难道要|差点(?:就|儿)?|差一点(?:就)?|险些|再(?:往|偏|晚|早|近|多)[^,，。]{0,6}就|(?<![特分区告识辨级类派性])别(?![人的处家墅扭针致]))[^，。！？!?,;；\n]{0,10}$"
                                  r"|(?<![是的])真$")  # "真起火了往哪跑": if it really did
_HYPOTHETICAL_WORD = re.compile(r"要等|难道要|万一|如果|要是|假如|假设|会不会|怕|担心|容易|以防|一旦|迟早|早晚|可能会|哪天")
# with no position (the learnt signal), a hypothetical anywhere in the line counts
_HYPOTHETICAL_ANYWHERE = re.compile(r"万一|如果|要是|假如|会不会|一旦|哪天")
# a question whether there is one ("是不是着火了"): not a report that there is. Asking where or whose
# ("谁家漏气了 味好冲", "哪里着火了") takes the danger as given
_ASKED_BEFORE = re.compile(r"(?:是不是|是否|有没有)[^，。！？!?,;；\s]{0,3}$")
# a call on someone to act: a question in the same line ("是真的吗 谁帮我打个119") is alarm, not doubt
_ACT_ASKED = re.compile(r"快看|帮(?:我|忙)?.{0,3}(?:打|报|叫)(?:个|一下|一个)?(?:1[12]0|火警|救护车|电话)|谁(?:能|去|帮|在家|离得近).{0,8}(?:看看|看一下|瞧瞧|敲门|去|打)|快(?:去)?(?:看看|去看|去敲)|麻烦.{0,8}(?:看看|去看|敲门)")
_ASKED_AFTER = re.compile(r"^了?(?:吗|嘛|么|没有?)")
_NEGATED = re.compile(r"(?:没|没有|未|无|不是|并没|没人|不会|并非|不像)(?:真的?|在)?\s?$")
# the danger is placed here even when the story came by news or a friend ("朋友圈看到…那是我家啊")
_HERE = re.compile(r"(?:是|就是)我家|就是我们|不是别的小区|我刚拍的|刚拍的|我拍的|我们(?:这|[0-9一二三四五六七八九十]).{0,3}(?:栋|楼|幢|号楼|单元)|我(?:现在)?就在(?:楼下|现场|旁边|门口)|我们(?:小区|楼|单元|这栋)(?:有|的)|我家(?:阳台|楼|里|着|冒)|咱们?(?:小区|楼)(?:有|的)")
# smoke that comes from cooking, barbecues, cigarettes or goes on every day: a nuisance, not a fire
_FLAME = re.compile(r"火光|红光|明火|火苗|着了|烧起来")  # flames seen: not a barbecue's smoke
_SMOKE_SOURCE = re.compile(r"烧烤|(?<!抽)油烟(?!机)|做饭|炒菜|抽烟|烟头|香烟|天天|每天|经常|总是|老是|烧垃圾|烧纸|烧树叶|烧秸秆|烧稻草|喷漆|火不大|煤炉|生炉子|烧水|蚊香")
# a faint smell, a smell that is gone: worth a look, not a fire now
_FAINT = re.compile(r"一点点|有点|有一点|淡淡|不浓|不大|偶尔|时有时无|一会儿就没|运行正常")
# a threat used as leverage ("再不给低保就去跳河"): unrest, not someone on the edge now
_THREAT = re.compile(r"再不.{0,10}就|扬言|威胁|讨说法|说要|否则|不然")
# a quarrel or a fight going on now: a threat made in it is not idle ("两口子在吵 男的说要把孩子扔下去")
_IN_PROGRESS = re.compile(r"正在|在(?:吵|打|闹|砸|追)|吵架(?!.{0,4}(?:好几次|天天))|孩子在哭")
# talk of jumping, not someone seen on an edge: with a threat it is leverage ("再不给低保就去跳河")
# signs that talk of jumping is a life at risk now, not leverage ("电话不接", "已经出门了 往河边走了")
_AT_RISK_NOW = re.compile(r"电话不接|不接电话|联系不上|打不通|出门了|往.{0,10}(?:走|去)了|现在|刚(?:才|刚)?(?:说|发)")
# unpaid wages: what drives a worker onto a roof's edge (unrest, still P0 while they stand there)
_WAGES = re.compile(r"工资|工钱|讨薪|欠薪|血汗钱|结账|包工头")
_JUMP_TALK = re.compile(r"要跳|想跳|跳楼|跳河|跳江|不想活|活不下去|轻生|自杀|寻短见|想不开|往下跳")
# a threat said, not carried out ("他说再吵就拿刀上来"): the words before the danger
_THREAT_BEFORE = re.compile(r"(?:说要|说再|说是?要|扬言|威胁|吓唬|再.{0,8}就|要是.{0,8}就|不然就|否则)[^，。！？!?,;；]{0,8}$")
# words not meant as said: figures of speech, jokes, anger let off
_FIGURATIVE = re.compile(r"(?:喊|叫)(?:救命)?(?:着)?玩|🤣|😂|😆|哈哈|笑死|气死|热死|累死|要疯了|别叫我|心都有了|恨不得|气话|(?<!不是)(?<!没)(?<!没有)(?<!没在)开玩笑|(?<!不是)(?<!没)(?<!没有)(?<!开)玩笑|说着玩|闹着玩|比喻|段子|直播间|扣1|秒杀|(?:你|我|他|心里|肚子)(?:不|都|直)?冒火|全赶上了|一样没落下|都赶上了|在群里(?:吵|打|骂)|群里吵|🍉|吃瓜")
# a figure of speech around the danger word ("涨得我心脏骤停", "熏得跟着火了一样")
_FIGURE_BEFORE = re.compile(r"(?:把我|得我|(?:热|冷|累|气|饿|困|烦|忙|笑|涨|贵|晒)得我?)(?:都|要|快|简直)*$")
_LIKE_BEFORE = re.compile(r"(?:跟|像|好像|就像)(?:个|是)?$")
_FIGURE_AFTER = re.compile(r"^了?(?:一样|似的|一般)")
# a gripe with a shout of 救命 in it: exasperation, not a call for a life
_GRIPE = re.compile(r"垃圾|苍蝇|蚊子|蟑螂|臭|太吵|噪音|物业费|停水|停电|天气|太热|太冷|作业|加班|堵车|快递|外卖|网速|涨价")
# what a danger was first mistaken for ("以为是谁家烧烤")
_MISTAKEN_FOR = re.compile(r"以为[^\s,，。]{0,10}")
# a mistaken alarm, told as one ("还以为有人跳楼 走近一看是挂的被子")
_MISTAKEN_BEFORE = re.compile(r"(?:以为|当成|当是|错当|还当)[^，。！？!?,;；]{0,8}$")
_HYPOTHETICAL_AFTER = re.compile(r"^[^，。！？!?,;；\n]{0,6}(?:(?:报警器|探测器)(?![^，。]{0,8}(?:响|叫|报警|亮|闪|滴))|是先.{0,10}还是|先打.{0,8}还是|有用吗|有啥用|管用吗|怎么办[?？]|谁负责|的话|隐患|风险|的可能|往哪(?:跑|逃|走)|是真的吗|真的假的|是不是真的|有没有事|没事吧|咋(?:出来|出去|跑|逃)|怎么(?:跑|逃|出来|出去)|(?:出|跑|逃)得(?:出来|出去|掉)吗|来得及吗|进得来吗)")
_DRILL = re.compile(r"普及|急救法|急救知识|小知识|黄金.{0,4}分钟|怎么救|如何(?:急救|救)|演练|演习|培训|讲座|宣传|知识|检测|检查|排查|安全教育|应急预案|消防安全月|科普|体验|模拟")
# time words: a danger after a word of the past (and no word of now between) happened then
_PAST = re.compile(r"上周|上个?礼拜|上个月|上次|上回|前(?:几|两|三|一|些)?天|前阵子|前段时间|前一阵|前年|去年|之前|以前|那次|那天|那晚|当时|早就|曾经|事后|这两天|这几天|昨[天晚夜]|(?:早上|上午|中午|下午|晚上)那会"
                   r"|[一二两三四五六七八九十几半]+(?:个)?(?:天|周|星期|礼拜|月|年)(?:前|以前)|大前天|月初|年初|过年那会|[着起失发出]过(?:一次|一回|两次|几次)?")
# the danger as the time of what followed ("着火后无处住", "那次摔伤以后")
_PAST_AFTER = re.compile(r"^(?:了)?(?:后(?![面头边背门院窗排台山])|之后|以后|过后|那(?:次|天|会|回))")
_PRESENT = re.compile(rf"现在|此刻|刚刚|刚才|就在|这会|眼下|今天|今早|今晚|今儿|目前|此时|这回|这次|又|{_STILL}|正在|到现在")
# it is over: put out, fixed, the person safe or in hospital, the family housed elsewhere
_OVER = re.compile(r"已经?(?:修好|处理|解决|灭|扑灭|恢复|没事|送医|送到医院|送去医院|出院|救出|抢救过来|救下|劝下|控制住|疏散|解救|脱险|处置)|修好了|处理好了|处理完了|修完了|弄好了|已回访|(?:火|明火|火苗|火势)[^\s,，。]{0,4}灭了|扑灭了|没事了|人没事|幸好|好在|还好没|还好(?:停住|停下|没事|人没事)|救出来了|救下来了|劝下来了|虚惊"
                   r"|水(?:已经)?退了|不(?:往外)?(?:冒|漏|流|喷)了|(?:阀门|总阀|闸)(?:已经)?关(?:上|掉)了|人醒了|醒过来了|(?:拉|送)到.{0,4}医院了|没得事|冇事|住院|在医院|(?:科|病房|医院)(?:里)?住着|icu|做完手术|手术后|出院|抢救过来|(?<![要想冲拿偷跑飞抢搬开边去])走了(?=[\s,，。!！]|$)|去世|过世|住不了|没地方(?:去|住)|无处居住|临时安置|(?<!在)安置(?!点|户|房|小区|区|楼|办)|借住|已断电|查到了|(?:管涌|口子|缺口)[^，。]{0,10}堵住了|水在退|临时住处|挤在车里|补办|补证|要补|补啥|帮忙联系.{0,10}(?:家人|家属|老家)"
                   r"|没有?受伤|无人受伤|(?:抱|拉|劝|救|拽|扯|抓)(?:下来|回来|进来)了?|被?拉开了?|分开了|(?:重新)?(?:砌|修|补|弄|装|换)好了|自己出来了|自己(?:就)?好了|现在好多了|(?:拉|救|捞|拽)(?:上来|出来)了|说没事|没大碍|接回去|接走了|送回家|散了吧|没(?:有)?(?:着火|起火|烧起来|明火)|已经熄火|闸已经拉了|已经拉闸|拉闸了|电工(?:也)?到了|在抢修|抢修中|(?:我|已经|我已经)(?:把)?(?:电?闸|总闸|总阀|阀门)(?:已经|也)?(?:关了|拉了|关掉了)|(?:闸|电闸|总闸|阀门|总阀)已经(?:关了|拉了|关掉了)|已经(?:关|拉)了(?:闸|电闸|总闸|总阀)|入咗院|无(?:人员)?伤亡|别担心|不用担心|放心吧|在玩游戏|玩游戏|开玩笑的")
# what fell or gave way hurt nobody: the wreck is still there to make safe (a hazard), not over
_NOBODY_HURT = re.compile(r"(?:还好|幸好|好在)(?:里面|下面|底下|当时)?(?:没人|没有人)|没(?:有)?(?:人)?受伤|没砸到人|没伤到人|无人受伤")
# a person's state after the rescue that is still life at risk ("捞上来了但是不出气")
_STILL_BAD = re.compile(r"不出气|没(?:有)?(?:了)?呼吸|没(?:了)?意识|叫不醒|喊不醒|没反应|没心跳|不省人事|昏迷")
# a correction of an alarm ("原来是…", "是我家在熏腊肉", "看错了", "不好意思"): it takes back the dangers
# named before it, not one named after it ("以为是炒辣椒 后来发现是配电房冒烟", "不好意思打扰 我妈摔了")
_CORRECTION = re.compile(r"原来是|不对是|不对 是|说错了|谣言|别信|辟谣|撤回一下|是[^，。\s]{0,6}工地在烧|搞错了|看错了|误会|以为.{0,12}(?:原来|结果|其实)|一看(?:是|才知道)|才发现是|其实是|眼花|看花眼|是(?:一?个)?(?:玩偶|假人|模特|衣服|被子|塑料袋)|是(?:一?个)娃娃|让大家担心|(?:喊|叫)[^，。\s]{0,4}的是我|是我(?:喊|叫)的|是在拍(?:短)?视频|在拍短视频|拍抖音|在拍戏|别报警了|抱歉|打扰大家|不好意思|对不起"
                         r"|是在(?:做饭|烧烤|烧纸|熏腊肉)|是我(?:家)?在[^,，。\s]{0,4}(?:做饭|炒|烧|熏|煮|烤|蒸|炖)|(?<!不)是[^,，。!?！？;；\s]{0,6}(?:在)?(?:(?<!爆)炸(?![了开弹裂掉死伤毁飞])|炖|烤(?!火)|熏|煎|炒|煮|烧纸|烧香|点蚊香|艾灸)|(?:烤|煮|炒)糊|(?:饭|菜|锅|粥|肉)烧糊|刚(?:才)?说的.{0,8}是我|烧烤的烟"
                         r"|(?<!不)是[^,，。\s]{0,8}(?:清掏|施工|在刷|刷外墙|装修|在修|维修|作业|检修|喷漆|烧纸|返味|反味|下水道|化粪池|沼气)")
# the people are out: over for someone trapped, down or on an edge; a leak or a fire goes on without them
_ESCAPED = re.compile(r"出来了出来了|(?:人|我们?|大家)[^，。\s]{0,6}(?:就|都|已经)出来了|(?:我|我们|人|大家|人都|大家都|我们都|自己)(?:已经|都)?(?:出来了|救出来|被救出|脱险)|已经出来了")
_ESCAPE_ENDS = ("trapped", "height", "water", "person_down", "learnt")
# the aftermath of harm done (who pays, who is to blame): a dispute or a family's need, not the emergency
_AFTERMATH = re.compile(r"医药费|赔偿|赔钱|一分不赔|不赔|评理|评评理|调解|不关他事|不承认|不认账|推卸|扯皮|报销|理赔|(?:打了?|狂犬)疫苗|缝了.{0,3}针|打了针|花了.{0,6}(?:块|元|百|千)|(?:只|不)肯(?:出(?!来|去)|给|赔)|宠物医院|(?:临时|大病|医疗|困难)救助|申请.{0,8}(?:救助|补助|低保)|补助|低保")
# what undoes an "over": the danger came back or is not over ("又冒烟了", "还是没灭")
_NOT_OVER = re.compile(rf"真有|确实有|真的有|响个不停|一直(?:在)?响|还在响|{_STILL}(?:往外|往上)(?:冒|喷|流|窜)|不知道.{{0,6}}(?:对|有用|管用)|又(?:开始|冒|着|起|烧|漏|闻到|有(?:烟|味|火)|在(?:冒|烧|漏|响|打|喊))|{_STILL}(?:冒|烧|着|漏|困|喊|流|晃|响|里面|打|吐)|还是(?:没(?:灭|出来|醒)|有(?:烟|味|火)|在(?:冒|烧|漏))|没(?:有)?灭|还没(?:灭|扑灭|出来|救出|找到|醒)")
# an alarm that went off with nothing behind it ("报警器响了一下 闻不到味"): worth a look, not a leak
_FALSE_ALARM = re.compile(r"闻不到|没闻到|没(?:有)?(?:什么)?(?:味道?|异味)|不是漏|不响了|是不是坏了|误报|乱响|瞎响|不叫了|(?:换了|换个|拔了|按了|关了|重启|复位).{0,6}(?:就|才)?好了")
# a call for help to stop a violation ("快来人制止"): the violation decides, not the shout
_STOP_ORDER = re.compile(r"制止|管管|管一管|查处|拆除|罚款|违建|违章")
# after a danger told in the past, what says the same danger goes on
_GOING_ON = re.compile(rf"越来越|蔓延|一直在|{_STILL}(?:冒|烧|着|漏|困|喊|流|晃|响|打|吐)")
# what undoes a plan: it is happening or has happened
_UNDER_WAY = re.compile(r"堵死了|堵住了|围住了|进不来|正在|现在|已经(?!.{0,6}(?:约|商量|说好|定好|计划|准备|通知|报名))|此刻|还在")
_PLANNED = re.compile(r"明天|后天|(?:礼拜|星期)[一二三四五六日天]|明早|明晚|待会|回头|下周|下个?礼拜|下个月|周[一二三四五六日天末](?:要|去|上午|下午)?|准备|打算|计划|约好|商量|组织|扬言|威胁|说要|要去|就去|再不.{0,8}就|否则|不然就|过几天|月底|到时候|讨说法|讨个说法|过完|一起去")
# nobody at risk, or a standing matter ("天天", "总说"); 没人 at home or 没大人 makes it worse, not minor
_MINOR = re.compile(r"塌了一点|塌了一小块|塌了一块|有点塌|有点歪|一点点|没人受伤|没伤到人|没有人受伤|没砸到人|还好莫|幸好莫|莫砸到|老有|总有|人不多|没几个人|差一点|差点|险些|幸好没|还好没|天天|每天|经常|总是|老是|总说|老说|经常说|常说|(?<!一)动不动|三天两头|最近(?!.{0,4}(?:突然|刚))|好几次|好几回|好多回|多次|看热闹|(?:围着|围了一圈|围在).{0,10}(?:看|表演|卖艺|唱歌|跳舞|直播|耍猴|下棋|打牌|拍照|卖)|表演|卖艺|街头艺人|(?:电话|热线|门禁|按钮|系统|app|小程序|群里|物业|客服|公众号|网格员|对讲).{0,8}(?:没反应|没有反应|没动静)")


# nobody where it falls or crowds: minor for a sign or a crowd, never for a person down or a child on a sill
_NOBODY = re.compile(r"(?<!有)(?<!家里)(?<!屋里)(?<!好像)(?<!家)(?<!屋)(?<!里)(?:没人|没有人)(?!管|修|理|来|接|清|能|帮|在家|应|回|听|敢|看着|照看|看管|照顾|陪|开|抬|扶|救|知道|发现|注意)")
# a crowd with a harmless purpose ("挤满了人 是在领春联")
_BENIGN_CROWD = re.compile(r"不是出事|没出事|排队|免费|领(?:取)?(?:春联|礼品|东西|鸡蛋|口罩|物资)|有序|和气|热闹|发问卷|量血压|义诊|体检|活动")
_CROWD_HARM = re.compile(r"挤倒|踩踏|被踩|被挤|打起来|推搡|受伤|倒了")
_NOBODY_KINDS = ("collapse", "crowd", "shout", "learnt")
# nobody inside a stuck lift; water near the power that has not reached it
_NOBODY_INSIDE = re.compile(r"(?:里面|里头|电梯里|轿厢里)(?:还好|幸好|好在)?(?:没人|没有人)|(?:还好|幸好|好在)(?:里面)?(?:没人|没有人)")
# water coming down from the flat above: a neighbour's leak (a dispute, P1) unless it meets the wiring
# or someone is hurt: the learnt score alone does not make it a danger now
_FROM_ABOVE = re.compile(r"楼上.{0,10}(?:水|漏|渗)|天花板.{0,8}(?:滴|漏|渗|泡|淌)|(?:往|从)(?:下|楼上).{0,4}(?:流|淌|滴|漏)")
_MEETS_WIRING = re.compile(r"电|插座|灯|开关|线|闸|冒火|火花|滋滋|噼啪|晕|倒|摔|老人|孩子|小孩")
_DRY = re.compile(r"是干的|没啥东西|白白浪费|浪费水|还没(?:着|烧起来|起火)|(?:还)?没(?:有)?碰到|没泡到|没淹到|没进水|还没出事|没出事")
# an announcement's talk of danger (a reminder, a check) rather than a danger now being announced
_ADVICE = re.compile(r"温馨提示|提示|提醒|注意|预防|防范|请勿|严禁|禁止|知识|排查|检查|演练|事件多发|多发|近期|季节|冬季|夏季|天气")
# a notice's line on where to call in an emergency ("紧急情况请直接拨打110/119/120")
_WHERE_TO_CALL = re.compile(r"紧急情况|如(?:遇|有|发现)|遇到|请(?:直接|及时|立即)?拨打|可(?:以)?(?:拨打|打)|电话[:：]?\s?\d|热线")
_UNDER_WAY_NOW = re.compile(r"发生|撤离|疏散|正在|现在|刚刚|刚才|已经打|打了1[12]0|报警了|快|赶紧|马上")


# what makes a crowd unrest (a grievance) rather than an emergency (a crush, a brawl)
_PROTEST = re.compile(r"横幅|执法|城管|暖气|供暖|工钱|征地|不准车|不让车|不准.{0,4}进出|回迁|安置户|拆迁户|项目部|售楼部|讨薪|领导|补偿款|不公平|矿门口|骗了?钱|被骗|拍桌子|工资|工钱|讨钱|欠钱|维权|售楼处|业主|村民|街道|居委|物业|对峙|冲击|举着牌子|情绪.{0,2}激动|围住|上访|信访|拆迁|讨说法|说法|闹事|抗议|示威|静坐|补偿|退房|退款|退钱|开发商|烂尾|政府|业主们|物业费|标语|喊口号|口号")


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


def _dangers(s: str) -> tuple[list[tuple[str, str, str, int]], bool]:
    """(kind, category, word, position) for each danger named, in the order of the table (every
    place a kind is named: one may be told in the past and another now), and whether a danger
    was named only to be denied ("没有冒烟", "不是真着火")."""
    found, denied = [], False
    for kind, pattern, category in _DANGER:
        for match in pattern.finditer(s):
            if kind == "shout" and not _names_someone_or_somewhere(s.replace(match[0], "", 1)):
                continue
            if _NEGATED.search(s[max(0, match.start() - 6):match.start()]):
                denied = True  # "没人被困", "没有冒烟"
                continue
            found.append((kind, category, match[0], match.start()))
    return found, denied


LEARNT_P0 = 0.1  # the learnt score's cut-off (a margin over the SVM's boundary: the table of words comes first)


def names_danger(text: str) -> bool:
    """Whether a raw line names any danger of the table (typos read through): a cheap look, before
    parsing, for what to handle first. Negative evidence is not weighed here."""
    s = read_through(fold(text or "").lower())
    return any(pattern.search(s) for _kind, pattern, _category in _DANGER)


def _hypothetical(s: str, start: int, end: int) -> bool:
    if start == end:  # the learnt signal has no position: any hypothetical in the line counts
        return bool(_HYPOTHETICAL_BEFORE.search(s) or _HYPOTHETICAL_ANYWHERE.search(s))
    if _HYPOTHETICAL_BEFORE.search(s[:start]) or _HYPOTHETICAL_WORD.search(s[start:end]):
        return True
    asked = _HYPOTHETICAL_AFTER.search(s[end:]) or _ASKED_BEFORE.search(s[:start]) or _ASKED_AFTER.search(s[end:])
    return bool(asked) and not _ACT_ASKED.search(s)


def _told_in_past(s: str, start: int, end: int) -> bool:
    """A danger named after a word of the past with no word of now between ("上周摔伤了 现在还在医院",
    "前两天失火 东西都烧了"), unless what follows says it is still going on ("昨晚起 味道越来越浓")."""
    last_past = max((m.end() for m in _PAST.finditer(s, 0, end)), default=-1)
    if last_past < 0:
        return False
    last_now = max((m.end() for m in _PRESENT.finditer(s, 0, end)), default=-1)
    if last_now > last_past:
        return False
    return not (_GOING_ON.search(s, end) or _NOT_OVER.search(s, end))


def _why_not_now(kind: str, s: str, start: int, end: int) -> str | None:
    """What keeps one naming of a danger from being a danger now (None: nothing does)."""
    if start == end:
        return "hypothetical" if _hypothetical(s, start, end) else None
    if _hypothetical(s, start, end):
        return "hypothetical"
    if _FIGURE_BEFORE.search(s[:start]) or (_LIKE_BEFORE.search(s[:start]) and _FIGURE_AFTER.search(s[end:])):
        return "figurative"
    if _MISTAKEN_BEFORE.search(s[:start]):
        return "past"  # "还以为楼塌了🤣": a false alarm told as one
    if kind in ("violence", "height", "person_down", "crowd") and _THREAT_BEFORE.search(s[:start]) and not _IN_PROGRESS.search(s) \
            and not (kind == "height" and _AT_RISK_NOW.search(s)):
        return "planned"
    if _told_in_past(s, start, end) or _PAST_AFTER.search(s[end:]):
        return "past"
    return None


# a crack or a slope that has not moved since ("裂开两指宽 今天没动"): a hazard to watch (P1)
_STATIC = re.compile(r"没动|没再动|没有再动|没再裂|没有再裂|没再掉|暂时稳住|暂时没事")
# someone not seen for days (milk at the door, no answer): the guide's lone elder not seen, P1 — unless a
# danger word says more; and a charging hazard with no fire: neither is a danger now by the learnt score
_NOT_SEEN = re.compile(r"(?:[两几三四五]|好几)天(?:都|了)?没(?:开门|见|出门|出来|露面|接电话|动静)|牛奶.{0,6}(?:放|堆|没拿)|报纸.{0,6}堆")
_CHARGING = re.compile(r"飞线|插线板|拉线")
_FIRE_SIGN = re.compile(r"火|烟|烧|焦|爆|炸|冒|响|着了")


def _minor(kind: str, s: str, word: str, ongoing: bool) -> bool:
    """Whether this kind of danger is a minor matter in the line: nobody at risk, a standing
    matter, a harmless crowd, cooking smoke, an alarm with nothing behind it, a dry switchboard."""
    # the learnt score names no danger that could be going on: nobody hurt said outright is minor
    if kind in ("crowd", "collapse", "person_down", "shout", "learnt", "height", "violence") and _MINOR.search(s) \
            and (not ongoing or kind == "learnt"):
        return True
    if kind == "crowd" and _BENIGN_CROWD.search(s) and not ongoing and not _CROWD_HARM.search(s):
        return True
    if kind in _NOBODY_KINDS and _NOBODY.search(s) and not ongoing:
        return True
    if kind == "gas" and ("报警器" in word or "报警器" in s or "探测器" in s) and _FALSE_ALARM.search(s):
        return True
    if kind == "shout" and _STOP_ORDER.search(s):
        return True
    smoke_source = _SMOKE_SOURCE.search(_MISTAKEN_FOR.sub(" ", s))  # "以为是烧烤 后来发现…" names no source
    if kind == "learnt" and smoke_source and not ongoing:
        return True
    if kind == "fire" and "火" not in word and not (ongoing or _FLAME.search(s)) and (smoke_source or _FAINT.search(s)):
        return True
    if kind == "trapped" and _NOBODY_INSIDE.search(s):
        return True
    if kind == "learnt" and _FROM_ABOVE.search(s) and not _MEETS_WIRING.search(s):
        return True
    if kind == "learnt" and (_NOT_SEEN.search(s) or _CHARGING.search(s)) and not _FIRE_SIGN.search(s):
        return True
    if kind == "collapse" and _STATIC.search(s) and not ongoing:
        return True
    if kind == "learnt" and (_NOBODY_INSIDE.search(s) or _FALSE_ALARM.search(s) or _DRY.search(s)):
        return True  # the learnt score names no kind: what makes any kind minor makes it minor
    if kind == "fire" and "火" not in word and _DRY.search(s) and not ongoing:
        return True  # "插头都烤黑了 还没着": a hazard
    if kind == "water_electric" and _FAINT.search(s) and not ongoing:
        return True  # "按钮摸着有点麻手": a hazard to check, nobody down
    return kind in ("water_electric", "flood") and bool(_DRY.search(s))


def assess(s: str, shape: str = "text", learnt: float | None = None) -> Alarm:
    """The P0 decision for one line (folded, lower-cased, typos read through). `learnt` is the
    score of the layer's own linear model (life at risk now, trained on labelled group-chat
    lines): above LEARNT_P0 it counts as a danger named in words the table lacks, and meets the
    same negative evidence."""
    if shape in ("system", "chain") or not s:
        return NONE
    if shape in ("link", "relay"):
        # a story passed on; one's own words after it ("转：… \n我婆婆刚才晕倒了") are read as a report.
        # A card's title is never one's own words ("[链接]紧急！某小区电梯困人40分钟")
        if shape == "link" and "\n" not in s and not _HERE.search(s):
            return NONE
        s = s.split("\n", 1)[1] if "\n" in s else s
        if not (_NOW.search(s) or _IMMEDIATE.search(s) or _HERE.search(s)):
            return NONE
    found, denied = _dangers(s)
    if not found and not denied and learnt is not None and learnt > LEARNT_P0 and _names_someone_or_somewhere(s):
        # the learnt score alone needs someone or somewhere in danger named ("快了快了等我" names none)
        found = [("learnt", "emergency", "", 0)]
    if not found:
        return NONE
    verdicts = [(f, _why_not_now(f[0], s, f[3], f[3] + len(f[2]))) for f in found]
    real = [f for f, why in verdicts if why is None]
    if not real:
        order = ("planned", "figurative", "past", "hypothetical")
        (kind, category, word, _pos), why = min(verdicts, key=lambda v: order.index(v[1]))
        if why == "planned" and kind == "height":
            category = "unrest"
        return Alarm(False, category, kind, word, why)
    if all(f[0] == "shout" for f in real):
        discounted = [why for f, why in verdicts if why is not None and f[0] != "shout"]
        if discounted:  # "救命啊 热得我要着火了": the shout is about a danger that is not one
            kind, category, word, _pos = real[0]
            return Alarm(False, category, kind, word, discounted[0])
        if _GRIPE.search(s):  # "救命 垃圾三天没人收了"
            kind, category, word, _pos = real[0]
            return Alarm(False, category, kind, word, "figurative")
    # a real danger outranks a crowd, a crowd a shout; a crowd with a grievance is unrest whatever else
    order = sorted(real, key=lambda f: (f[0] == "shout", f[0] == "crowd"))
    kind, category, word, _pos = order[0]
    crowd = next((f for f in real if f[0] == "crowd"), None)
    protest = bool(_PROTEST.search(s))
    if crowd is not None and protest:
        kind, category, word, _pos = crowd
    elif kind == "crowd":
        category = "emergency"  # a crush or a brawl, not a protest
    if kind == "height" and _WAGES.search(s):
        category = "unrest"  # on a roof's edge over unpaid wages: a life at risk, and a grievance behind it
    away = _REPORTER_AWAY.sub(" ", s)
    ongoing, immediate = bool(_ONGOING.search(s)), bool(_IMMEDIATE.search(s))
    if _ELSEWHERE.search(away) and not _HERE.search(s):
        return Alarm(False, category, kind, word, "elsewhere")
    if _FIGURATIVE.search(s) and not ongoing:
        return Alarm(False, category, kind, word, "figurative")
    if _DRILL.search(s) and not (immediate or _NOW.search(s)):
        return Alarm(False, category, kind, word, "drill")
    if kind == "collapse" and _NOBODY_HURT.search(s) and not ongoing:
        return Alarm(False, category, kind, word, "minor")  # fallen with nobody under it: still to clear
    over = [m.end() for m in _OVER.finditer(away)]
    if over and not _NOT_OVER.search(s) and not _STILL_BAD.search(away, max(over)):
        return Alarm(False, category, kind, word, "past")
    last = max((m.end() for m in _CORRECTION.finditer(away)), default=-1)
    if last >= 0 and not _NOT_OVER.search(s) and not any(p >= last for k, _c, _w, p in real if k != "learnt"):
        return Alarm(False, category, kind, word, "past")
    if kind in _ESCAPE_ENDS and _ESCAPED.search(away) and not _NOT_OVER.search(s):
        return Alarm(False, category, kind, word, "past")
    if _AFTERMATH.search(s) and not ongoing:
        return Alarm(False, category, kind, word, "past")
    if kind == "learnt" and _PAST.search(away) and not (immediate or _NOT_OVER.search(s)):
        return Alarm(False, category, kind, word, "past")
    if kind in ("crowd", "shout", "learnt") and _PLANNED.search(s) and not _UNDER_WAY.search(s):
        return Alarm(False, category, kind, word, "planned")
    if kind == "height" and _THREAT.search(s) and not _AT_RISK_NOW.search(s) and all(_JUMP_TALK.search(w) for k, _c, w, _p in real if k == "height"):
        return Alarm(False, "unrest", kind, word, "planned")
    # what makes one kind of danger minor does not make another one minor ("以为是烧烤 … 电箱冒烟 噼啪响")
    kinds = [kind] + [f[0] for f in order if f[0] != kind]
    minor = [k for k in dict.fromkeys(kinds) if _minor(k, s, word if k == kind else "", ongoing)]
    if len(minor) == len(dict.fromkeys(kinds)):
        return Alarm(False, category, kind, word, "minor")
    if kind in minor:
        kind, category, word, _pos = next(f for f in order if f[0] not in minor)
    if shape == "notice" and all(f[0] == "shout" for f in real) and _WHERE_TO_CALL.search(s):
        return Alarm(False, category, kind, word, "notice")  # "紧急情况请拨打110": where to call, not a call
    if shape == "notice" and not immediate and (_ADVICE.search(s) or _DRILL.search(s)) and not _UNDER_WAY_NOW.search(s):
        return Alarm(False, category, kind, word, "notice")
    return Alarm(True, category, kind, word)


# a reply that takes up a quoted call for help: asks who can go, where it is, or says one is going
_TAKES_UP = re.compile(r"谁有|谁在|谁离|谁能|谁会|几号楼|几栋|哪(?:个|栋|号|单元|口|家)|在哪|还没人|没人来|没人管|快回|"
                       r"(?:我|我们)(?:马上|现在|这就)?(?:过去|去|到)|马上(?:过去|到)|钥匙|开门|报警|打1[12]0|叫救护车|不接电话|电话不接")


def takes_up(s: str) -> bool:
    """Whether a reply's new words (folded, lower-cased) take up the danger of the words it quotes
    ("还没人来吗？？？都四十分钟了", "谁有他家钥匙", "她家几号楼 快回"), rather than close it
    (收到, 已经出来了, 原来是…): then the reply is the call for help."""
    if not s or _OVER.search(s) or _CORRECTION.search(s) or _FIGURATIVE.search(s):
        return False
    return bool(_TAKES_UP.search(s) or _ACT_ASKED.search(s) or _IMMEDIATE.search(s))
