"""Button presses are checked before anything else.

In a private chat only its owner can press the buttons, so a press that claims to come from
a message in somebody else's private chat is forged: it is refused with a pop-up and goes
no further. So is a press on a message the bot can no longer see or edit (Telegram sends an
InaccessibleMessage for a deleted one): its buttons are stale. (Whether the presser may do what the button does is checked later, against the
database, by the service.)
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.models import Lang
from bot.texts import plain


async def foreign_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    chat = query.message.chat
    foreign = chat.type == ChatType.PRIVATE and chat.id != query.from_user.id
    # PTB may give an inaccessible message as a Message dated 0 (the Unix epoch)
    gone = not isinstance(query.message, Message) or query.message.date.timestamp() <= 0
    if foreign or gone:
        lang = Lang.EN if (query.from_user.language_code or "").startswith("en") else Lang.ZH
        await query.answer(plain(lang, "error.stale_button"), show_alert=True)
        raise ApplicationHandlerStop
