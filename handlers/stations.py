"""Choosing a station (district → station, or nearest to a location), /station, /reception."""

from __future__ import annotations

from telegram import Update

from bot.actor import Actor
from bot.callbacks import StationPress
from bot.errors import DomainError, stale_button
from bot.messages import Button, Outgoing
from bot.models import Station
from bot.texts import plain, t
from bot.views.stations import station_offer
from handlers.common import Context, Glue, ack
from handlers.conversation import Conversation
from handlers.reception import reception_buttons
from handlers.render import inline, resident_menu


class StationPicker(Glue):
    async def offer(self, update: Update, actor: Actor) -> None:
        """District buttons, plus a keyboard button to share a location."""
        for message in station_offer(actor.lang, await self.services.people.districts()):
            await self.show(update, message)

    async def station_command(self, update: Update, context: Context) -> None:
        """/station: show the current station and offer a change."""
        actor = await self.actor(update, context)
        station = await self.services.people.station(actor.person.station_id)
        if station is None:
            await self.say(update, actor.lang, "station.none")
        else:
            await self.say(
                update,
                actor.lang,
                "station.current",
                station=station.name,
                district=station.district,
                address=station.address or "—",
            )
            # mute or unmute this station's notices
            from handlers.broadcast import Broadcasts

            await Broadcasts(self.services).station_notices(update, actor, station)
        await self.offer(update, actor)

    async def district_chosen(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        try:
            press = StationPress.unpack(query.data)
            if press is None or press.verb != "dist":
                raise stale_button()
            stations = await self.services.people.stations_in_district_of(press.station)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query)
        buttons = tuple(
            (Button(text=s.name, data=StationPress(verb="pick", station=s.id).pack()),)
            for s in stations
        )
        await query.edit_message_text(
            t(
                actor.lang,
                "station.pick_station",
                district=stations[0].district if stations else "",
            ),
            reply_markup=inline(buttons),
        )

    async def station_picked(self, update: Update, context: Context) -> Station | None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        try:
            press = StationPress.unpack(query.data)
            if press is None or press.verb != "pick":
                raise stale_button()
            station = await self.services.people.bind_station(actor, press.station)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return None
        await ack(query)
        await query.edit_message_text(
            t(actor.lang, "start.bound", station=station.name, district=station.district),
        )
        return station

    async def station_chosen(self, update: Update, context: Context) -> None:
        """st:pick: bind the station; a report waiting for one carries on."""
        station = await self.station_picked(update, context)
        if station is not None:
            actor = await self.actor(update, context)
            replies = await self.services.conversations.station_bound(
                actor, station.id, update.update_id
            )
            if replies:
                await Conversation(self.services).render(update, actor, replies, answered=True)
                return
            await self.say(
                update,
                actor.lang,
                "welcome.station",
                reply_markup=resident_menu(actor.lang),
                station=station.name,
            )

    async def location_shared(self, update: Update, context: Context) -> None:
        """A location outside /report: the nearest three stations."""
        message = update.effective_message
        assert message is not None and message.location is not None
        actor = await self.actor(update, context)
        lang = actor.lang
        near = await self.services.people.nearest(
            message.location.latitude, message.location.longitude
        )
        if not near:
            await self.say(update, lang, "station.no_location")
            return
        buttons = tuple(
            (
                Button(
                    text=plain(
                        lang, "station.nearest_item", station=n.station.name, km=f"{n.km:.1f}"
                    ),
                    data=StationPress(verb="pick", station=n.station.id).pack(),
                ),
            )
            for n in near
        )
        await self.show(update, Outgoing(text=t(lang, "station.nearest"), buttons=buttons))

    async def reception(self, update: Update, context: Context) -> None:
        """/reception: the station's reception slots and deputies on duty."""
        actor = await self.actor(update, context)
        lang = actor.lang
        station_ids = [actor.person.station_id] if actor.person.station_id else []
        station_ids += sorted(actor.deputy_at | actor.staff_at)
        if not station_ids:
            await self.say(update, lang, "station.none")
            await self.offer(update, actor)
            return
        shown: set[int] = set()
        for station_id in station_ids:
            if station_id in shown:
                continue
            shown.add(station_id)
            station = await self.services.people.station(station_id)
            if station is None:
                continue
            slots, deputies = await self.services.people.reception(station_id)
            lines = [t(lang, "reception.head", station=station.name)]
            if not slots:
                lines.append(t(lang, "reception.none"))
            for slot in slots:
                lines.append(
                    t(
                        lang,
                        "reception.slot",
                        weekday=plain(lang, f"weekday.{slot.weekday}"),
                        start=slot.start,
                        end=slot.end,
                    )
                )
            if deputies:
                lines.append(
                    t(lang, "reception.deputies", names="、".join(d.name for d in deputies))
                )
            buttons = await reception_buttons(self.services, actor, station_id)
            await self.show(update, Outgoing(text="\n".join(lines), buttons=buttons))
