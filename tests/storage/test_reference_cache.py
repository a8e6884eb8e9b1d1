"""Stations and categories are served from memory, and a seed load never leaves them stale:
at once for changes made through the bot's own database, within the TTL for another process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.reference import TTL_SECONDS, ReferenceCache


async def _station(db: Database, key: str, name: str, district: str = "东区") -> int:
    async with db.transaction() as repos:
        station_id, _ = await repos.stations.upsert_station(key, name=name, district=district)
        return station_id


async def _category(db: Database, key: str) -> int:
    async with db.transaction() as repos:
        category_id, _ = await repos.stations.upsert_category(
            key, name_zh=key, name_en=key, accept_within=60, reply_within=600, escalate_after=60
        )
        return category_id


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "x.db")
    yield database
    await database.close()


async def test_a_seed_change_shows_at_once_in_this_process(db: Database) -> None:
    north = await _station(db, "north", "北站")
    await _category(db, "roads")
    async with db.read() as repos:  # now cached
        assert (await repos.stations.by_key("north")) is not None
        assert [c.key for c in await repos.stations.categories()] == ["roads"]
    await _station(db, "north", "北站（新址）")
    async with db.transaction() as repos:
        await repos.stations.deactivate_missing("categories", set())
    async with db.read() as repos:
        station = await repos.stations.get(north)
        assert station is not None and station.name == "北站（新址）"
        assert await repos.stations.categories() == []
        # retired categories stay known: old issues still name them
        assert [c.key for c in await repos.stations.all_categories()] == ["roads"]


async def test_a_transaction_sees_its_own_uncommitted_changes(db: Database) -> None:
    await _station(db, "north", "北站")
    async with db.read() as repos:
        await repos.stations.by_key("north")  # cached
    async with db.transaction() as repos:
        await repos.stations.deactivate_missing("stations", set())
        assert await repos.stations.by_key("north") is None


async def test_a_rolled_back_change_is_not_kept(db: Database) -> None:
    await _station(db, "north", "北站")
    with pytest.raises(RuntimeError):  # noqa: PT012
        async with db.transaction() as repos:
            await repos.stations.upsert_station("north", name="错误", district="东区")
            renamed = await repos.stations.by_key("north")
            assert renamed is not None and renamed.name == "错误"
            raise RuntimeError("seed failed halfway")
    async with db.read() as repos:
        station = await repos.stations.by_key("north")
        assert station is not None and station.name == "北站"


async def test_another_process_seed_shows_after_the_ttl(tmp_path: Path) -> None:
    now = [0.0]
    bot = await Database.open(tmp_path / "x.db")
    bot.reference = ReferenceCache(monotonic=lambda: now[0])
    cli = await Database.open(tmp_path / "x.db")  # e.g. `python -m bot seed FILE`
    try:
        await _station(cli, "north", "北站")
        async with bot.read() as repos:
            assert (await repos.stations.by_key("north")) is not None
        await _station(cli, "south", "南站")
        now[0] += TTL_SECONDS / 2
        async with bot.read() as repos:
            assert await repos.stations.by_key("south") is None  # still the cached list
        now[0] += TTL_SECONDS
        async with bot.read() as repos:
            station = await repos.stations.by_key("south")
            assert station is not None and station.name == "南站"
    finally:
        await cli.close()
        await bot.close()
