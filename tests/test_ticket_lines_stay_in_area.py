"""A ticket's public line (its number, state, deadline) is said only in a group whose bound unit
covers the ticket's area; typed in any other group, the answer goes privately and that group
learns nothing of the ticket."""

from __future__ import annotations

import re

from bot.audience import Answer, Audience, route
from bot.events import InboundMessage
from tests.conftest import Harness, local

HOME = "demo-baxianlou-1"
POINTER = "已私信回复您。"
NUMBER = re.compile(r"\d{6}-\d{3}")


def test_a_public_line_not_held_by_the_group_goes_privately() -> None:
    group = InboundMessage(platform="demo", msg_id="1", user_id="u9", text="x", chat_id="elsewhere")
    pointer, line = route(Answer("工单261203-004：已受理", Audience.public, ticket="261203-004"), group,
                          is_member=False, people_platform="demo", held=False)
    assert (pointer.chat_id, pointer.text) == ("elsewhere", POINTER)
    assert (line.chat_id, line.user_id, line.text) == (None, "u9", "工单261203-004：已受理")


def test_where_the_sender_cannot_be_reached_the_other_group_gets_no_ticket_field() -> None:
    robot = InboundMessage(platform="wecom_robot", msg_id="1", user_id="u9", text="x", chat_id="elsewhere")
    said = route(Answer("工单261203-004：已受理，期限12月5日", Audience.public, ticket="261203-004"), robot,
                 is_member=False, people_platform="wecom_app", held=False)
    assert [m.chat_id for m in said] == ["elsewhere"] and not re.search(r"\d", said[0].text)


async def _ticket(harness: Harness) -> str:
    harness.clock.set(local(2026, 12, 3, 9, 0))
    out = await harness.say("resident-41", "小区北门的路灯坏了", chat=HOME, user_name="阿梅")
    match = NUMBER.search(" ".join(m.text for m in out if m.chat_id == HOME))
    assert match is not None
    return match[0]


async def test_ticket_commands_typed_in_another_areas_group_are_answered_privately(harness: Harness) -> None:
    no = await _ticket(harness)
    asked = [
        ("gw-baxianlou-1", f"受理 {no}", "demo-bailifang-1"),  # its own worker, in another community's group
        ("resident-41", f"补充 {no} 晚上九点以后全黑", "demo-bailifang-2"),  # its reporter, elsewhere
        ("resident-77", f"查询 {no}", "demo-baxianlou-2"),  # anyone, in the other grid of its community
    ]
    for user, text, chat in asked:
        out = await harness.say(user, text, chat=chat)
        assert [m.text for m in out if m.chat_id == chat] == [POINTER], (text, out)
        assert any(no in m.text for m in out if m.chat_id is None and m.user_id == user), (text, out)
        assert not any(m.chat_id not in (None, chat) for m in out)


async def test_the_tickets_own_group_still_sees_its_public_line(harness: Harness) -> None:
    no = await _ticket(harness)
    out = await harness.say("resident-77", f"查询 {no}", chat=HOME)
    assert any(no in m.text for m in out if m.chat_id == HOME)


async def test_the_group_a_ticket_was_reported_in_still_hears_of_it_after_it_moves(harness: Harness) -> None:
    no = await _ticket(harness)
    out = await harness.say("gw-baxianlou-1", f"转派 {no} 郑建海", chat=HOME)  # to the other grid's worker
    assert any(no in m.text for m in out if m.chat_id == HOME)
    out = await harness.say("resident-41", f"查询 {no}", chat=HOME)
    assert any(no in m.text for m in out if m.chat_id == HOME)
    out = await harness.say("resident-77", f"查询 {no}", chat="demo-baxianlou-2")  # the grid it moved to
    assert any(no in m.text for m in out if m.chat_id == "demo-baxianlou-2")


def test_a_public_form_naming_a_ticket_is_not_said_in_a_group_that_does_not_hold_it() -> None:
    robot = InboundMessage(platform="wecom_robot", msg_id="1", user_id="u9", text="x", chat_id="elsewhere")
    said = route(Answer("照片已加到工单261203-004。", Audience.sender, public="照片已加到工单261203-004。",
                        ticket="261203-004"), robot, is_member=False, people_platform="wecom_app", held=False)
    assert [m.chat_id for m in said] == ["elsewhere"] and "261203-004" not in said[0].text
