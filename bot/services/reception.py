"""Reception days (接待日): residents opt in to a notice 3 days before a slot; the station's
deputies are reminded the day before. Each reminder is recorded once per slot date."""

from __future__ import annotations

from bot.actor import Actor
from bot.errors import NotAllowed
from bot.models import Slot
from bot.scheduling import DAY, quiet_until, slot_occurrences
from bot.services.base import Service
from bot.services.outbox import Notices
from bot.views import scheduler as scheduler_views

RESIDENT_LEAD = 3 * DAY  # residents who opted in: 3 days before
DEPUTY_LEAD = DAY  # the station's deputies: the day before


class ReceptionService(Service):
    async def can_opt_in(self, actor: Actor, station_id: int) -> bool | None:
        """None when the actor is not a resident of this station; else whether opted in."""
        async with self.db.read() as repos:
            person = await repos.people.get(actor.id)
            if person is None or person.station_id != station_id:
                return None
            return await repos.scheduler.opted_in(station_id, actor.id)

    async def set_opt_in(self, actor: Actor, station_id: int, on: bool) -> bool:
        """Opt in or out of a station's reception notices (only the resident's own station)."""
        async with self.db.transaction() as repos:
            person = await repos.people.get(actor.id)
            if person is None or person.station_id != station_id:
                raise NotAllowed("not your station", key="reception.not_your_station")
            await repos.scheduler.set_opt_in(station_id, actor.id, on, self._now())
            return on

    async def remind(self) -> int:
        """Queue what is due now; returns how many reminders (per slot and audience) went out."""
        now = self._now()
        async with self.db.read() as repos:
            slots = await repos.scheduler.slots()
        sent = 0
        for slot in slots:
            for audience, lead in (("residents", RESIDENT_LEAD), ("deputies", DEPUTY_LEAD)):
                for day, start in slot_occurrences(slot, now, lead, self.settings.zone):
                    if await self._notify(slot, audience, day.isoformat(), start, now):
                        sent += 1
        return sent

    async def _notify(self, slot: Slot, audience: str, day: str, start: int, now: int) -> bool:
        async with self.db.transaction() as repos:
            s = repos.scheduler
            if not await s.add_reception_notice(slot.station_id, day, slot.start, audience, now):
                return False
            station = await repos.stations.get(slot.station_id)
            assert station is not None
            deputies = await repos.people.of_station(slot.station_id, "deputy")
            residents = await s.opted_in_residents(slot.station_id)
            notices = Notices(repos, now)
            names = "、".join(d.name for d in deputies) or "—"

            if audience == "residents":
                count = len(
                    await notices.send_all(
                        residents,
                        lambda lang: scheduler_views.reception_for_residents(
                            lang, station, slot, day, names
                        ),
                    )
                )
            else:
                hold = quiet_until(now, self.settings.quiet, self.settings.zone)
                count = len(
                    await notices.send_all(
                        deputies,
                        lambda lang: scheduler_views.reception_for_deputies(
                            lang, station, slot, day, len(residents)
                        ),
                        not_before=hold,
                    )
                )
            await s.set_reception_recipients(slot.station_id, day, slot.start, audience, count)
            return True
