"""The narrow port between the core and a chat platform (Telegram today, WeChat Work later)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.messages import Outgoing


class DeliveryError(Exception):
    """A message could not be delivered."""


class Unreachable(DeliveryError):
    """The person blocked the bot or never opened it: do not retry."""


class RetryLater(DeliveryError):
    """Flood control or a transient failure: try again after `seconds`."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {seconds}s")
        self.seconds = seconds
        self.flood = "flood" in reason


class Held(DeliveryError):
    """Not now: the platform lets the bot write to this person only after they write again
    (WeChat's reply window is closed or used up). The message waits for them."""


class Rejected(DeliveryError):
    """The platform refused the message itself (a bug on our side): do not retry."""


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


@runtime_checkable
class Announcer(Protocol):
    async def announce(self, chat_id: int, message: Outgoing) -> None:
        """A message was held (`Held`): tell the person in the short form the platform
        allows outside a conversation, once per message (WeChat: a template message)."""
        ...
