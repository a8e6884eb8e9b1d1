"""What the daily digest reads: open issues and units' tasks past the yellow mark, and the
day it was last sent."""

from __future__ import annotations

from bot.models import Handover, Issue
from storage._base import Repo
from storage.handovers import _handover
from storage.issues import _COLS, _issue

_DUE = "CASE i.state WHEN 'submitted' THEN i.accept_due ELSE i.reply_due END"
_UNIT_DUE = "CASE h.state WHEN 'sent' THEN h.sign_due ELSE h.answer_due END"


class DigestRepo(Repo):
    async def late_issues(self, now: int, share: float) -> list[Issue]:
        """Open issues with `share` of their current deadline gone (or past it), by station."""
        rows = await self._all(
            f"SELECT {_COLS} FROM issues i WHERE i.state IN ('submitted', 'accepted', "
            f"'transferred') AND i.created_at + ? * ({_DUE} - i.created_at) <= ? "
            f"ORDER BY i.station_id, {_DUE}, i.id",
            (share, now),
        )
        return [_issue(r) for r in rows]

    async def late_handovers(self, now: int, share: float) -> list[Handover]:
        """Units' open tasks (to sign for or answer) with `share` of their time gone."""
        rows = await self._all(
            f"SELECT h.* FROM handovers h WHERE h.ended_at IS NULL "
            f"AND h.state IN ('sent', 'signed') AND h.sent_at + ? * ({_UNIT_DUE} - h.sent_at) <= ? "
            f"ORDER BY {_UNIT_DUE}, h.id",
            (share, now),
        )
        return [_handover(r) for r in rows]

    async def last_sent(self) -> str | None:
        value = await self._scalar("SELECT value FROM settings_kv WHERE key = 'digest_day'")
        return None if value is None else str(value)

    async def mark_sent(self, day: str) -> bool:
        """Record today's digest; False when it was already recorded (sent once a day)."""
        before = await self.last_sent()
        if before == day:
            return False
        await self._exec(
            "INSERT INTO settings_kv (key, value) VALUES ('digest_day', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (day,),
        )
        return True
