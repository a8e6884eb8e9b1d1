"""The /stats chart (PNG) and the CJK font it and the QR posters use.

The font is Noto Sans CJK SC from the `mplfonts` package (a pip dependency), so Chinese
labels render on a fresh machine without system fonts or network. Figures are built with
the object API (no pyplot state), so charts can be drawn in a worker thread.
"""

from __future__ import annotations

import importlib.util
import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter, StrMethodFormatter

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


MAX_LABELS = 12  # tick labels under the bins at most; more bins get every n-th label
BINS_SHARE = 0.55  # about the bins' axes' share of the figure's width, after tight_layout
MIN_SLOTS = 4  # a chart of fewer bins keeps this many bar widths (no bar fills the axes)
LEGEND_COLUMNS = 4  # states side by side in the legend above the bars (7 take two rows)


def bin_labels(fig_data: Figures, lang: Lang) -> list[tuple[int, str]]:
    """(bin index, label) of the bins to label: weeks by their days in the period
    ("12/1–12/6"), months by name ("1月", "Jan") with the year where it changes (when the
    bins span more than one year); every n-th bin when there are more than MAX_LABELS."""
    step = -(-len(fig_data.bins) // MAX_LABELS)  # ceiling
    shown = range(0, len(fig_data.bins), max(step, 1))
    starts = [date.fromisoformat(first) for first, _, _ in fig_data.bins]
    if fig_data.granularity != "month":
        labels = []
        for index in shown:
            first, last = starts[index], date.fromisoformat(fig_data.bins[index][1])
            label = f"{first.month}/{first.day}"
            if last != first:
                label += f"–{last.month}/{last.day}"
            labels.append((index, label))
        return labels
    years = len({day.year for day in starts}) > 1
    labels = []
    year = 0
    for index in shown:
        day = starts[index]
        label = plain(lang, f"stats.chart_month_{day.month}")
        if years and day.year != year:
            label = plain(lang, "stats.chart_month_year", month=label, year=day.year)
            year = day.year
        labels.append((index, label))
    return labels


def _crowded(labels: list[str], slots: float, bins: int, axes_width: float) -> bool:
    """Whether the widest label is too wide for the room between two labelled ticks (then
    the labels are slanted). Widths are estimated: digits and Latin letters about half an
    em of the 10 pt tick font, Chinese characters a whole em."""
    if not labels:
        return False
    em = 10 / 72  # inches
    widest = max(sum(em if ord(c) >= 0x2E80 else em * 0.55 for c in label) for label in labels)
    room = axes_width / (slots + 0.2) * bins / len(labels)
    return widest > 0.85 * room


def _draw_bins(
    ax: Axes, fig_data: Figures, lang: Lang, font: FontProperties, fig_width: float
) -> None:
    """New issues per bin, stacked by state, on a continuous axis (empty bins stay as
    gaps with their labels); the words "no issues" instead when the period has none."""
    title = "stats.chart_monthly" if fig_data.granularity == "month" else "stats.chart_weekly"
    ax.set_title(plain(lang, title), fontproperties=font)
    total = sum(sum(counts.values()) for _, _, counts in fig_data.bins)
    if not total:
        ax.text(
            0.5,
            0.5,
            plain(lang, "stats.chart_no_data"),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontproperties=cjk_font(15),
            color="#555555",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return
    places = list(range(len(fig_data.bins)))
    bottoms = [0] * len(places)
    shown = 0
    for state in State:
        heights = [counts.get(state.value, 0) for _, _, counts in fig_data.bins]
        if not any(heights):
            continue
        ax.bar(
            places,
            heights,
            bottom=bottoms,
            color=STATE_COLORS[state],
            label=plain(lang, f"state.{state.value}"),
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        shown += 1
    rows = 1 if shown <= LEGEND_COLUMNS else 2
    pad = max(MIN_SLOTS - len(places), 0) / 2
    ax.set_xlim(-0.6 - pad, len(places) - 0.4 + pad)
    ax.set_ylim(0, max(bottoms) * (1 + 0.12 * rows) + 0.5)  # room for the legend on top
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    ax.legend(prop=cjk_font(8), loc="upper left", ncols=LEGEND_COLUMNS, frameon=False)
    labels = bin_labels(fig_data, lang)
    width = fig_width * BINS_SHARE
    long = _crowded([label for _, label in labels], len(places) + 2 * pad, len(places), width)
    ax.set_xticks(
        [index for index, _ in labels],
        [label for _, label in labels],
        fontproperties=font,
        rotation=30 if long else 0,
        ha="right" if long else "center",
        rotation_mode="anchor",
    )


def stats_figure(fig_data: Figures, lang: Lang, zone: ZoneInfo) -> Figure:
    """New issues per week or month by state (stacked bars, see `Figures.bins`) and the
    rates (bars, %): the three of the first wave, then 解决率 and 重办率."""
    font = cjk_font()
    fig = Figure(figsize=(11, 4.8), dpi=110)
    FigureCanvasAgg(fig)
    bins_ax, rates_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1.4]})
    _draw_bins(bins_ax, fig_data, lang, font, fig.get_figwidth())
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
    rates_ax.yaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
    rates_ax.yaxis.set_major_formatter(PercentFormatter())
    rates_ax.set_title(plain(lang, "stats.chart_rates"), fontproperties=font)
    scope = fig_data.scope or plain(lang, "stats.scope_city")
    fig.suptitle(caption(fig_data, lang, zone, scope), fontproperties=cjk_font(13))
    # category tick labels are rebuilt at draw time: give them the font through set_xticks
    rates_ax.set_xticks(range(len(names)), names, fontproperties=font)
    fig.tight_layout()
    return fig


def caption(fig_data: Figures, lang: Lang, zone: ZoneInfo, scope: str) -> str:
    since = datetime.fromtimestamp(fig_data.since, zone).strftime("%Y-%m-%d")
    until = datetime.fromtimestamp(fig_data.until - 1, zone).strftime("%Y-%m-%d")
    return plain(lang, "stats.caption", scope=scope, since=since, until=until)


def stats_chart(fig_data: Figures, lang: Lang, zone: ZoneInfo) -> bytes:
    """The chart as PNG bytes."""
    fig = stats_figure(fig_data, lang, zone)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
