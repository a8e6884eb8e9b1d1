"""The hot queries stay on indexes (EXPLAIN QUERY PLAN), so their cost does not grow with
the number of issues (bench/ measures them at one million)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import Database

HOT = {
    "/my list (filed and supported)": (
        "SELECT id FROM issues i WHERE (i.resident_id = ? AND i.source = 'resident') "
        "OR i.id IN (SELECT issue_id FROM issue_supporters WHERE person_id = ?) "
        "ORDER BY i.id DESC LIMIT 10",
        (1, 1),
    ),
    "a held edit's message": (
        "SELECT MAX(not_before) FROM outbox WHERE op = 'send' AND ref = ? AND chat_id = ? "
        "AND channel = ? AND sent_at IS NULL AND failed IS NULL",
        ("new:1", 1, "telegram"),
    ),
    "who holds an offer": (
        "SELECT channel, chat_id FROM message_refs WHERE ref = ? UNION "
        "SELECT channel, chat_id FROM outbox WHERE op = 'send' AND ref = ? "
        "AND sent_at IS NULL AND failed IS NULL",
        ("new:1", "new:1"),
    ),
    "issues whose deputy left": (
        "SELECT i.id FROM issues i WHERE i.state IN ('accepted', 'transferred') "
        "AND i.owner_id > 0 AND NOT EXISTS (SELECT 1 FROM memberships m "
        "WHERE m.person_id = i.owner_id AND m.station_id = i.station_id "
        "AND m.role = 'deputy') LIMIT ?",
        (100,),
    ),
    "/tasks owned": (
        "SELECT id FROM issues i WHERE i.owner_id = ? AND i.state IN ('accepted', 'transferred') "
        "ORDER BY i.reply_due, i.id LIMIT 20",
        (1,),
    ),
    "/tasks pending": (
        "SELECT id FROM issues i WHERE i.state = 'submitted' AND i.station_id IN (?, ?) "
        "ORDER BY i.accept_due, i.id LIMIT 20",
        (1, 2),
    ),
    "similar issues": (
        "SELECT id FROM issues i WHERE i.station_id = ? AND i.category_id = ? "
        "AND i.state IN ('submitted', 'accepted', 'transferred') AND i.created_at >= ? LIMIT 200",
        (1, 1, 0),
    ),
    "timeline": ("SELECT id FROM events e WHERE e.issue_id = ? ORDER BY e.id", (1,)),
    "outbox due": (
        "SELECT id FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND held_at IS NULL "
        "AND not_before <= ? "
        "ORDER BY id LIMIT 200",
        (0,),
    ),
    "deadline sweep": (
        "SELECT id FROM issues i WHERE i.next_nudge_at <= ? "
        "AND i.state IN ('submitted', 'accepted', 'transferred') ORDER BY i.next_nudge_at LIMIT 500",
        (0,),
    ),
    "auto-close": (
        "SELECT id FROM issues WHERE state = 'replied' AND replied_at <= ? "
        "ORDER BY replied_at LIMIT 500",
        (0,),
    ),
    "identify": ("SELECT id FROM people WHERE telegram_id = ?", (1,)),
    "station members": (
        "SELECT person_id FROM memberships m WHERE m.station_id = ? AND m.role = ?",
        (1, "deputy"),
    ),
    "daily quota": (
        "SELECT COUNT(*) FROM issues WHERE resident_id = ? AND source = 'resident' "
        "AND created_at >= ?",
        (1, 0),
    ),
}


@pytest.mark.parametrize("name", HOT)
async def test_hot_query_uses_an_index(tmp_path: Path, name: str) -> None:
    sql, params = HOT[name]
    db = await Database.open(tmp_path / "plans.db")
    try:
        async with (
            db.read() as repos,
            repos.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cur,
        ):
            plan = " | ".join(str(row[3]) for row in await cur.fetchall())
    finally:
        await db.close()
    scans = [step for step in plan.split(" | ") if step.startswith("SCAN") and "USING" not in step]
    assert scans == [], f"{name} reads a whole table: {plan}"
    assert "INDEX" in plan or "PRIMARY KEY" in plan or "INTEGER PRIMARY KEY" in plan, (
        f"{name}: {plan}"
    )
