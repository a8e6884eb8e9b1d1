"""The /stats chart reads right: bins follow the period (weeks for a month, months for a
year) on a continuous axis with the empty ones kept, labels inside the period and few enough
not to overlap, integer counts, and "no issues" when there are none. Figures come from the
real StatsService on a temporary database with a ManualClock."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.charts import MAX_LABELS, stats_chart, stats_figure
from bot.models import Figures, Lang
from bot.services.stats import StatsService, granularity, since_date, time_bins
from tests.unit.sched_world import ZONE, City, open_city

DAY = 86400


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZONE)


async def file_issues(city: City, moments: list[datetime]) -> None:
    """One resident's issue at each moment (a different resident each time); the first
    one is then marked accepted, so the bars stack two states."""
    for n, moment in enumerate(moments):
        city.clock.set(moment)
        issue = await city.report(await city.resident(5000 + n))
        if n == 0:
            async with city.db.transaction() as repos:
                await repos.conn.execute(
                    "UPDATE issues SET state = 'accepted' WHERE id = ?", (issue.id,)
                )


async def figures_at(
    tmp_path: Path, now: datetime, moments: list[datetime], period: str = "month"
) -> Figures:
    async with open_city(tmp_path, start=moments[0] if moments else now) as city:
        await file_issues(city, moments)
        city.clock.set(now)
        service = StatsService(city.db, city.clock, city.settings)
        span = service.period(period)
        return await service.figures(None, span.since, span.until)


def bin_axes(fig: Figure) -> tuple[list[str], list[str], list[float]]:
    """The bins' x tick labels, y tick labels and bar heights (stacked: summed per bin)."""
    fig.canvas.draw()
    ax = fig.axes[0]
    xs = [t.get_text() for t in ax.get_xticklabels()]
    ys = [t.get_text() for t in ax.get_yticklabels() if t.get_visible()]
    heights: dict[float, float] = {}
    for bar in ax.patches:
        middle = round(bar.get_x() + bar.get_width() / 2, 3)  # type: ignore[attr-defined]
        heights[middle] = heights.get(middle, 0) + bar.get_height()  # type: ignore[attr-defined]
    return xs, ys, [heights[k] for k in sorted(heights)]


def in_axes(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].findobj(Text) if t.get_text()]


async def test_a_december_month_has_weekly_bins_labelled_by_december_days(
    tmp_path: Path,
) -> None:
    # 1 December 2026 is a Tuesday: its first week began on Monday 30 November
    moments = [at(2026, 12, 1), at(2026, 12, 2), at(2026, 12, 16), at(2026, 12, 16, 23)]
    fig_data = await figures_at(tmp_path, at(2026, 12, 20, 15), moments)
    assert fig_data.granularity == "week"
    assert [(a, b) for a, b, _ in fig_data.bins] == [
        ("2026-12-01", "2026-12-06"),
        ("2026-12-07", "2026-12-13"),  # empty, but there
        ("2026-12-14", "2026-12-20"),
    ]
    assert [sum(c.values()) for _, _, c in fig_data.bins] == [2, 0, 2]
    assert fig_data.bins[0][2] == {"accepted": 1, "submitted": 1}
    for lang in Lang:
        xs, ys, heights = bin_axes(stats_figure(fig_data, lang, ZONE))
        assert xs == ["12/1–12/6", "12/7–12/13", "12/14–12/20"]
        assert heights == [2, 0, 2]  # the empty week is a zero bar between the others
        assert ys and all(y.isdigit() for y in ys), ys
        assert "0" in ys and "2" in ys


async def test_a_late_issue_counts_on_its_local_day(tmp_path: Path) -> None:
    # 07:00 on Monday 7 December in Shanghai is Sunday 23:00 in UTC: the second week
    fig_data = await figures_at(tmp_path, at(2026, 12, 8), [at(2026, 12, 7, 7)])
    assert fig_data.bins == [
        ("2026-12-01", "2026-12-06", {}),
        ("2026-12-07", "2026-12-08", {"accepted": 1}),
    ]


async def test_the_year_has_monthly_bins_from_january_to_now(tmp_path: Path) -> None:
    moments = [at(2026, 2, 10), at(2026, 3, 3), at(2026, 3, 30), at(2026, 7, 1)]
    fig_data = await figures_at(tmp_path, at(2026, 9, 15), moments, "year")
    assert fig_data.granularity == "month"
    assert [a for a, _, _ in fig_data.bins] == [f"2026-{m:02}-01" for m in range(1, 10)]
    assert fig_data.bins[-1][1] == "2026-09-15"
    counts = [sum(c.values()) for _, _, c in fig_data.bins]
    assert counts == [0, 1, 2, 0, 0, 0, 1, 0, 0]
    xs, ys, heights = bin_axes(stats_figure(fig_data, Lang.ZH, ZONE))
    assert xs == [f"{m}月" for m in range(1, 10)]
    assert heights == counts
    assert ys and all(y.isdigit() for y in ys), ys
    assert "每月新增事项（按状态）" in in_axes(stats_figure(fig_data, Lang.ZH, ZONE))
    xs, _, _ = bin_axes(stats_figure(fig_data, Lang.EN, ZONE))
    assert xs == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]


async def test_an_empty_period_says_so_instead_of_bars(tmp_path: Path) -> None:
    fig_data = await figures_at(tmp_path, at(2026, 12, 20), [])
    assert fig_data.total == 0
    assert [sum(c.values()) for _, _, c in fig_data.bins] == [0, 0, 0]
    for lang, words in ((Lang.ZH, "本期没有事项"), (Lang.EN, "No issues in this period")):
        fig = stats_figure(fig_data, lang, ZONE)
        xs, ys, heights = bin_axes(fig)
        assert words in in_axes(fig)
        assert (xs, ys, heights) == ([], [], [])  # no empty bars, no 0.0–1.0 ticks
    assert stats_chart(fig_data, Lang.EN, ZONE).startswith(b"\x89PNG")


def test_granularity_follows_the_period() -> None:
    def span(first: str, last: str) -> tuple[int, int]:
        return since_date(first, ZONE), since_date(last, ZONE)

    assert granularity(*span("2026-12-01", "2026-12-20"), ZONE) == "week"  # a month
    assert granularity(*span("2026-01-01", "2026-09-15"), ZONE) == "month"  # the year
    assert granularity(*span("2026-01-01", "2026-01-20"), ZONE) == "week"  # 今年 in January
    assert granularity(*span("2026-01-01", "2026-02-01"), ZONE) == "week"  # 上月 in February
    assert granularity(*span("2026-06-01", "2026-08-31"), ZONE) == "week"  # --since, 91 days
    assert granularity(*span("2026-06-01", "2026-09-02"), ZONE) == "month"  # 93 days


def test_many_weeks_are_labelled_sparsely_and_in_order() -> None:
    since, until = since_date("2026-06-03", ZONE), since_date("2026-09-01", ZONE)
    created = [(since + DAY, "submitted"), (until - DAY, "closed")]
    fig_data = Figures(scope="", city=True, since=since, until=until, total=2)
    fig_data.bins = time_bins(created, since, until, ZONE, "week")
    assert len(fig_data.bins) == 14
    assert fig_data.bins[0][:2] == ("2026-06-03", "2026-06-07")
    assert fig_data.bins[-1][:2] == ("2026-08-31", "2026-08-31")
    xs, _, heights = bin_axes(stats_figure(fig_data, Lang.ZH, ZONE))
    assert len(xs) <= MAX_LABELS
    assert xs[0] == "6/3–6/7"
    starts = [date(2026, *map(int, x.split("–")[0].split("/"))) for x in xs]
    assert starts == sorted(starts)
    assert heights == [1] + [0] * 12 + [1]


def test_a_long_period_starts_at_its_first_issue_and_names_the_years() -> None:
    since, until = 0, since_date("2026-03-10", ZONE)
    created = [(since_date("2025-11-20", ZONE), "closed"), (until - DAY, "submitted")]
    bins = time_bins(created, since, until, ZONE, granularity(since, until, ZONE))
    starts = ["2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01"]
    assert [a for a, _, _ in bins] == starts
    fig_data = Figures(scope="", city=True, since=since, until=until, total=2, bins=bins)
    fig_data.granularity = "month"
    xs, _, _ = bin_axes(stats_figure(fig_data, Lang.ZH, ZONE))
    assert xs == ["2025年11月", "12月", "2026年1月", "2月", "3月"]
    xs, _, _ = bin_axes(stats_figure(fig_data, Lang.EN, ZONE))
    assert xs == ["Nov 2025", "Dec", "Jan 2026", "Feb", "Mar"]
    assert time_bins([], since, until, ZONE, "month") == []
