"""Broadcast notices: composing with a preview, and the persistent, rate-limited sender.

Flow: `choose` (audience) → `compose` (text, or one photo with a caption) → preview →
`send` writes one `broadcast_recipients` row per recipient in the same transaction that
marks the broadcast 'sending' → `Broadcaster` sends them one at a time, marking each row
after the platform confirmed it. A crash repeats at most the one message in flight; at
start-up every broadcast still 'sending' resumes with the rows not yet done.

Pacing: `settings.broadcast_rate` messages per second for all broadcasts together, never
faster than one message per second to one chat; flood control (429) pauses the whole
sender for `retry_after`; blocked recipients (403) are marked blocked (people.blocked_at)
and never retried. Other failures follow the outbox's policy (bot/retrying.py): network
errors and 5xx back off per recipient within a budget; a timeout (Telegram may have
delivered) lets the notice go out at most twice, then it counts as sent with the error
'unconfirmed'.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from bot import retrying
from bot.actor import Actor
from bot.clock import Clock
from bot.config import Settings
from bot.errors import InvalidInput, NotAllowed, NotFound, WrongState
from bot.messages import Outgoing
from bot.models import (
    Awaiting,
    Broadcast,
    Lang,
    Recipient,
    Station,
    Step,
    Tally,
    language_from_code,
)
from bot.ports import Messenger, Rejected, RetryLater, Uncertain, Unreachable
from bot.services.base import Service
from bot.units import utf16_len
from bot.views import broadcasts as broadcast_views
from storage.db import Database
from storage.repos import Repos

log = logging.getLogger(__name__)

MAX_TEXT = 3500  # Telegram: 4096 UTF-16 units per message, minus the header
MAX_CAPTION = 900  # Telegram: 1024 UTF-16 units per caption, minus the header
COMPOSE_WINDOW = 3600  # a /broadcast waiting for its content expires after an hour
MAX_ATTEMPTS = retrying.MAX_ATTEMPTS  # certain failures per recipient before it failed
PROGRESS_EVERY = 2.0  # seconds between progress edits
PER_CHAT_GAP = 1.0  # seconds between two messages to one chat


@dataclass(frozen=True)
class Audience:
    kind: str  # station | district | all | deputies
    station: Station | None = None
    district: str | None = None


@dataclass(frozen=True)
class Preview:
    broadcast: Broadcast
    message: Outgoing  # the notice exactly as recipients see it (author's language)
    count: int


def _lang(value: str | None) -> Lang:
    return Lang(value) if value in ("zh", "en") else language_from_code(value)


async def _head(repos: Repos, broadcast: Broadcast) -> str:
    if broadcast.audience == "district":
        return broadcast.district or ""
    if broadcast.station_id is not None:
        station = await repos.stations.get(broadcast.station_id)
        return station.name if station else ""
    return ""


async def recipients(repos: Repos, broadcast: Broadcast) -> list[tuple[int, int, str, int | None]]:
    """(person id, chat id, language, station muted by the button) of every recipient."""
    if broadcast.audience == "deputies":
        assert broadcast.station_id is not None
        people = await repos.people.of_station(broadcast.station_id, "deputy")
        return [
            (p.id, p.telegram_id, p.language.value, None)
            for p in people
            if p.on_telegram and p.telegram_id is not None
        ]
    if broadcast.audience == "station":
        assert broadcast.station_id is not None
        rows = await repos.broadcasts.station_residents(broadcast.station_id)
    elif broadcast.audience == "district":
        rows = await repos.broadcasts.district_residents(broadcast.district or "")
    else:
        rows = await repos.broadcasts.all_residents()
    return [(pid, chat, _lang(lang).value, sid) for pid, chat, lang, sid in rows]


def allowed(actor: Actor, kind: str, station_id: int | None) -> bool:
    """Staff: their station's residents or deputies; admins: anything."""
    if actor.admin:
        return True
    return kind in ("station", "deputies") and station_id in actor.staff_at


class BroadcastService(Service):
    """What the chat handlers call; every call re-checks the actor's role."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        super().__init__(db, clock, settings)
        self._wake: asyncio.Event | None = None

    def _now(self) -> int:
        return int(self.clock.now())

    def attach(self, wake: asyncio.Event) -> None:
        """Wake `wake` (the Broadcaster's) whenever a broadcast starts."""
        self._wake = wake

    async def choose(
        self,
        actor: Actor,
        chat_id: int,
        kind: str,
        station_id: int | None = None,
        district_of: int | None = None,
    ) -> Audience:
        """Start a draft for an audience; the next message is its content."""
        async with self.db.transaction() as repos:
            station = None
            district = None
            if kind in ("station", "deputies"):
                station = await repos.stations.get(station_id or 0)
                if station is None or await repos.stations.by_key(station.key) is None:
                    raise NotFound("no such station")
            elif kind == "district":
                anchor = await repos.stations.get(district_of or 0)
                if anchor is None:
                    raise NotFound("no such district")
                district = anchor.district
            elif kind != "all":
                raise InvalidInput("audience")
            if not allowed(actor, kind, station.id if station else None):
                raise NotAllowed("not your station", key="bc.not_allowed")
            broadcast_id = await repos.broadcasts.create(
                actor.id, chat_id, kind, station.id if station else None, district, self._now()
            )
            # the author's next message is the notice
            await repos.pending.set(
                actor.id, Awaiting.BROADCAST, Step.WRITE, self._now(), ref=broadcast_id
            )
        return Audience(kind, station, district)

    async def compose(
        self, actor: Actor, body: str, photo: str | None, seq: int | None = None
    ) -> Preview:
        body = body.strip()
        limit = MAX_CAPTION if photo else MAX_TEXT
        if not body and not photo:
            raise InvalidInput("empty", key="bc.empty")
        length = utf16_len(body)  # as Telegram counts: an emoji is two
        if length > limit:
            raise InvalidInput("too long", key="bc.too_long", max=limit, length=length)
        async with self.db.transaction() as repos:
            draft = await repos.broadcasts.composing(actor.id, self._now() - COMPOSE_WINDOW)
            if draft is None:
                raise NotFound("no draft")
            if not allowed(actor, draft.audience, draft.station_id):
                raise NotAllowed("not your station", key="bc.not_allowed")
            await repos.broadcasts.set_content(draft.id, body, photo)
            await repos.pending.clear(actor.id, self._now(), seq)
            broadcast = await repos.broadcasts.get(draft.id)
            assert broadcast is not None
            count = len(await recipients(repos, broadcast))
            head = await _head(repos, broadcast)
        return Preview(
            broadcast,
            broadcast_views.notice(actor.lang, broadcast, head, broadcast.station_id),
            count,
        )

    async def set_control(self, broadcast_id: int, message_id: int) -> None:
        async with self.db.transaction() as repos:
            await repos.broadcasts.set_control(broadcast_id, message_id)

    async def _owned(self, repos: Repos, actor: Actor, broadcast_id: int) -> Broadcast:
        broadcast = await repos.broadcasts.get(broadcast_id)
        if broadcast is None:
            raise NotFound("no such broadcast")
        if broadcast.author_id != actor.id or not allowed(
            actor, broadcast.audience, broadcast.station_id
        ):
            raise NotAllowed("not yours", key="bc.not_allowed")
        return broadcast

    async def send(self, actor: Actor, broadcast_id: int, message_id: int | None = None) -> int:
        """发送: queue one row per recipient; returns the count. `kick()` starts sending
        (the sender also finds it on its next poll or restart)."""
        async with self.db.transaction() as repos:
            broadcast = await self._owned(repos, actor, broadcast_id)
            if broadcast.state != "preview":
                raise WrongState("not a preview", key="bc.already")
            people = await recipients(repos, broadcast)
            await repos.broadcasts.add_recipients(broadcast.id, people)
            if message_id is not None and broadcast.control_id is None:
                await repos.broadcasts.set_control(broadcast.id, message_id)
            await repos.broadcasts.set_state(broadcast.id, "sending", self._now())
        return len(people)

    def kick(self) -> None:
        """Start sending now (after `send` and the first progress line are in place)."""
        if self._wake is not None:
            self._wake.set()

    async def cancel(self, actor: Actor, broadcast_id: int) -> None:
        async with self.db.transaction() as repos:
            broadcast = await self._owned(repos, actor, broadcast_id)
            if broadcast.state not in ("composing", "preview"):
                raise WrongState("already sent", key="bc.already")
            await repos.broadcasts.set_state(broadcast.id, "cancelled", self._now())

    async def cancel_draft(self, actor: Actor, seq: int | None = None) -> bool:
        """/cancel (or another command) while composing: drop the draft."""
        async with self.db.transaction() as repos:
            draft = await repos.broadcasts.composing(actor.id, self._now() - COMPOSE_WINDOW)
            pending = await repos.pending.get(actor.id)
            if pending.kind is Awaiting.BROADCAST:
                await repos.pending.clear(actor.id, self._now(), seq)
            if draft is None:
                return False
            await repos.broadcasts.set_state(draft.id, "cancelled", self._now())
            return True

    async def tally(self, broadcast_id: int) -> Tally:
        async with self.db.read() as repos:
            return await repos.broadcasts.tally(broadcast_id)

    # -- muting a station's notices -------------------------------------------------------
    async def set_muted(self, actor: Actor, station_id: int, muted: bool) -> Station:
        async with self.db.transaction() as repos:
            station = await repos.stations.get(station_id)
            if station is None:
                raise NotFound("no such station")
            if muted:
                await repos.broadcasts.mute(actor.id, station_id, self._now())
            else:
                await repos.broadcasts.unmute(actor.id, station_id)
            return station

    async def is_muted(self, actor: Actor, station_id: int) -> bool:
        async with self.db.read() as repos:
            return await repos.broadcasts.muted(actor.id, station_id)


class Broadcaster:
    """Sends queued broadcasts; resumes unfinished ones when it starts."""

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, messenger: Messenger
    ) -> None:
        self.db = db
        self.clock = clock
        self.messenger = messenger
        self.rate = float(settings.broadcast_rate)
        self.wake_event = asyncio.Event()
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_slot = 0.0  # monotonic time of the next allowed send (whole bot)
        self._paused_until = 0.0  # flood control: nothing is sent before this
        self._last_to_chat: dict[int, float] = {}

    def wake(self) -> None:
        self.wake_event.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name="broadcasts")

    async def stop(self, grace: float = 10.0) -> None:
        """Let the message in flight finish (so it is marked), then stop."""
        self._stopping = True
        self._stop_event.set()
        self.wake_event.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        while not self._stopping:
            self.wake_event.clear()
            try:
                await self.send_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast sending failed; will retry")
                await self._sleep(2.0)
                continue
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake_event.wait(), timeout=5.0)

    async def send_pending(self) -> None:
        """Send every broadcast in state 'sending', oldest first."""
        async with self.db.read() as repos:
            queued = await repos.broadcasts.sending()
        for broadcast in queued:
            if self._stopping:
                return
            await self._send_broadcast(broadcast)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when stopping."""
        if seconds <= 0 or self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_event.wait(), timeout=seconds)

    async def _pace(self, chat_id: int) -> None:
        """Wait for the next global slot, the end of a flood pause, and this chat's gap."""
        while not self._stopping:
            now = time.monotonic()
            ready = max(
                self._next_slot,
                self._paused_until,
                self._last_to_chat.get(chat_id, 0.0) + PER_CHAT_GAP,
            )
            if ready <= now:
                self._next_slot = max(now, self._next_slot) + 1.0 / self.rate
                return
            await self._sleep(ready - now)

    async def _send_broadcast(self, broadcast: Broadcast) -> None:
        async with self.db.read() as repos:
            head = await _head(repos, broadcast)
            author = await repos.people.get(broadcast.author_id)
        author_lang = author.language if author else Lang.ZH
        began = time.monotonic()
        last_progress = began
        while not self._stopping:
            now = int(self.clock.now())
            async with self.db.read() as repos:
                due = await repos.broadcasts.due(broadcast.id, now, limit=100)
                later = None if due else await repos.broadcasts.next_retry(broadcast.id)
            if not due:
                if later is None:
                    await self._finish(broadcast, author_lang)
                    return
                await self._sleep(max(0.2, later - self.clock.now()))
                continue
            for recipient in due:
                await self._pace(recipient.chat_id)
                if self._stopping:
                    return
                await self._send_one(broadcast, recipient, head)
                if time.monotonic() - last_progress >= PROGRESS_EVERY:
                    last_progress = time.monotonic()
                    await self._progress(broadcast, author_lang)

    async def _send_one(self, broadcast: Broadcast, recipient: Recipient, head: str) -> None:
        message = broadcast_views.notice(
            _lang(recipient.lang), broadcast, head, recipient.station_id
        )
        chat = recipient.chat_id
        try:
            self._last_to_chat[chat] = time.monotonic()
            if broadcast.photo:
                await self.messenger.send_photo(chat, broadcast.photo, message)
            else:
                await self.messenger.send(chat, message)
        except Unreachable as exc:
            log.info("broadcast %s: chat %s unreachable (%s)", broadcast.id, chat, exc)
            async with self.db.transaction() as repos:
                now = int(self.clock.now())
                await repos.broadcasts.finish_recipient(recipient.id, "blocked", now, str(exc))
                await repos.people.mark_blocked(chat, now)
            return
        except Rejected as exc:
            log.error("broadcast %s: rejected for chat %s: %s", broadcast.id, chat, exc)
            await self._give_up(recipient, f"rejected: {exc}")
            return
        except RetryLater as exc:
            await self._retry(broadcast, recipient, exc)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an unexpected transport error: treat as transient
            await self._retry(broadcast, recipient, RetryLater(2.0, repr(exc)))
            return
        async with self.db.transaction() as repos:
            await repos.broadcasts.finish_recipient(recipient.id, "sent", int(self.clock.now()))
        self._trim_chats()

    async def _retry(self, broadcast: Broadcast, recipient: Recipient, exc: RetryLater) -> None:
        """A failure the policy may retry (bot/retrying.py): flood control pauses the whole
        sender, then this recipient is next again; a timeout lets the notice go out once
        more at most, then it counts as sent, unconfirmed; other failures back off."""
        why = str(exc)
        uncertain = 0
        if isinstance(exc, Uncertain):
            async with self.db.read() as repos:
                uncertain = await repos.broadcasts.uncertain(recipient.id)
        verdict = retrying.after(exc, recipient.attempts, uncertain)
        if verdict.unconfirmed:
            log.warning(
                "broadcast %s: chat %s timed out %d times; counted as sent, unconfirmed",
                broadcast.id,
                recipient.chat_id,
                retrying.COPIES,
            )
            async with self.db.transaction() as repos:
                await repos.broadcasts.finish_recipient(
                    recipient.id, "sent", int(self.clock.now()), f"unconfirmed: {why}"[:200]
                )
            return
        if not verdict.retry:
            await self._give_up(recipient, f"gave up: {why}")
            return
        if exc.flood:
            # flood control: pause everything, then carry on with this same recipient
            log.warning("broadcast %s: flood control, pausing %.1fs", broadcast.id, verdict.delay)
            self._paused_until = max(self._paused_until, time.monotonic() + verdict.delay)
            async with self.db.transaction() as repos:
                await repos.broadcasts.retry_recipient(
                    recipient.id, int(self.clock.now()), why[:200]
                )
            return
        log.warning(
            "broadcast %s: chat %s retry in %.0fs (%s)",
            broadcast.id,
            recipient.chat_id,
            verdict.delay,
            why,
        )
        async with self.db.transaction() as repos:
            await repos.broadcasts.retry_recipient(
                recipient.id,
                int(self.clock.now() + verdict.delay),
                why[:200],
                uncertain=isinstance(exc, Uncertain),
            )

    async def _give_up(self, recipient: Recipient, why: str) -> None:
        async with self.db.transaction() as repos:
            await repos.broadcasts.finish_recipient(
                recipient.id, "failed", int(self.clock.now()), why[:200]
            )

    def _trim_chats(self) -> None:
        if len(self._last_to_chat) > 10_000:
            cutoff = time.monotonic() - PER_CHAT_GAP
            self._last_to_chat = {c: s for c, s in self._last_to_chat.items() if s > cutoff}

    async def _progress(self, broadcast: Broadcast, lang: Lang) -> None:
        async with self.db.read() as repos:
            tally = await repos.broadcasts.tally(broadcast.id)
        await self._edit_control(broadcast, broadcast_views.progress(lang, tally))

    async def _finish(self, broadcast: Broadcast, lang: Lang) -> None:
        now = int(self.clock.now())
        async with self.db.transaction() as repos:
            await repos.broadcasts.set_state(broadcast.id, "done", now)
            tally = await repos.broadcasts.tally(broadcast.id)
        seconds = max(0, now - (broadcast.started_at or now))
        log.info(
            "broadcast %s done: %d sent, %d blocked, %d failed in %ss",
            broadcast.id,
            tally.sent,
            tally.blocked,
            tally.failed,
            seconds,
        )
        report = broadcast_views.report(lang, tally, seconds)
        await self._edit_control(broadcast, report)
        # the edit keeps the control message right; a new message is what tells the author
        # that a broadcast of many minutes is over (Telegram does not notify about edits)
        try:
            await self.messenger.send(broadcast.chat_id, report)
        except Exception as exc:
            log.info("broadcast %s: final report not delivered: %s", broadcast.id, exc)

    async def _edit_control(self, broadcast: Broadcast, message: Outgoing) -> None:
        async with self.db.read() as repos:
            fresh = await repos.broadcasts.get(broadcast.id)
        if fresh is None or fresh.control_id is None:
            return
        try:
            await self.messenger.edit(fresh.chat_id, fresh.control_id, message)
        except Exception as exc:  # progress is a courtesy: never stop sending for it
            log.info("broadcast %s: progress edit failed: %s", broadcast.id, exc)
