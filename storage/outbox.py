"""The outbox: notifications written with the change they announce, delivered after."""

from __future__ import annotations

from bot.messages import OutboxItem, Outgoing
from bot.models import Channel
from storage._base import Repo


class OutboxRepo(Repo):
    added = 0  # rows queued through this repo (the transaction wakes the sender only then)

    async def add(
        self,
        chat_id: int,
        message: Outgoing,
        now: int,
        *,
        person_id: int | None = None,
        not_before: int | None = None,
        ref: str | None = None,
        channel: Channel = Channel.TELEGRAM,
    ) -> int:
        self.added += 1
        return await self._exec(
            "INSERT INTO outbox (created_at, not_before, chat_id, person_id, op, payload, ref, "
            "channel) VALUES (?, ?, ?, ?, 'send', ?, ?, ?)",
            (
                now,
                not_before or now,
                chat_id,
                person_id,
                message.model_dump_json(),
                ref,
                channel.value,
            ),
        )

    async def add_edit(
        self,
        chat_id: int,
        edit_ref: str,
        message: Outgoing,
        now: int,
        *,
        person_id: int | None,
        channel: Channel = Channel.TELEGRAM,
    ) -> int:
        self.added += 1
        return await self._exec(
            "INSERT INTO outbox (created_at, not_before, chat_id, person_id, op, payload, edit_ref,"
            " channel) VALUES (?, ?, ?, ?, 'edit', ?, ?, ?)",
            (now, now, chat_id, person_id, message.model_dump_json(), edit_ref, channel.value),
        )

    async def due(self, now: int, limit: int = 200) -> list[OutboxItem]:
        rows = await self._all(
            "SELECT id, chat_id, person_id, op, payload, ref, edit_ref, attempts, channel, held_at "
            "FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND held_at IS NULL "
            "AND not_before <= ? ORDER BY id LIMIT ?",
            (now, limit),
        )
        return [
            OutboxItem(
                id=r["id"],
                chat_id=r["chat_id"],
                person_id=r["person_id"],
                op=r["op"],
                message=Outgoing.model_validate_json(r["payload"]),
                ref=r["ref"],
                edit_ref=r["edit_ref"],
                attempts=r["attempts"],
                channel=Channel(r["channel"]),
                held_at=r["held_at"],
            )
            for r in rows
        ]

    async def next_due_at(self) -> int | None:
        value = await self._scalar(
            "SELECT MIN(not_before) FROM outbox WHERE sent_at IS NULL AND failed IS NULL "
            "AND held_at IS NULL"
        )
        return None if value is None else int(value)

    async def mark_sent(self, item_id: int, now: int) -> None:
        await self._exec("UPDATE outbox SET sent_at = ? WHERE id = ?", (now, item_id))

    async def mark_failed(self, item_id: int, reason: str) -> None:
        await self._exec("UPDATE outbox SET failed = ? WHERE id = ?", (reason, item_id))

    async def retry_later(self, item_id: int, not_before: int) -> None:
        await self._exec(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ?",
            (not_before, item_id),
        )

    async def hold(self, item_id: int, now: int) -> None:
        """Not now: the row waits until the person opens a window again (`release`)."""
        await self._exec(
            "UPDATE outbox SET held_at = COALESCE(held_at, ?), attempts = attempts + 1 "
            "WHERE id = ?",
            (now, item_id),
        )

    async def release(self, channel: Channel, chat_id: int, now: int) -> int:
        """The person wrote: what was held for them is due now (in its order)."""
        return await self._changes(
            "UPDATE outbox SET held_at = NULL, not_before = MIN(not_before, ?) "
            "WHERE channel = ? AND chat_id = ? AND held_at IS NOT NULL "
            "AND sent_at IS NULL AND failed IS NULL",
            (now, channel.value, chat_id),
        )

    async def held(self, channel: Channel, chat_id: int) -> int:
        return int(
            await self._scalar(
                "SELECT COUNT(*) FROM outbox WHERE channel = ? AND chat_id = ? "
                "AND held_at IS NOT NULL AND sent_at IS NULL AND failed IS NULL",
                (channel.value, chat_id),
            )
            or 0
        )

    async def unsent(self) -> int:
        return int(
            await self._scalar(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
            )
            or 0
        )

    async def remember(
        self, ref: str, chat_id: int, message_id: int, channel: Channel = Channel.TELEGRAM
    ) -> None:
        await self._exec(
            "INSERT INTO message_refs (ref, channel, chat_id, message_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(ref, channel, chat_id) DO UPDATE SET message_id = excluded.message_id",
            (ref, channel.value, chat_id, message_id),
        )

    async def recall(
        self, ref: str, chat_id: int, channel: Channel = Channel.TELEGRAM
    ) -> int | None:
        value = await self._scalar(
            "SELECT message_id FROM message_refs WHERE ref = ? AND channel = ? AND chat_id = ?",
            (ref, channel.value, chat_id),
        )
        return None if value is None else int(value)
