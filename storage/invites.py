"""One-time invite links for deputies, staff and liaisons, and seeded people found by phone."""

from __future__ import annotations

from bot.models import Invite
from storage._base import Repo


class InviteRepo(Repo):
    async def create(
        self,
        token: str,
        person_id: int,
        station_id: int,
        role: str,
        created_by: int,
        now: int,
        expires_at: int,
    ) -> None:
        await self._exec(
            "INSERT INTO invites (token, person_id, station_id, role, created_by, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token, person_id, station_id, role, created_by, now, expires_at),
        )

    async def create_liaison(
        self,
        token: str,
        person_id: int,
        department_id: int,
        created_by: int | None,
        now: int,
        expires_at: int,
    ) -> None:
        await self._exec(
            "INSERT INTO invites (token, person_id, department_id, role, created_by, "
            "created_at, expires_at) VALUES (?, ?, ?, 'liaison', ?, ?, ?)",
            (token, person_id, department_id, created_by, now, expires_at),
        )

    async def get(self, token: str) -> Invite | None:
        row = await self._one(
            "SELECT token, person_id, station_id, department_id, role, created_by, created_at, "
            "expires_at, used_at, used_by FROM invites WHERE token = ?",
            (token,),
        )
        return Invite.model_validate(dict(row)) if row else None

    async def use(self, token: str, telegram_id: int | None, now: int) -> bool:
        """Mark the invite used (by a Telegram user, or None: on another platform); False
        when it was used or expired meanwhile."""
        changed = await self._changes(
            "UPDATE invites SET used_at = ?, used_by = ? "
            "WHERE token = ? AND used_at IS NULL AND expires_at > ?",
            (now, telegram_id, token, now),
        )
        return changed == 1

    async def seeded_with_phone(self) -> list[tuple[int, str]]:
        """(person id, phone) of every seeded person with a phone number."""
        rows = await self._all(
            "SELECT id, phone FROM people WHERE key IS NOT NULL AND phone IS NOT NULL"
        )
        return [(int(r[0]), str(r[1])) for r in rows]
