"""The outbox: notifications written with the change they announce, delivered after."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import OutboxItem, Outgoing
from bot.models import Channel
from storage._base import Repo


class QueuedItem(OutboxItem):
    """A row due for delivery, with how far earlier tries got (bot/retrying.py): the parts
    the platform confirmed (a retry resumes after them), the handle of the part carrying
    the buttons once it went out, and the timeouts of the part that is next."""

    parts_sent: int = 0
    handle: int | None = None
    uncertain: int = 0


@dataclass(frozen=True)
class Health:
    """The outbox at a glance (the deliverer's health line): rows waiting to go, rows held
    for the person to write first, and rows that failed or went out unconfirmed lately."""

    queued: int
    held: int
    failed: int
    unconfirmed: int

    def line(self) -> str:
        return (
            f"outbox health: queued={self.queued} held={self.held} "
            f"failed_24h={self.failed} unconfirmed_24h={self.unconfirmed}"
        )


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
        # The message to edit may still wait (quiet hours): the edit waits with it, so that it
        # follows the message instead of finding nothing to edit.
        waiting = await self._scalar(
            "SELECT MAX(not_before) FROM outbox WHERE op = 'send' AND ref = ? AND chat_id = ? "
            "AND channel = ? AND sent_at IS NULL AND failed IS NULL",
            (edit_ref, chat_id, channel.value),
        )
        not_before = max(now, int(waiting)) if waiting is not None else now
        return await self._exec(
            "INSERT INTO outbox (created_at, not_before, chat_id, person_id, op, payload, edit_ref,"
            " channel) VALUES (?, ?, ?, ?, 'edit', ?, ?, ?)",
            (
                now,
                not_before,
                chat_id,
                person_id,
                message.model_dump_json(),
                edit_ref,
                channel.value,
            ),
        )

    async def due(self, now: int, limit: int = 200) -> list[QueuedItem]:
        rows = await self._all(
            "SELECT id, chat_id, person_id, op, payload, ref, edit_ref, attempts, channel, held_at, "
            "parts_sent, handle, uncertain "
            "FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND held_at IS NULL "
            "AND not_before <= ? ORDER BY id LIMIT ?",
            (now, limit),
        )
        return [
            QueuedItem(
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
                parts_sent=r["parts_sent"],
                handle=r["handle"],
                uncertain=r["uncertain"],
            )
            for r in rows
        ]

    async def next_due_at(self) -> int | None:
        value = await self._scalar(
            "SELECT MIN(not_before) FROM outbox WHERE sent_at IS NULL AND failed IS NULL "
            "AND held_at IS NULL"
        )
        return None if value is None else int(value)

    async def mark_sent(self, item_id: int, now: int, *, unconfirmed: bool = False) -> None:
        """Delivered: the platform confirmed it — or, `unconfirmed`, a part of it timed out
        twice and counts as delivered without a confirmation (bot/retrying.py)."""
        await self._exec(
            "UPDATE outbox SET sent_at = ?, unconfirmed_at = COALESCE(unconfirmed_at, ?) "
            "WHERE id = ?",
            (now, now if unconfirmed else None, item_id),
        )

    async def mark_failed(
        self, item_id: int, reason: str, now: int | None = None, station_id: int | None = None
    ) -> None:
        """Failed for good; `station_id`: the station whose staff were told (and whose
        /stats count it)."""
        await self._exec(
            "UPDATE outbox SET failed = ?, failed_at = ?, station_id = ? WHERE id = ?",
            (reason, now, station_id, item_id),
        )

    async def retry_later(
        self,
        item_id: int,
        not_before: int,
        *,
        parts_sent: int | None = None,
        handle: int | None = None,
        uncertain: int | None = None,
        certain: bool = True,
        unconfirmed_at: int | None = None,
    ) -> None:
        """Try again at `not_before`, resuming after `parts_sent` parts (with the `handle`
        of the card if it went out); `certain`: the failure counts against the message's
        budget of certain failures (`attempts`), else `uncertain` is the part's timeouts;
        `unconfirmed_at`: an earlier part went out unconfirmed."""
        await self._exec(
            "UPDATE outbox SET attempts = attempts + ?, not_before = ?, "
            "parts_sent = COALESCE(?, parts_sent), handle = COALESCE(?, handle), "
            "uncertain = COALESCE(?, uncertain), "
            "unconfirmed_at = COALESCE(unconfirmed_at, ?) WHERE id = ?",
            (int(certain), not_before, parts_sent, handle, uncertain, unconfirmed_at, item_id),
        )

    async def station_for(self, issue_id: int | None, person_id: int | None) -> int | None:
        """The station a message belongs to: its issue's, else its recipient's (a resident's
        station, or the first where they are deputy or staff)."""
        value = await self._scalar(
            "SELECT COALESCE("
            "(SELECT station_id FROM issues WHERE id = ?), "
            "(SELECT station_id FROM people WHERE id = ?), "
            "(SELECT station_id FROM memberships WHERE person_id = ? ORDER BY station_id LIMIT 1))",
            (issue_id, person_id, person_id),
        )
        return None if value is None else int(value)

    async def health(self, since: int) -> Health:
        row = await self._one(
            "SELECT "
            "(SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL "
            " AND held_at IS NULL), "
            "(SELECT COUNT(*) FROM outbox WHERE held_at IS NOT NULL AND sent_at IS NULL "
            " AND failed IS NULL), "
            "(SELECT COUNT(*) FROM outbox WHERE failed IS NOT NULL AND failed_at >= ?), "
            "(SELECT COUNT(*) FROM outbox WHERE unconfirmed_at >= ?)",
            (since, since),
        )
        assert row is not None
        return Health(int(row[0]), int(row[1]), int(row[2]), int(row[3]))

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

    async def carriers(self, ref: str) -> set[tuple[Channel, int]]:
        """The chats that got (or will get) a message under `ref`, in one query."""
        rows = await self._all(
            "SELECT channel, chat_id FROM message_refs WHERE ref = ? UNION "
            "SELECT channel, chat_id FROM outbox WHERE op = 'send' AND ref = ? "
            "AND sent_at IS NULL AND failed IS NULL",
            (ref, ref),
        )
        return {(Channel(r[0]), int(r[1])) for r in rows}

    async def recall(
        self, ref: str, chat_id: int, channel: Channel = Channel.TELEGRAM
    ) -> int | None:
        value = await self._scalar(
            "SELECT message_id FROM message_refs WHERE ref = ? AND channel = ? AND chat_id = ?",
            (ref, channel.value, chat_id),
        )
        return None if value is None else int(value)
