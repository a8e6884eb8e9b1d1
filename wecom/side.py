"""WeCom ⇄ the core: callbacks become neutral inputs for the engine and the desk; their
replies go back as texts and cards.

A callback is recorded in the platform inbox before it is acknowledged, then handled in the
background, one member at a time and in order. A crash loses nothing: unhandled rows are
handled at the next start, and the inbox row id is the update number the engine uses to
recognise what a crash had already applied.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict
from typing import Any

from bot import views
from bot.actor import Actor
from bot.callbacks import PromptPress, ReportPress
from bot.clock import Clock
from bot.config import Settings
from bot.conversation import Location, Photo, Text
from bot.conversation.desk import say
from bot.errors import DomainError
from bot.messages import Reply
from bot.models import Channel, Inbound, Lang
from bot.ports import DeliveryError, RetryLater
from bot.services import Services
from bot.services.inbox import InboxWorker
from bot.texts import plain
from wecom.callback import CallbackEndpoint
from wecom.client import WeComClient
from wecom.commands import MENU, command_of
from wecom.crypto import CallbackCrypto
from wecom.inbound import WeComEvent
from wecom.messenger import PhotoSource, WeComMessenger

log = logging.getLogger(__name__)

# an invite's code, as the invite message shows it (or as a Telegram deep link's payload)
INVITE = re.compile(r"(?:/start\s+)?inv_([A-Za-z0-9_-]{8,64})")


class WeComSide:
    def __init__(
        self,
        settings: Settings,
        services: Services,
        clock: Clock,
        photos: PhotoSource | None = None,
    ) -> None:
        assert settings.wecom_corp_id is not None and settings.wecom_agent_id is not None
        assert settings.wecom_secret is not None and settings.wecom_token is not None
        assert settings.wecom_aes_key is not None
        self.settings = settings
        self.services = services
        self.client = WeComClient(
            settings.wecom_api_base_url,
            settings.wecom_corp_id,
            settings.wecom_secret.get_secret_value(),
            settings.wecom_agent_id,
            clock.now,
        )
        crypto = CallbackCrypto(
            settings.wecom_token.get_secret_value(),
            settings.wecom_aes_key.get_secret_value(),
            settings.wecom_corp_id,
            clock.now,
        )
        self.endpoint = CallbackEndpoint(crypto, self.receive, path=settings.wecom_path)
        self.messenger = WeComMessenger(self.client, services.platform, clock.now, photos)
        self.inbox = InboxWorker(services.platform, Channel.WECOM, self._inbound)

    # -- life ------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.endpoint.start(self.settings.wecom_listen, self.settings.wecom_port)
        await self.inbox.resume()  # what a crash left unhandled, in order
        try:
            await self.client.create_menu(MENU)
        except DeliveryError as exc:  # the app works without its menu (commands by text)
            log.warning("WeCom menu not set: %s", exc)
        log.info("WeCom callback listening on port %d", self.endpoint.port)

    async def stop_receiving(self) -> None:
        """Take no more callbacks (WeCom retries what it could not deliver)."""
        await self.endpoint.stop()

    async def stop(self) -> None:
        await self.endpoint.stop()
        await self.inbox.stop()
        await self.client.close()

    async def idle(self) -> None:
        """Wait until every received callback was handled (tests, the demo)."""
        await self.inbox.idle()

    # -- inbound ---------------------------------------------------------------------------
    async def receive(self, event: WeComEvent) -> None:
        """Record the callback (before WeCom hears 200); a repeat of one recorded is ignored."""
        payload = json.dumps(asdict(event), ensure_ascii=False)
        await self.inbox.record(event.key, event.userid, payload, event.create_time)

    async def _inbound(self, inbound: Inbound) -> None:
        await self._apply(WeComEvent(**json.loads(inbound.payload)), inbound.id)

    async def _apply(self, event: WeComEvent, seq: int) -> None:
        if event.kind in ("enter", "other"):
            return
        invite = INVITE.fullmatch(event.text.strip()) if event.kind == "text" else None
        if invite is not None:
            await self._redeem(event.userid, invite.group(1))
            return
        actor = await self.services.platform.identify(Channel.WECOM, event.userid)
        if actor is None:
            text = "\n\n".join(plain(lang, "wecom.unknown_member") for lang in Lang)
            await self._safely(self.messenger.text(event.userid, text))
            return
        engine = self.services.conversations
        if engine.redelivered(actor, seq, Channel.WECOM):
            return
        engine.applying(actor, seq, Channel.WECOM)
        pressed = 0
        if event.kind == "press":
            pressed, replies = await self._pressed(actor, event, seq)
        elif event.kind == "menu":
            replies = await self._command(actor, event.event_key, seq)
        elif event.kind == "text":
            replies = await self._text(actor, event.text.strip(), seq)
        elif event.kind == "location" and actor.awaiting is not None:
            where = Location(seq=seq, lat=event.lat, lon=event.lon)
            replies = await engine.message(actor, where) or []
        elif event.kind == "image":
            replies = await self._image(actor, event, seq)
        else:
            replies = [say(actor.lang, "unknown.text")]
        await self._render(actor, event, replies, pressed)

    async def _image(self, actor: Actor, event: WeComEvent, seq: int) -> list[Reply]:
        """A picture while something waits for one (a unit's photos of the result): kept
        here, since WeCom's media expire after 3 days, and given to what waits."""
        if actor.awaiting is None:
            return [say(actor.lang, "wecom.no_images")]
        try:
            data = await self.client.download(event.media_id)
        except DeliveryError as exc:
            log.warning("WeCom image not fetched: %s", exc)
            return [say(actor.lang, "wecom.no_images")]
        ref = await self.services.platform.keep_photo(Channel.WECOM, data)
        photo = Photo(seq=seq, file_id=ref, caption=None)
        replies = await self.services.conversations.message(actor, photo)
        return replies if replies is not None else [say(actor.lang, "wecom.no_images")]

    async def _redeem(self, userid: str, token: str) -> None:
        """An invite's code sent to the app binds this WeCom member to the invited person."""
        try:
            bound = await self.services.invites.redeem_wecom(userid, token)
        except DomainError as exc:
            await self._safely(self.messenger.text(userid, plain(Lang.ZH, exc.key or "inv.bad")))
            return
        lang = bound.person.language
        text = plain(
            lang,
            "inv.bound",
            station=bound.place,
            role=plain(lang, f"inv.role_{bound.role}"),
            name=bound.person.name,
        )
        await self._safely(self.messenger.text(userid, f"{text}\n\n{plain(lang, 'wecom.help')}"))

    async def _pressed(self, actor: Actor, event: WeComEvent, seq: int) -> tuple[int, list[Reply]]:
        """A card button: the card must be one sent to this member."""
        platform = self.services.platform
        card = await platform.by_handle(Channel.WECOM, event.task_id)
        if card is None or card.address != event.userid:
            return 0, [Reply(op="popup", text=plain(actor.lang, "error.stale_button"))]
        return card.id, await self._press(actor, event.event_key, seq, card.id)

    async def _press(self, actor: Actor, data: str, seq: int, pressed: int | None) -> list[Reply]:
        services = self.services
        if ReportPress.unpack(data) is not None or PromptPress.unpack(data) is not None:
            return await services.conversations.press(actor, data, seq, pressed)
        if services.desk.handles(data):
            return await services.desk.press(actor, data, seq)
        if services.counter.handles(data):  # /lang's choice, or a resident's button
            return await services.counter.press(actor, data, seq)
        return [Reply(op="popup", text=plain(actor.lang, "error.stale_button"))]

    async def _text(self, actor: Actor, text: str, seq: int) -> list[Reply]:
        command = command_of(text)
        if command is not None:
            return await self._command(actor, command, seq)
        userid = actor.person.wecom_userid or ""
        chosen = await self.services.platform.chosen(Channel.WECOM, userid, text)
        if chosen == "":
            return [say(actor.lang, "choice.none")]
        if chosen is not None:  # an answer to the latest numbered list
            return await self._press(actor, chosen, seq, None)
        if actor.awaiting is not None:
            replies = await self.services.conversations.message(actor, Text(seq=seq, text=text))
            if replies is not None:
                return replies
        return [say(actor.lang, "unknown.text"), say(actor.lang, "wecom.help")]

    async def _command(self, actor: Actor, name: str, seq: int) -> list[Reply]:
        services = self.services
        replies = await services.conversations.command(actor, name, seq)
        desk = services.desk
        if name in ("start", "help"):
            return [*replies, say(actor.lang, "wecom.help")]
        if name == "tasks":
            return replies + await desk.tasks(actor)
        if name == "overdue":
            return replies + await desk.overdue(actor)
        if name == "patrol":
            return replies + await desk.patrol(actor)
        if name == "channel":
            return replies + desk.channel(actor)
        if name == "hotspots":
            return replies + await desk.hotspots(actor)
        if name == "suggestions":
            return replies + await desk.suggestions(actor)
        if name == "cancel":
            return replies + await services.conversations.cancel(actor, seq)
        if name == "lang":
            return [*replies, Reply(op="send", message=views.lang_choice(actor.lang))]
        return [*replies, say(actor.lang, "unknown.command"), say(actor.lang, "wecom.help")]

    # -- outbound --------------------------------------------------------------------------
    async def _render(
        self, actor: Actor, event: WeComEvent, replies: list[Reply], pressed: int
    ) -> None:
        """Show the replies in order. A press's fresh code allows one change of the pressed
        card: a passing note or a dropped choice greys its buttons, a replacement replaces
        it; anything else is a new message."""
        code = event.response_code if pressed else ""
        try:
            code = await self._show(actor, event, replies, pressed, code)
        finally:
            if code:  # not needed now: a later change of that card may use it
                await self.services.platform.new_code(Channel.WECOM, event.task_id, code)

    async def _show(
        self, actor: Actor, event: WeComEvent, replies: list[Reply], pressed: int, code: str
    ) -> str:
        """Show the replies; returns the press's code when it was left unused."""
        userid, lang = event.userid, actor.lang
        messenger = self.messenger
        for index, reply in enumerate(replies):
            try:
                if reply.op in ("popup", "drop"):
                    label = reply.text if reply.op == "popup" else plain(lang, "wecom.done")
                    if code and (reply.op == "drop" or not reply.alert):
                        greyed = await messenger.grey(userid, pressed, code, label)
                        code = ""
                        if greyed and reply.op == "drop":
                            continue
                        if greyed and len(label) <= 10:
                            continue
                    if reply.op == "popup" and reply.text:
                        await messenger.text(userid, reply.text)
                    continue
                message = reply.message
                if message is None:
                    continue
                if reply.op == "replace" and code:
                    changed = await messenger.update(userid, lang, pressed, message, code=code)
                    code = ""
                    if changed:
                        continue
                elif (
                    reply.op == "edit"
                    and reply.target
                    and await messenger.update(userid, lang, reply.target, message)
                ):
                    continue
                await messenger.deliver(userid, lang, message)
            except RetryLater:
                # WeCom asks us to slow down: the rest goes through the outbox, in order
                rest = [r.message for r in replies[index:] if r.message is not None]
                await self.services.platform.queue(actor, rest)
                return code
            except DeliveryError as exc:
                log.warning("WeCom reply not delivered: %s", exc)
                return code
        return code

    async def _safely(self, call: Any) -> None:
        try:
            await call
        except DeliveryError as exc:
            log.warning("WeCom reply not delivered: %s", exc)
