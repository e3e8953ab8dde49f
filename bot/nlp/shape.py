# ruff: noqa: E501  (pattern tables read best one form per line)
"""A message's shape before its words: how a group-chat line is to be read.

Gateways pass on much more than what a person typed: quoted replies with the quoted words still in
them, the group's system lines ("x" 拍了拍 "y", joins, recalls), shared cards ([链接], [小程序]),
接龙 lists, announcements and forwarded news. Read as words, each of these looks like a request
(the quoted "3号楼停水" under a "收到", a forwarded fire in another city). `read_shape` says what
the line is, which words are new (the words a person wrote now: the only ones commands and the
parser read), and whether it is addressed to the bot (`@<bot_name>` + the U+2005 space WeChat puts
after a mention), whatever the gateway's own flag says.

Shapes (the `"shape"` field of `gridbot parse`):
- text: an ordinary line;
- quote: a quoted reply; `text` holds the new words, `quoted` the quoted ones;
- system: a line the group itself wrote (pat, join, leave, rename, recall, red packet);
- link: a shared card or an article title with its URL;
- notice: an announcement (@所有人, 温馨提示, 【通知】, 群公告);
- relay: forwarded news or rumours (【转发】, 转：, 转自, news from elsewhere);
- chain: a 接龙 list.
Pure: no I/O; texts of any length (only the head of a very long one is scanned for its shape).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlp.text import fold

SHAPES = ("text", "quote", "system", "link", "notice", "relay", "chain")
# shapes that never carry a request, a command or a check-in: the bot stays silent on them
SILENT = frozenset({"system", "chain"})

MENTION_SPACE = "\u2005"  # WeChat's four-per-em space after an @mention
_HEAD = 400  # characters scanned for a shape marker

_NAME = r"[\"“”'‘’「」]?[^\"“”'‘’「」\n]{1,32}?[\"“”'‘’「」]?"
# WeChat's quote: 「name：quoted」, a dashed line, the new words (gateways keep this order)
_DASHES = r"\n[ \t]*(?:[-—–－─━_=·.。]\s*){4,}\n?"
_QUOTE_WECHAT = re.compile(r"^\s*「(?P<quoted>.*)」\s*" + _DASHES + r"(?P<new>.*)$", re.S)
# the older form: "name：quoted" (ASCII or Chinese quotation marks), a dashed line, the new words
_QUOTE_OLD = re.compile(r"^\s*[\"“](?P<quoted>.*)[\"”]\s*" + _DASHES + r"(?P<new>.*)$", re.S)
# new words first, then the quote below the dashes (some gateways flip it)
_QUOTE_BELOW = re.compile(r"^(?P<new>.*?)" + _DASHES + r"\s*[「\"“](?P<quoted>.*)[」\"”]\s*$", re.S)
# WeCom's text form: 引用 name 的消息 : quoted   (on its own line, above or below the new words)
_QUOTE_WECOM = re.compile(r"^\s*引用\s*\S{1,32}?\s*的消息\s*[:：]\s*(?P<quoted>.*)$")

_SYSTEM = [
    ("pat", re.compile(rf"^{_NAME}\s*拍了拍\s*(?:{_NAME}|我|自己)?.{{0,24}}$")),
    ("join", re.compile(rf"^(?:{_NAME}|你)\s*(?:邀请|通过扫描).{{0,80}}(?:加入了?群聊|加入群聊)[。.]?$")),
    ("join", re.compile(rf"^(?:{_NAME}|你)\s*加入了?群聊[。.]?$")),
    ("leave", re.compile(rf"^{_NAME}\s*(?:退出了?群聊|已退出群聊)[。.]?$")),
    ("leave", re.compile(rf"^(?:{_NAME}|你)\s*将\s*{_NAME}\s*移出了?群聊[。.]?$")),
    ("rename", re.compile(rf"^(?:{_NAME}|你)\s*(?:修改群名为|修改了群名称为|将群名修改为)\s*.{{1,40}}$")),
    ("recall", re.compile(rf"^(?:{_NAME}|你)\s*撤回了一条(?:消息|成员消息)[。.]?(?:\s*重新编辑)?$")),
    ("owner", re.compile(rf"^(?:{_NAME}|你)\s*(?:已成为新群主|成为新群主|开启了群聊邀请确认|关闭了群聊邀请确认|开启了全员禁言|关闭了全员禁言)[。.]?$")),
    ("contact", re.compile(r"^(?:你已添加了.{1,32}，现在可以开始聊天了|以下为新消息|.{1,32}与群里其他人都不是(?:微信)?朋友关系.{0,20})[。.]?$")),
    ("red_packet", re.compile(r"^\[(?:红包|转账|微信红包)\].{0,40}$|^收到红包，请在手机上查看$|^.{1,32}领取了.{0,32}的红包$")),
]
_LINK_CARD = re.compile(r"^\s*\[(?P<kind>链接|小程序|视频号|公众号|文章|音乐|直播|卡片消息|分享|文件|位置|名片|笔记|商品|收藏)\]")
# a card with a line of one's own under it ("[位置]3号楼东侧\n这里井盖没了"): a message that shows a card
_OWN_LINE = re.compile(r"\n\s*\S.{3,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s，。！？]+", re.I)
# words a resident asking something would write beside a link (then it is a message, not a card);
# "怎么" and "？" are not among them: article titles ask questions ("电动车怎么充电？看这篇")
_OWN_WORDS = re.compile(r"我|咱|俺|请|帮|麻烦|能不能|能否|快来|救|坏了|漏|堵|吵|臭")
_NOTICE = re.compile(
    r"^\s*(?:@所有人|@all\b|@全体成员|【(?:[^】]{0,8})(?:通知|公告|提示|提醒|预告|告知|倡议|须知)[^】]{0,6}】|\[(?:通知|公告)\]"
    r"|(?:温馨|友情|重要|紧急|安全)(?:提示|提醒|通知)\s*[:：!！]|群公告\s*[:：]?|(?:物业|社区|居委会?|街道|网格|业委会)?(?:通知|公告)\s*[:：]"
    r"|各位(?:亲爱的)?(?:居民|业主|邻居|住户|家人|党员|朋友)(?:们)?\s*[,，:：!！])", re.I)
_RELAY = re.compile(
    r"^\s*(?:【\s*转(?:发|载)?\s*】|\[转发\]|转\s*[:：]|转发\s*[:：]?|转载\s*[:：]?|转自|//\s*转|来自.{1,12}的分享|分享一(?:条|个)|"
    r"\[聊天记录\]|.{0,12}的聊天记录)")
# a story plainly passed on (a forward's marker, or news and web rumour named first): its "now" is the story's
_NEWS_OPENING = re.compile(r"^\s*(?:新闻|网传)")


def forwarded(s: str) -> bool:
    """Whether a line (folded) opens as a story passed on (【转发】, 转：, 转自, 新闻, 网传 …), not as
    hearsay the writer tells in their own words ("听说隔壁单元…")."""
    return bool(_RELAY.match(s) or _NEWS_OPENING.match(s))


# news told from elsewhere: a city's incident, "别的小区", "据…报道"
_ELSEWHERE_NEWS = re.compile(
    r"^\s*(?:据.{1,12}(?:报道|消息|通报)|(?:[\u4e00-\u9fff]{1,6}(?:市|省|县)(?!场|民|政府|里)).{0,12}(?:一|某)(?:小区|居民楼|住宅|栋|男子|女子|老人|商铺)"
    r"|(?:别的|其他|外地|隔壁)(?:小区|城市|地方|区|县|街道|镇)(?![域间别分])|(?:看)?(?:新闻|头条|抖音|视频号|网上)(?:说|上说|报道|里)?[:：,，]?"
    r"|我?(?:朋友|同事|同学|亲戚|表姐|表哥|表妹|表弟|老家|我妈老家|外地朋友|外地的)(?:在的|那个|那边|那里|说|家那|群里|发的|的新闻)"
    r"|(?:听说|据说|听人说|听讲)(?!物业|社区|居委|街道|网格|业委会|开发商)[^，。!?！？\s]{0,8}?(?:那个(?:小区|城市|地方|村|镇|县)|城东|城西|城南|城北|隔壁(?!单元|楼|栋|家|屋|那家|邻居)|别的|其他|外地|有(?:个|些|几个)?小区)"
    r"|(?:听说|据说|听人说|网传)[^，。!?！？\s]{0,3}?(?:北京|上海|广州|深圳|天津|重庆|武汉|成都|南京|杭州|西安|长沙|郑州|沈阳|哈尔滨|南方|北方|国外|[\u4e00-\u9fff]{1,4}(?<![超菜门夜集城街])(?:市|省|县)(?!场|民|政府|里))(?:有(?:个|一个|家|户|人)|一个|某|那边|那个|一[家户位名]|一(?:小区|居民楼|大杂院))"
    r"|转\s|转(?:一下|个|给大家)"
    r"|隔壁[\u4e00-\u9fff]{0,6}(?:小区|街道|社区|村|镇)|我?(?:朋友|同事|同学|亲戚|表姐|表哥|表妹|表弟)(?:她们|他们|家)(?:小区|那边|那里|楼)"
    r")")
# ...unless the story turns out to be here: "转一下 不是别的小区 就是我们13栋"
_OURS = re.compile(r"不是别的小区|就是(?:我们|咱们?|俺们)|是我们(?:小区|楼|这|单元)|是我家|(?:我们|咱们?|俺们)(?:小区|楼|单元|这边|这?[0-9一二三四五六七八九十]{1,3}(?:号楼|栋|幢|楼|单元|号))")
_CHAIN = re.compile(r"^\s*(?:[#＃]\s*接龙|接龙\s*[:：#\n ]|【接龙】|.{0,20}#接龙)")
_CHAIN_ITEMS = re.compile(r"(?:^|\n)\s*\d{1,3}\s*[.、．]\s*\S")
_TICKET_NO = re.compile(r"(?<!\d)\d{6}-?\d{3}(?!\d)")


@dataclass(frozen=True)
class Reading:
    """How a line reads before its words.

    `text` is what commands and the parser read (the new words of a quote, the line without the
    leading `@<bot_name>`); `quoted` the quoted words, if any; `detail` the kind of system line
    (pat, join, leave, rename, recall, owner, contact, red_packet) or card (链接, 小程序 …)."""

    shape: str
    text: str
    addressed: bool = False
    quoted: str | None = None
    detail: str | None = None

    @property
    def silent(self) -> bool:
        """Nothing to answer, ever: the group wrote it (system) or it is a 接龙 list."""
        return self.shape in SILENT

    def quoted_ticket(self) -> str | None:
        """The ticket number the quoted words carry (the bot's own message, quoted by a worker)."""
        if not self.quoted:
            return None
        match = _TICKET_NO.search(fold(self.quoted))
        return match[0] if match else None


def _addressed(text: str, bot_name: str | None) -> tuple[bool, str]:
    """A line opening with `@<bot_name>` (U+2005 or any space after it) is for the bot: strip it."""
    if not bot_name:
        return False, text
    head = text.lstrip()
    for at in ("@", "＠"):
        mark = at + bot_name
        if head.startswith(mark):
            rest = head[len(mark):]
            if not rest or rest[0] in (MENTION_SPACE, " ", "\u3000", "\n", ",", "，", ":", "："):
                return True, rest.lstrip(MENTION_SPACE + " \u3000\n,，:：")
    return False, text


def _split_quote(text: str, quote: str | None) -> tuple[str | None, str]:
    """(quoted words, new words); (None, text) when the line quotes nothing."""
    if quote is not None and quote.strip():  # the platform sent the quote as its own field
        return quote.strip(), text
    for pattern in (_QUOTE_WECHAT, _QUOTE_OLD, _QUOTE_BELOW):
        match = pattern.match(text)
        if match:
            return match["quoted"].strip(), match["new"].strip()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = _QUOTE_WECOM.match(line)
        if match:
            rest = [x for j, x in enumerate(lines) if j != i]
            return match["quoted"].strip(), "\n".join(rest).strip()
    return None, text


def read_shape(text: str | None, *, bot_name: str | None = None, quote: str | None = None) -> Reading:
    """Read a line's shape. `bot_name` (config `bot_name`) makes `@<bot_name> …` addressed to the
    bot; `quote` is a quote the platform passed as its own field (WeCom's `quote`)."""
    text = (text or "").strip()
    addressed, body = _addressed(text, bot_name)
    quoted, new = _split_quote(body, quote)
    if quoted is not None:
        again, new = _addressed(new, bot_name)  # "「…」\n- - -\n@网格通 受理"
        return Reading("quote", new, addressed or again, quoted)
    head = fold(body[:_HEAD])
    first = head.split("\n", 1)[0].strip()
    for detail, pattern in _SYSTEM:
        if pattern.match(first) and "\n" not in head.strip():
            return Reading("system", body, addressed, detail=detail)
    if _CHAIN.match(head) or ("接龙" in head[:40] and len(_CHAIN_ITEMS.findall(head)) >= 1):
        return Reading("chain", body, addressed)
    card = _LINK_CARD.match(head)
    if card and not _OWN_LINE.search(head):
        return Reading("link", body, addressed, detail=card["kind"])
    if _RELAY.match(head):
        return Reading("relay", body, addressed)
    if _NOTICE.match(head):
        return Reading("notice", body, addressed)
    url = _URL.search(head)
    if url:
        words = _URL.sub(" ", head).strip()
        if len(words) <= 60 and not _OWN_WORDS.search(words):
            return Reading("link", body, addressed, detail="url")
    if _ELSEWHERE_NEWS.match(head) and not _OURS.search(head):
        return Reading("relay", body, addressed)
    return Reading("text", body, addressed)
