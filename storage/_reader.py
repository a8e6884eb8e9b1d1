"""The reader connection, one statement at a time.

SQLite keeps a read transaction (a snapshot) open while any statement of the connection is
active. With many coroutines sharing the reader, statements would overlap forever and every
read would see an ever older snapshot. Running each statement to completion under a lock
lets every statement start a fresh snapshot: reads always see the latest commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Iterable
from typing import Any

import aiosqlite


class _Rows:
    """A finished query's rows, with the cursor methods our code uses."""

    def __init__(self, rows: list[aiosqlite.Row], lastrowid: int | None, rowcount: int) -> None:
        self._rows = rows
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    async def fetchall(self) -> list[aiosqlite.Row]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> aiosqlite.Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int = 1) -> list[aiosqlite.Row]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        self._rows = []

    async def __aenter__(self) -> _Rows:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _Statement:
    def __init__(self, owner: SerialReader, sql: str, params: Iterable[Any]) -> None:
        self._owner = owner
        self._sql = sql
        self._params = tuple(params)

    async def _run(self) -> _Rows:
        return _Rows(await self._owner.execute_fetchall(self._sql, self._params), None, -1)

    def __await__(self) -> Generator[Any, None, _Rows]:
        return self._run().__await__()

    async def __aenter__(self) -> _Rows:
        return await self._run()

    async def __aexit__(self, *exc: object) -> None:
        return None


class SerialReader:
    """Wraps an aiosqlite connection; `execute` runs each statement to completion."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.lock = asyncio.Lock()

    def execute(self, sql: str, parameters: Iterable[Any] = ()) -> _Statement:
        return _Statement(self, sql, parameters)

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] = ()
    ) -> list[aiosqlite.Row]:
        """The statement's rows; it runs to completion before another statement starts."""
        async with self.lock:
            return list(await self.conn.execute_fetchall(sql, tuple(parameters)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)
