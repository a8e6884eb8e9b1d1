"""The core's messages on the WeChat service account: customer-service messages inside the
follower's reply window, a template notice outside it.

WeChat lets the account write to a follower only after they wrote (48 hours, 5 messages) or
tapped the menu, followed or scanned (a minute, 3 messages). So every message is counted
against the follower's window before anything is sent; one that does not fit is **held**
(`Held`): the outbox keeps it until the follower writes again, and the first time the
follower gets the short template notice its summary allows ("#12 已答复，回复任意内容查看并
评价"). When they write, everything held is delivered in order.

Outbox rows for WeChat carry the person's id as their chat id; the openid is looked up here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.messages import Outgoing, Summary
from bot.models import Channel, Lang
from bot.plaintext import location_line
from bot.ports import DeliveryError, Held, Rejected, Unreachable
from bot.services.platform import PlatformService
from bot.texts import plain
from wechat.client import OutsideWindow, WeChatClient
from wechat.render import Rendered, parts, render

log = logging.getLogger(__name__)

# An issue's photo reference (a Telegram file id, or one kept in the database) → its bytes,
# or None when it cannot be had here.
PhotoSource = Callable[[str], Awaitable[bytes | None]]
TEMPLATE_VALUE = 20  # characters WeChat shows of each template value (it cuts the rest)


class WeChatMessenger:
    def __init__(
        self,
        client: WeChatClient,
        platform: PlatformService,
        settings: Settings,
        clock: Callable[[], float],
        photos: PhotoSource | None = None,
        menu_labels: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.platform = platform
        self.clock = clock
        self.photos = photos
        self.zone = ZoneInfo(settings.timezone)
        self.menu_labels = menu_labels  # the account's own menu offers these
        assert settings.wechat_template_progress is not None
        assert settings.wechat_template_reply is not None
        assert settings.wechat_template_broadcast is not None
        self.templates = {
            "progress": settings.wechat_template_progress,
            "reply": settings.wechat_template_reply,
            "broadcast": settings.wechat_template_broadcast,
        }

    # -- the Messenger port -----------------------------------------------------------------
    async def send(self, chat_id: int, message: Outgoing) -> int:
        """Deliver to person `chat_id` now, or raise Held (nothing sent) when their window
        has no room for it. Returns 0: nothing sent on WeChat can be changed later."""
        openid, lang = await self._follower(chat_id)
        await self.deliver(openid, lang, message)
        return 0

    async def send_photo(self, chat_id: int, photo: str | bytes, message: Outgoing) -> int:
        openid, lang = await self._follower(chat_id)
        if isinstance(photo, bytes):
            photo = await self.platform.keep_photo(Channel.WECHAT, photo)
        await self.deliver(openid, lang, message.model_copy(update={"photos": (photo,)}))
        return 0

    async def edit(self, chat_id: int, message_id: int, message: Outgoing) -> None:
        """WeChat changes nothing already sent: the new version is a new message."""
        await self.send(chat_id, message)

    # -- the Announcer port -------------------------------------------------------------------
    async def announce(self, chat_id: int, message: Outgoing) -> None:
        """A held message's template notice (a message without a summary just waits)."""
        if message.summary is None:
            return
        openid, _ = await self._follower(chat_id)
        summary = message.summary
        await self.client.send_template(
            openid, self.templates[summary.kind], self.template_data(summary)
        )

    def template_data(self, summary: Summary) -> dict[str, str]:
        when = datetime.fromtimestamp(self.clock(), self.zone).strftime("%Y-%m-%d %H:%M")
        return {
            "character_string1": _value(summary.subject),
            "thing2": _value(summary.what),
            "phrase3": _value(summary.state),
            "time4": when,
        }

    # -- for the adapter ----------------------------------------------------------------------
    def rendered(self, lang: Lang, message: Outgoing) -> Rendered:
        return render(
            message,
            choose_hint=plain(lang, "choice.hint"),
            tap_hint=plain(lang, "wechat.tap_hint"),
            location_hint=plain(lang, "wechat.location_hint"),
            skip_labels=self.menu_labels,
        )

    async def deliver(self, openid: str, lang: Lang, message: Outgoing) -> None:
        """Send `message` as customer-service messages, or raise Held (nothing sent) when
        the follower's window has no room for all of it."""
        rendered = self.rendered(lang, message)
        count = parts(rendered) + (message.location is not None)
        if count == 0:
            return
        if not await self.platform.take(Channel.WECHAT, openid, count):
            raise Held(f"no room for {count} message(s)")
        try:
            await self._photos(openid, lang, rendered)
            for text in rendered.texts:
                await self.client.send(openid, {"msgtype": "text", "text": {"content": text}})
            if message.location is not None:
                lat, lon = message.location
                where = location_line(lang, lat, lon)
                await self.client.send(openid, {"msgtype": "text", "text": {"content": where}})
            if rendered.choices:
                await self.platform.offer(
                    Channel.WECHAT, openid, [c.data for c in rendered.choices]
                )
            if rendered.menu is not None:
                await self.client.send(openid, {"msgtype": "msgmenu", "msgmenu": rendered.menu})
        except OutsideWindow as exc:
            # WeChat counts differently than we did (a restart, another sender): believe it
            await self.platform.used_up(Channel.WECHAT, openid)
            raise Held(str(exc)) from exc

    # -- pieces ----------------------------------------------------------------------------
    async def _follower(self, person_id: int) -> tuple[str, Lang]:
        found = await self.platform.address(Channel.WECHAT, person_id)
        if found is None:
            raise Unreachable(f"person {person_id} does not follow the service account")
        return found

    async def _photos(self, openid: str, lang: Lang, rendered: Rendered) -> None:
        """Each photo as an image message (uploaded from wherever it is kept); those that
        cannot be had are counted in one line instead."""
        missing = 0
        for ref in rendered.photos:
            data = await self._fetch(ref)
            if data is None:
                missing += 1
                continue
            try:
                media = await self.client.upload_image(data)
            except Rejected as exc:
                if isinstance(exc, OutsideWindow):
                    raise
                log.warning("photo not uploaded to WeChat: %s", exc)
                missing += 1
                continue
            await self.client.send(openid, {"msgtype": "image", "image": {"media_id": media}})
        if missing:
            note = plain(lang, "wechat.photos_elsewhere", count=missing)
            await self.client.send(openid, {"msgtype": "text", "text": {"content": note}})

    async def _fetch(self, ref: str) -> bytes | None:
        if self.photos is None:
            return None
        try:
            return await self.photos(ref)
        except DeliveryError:
            raise
        except Exception as exc:  # a photo that cannot be fetched is reported, not fatal
            log.warning("photo not fetched for WeChat: %s", type(exc).__name__)
            return None


def _value(text: str) -> str:
    """One line, at most what WeChat shows (cut with an ellipsis rather than by WeChat)."""
    line = " ".join(text.split())
    return line if len(line) <= TEMPLATE_VALUE else line[: TEMPLATE_VALUE - 1] + "…"
