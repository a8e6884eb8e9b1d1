"""python-telegram-bot persistence in our SQLite database: conversation states only.

Domain data (drafts, prompts) lives in its own tables; user/chat/bot data are not used.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.db import Database


def _key_text(key: ConversationKey) -> str:
    return ":".join(str(part) for part in key)


def _key_tuple(text: str) -> ConversationKey:
    return tuple(int(part) if part.lstrip("-").isdigit() else part for part in text.split(":"))


class SQLitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self._pending: dict[tuple[str, str], object | None] = {}
        self._writer: asyncio.Task[None] | None = None

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self.db.read() as repos:
            stored = await repos.conversations.all(name)
        return {_key_tuple(k): v for k, v in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Collect the round's changes; they are written together in one transaction."""
        self._pending[(name, _key_text(key))] = new_state
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())

    async def _write_pending(self) -> None:
        await asyncio.sleep(0)  # python-telegram-bot hands over all changed keys in a row
        while self._pending:
            batch, self._pending = self._pending, {}
            async with self.db.transaction() as repos:
                for (name, key), state in batch.items():
                    await repos.conversations.put(name, key, state)

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        """At shutdown: everything collected is on disk before the database closes."""
        if self._writer is not None:
            await self._writer
        if self._pending:
            await self._write_pending()
