"""Validate and load a seed file (the `seed` command and LIAISON_SEED at start-up)."""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.seed import read_seed
from storage.db import Database
from storage.seed_loader import SeedReport, load_seed


async def seed_database(db: Database, path: Path, clock: Clock) -> SeedReport:
    """Read, validate (raises SeedError listing every problem) and upsert in one transaction."""
    seed = read_seed(path)
    async with db.transaction() as repos:
        return await load_seed(repos, seed, int(clock.now()))
