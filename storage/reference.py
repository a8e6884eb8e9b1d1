"""Stations and categories kept in memory: read on nearly every update, changed only by a
seed load. One query loads them all (a city has a few hundred stations)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.models import Category, Station

# A seed loaded by another process (`python -m bot seed FILE` while the bot runs) shows
# after at most this long; changes made through this process show at once.
TTL_SECONDS = 30.0


@dataclass(frozen=True)
class Reference:
    stations: dict[int, Station]  # every station, also retired ones (old issues name them)
    active_by_key: dict[str, Station]
    categories: dict[int, Category]  # every category, also retired ones
    active_categories: list[Category]  # in menu order


class ReferenceCache:
    """The loaded :class:`Reference`, dropped on expiry and whenever a write touches it.

    The generation guards against a load that read the old rows while a seed was being
    committed: such a load is used once but not kept."""

    def __init__(
        self, ttl: float = TTL_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._monotonic = monotonic
        self._value: Reference | None = None
        self._loaded_at = 0.0
        self.generation = 0

    def get(self) -> Reference | None:
        if self._value is not None and self._monotonic() - self._loaded_at < self._ttl:
            return self._value
        return None

    def keep(self, value: Reference, generation: int) -> None:
        if generation == self.generation:
            self._value = value
            self._loaded_at = self._monotonic()

    def invalidate(self) -> None:
        self.generation += 1
        self._value = None
