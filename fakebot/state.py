"""Server-side state records: chats with their messages, stored files, pending queries."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fakebot.models import BotMessage


@dataclass
class ChatState:
    """A chat the fake server knows: private chat with a user, or a group."""

    id: int
    type: str  # "private", "group" or "supergroup"
    info: dict[str, Any]  # the Bot API ``Chat`` object
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # alive, by message_id
    bot_messages: list[BotMessage] = field(default_factory=list)  # in order, incl. deleted
    bot_by_id: dict[int, BotMessage] = field(default_factory=dict)

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class StoredFile:
    """A file known to the server (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo", "document", "voice", "sticker", ...
    data: bytes | None
    filename: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def file_path(self) -> str:
        folder = {"photo": "photos", "document": "documents", "voice": "voice"}.get(
            self.kind, self.kind + "s"
        )
        suffix = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp"}.get(self.kind, "")
        name = self.filename or f"file_{self.file_unique_id}{suffix}"
        return f"{folder}/{self.file_unique_id}_{name}"


@dataclass
class PendingQuery:
    """A callback query sent to the bot, waiting for ``answerCallbackQuery``."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    text: str | None = None
    show_alert: bool = False
