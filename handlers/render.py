"""Platform-neutral messages → Telegram objects; the only place that builds keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode

from bot.messages import Button, Outgoing
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


def resident_menu_rows(lang: Lang) -> list[list[str]]:
    return [
        [plain(lang, "menu.report"), plain(lang, "menu.my")],
        [plain(lang, "menu.station"), plain(lang, "menu.reception")],
    ]


def resident_menu(lang: Lang) -> ReplyKeyboardMarkup:
    """The resident's persistent menu (我要反映 …)."""
    return ReplyKeyboardMarkup(resident_menu_rows(lang), resize_keyboard=True, is_persistent=True)


def location_request(lang: Lang) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(plain(lang, "btn.share_location"), request_location=True)],
            [plain(lang, "menu.report"), plain(lang, "menu.my")],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def menu_labels(key: str) -> list[str]:
    """A menu button's label in every language (for matching what the user tapped)."""
    return [plain(lang, key) for lang in Lang]
