"""How residents give commands on the service account: its menu, "/my", or words such as
我的事项 (the labels of the resident menu in either language count too)."""

from __future__ import annotations

from typing import Any

COMMANDS = ("start", "help", "report", "my", "station", "reception", "cancel", "lang")

# words a resident may type instead of a command
WORDS = {
    "我要反映": "report",
    "反映": "report",
    "反映问题": "report",
    "我的事项": "my",
    "我的": "my",
    "联络站": "station",
    "接待日": "reception",
    "帮助": "help",
    "取消": "cancel",
    "语言": "lang",
}

# The account's custom menu: one for every follower (top-level names ≤ 16 bytes, so Chinese
# only there; sub-menu names ≤ 60 bytes carry both languages). Keys are command names.
MENU: dict[str, Any] = {
    "button": [
        {"type": "click", "name": "我要反映", "key": "report"},
        {"type": "click", "name": "我的事项", "key": "my"},
        {
            "name": "联络站",
            "sub_button": [
                {"type": "click", "name": "联络站 Station", "key": "station"},
                {"type": "click", "name": "接待日 Reception days", "key": "reception"},
                {"type": "click", "name": "语言 Language", "key": "lang"},
                {"type": "click", "name": "帮助 Help", "key": "help"},
            ],
        },
    ]
}


def command_of(text: str, labels: dict[str, str]) -> str | None:
    """The command a typed text names ("/my", "my", "我的事项", a menu label in `labels`),
    or None. An unknown "/word" is returned as is (answered as an unknown command)."""
    word = text.strip()
    if word.startswith("/"):
        return word[1:].split()[0].lower() if len(word) > 1 else ""
    if word.lower() in COMMANDS:
        return word.lower()
    return WORDS.get(word) or labels.get(word)
