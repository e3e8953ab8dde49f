"""The request taxonomy of domain.md §6 with the seed duties it carries.

四必到 (be there in person): unrest, emergency, dispute, life_event → an on-site check (到场) is
required before the ticket can be resolved. 五必报 (must report upward): opinion, safety_hazard,
unrest, illegal_building, life_event, emergency → the street is told automatically."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, _


@dataclass(frozen=True)
class Category:
    id: str
    label: str  # msgid; translate with `name()`
    requires_on_site: bool = False  # 四必到
    report_to_street: bool = False  # 五必报

    def name(self) -> str:
        return _(self.label)


CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("emergency", N_("emergency"), True, True),
        Category("safety_hazard", N_("safety hazard"), False, True),
        Category("illegal_building", N_("illegal building"), False, True),
        Category("dispute", N_("dispute"), True, False),
        Category("unrest", N_("discontent and instability"), True, True),
        Category("life_event", N_("wedding, funeral or major change"), True, True),
        Category("care_request", N_("care and assistance"), False, False),
        Category("sanitation", N_("sanitation"), False, False),
        Category("public_facility", N_("public facility repair"), False, False),
        Category("utilities", N_("water, power, gas and heating"), False, False),
        Category("nuisance_order", N_("nuisance and public order"), False, False),
        Category("property_mgmt", N_("property management"), False, False),
        Category("service_consult", N_("policy enquiry and errands"), False, False),
        Category("opinion", N_("opinions and suggestions"), False, True),
        Category("other", N_("other"), False, False),
    )
}


def category(category_id: str) -> Category:
    return CATEGORIES.get(category_id, CATEGORIES["other"])
