"""Two reports are at different places only when a part both name differs: one naming the unit
(often as the writer's own address, 4-1-702) and one naming only the building are one place."""

from __future__ import annotations

from bot.domain.similarity import same_problem


def lift(place_a: str | None, place_b: str | None) -> bool:
    return same_problem(category_a="public_facility", category_b="public_facility", place_a=place_a,
                        place_b=place_b, text_a="电梯又停了", text_b="电梯坏了", keywords_a=["电梯"],
                        keywords_b=["电梯"])


def test_a_unit_named_by_one_report_only_does_not_make_another_place() -> None:
    assert lift("/4/1", "/4/")
    assert lift("八仙楼社区/4/", "/4/1")


def test_a_part_both_name_differently_is_another_place() -> None:
    assert not lift("/4/1", "/4/2")
    assert not lift("/4/", "/6/")
    assert not lift("东门岗亭", "/4/")
