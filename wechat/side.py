"""WeChat ⇄ the core: a service account's callbacks become neutral inputs for the engine and
the residents' counter; their replies go back as customer-service messages.

A callback is recorded in the platform inbox before WeChat hears "success", then handled in
the background, one follower at a time and in order; what a crash left unhandled is handled
at the next start, and the inbox row id is the update number the engine uses to recognise
what was already applied. Whatever a follower sends opens their reply window, and what was
held for them (outside the window) is delivered then.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict

from bot import views
from bot.actor import Actor
from bot.callbacks import PromptPress, ReportPress
from bot.clock import Clock
from bot.config import Settings
from bot.conversation import Contact, Location, Photo, Text
from bot.conversation.desk import say
from bot.messages import Outgoing, Reply
from bot.models import Awaiting, Channel, Inbound, Lang
from bot.ports import DeliveryError, Held, RetryLater
from bot.services import Services
from bot.services.inbox import InboxWorker
from bot.texts import plain, t
from wechat.callback import CallbackEndpoint
from wechat.client import WeChatClient
from wechat.commands import MENU, command_of
from wechat.crypto import CallbackCrypto
from wechat.inbound import WeChatEvent
from wechat.messenger import PhotoSource, WeChatMessenger

log = logging.getLogger(__name__)

SAY = "say:"  # a msgmenu option that stands for typing its label (a keyboard button)
MESSAGES = ("text", "image", "location")  # what opens the 48-hour window (events: a minute)
RESIDENT_NAME = "微信用户"  # WeChat tells the account no names
PHONE = re.compile(r"\+?\d{7,15}")  # a number typed where Telegram would share a contact


def menu_words() -> dict[str, str]:
    """The resident menu's labels in every language → their commands."""
    words: dict[str, str] = {}
    for key, command in (
        ("menu.report", "report"),
        ("menu.my", "my"),
        ("menu.station", "station"),
        ("menu.reception", "reception"),
    ):
        for lang in Lang:
            words[plain(lang, key)] = command
    return words


class WeChatSide:
    def __init__(
        self,
        settings: Settings,
        services: Services,
        clock: Clock,
        photos: PhotoSource | None = None,
    ) -> None:
        assert settings.wechat_app_id is not None and settings.wechat_secret is not None
        assert settings.wechat_token is not None and settings.wechat_aes_key is not None
        self.settings = settings
        self.services = services
        self.client = WeChatClient(
            settings.wechat_api_base_url,
            settings.wechat_app_id,
            settings.wechat_secret.get_secret_value(),
            clock.now,
        )
        crypto = CallbackCrypto(
            settings.wechat_token.get_secret_value(),
            settings.wechat_aes_key.get_secret_value(),
            settings.wechat_app_id,
            clock.now,
        )
        self.endpoint = CallbackEndpoint(crypto, self.receive, path=settings.wechat_path)
        self.words = menu_words()
        self.messenger = WeChatMessenger(
            self.client,
            services.platform,
            settings,
            clock.now,
            photos,
            menu_labels=frozenset(self.words),
        )
        self.inbox = InboxWorker(services.platform, Channel.WECHAT, self._inbound)
        self.wake: Callable[[], None] | None = None  # the outbox sender's (set by the app)

    # -- life ------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.endpoint.start(self.settings.wechat_listen, self.settings.wechat_port)
        await self.inbox.resume()  # what a crash left unhandled, in order
        try:
            await self.client.create_menu(MENU)
        except DeliveryError as exc:  # the account works without its menu (words work)
            log.warning("WeChat menu not set: %s", exc)
        log.info("WeChat callback listening on port %d", self.endpoint.port)

    async def stop_receiving(self) -> None:
        await self.endpoint.stop()

    async def stop(self) -> None:
        await self.endpoint.stop()
        await self.inbox.stop()
        await self.client.close()

    async def idle(self) -> None:
        """Wait until every received callback was handled (tests, the demo)."""
        await self.inbox.idle()

    # -- inbound ---------------------------------------------------------------------------
    async def receive(self, event: WeChatEvent) -> None:
        """Record the callback (before WeChat hears "success"); a repeat is ignored."""
        if event.kind in ("template_done", "other"):
            return  # nothing to do: not worth a row
        payload = json.dumps(asdict(event), ensure_ascii=False)
        await self.inbox.record(event.key, event.openid, payload, event.create_time)

    async def _inbound(self, inbound: Inbound) -> None:
        await self._apply(WeChatEvent(**json.loads(inbound.payload)), inbound.id)

    async def _apply(self, event: WeChatEvent, seq: int) -> None:
        platform = self.services.platform
        if event.kind == "unfollow":
            await platform.unfollowed(event.openid)
            return
        actor = await platform.follower(event.openid, RESIDENT_NAME)
        engine = self.services.conversations
        if engine.redelivered(actor, seq, Channel.WECHAT):
            return
        engine.applying(actor, seq, Channel.WECHAT)
        # the window this input opens (after a crash, it was opened already: harmless)
        await platform.window_opened(
            Channel.WECHAT, event.openid, by_message=event.kind in MESSAGES
        )
        replies = await self._replies(actor, event, seq)
        waiting = await platform.held(Channel.WECHAT, actor.id)
        if waiting and replies == [say(actor.lang, "unknown.text")]:
            replies = []  # they wrote to get what waited for them
        await self._show(actor, event.openid, replies)
        if waiting and await platform.release(Channel.WECHAT, actor.id) and self.wake:
            self.wake()  # the outbox sender delivers them now, in order

    async def _replies(self, actor: Actor, event: WeChatEvent, seq: int) -> list[Reply]:
        counter = self.services.counter
        engine = self.services.conversations
        if event.kind in ("follow", "scan"):
            replies = await engine.command(actor, "start", seq)
            return replies + await counter.welcome(actor, event.scene)
        if event.kind == "click":
            return await self._command(actor, event.event_key, seq)
        if event.kind == "text" and event.menu_id:
            if event.menu_id.startswith(SAY):
                return await self._text(actor, event.menu_id[len(SAY) :], seq)
            return await self._press(actor, event.menu_id, seq)
        if event.kind == "text":
            return await self._text(actor, event.text.strip(), seq)
        if event.kind == "location":
            if actor.awaiting is not None:
                where = Location(seq=seq, lat=event.lat, lon=event.lon)
                answered = await engine.message(actor, where)
                if answered is not None:
                    return answered
            return await counter.nearest(actor, event.lat, event.lon)
        if event.kind == "image":
            return await self._image(actor, event, seq)
        return [say(actor.lang, "unknown.text")]

    async def _image(self, actor: Actor, event: WeChatEvent, seq: int) -> list[Reply]:
        """A photo: kept here (WeChat's media expire in 3 days) and given to what waits."""
        if actor.awaiting is None:
            return [say(actor.lang, "wechat.no_photo_now")]
        try:
            data = await self.client.download(event.media_id)
        except DeliveryError as exc:
            log.warning("WeChat image not fetched: %s", exc)
            return [say(actor.lang, "wechat.photo_failed")]
        ref = await self.services.platform.keep_photo(Channel.WECHAT, data)
        replies = await self.services.conversations.message(
            actor, Photo(seq=seq, file_id=ref, caption=None)
        )
        return replies if replies is not None else [say(actor.lang, "wechat.no_photo_now")]

    async def _press(self, actor: Actor, data: str, seq: int) -> list[Reply]:
        services = self.services
        if ReportPress.unpack(data) is not None or PromptPress.unpack(data) is not None:
            return await services.conversations.press(actor, data, seq, None)
        if services.counter.handles(data):
            return await services.counter.press(actor, data, seq)
        return [Reply(op="popup", text=plain(actor.lang, "error.stale_button"))]

    async def _text(self, actor: Actor, text: str, seq: int) -> list[Reply]:
        command = command_of(text, self.words)
        if command is not None:
            return await self._command(actor, command, seq)
        openid = actor.person.wechat_openid or ""
        chosen = await self.services.platform.chosen(Channel.WECHAT, openid, text)
        if chosen == "":
            return [say(actor.lang, "choice.none")]
        if chosen is not None:  # an answer to the latest numbered list
            return await self._press(actor, chosen, seq)
        if actor.awaiting is Awaiting.REPORT and PHONE.fullmatch(text.replace(" ", "")):
            # WeChat shares no contact: on the summary the resident types their number
            own = Contact(seq=seq, phone=text.replace(" ", ""), own=True)
            shared = await self.services.conversations.message(actor, own)
            if shared is not None:
                return shared
        if actor.awaiting is not None:
            replies = await self.services.conversations.message(actor, Text(seq=seq, text=text))
            if replies is not None:
                return replies
        return [say(actor.lang, "unknown.text")]

    async def _command(self, actor: Actor, name: str, seq: int) -> list[Reply]:
        services = self.services
        engine, counter = services.conversations, services.counter
        if name == "report":
            return await engine.report(actor, seq)
        if name == "cancel":
            return await engine.cancel(actor, seq)
        replies = await engine.command(actor, name, seq)
        if name in ("start", "help"):
            return [*replies, say(actor.lang, "wechat.help")]
        if name == "my":
            return replies + await counter.my(actor)
        if name == "station":
            return replies + await counter.station(actor)
        if name == "reception":
            return replies + await counter.reception(actor)
        if name == "lang":
            return [*replies, Reply(op="send", message=views.lang_choice(actor.lang))]
        return [*replies, say(actor.lang, "unknown.command"), say(actor.lang, "wechat.help")]

    # -- outbound --------------------------------------------------------------------------
    async def _show(self, actor: Actor, openid: str, replies: list[Reply]) -> None:
        """Show the replies in order. Nothing sent can be changed on WeChat: a replacement
        is a new message, a dropped button just stays (pressing it again is refused), and a
        passing note is left out when more follows (each message counts in the window)."""
        messages: list[Outgoing] = []
        for index, reply in enumerate(replies):
            if reply.op == "drop":
                continue
            if reply.op == "popup":
                if reply.text and (reply.alert or index == len(replies) - 1):
                    messages.append(Outgoing(text=reply.text))
                continue
            message = reply.message
            if message is not None and message.keyboard and message.keyboard.request == "contact":
                # no contact button on WeChat: the number is typed
                message = Outgoing(text=t(actor.lang, "wechat.type_phone"))
            if message is not None:
                messages.append(message)
        for index, message in enumerate(messages):
            try:
                await self.messenger.deliver(openid, actor.lang, message)
            except (Held, RetryLater):
                # no room in the window (or WeChat asks to wait): the rest waits in order
                await self.services.platform.queue(actor, messages[index:], Channel.WECHAT)
                return
            except DeliveryError as exc:
                log.warning("WeChat reply not delivered: %s", exc)
                return
