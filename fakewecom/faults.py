"""Fault injection: forced errcodes and slow answers, matched by the end of the API path
(shared by the fake WeCom and the fake WeChat: each gives its own error type)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

E = TypeVar("E", bound=Exception)


@dataclass
class _Failure:
    suffix: str
    errcode: int
    remaining: int
    detail: str


@dataclass
class _Delay:
    suffix: str
    seconds: float
    remaining: int | None  # None: every call


class Faults(Generic[E]):
    """Configured faults; the server consults it before answering each API call."""

    def __init__(self, error: Callable[[int, str], E]) -> None:
        self._error = error
        self._failures: list[_Failure] = []
        self._delays: list[_Delay] = []

    def fail_next(
        self, path_suffix: str, errcode: int, times: int = 1, detail: str = "injected"
    ) -> None:
        """Answer the next ``times`` calls whose path ends with ``path_suffix`` with ``errcode``."""
        self._failures.append(_Failure(path_suffix.strip("/"), errcode, times, detail))

    def delay(self, path_suffix: str, seconds: float, times: int | None = None) -> None:
        """Answer calls whose path ends with ``path_suffix`` only after ``seconds``
        (the next ``times`` calls, or every call while ``times`` is None)."""
        self._delays.append(_Delay(path_suffix.strip("/"), seconds, times))

    def clear(self) -> None:
        self._failures.clear()
        self._delays.clear()

    def delay_for(self, path: str) -> float:
        total = 0.0
        for slow in list(self._delays):
            if path.endswith(slow.suffix):
                total += slow.seconds
                if slow.remaining is not None:
                    slow.remaining -= 1
                    if slow.remaining <= 0:
                        self._delays.remove(slow)
        return total

    def failure_for(self, path: str) -> E | None:
        for failure in self._failures:
            if path.endswith(failure.suffix):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return self._error(failure.errcode, failure.detail)
        return None
