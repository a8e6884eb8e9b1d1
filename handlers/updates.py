"""Concurrent update processing that keeps each chat's updates in order.

python-telegram-bot processes updates one at a time by default, so one slow database
write or one resident's long conversation makes every other chat wait. Here updates of
different chats run concurrently, while updates of the same chat run strictly in arrival
order (a FIFO lock per chat), so conversations stay consistent. A flooding chat queues
behind its own lock without taking a processing slot from anybody else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates waiting on their chat's lock hold no slot; this only bounds memory.
MAX_PENDING = 100_000


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (None: no chat, processed without ordering)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class _ChatLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `max_active` chats are processed at once; each chat in order."""

    def __init__(self, max_active: int = 64) -> None:
        super().__init__(max_concurrent_updates=MAX_PENDING)
        self._active = asyncio.BoundedSemaphore(max_active)
        self._chats: dict[int, _ChatLock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._active:
                await coroutine
            return
        entry = self._chats.get(key)
        if entry is None:
            entry = self._chats[key] = _ChatLock()
        entry.users += 1
        try:
            async with entry.lock, self._active:
                await coroutine
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._chats[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
