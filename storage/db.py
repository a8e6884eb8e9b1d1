"""SQLite connection: pragmas, numbered migrations, transactions.

One writer connection (guarded by a lock, `BEGIN IMMEDIATE`) and one reader
connection; WAL lets readers see committed data while a write is in progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import cast

import aiosqlite

from storage._reader import SerialReader
from storage.reference import ReferenceCache
from storage.repos import Repos

# (person, platform update seq, now) while an update of that person is being handled: every
# write transaction it makes also records the update as applied, so a redelivery after a
# crash is recognised (bot/conversation/engine.py) however the update changed things.
APPLYING: ContextVar[tuple[int, int, int] | None] = ContextVar("applying", default=None)

_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) for every numbered migration, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001.. without gaps, got {numbers}")
    return found


async def _connect(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA busy_timeout = 10000")
    await conn.execute("PRAGMA synchronous = NORMAL")
    return conn


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply pending migrations; the schema version lives in PRAGMA user_version."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    version = int(row[0]) if row else 0
    for number, _name, sql in migrations():
        if number <= version:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {number}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        version = number
    return version


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (our migrations hold no `--` or `;` in literals)."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class Database:
    """The application's SQLite database."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()
        self._serial_reader = SerialReader(reader)
        self.reference = ReferenceCache()
        self.on_commit: Callable[[], None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(str(path))
        async with writer.execute("PRAGMA journal_mode = WAL") as cur:
            await cur.fetchone()
        await migrate(writer)
        reader = await _connect(str(path))
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self._reader.close()
        async with self._lock:
            await self._writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        """A write transaction: everything inside commits together or not at all."""
        async with self._lock:
            repos = Repos(self._writer, self.reference)
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                yield repos
                applying = APPLYING.get()
                if applying is not None:
                    # whatever this update changed commits with the mark that it was applied
                    await repos.pending.seen(*applying)
                await self._writer.execute("COMMIT")
            except BaseException:
                # Also when cancelled while BEGIN or COMMIT was still queued: SQLite's thread
                # runs them in order, so this ROLLBACK comes after them whatever happened.
                with contextlib.suppress(sqlite3.OperationalError):
                    await asyncio.shield(self._writer.execute("ROLLBACK"))
                raise
            finally:
                if repos.used("stations") and repos.stations.wrote:
                    self.reference.invalidate()  # loads made before the commit are stale
            if self.on_commit is not None and repos.used("outbox") and repos.outbox.added:
                self.on_commit()  # new notifications: wake the outbox sender

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repos]:
        """Read the latest committed data without waiting for writers."""
        yield Repos(cast(aiosqlite.Connection, self._serial_reader), self.reference)

    async def backup(self, target: Path | str) -> None:
        """A consistent online copy (SQLite's backup API) while the bot keeps writing."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        source = await _connect(str(self.path))  # its own connection: readers keep going
        dest = await aiosqlite.connect(str(target))
        try:
            await source.backup(dest)
        finally:
            await dest.close()
            await source.close()

    async def integrity_check(self) -> str:
        async with self._reader.execute("PRAGMA integrity_check") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else "?"
