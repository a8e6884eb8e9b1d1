"""Writing notifications into the outbox inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.messages import Outgoing
from bot.models import Channel, Lang, Person
from storage.repos import Repos

Render = Callable[[Lang], Outgoing]

# Where a sent message can be changed in place (WeChat sends a changed message anew).
EDITS_IN_PLACE = frozenset({Channel.TELEGRAM, Channel.WECOM})


def address(person: Person) -> tuple[Channel, int] | None:
    """Where a notice to this person goes: the platform and its chat id there (the person's
    own id on platforms whose adapter looks the account up)."""
    channel = person.channel
    if channel is None:
        return None
    if channel is Channel.TELEGRAM:
        assert person.telegram_id is not None
        return channel, person.telegram_id
    return channel, person.id


class Notices:
    """Queue messages for people, each on the one platform that reaches them; unreachable
    people are skipped (the platform would refuse)."""

    def __init__(self, repos: Repos, now: int) -> None:
        self.repos = repos
        self.now = now
        self.queued = 0

    async def send(
        self,
        person: Person,
        render: Render,
        *,
        ref: str | None = None,
        not_before: int | None = None,
    ) -> bool:
        where = address(person)
        if where is None:
            return False
        channel, chat_id = where
        await self.repos.outbox.add(
            chat_id,
            render(person.language),
            self.now,
            person_id=person.id,
            not_before=not_before,
            ref=ref,
            channel=channel,
        )
        self.queued += 1
        return True

    async def send_all(
        self,
        people: Iterable[Person],
        render: Render,
        *,
        ref: str | None = None,
        not_before: int | None = None,
    ) -> list[Person]:
        """Queue for each person once; returns those reachable (the others are skipped)."""
        sent = []
        seen: set[int] = set()
        for person in people:
            if person.id in seen:
                continue
            seen.add(person.id)
            if await self.send(person, render, ref=ref, not_before=not_before):
                sent.append(person)
        return sent

    async def edit_sent(self, people: Iterable[Person], ref: str, render: Render) -> None:
        """Settle what was sent (or is queued) under `ref` to each of these people who has
        it: its text changes and its buttons go. Left alone: the others, and platforms that
        cannot change a sent message (it would arrive again as a new one)."""
        carriers = await self.repos.outbox.carriers(ref)
        seen: set[int] = set()
        for person in people:
            where = address(person)
            if person.id in seen or where not in carriers or where[0] not in EDITS_IN_PLACE:
                continue
            seen.add(person.id)
            await self.edit(person, ref, render)

    async def edit(self, person: Person, ref: str, render: Render) -> None:
        """Replace the message sent to `person` under `ref` (if it was delivered)."""
        where = address(person)
        if where is None:
            return
        channel, chat_id = where
        await self.repos.outbox.add_edit(
            chat_id, ref, render(person.language), self.now, person_id=person.id, channel=channel
        )
        self.queued += 1


async def station_staff_or_admins(
    repos: Repos, station_id: int, admin_ids: frozenset[int]
) -> list[Person]:
    """Who runs the station: its reachable staff, else the admins (who cover stations without)."""
    staff = [p for p in await repos.people.of_station(station_id, "staff") if p.reachable]
    return staff or await admins(repos, admin_ids)


async def liaisons(repos: Repos, department_id: int) -> list[Person]:
    """A department's liaisons the bot can reach."""
    return [p for p in await repos.people.liaisons_of(department_id) if p.reachable]


async def admins(repos: Repos, admin_ids: frozenset[int]) -> list[Person]:
    found = {p.id: p for p in await repos.people.admins()}
    for telegram_id in admin_ids:
        person = await repos.people.by_telegram(telegram_id)
        if person is not None:
            found[person.id] = person
    return [p for p in found.values() if p.reachable]


async def responders(
    repos: Repos, station_id: int, admin_ids: frozenset[int], excluding: int | None = None
) -> list[Person]:
    """Who gets a new issue: reachable deputies; else staff; else admins — never
    `excluding`, the person who filed it (a deputy's own report goes to the others)."""
    for role in ("deputy", "staff"):
        found = [
            p
            for p in await repos.people.of_station(station_id, role)
            if p.reachable and p.id != excluding
        ]
        if found:
            return found
    return [p for p in await admins(repos, admin_ids) if p.id != excluding]
