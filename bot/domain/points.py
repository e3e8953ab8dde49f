"""吹哨报到 points for departments (002 附件5, domain.md §4.3): base 60 a year; +1 for an item solved
alone; when several departments handled it, +1.5 for the lead unit and +0.5 for each co-handler;
−3 for each feedback not given within the limit."""

from __future__ import annotations

BASE = 60.0
SOLO = 1.0
LEAD = 1.5
CO_HANDLER = 0.5
LATE_FEEDBACK = -3.0


def solved_awards(departments: list[str]) -> list[tuple[str, str, float]]:
    """(department, kind, points) for a solved item; `departments` in whistle order, lead first."""
    if not departments:
        return []
    if len(departments) == 1:
        return [(departments[0], "solo", SOLO)]
    lead, *others = departments
    return [(lead, "lead", LEAD)] + [(d, "co", CO_HANDLER) for d in others]


def total(entries: list[float]) -> float:
    return BASE + sum(entries)
