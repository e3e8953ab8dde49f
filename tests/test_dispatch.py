"""The message pipeline: dedupe, roles, commands, silence for chatter, errors kept and answered."""

from __future__ import annotations

from sqlmodel import select

from bot.audience import Audience
from bot.context import Context
from bot.events import InboundMessage, MessageKind
from bot.registry import CommandSpec
from storage.models import InboundLog, InboundStatus, Outbox, Ticket
from tests.conftest import Harness

GROUP = "demo-baxianlou-1"


async def test_help_lists_only_what_a_resident_may_use(harness: Harness) -> None:
    pointer, reply = await harness.say("resident-1", "帮助", chat=GROUP)
    assert (pointer.chat_id, pointer.text) == (GROUP, "已私信回复您。")  # the group gets one line
    assert reply.kind == "reply"
    assert (reply.chat_id, reply.user_id) == (None, "resident-1")
    assert "居民" in reply.text
    assert "帮助" in reply.text
    assert "反映问题" in reply.text


async def test_help_names_the_cadres_role(harness: Harness) -> None:
    [reply] = await harness.say("cadre-baxianlou", "/帮助")
    assert reply.chat_id is None
    assert reply.user_id == "cadre-baxianlou"
    assert "驻社区干部" in reply.text
    assert "反映问题" not in reply.text


async def test_help_includes_role_restricted_commands_only_for_that_role(harness: Harness) -> None:
    [for_resident] = await harness.say("resident-1", "帮助")
    [for_cadre] = await harness.say("cadre-baxianlou", "帮助")
    [for_department] = await harness.say("dept-zhujian", "帮助")
    assert "评价" in for_resident.text and "受理" not in for_resident.text
    assert "受理" in for_cadre.text and "核查" not in for_cadre.text
    assert "反馈" in for_department.text and "受理" not in for_department.text


async def test_command_variants_reach_the_same_handler(harness: Harness) -> None:
    for text in ("身份", "/身份", "＃身份", "#身份", "@网格通 身份", "／身份", "我是谁"):
        [reply] = await harness.say("gw-baxianlou-1", text, chat=GROUP)
        assert "网格员" in reply.text, text


async def test_a_resident_is_refused_a_cadre_command_with_a_clear_answer(harness: Harness) -> None:
    pointer, reply = await harness.say("resident-1", "受理 261102-001", chat=GROUP)
    assert pointer.chat_id == GROUP and reply.chat_id is None
    assert "仅限" in reply.text
    assert "网格员" in reply.text
    assert "驻社区干部" in reply.text


async def test_unknown_explicit_command_is_answered_in_chinese(harness: Harness) -> None:
    pointer, reply = await harness.say("resident-1", "/开门", chat=GROUP)
    assert reply.text == "没有“开门”这个命令。发送“帮助”查看可以使用的命令。" and reply.chat_id is None
    assert "开门" not in pointer.text  # what was typed is never echoed into the group


async def test_group_chatter_gets_no_reply(harness: Harness) -> None:
    for text in ("收到", "谢谢书记", "今天天气真好"):
        assert await harness.say("resident-1", text, chat=GROUP) == []


async def test_private_text_the_bot_cannot_place_gets_a_hint(harness: Harness) -> None:
    [reply] = await harness.say("resident-1", "今天天气真好")
    assert "帮助" in reply.text
    assert reply.user_id == "resident-1"
    assert reply.chat_id is None


async def test_a_retried_message_is_handled_once(harness: Harness) -> None:
    first = await harness.say("resident-1", "帮助", chat=GROUP, msg_id="wx-42")
    again = await harness.say("resident-1", "帮助", chat=GROUP, msg_id="wx-42")
    assert len(first) == 2  # the pointer in the group and the answer in private
    assert again == []
    async with harness.app.db.session() as s:
        rows = (await s.exec(select(InboundLog))).all()
    assert [(r.msg_id, r.status) for r in rows] == [("wx-42", InboundStatus.done)]


async def test_same_msg_id_on_another_platform_is_another_message(harness: Harness) -> None:
    assert await harness.say("resident-1", "帮助", msg_id="7")
    assert await harness.say("resident-1", "帮助", msg_id="7", platform="bridge")


async def test_a_handler_crash_is_answered_kept_and_changes_nothing_else(harness: Harness) -> None:
    async def boom(ctx: Context, args: str) -> None:
        await ctx.reply("half-done work that must be rolled back")
        raise RuntimeError("disk on fire")

    harness.app.registry.add_command(CommandSpec("爆炸", "", boom, audience=Audience.sender))
    [reply] = await harness.say("resident-1", "爆炸", chat=GROUP)
    assert "没有处理成功" in reply.text
    assert "已保存" in reply.text
    async with harness.app.db.session() as s:
        row = (await s.exec(select(InboundLog))).one()
        texts = [o.text for o in (await s.exec(select(Outbox))).all()]
    assert row.status == InboundStatus.failed
    assert "disk on fire" in (row.error or "")
    assert not any("half-done" in t for t in texts)


async def test_messages_left_unfinished_by_a_crash_are_processed_on_recovery(
    harness: Harness,
) -> None:
    message = InboundMessage(platform="demo", msg_id="crash-1", user_id="resident-1",
                             text="帮助", chat_id=GROUP)
    assert await harness.app.dispatcher.record(message) is not None  # then the process died
    assert await harness.delivered() == []
    assert await harness.app.dispatcher.recover() == 1
    _pointer, reply = await harness.delivered()
    assert "帮助" in reply.text
    assert await harness.app.dispatcher.recover() == 0
    # and WeChat's retry of it after the restart is still a duplicate
    assert await harness.say("resident-1", "帮助", chat=GROUP, msg_id="crash-1") == []


async def test_someone_not_in_the_roster_is_a_resident(harness: Harness) -> None:
    [reply] = await harness.say("stranger", "身份")
    assert "居民" in reply.text


async def test_the_apology_for_a_crash_is_in_the_senders_language(harness: Harness) -> None:
    async def boom(ctx: Context, args: str) -> None:
        raise RuntimeError("disk on fire")

    harness.app.registry.add_command(CommandSpec("爆炸", "", boom, audience=Audience.sender))
    await harness.say("resident-1", "语言 English")
    [reply] = await harness.say("resident-1", "爆炸")
    assert reply.text.startswith("Sorry, your message could not be handled"), reply.text


async def test_a_message_recalled_before_it_was_handled_is_never_handled(harness: Harness) -> None:
    words = "八仙楼社区4号楼的消防通道被电动车堵死了"
    message = InboundMessage(platform="demo", msg_id="to-recall", user_id="resident-1", text=words)
    recall = InboundMessage(platform="demo", msg_id="the-recall", user_id="resident-1", text="to-recall",
                            kind=MessageKind.recall)
    dispatcher = harness.app.dispatcher
    message_id, recall_id = await dispatcher.record(message), await dispatcher.record(recall)
    assert message_id is not None and recall_id is not None
    await dispatcher.process(recall_id)  # the recall's turn came first (a restart, a slow worker)
    await dispatcher.process(message_id)
    async with harness.app.db.session() as session:
        rows = (await session.exec(select(InboundLog))).all()
        tickets = (await session.exec(select(Ticket))).all()
    assert tickets == []
    assert all(r.status == InboundStatus.done and words not in r.text for r in rows)
    assert await harness.delivered() == []  # silent: nothing was filed, nothing to say
