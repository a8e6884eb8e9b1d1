"""What every service is built from: the database, the clock and the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.clock import Clock
from bot.config import Settings
from bot.workdays import WorkCalendar
from storage.db import Database
from storage.repos import Repos


class Service:
    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings

    def _now(self) -> int:
        """Now, in the whole UTC seconds the database stores."""
        return int(self.clock.now())

    @asynccontextmanager
    async def _tx(self, within: Repos | None = None) -> AsyncIterator[Repos]:
        """The caller's transaction when it has one (so a conversation step and the change
        it makes commit together), else a new one."""
        if within is not None:
            yield within
            return
        async with self.db.transaction() as repos:
            yield repos

    async def deadline(self, repos: Repos, start: int, seconds: int, workdays: int | None) -> int:
        """When a duration that starts at `start` runs out: in working days (the holiday
        calendar with the seed's corrections) when it was given as "<n>wd", else seconds."""
        if not workdays:
            return start + seconds
        calendar = WorkCalendar(await repos.calendar.overrides())
        return calendar.due(start, seconds, workdays, self.settings.zone)
