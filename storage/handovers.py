"""Handovers to departments (转办 to a unit with liaisons) and their extension requests."""

from __future__ import annotations

import json
from typing import Any

from bot.models import ExtensionRequest, Handover, HandoverState
from storage._base import Repo

_UPDATABLE = frozenset(
    {
        "state",
        "liaison_id",
        "signed_at",
        "returned_at",
        "return_reason",
        "return_note",
        "answered_at",
        "answer_text",
        "answer_photos",
        "answer_due",
        "extensions",
        "next_nudge_at",
        "ended_at",
    }
)


def _handover(row: Any) -> Handover:
    data = dict(row)
    data["answer_photos"] = tuple(json.loads(data.get("answer_photos") or "[]"))
    return Handover.model_validate(data)


class HandoverRepo(Repo):
    async def add(
        self,
        issue_id: int,
        department_id: int,
        deputy_id: int | None,
        now: int,
        *,
        sign_due: int,
        answer_due: int,
        next_nudge_at: int | None,
    ) -> Handover:
        handover_id = await self._exec(
            "INSERT INTO handovers (issue_id, department_id, deputy_id, state, sent_at, "
            "sign_due, answer_due, next_nudge_at) VALUES (?, ?, ?, 'sent', ?, ?, ?, ?)",
            (issue_id, department_id, deputy_id, now, sign_due, answer_due, next_nudge_at),
        )
        found = await self.get(handover_id)
        assert found is not None
        return found

    async def get(self, handover_id: int) -> Handover | None:
        row = await self._one("SELECT * FROM handovers WHERE id = ?", (handover_id,))
        return None if row is None else _handover(row)

    async def latest(self, issue_id: int) -> Handover | None:
        """The issue's newest handover, open or not."""
        row = await self._one(
            "SELECT * FROM handovers WHERE issue_id = ? ORDER BY id DESC LIMIT 1", (issue_id,)
        )
        return None if row is None else _handover(row)

    async def open_of(self, issue_id: int) -> Handover | None:
        found = await self.latest(issue_id)
        return found if found is not None and found.open else None

    async def update(self, handover_id: int, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        assert not unknown, f"not updatable: {unknown}"
        values = []
        for value in fields.values():
            if isinstance(value, HandoverState):
                value = value.value
            elif isinstance(value, tuple):
                value = json.dumps(list(value))
            values.append(value)
        sets = ", ".join(f"{name} = ?" for name in fields)
        await self._exec(f"UPDATE handovers SET {sets} WHERE id = ?", (*values, handover_id))

    async def end_open(self, issue_id: int, now: int) -> int:
        """End the issue's open handover (it left the unit's hands); how many ended."""
        return await self._changes(
            "UPDATE handovers SET ended_at = ?, next_nudge_at = NULL "
            "WHERE issue_id = ? AND ended_at IS NULL",
            (now, issue_id),
        )

    async def open_of_departments(self, department_ids: list[int]) -> list[Handover]:
        """The units' open handovers, soonest deadline first."""
        if not department_ids:
            return []
        marks = ", ".join("?" for _ in department_ids)
        rows = await self._all(
            f"SELECT * FROM handovers WHERE ended_at IS NULL AND department_id IN ({marks}) "
            "ORDER BY CASE state WHEN 'sent' THEN sign_due ELSE answer_due END, id",
            department_ids,
        )
        return [_handover(r) for r in rows]

    async def open_of_issues(self, issue_ids: list[int]) -> dict[int, Handover]:
        if not issue_ids:
            return {}
        marks = ", ".join("?" for _ in issue_ids)
        rows = await self._all(
            f"SELECT * FROM handovers WHERE ended_at IS NULL AND issue_id IN ({marks})", issue_ids
        )
        return {int(r["issue_id"]): _handover(r) for r in rows}

    async def nudge_candidates(self, now: int, limit: int = 500) -> list[Handover]:
        rows = await self._all(
            "SELECT * FROM handovers WHERE next_nudge_at IS NOT NULL AND next_nudge_at <= ? "
            "AND ended_at IS NULL ORDER BY next_nudge_at LIMIT ?",
            (now, limit),
        )
        return [_handover(r) for r in rows]

    # -- 申请延期 ----------------------------------------------------------------------------
    async def ask_extension(
        self, handover_id: int, asked_by: int, now: int, new_due: int, reason: str
    ) -> ExtensionRequest:
        request_id = await self._exec(
            "INSERT INTO extension_requests (handover_id, asked_by, asked_at, new_due, reason) "
            "VALUES (?, ?, ?, ?, ?)",
            (handover_id, asked_by, now, new_due, reason),
        )
        found = await self.extension(request_id)
        assert found is not None
        return found

    async def extension(self, request_id: int) -> ExtensionRequest | None:
        row = await self._one("SELECT * FROM extension_requests WHERE id = ?", (request_id,))
        return None if row is None else ExtensionRequest.model_validate(dict(row))

    async def asked_extension(self, handover_id: int) -> ExtensionRequest | None:
        row = await self._one(
            "SELECT * FROM extension_requests WHERE handover_id = ? AND state = 'asked'",
            (handover_id,),
        )
        return None if row is None else ExtensionRequest.model_validate(dict(row))

    async def decide_extension(self, request_id: int, approved: bool, by: int, now: int) -> bool:
        """Record the decision once; False when it was already decided."""
        changed = await self._changes(
            "UPDATE extension_requests SET state = ?, decided_by = ?, decided_at = ? "
            "WHERE id = ? AND state = 'asked'",
            ("approved" if approved else "refused", by, now, request_id),
        )
        return changed == 1

    async def close_extensions(self, handover_id: int, now: int) -> None:
        """An open request of a handover that ended is moot: refused by nobody."""
        await self._exec(
            "UPDATE extension_requests SET state = 'refused', decided_at = ? "
            "WHERE handover_id = ? AND state = 'asked'",
            (now, handover_id),
        )

    async def figures(
        self, station_ids: list[int] | None, since: int, until: int
    ) -> list[tuple[str, str, int, int, int, int, int, list[int]]]:
        """Per department, for handovers made in [since, until) at the stations: (name_zh,
        name_en, received, signed on time, returned, extensions, answered on time, the
        seconds each answer took)."""
        where = "h.sent_at >= ? AND h.sent_at < ?"
        params: list[object] = [since, until]
        if station_ids is not None:
            where += f" AND i.station_id IN ({', '.join('?' for _ in station_ids)})"
            params += station_ids
        rows = await self._all(
            "SELECT d.name_zh, d.name_en, COUNT(*) AS received, "
            "SUM(h.signed_at IS NOT NULL AND h.signed_at <= h.sign_due) AS signed_on_time, "
            "SUM(h.state = 'returned') AS returned, SUM(h.extensions) AS extensions, "
            "SUM(h.answered_at IS NOT NULL AND h.answered_at <= h.answer_due) AS on_time, "
            "group_concat(h.answered_at - h.sent_at) AS took "
            "FROM handovers h JOIN departments d ON d.id = h.department_id "
            f"JOIN issues i ON i.id = h.issue_id WHERE {where} "
            "GROUP BY d.id ORDER BY received DESC, d.position, d.id",
            params,
        )
        return [
            (
                str(r["name_zh"]),
                str(r["name_en"]),
                int(r["received"]),
                int(r["signed_on_time"] or 0),
                int(r["returned"] or 0),
                int(r["extensions"] or 0),
                int(r["on_time"] or 0),
                [int(x) for x in str(r["took"]).split(",")] if r["took"] else [],
            )
            for r in rows
        ]
