"""Points, duplicates and emergency numbers."""

from __future__ import annotations

from bot.domain.emergency import emergency_numbers
from bot.domain.points import BASE, solved_awards, total
from bot.domain.similarity import same_problem, similarity


def test_points_for_a_solved_item() -> None:
    assert solved_awards(["住建"]) == [("住建", "solo", 1.0)]
    assert solved_awards(["住建", "综合执法", "应急"]) == [
        ("住建", "lead", 1.5), ("综合执法", "co", 0.5), ("应急", "co", 0.5),
    ]
    assert solved_awards([]) == []
    assert total([1.0, -3.0]) == BASE - 2 == 58


def dup(a: str, b: str, *, cat_a: str = "public_facility", cat_b: str = "public_facility",
        place_a: str | None = None, place_b: str | None = None,
        kw_a: tuple[str, ...] = (), kw_b: tuple[str, ...] = ()) -> bool:
    return same_problem(category_a=cat_a, category_b=cat_b, place_a=place_a, place_b=place_b,
                        text_a=a, text_b=b, keywords_a=list(kw_a), keywords_b=list(kw_b))


def test_the_same_broken_elevator_reported_three_ways() -> None:
    assert dup("3号楼电梯又坏了", "3号楼的电梯坏了，谁来修一下", place_a="//3", place_b="//3",
               kw_a=("电梯",), kw_b=("电梯",))
    assert dup("电梯又坏了", "3号楼电梯坏了好几天了", place_b="//3", kw_a=("电梯",), kw_b=("电梯",))


def test_different_places_or_categories_are_different_problems() -> None:
    assert not dup("3号楼电梯坏了", "5号楼电梯坏了", place_a="//3", place_b="//5",
                   kw_a=("电梯",), kw_b=("电梯",))
    assert not dup("楼道灯不亮", "垃圾没人清", cat_b="sanitation")
    assert not dup("3号楼楼道灯坏了", "小区门口井盖丢了")


def test_similarity_ignores_punctuation_and_is_symmetric() -> None:
    assert similarity("电梯坏了！", "电梯坏了") == 1.0
    assert similarity("ab", "") == 0.0
    assert similarity("楼道着火了", "着火了楼道") == similarity("着火了楼道", "楼道着火了")


def test_emergency_numbers_fit_the_message() -> None:
    assert emergency_numbers("3栋楼道着火了") == ["119"]
    assert emergency_numbers("电梯困人了快来人") == ["119"]
    assert emergency_numbers("楼下有老人晕倒了") == ["120"]
    assert emergency_numbers("有人持刀打架") == ["110"]
    assert emergency_numbers("有人要跳河") == ["110"]
    assert emergency_numbers("4号楼煤气泄漏") == ["119"]
    assert emergency_numbers("出大事了") == ["110", "119", "120"]


def test_same_building_and_category_but_another_thing_is_another_problem() -> None:
    assert not dup("5栋走廊灯又坏了", "5栋的电梯坏了", place_a="//5", place_b="//5")
    assert not dup("2号楼水管漏水了", "2号楼下水道堵了", place_a="//2", place_b="//2")
    assert not dup("电梯困人", "楼梯灯不亮", kw_a=("电梯",), kw_b=("楼梯",))


def test_same_object_and_fault_in_other_words_is_the_same_problem() -> None:
    assert dup("7号楼电梯又不动了", "7号楼电梯故障，老人下不了楼", place_a="//7", place_b="//7")
    assert dup("电梯停运了", "9栋电梯坏掉了", place_b="//9")  # one report names no building
    assert dup("声控灯不亮", "楼道的灯坏了好几天")
    assert dup("电梯把人关在里面了", "电梯坏了")  # trapped is one way of broken


def test_same_object_with_another_fault_is_another_problem() -> None:
    assert not dup("4号楼水管漏水", "4号楼水管冻裂堵了", place_a="//4", place_b="//4")
