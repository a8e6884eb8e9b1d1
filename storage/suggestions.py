"""代表建议: suggestions, the issues they were built from, their signers, units and events."""

from __future__ import annotations

from typing import Any

from bot.models import (
    IssueGist,
    Rating,
    Signer,
    Suggestion,
    SuggestionEvent,
    SuggestionFigures,
    SuggestionState,
    SuggestionUnit,
)
from storage._base import Repo

_UPDATABLE = frozenset(
    {
        "state",
        "title",
        "reasons",
        "proposal",
        "updated_at",
        "submitted_at",
        "return_reason",
        "handed_over_at",
        "due_at",
        "extension_asked",
        "extension_reason",
        "round",
        "answered_at",
        "grade",
        "answer",
        "closed_at",
    }
)


def _suggestion(row: Any) -> Suggestion:
    return Suggestion.model_validate(dict(row))


def _unit(row: Any) -> SuggestionUnit:
    return SuggestionUnit.model_validate(dict(row))


class SuggestionRepo(Repo):
    # -- the suggestion ------------------------------------------------------------------
    async def add(
        self,
        lead_id: int,
        station_id: int | None,
        category_id: int | None,
        title: str,
        reasons: str,
        proposal: str,
        issue_ids: list[int],
        now: int,
    ) -> Suggestion:
        suggestion_id = await self._exec(
            "INSERT INTO suggestions (lead_id, station_id, category_id, title, reasons, "
            "proposal, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (lead_id, station_id, category_id, title, reasons, proposal, now, now),
        )
        await self.conn.executemany(
            "INSERT OR IGNORE INTO suggestion_issues (suggestion_id, issue_id) VALUES (?, ?)",
            [(suggestion_id, i) for i in issue_ids],
        )
        await self._exec(
            "INSERT INTO suggestion_signers (suggestion_id, person_id, lead, invited_at, "
            "joined_at) VALUES (?, ?, 1, ?, ?)",
            (suggestion_id, lead_id, now, now),
        )
        found = await self.get(suggestion_id)
        assert found is not None
        return found

    async def get(self, suggestion_id: int) -> Suggestion | None:
        row = await self._one("SELECT * FROM suggestions WHERE id = ?", (suggestion_id,))
        return None if row is None else _suggestion(row)

    async def update(self, suggestion_id: int, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        assert not unknown, f"not updatable: {unknown}"
        values = [v.value if isinstance(v, SuggestionState) else v for v in fields.values()]
        sets = ", ".join(f"{name} = ?" for name in fields)
        await self._exec(f"UPDATE suggestions SET {sets} WHERE id = ?", (*values, suggestion_id))

    async def move(
        self, suggestion_id: int, frm: tuple[SuggestionState, ...], to: SuggestionState, now: int
    ) -> bool:
        """Change the state only if it is still one of `frm` (a double tap moves it once)."""
        marks = ", ".join("?" for _ in frm)
        changed = await self._changes(
            f"UPDATE suggestions SET state = ?, updated_at = ? WHERE id = ? AND state IN ({marks})",
            (to.value, now, suggestion_id, *(s.value for s in frm)),
        )
        return changed == 1

    async def of_person(self, person_id: int, limit: int = 20) -> list[Suggestion]:
        """The suggestions a deputy leads, co-signs or is invited to, newest first."""
        rows = await self._all(
            "SELECT s.* FROM suggestions s JOIN suggestion_signers g ON g.suggestion_id = s.id "
            "WHERE g.person_id = ? ORDER BY s.id DESC LIMIT ?",
            (person_id, limit),
        )
        return [_suggestion(r) for r in rows]

    async def in_state(self, *states: SuggestionState, limit: int = 50) -> list[Suggestion]:
        marks = ", ".join("?" for _ in states)
        rows = await self._all(
            f"SELECT * FROM suggestions WHERE state IN ({marks}) ORDER BY id LIMIT ?",
            (*(s.value for s in states), limit),
        )
        return [_suggestion(r) for r in rows]

    async def of_departments(self, department_ids: list[int], limit: int = 20) -> list[Suggestion]:
        """Open suggestions handed to any of these units (the current round)."""
        if not department_ids:
            return []
        marks = ", ".join("?" for _ in department_ids)
        rows = await self._all(
            "SELECT DISTINCT s.* FROM suggestions s JOIN suggestion_units u "
            "ON u.suggestion_id = s.id AND u.round = s.round "
            f"WHERE u.department_id IN ({marks}) AND s.state IN ('handling', 'answered') "
            "ORDER BY s.due_at, s.id LIMIT ?",
            (*department_ids, limit),
        )
        return [_suggestion(r) for r in rows]

    async def of_issue(self, issue_id: int) -> list[Suggestion]:
        rows = await self._all(
            "SELECT s.* FROM suggestions s JOIN suggestion_issues i ON i.suggestion_id = s.id "
            "WHERE i.issue_id = ? ORDER BY s.id",
            (issue_id,),
        )
        return [_suggestion(r) for r in rows]

    async def gists(self, since: int, station_ids: list[int] | None) -> list[IssueGist]:
        """Issues filed since `since` at these stations (None: all), for grouping into
        hotspots; rejected and withdrawn ones say nothing about what people need."""
        scope, params = "", [since]
        if station_ids is not None:
            if not station_ids:
                return []
            scope = f" AND i.station_id IN ({', '.join('?' for _ in station_ids)})"
            params += station_ids
        rows = await self._all(
            "SELECT i.id, i.category_id, i.station_id, i.description, i.created_at, "
            "i.resident_id, i.lat, i.lon, "
            "(SELECT group_concat(s.person_id) FROM issue_supporters s WHERE s.issue_id = i.id) "
            "FROM issues i WHERE i.created_at >= ? AND i.state NOT IN ('rejected', 'withdrawn')"
            f"{scope} ORDER BY i.id",
            params,
        )
        gists = []
        for r in rows:
            supporters = frozenset(int(x) for x in str(r[8]).split(",")) if r[8] else frozenset()
            gists.append(
                IssueGist(
                    id=r[0],
                    category_id=r[1],
                    station_id=r[2],
                    description=r[3],
                    created_at=r[4],
                    resident_id=r[5],
                    lat=r[6],
                    lon=r[7],
                    supporter_ids=supporters,
                )
            )
        return gists

    # -- linked issues ---------------------------------------------------------------------
    async def issue_ids(self, suggestion_id: int) -> list[int]:
        rows = await self._all(
            "SELECT issue_id FROM suggestion_issues WHERE suggestion_id = ? ORDER BY issue_id",
            (suggestion_id,),
        )
        return [int(r[0]) for r in rows]

    async def people_of_issues(self, suggestion_id: int) -> list[int]:
        """The residents who raised the linked issues and those who supported them (附议)."""
        rows = await self._all(
            "SELECT i.resident_id FROM suggestion_issues l JOIN issues i ON i.id = l.issue_id "
            "WHERE l.suggestion_id = ? AND i.source = 'resident' "
            "UNION SELECT s.person_id FROM suggestion_issues l "
            "JOIN issue_supporters s ON s.issue_id = l.issue_id WHERE l.suggestion_id = ?",
            (suggestion_id, suggestion_id),
        )
        return sorted(int(r[0]) for r in rows)

    # -- signers -----------------------------------------------------------------------------
    async def signers(self, suggestion_id: int) -> list[Signer]:
        rows = await self._all(
            "SELECT g.person_id, p.name, g.lead, g.invited_at, g.joined_at, g.rating, "
            "g.rated_round FROM suggestion_signers g JOIN people p ON p.id = g.person_id "
            "WHERE g.suggestion_id = ? ORDER BY g.lead DESC, g.invited_at, g.person_id",
            (suggestion_id,),
        )
        return [Signer.model_validate(dict(r)) for r in rows]

    async def invite(self, suggestion_id: int, person_id: int, now: int) -> bool:
        changed = await self._changes(
            "INSERT OR IGNORE INTO suggestion_signers (suggestion_id, person_id, invited_at) "
            "VALUES (?, ?, ?)",
            (suggestion_id, person_id, now),
        )
        return changed == 1

    async def join(self, suggestion_id: int, person_id: int, now: int) -> bool:
        changed = await self._changes(
            "UPDATE suggestion_signers SET joined_at = ? WHERE suggestion_id = ? "
            "AND person_id = ? AND joined_at IS NULL",
            (now, suggestion_id, person_id),
        )
        return changed == 1

    async def rate(
        self, suggestion_id: int, person_id: int, rating: Rating, round_: int, now: int
    ) -> bool:
        """A signer's rating of this round's answer, once per round."""
        changed = await self._changes(
            "UPDATE suggestion_signers SET rating = ?, rated_round = ?, rated_at = ? "
            "WHERE suggestion_id = ? AND person_id = ? AND joined_at IS NOT NULL "
            "AND (rated_round IS NULL OR rated_round < ?)",
            (rating.value, round_, now, suggestion_id, person_id, round_),
        )
        return changed == 1

    # -- units -------------------------------------------------------------------------------
    async def units(self, suggestion_id: int, round_: int | None = None) -> list[SuggestionUnit]:
        if round_ is None:
            rows = await self._all(
                "SELECT * FROM suggestion_units WHERE suggestion_id = ? "
                "ORDER BY round, lead DESC, id",
                (suggestion_id,),
            )
        else:
            rows = await self._all(
                "SELECT * FROM suggestion_units WHERE suggestion_id = ? AND round = ? "
                "ORDER BY lead DESC, id",
                (suggestion_id, round_),
            )
        return [_unit(r) for r in rows]

    async def unit(self, unit_id: int) -> SuggestionUnit | None:
        row = await self._one("SELECT * FROM suggestion_units WHERE id = ?", (unit_id,))
        return None if row is None else _unit(row)

    async def choose_unit(
        self, suggestion_id: int, department_id: int, lead: bool, round_: int
    ) -> None:
        """主办 replaces any earlier lead choice; 协办 toggles on (see `drop_unit`)."""
        if lead:
            await self._exec(
                "DELETE FROM suggestion_units WHERE suggestion_id = ? AND round = ? "
                "AND (lead = 1 OR department_id = ?)",
                (suggestion_id, round_, department_id),
            )
        await self._exec(
            "INSERT OR IGNORE INTO suggestion_units (suggestion_id, department_id, lead, round) "
            "VALUES (?, ?, ?, ?)",
            (suggestion_id, department_id, int(lead), round_),
        )

    async def drop_unit(self, suggestion_id: int, department_id: int, round_: int) -> bool:
        changed = await self._changes(
            "DELETE FROM suggestion_units WHERE suggestion_id = ? AND department_id = ? "
            "AND round = ? AND lead = 0",
            (suggestion_id, department_id, round_),
        )
        return changed == 1

    async def set_unit(self, unit_id: int, **fields: Any) -> None:
        allowed = {"due_at", "answered_at", "answer", "grade", "answered_by", "next_nudge_at"}
        assert set(fields) <= allowed, f"not updatable: {set(fields) - allowed}"
        sets = ", ".join(f"{name} = ?" for name in fields)
        await self._exec(
            f"UPDATE suggestion_units SET {sets} WHERE id = ?", (*fields.values(), unit_id)
        )

    async def answer_unit(
        self, unit_id: int, text: str, grade: str | None, person_id: int, now: int
    ) -> bool:
        """A unit's answer (or a co-unit's opinion), once."""
        changed = await self._changes(
            "UPDATE suggestion_units SET answered_at = ?, answer = ?, grade = ?, "
            "answered_by = ?, next_nudge_at = NULL WHERE id = ? AND answered_at IS NULL",
            (now, text, grade, person_id, unit_id),
        )
        return changed == 1

    async def nudges_due(self, now: int, limit: int = 200) -> list[SuggestionUnit]:
        rows = await self._all(
            "SELECT u.* FROM suggestion_units u JOIN suggestions s ON s.id = u.suggestion_id "
            "WHERE u.next_nudge_at IS NOT NULL AND u.next_nudge_at <= ? "
            "AND u.answered_at IS NULL AND u.round = s.round AND s.state = 'handling' "
            "ORDER BY u.next_nudge_at LIMIT ?",
            (now, limit),
        )
        return [_unit(r) for r in rows]

    # -- timeline ----------------------------------------------------------------------------
    async def add_event(
        self, suggestion_id: int, now: int, person_id: int | None, kind: str, note: str | None
    ) -> None:
        await self._exec(
            "INSERT INTO suggestion_events (suggestion_id, at, person_id, kind, note) "
            "VALUES (?, ?, ?, ?, ?)",
            (suggestion_id, now, person_id, kind, note),
        )

    async def events(self, suggestion_id: int) -> list[SuggestionEvent]:
        rows = await self._all(
            "SELECT e.at, e.person_id, p.name, e.kind, e.note FROM suggestion_events e "
            "LEFT JOIN people p ON p.id = e.person_id WHERE e.suggestion_id = ? ORDER BY e.id",
            (suggestion_id,),
        )
        return [SuggestionEvent.model_validate(dict(r)) for r in rows]

    # -- figures -----------------------------------------------------------------------------
    async def figures(
        self, since: int, until: int, station_ids: list[int] | None
    ) -> SuggestionFigures:
        """Suggestions submitted in [since, until): city-wide (None) or of these stations."""
        scope, params = "", [since, until]
        if station_ids is not None:
            if not station_ids:
                return SuggestionFigures()
            scope = f" AND s.station_id IN ({', '.join('?' for _ in station_ids)})"
            params += station_ids
        where = f"s.submitted_at >= ? AND s.submitted_at < ?{scope}"
        row = await self._one(
            "SELECT COUNT(*), SUM(s.handed_over_at IS NOT NULL), SUM(s.answered_at IS NOT NULL), "
            "SUM(s.answered_at IS NOT NULL AND s.answered_at <= s.due_at) "
            f"FROM suggestions s WHERE {where}",
            params,
        )
        figures = SuggestionFigures()
        if row is not None:
            figures.filed = int(row[0] or 0)
            figures.handed_over = int(row[1] or 0)
            figures.answered = int(row[2] or 0)
            figures.answered_on_time = int(row[3] or 0)
        for grade, count in await self._all(
            f"SELECT s.grade, COUNT(*) FROM suggestions s WHERE {where} AND s.grade IS NOT NULL "
            "GROUP BY s.grade ORDER BY s.grade",
            params,
        ):
            figures.grades[str(grade)] = int(count)
        rated = await self._one(
            "SELECT COUNT(*), SUM(g.rating IN ('satisfied', 'mostly')) FROM suggestion_signers g "
            f"JOIN suggestions s ON s.id = g.suggestion_id WHERE {where} "
            "AND g.rated_round = s.round AND s.state = 'closed'",
            params,
        )
        if rated is not None:
            figures.rated = int(rated[0] or 0)
            figures.satisfied = int(rated[1] or 0)
        return figures
