"""The seed's corrections to the holiday calendar (calendar_days)."""

from __future__ import annotations

from datetime import date

from storage._base import Repo


class CalendarRepo(Repo):
    async def overrides(self) -> dict[date, bool]:
        rows = await self._all("SELECT day, workday FROM calendar_days")
        return {date.fromisoformat(str(r["day"])): bool(r["workday"]) for r in rows}

    async def replace(self, days: dict[date, bool]) -> bool:
        """Make the table hold exactly `days`; whether anything changed."""
        if await self.overrides() == days:
            return False
        await self._exec("DELETE FROM calendar_days")
        await self.conn.executemany(
            "INSERT INTO calendar_days (day, workday) VALUES (?, ?)",
            [(d.isoformat(), int(w)) for d, w in sorted(days.items())],
        )
        return True
