"""Reception days (接待日): the resident's opt-in button under /reception."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from bot.callbacks import ReceptionPress
from bot.conversation.counter import toggle_button
from bot.errors import DomainError, stale_button
from bot.texts import plain
from handlers.common import Context, Glue, ack
from handlers.render import inline


class ReceptionGlue(Glue):
    async def toggle(self, update: Update, context: Context) -> None:
        """rcp:on:<station> / rcp:off:<station> — re-checked against the resident's station."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        press = ReceptionPress.unpack(query.data)
        try:
            if press is None:
                raise stale_button()
            on = await self.services.reception.set_opt_in(actor, press.station, press.verb == "on")
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query, plain(actor.lang, "reception.opted_in" if on else "reception.opted_out"))
        with contextlib.suppress(TelegramError):  # an old message, or the same keyboard
            await query.edit_message_reply_markup(
                inline(toggle_button(actor.lang, press.station, on))
            )
