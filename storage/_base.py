"""Small helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aiosqlite


class Repo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # Each helper is one hop to SQLite's thread: aiosqlite runs every call (execute,
    # fetch, close) on its worker thread, and those hops were most of the bot's CPU.

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self._one(sql, params)
        return None if row is None else row[0]

    async def _exec(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run a write; returns lastrowid (for inserts)."""
        cursor = await self.conn.execute(sql, tuple(params))
        return int(cursor.lastrowid or 0)

    async def _changes(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run a write; returns how many rows it changed."""
        cursor = await self.conn.execute(sql, tuple(params))
        return int(cursor.rowcount)
