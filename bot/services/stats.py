"""Figures for /stats and `python -m bot stats`: one station, several, or the city.

Definitions (issues created in the period unless said otherwise):
- 响应率: accepted within the accept deadline / accepted (patrol issues, accepted by the
  deputy who found them, are left out of both);
- 按时办结率: replied within the reply deadline / replied;
- 满意率: (satisfied + mostly satisfied) / rated;
- 解决率: 已解决 (and not come back at the 14-day re-check) / issues with an answer to
  回访's 问题解决了吗 (the resident's, or staff's record of a phone 回访);
- 重办率: issues handled again (重办) at least once / issues answered at least once;
- median time to accept (resident issues) and to reply, from submission;
- overdue now: open issues past a deadline at this moment, whenever created.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from bot.actor import Actor
from bot.errors import NotAllowed, NotFound
from bot.models import GRADES, OPEN_STATES, Figures, Lang, State
from bot.services.base import Service

PERIODS = ("month", "last_month", "days30", "year")


@dataclass(frozen=True)
class Period:
    since: int
    until: int


def month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def period(name: str, now: float, zone: ZoneInfo) -> Period:
    """A named period ending now (last_month ends where this month starts)."""
    here = datetime.fromtimestamp(now, zone)
    start = month_start(here)
    if name == "last_month":
        prev = month_start(start - timedelta(days=1))
        return Period(int(prev.timestamp()), int(start.timestamp()))
    if name == "days30":
        return Period(int(now) - 30 * 86400, int(now) + 1)
    if name == "year":
        return Period(int(start.replace(month=1).timestamp()), int(now) + 1)
    return Period(int(start.timestamp()), int(now) + 1)


WEEKLY_UP_TO = 92 * 86400  # longer periods are charted by month
LONG = 366 * 86400  # longer periods are charted from their first issue on


def granularity(since: int, until: int, zone: ZoneInfo) -> str:
    """How the chart bins a period: by 'month' for the year so far (a period from
    1 January that runs past January) and anything over ~3 months, else by 'week'.
    (In January 今年 is 本月, and is charted by week like it.)"""
    start = datetime.fromtimestamp(since, zone)
    if until - since > WEEKLY_UP_TO:
        return "month"
    year_start = start.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    feb = year_start.replace(month=2)
    return "month" if start == year_start and until > feb.timestamp() else "week"


def bin_bounds(first: date, last: date, by: str) -> list[tuple[date, date]]:
    """Consecutive bins covering the days first..last: weeks (Monday to Sunday) or calendar
    months, the first and last cut to those days."""
    bounds = []
    day = first
    while day <= last:
        if by == "month":
            following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        else:
            following = day + timedelta(days=7 - day.weekday())
        end = min(following - timedelta(days=1), last)
        bounds.append((day, end))
        day = following
    return bounds


def time_bins(
    created: list[tuple[int, str]], since: int, until: int, zone: ZoneInfo, by: str
) -> list[tuple[str, str, dict[str, int]]]:
    """Issues (created at, state) counted by state in bins from the period's start to its
    end, empty bins included. A period over a year long (`--since 2000-01-01`, or since 0)
    starts at the first issue's bin instead, and is empty when it has no issues."""
    first = datetime.fromtimestamp(since, zone).date()
    last = datetime.fromtimestamp(max(since, until - 1), zone).date()
    if until - since > LONG:
        if not created:
            return []
        earliest = datetime.fromtimestamp(min(at for at, _ in created), zone).date()
        if by == "month":
            begins = earliest.replace(day=1)
        else:
            begins = earliest - timedelta(days=earliest.weekday())
        first = max(first, begins)
    bounds = bin_bounds(first, last, by)
    starts = [start for start, _ in bounds]
    counts: list[Counter[str]] = [Counter() for _ in bounds]
    for at, state in created:
        day = datetime.fromtimestamp(at, zone).date()
        index = bisect_right(starts, day) - 1
        if 0 <= index < len(bounds) and day <= bounds[index][1]:
            counts[index][state] += 1
    return [
        (start.isoformat(), end.isoformat(), dict(c))
        for (start, end), c in zip(bounds, counts, strict=True)
    ]


def since_date(value: str, zone: ZoneInfo) -> int:
    """'YYYY-MM-DD' → midnight of that day in `zone`, as unix seconds."""
    day = date.fromisoformat(value)
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


Fmt = Callable[..., str]  # bot.texts.t or bot.texts.plain


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%" if whole else "—"


def _hours(fmt: Fmt, lang: Lang, seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return str(fmt(lang, "stats.hours", value=f"{seconds / 3600:.1f}"))


def report_lines(fig: Figures, lang: Lang, zone: ZoneInfo, fmt: Fmt) -> list[str]:
    """The figures as lines of text: `fmt=t` (HTML; the CLI prints it as plain text)."""
    day = "%Y-%m-%d"
    scope = fig.scope or str(fmt(lang, "stats.scope_city"))
    until = datetime.fromtimestamp(fig.until - 1, zone).strftime(day)
    since = datetime.fromtimestamp(fig.since, zone).strftime(day)
    sep = str(fmt(lang, "stats.sep"))
    states = sep.join(
        f"{fmt(lang, f'state.{s.value}')} {fig.by_state.get(s.value, 0)}"
        for s in State
        if fig.by_state.get(s.value)
    )
    cats = sep.join(f"{en if lang is Lang.EN else zh} {n}" for zh, en, n in fig.by_category)
    lines = [
        fmt(lang, "stats.title", scope=scope, since=since, until=until),
        fmt(lang, "stats.total", count=fig.total),
        fmt(lang, "stats.by_state", items=states or "—"),
        fmt(lang, "stats.by_category", items=cats or "—"),
        fmt(lang, "stats.response", value=_pct(fig.accepted_on_time, fig.accepted)),
        fmt(lang, "stats.on_time", value=_pct(fig.replied_on_time, fig.replied)),
        fmt(lang, "stats.satisfaction", value=_pct(fig.satisfied, fig.rated)),
        fmt(lang, "stats.resolution", value=_pct(fig.resolved, fig.revisited)),
        fmt(lang, "stats.rehandling", value=_pct(fig.rehandled, fig.answered)),
        fmt(
            lang,
            "stats.revisits",
            resident=fig.revisited - fig.revisited_by_phone,
            phone=fig.revisited_by_phone,
            recurred=fig.recurred,
        ),
        fmt(
            lang,
            "stats.medians",
            accept=_hours(fmt, lang, fig.median_accept),
            reply=_hours(fmt, lang, fig.median_reply),
        ),
        fmt(lang, "stats.overdue", count=fig.overdue_now),
        fmt(lang, "stats.supporters", count=fig.supporters, issues=fig.supported_issues),
        fmt(lang, "stats.patrol", count=fig.patrol_problems),
    ]
    if fig.undelivered:
        lines.append(fmt(lang, "stats.undelivered", count=fig.undelivered))
    if fig.workload:
        lines.append(fmt(lang, "stats.workload_head"))
        for name, open_, accepted, replied in fig.workload:
            lines.append(
                fmt(
                    lang,
                    "stats.workload_item",
                    name=name,
                    open=open_,
                    accepted=accepted,
                    replied=replied,
                )
            )
    if fig.departments:
        lines.append(fmt(lang, "stats.units_head"))
        for zh, en, received, signed, returned, extensions, on_time, took in fig.departments:
            lines.append(
                fmt(
                    lang,
                    "stats.unit_row",
                    name=en if lang is Lang.EN else zh,
                    received=received,
                    signed=signed,
                    returned=returned,
                    extensions=extensions,
                    on_time=on_time,
                    median=_hours(fmt, lang, took),
                )
            )
    sg = fig.suggestions
    if sg is not None and sg.filed:
        grades = " · ".join(f"{g} {sg.grades.get(g, 0)}" for g in GRADES)
        lines.append(
            fmt(
                lang,
                "stats.suggestions",
                filed=sg.filed,
                handed=sg.handed_over,
                answered=sg.answered,
                on_time=_pct(sg.answered_on_time, sg.answered),
                grades=grades,
                satisfied=_pct(sg.satisfied, sg.rated),
            )
        )
    if fig.city:
        lines.append(fmt(lang, "stats.districts_head"))
        for name, issues, open_, overdue in fig.by_district:
            lines.append(
                fmt(lang, "stats.row", name=name, issues=issues, open=open_, overdue=overdue)
            )
        lines.append(fmt(lang, "stats.stations_head"))
        for name, issues, open_, overdue in fig.by_station:
            lines.append(
                fmt(lang, "stats.row", name=name, issues=issues, open=open_, overdue=overdue)
            )
    if fig.not_started:
        lines.append(fmt(lang, "stats.not_started_head", count=len(fig.not_started)))
        for name, role, station in fig.not_started:
            lines.append(
                fmt(
                    lang,
                    "stats.not_started_item",
                    name=name,
                    role=fmt(lang, f"stats.role_{role}"),
                    station=station,
                )
            )
    else:
        lines.append(fmt(lang, "stats.all_started"))
    return [str(line) for line in lines]


class StatsService(Service):
    def period(self, name: str = "month") -> Period:
        return period(name, self.clock.now(), self.settings.zone)

    def scope_of(self, actor: Actor) -> list[int] | None:
        """Admins see the city (None); staff their stations; others nothing."""
        if actor.admin:
            return None
        if not actor.staff_at:
            raise NotAllowed("staff and admins only", key="not_allowed.command")
        return sorted(actor.staff_at)

    async def station_ids(self, key: str | None) -> list[int] | None:
        if key is None:
            return None
        async with self.db.read() as repos:
            station = await repos.stations.by_key(key)
        if station is None:
            raise NotFound(f"no station with key {key!r}")
        return [station.id]

    async def figures(
        self, station_ids: list[int] | None, since: int, until: int | None = None
    ) -> Figures:
        now = int(self.clock.now())
        until = now + 1 if until is None else until
        zone = self.settings.zone
        async with self.db.read() as repos:
            issues = await repos.stats.issues(station_ids, since, until)
            overdue = await repos.stats.overdue_now(station_ids, now)
            open_by_owner = await repos.stats.open_by_owner(station_ids)
            deputies = await repos.stats.deputies(station_ids)
            not_started = await repos.stats.not_started(station_ids)
            stations = await repos.stats.stations(station_ids)
            units = await repos.handovers.figures(station_ids, since, until)
            suggestions = await repos.suggestions.figures(since, until, station_ids)
            undelivered = await repos.stats.undelivered(station_ids, since, until)
        names = [name for _id, _key, name, _district in stations]
        fig = Figures(
            scope="" if station_ids is None else "、".join(names),
            city=station_ids is None,
            since=since,
            until=until,
            total=len(issues),
            not_started=not_started,
            overdue_now=len(overdue),
            suggestions=suggestions,
            undelivered=undelivered,
        )
        fig.departments = [
            (
                zh,
                en,
                received,
                signed,
                returned,
                extensions,
                on_time,
                median(took) if took else None,
            )
            for zh, en, received, signed, returned, extensions, on_time, took in units
        ]
        fig.by_state = dict(Counter(str(i["state"]) for i in issues))
        categories: Counter[tuple[str, str]] = Counter(
            (str(i["category_zh"]), str(i["category_en"])) for i in issues
        )
        fig.by_category = [(zh, en, n) for (zh, en), n in categories.most_common()]
        accept_times = []
        reply_times = []
        for i in issues:
            if i["accepted_at"] is not None and i["source"] != "patrol":
                fig.accepted += 1
                fig.accepted_on_time += int(i["accepted_at"] <= i["accept_due"])
                accept_times.append(i["accepted_at"] - i["created_at"])
            if i["replied_at"] is not None:
                fig.replied += 1
                fig.replied_on_time += int(i["replied_at"] <= i["reply_due"])
                reply_times.append(i["replied_at"] - i["created_at"])
            if i["rating"] is not None:
                fig.rated += 1
                fig.satisfied += int(i["rating"] in ("satisfied", "mostly"))
            reopened = int(i["reopen_count"] or 0) > 0  # 重办 comes only after an answer
            fig.answered += int(i["replied_at"] is not None or reopened)
            fig.rehandled += int(reopened)
            if i["resolution"] is not None:
                fig.revisited += 1
                fig.revisited_by_phone += int(i["revisit_by"] == "phone")
                fig.resolved += int(i["resolution"] == "resolved" and i["recheck"] != "recurred")
            fig.recurred += int(i["recheck"] == "recurred")
            fig.supporters += int(i["supporters"])
            fig.supported_issues += int(i["supporters"] > 0)
            fig.patrol_problems += int(i["source"] == "patrol")
        fig.median_accept = float(statistics.median(accept_times)) if accept_times else None
        fig.median_reply = float(statistics.median(reply_times)) if reply_times else None
        # deputies' workload: open now / accepted and replied in the period
        accepted_by: Counter[int] = Counter()
        replied_by: Counter[int] = Counter()
        for i in issues:
            if i["owner_id"] is not None and i["accepted_at"] is not None:
                accepted_by[int(i["owner_id"])] += 1
            if i["owner_id"] is not None and i["replied_at"] is not None:
                replied_by[int(i["owner_id"])] += 1
        workload = [
            (name, open_by_owner.get(pid, 0), accepted_by[pid], replied_by[pid])
            for pid, name in deputies
        ]
        workload.sort(key=lambda w: (-w[1], -w[2], w[0]))
        fig.workload = workload
        # new issues over time (local days; weeks start on Monday)
        fig.granularity = granularity(since, until, zone)
        created = [(int(i["created_at"]), str(i["state"])) for i in issues]
        fig.bins = time_bins(created, since, until, zone, fig.granularity)
        if fig.city:
            open_states = {s.value for s in OPEN_STATES}
            per_station: dict[int, list[int]] = {sid: [0, 0, 0] for sid, *_ in stations}
            for i in issues:
                row = per_station.setdefault(int(i["station_id"]), [0, 0, 0])
                row[0] += 1
                row[1] += int(i["state"] in open_states)
            for o in overdue:
                per_station.setdefault(int(o["station_id"]), [0, 0, 0])[2] += 1
            districts: dict[str, list[int]] = {}
            for sid, _key, name, district in stations:
                counts = per_station.get(sid, [0, 0, 0])
                fig.by_station.append((name, *counts))  # type: ignore[arg-type]
                total = districts.setdefault(district, [0, 0, 0])
                for k in range(3):
                    total[k] += counts[k]
            fig.by_district = [(d, *c) for d, c in districts.items()]  # type: ignore[misc]
        return fig
