"""Shared by the WeChat adapter tests: an injectable clock and a recording receiver."""

from __future__ import annotations

import asyncio

import pytest

from wechat.inbound import WeChatEvent

NOW = 1_700_000_000


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


class Receiver:
    """What the adapter's side does with a push, minus the storage: records it (or fails, or
    waits for ``gate``)."""

    def __init__(self) -> None:
        self.events: list[WeChatEvent] = []
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def __call__(self, event: WeChatEvent) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("database is locked")
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()
