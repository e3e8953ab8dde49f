"""看板: weekly new/closed, overdue, on-time and satisfaction rates, by category and place, counted
in the viewer's area only."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.services.dashboard import summarise
from storage.board_store import AreaFacts
from tests.conftest import TZ, local
from tests.console.conftest import Rig


def _fact(created, *, state="closed", category="sanitation", grid="g1", due=None, resolved=None, closed=None,
          satisfaction=None) -> AreaFacts:  # type: ignore[no-untyped-def]
    return AreaFacts(state, category, grid, "c1", created, due, resolved, closed, satisfaction)


def test_the_counts_follow_the_weeks_and_the_deadlines() -> None:
    now = local(2026, 11, 25, 12, 0)  # a Wednesday
    facts = [
        _fact(local(2026, 11, 23, 9), state="reported", due=local(2026, 11, 24, 23, 59)),  # overdue now
        _fact(local(2026, 11, 24, 9), state="accepted", category="public_facility", due=local(2026, 11, 30, 23)),
        _fact(local(2026, 11, 17, 9), due=local(2026, 11, 19, 23), resolved=local(2026, 11, 18, 9),
              closed=local(2026, 11, 23, 10), satisfaction="满意"),
        _fact(local(2026, 11, 16, 9), due=local(2026, 11, 17, 23), resolved=local(2026, 11, 20, 9),
              closed=local(2026, 11, 20, 10), satisfaction="不满意", grid="g2"),
        _fact(local(2026, 8, 3, 9), resolved=local(2026, 8, 4, 9), closed=local(2026, 8, 4, 10)),  # long ago
    ]
    board = summarise(facts, now=now, tz=TZ, points=[])
    assert [(w.monday.isoformat(), w.filed, w.closed) for w in board.weeks[-2:]] == [
        ("2026-11-16", 2, 1), ("2026-11-23", 2, 1)]
    assert len(board.weeks) == 8 and sum(w.filed for w in board.weeks) == 4
    assert (board.open_now, board.overdue_now) == (2, 1)
    assert (board.resolved, board.on_time, board.on_time_rate) == (2, 1, 0.5)
    assert (board.rated, board.satisfied) == (2, 1)
    assert board.by_category[0] == ("sanitation", 3)
    assert board.by_place == [("g1", 3, 1), ("g2", 1, 0)]
    assert summarise([], now=now, tz=TZ, points=[]).on_time_rate is None  # nothing resolved: no rate, not 100%


async def test_the_dashboard_page_counts_the_viewers_area(rig: Rig) -> None:
    await rig.file("3号楼电梯坏了")
    await rig.file("7号楼楼道灯坏了", chat="demo-baxianlou-2", user="resident-li")
    await rig.file("5号楼路灯不亮了", chat="demo-bailifang-1", user="resident-zhang")
    secretary = await rig.as_user("sec-baxianlou")
    page = await secretary.get("/console/dashboard")
    assert page.status == 200 and 'data-testid="weeks-chart"' in page.text
    assert re.search(r'data-testid="open-now">2<', page.text)
    street = await rig.as_user("street-secretary")
    assert re.search(r'data-testid="open-now">3<', (await street.get("/console/dashboard")).text)
    rig.clock.advance(timedelta(days=9))
    street = await rig.as_user("street-secretary")
    later = await street.get("/console/dashboard")
    assert re.search(r'data-testid="overdue-now">3<', later.text)
    assert "公共设施报修" in later.text and "八仙楼社区第一网格" in later.text
