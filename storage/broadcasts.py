"""Broadcasts: drafts, the persistent per-recipient send queue, muted station notices."""

from __future__ import annotations

from typing import Any

from bot.models import Broadcast, Recipient, Tally
from storage._base import Repo

_B = (
    "id, author_id, audience, station_id, district, body, photo, state, chat_id, control_id, "
    "created_at, started_at, finished_at"
)

# Residents a station's notices reach: bound to it, reachable, not muted.
_RESIDENTS = (
    "SELECT p.id, p.telegram_id, COALESCE(p.lang, p.tg_language) AS lang, p.station_id "
    "FROM people p JOIN stations s ON s.id = p.station_id "
    "WHERE p.telegram_id IS NOT NULL AND p.started_at IS NOT NULL AND p.blocked_at IS NULL "
    "AND s.active = 1 "
    "AND NOT EXISTS (SELECT 1 FROM notice_mutes m "
    "                WHERE m.person_id = p.id AND m.station_id = p.station_id) "
)


class BroadcastRepo(Repo):
    # -- drafts ---------------------------------------------------------------------------
    async def create(
        self,
        author_id: int,
        chat_id: int,
        audience: str,
        station_id: int | None,
        district: str | None,
        now: int,
    ) -> int:
        # one draft per author at a time: older unfinished drafts are dropped
        await self._exec(
            "UPDATE broadcasts SET state = 'cancelled' "
            "WHERE author_id = ? AND state IN ('composing', 'preview')",
            (author_id,),
        )
        return await self._exec(
            "INSERT INTO broadcasts (author_id, audience, station_id, district, state, chat_id, "
            "created_at) VALUES (?, ?, ?, ?, 'composing', ?, ?)",
            (author_id, audience, station_id, district, chat_id, now),
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._one(f"SELECT {_B} FROM broadcasts WHERE id = ?", (broadcast_id,))
        return Broadcast.model_validate(dict(row)) if row else None

    async def composing(self, author_id: int, since: int) -> Broadcast | None:
        row = await self._one(
            f"SELECT {_B} FROM broadcasts WHERE author_id = ? AND state = 'composing' "
            "AND created_at >= ? ORDER BY id DESC LIMIT 1",
            (author_id, since),
        )
        return Broadcast.model_validate(dict(row)) if row else None

    async def set_content(self, broadcast_id: int, body: str, photo: str | None) -> None:
        await self._exec(
            "UPDATE broadcasts SET body = ?, photo = ?, state = 'preview' WHERE id = ?",
            (body, photo, broadcast_id),
        )

    async def set_control(self, broadcast_id: int, message_id: int) -> None:
        await self._exec(
            "UPDATE broadcasts SET control_id = ? WHERE id = ?", (message_id, broadcast_id)
        )

    async def set_state(self, broadcast_id: int, state: str, now: int) -> None:
        column = {"sending": "started_at", "done": "finished_at"}.get(state)
        extra = f", {column} = ?" if column else ""
        params: tuple[Any, ...] = (state, now, broadcast_id) if column else (state, broadcast_id)
        await self._exec(f"UPDATE broadcasts SET state = ?{extra} WHERE id = ?", params)

    async def sending(self) -> list[Broadcast]:
        rows = await self._all(f"SELECT {_B} FROM broadcasts WHERE state = 'sending' ORDER BY id")
        return [Broadcast.model_validate(dict(r)) for r in rows]

    # -- audiences ------------------------------------------------------------------------
    async def station_residents(self, station_id: int) -> list[tuple[int, int, str | None, int]]:
        rows = await self._all(_RESIDENTS + "AND p.station_id = ? ORDER BY p.id", (station_id,))
        return [(int(r[0]), int(r[1]), r[2], int(r[3])) for r in rows]

    async def district_residents(self, district: str) -> list[tuple[int, int, str | None, int]]:
        rows = await self._all(_RESIDENTS + "AND s.district = ? ORDER BY p.id", (district,))
        return [(int(r[0]), int(r[1]), r[2], int(r[3])) for r in rows]

    async def all_residents(self) -> list[tuple[int, int, str | None, int]]:
        rows = await self._all(_RESIDENTS + "ORDER BY p.id")
        return [(int(r[0]), int(r[1]), r[2], int(r[3])) for r in rows]

    # -- the queue ------------------------------------------------------------------------
    async def add_recipients(
        self, broadcast_id: int, people: list[tuple[int, int, str, int | None]]
    ) -> None:
        """One queue row per (person_id, chat_id, lang, station_id), in one statement batch."""
        await self.conn.executemany(
            "INSERT OR IGNORE INTO broadcast_recipients "
            "(broadcast_id, person_id, chat_id, lang, station_id) VALUES (?, ?, ?, ?, ?)",
            [(broadcast_id, *person) for person in people],
        )

    async def due(self, broadcast_id: int, now: int, limit: int = 100) -> list[Recipient]:
        rows = await self._all(
            "SELECT id, person_id, chat_id, lang, station_id, attempts FROM broadcast_recipients "
            "WHERE broadcast_id = ? AND status = 'pending' AND next_at <= ? "
            "ORDER BY next_at, id LIMIT ?",
            (broadcast_id, now, limit),
        )
        return [Recipient.model_validate(dict(r)) for r in rows]

    async def next_retry(self, broadcast_id: int) -> int | None:
        value = await self._scalar(
            "SELECT MIN(next_at) FROM broadcast_recipients "
            "WHERE broadcast_id = ? AND status = 'pending'",
            (broadcast_id,),
        )
        return None if value is None else int(value)

    async def finish_recipient(
        self, recipient_id: int, status: str, now: int, error: str | None = None
    ) -> None:
        await self._exec(
            "UPDATE broadcast_recipients SET status = ?, done_at = ?, error = ?, "
            "attempts = attempts + 1 WHERE id = ?",
            (status, now, error, recipient_id),
        )

    async def retry_recipient(
        self, recipient_id: int, next_at: int, error: str, *, uncertain: bool = False
    ) -> None:
        """Try again at `next_at`: after a certain failure (counted in `attempts`), or after a
        timeout (`uncertain`: counted apart, the notice may have arrived)."""
        await self._exec(
            "UPDATE broadcast_recipients SET attempts = attempts + ?, "
            "uncertain = uncertain + ?, next_at = ?, error = ? WHERE id = ?",
            (int(not uncertain), int(uncertain), next_at, error, recipient_id),
        )

    async def uncertain(self, recipient_id: int) -> int:
        """How many times the notice to this recipient timed out (it may have arrived)."""
        value = await self._scalar(
            "SELECT uncertain FROM broadcast_recipients WHERE id = ?", (recipient_id,)
        )
        return int(value or 0)

    async def tally(self, broadcast_id: int) -> Tally:
        rows = await self._all(
            "SELECT status, COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ? "
            "GROUP BY status",
            (broadcast_id,),
        )
        counts = {str(r[0]): int(r[1]) for r in rows}
        return Tally(total=sum(counts.values()), **counts)

    # -- muting ---------------------------------------------------------------------------
    async def mute(self, person_id: int, station_id: int, now: int) -> None:
        await self._exec(
            "INSERT OR IGNORE INTO notice_mutes (person_id, station_id, created_at) VALUES (?,?,?)",
            (person_id, station_id, now),
        )

    async def unmute(self, person_id: int, station_id: int) -> None:
        await self._exec(
            "DELETE FROM notice_mutes WHERE person_id = ? AND station_id = ?",
            (person_id, station_id),
        )

    async def muted(self, person_id: int, station_id: int) -> bool:
        found = await self._scalar(
            "SELECT 1 FROM notice_mutes WHERE person_id = ? AND station_id = ?",
            (person_id, station_id),
        )
        return found is not None
