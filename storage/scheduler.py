"""The scheduler's tables: nudges, due issues, patrols and their runs, reception days.

Services reach it as `repos.scheduler`, inside the same transaction as everything else.
"""

from __future__ import annotations

import json
from typing import Any

from bot.models import Issue, Patrol, PatrolMark, PatrolRun, Person, Slot
from storage._base import Repo
from storage.issues import _COLS as _ISSUE_COLS
from storage.issues import _issue
from storage.people import _COLS as _PEOPLE_COLS
from storage.people import _person

_PATROL = "id, key, station_id, name_zh, name_en, schedule, category_id, items, last_run_at"
_RUN = "id, patrol_id, deputy_id, started_at, started_by, finished_at, reminded_at"
_P = ", ".join("p." + c.strip() for c in _PEOPLE_COLS.split(","))


def _patrol(row: Any) -> Patrol:
    data = dict(row)
    data["items"] = tuple(json.loads(data["items"]))
    return Patrol.model_validate(data)


class SchedulerRepo(Repo):
    # -- deadlines -------------------------------------------------------------------------
    async def nudge_candidates(self, now: int, limit: int = 500) -> list[Issue]:
        """Open issues whose next deadline nudge is due (issues_next_nudge index)."""
        rows = await self._all(
            f"SELECT {_ISSUE_COLS} FROM issues i WHERE i.next_nudge_at <= ? "
            "AND i.state IN ('submitted', 'accepted', 'transferred') "
            "ORDER BY i.next_nudge_at LIMIT ?",
            (now, limit),
        )
        return [_issue(r) for r in rows]

    async def set_next_nudges(self, plans: list[tuple[int, int | None]]) -> None:
        """Record when each issue's next nudge is due (None: none left)."""
        for issue_id, at in plans:
            await self._exec("UPDATE issues SET next_nudge_at = ? WHERE id = ?", (at, issue_id))

    async def accept_candidates(self, until: int) -> list[Issue]:
        """Pending issues whose accept deadline is at most `until` and not fully nudged."""
        rows = await self._all(
            f"SELECT {_ISSUE_COLS} FROM issues i WHERE i.state = 'submitted' "
            "AND i.accept_due <= ? AND NOT EXISTS (SELECT 1 FROM nudges n WHERE "
            "n.issue_id = i.id AND n.kind = 'accept_escalate' AND n.cycle = 0) "
            "ORDER BY i.accept_due",
            (until,),
        )
        return [_issue(r) for r in rows]

    async def reply_candidates(self, until: int) -> list[Issue]:
        """Issues in progress whose reply deadline is at most `until` and not fully nudged."""
        rows = await self._all(
            f"SELECT {_ISSUE_COLS} FROM issues i WHERE i.state IN ('accepted', 'transferred') "
            "AND i.reply_due <= ? AND NOT EXISTS (SELECT 1 FROM nudges n WHERE "
            "n.issue_id = i.id AND n.kind = 'reply_escalate' AND n.cycle = i.reopen_count) "
            "ORDER BY i.reply_due",
            (until,),
        )
        return [_issue(r) for r in rows]

    async def replied_before(self, cutoff: int, limit: int = 500) -> list[int]:
        rows = await self._all(
            "SELECT id FROM issues WHERE state = 'replied' AND replied_at <= ? "
            "ORDER BY replied_at LIMIT ?",
            (cutoff, limit),
        )
        return [int(r[0]) for r in rows]

    async def nudged(self, issue_id: int, cycle: int) -> set[str]:
        rows = await self._all(
            "SELECT kind FROM nudges WHERE issue_id = ? AND cycle = ?", (issue_id, cycle)
        )
        return {str(r[0]) for r in rows}

    async def add_nudge(self, issue_id: int, kind: str, cycle: int, now: int) -> bool:
        """Record a nudge; False when it was already recorded (then send nothing)."""
        return (
            await self._changes(
                "INSERT OR IGNORE INTO nudges (issue_id, kind, cycle, at) VALUES (?, ?, ?, ?)",
                (issue_id, kind, cycle, now),
            )
            > 0
        )

    async def set_nudge_recipients(self, issue_id: int, kind: str, cycle: int, count: int) -> None:
        await self._exec(
            "UPDATE nudges SET recipients = ? WHERE issue_id = ? AND kind = ? AND cycle = ?",
            (count, issue_id, kind, cycle),
        )

    async def reopened_at(self, issue_id: int) -> int | None:
        """When the issue was last re-handled (重办: back to accepted after an answer)."""
        value = await self._scalar(
            "SELECT MAX(at) FROM events WHERE issue_id = ? AND to_state = 'accepted' "
            "AND from_state IN ('replied', 'closed')",
            (issue_id,),
        )
        return None if value is None else int(value)

    async def overdue(
        self, now: int, station_ids: list[int] | None, limit: int, offset: int
    ) -> tuple[list[Issue], int]:
        """Open issues past their deadline (all stations when `station_ids` is None)."""
        where = (
            "((i.state = 'submitted' AND i.accept_due <= ?) OR "
            "(i.state IN ('accepted', 'transferred') AND i.reply_due <= ?))"
        )
        params: list[Any] = [now, now]
        if station_ids is not None:
            if not station_ids:
                return [], 0
            where += f" AND i.station_id IN ({','.join('?' * len(station_ids))})"
            params += station_ids
        total = int(await self._scalar(f"SELECT COUNT(*) FROM issues i WHERE {where}", params) or 0)
        rows = await self._all(
            f"SELECT {_ISSUE_COLS} FROM issues i WHERE {where} ORDER BY "
            "CASE WHEN i.state = 'submitted' THEN i.accept_due ELSE i.reply_due END, i.id "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_issue(r) for r in rows], total

    # -- patrols ---------------------------------------------------------------------------
    async def patrols(self) -> list[Patrol]:
        rows = await self._all(
            f"SELECT {_PATROL} FROM patrols WHERE active = 1 "
            "AND station_id IN (SELECT id FROM stations WHERE active = 1) ORDER BY id"
        )
        return [_patrol(r) for r in rows]

    async def patrol(self, patrol_id: int) -> Patrol | None:
        row = await self._one(f"SELECT {_PATROL} FROM patrols WHERE id = ?", (patrol_id,))
        return _patrol(row) if row else None

    async def claim_patrol(self, patrol_id: int, seen: int | None, now: int) -> bool:
        """Move last_run_at from `seen` to `now`; False if someone else moved it first."""
        if seen is None:
            sql = "UPDATE patrols SET last_run_at = ? WHERE id = ? AND last_run_at IS NULL"
            return await self._changes(sql, (now, patrol_id)) > 0
        sql = "UPDATE patrols SET last_run_at = ? WHERE id = ? AND last_run_at = ?"
        return await self._changes(sql, (now, patrol_id, seen)) > 0

    async def create_run(
        self, patrol_id: int, deputy_id: int, now: int, started_by: int | None
    ) -> int:
        return await self._exec(
            "INSERT INTO patrol_runs (patrol_id, deputy_id, started_at, started_by) "
            "VALUES (?, ?, ?, ?)",
            (patrol_id, deputy_id, now, started_by),
        )

    async def run(self, run_id: int) -> PatrolRun | None:
        row = await self._one(f"SELECT {_RUN} FROM patrol_runs WHERE id = ?", (run_id,))
        return PatrolRun.model_validate(dict(row)) if row else None

    async def runs_of_patrol(self, patrol_id: int) -> list[PatrolRun]:
        rows = await self._all(
            f"SELECT {_RUN} FROM patrol_runs WHERE patrol_id = ? ORDER BY id", (patrol_id,)
        )
        return [PatrolRun.model_validate(dict(r)) for r in rows]

    async def marks(self, run_id: int) -> dict[int, PatrolMark]:
        rows = await self._all(
            "SELECT item, mark, issue_id FROM patrol_marks WHERE run_id = ? ORDER BY item",
            (run_id,),
        )
        return {int(r["item"]): PatrolMark.model_validate(dict(r)) for r in rows}

    async def set_mark(
        self, run_id: int, item: int, mark: str, issue_id: int | None, now: int
    ) -> None:
        await self._exec(
            "INSERT INTO patrol_marks (run_id, item, mark, issue_id, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(run_id, item) DO UPDATE SET mark = excluded.mark, "
            "issue_id = excluded.issue_id, at = excluded.at",
            (run_id, item, mark, issue_id, now),
        )

    async def finish_run(self, run_id: int, now: int) -> bool:
        sql = "UPDATE patrol_runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL"
        return await self._changes(sql, (now, run_id)) > 0

    async def unfinished_before(self, before: int, limit: int = 500) -> list[PatrolRun]:
        rows = await self._all(
            f"SELECT {_RUN} FROM patrol_runs WHERE finished_at IS NULL AND reminded_at IS NULL "
            "AND started_at <= ? ORDER BY started_at LIMIT ?",
            (before, limit),
        )
        return [PatrolRun.model_validate(dict(r)) for r in rows]

    async def mark_reminded(self, run_id: int, now: int) -> bool:
        sql = (
            "UPDATE patrol_runs SET reminded_at = ? WHERE id = ? "
            "AND reminded_at IS NULL AND finished_at IS NULL"
        )
        return await self._changes(sql, (now, run_id)) > 0

    # -- reception days --------------------------------------------------------------------
    async def slots(self) -> list[Slot]:
        rows = await self._all(
            "SELECT r.station_id, r.weekday, r.start, r.end FROM reception_slots r "
            "JOIN stations s ON s.id = r.station_id WHERE s.active = 1 "
            "ORDER BY r.station_id, r.weekday, r.start"
        )
        return [Slot.model_validate(dict(r)) for r in rows]

    async def station_slots(self, station_id: int) -> list[Slot]:
        """One station's slots (none when the station is retired)."""
        rows = await self._all(
            "SELECT r.station_id, r.weekday, r.start, r.end FROM reception_slots r "
            "JOIN stations s ON s.id = r.station_id WHERE s.active = 1 AND r.station_id = ? "
            "ORDER BY r.weekday, r.start",
            (station_id,),
        )
        return [Slot.model_validate(dict(r)) for r in rows]

    async def opted_in(self, station_id: int, person_id: int) -> bool:
        found = await self._scalar(
            "SELECT 1 FROM reception_optins WHERE station_id = ? AND person_id = ?",
            (station_id, person_id),
        )
        return found is not None

    async def set_opt_in(self, station_id: int, person_id: int, on: bool, now: int) -> None:
        if on:
            await self._exec(
                "INSERT OR IGNORE INTO reception_optins (station_id, person_id, created_at) "
                "VALUES (?, ?, ?)",
                (station_id, person_id, now),
            )
        else:
            await self._exec(
                "DELETE FROM reception_optins WHERE station_id = ? AND person_id = ?",
                (station_id, person_id),
            )

    async def opted_in_residents(self, station_id: int) -> list[Person]:
        """Residents whose current station it is and who asked for the reception notice."""
        rows = await self._all(
            f"SELECT {_P} FROM reception_optins o JOIN people p ON p.id = o.person_id "
            "WHERE o.station_id = ? AND p.station_id = ? ORDER BY p.id",
            (station_id, station_id),
        )
        return [_person(r) for r in rows]

    async def add_reception_notice(
        self, station_id: int, slot_date: str, start: str, audience: str, now: int
    ) -> bool:
        return (
            await self._changes(
                "INSERT OR IGNORE INTO reception_notices (station_id, slot_date, start, audience, "
                "at) VALUES (?, ?, ?, ?, ?)",
                (station_id, slot_date, start, audience, now),
            )
            > 0
        )

    async def set_reception_recipients(
        self, station_id: int, slot_date: str, start: str, audience: str, count: int
    ) -> None:
        await self._exec(
            "UPDATE reception_notices SET recipients = ? WHERE station_id = ? AND slot_date = ? "
            "AND start = ? AND audience = ?",
            (count, station_id, slot_date, start, audience),
        )

    async def bump_reception_recipients(
        self, station_id: int, slot_date: str, start: str, audience: str
    ) -> None:
        """One more recipient of a settled notice (a resident who opted in after it)."""
        await self._exec(
            "UPDATE reception_notices SET recipients = recipients + 1 WHERE station_id = ? "
            "AND slot_date = ? AND start = ? AND audience = ?",
            (station_id, slot_date, start, audience),
        )

    async def reception_told(self, station_id: int, slot_date: str, start: str) -> dict[int, int]:
        """Residents who got a slot date's notice: person id → when it went (or goes)."""
        rows = await self._all(
            "SELECT person_id, sent_at FROM reception_notice_people WHERE station_id = ? "
            "AND slot_date = ? AND start = ?",
            (station_id, slot_date, start),
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def add_reception_told(
        self, station_id: int, slot_date: str, start: str, person_ids: list[int], sent_at: int
    ) -> None:
        """Record that these residents got the slot date's notice (once each)."""
        for person_id in person_ids:
            await self._exec(
                "INSERT OR IGNORE INTO reception_notice_people (station_id, slot_date, start, "
                "person_id, sent_at) VALUES (?, ?, ?, ?, ?)",
                (station_id, slot_date, start, person_id, sent_at),
            )
