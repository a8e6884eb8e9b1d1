"""What every service is built from: the database, the clock and the settings."""

from __future__ import annotations

from bot.clock import Clock
from bot.config import Settings
from storage.db import Database


class Service:
    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings

    def _now(self) -> int:
        """Now, in the whole UTC seconds the database stores."""
        return int(self.clock.now())
