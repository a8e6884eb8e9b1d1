"""Reception days (接待日): residents opt in to a notice 3 days before a slot; the station's
deputies are reminded the day before. Each reminder is recorded once per slot date, and the
residents' notice once per resident too: whoever opts in when a slot is less than 3 days
ahead gets its notice at once (after quiet hours), and never a second copy."""

from __future__ import annotations

from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import NotAllowed
from bot.models import Person, Slot
from bot.scheduling import DAY, quiet_until, slot_occurrences
from bot.services.base import Service
from bot.services.outbox import Notices, Render
from bot.views import scheduler as scheduler_views
from storage.repos import Repos

RESIDENT_LEAD = 3 * DAY  # residents who opted in: 3 days before
DEPUTY_LEAD = DAY  # the station's deputies: the day before
WEEK = 7 * DAY  # every weekly slot occurs once within any week from now


@dataclass(frozen=True)
class OptIn:
    """What a press of 🔔 / 🔕 did, for the confirmation."""

    on: bool
    day: str | None = None  # the nearest reception day still ahead (YYYY-MM-DD); None: none
    slot: Slot | None = None  # its slot
    notified: bool = False  # its notice went to this resident (now, or before)
    held_until: int | None = None  # ... and waits for the end of quiet hours until then


class ReceptionService(Service):
    async def can_opt_in(self, actor: Actor, station_id: int) -> bool | None:
        """None when the actor is not a resident of this station; else whether opted in."""
        async with self.db.read() as repos:
            person = await repos.people.get(actor.id)
            if person is None or person.station_id != station_id:
                return None
            return await repos.scheduler.opted_in(station_id, actor.id)

    async def set_opt_in(self, actor: Actor, station_id: int, on: bool) -> OptIn:
        """Opt in or out of a station's reception notices (only the resident's own station).

        Opting in when a slot is less than RESIDENT_LEAD ahead, its notice already settled
        (or about to be), queues that notice for this resident in the same transaction."""
        now = self._now()
        async with self.db.transaction() as repos:
            person = await repos.people.get(actor.id)
            if person is None or person.station_id != station_id:
                raise NotAllowed("not your station", key="reception.not_your_station")
            await repos.scheduler.set_opt_in(station_id, actor.id, on, now)
            if not on:
                return OptIn(on=False)
            return await self._catch_up(repos, person, station_id, now)

    async def _catch_up(self, repos: Repos, person: Person, station_id: int, now: int) -> OptIn:
        """Send the resident who just opted in the notice of each slot ahead whose notice is
        due already and which they have not had; what became of the nearest one."""
        s = repos.scheduler
        hold = quiet_until(now, self.settings.quiet, self.settings.zone)
        arrives = hold or now  # when a notice queued now reaches them
        ahead = sorted(
            (
                (start, day.isoformat(), slot)
                for slot in await s.station_slots(station_id)
                # a slot that begins before the notice could arrive is left out
                for day, start in slot_occurrences(slot, arrives, WEEK, self.settings.zone)
            ),
            key=lambda found: found[0],
        )
        told: list[int | None] = []
        for start, day, slot in ahead:
            if start > now + RESIDENT_LEAD:
                break  # its notice is not due yet: it comes RESIDENT_LEAD before, as for all
            at = (await s.reception_told(station_id, day, slot.start)).get(person.id)
            if at is None:
                render = await self._resident_notice(repos, slot, day)
                if await Notices(repos, now).send(person, render, not_before=hold):
                    at = arrives
                    await s.add_reception_told(station_id, day, slot.start, [person.id], at)
                    # counted with the settled notice (a notice not settled yet counts it then)
                    await s.bump_reception_recipients(station_id, day, slot.start, "residents")
            told.append(at)
        if not ahead:
            return OptIn(on=True)
        _, day, slot = ahead[0]
        at = told[0] if told else None
        return OptIn(
            on=True,
            day=day,
            slot=slot,
            notified=at is not None,
            held_until=at if at is not None and at > now else None,
        )

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

    async def _resident_notice(self, repos: Repos, slot: Slot, day: str) -> Render:
        station = await repos.stations.get(slot.station_id)
        assert station is not None
        deputies = await repos.people.of_station(slot.station_id, "deputy")
        names = "、".join(d.name for d in deputies) or "—"
        return lambda lang: scheduler_views.reception_for_residents(lang, station, slot, day, names)

    async def _notify(self, slot: Slot, audience: str, day: str, start: int, now: int) -> bool:
        async with self.db.transaction() as repos:
            s = repos.scheduler
            if not await s.add_reception_notice(slot.station_id, day, slot.start, audience, now):
                return False
            residents = await s.opted_in_residents(slot.station_id)
            notices = Notices(repos, now)
            hold = quiet_until(now, self.settings.quiet, self.settings.zone)

            if audience == "residents":
                # who opted in since the slot came within reach has it already
                told = await s.reception_told(slot.station_id, day, slot.start)
                sent = await notices.send_all(
                    [r for r in residents if r.id not in told],
                    await self._resident_notice(repos, slot, day),
                    not_before=hold,
                )
                await s.add_reception_told(
                    slot.station_id, day, slot.start, [p.id for p in sent], hold or now
                )
                count = len(told) + len(sent)
            else:
                station = await repos.stations.get(slot.station_id)
                assert station is not None
                deputies = await repos.people.of_station(slot.station_id, "deputy")
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
