"""Validate and load a seed file (the `seed` command and LIAISON_SEED at start-up)."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.clock import Clock
from bot.seed import read_seed
from storage.db import Database
from storage.seed_loader import SeedReport, load_seed

log = logging.getLogger(__name__)


async def seed_database(db: Database, path: Path, clock: Clock) -> SeedReport:
    """Read, validate (raises SeedError listing every problem) and upsert in one transaction.
    An account the seed gives to one person while the database has it bound to another does
    not stop the load: the seed wins, and each such conflict is logged in one line (keys
    only, never names, numbers or account ids)."""
    seed = read_seed(path)
    async with db.transaction() as repos:
        report = await load_seed(repos, seed, int(clock.now()))
    for line in report.conflicts:
        log.warning("seed conflict: %s", line)
    return report
