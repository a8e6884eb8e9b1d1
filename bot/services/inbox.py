"""Callbacks from platforms that push (WeCom, WeChat): recorded before they are
acknowledged, then handled in the background, one account at a time and in order.

A crash loses nothing: unhandled rows are handled at the next start (`resume`). The inbox
row id is the update number the engine uses to recognise what a crash had already applied.
A platform's retry of a callback already recorded (the same key) is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.models import Channel, Inbound
from bot.services.platform import PlatformService

log = logging.getLogger(__name__)

Apply = Callable[[Inbound], Awaitable[None]]


class InboxWorker:
    def __init__(self, platform: PlatformService, channel: Channel, apply: Apply) -> None:
        self.platform = platform
        self.channel = channel
        self.apply = apply
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def record(self, key: str, address: str, payload: str, received_at: int) -> None:
        """Record one callback (the caller acknowledges it after) and handle it soon."""
        inbound_id = await self.platform.receive(self.channel, key, address, payload)
        if inbound_id is None:
            return  # recorded before: the platform's retry
        self._spawn(
            Inbound(
                id=inbound_id,
                channel=self.channel,
                address=address,
                payload=payload,
                received_at=received_at,
            )
        )

    async def resume(self) -> None:
        """Handle what a crash left unhandled, in order."""
        for inbound in await self.platform.unhandled(self.channel):
            self._spawn(inbound)

    async def idle(self) -> None:
        """Wait until every recorded callback was handled (tests, the demo)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _spawn(self, inbound: Inbound) -> None:
        name = f"{self.channel.value}:{inbound.id}"
        task = asyncio.create_task(self._handle(inbound), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, inbound: Inbound) -> None:
        lock = self._locks.setdefault(inbound.address, asyncio.Lock())
        async with lock:  # one account's inputs in the order they arrived
            try:
                await self.apply(inbound)
            except Exception:
                log.exception("%s input %d failed", self.channel.value, inbound.id)
            await self.platform.handled(inbound.id)
