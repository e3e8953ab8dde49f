"""The quarterly ranking of stationed cadres (季度排名, domain.md C9) from what the records show.

The score is transparent on purpose: every component is printed next to it, and the ranking is
an input for the 街道党工委, not a verdict. A component with no data (no ticket handled, none
rated) scores 0 for that cadre, never full marks: points are for what was done. A cadre with no
data at all is not ranked (the ranking says 无数据)."""

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
    def on_time_rate(self) -> float | None:
        """Share of handled tickets resolved in time; None: no ticket handled (no data)."""
        return self.on_time / self.handled if self.handled else None

    @property
    def satisfied_rate(self) -> float | None:
        """Share of rated tickets rated 满意/基本满意; None: none rated (no data)."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def has_data(self) -> bool:
        return bool(self.days or self.households or self.handled or self.rated)

    @property
    def score(self) -> float:
        """0–100; each component with no data adds 0."""
        return round(
            WEIGHTS["days"] * min(self.days / QUARTER_DAYS, 1.0)
            + WEIGHTS["households"] * min(self.households / QUARTER_HOUSEHOLDS, 1.0)
            + WEIGHTS["on_time"] * (self.on_time_rate or 0.0)
            + WEIGHTS["satisfied"] * (self.satisfied_rate or 0.0),
            1,
        )


def rank(cadres: list[CadreQuarter]) -> list[tuple[int, CadreQuarter]]:
    """Cadres with any data, best first; equal scores share a place (1, 2, 2, 4). Those with no
    data at all are left out (see `without_data`)."""
    ordered = sorted((c for c in cadres if c.has_data), key=lambda c: (-c.score, c.name))
    out: list[tuple[int, CadreQuarter]] = []
    for i, cadre in enumerate(ordered):
        place = out[-1][0] if out and out[-1][1].score == cadre.score else i + 1
        out.append((place, cadre))
    return out


def without_data(cadres: list[CadreQuarter]) -> list[CadreQuarter]:
    """The cadres with nothing recorded in the quarter, by name: listed as 无数据, not ranked."""
    return sorted((c for c in cadres if not c.has_data), key=lambda c: c.name)
