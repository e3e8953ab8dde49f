"""附件5 items by the names cadres actually type: the short label, the paper form's wording, a part."""

from __future__ import annotations

import pytest

from bot.forms.monthly import UnknownItem, field_named


@pytest.mark.parametrize(("typed", "key"), [
    ("主题党日主题", "party_day_theme"),  # the README's own example
    ("党日主题", "party_day_theme"),
    ("本月党日活动主题", "party_day_theme"),
    ("协调解决问题", "problems_solved"),
    ("为群众办理事项", "matters_done"),
    ("检查坐值班情况", "duty_checks"),
    ("远程教育学习次数", "remote_sessions"),  # the form's words plus a unit
    ("志愿服务党员人数", "volunteer_members"),
    ("应知应会", "know_how_lectures"),
])
def test_an_item_by_any_of_its_names(typed: str, key: str) -> None:
    assert field_named(typed).key == key


def test_an_ambiguous_short_name_lists_the_candidates() -> None:
    with pytest.raises(UnknownItem) as raised:
        field_named("远程教育")
    assert {f.key for f in raised.value.candidates} == {"remote_sessions", "remote_hours"}


def test_an_unknown_name_has_no_candidates() -> None:
    with pytest.raises(UnknownItem) as raised:
        field_named("天气")
    assert raised.value.candidates == ()
