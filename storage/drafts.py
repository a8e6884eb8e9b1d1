"""A resident's /report in progress, and pending prompts (a question awaiting an answer)."""

from __future__ import annotations

import json

from bot.models import Draft, Prompt
from storage._base import Repo


class DraftRepo(Repo):
    async def get(self, person_id: int) -> Draft | None:
        row = await self._one(
            "SELECT person_id, station_id, category_id, description, photos, lat, lon, "
            "share_phone FROM drafts WHERE person_id = ?",
            (person_id,),
        )
        if row is None:
            return None
        data = dict(row)
        data["photos"] = tuple(json.loads(data["photos"]))
        data["share_phone"] = bool(data["share_phone"])
        return Draft.model_validate(data)

    async def save(self, draft: Draft, now: int) -> None:
        await self._exec(
            "INSERT INTO drafts (person_id, station_id, category_id, description, photos, lat, lon,"
            " share_phone, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(person_id) DO UPDATE SET "
            "station_id = excluded.station_id, category_id = excluded.category_id, "
            "description = excluded.description, photos = excluded.photos, lat = excluded.lat, "
            "lon = excluded.lon, share_phone = excluded.share_phone, "
            "updated_at = excluded.updated_at",
            (
                draft.person_id,
                draft.station_id,
                draft.category_id,
                draft.description,
                json.dumps(list(draft.photos)),
                draft.lat,
                draft.lon,
                int(draft.share_phone),
                now,
            ),
        )

    async def delete(self, person_id: int) -> None:
        await self._exec("DELETE FROM drafts WHERE person_id = ?", (person_id,))

    # -- prompts ---------------------------------------------------------------------------
    async def prompt(self, person_id: int) -> Prompt | None:
        row = await self._one(
            "SELECT person_id, kind, issue_id, data FROM prompts WHERE person_id = ?", (person_id,)
        )
        if row is None:
            return None
        data = dict(row)
        data["data"] = json.loads(data["data"])
        return Prompt.model_validate(data)

    async def set_prompt(self, prompt: Prompt, now: int) -> None:
        await self._exec(
            "INSERT INTO prompts (person_id, kind, issue_id, data, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET kind = excluded.kind, "
            "issue_id = excluded.issue_id, data = excluded.data, created_at = excluded.created_at",
            (prompt.person_id, prompt.kind, prompt.issue_id, json.dumps(prompt.data), now),
        )

    async def clear_prompt(self, person_id: int) -> None:
        await self._exec("DELETE FROM prompts WHERE person_id = ?", (person_id,))
