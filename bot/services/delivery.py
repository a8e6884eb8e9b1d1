"""The outbox sender: delivers queued notices, marks them sent, never loses one.

At-least-once: a row is marked sent only after the platform confirmed it, so a crash
between the two may repeat that one message, never drop it. Messages to one chat keep
their order; different chats are served concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Mapping

from bot.clock import Clock
from bot.messages import OutboxItem
from bot.models import Channel
from bot.ports import (
    Announcer,
    DeliveryError,
    Held,
    Messenger,
    Rejected,
    RetryLater,
    Unreachable,
)
from storage.db import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
CONCURRENT_CHATS = 8


class Deliverer:
    """Delivers each row through the messenger of its platform (`messengers`, or one
    messenger for Telegram alone)."""

    def __init__(
        self, db: Database, clock: Clock, messenger: Messenger | Mapping[Channel, Messenger]
    ) -> None:
        self.db = db
        self.clock = clock
        self.messengers: Mapping[Channel, Messenger] = (
            messenger if isinstance(messenger, Mapping) else {Channel.TELEGRAM: messenger}
        )
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._paused_until = 0.0

    def wake(self) -> None:
        """Something new is in the outbox: deliver it soon."""
        self._wake.set()

    async def deliver_due(self) -> int:
        """Deliver everything due now; returns how many were delivered."""
        async with self._lock:
            delivered = 0
            while True:
                now = self.clock.now()
                if now < self._paused_until:
                    return delivered
                async with self.db.read() as repos:
                    items = await repos.outbox.due(int(now), limit=200)
                if not items:
                    return delivered
                by_chat: OrderedDict[tuple[Channel, int], list[OutboxItem]] = OrderedDict()
                for item in items:
                    by_chat.setdefault((item.channel, item.chat_id), []).append(item)
                gate = asyncio.Semaphore(CONCURRENT_CHATS)

                async def serve(
                    chat_items: list[OutboxItem], gate: asyncio.Semaphore = gate
                ) -> int:
                    async with gate:
                        done = 0
                        for item in chat_items:
                            if not await self._deliver(item):
                                break  # keep this chat's order: the rest waits
                            done += 1
                        return done

                counts = await asyncio.gather(*(serve(v) for v in by_chat.values()))
                delivered += sum(counts)
                if sum(counts) == 0 or len(items) < 200:
                    return delivered

    async def _deliver(self, item: OutboxItem) -> bool:
        now = int(self.clock.now())
        messenger = self.messengers.get(item.channel)
        if messenger is None:
            log.warning("outbox %s: %s is not configured here", item.id, item.channel.value)
            async with self.db.transaction() as repos:
                await repos.outbox.mark_failed(item.id, f"{item.channel.value} not configured")
            return True
        try:
            if item.op == "edit":
                assert item.edit_ref is not None
                async with self.db.read() as repos:
                    message_id = await repos.outbox.recall(
                        item.edit_ref, item.chat_id, item.channel
                    )
                if message_id is None:
                    async with self.db.transaction() as repos:
                        await repos.outbox.mark_failed(item.id, "nothing to edit")
                    return True
                await messenger.edit(item.chat_id, message_id, item.message)
                async with self.db.transaction() as repos:
                    await repos.outbox.mark_sent(item.id, now)
                return True
            if isinstance(messenger, Announcer):
                async with self.db.read() as repos:
                    if await repos.outbox.held(item.channel, item.chat_id):
                        raise Held("earlier messages wait")  # none overtakes them
            message_id = await messenger.send(item.chat_id, item.message)
            async with self.db.transaction() as repos:
                await repos.outbox.mark_sent(item.id, now)
                if item.ref:
                    await repos.outbox.remember(item.ref, item.chat_id, message_id, item.channel)
            return True
        except Unreachable as exc:
            log.info("outbox %s: chat %s unreachable (%s)", item.id, item.chat_id, exc)
            async with self.db.transaction() as repos:
                await repos.outbox.mark_failed(item.id, "unreachable")
                if item.channel is Channel.TELEGRAM:
                    await repos.people.mark_blocked(item.chat_id, now)
                elif item.person_id is not None and item.channel is Channel.WECOM:
                    await repos.people.mark_wecom_gone(item.person_id, now)
                elif item.person_id is not None:
                    await repos.people.mark_wechat_gone(item.person_id, now)
            return True
        except Held:
            return await self._hold(item, messenger)
        except Rejected as exc:
            log.error("outbox %s: rejected by the platform: %s", item.id, exc)
            async with self.db.transaction() as repos:
                await repos.outbox.mark_failed(item.id, f"rejected: {exc}"[:200])
            return True
        except RetryLater as exc:
            log.warning("outbox %s: retry in %.1fs (%s)", item.id, exc.seconds, exc)
            if exc.flood:
                self._paused_until = max(self._paused_until, self.clock.now() + exc.seconds)
            async with self.db.transaction() as repos:
                if item.attempts + 1 >= MAX_ATTEMPTS:
                    await repos.outbox.mark_failed(item.id, f"gave up: {exc}"[:200])
                    return True
                await repos.outbox.retry_later(item.id, now + max(1, round(exc.seconds)))
            return False

    async def _hold(self, item: OutboxItem, messenger: Messenger) -> bool:
        """The person must write first: the message waits (and the rest of theirs with it).
        The first time, the platform's short form tells them something waits."""
        now = int(self.clock.now())
        if item.held_at is None and isinstance(messenger, Announcer):
            try:
                await messenger.announce(item.chat_id, item.message)
            except RetryLater as exc:
                async with self.db.transaction() as repos:
                    await repos.outbox.retry_later(item.id, now + max(1, round(exc.seconds)))
                return False
            except DeliveryError as exc:  # the full message still waits for them
                log.warning("outbox %s: not announced: %s", item.id, exc)
        async with self.db.transaction() as repos:
            await repos.outbox.hold(item.id, now)
        log.info("outbox %s: held until %s writes", item.id, item.chat_id)
        return True  # the chat's next messages are held behind it, in order

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Deliver forever: on wake-up, and every `poll_seconds` for retries and held notices."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)
            self._wake.clear()
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox delivery failed; will retry")
