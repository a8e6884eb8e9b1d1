"""The narrow port between the core and a chat platform (Telegram, WeCom, WeChat)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.messages import Outgoing
from bot.models import Lang


class DeliveryError(Exception):
    """A message could not be delivered."""


class Unreachable(DeliveryError):
    """The person blocked the bot or never opened it: do not retry."""


class RetryLater(DeliveryError):
    """Flood control or a transient failure before the platform took the message: try again
    after `seconds` (nothing was delivered, so a retry cannot duplicate it)."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {seconds}s")
        self.seconds = seconds
        self.flood = "flood" in reason


class Uncertain(RetryLater):
    """No answer in time: the platform may have delivered the message (or the part being
    sent) all the same. A retry may duplicate it, so it is limited (bot/retrying.py)."""


class Held(DeliveryError):
    """Not now: the platform lets the bot write to this person only after they write again
    (WeChat's reply window is closed or used up). The message waits for them."""


class Gone(DeliveryError):
    """The message to edit is no longer there (the person deleted it) or can no longer be
    edited: nothing to do, and nobody to tell."""


class Rejected(DeliveryError):
    """The platform refused the message itself (a bug on our side): do not retry as it is."""


class Messenger(Protocol):
    async def send(self, chat_id: int, message: Outgoing) -> int:
        """Deliver `message`; returns the id of the message that carries its buttons."""
        ...

    async def edit(self, chat_id: int, message_id: int, message: Outgoing) -> None:
        """Replace an earlier message's text and buttons."""
        ...

    async def send_photo(self, chat_id: int, photo: str | bytes, message: Outgoing) -> int:
        """Deliver one photo (file id or bytes) with `message.text` as its caption and
        `message.buttons` under it, as one message; returns its id."""
        ...


@dataclass
class Attempt:
    """How far one delivery got, and how it is made: kept by the outbox between tries.

    A message goes out in parts (photos, the text, a location); `parts` counts those the
    platform confirmed, in order, so a retry resumes with the next one. `handle` is the
    id of the part that carries the buttons (what `send` returns), once it went out.
    `plain`: send without formatting (the platform refused the HTML). `lang`: the
    recipient's language, for the line that says a text too long was shortened."""

    parts: int = 0
    handle: int | None = None
    plain: bool = False
    lang: Lang = Lang.ZH


@runtime_checkable
class Resumable(Protocol):
    """A messenger that sends a message part by part and can resume it (Telegram)."""

    async def send_parts(self, chat_id: int, message: Outgoing, attempt: Attempt) -> int | None:
        """Deliver the parts of `message` from `attempt.parts` on, counting each in
        `attempt` as the platform confirms it; returns `attempt.handle` (None when the
        part carrying it went out unconfirmed). Raises the port's errors."""
        ...

    async def edit_with(
        self, chat_id: int, message_id: int, message: Outgoing, attempt: Attempt
    ) -> None:
        """`edit`, formatted or plain as `attempt` says."""
        ...


@runtime_checkable
class Announcer(Protocol):
    async def announce(self, chat_id: int, message: Outgoing) -> None:
        """A message was held (`Held`): tell the person in the short form the platform
        allows outside a conversation, once per message (WeChat: a template message)."""
        ...
