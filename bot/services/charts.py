"""The monthly digest's picture: tickets by category and average days to close (matplotlib,
headless). Labels are Chinese when a CJK font is installed, English otherwise (never tofu)."""

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

from bot.domain.categories import category
from bot.i18n import _, using

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei")


@dataclass(frozen=True)
class CategoryStat:
    category: str
    filed: int
    closed: int
    avg_days_to_close: float | None


@cache
def cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


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
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5), dpi=100)
        y = range(len(stats))
        left.barh(list(y), [s.filed for s in stats], color="#07c160")
        left.set_yticks(list(y), labels)
        left.invert_yaxis()
        left.set_xlabel(filed_label)
        right.barh(list(y), [s.avg_days_to_close or 0 for s in stats], color="#576b95")
        right.set_yticks(list(y), [""] * len(stats))
        right.invert_yaxis()
        right.set_xlabel(days_label)
        fig.suptitle(heading)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
    return path
