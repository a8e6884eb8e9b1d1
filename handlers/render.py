"""Platform-neutral messages → Telegram objects; the only place that builds keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode

from bot.messages import Button, Keyboard, Outgoing
from bot.models import Lang
from bot.texts import plain
from bot.views import report as report_views

HTML = ParseMode.HTML


def inline(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in rows
            if row
        ]
    )


def markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    return inline(message.buttons)


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def any_markup(message: Outgoing) -> Markup | None:
    """Inline buttons, else the keyboard under the text field (one per message)."""
    if message.buttons:
        return inline(message.buttons)
    if message.keyboard is not None:
        return keyboard(message.keyboard)
    return None


def keyboard(board: Keyboard) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    if board.remove:
        return ReplyKeyboardRemove()
    rows: list[list[KeyboardButton | str]] = [list(row) for row in board.rows]
    if board.request is not None:
        button = KeyboardButton(
            board.request_label,
            request_contact=board.request == "contact",
            request_location=board.request == "location",
        )
        return ReplyKeyboardMarkup([[button], *rows], resize_keyboard=True, one_time_keyboard=True)
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def resident_menu(lang: Lang) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """The resident's persistent menu (我要反映 …), as the core describes it."""
    return keyboard(report_views.menu_keyboard(lang))


def contact_request(lang: Lang, label_key: str) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """A button that sends the person's own contact, above the resident menu."""
    return keyboard(report_views.contact_keyboard(lang, label_key))


def menu_labels(key: str) -> list[str]:
    """A menu button's label in every language (for matching what the user tapped)."""
    return [plain(lang, key) for lang in Lang]
