"""Validation of an app menu (``menu/create``) and lookup of its click keys."""

from __future__ import annotations

from typing import Any

from fakewecom.models import WeComError

BUTTON_TYPES = frozenset(
    {
        "click",
        "view",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
        "view_miniprogram",
    }
)
_KEYED = BUTTON_TYPES - {"view", "view_miniprogram"}


def _size(value: Any) -> int:
    return len(str(value).encode("utf-8"))


def _leaf(button: dict[str, Any], sub: bool) -> None:
    """One clickable button; the codes of sub buttons are the top-level codes + 7."""
    shift = 7 if sub else 0
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise WeComError(
            40017 + shift, f"button type {kind!r} is not one of {sorted(BUTTON_TYPES)}"
        )
    if kind in _KEYED:
        key = button.get("key")
        if not isinstance(key, str) or not key or _size(key) > 128:
            raise WeComError(40019 + shift, f"{kind} button needs a key of 1-128 bytes")
    if kind == "view":
        url = button.get("url")
        if not isinstance(url, str) or not url or _size(url) > 1024:
            raise WeComError(40020 + shift, "view button needs a url of 1-1024 bytes")
    if kind == "view_miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise WeComError(40058, "view_miniprogram button needs appid and pagepath")


def validate_menu(body: Any) -> list[dict[str, Any]]:
    """The checked ``button`` list: 1-3 buttons, 1-5 sub buttons each, name <= 16 bytes
    (sub buttons <= 40), key <= 128 bytes, one level of sub buttons only."""
    if not isinstance(body, dict):
        raise WeComError(47001, "body must be a JSON object")
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeComError(40016, "button must hold 1-3 buttons")
    for button in buttons:
        if not isinstance(button, dict):
            raise WeComError(40058, "every button must be an object")
        name = button.get("name")
        if not isinstance(name, str) or not name or _size(name) > 16:
            raise WeComError(40018, f"button name {name!r} must be 1-16 bytes")
        subs = button.get("sub_button")
        if subs is None:
            _leaf(button, sub=False)
            continue
        if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
            raise WeComError(40023, f"button {name!r}: sub_button must hold 1-5 buttons")
        for sub in subs:
            if not isinstance(sub, dict):
                raise WeComError(40058, "every sub button must be an object")
            sub_name = sub.get("name")
            if not isinstance(sub_name, str) or not sub_name or _size(sub_name) > 40:
                raise WeComError(40025, f"sub button name {sub_name!r} must be 1-40 bytes")
            if "sub_button" in sub:
                raise WeComError(40022, "only one level of sub buttons is allowed")
            _leaf(sub, sub=True)
    return buttons


def click_keys(buttons: list[dict[str, Any]]) -> set[str]:
    """The keys of every ``click`` button (top level and sub buttons)."""
    keys: set[str] = set()
    for button in buttons:
        for leaf in button.get("sub_button") or [button]:
            if leaf.get("type") == "click":
                keys.add(str(leaf.get("key")))
    return keys
