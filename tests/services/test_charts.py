"""The monthly digest's picture: whole-number counts, a 0-day average still shown, no empty panel
when nothing was closed, and the CJK font found even when matplotlib's font cache predates it."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.image import imread

from bot.services import charts
from bot.services.charts import CategoryStat, month_figure, render_month_chart


def _texts(ax) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.get_text() for t in ax.texts]


def test_counts_have_whole_ticks_and_every_bar_says_its_value() -> None:
    stats = [CategoryStat("facility_repair", 3, 2, 0.0), CategoryStat("sanitation", 1, 0, None)]
    fig = month_figure(stats, ["repairs", "sanitation"], "tickets", "filed", "days")
    try:
        left, right = fig.axes
        ticks = [t for t in left.get_xticks() if 0 <= t <= left.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
        assert _texts(left) == ["3", "1"]
        assert _texts(right) == ["0", "—"]  # 0 days is a bar of no width, but the number is there
        assert right.get_xlim()[0] == 0 < right.get_xlim()[1]  # not a −0.04…0.04 axis
    finally:
        plt.close(fig)


def test_a_month_with_nothing_closed_has_one_panel(tmp_path: Path) -> None:
    stats = [CategoryStat("facility_repair", 2, 0, None)]
    fig = month_figure(stats, ["repairs"], "tickets", "filed", "days")
    try:
        assert len(fig.axes) == 1
    finally:
        plt.close(fig)
    one = imread(render_month_chart(stats, "工单 2026-11", tmp_path, "zh_CN"))
    two = imread(render_month_chart([CategoryStat("facility_repair", 2, 1, 1.5)], "工单 2026-11", tmp_path, "zh_CN"))
    assert one.shape[1] < two.shape[1]


def test_the_cjk_font_is_found_when_installed_after_matplotlib_cached_its_list(
        monkeypatch: pytest.MonkeyPatch) -> None:
    on_disk = [p for p in font_manager.findSystemFonts()
               if any(k in Path(p).name.lower().replace("-", "") for k in charts.CJK_FILES)]
    if not on_disk:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in charts.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)  # the cache from before the install
    charts.cjk_font.cache_clear()
    try:
        assert charts.cjk_font() in charts.CJK_FONTS
    finally:
        charts.cjk_font.cache_clear()
