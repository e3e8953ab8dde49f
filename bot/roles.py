"""Role names as people read them (translated labels for the ids stored in the roster)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import N_, _

RESIDENT = "resident"

_LABELS = {
    "street_secretary": N_("street secretary"),
    "community_secretary": N_("community secretary"),
    "cadre": N_("stationed cadre"),
    "sunk_cadre": N_("liaison cadre (包联)"),
    "grid_worker": N_("grid worker"),
    "department_liaison": N_("department liaison"),
    "admin": N_("administrator"),
    RESIDENT: N_("resident"),
}


def role_label(role: str) -> str:
    return _(_LABELS[role]) if role in _LABELS else role


def role_labels(roles: Iterable[str]) -> str:
    return "、".join(role_label(r) for r in sorted(roles, key=list(_LABELS).index))
