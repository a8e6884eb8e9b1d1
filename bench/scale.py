"""Storage at the size of one city: 325 stations, 15,000 deputies, 200k residents,
1M issues, 5M events. Times the hot paths through the real services and repositories."""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.common import TOKEN, ms, pct, rss_mb, spawn, stop, wait_polling
from bot.clock import SystemClock
from bot.config import load_settings
from bot.services import Services
from fakebot import FakeBotApi
from storage.db import Database

DAY = 86400
STATES = [
    ("closed", 0.70),
    ("replied", 0.05),
    ("accepted", 0.07),
    ("transferred", 0.04),
    ("submitted", 0.03),
    ("rejected", 0.06),
    ("withdrawn", 0.05),
]
Row = tuple[str, str, str, str]


def generate(path: Path, scale: float, seed: int = 7) -> dict[str, int]:
    """Fill a migrated database with a city of the given scale (1.0 = full size)."""
    rng = random.Random(seed)
    stations, deputies = 325, int(15_000 * scale) or 325
    residents, issues, events_target = (
        int(200_000 * scale),
        int(1_000_000 * scale),
        int(5_000_000 * scale),
    )
    now = int(time.time())
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    cur = db.cursor()
    cur.execute("BEGIN")
    cur.executemany(
        "INSERT INTO categories (key, name_zh, name_en, accept_within, reply_within, position) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(f"c{i}", f"类别{i}", f"Category {i}", DAY, 7 * DAY, i) for i in range(11)],
    )
    cur.executemany(
        "INSERT INTO departments (key, name_zh, name_en) VALUES (?, ?, ?)",
        [(f"dep{i}", f"部门{i}", f"Department {i}") for i in range(12)],
    )
    cur.executemany(
        "INSERT INTO stations (id, key, name, district, lat, lon) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (s + 1, f"st{s}", f"第{s}联络站", f"区{s % 18}", 45 + rng.random(), 126 + rng.random())
            for s in range(stations)
        ],
    )
    people = []
    memberships = []
    for d in range(deputies):
        pid = d + 1
        people.append((pid, f"dep{d}", f"代表{d}", 1_000_000 + d, now - 100 * DAY, None, now))
        memberships.append((pid, d % stations + 1, "deputy"))
    for s in range(2 * stations):
        pid = deputies + s + 1
        people.append((pid, f"staff{s}", f"工作人员{s}", 2_000_000 + s, now - 100 * DAY, None, now))
        memberships.append((pid, s % stations + 1, "staff"))
    first_resident = deputies + 2 * stations + 1
    for r in range(residents):
        people.append(
            (
                first_resident + r,
                None,
                f"居民{r}",
                3_000_000 + r,
                now - 50 * DAY,
                rng.randrange(stations) + 1,
                now,
            )
        )
    cur.executemany(
        "INSERT INTO people (id, key, name, telegram_id, started_at, station_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        people,
    )
    cur.executemany(
        "INSERT INTO memberships (person_id, station_id, role) VALUES (?, ?, ?)", memberships
    )
    deputies_of: dict[int, list[int]] = {}
    for pid, sid, role in memberships:
        if role == "deputy":
            deputies_of.setdefault(sid, []).append(pid)
    names = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
    issue_rows = []
    event_rows = []
    per_issue_extra = max(0, events_target - 4 * issues) / max(issues, 1)
    for i in range(issues):
        iid = i + 1
        sid = rng.randrange(stations) + 1
        created = now - rng.randrange(730 * DAY)
        # steady state: the last ten days are still being handled, older issues are finished
        if created > now - 10 * DAY:
            state = rng.choices(names, weights)[0]
            if state == "replied" and created < now - 3 * DAY:
                state = "closed"
        else:
            state = rng.choices(["closed", "rejected", "withdrawn"], [0.86, 0.07, 0.07])[0]
        owner = None
        accepted = replied = closed = None
        if state not in ("submitted", "withdrawn") or rng.random() < 0.3:
            owner = rng.choice(deputies_of[sid])
            accepted = created + rng.randrange(2 * DAY)
        if state in ("replied", "closed"):
            replied = min(now, (accepted or created) + rng.randrange(9 * DAY))
        if state in ("closed", "rejected", "withdrawn"):
            closed = (replied or created) + rng.randrange(3 * DAY)
        if state == "submitted":
            owner = None
        rating = (
            rng.choice(["satisfied", "mostly", "unsatisfied", None]) if state == "closed" else None
        )
        resident = first_resident + rng.randrange(max(residents, 1))
        issue_rows.append(
            (
                iid,
                sid,
                rng.randrange(11) + 1,
                resident,
                f"第{iid}号事项：路面破损需要修复",
                state,
                owner,
                created,
                accepted,
                replied,
                closed,
                created + DAY,
                created + 7 * DAY,
                created,
                rating,
                "rated" if rating else None,
                # as a bot that has been sweeping all along keeps it: the next nudge still ahead
                _next_nudge(state, created, now),
            )
        )
        event_rows.append((iid, created, resident, "submitted", None, "submitted"))
        if accepted:
            event_rows.append((iid, accepted, owner, "accepted", "submitted", "accepted"))
        if replied:
            event_rows.append((iid, replied, owner, "replied", "accepted", "replied"))
        if closed:
            event_rows.append((iid, closed, resident, "rated", "replied", state))
        extra = int(per_issue_extra) + (1 if rng.random() < per_issue_extra % 1 else 0)
        for _ in range(extra):
            event_rows.append(
                (iid, created + rng.randrange(5 * DAY), resident, "follow_up", None, None)
            )
        if len(event_rows) > 200_000:
            cur.executemany(
                "INSERT INTO events (issue_id, at, actor_id, kind, from_state, to_state) VALUES (?, ?, ?, ?, ?, ?)",
                event_rows,
            )
            event_rows = []
        if len(issue_rows) > 50_000:
            _insert_issues(cur, issue_rows)
            issue_rows = []
    _insert_issues(cur, issue_rows)
    cur.executemany(
        "INSERT INTO events (issue_id, at, actor_id, kind, from_state, to_state) VALUES (?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    db.commit()
    db.execute("ANALYZE")
    counts = {
        t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("stations", "people", "memberships", "issues", "events")
    }
    db.close()
    return counts


def _next_nudge(state: str, created: int, now: int) -> int | None:
    """The first of the reminder, deadline and escalation still in the future (or None)."""
    if state not in ("submitted", "accepted", "transferred"):
        return None
    window = DAY if state == "submitted" else 7 * DAY
    due = created + window
    for moment in (created + window * 4 // 5, due, due + DAY):
        if moment > now:
            return moment
    return None


def _insert_issues(cur: sqlite3.Cursor, rows: list[tuple[Any, ...]]) -> None:
    cur.executemany(
        "INSERT INTO issues (id, station_id, category_id, resident_id, description, state, "
        "owner_id, created_at, accepted_at, replied_at, closed_at, accept_due, reply_due, "
        "updated_at, rating, close_reason, next_nudge_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


async def _timings(n: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        out.append(time.perf_counter() - start)
    return out


async def rows(quick: bool = False) -> list[Row]:
    scale = 0.05 if quick else 1.0
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="liaison-scale-") as tmp:
        path = Path(tmp) / "city.db"
        db = await Database.open(path)  # migrations
        await db.close()
        start = time.perf_counter()
        counts = generate(path, scale)
        gen = time.perf_counter() - start
        label = ", ".join(f"{v:,} {k}" for k, v in counts.items())
        out.append((f"generated ({'quick' if quick else 'full'} scale)", label, f"{gen:.0f} s", ""))
        size = sum(p.stat().st_size for p in Path(tmp).glob("city.db*"))  # noqa: ASYNC240
        out.append(("database size", f"{size / 2**20:.0f} MiB", "", ""))

        settings = load_settings({"LIAISON_DB": str(path), "LIAISON_QUIET_HOURS": ""})
        db = await Database.open(path)
        services = Services.build(settings, SystemClock(), db)
        rng = random.Random(3)
        deputies = int(15_000 * scale) or 325
        first_resident = deputies + 650 + 1
        try:

            async def my(i: int) -> object:
                telegram_id = 3_000_000 + rng.randrange(int(200_000 * scale))
                actor = await services.people.identify(
                    telegram_id, f"居民{telegram_id - 3_000_000}", None
                )
                return await services.workflow.my_issues(actor)

            times = await _timings(300, my)
            out.append(
                (
                    "/my (identify + 10 newest with names)",
                    f"p50 {ms(pct(times, 50))}, p99 {ms(pct(times, 99))}",
                    "p99 < 5 ms",
                    _ok(pct(times, 99) < 0.005),
                )
            )

            async def tasks(i: int) -> object:
                telegram_id = 1_000_000 + rng.randrange(deputies)
                actor = await services.people.identify(telegram_id, "", None)
                return await services.workflow.tasks(actor)

            times = await _timings(300, tasks)
            out.append(
                (
                    "/tasks (deputy's open + pending)",
                    f"p50 {ms(pct(times, 50))}, p99 {ms(pct(times, 99))}",
                    "p99 < 5 ms",
                    _ok(pct(times, 99) < 0.005),
                )
            )
            out += await _optional(services, scale)
        finally:
            await db.close()
        out += await _process(path)
        _ = first_resident
    return out


def _ok(good: bool) -> str:
    return "ok" if good else "MISSED"


async def _optional(services: Services, scale: float) -> list[Row]:
    """The scheduler's sweep, /stats and the export."""
    found: list[Row] = []
    start = time.perf_counter()
    await services.deadlines.sweep()  # the first sweep sends the backlog of nudges
    first = time.perf_counter() - start
    times = await _timings(20, lambda i: services.deadlines.sweep())
    found.append(
        (
            "deadline sweep (steady state)",
            f"p50 {ms(pct(times, 50))} (first, with backlog: {first:.1f} s)",
            "< 20 ms",
            _ok(pct(times, 50) < 0.020),
        )
    )
    month = services.stats.period("month")
    start = time.perf_counter()
    await services.stats.figures([1], month.since, month.until)
    station = time.perf_counter() - start
    found.append(("station /stats (this month)", ms(station), "< 200 ms", _ok(station < 0.2)))
    start = time.perf_counter()
    await services.stats.figures(None, month.since, month.until)
    city = time.perf_counter() - start
    found.append(("city /stats (this month)", ms(city), "< 2 s", _ok(city < 2)))
    start = time.perf_counter()
    _name, data, count = await services.exports.build("xlsx", [1], int(time.time()) - 365 * DAY)
    took = time.perf_counter() - start
    found.append(
        (
            f"export one station's year (xlsx, {count:,} issues)",
            f"{took:.2f} s, {len(data) / 1024:.0f} KiB",
            "",
            "",
        )
    )
    return found


async def _process(path: Path) -> list[Row]:
    """Start-up time to the first getUpdates, and resident memory, on the big database."""
    api = FakeBotApi(token=TOKEN, bot_username="scale_bot")
    await api.start()
    start = time.perf_counter()
    proc = spawn("bot", api, {"LIAISON_DB": str(path)})
    try:
        await wait_polling(api, proc, timeout=120)
        startup = time.perf_counter() - start
        users = [api.user(3_000_000 + i, f"居民{i}") for i in range(20)]
        for user in users:
            await user.send("/my")
        for user in users:
            await user.next_message(timeout=30)
        memory = rss_mb(proc.pid)
    finally:
        await stop(proc)
        await api.stop()
    return [
        ("start-up to first getUpdates", f"{startup:.2f} s", "< 2 s", _ok(startup < 2)),
        ("bot resident memory (after /my × 20)", f"{memory:.0f} MB", "< 200 MB", _ok(memory < 200)),
    ]


if __name__ == "__main__":
    print(asyncio.run(rows(quick=os.environ.get("QUICK") == "1")))
