"""Reception days (接待日): the resident's opt-in button under /reception."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from bot.actor import Actor
from bot.callbacks import ReceptionPress
from bot.errors import DomainError, stale_button
from bot.messages import Button
from bot.models import Lang
from bot.services import Services
from bot.texts import plain
from handlers.common import Context, Glue, ack
from handlers.render import inline

Rows = tuple[tuple[Button, ...], ...]


def toggle_button(lang: Lang, station_id: int, opted_in: bool) -> Rows:
    if opted_in:
        off = ReceptionPress(verb="off", station=station_id).pack()
        return ((Button(text=plain(lang, "reception.opt_out"), data=off),),)
    on = ReceptionPress(verb="on", station=station_id).pack()
    return ((Button(text=plain(lang, "reception.opt_in"), data=on),),)


async def reception_buttons(services: Services, actor: Actor, station_id: int) -> Rows:
    """Residents of the station get the opt-in (or opt-out) button; everyone else none."""
    state = await services.reception.can_opt_in(actor, station_id)
    if state is None:
        return ()
    return toggle_button(actor.lang, station_id, state)


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
