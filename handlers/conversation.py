"""Telegram ⇄ the conversation engine: updates become neutral inputs, replies are rendered.

`before` runs ahead of every other message handler: a command or a menu button first puts
aside whatever was pending (then runs as usual); any other message goes to the engine when
something is pending, and on to the default handlers when not (or when the engine leaves
it to them: a location that finds stations, a contact that binds a role).
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.actor import Actor
from bot.conversation import Contact, Location, Other, Photo, Text
from bot.conversation.inputs import Message as Input
from bot.messages import Reply
from bot.models import Awaiting
from bot.services import Services
from handlers.common import Context, Glue, ack, drop_buttons, quietly
from handlers.messenger import edit_message
from handlers.render import TEXT_LIMIT, fit, markup, menu_labels


def _menu() -> frozenset[str]:
    labels: set[str] = set()
    for key in ("menu.report", "menu.my", "menu.station", "menu.reception"):
        labels.update(menu_labels(key))
    return frozenset(labels)


def to_input(update: Update) -> Input:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    seq = update.update_id
    if message.photo:
        return Photo(
            seq=seq,
            file_id=message.photo[-1].file_id,
            caption=message.caption,
            album=message.media_group_id,
        )
    if message.text is not None:
        return Text(seq=seq, text=message.text)
    if message.location is not None:
        return Location(seq=seq, lat=message.location.latitude, lon=message.location.longitude)
    if message.contact is not None:
        own = message.contact.user_id == update.effective_user.id
        return Contact(seq=seq, phone=message.contact.phone_number, own=own)
    return Other(seq=seq)


class Conversation(Glue):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.engine = services.conversations
        self.menu = _menu()
        self.report_labels = frozenset(menu_labels("menu.report"))

    async def before(self, update: Update, context: Context) -> None:
        """Every private message, before the other handlers."""
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        actor = await self.actor(update, context)
        seq = update.update_id
        if self.engine.redelivered(actor, seq):
            raise ApplicationHandlerStop
        self.engine.applying(actor, seq)
        text = message.text or ""
        if text.startswith("/") or text in self.menu:
            if text.startswith("/"):
                command = text.split()[0].split("@")[0][1:]
            else:  # a menu button: 我要反映 is /report; the others only put aside
                command = "report" if text in self.report_labels else "menu"
            await self.render(update, actor, await self.engine.command(actor, command, seq))
            return
        if actor.awaiting is None:
            return
        replies = await self.engine.message(actor, to_input(update))
        if replies is None:
            return
        await self.render(update, actor, replies)
        raise ApplicationHandlerStop

    async def before_press(self, update: Update, context: Context) -> None:
        """Every button press, before the other handlers: a redelivered one goes no further
        (it was applied and answered before a crash; Telegram takes no second answer)."""
        if update.effective_user is None:
            return
        actor = await self.actor(update, context)
        if self.engine.redelivered(actor, update.update_id):
            raise ApplicationHandlerStop
        self.engine.applying(actor, update.update_id)

    async def report(self, update: Update, context: Context) -> None:
        """/report or 我要反映."""
        actor = await self.actor(update, context)
        await self.render(update, actor, await self.engine.report(actor, update.update_id))

    async def cancel(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.render(update, actor, await self.engine.cancel(actor, update.update_id))

    async def press(self, update: Update, context: Context) -> None:
        """A button of a report draft or of a preview."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        pressed = query.message.message_id if query.message is not None else None
        replies = await self.engine.press(actor, query.data or "", update.update_id, pressed)
        await self.render(update, actor, replies)

    async def ask(self, update: Update, actor: Actor, kind: Awaiting, issue_id: int) -> None:
        await self.render(
            update, actor, await self.engine.ask(actor, kind, issue_id, update.update_id)
        )

    async def render(
        self, update: Update, actor: Actor, replies: list[Reply], *, answered: bool = False
    ) -> None:
        """Show the replies in order; a pressed button is answered exactly once (`answered`:
        the caller already did). A text too long for Telegram is shortened, with a line
        saying so (`handlers.render.fit`)."""
        query = update.callback_query
        if query is not None and not answered:
            note = next((r for r in replies if r.op == "popup"), None)
            if note is None:
                await ack(query)
            else:
                await ack(query, note.text, alert=note.alert)
        chat = update.effective_chat
        for reply in replies:
            if reply.op == "drop":
                await drop_buttons(query)
                continue
            if reply.message is None or chat is None:
                continue
            if reply.op == "buttons" and query is not None and isinstance(query.message, Message):
                await quietly(query.edit_message_reply_markup(markup(reply.message)))
                continue
            if (
                reply.op == "replace"
                and query is not None
                and isinstance(query.message, Message)
                and not reply.message.photos
            ):
                # a card that is a photo with its text as the caption changes its caption
                await quietly(
                    edit_message(
                        update.get_bot(),
                        query.message.chat_id,
                        query.message.message_id,
                        reply.message,
                        captioned=bool(query.message.photo),
                        lang=actor.lang,
                    )
                )
                continue
            if reply.op == "edit" and reply.target is not None:
                edited = await quietly(
                    update.get_bot().edit_message_text(
                        fit(reply.message.text, TEXT_LIMIT, actor.lang),
                        chat_id=chat.id,
                        message_id=reply.target,
                        reply_markup=markup(reply.message),
                    )
                )
                if edited is not None:
                    continue
            sent = await self.show(update, reply.message, actor.lang)
            if sent is not None and reply.broadcast_control is not None:
                await self.services.broadcasts.set_control(reply.broadcast_control, sent.message_id)
