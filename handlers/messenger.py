"""The Messenger port over python-telegram-bot: delivers outbox messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.messages import Outgoing
from bot.ports import Rejected, RetryLater, Unreachable
from handlers.render import markup

# A photo kept in the database (from a platform whose references expire) → its bytes;
# None for a Telegram file id.
KeptPhotos = Callable[[str], Awaitable[bytes | None]]


class TelegramMessenger:
    def __init__(self, bot: Bot, kept: KeptPhotos | None = None) -> None:
        self.bot = bot
        self.kept = kept

    async def _photo(self, ref: str) -> str | bytes:
        if self.kept is None:
            return ref
        data = await self.kept(ref)
        return ref if data is None else data

    async def send(self, chat_id: int, message: Outgoing) -> int:
        try:
            photos = [await self._photo(p) for p in message.photos[:10]]
            if len(photos) == 1:
                await self.bot.send_photo(chat_id, photos[0])
            elif photos:
                await self.bot.send_media_group(chat_id, [InputMediaPhoto(p) for p in photos])
            sent = await self.bot.send_message(chat_id, message.text, reply_markup=markup(message))
            if message.location is not None:
                await self.bot.send_location(chat_id, *message.location)
            return sent.message_id
        except Exception as exc:
            raise _translate(exc) from exc

    async def send_photo(self, chat_id: int, photo: str | bytes, message: Outgoing) -> int:
        try:
            sent = await self.bot.send_photo(
                chat_id,
                photo,
                caption=message.text,
                reply_markup=markup(message),
            )
            return sent.message_id
        except Exception as exc:
            raise _translate(exc) from exc

    async def edit(self, chat_id: int, message_id: int, message: Outgoing) -> None:
        try:
            await self.bot.edit_message_text(
                message.text,
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=markup(message),
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            raise _translate(exc) from exc
        except Exception as exc:
            raise _translate(exc) from exc


def _translate(exc: Exception) -> Exception:
    """Telegram's errors → the port's: unreachable, retry later, or rejected."""
    if isinstance(exc, Forbidden):
        return Unreachable(exc.message)
    if isinstance(exc, RetryAfter):
        seconds = exc.retry_after
        wait = seconds if isinstance(seconds, int | float) else seconds.total_seconds()
        return RetryLater(float(wait), "flood control")
    if isinstance(exc, BadRequest):
        if "chat not found" in exc.message.lower():
            return Unreachable(exc.message)
        return Rejected(exc.message)
    if isinstance(exc, TimedOut | NetworkError):
        return RetryLater(2.0, f"network: {exc}")
    return exc
