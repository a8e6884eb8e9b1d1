"""回访's queries: issues due for the staff's phone 回访 list and for the 14-day re-check."""

from __future__ import annotations

from bot.models import Issue
from storage._base import Repo
from storage.issues import _COLS, _issue


class RevisitRepo(Repo):
    async def unrated_unlisted(self, since: int, limit: int = 500) -> list[Issue]:
        """Residents' issues closed without a rating since `since` (issues_unrated index) and
        not yet on a phone 回访 list in their current cycle, by station."""
        rows = await self._all(
            f"SELECT {_COLS} FROM issues i WHERE i.state = 'closed' "
            "AND i.close_reason = 'unrated' AND i.closed_at >= ? AND i.source = 'resident' "
            "AND NOT EXISTS (SELECT 1 FROM nudges n WHERE n.issue_id = i.id "
            "AND n.kind = 'revisit_phone' AND n.cycle = i.reopen_count) "
            "ORDER BY i.station_id, i.closed_at, i.id LIMIT ?",
            (since, limit),
        )
        return [_issue(r) for r in rows]

    async def recheck_due(self, cutoff: int, limit: int = 500) -> list[Issue]:
        """Residents' issues closed as resolved, whose answer came at `cutoff` or before and
        that were not re-checked yet (issues_recheck_due index)."""
        rows = await self._all(
            f"SELECT {_COLS} FROM issues i WHERE i.state = 'closed' "
            "AND i.resolution = 'resolved' AND i.recheck IS NULL AND i.closed_at <= ? "
            "AND COALESCE(i.revisited_at, 0) <= ? AND i.source = 'resident' "
            "ORDER BY i.closed_at, i.id LIMIT ?",
            (cutoff, cutoff, limit),
        )
        return [_issue(r) for r in rows]

    async def mark_recheck_asked(self, issue_id: int) -> bool:
        """Record that 问题有没有反复 is asked; False when it already was (then ask nothing)."""
        sql = "UPDATE issues SET recheck = 'asked' WHERE id = ? AND recheck IS NULL"
        return await self._changes(sql, (issue_id,)) > 0
