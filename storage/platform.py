"""What adapters of callback platforms (WeCom) keep: the inbox of callbacks, their
interactive messages, and numbered choices waiting for a typed number."""

from __future__ import annotations

import json

from bot.models import Channel, Inbound, PlatformMessage, Window
from storage._base import Repo

_MESSAGE = "id, channel, address, handle, code, code_at, sent_at"


class PlatformRepo(Repo):
    # -- inbox ---------------------------------------------------------------------------
    async def receive(
        self, channel: Channel, key: str, address: str, payload: str, now: int
    ) -> int | None:
        """Record a callback; None when this key was recorded before (a platform's retry)."""
        changed = await self._changes(
            "INSERT OR IGNORE INTO platform_inbox (channel, key, address, payload, received_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (channel.value, key, address, payload, now),
        )
        if not changed:
            return None
        return int(await self._scalar("SELECT last_insert_rowid()"))

    async def unhandled(self, channel: Channel, limit: int = 500) -> list[Inbound]:
        rows = await self._all(
            "SELECT id, channel, address, payload, received_at FROM platform_inbox "
            "WHERE done_at IS NULL AND channel = ? ORDER BY id LIMIT ?",
            (channel.value, limit),
        )
        return [Inbound.model_validate(dict(r)) for r in rows]

    async def handled(self, inbound_id: int, now: int) -> None:
        await self._exec(
            "UPDATE platform_inbox SET done_at = ? WHERE id = ? AND done_at IS NULL",
            (now, inbound_id),
        )

    async def forget_handled(self, before: int) -> int:
        return await self._changes(
            "DELETE FROM platform_inbox WHERE done_at IS NOT NULL AND done_at < ?", (before,)
        )

    # -- interactive messages -------------------------------------------------------------
    async def sent(
        self, channel: Channel, address: str, handle: str, code: str | None, now: int
    ) -> int:
        return await self._exec(
            "INSERT INTO platform_messages (channel, address, handle, code, code_at, sent_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (channel.value, address, handle, code, now if code else None, now),
        )

    async def message(self, message_id: int) -> PlatformMessage | None:
        row = await self._one(
            f"SELECT {_MESSAGE} FROM platform_messages WHERE id = ?", (message_id,)
        )
        return PlatformMessage.model_validate(dict(row)) if row else None

    async def by_handle(self, channel: Channel, handle: str) -> PlatformMessage | None:
        row = await self._one(
            f"SELECT {_MESSAGE} FROM platform_messages WHERE channel = ? AND handle = ?",
            (channel.value, handle),
        )
        return PlatformMessage.model_validate(dict(row)) if row else None

    async def new_code(self, channel: Channel, handle: str, code: str, now: int) -> None:
        """A press brought a fresh code for this message (the platform's single-use key)."""
        await self._exec(
            "UPDATE platform_messages SET code = ?, code_at = ? WHERE channel = ? AND handle = ?",
            (code, now, channel.value, handle),
        )

    async def code_used(self, message_id: int) -> None:
        await self._exec(
            "UPDATE platform_messages SET code = NULL, code_at = NULL WHERE id = ?", (message_id,)
        )

    # -- numbered choices ----------------------------------------------------------------
    async def offer(self, channel: Channel, address: str, options: list[str], now: int) -> None:
        await self._exec(
            "INSERT INTO platform_choices (channel, address, options, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(channel, address) DO UPDATE SET "
            "options = excluded.options, created_at = excluded.created_at",
            (channel.value, address, json.dumps(options), now),
        )

    async def offered(self, channel: Channel, address: str) -> tuple[list[str], int] | None:
        row = await self._one(
            "SELECT options, created_at FROM platform_choices WHERE channel = ? AND address = ?",
            (channel.value, address),
        )
        if row is None:
            return None
        return [str(o) for o in json.loads(row["options"])], int(row["created_at"])

    # -- reply windows -------------------------------------------------------------------
    async def window(self, channel: Channel, address: str) -> Window:
        row = await self._one(
            "SELECT message_until, message_left, event_until, event_left FROM platform_windows "
            "WHERE channel = ? AND address = ?",
            (channel.value, address),
        )
        return Window.model_validate(dict(row)) if row else Window()

    async def set_window(self, channel: Channel, address: str, window: Window) -> None:
        await self._exec(
            "INSERT INTO platform_windows (channel, address, message_until, message_left, "
            "event_until, event_left) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(channel, address) DO UPDATE SET message_until = excluded.message_until, "
            "message_left = excluded.message_left, event_until = excluded.event_until, "
            "event_left = excluded.event_left",
            (
                channel.value,
                address,
                window.message_until,
                window.message_left,
                window.event_until,
                window.event_left,
            ),
        )

    # -- photos kept here ------------------------------------------------------------------
    async def keep_photo(self, channel: Channel, data: bytes, now: int) -> int:
        return await self._exec(
            "INSERT INTO photos (channel, data, created_at) VALUES (?, ?, ?)",
            (channel.value, data, now),
        )

    async def photo(self, photo_id: int) -> bytes | None:
        value = await self._scalar("SELECT data FROM photos WHERE id = ?", (photo_id,))
        return None if value is None else bytes(value)
