"""/broadcast for staff and admins (residents muting a station's notices: the counter)."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import BroadcastPress
from bot.errors import DomainError, stale_button
from bot.messages import Button, Outgoing
from bot.texts import plain, t
from handlers.common import Context, Glue, ack
from handlers.render import inline


def _rows(buttons: list[Button], per_row: int = 1) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


class Broadcasts(Glue):
    async def command(self, update: Update, context: Context) -> None:
        """/broadcast: choose the audience."""
        actor = await self.actor(update, context)
        lang = actor.lang
        if not (actor.admin or actor.is_staff):
            await self.not_allowed(update, actor)
            return
        buttons: list[Button] = []
        for station_id in sorted(actor.staff_at):
            station = await self.services.people.station(station_id)
            if station is None:
                continue
            buttons.append(
                Button(
                    text=plain(lang, "bc.aud_station", station=station.name),
                    data=BroadcastPress(verb="st", id=station.id).pack(),
                )
            )
            buttons.append(
                Button(
                    text=plain(lang, "bc.aud_deputies", station=station.name),
                    data=BroadcastPress(verb="dep", id=station.id).pack(),
                )
            )
        rows = list(_rows(buttons))
        if actor.admin:
            rows.append(
                (Button(text=plain(lang, "bc.aud_all"), data=BroadcastPress(verb="all").pack()),)
            )
            districts = [
                Button(text=name, data=BroadcastPress(verb="dist", id=anchor).pack())
                for name, anchor, _count in await self.services.people.districts()
            ]
            rows += _rows(districts, 3)
        await self.show(update, Outgoing(text=t(lang, "bc.choose"), buttons=tuple(rows)))

    async def district(self, update: Update, context: Context) -> None:
        """Admin: a district's stations, or the whole district."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        press = BroadcastPress.unpack(query.data)
        try:
            if not actor.admin:
                raise DomainError("admins only", key="bc.not_allowed")
            if press is None or press.verb != "dist" or press.id is None:
                raise stale_button()
            anchor = press.id
            stations = await self.services.people.stations_in_district_of(anchor)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query)
        district = stations[0].district if stations else ""
        lang = actor.lang
        buttons = [
            Button(
                text=plain(lang, "bc.aud_district", district=district),
                data=BroadcastPress(verb="dall", id=anchor).pack(),
            )
        ] + [
            Button(
                text=plain(lang, "bc.aud_station", station=s.name),
                data=BroadcastPress(verb="st", id=s.id).pack(),
            )
            for s in stations
        ]
        await query.edit_message_text(
            t(lang, "bc.choose_district", district=district),
            reply_markup=inline(_rows(buttons)),
        )

    async def audience(self, update: Update, context: Context) -> None:
        """bc:st|dep|dall|all: the audience is chosen; ask for the notice."""
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        actor = await self.actor(update, context)
        press = BroadcastPress.unpack(query.data)
        lang = actor.lang
        try:
            kind = {"st": "station", "dep": "deputies", "dall": "district", "all": "all"}.get(
                press.verb if press is not None else ""
            )
            if press is None or kind is None:
                raise stale_button()
            chosen = await self.services.broadcasts.choose(
                actor,
                update.effective_chat.id,
                kind,
                station_id=press.id if kind in ("station", "deputies") else None,
                district_of=press.id if kind == "district" else None,
            )
        except DomainError as exc:
            await self.refuse(update, lang, exc)
            return
        await ack(query)
        name = chosen.station.name if chosen.station else ""
        label = {
            "station": plain(lang, "bc.aud_station", station=name),
            "deputies": plain(lang, "bc.aud_deputies", station=name),
            "district": plain(lang, "bc.aud_district", district=chosen.district or ""),
            "all": plain(lang, "bc.aud_all"),
        }[chosen.kind]
        await query.edit_message_text(t(lang, "bc.ask", audience=label))

    async def send(self, update: Update, context: Context) -> None:
        """发送 under the preview."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        try:
            press = BroadcastPress.unpack(query.data)
            if press is None or press.verb != "send" or press.id is None:
                raise stale_button()
            message_id = query.message.message_id if query.message else None
            total = await self.services.broadcasts.send(actor, press.id, message_id)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query)
        try:
            await query.edit_message_text(t(actor.lang, "bc.started", total=total))
        finally:
            self.services.broadcasts.kick()

    async def cancel(self, update: Update, context: Context) -> None:
        """取消 under the preview."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        try:
            press = BroadcastPress.unpack(query.data)
            if press is None or press.verb != "cancel" or press.id is None:
                raise stale_button()
            await self.services.broadcasts.cancel(actor, press.id)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query)
        await query.edit_message_text(t(actor.lang, "bc.cancelled"))
