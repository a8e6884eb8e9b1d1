"""Read-only queries behind /stats and the exports (all SQL of those features)."""

from __future__ import annotations

from typing import Any

from storage._base import Repo

_OPEN = "('submitted', 'accepted', 'transferred')"


def _scope(station_ids: list[int] | None, column: str = "i.station_id") -> tuple[str, list[Any]]:
    if station_ids is None:
        return "1 = 1", []
    if not station_ids:
        return "0 = 1", []
    return f"{column} IN ({','.join('?' * len(station_ids))})", list(station_ids)


class StatsRepo(Repo):
    async def issues(
        self, station_ids: list[int] | None, since: int, until: int
    ) -> list[dict[str, Any]]:
        """Issues created in [since, until) with what the figures need."""
        where, params = _scope(station_ids)
        rows = await self._all(
            "SELECT i.id, i.station_id, s.name AS station, s.district, i.category_id, "
            "c.name_zh AS category_zh, c.name_en AS category_en, i.state, i.source, "
            "i.created_at, i.accepted_at, i.replied_at, i.accept_due, i.reply_due, i.rating, "
            "i.reopen_count, i.resolution, i.revisit_by, i.recheck, "
            "i.owner_id, (SELECT COUNT(*) FROM issue_supporters u WHERE u.issue_id = i.id) "
            "AS supporters "
            "FROM issues i JOIN stations s ON s.id = i.station_id "
            "JOIN categories c ON c.id = i.category_id "
            f"WHERE {where} AND i.created_at >= ? AND i.created_at < ? ORDER BY i.id",
            (*params, since, until),
        )
        return [dict(r) for r in rows]

    async def overdue_now(self, station_ids: list[int] | None, now: int) -> list[dict[str, Any]]:
        """Open issues past their deadline now (whenever they were created)."""
        where, params = _scope(station_ids)
        rows = await self._all(
            "SELECT i.id, i.station_id, s.district FROM issues i "
            "JOIN stations s ON s.id = i.station_id "
            f"WHERE {where} AND ((i.state = 'submitted' AND i.accept_due < ?) OR "
            "(i.state IN ('accepted', 'transferred') AND i.reply_due < ?))",
            (*params, now, now),
        )
        return [dict(r) for r in rows]

    async def open_by_owner(self, station_ids: list[int] | None) -> dict[int, int]:
        where, params = _scope(station_ids)
        rows = await self._all(
            "SELECT i.owner_id, COUNT(*) FROM issues i "
            f"WHERE {where} AND i.owner_id IS NOT NULL AND i.state IN {_OPEN} "
            "GROUP BY i.owner_id",
            params,
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def deputies(self, station_ids: list[int] | None) -> list[tuple[int, str]]:
        where, params = _scope(station_ids, "m.station_id")
        rows = await self._all(
            "SELECT DISTINCT p.id, p.name FROM memberships m JOIN people p ON p.id = m.person_id "
            f"WHERE {where} AND m.role = 'deputy' ORDER BY p.id",
            params,
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    async def not_started(self, station_ids: list[int] | None) -> list[tuple[str, str, str]]:
        """(name, role, station) of deputies and staff who have not opened the bot yet."""
        where, params = _scope(station_ids, "m.station_id")
        rows = await self._all(
            "SELECT p.name, m.role, s.name FROM memberships m "
            "JOIN people p ON p.id = m.person_id JOIN stations s ON s.id = m.station_id "
            f"WHERE {where} AND s.active = 1 AND p.started_at IS NULL "
            "ORDER BY s.district, s.name, m.role, p.id",
            params,
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def stations(self, station_ids: list[int] | None) -> list[tuple[int, str, str, str]]:
        """(id, key, name, district) of the active stations in scope."""
        where, params = _scope(station_ids, "id")
        rows = await self._all(
            f"SELECT id, key, name, district FROM stations WHERE {where} AND active = 1 "
            "ORDER BY district, name, id",
            params,
        )
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    async def export_rows(self, station_ids: list[int] | None, since: int) -> list[dict[str, Any]]:
        """Every issue in scope created since `since`, joined for an export file."""
        where, params = _scope(station_ids)
        rows = await self._all(
            "SELECT i.id, s.key AS station_key, s.name AS station, s.district, "
            "c.name_zh AS category, i.state, i.source, i.created_at, i.accepted_at, "
            "i.replied_at, i.closed_at, i.accept_due, i.reply_due, o.name AS deputy, "
            "d.name_zh AS department, i.rating, i.supervised, i.description, "
            "r.name AS resident_name, r.phone AS resident_phone, "
            "(SELECT COUNT(*) FROM issue_supporters u WHERE u.issue_id = i.id) AS supporters "
            "FROM issues i JOIN stations s ON s.id = i.station_id "
            "JOIN categories c ON c.id = i.category_id "
            "JOIN people r ON r.id = i.resident_id "
            "LEFT JOIN people o ON o.id = i.owner_id "
            "LEFT JOIN departments d ON d.id = i.department_id "
            f"WHERE {where} AND i.created_at >= ? ORDER BY i.id",
            (*params, since),
        )
        return [dict(r) for r in rows]

    async def undelivered(self, station_ids: list[int] | None, since: int, until: int) -> int:
        """Messages that failed for good in [since, until): refused, given up, the person
        unreachable. An edit that found no message to edit is left out (the message's own
        failure, if it failed, is counted)."""
        where, params = _scope(station_ids, "station_id")
        value = await self._scalar(
            "SELECT COUNT(*) FROM outbox WHERE failed IS NOT NULL "
            "AND failed != 'nothing to edit' "
            "AND COALESCE(failed_at, created_at) >= ? AND COALESCE(failed_at, created_at) < ? "
            f"AND {where}",
            (since, until, *params),
        )
        return int(value or 0)
