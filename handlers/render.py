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


def resident_menu_rows(lang: Lang) -> list[list[str]]:
    return [
        [plain(lang, "menu.report"), plain(lang, "menu.my")],
        [plain(lang, "menu.station"), plain(lang, "menu.reception")],
    ]


def resident_menu(lang: Lang) -> ReplyKeyboardMarkup:
    """The resident's persistent menu (我要反映 …)."""
    return ReplyKeyboardMarkup(resident_menu_rows(lang), resize_keyboard=True, is_persistent=True)


def request_keyboard(lang: Lang, label_key: str, *, contact: bool) -> ReplyKeyboardMarkup:
    """One button that sends the user's own contact (or location) above the resident menu,
    so a person who does not use it still has the menu."""
    button = KeyboardButton(
        plain(lang, label_key), request_contact=contact, request_location=not contact
    )
    return ReplyKeyboardMarkup(
        [[button], *resident_menu_rows(lang)], resize_keyboard=True, one_time_keyboard=True
    )


def location_request(lang: Lang) -> ReplyKeyboardMarkup:
    return request_keyboard(lang, "btn.share_location", contact=False)


def menu_labels(key: str) -> list[str]:
    """A menu button's label in every language (for matching what the user tapped)."""
    return [plain(lang, key) for lang in Lang]
