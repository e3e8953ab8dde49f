"""The quarterly ranking of stationed cadres (季度排名, domain.md C9) from what the records show.

The score is transparent on purpose: every component is printed next to it, and the ranking is
an input for the 街道党工委, not a verdict."""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS = {"days": 40.0, "households": 20.0, "on_time": 25.0, "satisfied": 15.0}
QUARTER_DAYS = 30  # 10 days a month
QUARTER_HOUSEHOLDS = 30


@dataclass(frozen=True)
class CadreQuarter:
    name: str
    community: str
    days: int
    households: int
    handled: int  # tickets resolved as handler in the quarter
    on_time: int  # of those, resolved by the due time
    rated: int
    satisfied: int  # 满意 or 基本满意

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.handled if self.handled else 1.0

    @property
    def satisfied_rate(self) -> float:
        return self.satisfied / self.rated if self.rated else 1.0

    @property
    def score(self) -> float:
        return round(
            WEIGHTS["days"] * min(self.days / QUARTER_DAYS, 1.0)
            + WEIGHTS["households"] * min(self.households / QUARTER_HOUSEHOLDS, 1.0)
            + WEIGHTS["on_time"] * self.on_time_rate
            + WEIGHTS["satisfied"] * self.satisfied_rate,
            1,
        )


def rank(cadres: list[CadreQuarter]) -> list[tuple[int, CadreQuarter]]:
    """Best first; equal scores share a place (1, 2, 2, 4)."""
    ordered = sorted(cadres, key=lambda c: (-c.score, c.name))
    out: list[tuple[int, CadreQuarter]] = []
    for i, cadre in enumerate(ordered):
        place = out[-1][0] if out and out[-1][1].score == cadre.score else i + 1
        out.append((place, cadre))
    return out
