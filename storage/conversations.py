"""Conversation states for python-telegram-bot's persistence (kept in SQLite, not pickles)."""

from __future__ import annotations

import json

from storage._base import Repo


class ConversationRepo(Repo):
    async def all(self, name: str) -> dict[str, object]:
        rows = await self._all("SELECT key, state FROM conversations WHERE name = ?", (name,))
        return {str(r["key"]): json.loads(r["state"]) for r in rows}

    async def put(self, name: str, key: str, state: object) -> None:
        if state is None:
            await self._exec("DELETE FROM conversations WHERE name = ? AND key = ?", (name, key))
            return
        await self._exec(
            "INSERT INTO conversations (name, key, state) VALUES (?, ?, ?) "
            "ON CONFLICT(name, key) DO UPDATE SET state = excluded.state",
            (name, key, json.dumps(state)),
        )
