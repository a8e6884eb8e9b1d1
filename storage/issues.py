"""Issues, their photos, 附议 supporters, declines and the event timeline."""

from __future__ import annotations

from typing import Any

from bot.models import Event, Issue, State
from storage._base import Repo

_COLS = (
    "i.id, i.station_id, i.category_id, i.resident_id, i.source, i.description, i.lat, i.lon, "
    "i.share_phone, i.state, i.owner_id, i.department_id, i.supervised, i.reopen_count, "
    "i.rating, i.close_reason, i.reply_text, i.reject_reason, i.created_at, i.accepted_at, "
    "i.transferred_at, i.replied_at, i.closed_at, i.accept_due, i.reply_due, i.updated_at, "
    "i.resolution, i.revisit_by, i.revisited_at, i.recheck"
)
_UPDATABLE = {
    "state",
    "owner_id",
    "department_id",
    "supervised",
    "reopen_count",
    "rating",
    "close_reason",
    "reply_text",
    "reject_reason",
    "accepted_at",
    "transferred_at",
    "replied_at",
    "closed_at",
    "reply_due",
    "accept_due",
    "updated_at",
    "next_nudge_at",
    "resolution",
    "revisit_by",
    "revisited_at",
    "recheck",
}


# list queries also fetch the 附议 count (the primary key index makes it cheap)
_LIST = _COLS + ", (SELECT COUNT(*) FROM issue_supporters s WHERE s.issue_id = i.id) AS supporters"


def _issue(row: Any, photos: tuple[str, ...] = (), supporters: int = 0) -> Issue:
    data = dict(row)
    data.setdefault("supporters", supporters)
    return Issue.model_validate({**data, "photos": photos})


class IssueRepo(Repo):
    async def create(
        self,
        *,
        station_id: int,
        category_id: int,
        resident_id: int,
        description: str,
        lat: float | None,
        lon: float | None,
        source: str,
        share_phone: bool,
        now: int,
        accept_due: int,
        reply_due: int,
        next_nudge_at: int | None,
        state: State = State.SUBMITTED,
        owner_id: int | None = None,
    ) -> int:
        """A new issue; `next_nudge_at` is when the deadline sweep first looks at it."""
        return await self._exec(
            "INSERT INTO issues (station_id, category_id, resident_id, source, description, lat, "
            "lon, share_phone, state, owner_id, created_at, accepted_at, accept_due, reply_due, "
            "updated_at, next_nudge_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                station_id,
                category_id,
                resident_id,
                source,
                description,
                lat,
                lon,
                int(share_phone),
                state.value,
                owner_id,
                now,
                now if owner_id is not None else None,
                accept_due,
                reply_due,
                now,
                next_nudge_at,
            ),
        )

    async def add_photos(self, issue_id: int, file_ids: tuple[str, ...]) -> None:
        for position, file_id in enumerate(file_ids):
            await self._exec(
                "INSERT INTO issue_photos (issue_id, position, file_id) VALUES (?, ?, ?)",
                (issue_id, position, file_id),
            )

    async def get(self, issue_id: int) -> Issue | None:
        row = await self._one(f"SELECT {_COLS} FROM issues i WHERE i.id = ?", (issue_id,))
        if row is None:
            return None
        photos = await self._all(
            "SELECT file_id FROM issue_photos WHERE issue_id = ? ORDER BY position", (issue_id,)
        )
        supporters = await self._scalar(
            "SELECT COUNT(*) FROM issue_supporters WHERE issue_id = ?", (issue_id,)
        )
        return _issue(row, tuple(str(p[0]) for p in photos), int(supporters or 0))

    async def many(self, issue_ids: list[int]) -> list[Issue]:
        """Issues by id with their photos and 附议 counts, in three queries (not per issue)."""
        if not issue_ids:
            return []
        marks = ", ".join("?" for _ in issue_ids)
        rows = await self._all(f"SELECT {_COLS} FROM issues i WHERE i.id IN ({marks})", issue_ids)
        photos: dict[int, list[str]] = {}
        for r in await self._all(
            f"SELECT issue_id, file_id FROM issue_photos WHERE issue_id IN ({marks}) "
            "ORDER BY issue_id, position",
            issue_ids,
        ):
            photos.setdefault(int(r[0]), []).append(str(r[1]))
        counts = {
            int(r[0]): int(r[1])
            for r in await self._all(
                f"SELECT issue_id, COUNT(*) FROM issue_supporters WHERE issue_id IN ({marks}) "
                "GROUP BY issue_id",
                issue_ids,
            )
        }
        return [
            _issue(r, tuple(photos.get(int(r["id"]), ())), counts.get(int(r["id"]), 0))
            for r in rows
        ]

    async def update(self, issue_id: int, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        assert not unknown, f"not updatable: {unknown}"
        values = [v.value if isinstance(v, State) else v for v in fields.values()]
        sets = ", ".join(f"{name} = ?" for name in fields)
        await self._exec(f"UPDATE issues SET {sets} WHERE id = ?", (*values, issue_id))

    async def add_event(
        self,
        issue_id: int,
        at: int,
        actor_id: int | None,
        kind: str,
        from_state: State | None = None,
        to_state: State | None = None,
        note: str | None = None,
    ) -> None:
        await self._exec(
            "INSERT INTO events (issue_id, at, actor_id, kind, from_state, to_state, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                issue_id,
                at,
                actor_id,
                kind,
                from_state.value if from_state else None,
                to_state.value if to_state else None,
                note,
            ),
        )

    async def events(self, issue_id: int) -> list[Event]:
        rows = await self._all(
            "SELECT e.id, e.issue_id, e.at, e.actor_id, p.name AS actor_name, e.kind, "
            "e.from_state, e.to_state, e.note FROM events e LEFT JOIN people p ON p.id = e.actor_id "
            "WHERE e.issue_id = ? ORDER BY e.id",
            (issue_id,),
        )
        return [Event.model_validate(dict(r)) for r in rows]

    async def of_resident(self, person_id: int, limit: int = 10, offset: int = 0) -> list[Issue]:
        rows = await self._all(
            f"SELECT {_LIST} FROM issues i WHERE i.resident_id = ? AND i.source = 'resident' "
            "ORDER BY i.id DESC LIMIT ? OFFSET ?",
            (person_id, limit, offset),
        )
        return [_issue(r) for r in rows]

    async def of_person(self, person_id: int, limit: int = 10, offset: int = 0) -> list[Issue]:
        """What a resident filed and what they support (附议), newest first."""
        rows = await self._all(
            f"SELECT {_LIST} FROM issues i WHERE (i.resident_id = ? AND i.source = 'resident') "
            "OR i.id IN (SELECT issue_id FROM issue_supporters WHERE person_id = ?) "
            "ORDER BY i.id DESC LIMIT ? OFFSET ?",
            (person_id, person_id, limit, offset),
        )
        return [_issue(r) for r in rows]

    async def count_of_person(self, person_id: int) -> int:
        return int(
            await self._scalar(
                "SELECT COUNT(*) FROM issues WHERE (resident_id = ? AND source = 'resident') "
                "OR id IN (SELECT issue_id FROM issue_supporters WHERE person_id = ?)",
                (person_id, person_id),
            )
            or 0
        )

    async def count_of_resident(self, person_id: int) -> int:
        return int(
            await self._scalar(
                "SELECT COUNT(*) FROM issues WHERE resident_id = ? AND source = 'resident'",
                (person_id,),
            )
            or 0
        )

    async def filed_since(self, person_id: int, since: int) -> int:
        return int(
            await self._scalar(
                "SELECT COUNT(*) FROM issues WHERE resident_id = ? AND source = 'resident' "
                "AND created_at >= ?",
                (person_id, since),
            )
            or 0
        )

    async def open_of_owner(self, person_id: int, limit: int = 20) -> list[Issue]:
        rows = await self._all(
            f"SELECT {_LIST} FROM issues i WHERE i.owner_id = ? "
            "AND i.state IN ('accepted', 'transferred') ORDER BY i.reply_due, i.id LIMIT ?",
            (person_id, limit),
        )
        return [_issue(r) for r in rows]

    async def orphaned(self, limit: int = 100) -> list[int]:
        """Issues in hand whose deputy is no longer one of their station's deputies."""
        rows = await self._all(
            # owner_id > 0 (ids are positive) reads the open-issues-by-owner index
            "SELECT i.id FROM issues i WHERE i.state IN ('accepted', 'transferred') "
            "AND i.owner_id > 0 AND NOT EXISTS (SELECT 1 FROM memberships m "
            "WHERE m.person_id = i.owner_id AND m.station_id = i.station_id "
            "AND m.role = 'deputy') LIMIT ?",
            (limit,),
        )
        return [int(r[0]) for r in rows]

    async def pending_at(self, station_ids: list[int], exclude_declined_by: int) -> list[Issue]:
        """Issues waiting for a deputy at these stations, which this person has not declined."""
        if not station_ids:
            return []
        marks = ",".join("?" * len(station_ids))
        rows = await self._all(
            f"SELECT {_LIST} FROM issues i WHERE i.state = 'submitted' "
            f"AND i.station_id IN ({marks}) AND NOT EXISTS (SELECT 1 FROM issue_declines d "
            "WHERE d.issue_id = i.id AND d.person_id = ?) ORDER BY i.accept_due, i.id LIMIT 20",
            (*station_ids, exclude_declined_by),
        )
        return [_issue(r) for r in rows]

    async def open_similar(self, station_id: int, category_id: int, since: int) -> list[Issue]:
        rows = await self._all(
            f"SELECT {_LIST} FROM issues i WHERE i.station_id = ? AND i.category_id = ? "
            "AND i.state IN ('submitted', 'accepted', 'transferred') AND i.created_at >= ? "
            "ORDER BY i.id DESC LIMIT 200",
            (station_id, category_id, since),
        )
        return [_issue(r) for r in rows]

    async def add_supporter(self, issue_id: int, person_id: int, now: int) -> bool:
        return (
            await self._changes(
                "INSERT OR IGNORE INTO issue_supporters (issue_id, person_id, created_at) "
                "VALUES (?, ?, ?)",
                (issue_id, person_id, now),
            )
            > 0
        )

    async def supporters(self, issue_id: int) -> list[int]:
        rows = await self._all(
            "SELECT person_id FROM issue_supporters WHERE issue_id = ? ORDER BY created_at",
            (issue_id,),
        )
        return [int(r[0]) for r in rows]

    async def remove_supporter(self, issue_id: int, person_id: int) -> bool:
        return (
            await self._changes(
                "DELETE FROM issue_supporters WHERE issue_id = ? AND person_id = ?",
                (issue_id, person_id),
            )
            > 0
        )

    async def supports(self, issue_id: int, person_id: int) -> bool:
        return (
            await self._scalar(
                "SELECT 1 FROM issue_supporters WHERE issue_id = ? AND person_id = ?",
                (issue_id, person_id),
            )
            is not None
        )

    async def open_load(self, person_ids: list[int]) -> dict[int, int]:
        """How many open issues each of these deputies handles now."""
        if not person_ids:
            return {}
        marks = ",".join("?" * len(person_ids))
        rows = await self._all(
            f"SELECT owner_id, COUNT(*) FROM issues WHERE owner_id IN ({marks}) "
            "AND state IN ('accepted', 'transferred') GROUP BY owner_id",
            tuple(person_ids),
        )
        found = {int(r[0]): int(r[1]) for r in rows}
        return {pid: found.get(pid, 0) for pid in person_ids}

    async def add_decline(self, issue_id: int, person_id: int, reason: str, now: int) -> bool:
        return (
            await self._changes(
                "INSERT OR IGNORE INTO issue_declines (issue_id, person_id, reason, created_at) "
                "VALUES (?, ?, ?, ?)",
                (issue_id, person_id, reason, now),
            )
            > 0
        )

    async def decline_reasons(self, issue_id: int) -> dict[int, str]:
        """Who declined (退回) the issue and why, in the order they did."""
        rows = await self._all(
            "SELECT person_id, reason FROM issue_declines WHERE issue_id = ? ORDER BY created_at",
            (issue_id,),
        )
        return {int(r[0]): str(r[1] or "") for r in rows}

    async def declined_by(self, issue_id: int) -> set[int]:
        rows = await self._all(
            "SELECT person_id FROM issue_declines WHERE issue_id = ?", (issue_id,)
        )
        return {int(r[0]) for r in rows}
