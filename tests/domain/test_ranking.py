"""The quarterly ranking: no data scores nothing, and cadres with no data are not ranked."""

from __future__ import annotations

from bot.domain.ranking import CadreQuarter, rank, without_data


def cadre(name: str, days: int = 0, households: int = 0, handled: int = 0, on_time: int = 0,
          rated: int = 0, satisfied: int = 0) -> CadreQuarter:
    return CadreQuarter(name, "某社区", days, households, handled, on_time, rated, satisfied)


def test_a_component_with_no_data_scores_zero() -> None:
    idle = cadre("甲")
    assert idle.score == 0 and idle.on_time_rate is None and idle.satisfied_rate is None
    assert cadre("乙", days=15).score == 20.0  # half the days, and nothing else counted in
    assert cadre("丙", handled=2, on_time=1, rated=1, satisfied=1).score == 12.5 + 15


def test_only_cadres_with_data_are_ranked_and_the_rest_listed() -> None:
    cadres = [cadre("甲"), cadre("乙", days=30), cadre("丙", households=30), cadre("丁")]
    assert [(place, c.name) for place, c in rank(cadres)] == [(1, "乙"), (2, "丙")]
    assert [c.name for c in without_data(cadres)] == ["丁", "甲"]  # by name
    assert rank([cadre("甲"), cadre("乙")]) == []


def test_equal_scores_share_a_place() -> None:
    cadres = [cadre("甲", days=30), cadre("乙", days=30), cadre("丙", days=3)]
    assert [place for place, _ in rank(cadres)] == [1, 1, 3]
