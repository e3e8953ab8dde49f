"""Where a person's role reaches: a roster unit and every unit under it (a street secretary's
street, its communities and their grids). Pure: the caller loads the unit tree and the grants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class AreaBook:
    parents: Mapping[str, str | None]  # unit id → parent unit id
    grants: Mapping[tuple[str, str], frozenset[str]]  # (person id, role) → the units of that role

    def units(self, person_id: str, role: str) -> frozenset[str]:
        return self.grants.get((person_id, role), frozenset())

    def within(self, unit_id: str | None, area_id: str) -> bool:
        """`unit_id` is `area_id` or lies under it."""
        seen: set[str] = set()
        node = unit_id
        while node is not None and node not in seen:
            if node == area_id:
                return True
            seen.add(node)
            node = self.parents.get(node)
        return False

    def reaches(self, person_id: str, role: str, unit_ids: Iterable[str | None]) -> bool:
        """One of `unit_ids` lies inside the units `person_id` holds as `role`."""
        areas = self.units(person_id, role)
        return any(self.within(u, a) for u in unit_ids for a in areas)

    def reaches_person(self, person_id: str, role: str, other_id: str, other_role: str) -> bool:
        """`other_id`, as `other_role`, is stationed inside the area `person_id` holds as `role`."""
        return self.reaches(person_id, role, self.units(other_id, other_role))
