"""The outbox sender: delivers queued notices, marks them sent, never loses one.

At-least-once: a row is marked sent only after the platform confirmed it, so a crash
between the two may repeat that one message, never drop it. Messages to one chat keep
their order; different chats are served concurrently.

Failures follow one policy (bot/retrying.py, shared with broadcasts): certain ones are
retried with a back-off until the message's budget is spent; a timeout (the platform may
have delivered) lets a part go out at most twice, then it counts as delivered
*unconfirmed* (`outbox.unconfirmed_at`, with `sent_at`) — the one case where a row is marked
sent without a confirmation. A message of several parts (photos, the card, a location)
resumes from the part that failed (`outbox.parts_sent`). A message the platform refuses is
tried once more as plain text; when that is refused too — or the budget is spent — the row
fails and the station's staff (else the admins) are told once, in plain words; a failed
notice of that kind is only logged. `health()` logs one line about the outbox now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping

from bot import retrying
from bot.clock import Clock
from bot.messages import Outgoing
from bot.models import Channel, Lang, Person
from bot.ports import (
    Announcer,
    Attempt,
    DeliveryError,
    Gone,
    Held,
    Messenger,
    Rejected,
    Resumable,
    RetryLater,
    Uncertain,
    Unreachable,
)
from bot.services.outbox import Notices, admins, station_staff_or_admins
from bot.texts import plain, t
from bot.units import utf16_len
from storage.db import Database
from storage.outbox import Health, QueuedItem
from storage.repos import Repos

log = logging.getLogger(__name__)

CONCURRENT_CHATS = 8
MAX_ATTEMPTS = retrying.MAX_ATTEMPTS
FAILURE_REF = "undelivered:"  # the notice to staff about row N is queued under "undelivered:N"
HEALTH_CHECK = 60.0  # seconds between two looks at the outbox's health
HEALTH_EVERY = 900.0  # the health line is logged when it changes, and at least this often
SHORT_ENOUGH = 1024  # UTF-16 units of HTML below which no text is ever shortened

# refs of notices about one issue: new:12, new:12:remind, rate:12, unit:12, unit_answer:12
_ISSUE_REF = re.compile(r"^(?:new|rate|unit|unit_answer):(\d+)(?::|$)")
_NUMBER = re.compile(r"#(\d+)")
_TAG = re.compile(r"<[^>]*>")


def issue_of(item: QueuedItem) -> int | None:
    """The issue a row is about, from its ref (a notice under another ref may be about a
    suggestion or a broadcast: its `#n` is not an issue's number)."""
    found = _ISSUE_REF.match(item.ref or item.edit_ref or "")
    return int(found.group(1)) if found else None


def why_key(error: Exception, first: Exception | None = None) -> str:
    """The catalog key saying in plain words why the platform refused a message."""
    for exc in (error, first):
        text = str(exc).lower() if exc is not None else ""
        if "too long" in text:
            return "delivery.why_too_long"
        if "parse entities" in text or "can't parse" in text or "unsupported start tag" in text:
            return "delivery.why_format"
        if "photo" in text or "file" in text or "media" in text:
            return "delivery.why_photo"
    return "delivery.why_refused"


class Deliverer:
    """Delivers each row through the messenger of its platform (`messengers`, or one
    messenger for Telegram alone). `admin_ids`: Telegram ids of admins besides the seed's,
    told about a failed message when its station has no staff."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        messenger: Messenger | Mapping[Channel, Messenger],
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.db = db
        self.clock = clock
        self.messengers: Mapping[Channel, Messenger] = (
            messenger if isinstance(messenger, Mapping) else {Channel.TELEGRAM: messenger}
        )
        self.admin_ids = admin_ids
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._paused_until = 0.0
        self._health_at = 0.0  # when to look at the outbox's health next
        self._health_logged = 0.0
        self._health_last: Health | None = None

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
                by_chat: OrderedDict[tuple[Channel, int], list[QueuedItem]] = OrderedDict()
                for item in items:
                    by_chat.setdefault((item.channel, item.chat_id), []).append(item)
                gate = asyncio.Semaphore(CONCURRENT_CHATS)

                async def serve(
                    chat_items: list[QueuedItem], gate: asyncio.Semaphore = gate
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

    async def _deliver(self, item: QueuedItem) -> bool:
        """One row: True when it is settled (sent, failed or held), False when it waits for
        a retry (and this chat's later rows with it)."""
        now = int(self.clock.now())
        messenger = self.messengers.get(item.channel)
        if messenger is None:
            log.warning("outbox %s: %s is not configured here", item.id, item.channel.value)
            await self._fail(item, f"{item.channel.value} not configured")
            return True
        attempt = Attempt(parts=item.parts_sent, handle=item.handle, lang=await self._lang(item))
        counted_part, uncertain = item.parts_sent, item.uncertain  # timeouts of that part
        unconfirmed = False
        refused: Exception | None = None  # the formatted message's refusal
        while True:
            try:
                sent: int | None = None
                if item.op == "edit":
                    if not await self._edit(item, messenger, attempt):
                        return True
                else:
                    if isinstance(messenger, Announcer):
                        async with self.db.read() as repos:
                            if await repos.outbox.held(item.channel, item.chat_id):
                                raise Held("earlier messages wait")  # none overtakes them
                    sent = await self._send(item, messenger, attempt)
                async with self.db.transaction() as repos:
                    await repos.outbox.mark_sent(item.id, now, unconfirmed=unconfirmed)
                    if item.op == "send" and item.ref and sent is not None:
                        await repos.outbox.remember(item.ref, item.chat_id, sent, item.channel)
                return True
            except Unreachable as exc:
                log.info("outbox %s: chat %s unreachable (%s)", item.id, item.chat_id, exc)
                await self._unreachable(item, now)
                return True
            except Held:
                return await self._hold(item, messenger)
            except Gone as exc:  # the person deleted the message: nothing to edit
                log.info("outbox %s: nothing to edit (%s)", item.id, exc)
                await self._fail(item, "nothing to edit")
                return True
            except Rejected as exc:
                if isinstance(messenger, Resumable) and not attempt.plain:
                    log.warning(
                        "outbox %s: refused by the platform (%s); once more as plain text",
                        item.id,
                        exc,
                    )
                    attempt.plain, refused = True, exc
                    continue
                log.error("outbox %s: refused by the platform for good: %s", item.id, exc)
                reason = f"rejected: {exc}" if refused is None else f"rejected: {refused}; {exc}"
                await self._fail(item, reason, why=why_key(exc, refused), handle=attempt.handle)
                return True
            except RetryLater as exc:
                error = exc
                if item.op == "edit" and isinstance(exc, Uncertain):
                    error = RetryLater(exc.seconds, str(exc))  # an edit repeated changes nothing
                if attempt.parts != counted_part:  # a later part failed: its own count
                    counted_part, uncertain = attempt.parts, 0
                verdict = retrying.after(error, item.attempts, uncertain)
                if verdict.unconfirmed:
                    log.warning(
                        "outbox %s: part %d to chat %s timed out %d times; counted as "
                        "delivered, unconfirmed",
                        item.id,
                        attempt.parts + 1,
                        item.chat_id,
                        retrying.COPIES,
                    )
                    attempt.parts += 1
                    counted_part, uncertain, unconfirmed = attempt.parts, 0, True
                    continue
                if not verdict.retry:
                    log.error(
                        "outbox %s: gave up after %d attempts: %s", item.id, item.attempts + 1, exc
                    )
                    await self._fail(
                        item, f"gave up: {exc}", why="delivery.why_gave_up", handle=attempt.handle
                    )
                    return True
                if error.flood:
                    self._paused_until = max(self._paused_until, self.clock.now() + verdict.delay)
                timed_out = isinstance(error, Uncertain)
                log.warning(
                    "outbox %s: %s%s; retry in %.0fs",
                    item.id,
                    exc,
                    " (it may have arrived)" if timed_out else "",
                    verdict.delay,
                )
                async with self.db.transaction() as repos:
                    await repos.outbox.retry_later(
                        item.id,
                        now + max(1, round(verdict.delay)),
                        parts_sent=attempt.parts,
                        handle=attempt.handle,
                        uncertain=uncertain + 1 if timed_out else uncertain,
                        certain=not timed_out,
                        unconfirmed_at=now if unconfirmed else None,
                    )
                return False

    async def _send(self, item: QueuedItem, messenger: Messenger, attempt: Attempt) -> int | None:
        if isinstance(messenger, Resumable):
            return await messenger.send_parts(item.chat_id, item.message, attempt)
        if attempt.parts >= 1:  # one part, which went out (unconfirmed)
            return attempt.handle
        sent = await messenger.send(item.chat_id, item.message)
        attempt.parts, attempt.handle = 1, sent
        return sent

    async def _edit(self, item: QueuedItem, messenger: Messenger, attempt: Attempt) -> bool:
        """Edit the message sent under the row's `edit_ref`; False (the row failed) when
        there is none to edit."""
        assert item.edit_ref is not None
        async with self.db.read() as repos:
            message_id = await repos.outbox.recall(item.edit_ref, item.chat_id, item.channel)
        if message_id is None:
            await self._fail(item, "nothing to edit")
            return False
        if isinstance(messenger, Resumable):
            await messenger.edit_with(item.chat_id, message_id, item.message, attempt)
        else:
            await messenger.edit(item.chat_id, message_id, item.message)
        return True

    async def _lang(self, item: QueuedItem) -> Lang:
        """The recipient's language, read only for a text long enough to be shortened (the
        line saying so is in their language)."""
        if item.person_id is None or utf16_len(item.message.text) <= SHORT_ENOUGH:
            return Lang.ZH
        async with self.db.read() as repos:
            person = await repos.people.get(item.person_id)
        return person.language if person is not None else Lang.ZH

    async def _unreachable(self, item: QueuedItem, now: int) -> None:
        async with self.db.transaction() as repos:
            station_id = await repos.outbox.station_for(issue_of(item), item.person_id)
            await repos.outbox.mark_failed(item.id, "unreachable", now, station_id)
            if item.channel is Channel.TELEGRAM:
                await repos.people.mark_blocked(item.chat_id, now)
            elif item.person_id is not None and item.channel is Channel.WECOM:
                await repos.people.mark_wecom_gone(item.person_id, now)
            elif item.person_id is not None:
                await repos.people.mark_wechat_gone(item.person_id, now)

    async def _fail(
        self, item: QueuedItem, reason: str, why: str | None = None, handle: int | None = None
    ) -> None:
        """The row failed for good. `why` (a catalog key): the platform refused it or the
        budget is spent, and the station's staff (else the admins) are told, in the same
        transaction — unless the row is itself such a notice (then it is only logged).
        `handle`: the part with the buttons went out all the same (a later part failed), so
        it is remembered for later edits."""
        now = int(self.clock.now())
        told = 0
        async with self.db.transaction() as repos:
            station_id = await repos.outbox.station_for(issue_of(item), item.person_id)
            await repos.outbox.mark_failed(item.id, reason[:200], now, station_id)
            if item.op == "send" and item.ref and handle is not None:
                await repos.outbox.remember(item.ref, item.chat_id, handle, item.channel)
            if why is not None and (item.ref or "").startswith(FAILURE_REF):
                log.error("outbox %s: a notice about an undelivered message failed too", item.id)
            elif why is not None:
                told = await self._tell(repos, item, station_id, why, now)
        if why is not None:
            log.warning("outbox %s: failed for good; %d people told", item.id, told)
        self._health_at = 0.0  # the health line says so soon

    async def _tell(
        self, repos: Repos, item: QueuedItem, station_id: int | None, why: str, now: int
    ) -> int:
        """Queue one notice to whoever runs the row's station: a message to <name> (about
        #n) could not be delivered, and why."""
        person = await repos.people.get(item.person_id) if item.person_id is not None else None
        name = (person.name if person is not None else "") or "—"
        number = issue_of(item)
        if number is None:
            found = _NUMBER.search(_TAG.sub("", item.message.text))
            number = int(found.group(1)) if found else None
        people: list[Person] = []
        if station_id is not None:
            people = await station_staff_or_admins(repos, station_id, self.admin_ids)
        people = [p for p in people if p.id != item.person_id]
        if not people:
            people = [p for p in await admins(repos, self.admin_ids) if p.id != item.person_id]

        def render(lang: Lang) -> Outgoing:
            reason = plain(lang, why)
            if number is None:
                return Outgoing(text=t(lang, "delivery.undelivered", name=name, why=reason))
            return Outgoing(
                text=t(lang, "delivery.undelivered_issue", name=name, number=number, why=reason)
            )

        told = await Notices(repos, now).send_all(people, render, ref=f"{FAILURE_REF}{item.id}")
        return len(told)

    async def _hold(self, item: QueuedItem, messenger: Messenger) -> bool:
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

    async def health(self) -> Health | None:
        """Log one line about the outbox (rows queued, held, failed and unconfirmed in the
        last 24 hours; no text of anyone's) when it changed, and every `HEALTH_EVERY`
        seconds; looks at most every `HEALTH_CHECK` seconds. Returns what it logged."""
        now = self.clock.now()
        if now < self._health_at:
            return None
        self._health_at = now + HEALTH_CHECK
        async with self.db.read() as repos:
            health = await repos.outbox.health(int(now) - 86_400)
        if health == self._health_last and now - self._health_logged < HEALTH_EVERY:
            return None
        self._health_last, self._health_logged = health, now
        level = logging.WARNING if health.failed or health.unconfirmed else logging.INFO
        log.log(level, "%s", health.line())
        return health

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Deliver forever: on wake-up, and every `poll_seconds` for retries and held notices."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)
            self._wake.clear()
            try:
                await self.deliver_due()
                await self.health()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox delivery failed; will retry")
