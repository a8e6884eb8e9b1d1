"""Validation of template cards (``msgtype: template_card`` and card updates).

Hard errors raise :class:`WeComError` 40058 with a hint; fields WeCom would silently ignore
(unknown keys, probably typos) are returned as warnings, which the server records as
violations while still answering ``errcode 0``.
"""

from __future__ import annotations

import re
from typing import Any

from fakewecom.models import WeComError

CARD_TYPES = frozenset(
    {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
)
INTERACTIVE = frozenset({"button_interaction", "vote_interaction", "multiple_interaction"})
_NOTICE = frozenset({"text_notice", "news_notice"})
TASK_ID_RE = re.compile(r"^[0-9A-Za-z_\-@]+$")
_KNOWN_KEYS = frozenset(
    {
        "card_type",
        "source",
        "action_menu",
        "task_id",
        "main_title",
        "quote_area",
        "emphasis_content",
        "sub_title_text",
        "horizontal_content_list",
        "vertical_content_list",
        "jump_list",
        "card_action",
        "card_image",
        "image_text_area",
        "button_selection",
        "button_list",
        "checkbox",
        "select_list",
        "submit_button",
        "replace_text",
    }
)


def _bad(detail: str) -> WeComError:
    return WeComError(40058, detail)


def _size(value: Any) -> int:
    return len(str(value).encode("utf-8"))


def _text(obj: dict[str, Any], key: str, where: str, limit: int | None = None) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise _bad(f"{where}.{key} is required (non-empty string)")
    if limit is not None and _size(value) > limit:
        raise _bad(f"{where}.{key} longer than {limit} bytes")
    return value


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(f"{where} must be an object")
    return value


def _list(value: Any, where: str, low: int, high: int) -> list[Any]:
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise _bad(f"{where} must be a list of {low}-{high} items")
    return value


def check_task_id(task_id: Any) -> str:
    """A well-formed task_id (charset ``[0-9A-Za-z_\\-@]``, 1-128 bytes)."""
    if not isinstance(task_id, str) or not task_id:
        raise _bad("task_id is required for interactive cards and with action_menu")
    if len(task_id) > 128 or not TASK_ID_RE.match(task_id):
        raise _bad("task_id must be 1-128 characters of [0-9A-Za-z_-@]")
    return task_id


def _card_action(card: dict[str, Any], required: bool) -> None:
    action = card.get("card_action")
    if action is None:
        if required:
            raise _bad("card_action is required for text_notice and news_notice")
        return
    action = _obj(action, "card_action")
    kind = action.get("type")
    if kind == 1:
        _text(action, "url", "card_action", 2048)
    elif kind == 2:
        _text(action, "appid", "card_action")
    elif kind == 0 and not required:
        return
    else:
        raise _bad("card_action.type must be 1 (url) or 2 (mini program)")


def _buttons(card: dict[str, Any]) -> None:
    buttons = card.get("button_list")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
        raise _bad("button_list must hold 1-6 buttons")
    keys: set[str] = set()
    for index, raw in enumerate(buttons):
        where = f"button_list[{index}]"
        button = _obj(raw, where)
        _text(button, "text", where)
        style = button.get("style")
        if style is not None and style not in (1, 2, 3, 4):
            raise _bad(f"{where}.style must be 1-4")
        kind = button.get("type", 0)
        if kind == 0:
            key = _text(button, "key", where, 1024)
            if key in keys:
                raise _bad(f"{where}.key {key!r} is not unique in the card")
            keys.add(key)
        elif kind == 1:
            _text(button, "url", where, 2048)
        else:
            raise _bad(f"{where}.type must be 0 (callback) or 1 (url)")
    selection = card.get("button_selection")
    if selection is not None:
        selection = _obj(selection, "button_selection")
        _text(selection, "question_key", "button_selection", 1024)
        for index, option in enumerate(
            _list(selection.get("option_list"), "button_selection.option_list", 1, 10)
        ):
            option = _obj(option, f"button_selection.option_list[{index}]")
            _text(option, "id", f"button_selection.option_list[{index}]", 128)
            _text(option, "text", f"button_selection.option_list[{index}]")


def _options(value: Any, where: str, high: int) -> None:
    for index, option in enumerate(_list(value, where, 1, high)):
        option = _obj(option, f"{where}[{index}]")
        _text(option, "id", f"{where}[{index}]", 128)
        _text(option, "text", f"{where}[{index}]")


def _submit(card: dict[str, Any]) -> None:
    submit = _obj(card.get("submit_button"), "submit_button")
    _text(submit, "text", "submit_button")
    _text(submit, "key", "submit_button", 1024)


def _common(card: dict[str, Any]) -> None:
    main = _obj(card.get("main_title"), "main_title")
    _text(main, "title", "main_title")
    menu = card.get("action_menu")
    if menu is not None:
        menu = _obj(menu, "action_menu")
        for index, item in enumerate(
            _list(menu.get("action_list"), "action_menu.action_list", 1, 3)
        ):
            item = _obj(item, f"action_menu.action_list[{index}]")
            _text(item, "text", f"action_menu.action_list[{index}]")
            _text(item, "key", f"action_menu.action_list[{index}]", 1024)
    contents = card.get("horizontal_content_list")
    if contents is not None:
        for index, item in enumerate(_list(contents, "horizontal_content_list", 0, 6)):
            item = _obj(item, f"horizontal_content_list[{index}]")
            _text(item, "keyname", f"horizontal_content_list[{index}]")
    jumps = card.get("jump_list")
    if jumps is not None:
        for index, item in enumerate(_list(jumps, "jump_list", 0, 3)):
            item = _obj(item, f"jump_list[{index}]")
            _text(item, "title", f"jump_list[{index}]")
    sub = card.get("sub_title_text")
    if sub is not None and not isinstance(sub, str):
        raise _bad("sub_title_text must be a string")


def validate_card(card: Any, *, need_task_id: bool = True) -> list[str]:
    """Check a ``template_card`` object; return warnings (ignored unknown keys).

    ``need_task_id=False`` for ``update_template_card`` (the task_id may be left out there)."""
    card = _obj(card, "template_card")
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        raise _bad(f"card_type {card_type!r} is not one of {sorted(CARD_TYPES)}")
    if "task_id" in card or (need_task_id and (card_type in INTERACTIVE or "action_menu" in card)):
        check_task_id(card.get("task_id"))
    _common(card)
    _card_action(card, required=card_type in _NOTICE)
    if card_type == "button_interaction":
        _buttons(card)
    elif card_type == "vote_interaction":
        checkbox = _obj(card.get("checkbox"), "checkbox")
        _text(checkbox, "question_key", "checkbox", 1024)
        _options(checkbox.get("option_list"), "checkbox.option_list", 20)
        _submit(card)
    elif card_type == "multiple_interaction":
        for index, select in enumerate(_list(card.get("select_list"), "select_list", 1, 3)):
            select = _obj(select, f"select_list[{index}]")
            _text(select, "question_key", f"select_list[{index}]", 1024)
            _options(select.get("option_list"), f"select_list[{index}].option_list", 10)
        _submit(card)
    unknown = sorted(set(card) - _KNOWN_KEYS)
    return [f"template_card has unknown key(s) {unknown} (WeCom ignores them)"] if unknown else []
