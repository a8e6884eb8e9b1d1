"""The core's messages on WeCom: texts, button cards, numbered choices, images; edits by
`update_template_card` while the card's single-use code is fresh, else a new message.

Outbox rows for WeCom carry the person's id as their chat id; the member's userid is looked
up here, so a changed userid in the seed applies to notices already queued.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from bot.messages import Outgoing
from bot.models import Channel, Lang
from bot.plaintext import location_line, plain_text
from bot.ports import DeliveryError, Rejected, RetryLater, Unreachable
from bot.services.platform import PlatformService
from bot.texts import plain
from wecom.client import CodeExpired, WeComClient
from wecom.render import Rendered, render

log = logging.getLogger(__name__)

# WeCom drops (does not deliver) app messages past 30 a minute or 1,000 an hour to one
# member; staying below keeps every message: the rest waits in the outbox.
PER_MINUTE = 25
PER_HOUR = 900
CODE_LIFE = 72 * 3600 - 600  # a response code allows one update within 72 h (a margin kept)
BUTTON_NAME = 10  # characters a replaced button label shows

# Photos in messages are another platform's file references (Telegram's); this fetches
# their bytes, or returns None when they cannot be had here.
PhotoSource = Callable[[str], Awaitable[bytes | None]]


class Pace:
    """Messages sent to each member in the last hour, to stay under WeCom's limits."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.sent: defaultdict[str, deque[float]] = defaultdict(deque)

    def take(self, userid: str, count: int = 1) -> None:
        """Account for `count` messages to `userid` now, or raise RetryLater (nothing sent)
        when that would pass a limit."""
        now = self.clock()
        sent = self.sent[userid]
        while sent and now - sent[0] >= 3600:
            sent.popleft()
        last_minute = [t for t in sent if now - t < 60]
        if len(last_minute) + count > PER_MINUTE and last_minute:
            raise RetryLater(max(1.0, 60 - (now - last_minute[0])), f"pace {userid}")
        if len(sent) + count > PER_HOUR and sent:
            raise RetryLater(max(1.0, 3600 - (now - sent[0])), f"pace {userid}")
        sent.extend([now] * count)


def task_id() -> str:
    """A fresh card id: WeCom wants one that was never used by the app."""
    return f"c{secrets.token_hex(12)}"


class WeComMessenger:
    def __init__(
        self,
        client: WeComClient,
        platform: PlatformService,
        clock: Callable[[], float],
        photos: PhotoSource | None = None,
    ) -> None:
        self.client = client
        self.platform = platform
        self.clock = clock
        self.photos = photos
        self.pace = Pace(clock)

    # -- the Messenger port -----------------------------------------------------------------
    async def send(self, chat_id: int, message: Outgoing) -> int:
        """Deliver to person `chat_id`; returns the id of the card carrying the buttons (0
        when there is none: nothing to change later)."""
        userid, lang = await self._member(chat_id)
        return await self.deliver(userid, lang, message)

    async def send_photo(self, chat_id: int, photo: str | bytes, message: Outgoing) -> int:
        userid, lang = await self._member(chat_id)
        if isinstance(photo, bytes):
            media = await self.client.upload_image(photo)
            await self.client.send(userid, {"msgtype": "image", "image": {"media_id": media}})
            return await self.deliver(userid, lang, message)
        return await self.deliver(userid, lang, message.model_copy(update={"photos": (photo,)}))

    async def edit(self, chat_id: int, message_id: int, message: Outgoing) -> None:
        userid, lang = await self._member(chat_id)
        if not await self.update(userid, lang, message_id, message):
            await self.deliver(userid, lang, message)

    # -- for the adapter ----------------------------------------------------------------------
    async def deliver(self, userid: str, lang: Lang, message: Outgoing) -> int:
        rendered = render(message, choose_hint=plain(lang, "choice.hint"))
        parts = len(rendered.texts) + len(rendered.photos) + (rendered.card is not None)
        self.pace.take(userid, parts + (message.location is not None))
        await self._photos(userid, lang, rendered)
        texts = list(rendered.texts)
        if message.location is not None:
            lat, lon = message.location
            texts.append(location_line(lang, lat, lon))
        for text in texts:
            await self.client.send(userid, {"msgtype": "text", "text": {"content": text}})
        if message.document is not None:  # after its caption, which says what it is
            self.pace.take(userid)
            media = await self.client.upload_file(message.document.data, message.document.name)
            await self.client.send(userid, {"msgtype": "file", "file": {"media_id": media}})
        if rendered.choices:
            await self.platform.offer(Channel.WECOM, userid, [c.data for c in rendered.choices])
        if rendered.card is None:
            return 0
        handle = task_id()
        card = {**rendered.card, "task_id": handle}
        sent = await self.client.send(userid, {"msgtype": "template_card", "template_card": card})
        return await self.platform.sent(Channel.WECOM, userid, handle, sent.response_code)

    async def update(
        self,
        userid: str,
        lang: Lang,
        message_id: int,
        message: Outgoing,
        *,
        code: str | None = None,
    ) -> bool:
        """Change card `message_id` in place (with the press's fresh `code` when there is
        one); False when WeCom no longer allows it (the caller sends anew)."""
        card = await self.platform.message(message_id) if message_id else None
        if card is None or card.address != userid:
            return False
        if code is None:
            if card.code is None or card.code_at is None:
                return False
            if self.clock() - card.code_at > CODE_LIFE:
                return False
            code = card.code
        rendered = render(message, choose_hint=plain(lang, "choice.hint"))
        try:
            if rendered.card is not None and not rendered.texts:
                new = {**rendered.card, "task_id": card.handle}
                await self.client.update_card(code, [userid], card=new)
            else:
                # without buttons the change is a note on the card (its first line); with
                # buttons and a text too long for the card, the whole message follows anew
                await self.client.update_card(code, [userid], replace_name=button_name(message))
                if rendered.card is not None:
                    await self.platform.code_used(card.id)
                    await self.deliver(userid, lang, message)
                    return True
        except CodeExpired:
            await self.platform.code_used(card.id)
            return False
        await self.platform.code_used(card.id)
        return True

    async def grey(self, userid: str, message_id: int, code: str, label: str) -> bool:
        """Replace the buttons of a pressed card by one greyed label (its choice is made)."""
        card = await self.platform.message(message_id)
        if card is None or card.address != userid:
            return False
        try:
            await self.client.update_card(code, [userid], replace_name=label[:BUTTON_NAME])
        except CodeExpired:
            return False
        finally:
            await self.platform.code_used(card.id)
        return True

    async def text(self, userid: str, text: str) -> None:
        await self.deliver(userid, Lang.ZH, Outgoing(text=text))

    # -- pieces ----------------------------------------------------------------------------
    async def _member(self, person_id: int) -> tuple[str, Lang]:
        found = await self.platform.address(Channel.WECOM, person_id)
        if found is None:
            raise Unreachable(f"person {person_id} has no WeCom account")
        return found

    async def _photos(self, userid: str, lang: Lang, rendered: Rendered) -> None:
        """Each photo as an image message (uploaded from wherever it lives); those that
        cannot be had are counted in one line."""
        missing = 0
        for ref in rendered.photos:
            data = await self._fetch(ref)
            if data is None:
                missing += 1
                continue
            try:
                media = await self.client.upload_image(data)
            except Rejected as exc:
                log.warning("photo not uploaded to WeCom: %s", exc)
                missing += 1
                continue
            payload: dict[str, Any] = {"msgtype": "image", "image": {"media_id": media}}
            await self.client.send(userid, payload)
        if missing:
            note = plain(lang, "wecom.photos_elsewhere", count=missing)
            await self.client.send(userid, {"msgtype": "text", "text": {"content": note}})

    async def _fetch(self, ref: str) -> bytes | None:
        if self.photos is None:
            return None
        try:
            return await self.photos(ref)
        except DeliveryError:
            raise
        except Exception as exc:  # a photo that cannot be fetched is reported, not fatal
            log.warning("photo not fetched for WeCom: %s", type(exc).__name__)
            return None


def button_name(message: Outgoing) -> str:
    """What a card's greyed button says after a change without buttons: the change's first
    line, short."""
    first = next((line for line in plain_text(message.text).split("\n") if line.strip()), "")
    first = first.strip()
    return first if len(first) <= BUTTON_NAME else first[: BUTTON_NAME - 1] + "…"
