"""The Messenger port over python-telegram-bot: delivers outbox messages.

A message with photos goes out as one photo, or one album (2–10), with the text as the
caption when Telegram takes it as one (≤ 1024 UTF-16 units of visible text); else the photos
come without a caption and the text follows as its own message. Buttons stay with the text:
on the captioned photo itself, or — an album carries no buttons — on a short message right
after it that repeats the card's first line. The location pin comes last.

Each of those is a *part*; `send_parts` sends them in order from `Attempt.parts` on and
counts each one Telegram confirmed, so the outbox resumes a message from the part that
failed (three 429s on the location never send the album and the card again). A text longer
than Telegram takes (4096 units) is shortened with "…" and a line saying so
(`handlers.render.fit`); `Attempt.plain` sends the texts without formatting (no parse mode),
the outbox's one retry of a message Telegram refused.

`send` returns a handle for a later `edit`: the id of the message that carries the buttons
(or, without buttons, the text), plus `CAPTIONED` when that message is a photo whose text is
its caption — Telegram edits a caption with editMessageCaption and a text with
editMessageText, and refuses the other one. The outbox remembers the handle under the row's
`ref` (`message_refs.message_id`), so the kind survives a restart without a probe; a caption
edit longer than 1024 units is cut with "…".

Every call here is made under `handlers.retry.owned_by_policy()`: the outbox's and the
broadcasts' retry policy (bot/retrying.py) is the only one, the request layer adds none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.messages import Outgoing
from bot.models import Lang
from bot.ports import Attempt, Gone, Rejected, RetryLater, Uncertain, Unreachable
from handlers.render import (
    CAPTION_LIMIT,
    HTML,
    TEXT_LIMIT,
    as_plain,
    caption_fits,
    fit,
    fit_plain,
    heading,
    markup,
    shorten,
    shorten_plain,
)
from handlers.retry import owned_by_policy

# A photo kept in the database (from a platform whose references expire) → its bytes;
# None for a Telegram file id.
KeptPhotos = Callable[[str], Awaitable[bytes | None]]

# One part of a message: sends it; returns its handle when it is the part that carries the
# buttons (or the text), else None.
Part = Callable[[], Awaitable[int | None]]

# Added to a message id in a handle: the message is a photo and its text is the caption.
# Telegram's message ids stay far below it (they are 32-bit).
CAPTIONED = 1 << 40
ALBUM_MAX = 10  # photos in one sendMediaGroup


def handle(message_id: int, *, captioned: bool = False) -> int:
    return message_id + CAPTIONED if captioned else message_id


def unpack(value: int) -> tuple[int, bool]:
    """A handle → (message id, whether its text is a caption)."""
    if value >= CAPTIONED:
        return value - CAPTIONED, True
    return value, False


def content(text: str, limit: int, lang: Lang, *, plain: bool = False) -> tuple[str, str | None]:
    """What to send for `text` within `limit` units, and its parse mode: the HTML (shortened
    with a note when too long), or its plain text without a parse mode."""
    if plain:
        return fit_plain(as_plain(text), limit, lang), None
    return fit(text, limit, lang), HTML


def _caption_cut(text: str, plain: bool) -> tuple[str, str | None]:
    """A caption edit: cut to 1024 units with "…" (the caption is the card itself)."""
    if plain:
        return shorten_plain(as_plain(text)), None
    return shorten(text), HTML


async def edit_message(
    bot: Bot,
    chat_id: int,
    message_id: int,
    message: Outgoing,
    *,
    captioned: bool,
    lang: Lang = Lang.ZH,
    plain: bool = False,
) -> None:
    """Replace a message's text (shortened to fit, see `fit`; or, for a photo, its caption —
    cut to 1024 units with "…") and its buttons. Without buttons in `message` the old ones
    go (as on Telegram). A text edit that Telegram refuses for want of text is made on the
    caption instead. `plain`: without formatting. Raises python-telegram-bot's errors as
    they come ("message is not modified" included)."""
    buttons = markup(message)
    if not captioned:
        text, mode = content(message.text, TEXT_LIMIT, lang, plain=plain)
        try:
            await bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=buttons, parse_mode=mode
            )
            return
        except BadRequest as exc:
            if "no text in the message" not in exc.message.lower():
                raise
    caption, mode = _caption_cut(message.text, plain)
    await bot.edit_message_caption(
        chat_id=chat_id,
        message_id=message_id,
        caption=caption,
        parse_mode=mode,
        reply_markup=buttons,
    )


class TelegramMessenger:
    def __init__(self, bot: Bot, kept: KeptPhotos | None = None) -> None:
        self.bot = bot
        self.kept = kept

    async def _photo(self, ref: str) -> str | bytes:
        if self.kept is None:
            return ref
        data = await self.kept(ref)
        return ref if data is None else data

    # -- the Messenger port ---------------------------------------------------------------
    async def send(self, chat_id: int, message: Outgoing) -> int:
        sent = await self.send_parts(chat_id, message, Attempt())
        assert sent is not None  # every part went out confirmed
        return sent

    async def edit(self, chat_id: int, message_id: int, message: Outgoing) -> None:
        await self.edit_with(chat_id, message_id, message, Attempt())

    async def send_photo(self, chat_id: int, photo: str | bytes, message: Outgoing) -> int:
        caption, mode = content(message.text, CAPTION_LIMIT, Lang.ZH)
        try:
            with owned_by_policy():
                sent = await self.bot.send_photo(
                    chat_id, photo, caption=caption, parse_mode=mode, reply_markup=markup(message)
                )
            return handle(sent.message_id, captioned=True)
        except Exception as exc:
            raise _translate(exc) from exc

    # -- resumable (the outbox) -----------------------------------------------------------
    async def send_parts(self, chat_id: int, message: Outgoing, attempt: Attempt) -> int | None:
        try:
            with owned_by_policy():
                for index, part in enumerate(self._parts(chat_id, message, attempt)):
                    if index < attempt.parts:
                        continue  # went out on an earlier try
                    sent = await part()
                    attempt.parts += 1
                    if sent is not None:
                        attempt.handle = sent
            return attempt.handle
        except Exception as exc:
            raise _translate(exc) from exc

    async def edit_with(
        self, chat_id: int, message_id: int, message: Outgoing, attempt: Attempt
    ) -> None:
        target, captioned = unpack(message_id)
        try:
            with owned_by_policy():
                await edit_message(
                    self.bot,
                    chat_id,
                    target,
                    message,
                    captioned=captioned,
                    lang=attempt.lang,
                    plain=attempt.plain,
                )
        except BadRequest as exc:
            text = exc.message.lower()
            if "not modified" in text:
                return
            if "message to edit not found" in text or "message can't be edited" in text:
                raise Gone(exc.message) from exc
            raise _translate(exc) from exc
        except Exception as exc:
            raise _translate(exc) from exc

    def _parts(self, chat_id: int, message: Outgoing, attempt: Attempt) -> list[Part]:
        """The parts of `message` in the order they go out. Which parts there are depends
        on the message alone (the photos, whether its HTML fits a caption, its buttons and
        location), never on how it is sent, so a retry counts them the same way."""
        text, buttons, refs = message.text, markup(message), message.photos[:ALBUM_MAX]
        lang, plain = attempt.lang, attempt.plain
        bot = self.bot

        async def card() -> int | None:
            body, mode = content(text, TEXT_LIMIT, lang, plain=plain)
            sent = await bot.send_message(chat_id, body, reply_markup=buttons, parse_mode=mode)
            return sent.message_id

        async def captioned_photo() -> int | None:
            caption, mode = content(text, CAPTION_LIMIT, lang, plain=plain)
            photo = await bot.send_photo(
                chat_id,
                await self._photo(refs[0]),
                caption=caption,
                parse_mode=mode,
                reply_markup=buttons,
            )
            return handle(photo.message_id, captioned=True)

        async def bare_photo() -> int | None:
            await bot.send_photo(chat_id, await self._photo(refs[0]))
            return None

        fits = caption_fits(text)

        async def album() -> int | None:
            caption, mode = content(text, CAPTION_LIMIT, lang, plain=plain)
            photos = [await self._photo(ref) for ref in refs]
            sent = await bot.send_media_group(
                chat_id,
                [
                    InputMediaPhoto(photo, caption=caption, parse_mode=mode)
                    if fits and i == 0
                    else InputMediaPhoto(photo, caption=None, parse_mode=HTML)
                    for i, photo in enumerate(photos)
                ],
            )
            if fits and buttons is None:  # the caption is the text: a later edit changes it
                return handle(sent[0].message_id, captioned=True)
            return None

        async def under_album() -> int | None:
            # an album has no buttons: they come under the card's heading
            line = heading(text)
            body, mode = (as_plain(line), None) if plain else (line, HTML)
            sent = await bot.send_message(chat_id, body, reply_markup=buttons, parse_mode=mode)
            return sent.message_id

        async def location() -> int | None:
            assert message.location is not None
            await bot.send_location(chat_id, *message.location)
            return None

        parts: list[Part]
        if not refs:
            parts = [card]
        elif len(refs) == 1:
            parts = [captioned_photo] if fits else [bare_photo, card]
        elif fits:
            parts = [album] if buttons is None else [album, under_album]
        else:
            parts = [album, card]
        if message.location is not None:
            parts.append(location)
        return parts


def _translate(exc: Exception) -> Exception:
    """Telegram's errors → the port's: unreachable, retry later (certain, or uncertain after
    a timeout: Telegram may have acted), or rejected."""
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
    if isinstance(exc, TimedOut):
        return Uncertain(2.0, f"timed out: {exc}")
    if isinstance(exc, NetworkError):
        return RetryLater(2.0, f"network: {exc}")
    return exc
