"""看板: the viewer's area at a glance, drawn on the server as SVG (no chart library, no script)."""

from __future__ import annotations

from aiohttp import web

from bot.console.app import console_of, lang_of, render, viewer_of
from bot.domain.categories import category
from bot.i18n import using
from bot.services import board as board_service
from bot.services import dashboard

BAR_WIDTH = 360  # px of the longest bar


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


async def dashboard_page(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    bot = console_of(request).bot
    async with bot.db.session() as session:
        data = await dashboard.load(session, viewer.scope, now=bot.clock.now(), tz=bot.settings.tz)
        names = dict(await board_service.area_units(session, viewer.scope))
    peak = max([w.filed for w in data.weeks] + [w.closed for w in data.weeks] + [1])
    weeks = [{"label": f"{w.monday:%m-%d}", "filed": w.filed, "closed": w.closed,
              "filed_h": round(120 * w.filed / peak), "closed_h": round(120 * w.closed / peak)} for w in data.weeks]
    top = max([n for _c, n in data.by_category] + [1])
    with using(lang_of(request)):
        categories = [{"name": category(c).name(), "n": n, "w": round(BAR_WIDTH * n / top)}
                      for c, n in data.by_category]
        return render(request, "dashboard.html", d=data, weeks=weeks, categories=categories,
                      on_time=_pct(data.on_time_rate), satisfied=_pct(data.satisfied_rate),
                      places=[{"name": names.get(u, u or "—"), "filed": f, "overdue": o} for u, f, o in data.by_place])


def add_routes(app: web.Application) -> None:
    app.router.add_get("/dashboard", dashboard_page)
