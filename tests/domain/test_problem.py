"""The object and the fault of a report, and the label built from them."""

from __future__ import annotations

from bot.domain.problem import Problem, faults_agree, problem_of, same_thing


def test_object_and_fault_from_plain_words() -> None:
    assert problem_of("6号楼楼梯灯晚上不亮") == Problem("楼道灯", "broken")
    assert problem_of("电梯又停了") == Problem("电梯", "broken")
    assert problem_of("下水管反水了，满地都是") == Problem("下水道", "blocked")
    assert problem_of("这几天没人来") == Problem(None, None)


def test_the_fault_after_the_object_is_the_objects() -> None:
    assert problem_of("路灯不亮，井盖也丢了") == Problem("路灯", "broken")
    assert problem_of("井盖丢了，路灯也不亮") == Problem("井盖", "missing")


def test_label_is_built_from_fields_only() -> None:
    assert Problem("楼道灯", "broken").label("12") == "12号楼楼道灯不亮"
    assert Problem("电梯", "broken").label(None) == "电梯故障"
    assert Problem("垃圾", None).label("3") == "3号楼垃圾"
    assert Problem(None, "leak").label("3") is None


def test_faults_agree_only_when_compatible() -> None:
    assert faults_agree(None, "leak") and faults_agree("broken", "trapped")
    assert not faults_agree("leak", "blocked")
    assert same_thing(Problem("电梯", None), Problem("电梯", "broken")) is True
    assert same_thing(Problem("电梯", "broken"), Problem("楼道灯", "broken")) is False
    assert same_thing(Problem(None, "broken"), Problem("电梯", "broken")) is None
