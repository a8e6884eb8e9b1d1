"""Small helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aiosqlite


class Repo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            row: aiosqlite.Row | None = await cur.fetchone()
            return row

    async def _scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self._one(sql, params)
        return None if row is None else row[0]

    async def _exec(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run a write; returns lastrowid (for inserts)."""
        async with self.conn.execute(sql, tuple(params)) as cur:
            return int(cur.lastrowid or 0)

    async def _changes(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run a write; returns how many rows it changed."""
        async with self.conn.execute(sql, tuple(params)) as cur:
            return int(cur.rowcount)
