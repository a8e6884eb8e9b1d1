"""The database file: migrations, pragmas, transactions, backup."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from storage.db import Database, migrations


async def test_fresh_database_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "x.db")
    try:
        async with db.read() as repos:
            async with repos.conn.execute("PRAGMA user_version") as cur:
                assert (await cur.fetchone())[0] == len(migrations())
            async with repos.conn.execute("PRAGMA journal_mode") as cur:
                assert (await cur.fetchone())[0] == "wal"
            async with repos.conn.execute("PRAGMA foreign_keys") as cur:
                assert (await cur.fetchone())[0] == 1
        assert await db.integrity_check() == "ok"
    finally:
        await db.close()
    # opening again applies nothing twice
    db = await Database.open(tmp_path / "sub" / "x.db")
    await db.close()


def test_migrations_are_numbered_without_gaps() -> None:
    numbers = [n for n, _, _ in migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        with pytest.raises(RuntimeError):  # noqa: PT012
            async with db.transaction() as repos:
                await repos.people.touch(42, "Alice", "en", 1)
                raise RuntimeError("boom")
        async with db.read() as repos:
            assert await repos.people.by_telegram(42) is None
        with pytest.raises(aiosqlite.IntegrityError):
            async with db.transaction() as repos:
                await repos.conn.execute(
                    "INSERT INTO memberships (person_id, station_id, role) VALUES (999, 999, 'deputy')"
                )
    finally:
        await db.close()


async def test_backup_is_a_readable_copy(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        async with db.transaction() as repos:
            await repos.people.touch(7, "Bob", None, 1)
        await db.backup(tmp_path / "copy.db")
    finally:
        await db.close()
    copy = await Database.open(tmp_path / "copy.db")
    try:
        async with copy.read() as repos:
            person = await repos.people.by_telegram(7)
            assert person is not None
            assert person.name == "Bob"
    finally:
        await copy.close()
