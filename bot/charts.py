"""The /stats chart (PNG) and the CJK font it and the QR posters use.

The font is Noto Sans CJK SC from the `mplfonts` package (a pip dependency), so Chinese
labels render on a fresh machine without system fonts or network. Figures are built with
the object API (no pyplot state), so charts can be drawn in a worker thread.
"""

from __future__ import annotations

import importlib.util
import io
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from bot.models import Figures, Lang, State
from bot.texts import plain

FONT_FILE = "NotoSansCJKsc-Regular.otf"

STATE_COLORS = {
    State.SUBMITTED: "#f2b134",
    State.ACCEPTED: "#4a90d9",
    State.TRANSFERRED: "#8e6bbf",
    State.REPLIED: "#3fb5a3",
    State.CLOSED: "#5c9e3d",
    State.REJECTED: "#9e9e9e",
    State.WITHDRAWN: "#cccccc",
}


@cache
def cjk_font_path() -> Path:
    """Noto Sans CJK SC as shipped by mplfonts (found without importing it)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mplfonts package is missing: pip install mplfonts")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / FONT_FILE
        if path.exists():
            return path
    raise RuntimeError(f"mplfonts does not ship {FONT_FILE}")


def cjk_font(size: float | None = None) -> FontProperties:
    return FontProperties(fname=str(cjk_font_path()), size=size)


def stats_figure(fig_data: Figures, lang: Lang, zone: ZoneInfo) -> Figure:
    """Issues per week by state (stacked bars) and the rates (bars, %): the three of the
    first wave, then 解决率 and 重办率."""
    font = cjk_font()
    fig = Figure(figsize=(11, 4.8), dpi=110)
    FigureCanvasAgg(fig)
    weekly_ax, rates_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1.4]})
    weeks = [week[5:] for week, _ in fig_data.weekly]  # MM-DD of each Monday
    bottoms = [0] * len(weeks)
    for state in State:
        heights = [counts.get(state.value, 0) for _, counts in fig_data.weekly]
        if not any(heights):
            continue
        weekly_ax.bar(
            weeks,
            heights,
            bottom=bottoms,
            color=STATE_COLORS[state],
            label=plain(lang, f"state.{state.value}"),
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    weekly_ax.set_title(plain(lang, "stats.chart_weekly"), fontproperties=font)
    if weeks:
        weekly_ax.legend(prop=font, fontsize=8)
    else:
        weekly_ax.text(
            0.5,
            0.5,
            plain(lang, "stats.chart_no_data"),
            ha="center",
            va="center",
            transform=weekly_ax.transAxes,
            fontproperties=font,
        )
    weekly_ax.yaxis.get_major_locator().set_params(integer=True)
    rates = [
        fig_data.response_rate,
        fig_data.on_time_rate,
        fig_data.satisfaction_rate,
        fig_data.resolution_rate,
        fig_data.rehandling_rate,
    ]
    names = [
        plain(lang, "stats.rate_response"),
        plain(lang, "stats.rate_on_time"),
        plain(lang, "stats.rate_satisfaction"),
        plain(lang, "stats.rate_resolution"),
        plain(lang, "stats.rate_rehandling"),
    ]
    values = [100 * r if r is not None else 0 for r in rates]
    colors = ["#4a90d9", "#3fb5a3", "#5c9e3d", "#8e6bbf", "#f2b134"]
    bars = rates_ax.bar(names, values, color=colors)
    for bar, rate in zip(bars, rates, strict=True):
        rates_ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 2,
            f"{100 * rate:.0f}%" if rate is not None else "—",
            ha="center",
            fontproperties=font,
        )
    rates_ax.set_ylim(0, 110)
    rates_ax.set_title(plain(lang, "stats.chart_rates"), fontproperties=font)
    scope = fig_data.scope or plain(lang, "stats.scope_city")
    fig.suptitle(caption(fig_data, lang, zone, scope), fontproperties=cjk_font(13))
    # category tick labels are rebuilt at draw time: give them the font through set_xticks
    rates_ax.set_xticks(range(len(names)), names, fontproperties=font)
    if weeks:
        weekly_ax.set_xticks(range(len(weeks)), weeks, fontproperties=font)
    fig.tight_layout()
    return fig


def caption(fig_data: Figures, lang: Lang, zone: ZoneInfo, scope: str) -> str:
    from datetime import datetime

    since = datetime.fromtimestamp(fig_data.since, zone).strftime("%Y-%m-%d")
    until = datetime.fromtimestamp(fig_data.until - 1, zone).strftime("%Y-%m-%d")
    return plain(lang, "stats.caption", scope=scope, since=since, until=until)


def stats_chart(fig_data: Figures, lang: Lang, zone: ZoneInfo) -> bytes:
    """The chart as PNG bytes."""
    fig = stats_figure(fig_data, lang, zone)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
