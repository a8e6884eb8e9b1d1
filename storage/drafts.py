"""Residents' report drafts: at most one open per person; finished ones say what they became."""

from __future__ import annotations

import json

from bot.models import Draft, DraftStatus
from storage._base import Repo

_COLS = (
    "id, person_id, status, issue_id, station_id, category_id, description, photos, lat, lon, "
    "share_phone, updated_at"
)


def _draft(row: object) -> Draft:
    data = dict(row)  # type: ignore[call-overload]
    data["photos"] = tuple(json.loads(data["photos"]))
    data["share_phone"] = bool(data["share_phone"])
    return Draft.model_validate(data)


class DraftRepo(Repo):
    async def open_of(self, person_id: int) -> Draft | None:
        row = await self._one(
            f"SELECT {_COLS} FROM drafts WHERE person_id = ? AND status = 'open'", (person_id,)
        )
        return _draft(row) if row else None

    async def get(self, draft_id: int) -> Draft | None:
        row = await self._one(f"SELECT {_COLS} FROM drafts WHERE id = ?", (draft_id,))
        return _draft(row) if row else None

    async def create(
        self, person_id: int, station_id: int | None, now: int, *, replacing: int | None = None
    ) -> Draft:
        """A new open draft; `replacing`, the person's open one, is marked replaced."""
        if replacing is not None:
            await self.finish(replacing, DraftStatus.REPLACED, now)
        draft_id = await self._exec(
            "INSERT INTO drafts (person_id, station_id, updated_at) VALUES (?, ?, ?)",
            (person_id, station_id, now),
        )
        return Draft(id=draft_id, person_id=person_id, station_id=station_id, updated_at=now)

    async def save(self, draft: Draft, now: int) -> Draft:
        await self._exec(
            "UPDATE drafts SET station_id = ?, category_id = ?, description = ?, photos = ?, "
            "lat = ?, lon = ?, share_phone = ?, updated_at = ? WHERE id = ?",
            (
                draft.station_id,
                draft.category_id,
                draft.description,
                json.dumps(list(draft.photos)),
                draft.lat,
                draft.lon,
                int(draft.share_phone),
                now,
                draft.id,
            ),
        )
        return draft.model_copy(update={"updated_at": now})

    async def finish(
        self, draft_id: int, status: DraftStatus, now: int, issue_id: int | None = None
    ) -> None:
        await self._exec(
            "UPDATE drafts SET status = ?, issue_id = ?, updated_at = ? WHERE id = ?",
            (status.value, issue_id, now, draft_id),
        )

    async def forget_finished(self, before: int) -> int:
        """Finished drafts older than `before` are only needed to explain old buttons."""
        return await self._changes(
            "DELETE FROM drafts WHERE status <> 'open' AND updated_at < ?", (before,)
        )
