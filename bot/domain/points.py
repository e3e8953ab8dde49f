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


def standings(ledger: list[tuple[str, float]]) -> list[tuple[int, str, float]]:
    """(place, department, total) from each department's sum of entries, best first; equal totals
    share a place (1, 2, 2, 4), so no department ranks above another on the same points."""
    ordered = sorted(((name, total([entries])) for name, entries in ledger), key=lambda row: (-row[1], row[0]))
    out: list[tuple[int, str, float]] = []
    for i, (name, points) in enumerate(ordered, start=1):
        place = out[-1][0] if out and out[-1][2] == points else i
        out.append((place, name, points))
    return out
