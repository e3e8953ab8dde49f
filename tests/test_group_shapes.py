"""What a group chat carries besides typed words, through the real pipeline: the normaliser reads a
message's shape before commands and the parser, the bot acts on new words only, stays silent on
the group's own lines, and the inbound row keeps what was recognised."""

from __future__ import annotations

from sqlmodel import select

from storage.models import InboundLog, Ticket
from tests.conftest import Harness, local

GROUP, WORKER, CADRE = "demo-baxianlou-1", "gw-baxianlou-1", "cadre-baxianlou"
RULE = "- - - - - - - - - - - - - - -"


async def tickets(harness: Harness) -> list[Ticket]:
    async with harness.app.db.session() as session:
        return list((await session.exec(select(Ticket))).all())


async def row(harness: Harness, msg_id: str) -> InboundLog:
    async with harness.app.db.session() as session:
        return (await session.exec(select(InboundLog).where(InboundLog.msg_id == msg_id))).one()


async def test_a_quoted_accept_under_the_bots_filing_message_is_a_command(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 3, 9, 0))
    out = await harness.say("resident-zhou", "6号楼单元门坏了关不上", chat=GROUP)
    [filed] = [m for m in out if m.chat_id == GROUP]
    [ticket] = await tickets(harness)
    assert ticket.no in filed.text
    out = await harness.say(WORKER, f"「网格通：{filed.text}」\n{RULE}\n受理", chat=GROUP, msg_id="q1")
    assert any(ticket.no in m.text for m in out)
    [ticket] = await tickets(harness)
    assert ticket.state == "accepted"
    recorded = await row(harness, "q1")
    assert (recorded.shape, recorded.text.endswith("受理")) == ("quote", True)


async def test_a_quoted_acknowledgement_files_nothing_and_says_nothing(harness: Harness) -> None:
    quoted = f"「物业小陈：周四上午9点到11点 二期停水检修」\n{RULE}\n好的 知道了 谢谢"
    assert await harness.say("resident-mu", quoted, chat=GROUP, msg_id="ack") == []
    assert await tickets(harness) == []
    assert (await row(harness, "ack")).shape == "quote"


async def test_the_new_words_under_a_quote_are_read_as_a_report(harness: Harness) -> None:
    quoted = f"「邻居老贺：今天好冷啊」\n{RULE}\n我们11号楼暖气片一直是凉的 三天了"
    out = await harness.say("resident-he", quoted, chat=GROUP)
    [ticket] = await tickets(harness)
    assert ticket.category == "utilities" and "好冷" not in ticket.text
    assert any(ticket.no in m.text for m in out if m.chat_id == GROUP)


async def test_a_chain_list_gets_no_answer_at_all_even_when_addressed(harness: Harness) -> None:
    chain = "#接龙\n下周二上门理发报名\n1. 4栋刘奶奶\n2. 9栋老孙"
    assert await harness.say("resident-liu", chain, chat=GROUP, mentions_bot=True, msg_id="c1") == []
    assert await harness.say("resident-liu", chain, msg_id="c2") == []  # privately too: no "没有这个命令"
    assert (await row(harness, "c1")).shape == "chain"


async def test_system_lines_are_silent_and_recorded_with_their_kind(harness: Harness) -> None:
    lines = {
        "s1": ('"小雨点" 拍了拍 "网格通"', "pat"),
        "s2": ('"何叔"邀请"晓燕"加入了群聊', "join"),
        "s3": ('"7栋老聂"退出了群聊', "leave"),
        "s4": ('"群主"修改群名为"桂花苑二期邻里群"', "rename"),
        "s5": ('"阿珍"撤回了一条消息', "recall"),
    }
    for msg_id, (text, _detail) in lines.items():
        assert await harness.say("gateway-echo", text, chat=GROUP, mentions_bot=True, msg_id=msg_id) == []
    for msg_id, (_text, detail) in lines.items():
        recorded = await row(harness, msg_id)
        assert (recorded.shape, recorded.shape_detail) == ("system", detail)
    assert await tickets(harness) == []


async def test_notices_cards_and_relayed_news_file_nothing(harness: Harness) -> None:
    for text in ("@所有人 温馨提示：本周六上午小区消防检查 请家中留人",
                 "[链接]入冬取暖安全须知，这几点一定要注意",
                 "【转发】邻市一小区电梯突然下坠 三人受伤",
                 "[小程序]社区团购 | 今日特价鸡蛋"):
        assert await harness.say("resident-qin", text, chat=GROUP) == [], text
    assert await tickets(harness) == []


async def test_a_line_opening_with_the_bots_name_is_addressed_whatever_the_flag(harness: Harness) -> None:
    out = await harness.say("resident-fu", "@网格通\u2005垃圾站那边一个星期没人清了", chat="unbound-group",
                            mentions_bot=False, msg_id="a1")
    [asked] = [m for m in out if m.chat_id is None]  # asked which community, privately, not silent
    assert "社区" in asked.text
    assert all("垃圾" not in m.text for m in out if m.chat_id == "unbound-group")  # the group: a pointer at most
    assert (await row(harness, "a1")).addressed
    out = await harness.say("resident-fu", "垃圾站那边一个星期没人清了", chat="unbound-group")
    assert [m for m in out if m.chat_id == "unbound-group"] == []  # not addressed: nothing said in the group


async def test_a_relative_far_away_reporting_a_fall_at_home_files_a_p0(harness: Harness) -> None:
    await harness.say("resident-bai", "我人在深圳出差 我爸一个人在家 刚打电话说在卫生间滑倒了爬不起来 8栋2单元",
                      chat=GROUP)
    [ticket] = await tickets(harness)
    assert (ticket.category, ticket.urgency) == ("emergency", "P0")


async def test_a_danger_a_cadre_sees_is_a_report_not_a_check_in(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 5, 10, 0))
    await harness.say(CADRE, "今天走访到5号楼 发现地下车库一股浓烟往外冒", chat=GROUP)
    [ticket] = await tickets(harness)
    assert ticket.urgency == "P0"


async def test_asking_how_to_report_is_answered_with_how_not_filed(harness: Harness) -> None:
    out = await harness.say("resident-kong", "在吗 请问家里东西坏了报修是找物业还是找社区", chat=GROUP)
    assert len(out) == 1 and "直接描述" in out[0].text
    assert await tickets(harness) == []


async def test_a_report_is_parsed_once_and_filed_as_its_shape_read_it(harness: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.nlp.parser import Parser

    seen: list[tuple[str, str]] = []
    parse = Parser.parse

    def counting(self, text: str, shape: str = "text"):  # type: ignore[no-untyped-def]
        seen.append((text, shape))
        return parse(self, text, shape)

    monkeypatch.setattr(Parser, "parse", counting)
    quoted = f"「邻居老贺：今天好冷啊」\n{RULE}\n9号楼东边的路灯一个礼拜没亮了"
    await harness.say("resident-he", quoted, chat=GROUP)
    [ticket] = await tickets(harness)
    assert ticket.category == "public_facility"
    assert seen == [("9号楼东边的路灯一个礼拜没亮了", "quote")]


async def test_a_reply_that_takes_up_a_quoted_call_for_help_is_filed_as_the_p0(harness: Harness) -> None:
    """The quoted words are a neighbour's call for help; the reply ("谁有他家钥匙") is the call now."""
    harness.clock.set(local(2026, 11, 3, 21, 0))
    out = await harness.say("resident-zhou", f"「老周：我摔了 起不来 在客厅」\n{RULE}\n他家里没人 谁有钥匙 6号楼二单元",
                            chat=GROUP, msg_id="q-help")
    [ticket] = await tickets(harness)
    assert (ticket.category, ticket.urgency) == ("emergency", "P0")
    assert any(ticket.no in m.text for m in out if m.chat_id == GROUP)
    assert "摔" not in "".join(m.text for m in out if m.chat_id == GROUP)  # fields only, never their words
    told = [m.text for m in out if m.chat_id is None and m.ticket == ticket.no]
    assert told and all("我摔了 起不来" in t for t in told)  # the staff are told the call itself


async def test_a_reply_that_closes_a_quoted_call_for_help_files_nothing(harness: Harness) -> None:
    harness.clock.set(local(2026, 11, 3, 21, 0))
    await harness.say("resident-zhou", f"「老周：我摔了 起不来 在客厅」\n{RULE}\n已经扶起来了 没事了 谢谢大家",
                      chat=GROUP)
    assert await tickets(harness) == []
