"""What the bot waits for from each person: one row per person (kind 'idle' when nothing)."""

from __future__ import annotations

import json
from contextvars import ContextVar

import aiosqlite

from bot.models import Awaiting, Channel, Pending, Step
from storage._base import Repo

_COLS = (
    "person_id, kind, step, issue_id, ref, data, version, last_seq, seq_at, updated_at, seq_channel"
)

# The platform of the update being handled: its update numbers are compared only with
# earlier numbers of the same platform.
SEQ_CHANNEL: ContextVar[Channel] = ContextVar("seq_channel", default=Channel.TELEGRAM)

# the newest update applied: a number of another platform replaces it, one of the same
# platform only raises it
_LAST_SEQ = (
    "last_seq = CASE WHEN excluded.last_seq IS NULL THEN pending.last_seq "
    "WHEN pending.seq_channel = excluded.seq_channel "
    "THEN max(coalesce(pending.last_seq, 0), excluded.last_seq) "
    "ELSE excluded.last_seq END, "
    "seq_channel = CASE WHEN excluded.last_seq IS NULL THEN pending.seq_channel "
    "ELSE excluded.seq_channel END"
)


class PendingRepo(Repo):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(conn)
        self.recorded: dict[int, int] = {}  # person → update seq written in this transaction

    async def get(self, person_id: int) -> Pending:
        row = await self._one(f"SELECT {_COLS} FROM pending WHERE person_id = ?", (person_id,))
        if row is None:
            return Pending(person_id=person_id)
        data = dict(row)
        data["data"] = json.loads(data["data"])
        return Pending.model_validate(data)

    async def set(
        self,
        person_id: int,
        kind: Awaiting,
        step: Step,
        now: int,
        *,
        issue_id: int | None = None,
        ref: int | None = None,
        data: dict[str, str | int | float | None] | None = None,
        seq: int | None = None,
    ) -> Pending:
        """Replace what is awaited; the version goes up, so older buttons go stale."""
        row = await self._one(
            f"INSERT INTO pending ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) "
            "ON CONFLICT(person_id) DO UPDATE SET kind = excluded.kind, step = excluded.step, "
            "issue_id = excluded.issue_id, ref = excluded.ref, data = excluded.data, "
            f"version = pending.version + 1, {_LAST_SEQ}, "
            "seq_at = coalesce(excluded.seq_at, pending.seq_at), "
            "updated_at = excluded.updated_at "
            "RETURNING version, last_seq, seq_at, seq_channel",
            (
                person_id,
                kind.value,
                step.value,
                issue_id,
                ref,
                json.dumps(data or {}, ensure_ascii=False),
                seq,
                now if seq is not None else None,
                now,
                SEQ_CHANNEL.get().value,
            ),
        )
        assert row is not None
        if seq is not None:
            self.recorded[person_id] = seq
        return Pending(
            person_id=person_id,
            kind=kind,
            step=step,
            issue_id=issue_id,
            ref=ref,
            data=data or {},
            version=row["version"],
            last_seq=row["last_seq"],
            seq_at=row["seq_at"],
            seq_channel=Channel(row["seq_channel"]),
            updated_at=now,
        )

    async def clear(self, person_id: int, now: int, seq: int | None = None) -> None:
        await self.set(person_id, Awaiting.IDLE, Step.NONE, now, seq=seq)

    async def seen(self, person_id: int, seq: int, now: int) -> None:
        """Remember that update `seq` was applied (what is awaited stays as it is)."""
        if self.recorded.get(person_id) == seq:
            return  # this transaction already wrote it with the step
        self.recorded[person_id] = seq
        await self._exec(
            "INSERT INTO pending (person_id, kind, last_seq, seq_at, updated_at, seq_channel) "
            "VALUES (?, 'idle', ?, ?, ?, ?) "
            f"ON CONFLICT(person_id) DO UPDATE SET {_LAST_SEQ}, seq_at = excluded.seq_at",
            (person_id, seq, now, now, SEQ_CHANNEL.get().value),
        )
