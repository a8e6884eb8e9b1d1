"""Shared glue: who sent an update, replying in their language, refusing politely."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from bot.actor import Actor
from bot.conversation.desk import help_keys
from bot.errors import DomainError
from bot.messages import Outgoing
from bot.models import Lang, language_from_code
from bot.services import Services
from bot.texts import plain, t
from handlers.render import CAPTION_LIMIT, TEXT_LIMIT, any_markup, fit

log = logging.getLogger(__name__)


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context of one update (python-telegram-bot makes one per update, shared by every
    handler group): it carries who sent the update, read from the database once."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.actor: Actor | None = None


T = TypeVar("T")


def display_name(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return ""
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip()[:64]


def forget_actor(context: Context) -> None:
    """The person behind this update changed (invite link, phone binding): read again."""
    context.actor = None


class Glue:
    """Base for the audience modules: holds the services and small helpers."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def actor(self, update: Update, context: Context) -> Actor:
        """Who sent this update, read from the database once per update."""
        if context.actor is not None:
            return context.actor
        user = update.effective_user
        assert user is not None
        context.actor = await self.services.people.identify(
            user.id, display_name(update), user.language_code
        )
        return context.actor

    async def say(
        self,
        update: Update,
        lang: Lang,
        key: str,
        reply_markup: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
        **params: object,
    ) -> Message | None:
        chat = update.effective_chat
        if chat is None:
            return None
        return await chat.send_message(t(lang, key, **params), reply_markup=reply_markup)

    async def show(
        self, update: Update, message: Outgoing, lang: Lang | None = None
    ) -> Message | None:
        """Send `message` to the update's chat: a document or a photo with the text as its
        caption, else the text; a text or caption too long for Telegram is shortened with a
        line saying so, in `lang` (default: the language of the person's Telegram)."""
        chat = update.effective_chat
        if chat is None:
            return None
        if lang is None:
            user = update.effective_user
            lang = language_from_code(user.language_code if user is not None else None)
        if message.document is not None:
            return await chat.send_document(
                InputFile(message.document.data, filename=message.document.name),
                caption=fit(message.text, CAPTION_LIMIT, lang),
                reply_markup=any_markup(message),
            )
        if message.photos:
            kept = await self.services.platform.photo(message.photos[0])
            return await chat.send_photo(
                kept if kept is not None else message.photos[0],
                caption=fit(message.text, CAPTION_LIMIT, lang),
                reply_markup=any_markup(message),
            )
        return await chat.send_message(
            fit(message.text, TEXT_LIMIT, lang), reply_markup=any_markup(message)
        )

    async def not_allowed(
        self, update: Update, actor: Actor, key: str = "not_allowed.command"
    ) -> None:
        """A command outside the person's role: a short refusal, then their help."""
        await self.say(update, actor.lang, key)
        for help_key in help_keys(actor):
            await self.say(update, actor.lang, help_key)

    async def refuse(self, update: Update, lang: Lang, error: DomainError) -> None:
        """A refused press gets a pop-up; a refused message gets a reply."""
        text = plain(lang, error.key, **error.params) if error.key else plain(lang, "error.generic")
        query = update.callback_query
        if query is not None:
            await quietly(query.answer(text[:200], show_alert=True))
        elif update.effective_chat is not None:
            await update.effective_chat.send_message(t(lang, error.key, **error.params))


# Refusals the Bot API gives for things that happen in normal use: a press answered twice
# (a redelivered update), an edit that changes nothing (a double tap), a message the person
# deleted. They are expected, so they are noted at DEBUG where they happen.
EXPECTED_REFUSALS = (
    "query is too old",
    "query id is invalid",
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
    "message to delete not found",
)


def expected_refusal(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, BadRequest) and any(r in text for r in EXPECTED_REFUSALS)


async def quietly(call: Awaitable[T]) -> T | None:
    """Run a Bot API call whose expected refusals are not errors."""
    try:
        return await call
    except BadRequest as exc:
        if not expected_refusal(exc):
            raise
        log.debug("Bot API refused as expected: %s", exc)
        return None


async def ack(query: CallbackQuery | None, text: str | None = None, alert: bool = False) -> None:
    if query is not None:
        await quietly(query.answer(text[:200] if text else None, show_alert=alert))


async def drop_buttons(query: CallbackQuery | None) -> None:
    """Remove the inline keyboard from the pressed message (its choice is made)."""
    if query is None or query.message is None:
        return
    # a message without buttons (or one Telegram no longer shows) has nothing to drop;
    # editing it anyway is a 400 "message is not modified"
    if not isinstance(query.message, Message) or query.message.reply_markup is None:
        return
    await quietly(query.edit_message_reply_markup(None))
