"""How people type commands in chat."""

from __future__ import annotations

import pytest

from bot.commands import CommandText, normalise, parse_command

WORDS = ["帮助", "查询", "我的工单", "受理"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("帮助", CommandText("帮助", "", False)),
        ("/帮助", CommandText("帮助", "", True)),
        ("＃帮助", CommandText("帮助", "", True)),
        ("／帮助", CommandText("帮助", "", True)),
        ("@网格通 帮助", CommandText("帮助", "", False)),
        ("@网格通\u2005帮助", CommandText("帮助", "", False)),
        ("查询　２６１１２２－００１", CommandText("查询", "261122-001", False)),
        ("查询261122001", CommandText("查询", "261122001", False)),
        ("  受理   261122-001  ", CommandText("受理", "261122-001", False)),
        ("我的工单", CommandText("我的工单", "", False)),
        ("/不存在 的命令", CommandText("不存在", "的命令", True)),
        ("查询工单261122-001", CommandText("查询", "工单261122-001", False)),
    ],
)
def test_commands_are_recognised(text: str, expected: CommandText) -> None:
    assert parse_command(text, WORDS) == expected


@pytest.mark.parametrize(
    "text", ["帮助我们看看楼道灯", "查询一下物业电话是多少", "你好", "", "@所有人 今晚开会"]
)
def test_ordinary_sentences_are_not_commands(text: str) -> None:
    assert parse_command(text, WORDS) is None


def test_normalise_folds_full_width_forms() -> None:
    assert normalise("３号楼　Ａ座＃") == "3号楼 A座#"


def test_normalise_keeps_chinese_punctuation_of_the_users_words() -> None:
    assert normalise("办结 261122-001 更换控制板，电梯恢复运行（已试乘）！") == \
        "办结 261122-001 更换控制板，电梯恢复运行（已试乘）！"
