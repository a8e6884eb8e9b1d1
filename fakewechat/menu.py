"""Validation of the custom menu (``menu/create``) and lookup of its click keys."""

from __future__ import annotations

from typing import Any

from fakewechat.models import WeChatError

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
        "media_id",
        "view_limited",
        "article_id",
        "article_view_limited",
        "miniprogram",
    }
)
KEYED = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
TOP_NAME_LIMIT = 16  # bytes
SUB_NAME_LIMIT = 60
KEY_LIMIT = 128
URL_LIMIT = 1024


def _size(value: Any) -> int:
    return len(str(value).encode("utf-8"))


def _text(button: dict[str, Any], key: str) -> bool:
    value = button.get(key)
    return isinstance(value, str) and bool(value)


def _url(button: dict[str, Any], sub: bool, needed: bool) -> None:
    url = button.get("url")
    if url is None and not needed:
        return
    if not isinstance(url, str) or not url or _size(url) > URL_LIMIT:
        raise WeChatError(40027 if sub else 40020, f"url must be 1-{URL_LIMIT} bytes")
    if not url.startswith(("http://", "https://")):
        raise WeChatError(40054 if sub else 40055, f"url {url!r} is not an http(s) URL")


def _leaf(button: dict[str, Any], sub: bool) -> None:
    """One clickable button (top level or in a sub menu)."""
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise WeChatError(
            40024 if sub else 40017, f"button type {kind!r} is not one of {sorted(BUTTON_TYPES)}"
        )
    if kind in KEYED:
        key = button.get("key")
        if not isinstance(key, str) or not key or _size(key) > KEY_LIMIT:
            raise WeChatError(40026 if sub else 40019, f"{kind} needs a key of 1-{KEY_LIMIT} bytes")
    if kind == "view":
        _url(button, sub, needed=True)
    elif kind == "miniprogram":
        if not (button.get("appid") and button.get("pagepath")):
            raise WeChatError(40058, "miniprogram button needs appid and pagepath")
        _url(button, sub, needed=True)  # the fallback page for old clients
    elif kind in ("media_id", "view_limited") and not _text(button, "media_id"):
        raise WeChatError(40007, f"{kind} button needs a media_id")
    elif kind in ("article_id", "article_view_limited") and not _text(button, "article_id"):
        raise WeChatError(40058, f"{kind} button needs an article_id")


def _name(button: dict[str, Any], sub: bool) -> str:
    name = button.get("name")
    limit = SUB_NAME_LIMIT if sub else TOP_NAME_LIMIT
    if not isinstance(name, str) or not name or _size(name) > limit:
        raise WeChatError(40025 if sub else 40018, f"button name {name!r} must be 1-{limit} bytes")
    return name


def validate_menu(body: Any) -> list[dict[str, Any]]:
    """The checked ``button`` list: 1-3 buttons, 1-5 sub buttons each, name <= 16 bytes
    (sub buttons <= 60), key <= 128 bytes, url <= 1024 bytes, one level of sub buttons."""
    if not isinstance(body, dict):
        raise WeChatError(47001, "body must be a JSON object")
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatError(40016, "button must hold 1-3 buttons")
    for button in buttons:
        if not isinstance(button, dict):
            raise WeChatError(47001, "every button must be an object")
        name = _name(button, sub=False)
        subs = button.get("sub_button")
        if subs is None:
            _leaf(button, sub=False)
            continue
        if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
            raise WeChatError(40023, f"button {name!r}: sub_button must hold 1-5 buttons")
        for sub in subs:
            if not isinstance(sub, dict):
                raise WeChatError(47001, "every sub button must be an object")
            _name(sub, sub=True)
            if "sub_button" in sub:
                raise WeChatError(40022, "only one level of sub buttons is allowed")
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
