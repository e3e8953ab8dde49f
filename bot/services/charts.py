"""The monthly digest's picture: tickets by category and average days to close (matplotlib,
headless). Labels are Chinese when a CJK font is installed, English otherwise (never tofu).

Counts get whole-number ticks and every bar its value written beside it (an average of 0 days is
a bar of no width, but still a number); a month in which nothing was closed gets no empty
second panel. The CJK font is looked for in the system's font folders as well as in matplotlib's
cached font list, which predates fonts installed later."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain.categories import category
from bot.i18n import _, using

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei")


@dataclass(frozen=True)
class CategoryStat:
    category: str
    filed: int
    closed: int
    avg_days_to_close: float | None


CJK_FILES = ("notosanscjk", "notoserifcjk", "wqy", "sourcehansans", "simhei")


@cache
def cjk_font() -> str | None:
    """The first CJK font matplotlib can use. matplotlib keeps its font list in a cache written the
    first time it ran; fonts installed after that are not in it, so the system's font folders are
    searched too and what is found is added to this process's list."""
    found = _known_cjk()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(key in Path(path).name.lower().replace("-", "") for key in CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # a file matplotlib cannot read: look at the others
        found = _known_cjk()
    return found


def _known_cjk() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def warm_up() -> None:
    """Load matplotlib's fonts now (a thread at start-up) rather than in the first digest."""
    cjk_font()


def render_month_chart(stats: list[CategoryStat], title: str, folder: Path, lang: str) -> Path:
    """Write the PNG (named by content, so re-sending the same digest reuses the file)."""
    font = cjk_font()
    lang = lang if font or lang.startswith("en") else "en"
    with using(lang):
        labels = [category(s.category).name() for s in stats]
        heading = title if font else _("Tickets by category")
        filed_label, days_label = _("tickets filed"), _("average days to close")
    key = hashlib.sha1(repr((stats, heading, lang)).encode()).hexdigest()[:16]
    path = folder / f"digest-{key}.png"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), plt.rc_context({"font.family": [font] if font else ["DejaVu Sans"]}):
        warnings.simplefilter("ignore")  # a missing glyph must not break a digest
        fig = month_figure(stats, labels, heading, filed_label, days_label)
        fig.savefig(path)
        plt.close(fig)
    return path


def month_figure(stats: list[CategoryStat], labels: list[str], heading: str, filed_label: str,
                 days_label: str) -> Figure:
    """Tickets filed per category and, when anything was closed, average days to close."""
    closed_any = any(s.avg_days_to_close is not None for s in stats)
    fig, axes = plt.subplots(1, 2 if closed_any else 1, figsize=(10 if closed_any else 6, 4.5), dpi=100,
                             squeeze=False)
    left = axes[0][0]
    y = list(range(len(stats)))
    bars = left.barh(y, [s.filed for s in stats], color="#07c160")
    left.bar_label(bars, labels=[str(s.filed) for s in stats], padding=3)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlim(0, max([s.filed for s in stats] + [1]) * 1.15)
    left.set_yticks(y, labels)
    left.invert_yaxis()
    left.set_xlabel(filed_label)
    if closed_any:
        right = axes[0][1]
        days = [s.avg_days_to_close for s in stats]
        bars = right.barh(y, [d or 0 for d in days], color="#576b95")
        right.bar_label(bars, labels=["—" if d is None else f"{d:g}" for d in days], padding=3)
        right.set_xlim(0, max([d or 0 for d in days] + [1]) * 1.15)
        right.set_yticks(y, [""] * len(stats))
        right.invert_yaxis()
        right.set_xlabel(days_label)
    fig.suptitle(heading)
    fig.tight_layout()
    return fig
