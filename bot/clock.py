"""The clock is injected: production uses SystemClock, tests a ManualClock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Current UTC time as unix seconds."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float | datetime = 1_790_000_000.0) -> None:
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set(self, moment: float | datetime) -> None:
        self._now = moment.timestamp() if isinstance(moment, datetime) else float(moment)


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class FastForwardClock:
    """The real time plus an offset that only grows: the demo jumps ahead to deadlines."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds
