"""Each secretary's digests cover their own area: a street secretary sees the cadres of their
street only, a community secretary their community."""

from __future__ import annotations

from datetime import date

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.roster import Chat, PersonRole, Roster, Unit
from bot.services.digests import plan_digests
from tests.conftest import local


def two_streets() -> Roster:
    units = [Unit("d", "示范区", "district")]
    people = []
    for s in ("a", "b"):
        units += [Unit(f"s{s}", f"{s.upper()}街道", "street", "d"),
                  Unit(f"c{s}", f"{s.upper()}社区", "community", f"s{s}"),
                  Unit(f"c{s}g", f"{s.upper()}社区一网格", "grid", f"c{s}")]
        people += [PersonRole(f"ss{s}", f"书记{s.upper()}", "street_secretary", f"s{s}", im_user=f"ss{s}"),
                   PersonRole(f"k{s}", f"干部{s.upper()}", "cadre", f"c{s}", im_user=f"k{s}"),
                   PersonRole(f"cs{s}", f"社区书记{s.upper()}", "community_secretary", f"c{s}", im_user=f"cs{s}")]
    return Roster(units, people, [Chat(f"chat-{s}", f"c{s}g", "demo") for s in ("a", "b")])


async def test_rankings_and_red_lines_stay_within_the_street(settings: Settings) -> None:
    bot = await build_app(settings, FakeClock(local(2026, 10, 8, 8, 0)), {}, people_platform="demo",
                          roster=two_streets())
    try:
        async with bot.db.session() as session:
            # the first working day of Q4: the Q3 ranking, September's red lines
            planned = await plan_digests(session, bot.job_context, date(2026, 10, 8))
    finally:
        await bot.close()
    for street, other in (("a", "B"), ("b", "A")):
        mine = {n.duty: n.text for n in planned if n.to == f"ss{street}"}
        assert {"digest.ranking", "redline.month"} <= set(mine)
        assert f"干部{street.upper()}" in mine["digest.ranking"] and f"干部{other}" not in mine["digest.ranking"]
        assert f"干部{street.upper()}" in mine["redline.month"] and f"干部{other}" not in mine["redline.month"]
    assert not [n for n in planned if n.to.startswith("cs") and n.duty in ("digest.ranking", "redline.month")]
