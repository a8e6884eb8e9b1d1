"""Plain data records of the fake Bot API: calls, transcript lines, bot messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": description}``."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(text: str) -> ApiError:
    """A 400 ``Bad Request: <text>`` error."""
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    """A 403 ``Forbidden: <text>`` error."""
    return ApiError(403, f"Forbidden: {text}")


@dataclass
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {len(self.data)} bytes)"


@dataclass
class ApiCall:
    """One request the bot made, as the server saw and answered it."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    error_code: int | None = None
    description: str | None = None
    time: float = 0.0
    injected: bool = False
    result: Any = None
    abandoned: bool = False  # the client hung up during an injected delay (see faults)

    def __str__(self) -> str:
        status = "ok" if self.ok else f"{self.error_code} {self.description}"
        shown = {k: v for k, v in self.params.items() if k not in ("timeout", "offset")}
        return f"{self.method}({shown}) -> {status}"


@dataclass
class Button:
    """An inline keyboard button."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


_CAPTIONED_KINDS = frozenset({"photo", "document", "video", "audio", "animation", "voice"})


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (after edits; deleted ones are marked)."""

    message_id: int
    chat_id: int
    kind: str = "text"
    text: str = ""
    html: str | None = None
    parse_mode: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    photo: str | bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    edits: int = 0
    deleted: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    media_group_id: str | None = None  # the album it belongs to (sendMediaGroup)

    @property
    def caption(self) -> str | None:
        """What a person sees under a photo or document (``text``); None for a message
        that is not media (a text, a location…)."""
        return self.text if self.kind in _CAPTIONED_KINDS else None

    @property
    def labels(self) -> list[str]:
        """All inline button texts, row by row."""
        return [button.text for row in self.buttons for button in row]

    def button(self, label: str) -> Button | None:
        """The first inline button with exactly this text, or None."""
        return next((b for row in self.buttons for b in row if b.text == label), None)


@dataclass
class TranscriptEntry:
    """One line of the conversation log: who did what where."""

    who: str
    chat_id: int
    kind: str
    text: str = ""
    buttons: list[str] = field(default_factory=list)
    user_id: int | None = None
    message_id: int | None = None

    def __str__(self) -> str:
        line = f"[{self.chat_id}] {self.who} {self.kind}"
        if self.message_id is not None:
            line += f" #{self.message_id}"
        if self.text:
            line += f": {self.text}"
        if self.buttons:
            line += "  [" + " | ".join(self.buttons) + "]"
        return line
