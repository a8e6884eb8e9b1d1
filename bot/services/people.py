"""People and stations: who someone is, their language, their station."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.actor import Actor
from bot.config import Settings
from bot.errors import NotFound
from bot.models import Channel, Identity, Lang, Pending, Person, Reception, Station
from bot.services.base import Service
from storage.repos import Repos


@dataclass(frozen=True)
class NearStation:
    station: Station
    km: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


async def actor_of(repos: Repos, person_id: int, settings: Settings) -> Actor:
    """The actor as the database holds them now (one statement)."""
    found = await repos.people.with_memberships(person_id=person_id)
    assert found is not None
    return actor_from(found, settings)


def actor_from(found: Identity, settings: Settings) -> Actor:
    """The actor a read of `with_memberships` describes."""
    person, memberships = found.person, found.memberships
    return Actor(
        person=person,
        deputy_at=frozenset(s for s, role in memberships if role == "deputy"),
        staff_at=frozenset(s for s, role in memberships if role == "staff"),
        liaison_of=frozenset(found.departments),
        admin=person.is_admin or (person.telegram_id in settings.admin_telegram_ids),
        # no row yet means nothing is awaited (saves a query when it is asked later)
        pending=found.pending or Pending(person_id=person.id),
    )


class PeopleService(Service):
    async def identify(self, telegram_id: int, name: str, language_code: str | None) -> Actor:
        """The actor behind a chat user (created as a resident on first contact)."""
        async with self.db.read() as repos:
            found = await repos.people.with_memberships(telegram_id)
        if found is not None:
            known = found.person
            if (
                known.blocked_at is None
                and known.tg_language == language_code
                and (known.key is not None or known.name == name)
                and known.last_channel in (None, Channel.TELEGRAM)
            ):
                return actor_from(found, self.settings)
        async with self.db.transaction() as repos:
            person = await repos.people.touch(telegram_id, name, language_code, self._now())
            if person.last_channel not in (None, Channel.TELEGRAM):
                await repos.people.wrote_from(person.id, Channel.TELEGRAM)  # notices follow
            return await actor_of(repos, person.id, self.settings)

    async def refresh(self, actor: Actor) -> Actor:
        async with self.db.read() as repos:
            return await actor_of(repos, actor.id, self.settings)

    async def start(self, actor: Actor) -> Actor:
        """First /start makes the person reachable (Telegram lets bots write only then)."""
        async with self.db.transaction() as repos:
            await repos.people.mark_started(actor.id, self._now())
            return await actor_of(repos, actor.id, self.settings)

    async def set_lang(self, actor: Actor, lang: Lang) -> Actor:
        async with self.db.transaction() as repos:
            await repos.people.set_lang(actor.id, lang)
            return await actor_of(repos, actor.id, self.settings)

    async def station(self, station_id: int | None) -> Station | None:
        if station_id is None:
            return None
        async with self.db.read() as repos:
            return await repos.stations.get(station_id)

    async def station_by_key(self, key: str) -> Station | None:
        async with self.db.read() as repos:
            return await repos.stations.by_key(key)

    async def bind_station(self, actor: Actor, station_id: int) -> Station:
        async with self.db.transaction() as repos:
            station = await repos.stations.get(station_id)
            if station is None or await repos.stations.by_key(station.key) is None:
                raise NotFound("no such station")
            await repos.people.set_station(actor.id, station.id)
            return station

    async def districts(self) -> list[tuple[str, int, int]]:
        async with self.db.read() as repos:
            return await repos.stations.districts()

    async def stations_in_district_of(self, station_id: int) -> list[Station]:
        """Stations of the district that `station_id` belongs to."""
        async with self.db.read() as repos:
            anchor = await repos.stations.get(station_id)
            if anchor is None:
                raise NotFound("no such district")
            return await repos.stations.in_district(anchor.district)

    async def nearest(self, lat: float, lon: float, count: int = 3) -> list[NearStation]:
        async with self.db.read() as repos:
            stations = await repos.stations.all()
        near = [
            NearStation(s, distance_km(lat, lon, s.lat, s.lon))
            for s in stations
            if s.lat is not None and s.lon is not None
        ]
        near.sort(key=lambda n: n.km)
        return near[:count]

    async def reception(self, station_id: int) -> tuple[list[Reception], list[Person]]:
        """The station's reception slots and its deputies (who are on duty then)."""
        async with self.db.read() as repos:
            return (
                await repos.stations.reception(station_id),
                await repos.people.of_station(station_id, "deputy"),
            )
