"""Validation of ``reply_markup`` objects, with Telegram's error wording."""

from __future__ import annotations

import re
from typing import Any

from fakebot.models import ApiError, Button, bad_request

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_RE = re.compile(r"^(https?|tg|ton)://\S+$|^[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
MAX_BUTTONS = 100


def _inline_error(text: str) -> ApiError:
    return bad_request(f"can't parse inline keyboard button: {text}")


def _rows(markup: dict[str, Any], key: str, owner: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            f"can't parse {'inline ' if key == 'inline_keyboard' else ''}keyboard button: "
            f'Field "{key}" of the {owner} should be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def check_inline_keyboard(markup: Any) -> list[list[Button]]:
    """Validate an ``InlineKeyboardMarkup`` and return its buttons."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise bad_request("can't parse inline keyboard markup JSON object")
    result: list[list[Button]] = []
    for row in _rows(markup, "inline_keyboard", "InlineKeyboardMarkup"):
        buttons: list[Button] = []
        for raw in row:
            if not isinstance(raw, dict):
                raise _inline_error("InlineKeyboardButton should be an Object")
            text = raw.get("text")
            if not isinstance(text, str):
                raise _inline_error('Field "text" must be of type String')
            if not text.strip():
                raise _inline_error("Text must be non-empty")
            actions = [key for key in _INLINE_ACTIONS if key in raw and raw[key] is not None]
            if not actions:
                raise _inline_error("Text buttons are unallowed in the inline keyboard")
            if len(actions) > 1:
                raise _inline_error(f"exactly one of the fields {', '.join(actions)} must be used")
            data = raw.get("callback_data")
            if "callback_data" in actions and (
                not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64
            ):
                raise bad_request("BUTTON_DATA_INVALID")
            url = raw.get("url")
            if "url" in actions and (not isinstance(url, str) or not _URL_RE.match(url)):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
            buttons.append(Button(text=text, callback_data=data, url=url, raw=dict(raw)))
        if buttons:
            result.append(buttons)
    return result


def check_reply_keyboard(markup: dict[str, Any]) -> list[list[str]]:
    """Validate a ``ReplyKeyboardMarkup`` and return the button texts."""
    result: list[list[str]] = []
    for row in _rows(markup, "keyboard", "ReplyKeyboardMarkup"):
        texts: list[str] = []
        for raw in row:
            text = (
                raw if isinstance(raw, str) else raw.get("text") if isinstance(raw, dict) else None
            )
            if not isinstance(text, str):
                raise bad_request("can't parse keyboard button: KeyboardButton should be an Object")
            if not text.strip():
                raise bad_request("can't parse keyboard button: Text must be non-empty")
            texts.append(text)
        if texts:
            result.append(texts)
    return result


def markup_kind(markup: Any) -> str:
    """Which of the four ``reply_markup`` kinds this is: inline, reply, remove or force_reply."""
    if isinstance(markup, dict):
        if "inline_keyboard" in markup:
            return "inline"
        if "keyboard" in markup:
            return "reply"
        if markup.get("remove_keyboard") is True:
            return "remove"
        if markup.get("force_reply") is True:
            return "force_reply"
    raise bad_request("can't parse reply keyboard markup JSON object")
