"""How WeCom members give commands: the app's menu, "/tasks", or a word such as 任务."""

from __future__ import annotations

from typing import Any

COMMANDS = (
    "start",
    "help",
    "tasks",
    "overdue",
    "patrol",
    "channel",
    "cancel",
    "lang",
    "hotspots",
    "suggestions",
)

# words a member may type instead of a command
WORDS = {
    "任务": "tasks",
    "待办": "tasks",
    "我的待办": "tasks",
    "督办": "overdue",
    "超期": "overdue",
    "巡查": "patrol",
    "走街串巷": "patrol",
    "帮助": "help",
    "取消": "cancel",
    "语言": "lang",
    "通知渠道": "channel",
    "建议线索": "hotspots",
    "热点": "hotspots",
    "代表建议": "suggestions",
    "建议": "suggestions",
}

# the app's custom menu: one for all members, so each label carries both languages
# (top-level names ≤ 16 bytes, sub-menu names ≤ 40; keys are command names)
MENU: dict[str, Any] = {
    "button": [
        {"type": "click", "name": "待办 Tasks", "key": "tasks"},
        {
            "name": "建议 Suggest",
            "sub_button": [
                {"type": "click", "name": "代表建议 Suggestions", "key": "suggestions"},
                {"type": "click", "name": "建议线索 Hotspots", "key": "hotspots"},
            ],
        },
        {
            "name": "更多 More",
            "sub_button": [
                {"type": "click", "name": "督办 Overdue", "key": "overdue"},
                {"type": "click", "name": "走街串巷 Street walk", "key": "patrol"},
                {"type": "click", "name": "通知渠道 Channel", "key": "channel"},
                {"type": "click", "name": "语言 Language", "key": "lang"},
                {"type": "click", "name": "帮助 Help", "key": "help"},
            ],
        },
    ]
}


def command_of(text: str) -> str | None:
    """The command a typed text names ("/tasks", "tasks", "任务"), or None. An unknown
    "/word" is returned as is, so it is answered as an unknown command."""
    word = text.strip()
    if word.startswith("/"):
        return word[1:].split()[0].lower() if len(word) > 1 else ""
    if word.lower() in COMMANDS:
        return word.lower()
    return WORDS.get(word)
