"""What adapters of callback platforms (WeCom) need from the core: a durable inbox, who an
account belongs to, the interactive messages they may change later, numbered choices, and
the person's choice of platform (/channel)."""

from __future__ import annotations

from bot.actor import Actor
from bot.messages import Outgoing
from bot.models import Channel, Inbound, Lang, PlatformMessage
from bot.services.base import Service
from bot.services.people import actor_from, actor_of

CHOICES_LAST = 24 * 3600  # a numbered list answers typed numbers for a day


class PlatformService(Service):
    # -- inbox ---------------------------------------------------------------------------
    async def receive(self, channel: Channel, key: str, address: str, payload: str) -> int | None:
        """Record a callback before it is acknowledged; None when it was recorded before."""
        async with self.db.transaction() as repos:
            return await repos.platform.receive(channel, key, address, payload, self._now())

    async def unhandled(self, channel: Channel) -> list[Inbound]:
        async with self.db.read() as repos:
            return await repos.platform.unhandled(channel)

    async def handled(self, inbound_id: int) -> None:
        async with self.db.transaction() as repos:
            await repos.platform.handled(inbound_id, self._now())

    # -- people --------------------------------------------------------------------------
    async def identify(self, channel: Channel, address: str) -> Actor | None:
        """The seeded person behind a platform account (None: nobody the seed names); their
        notices follow them to the platform they wrote from."""
        assert channel is Channel.WECOM
        async with self.db.read() as repos:
            found = await repos.people.with_memberships(wecom_userid=address)
        if found is None:
            return None
        person = found.person
        if person.last_channel is channel and person.wecom_gone_at is None:
            return actor_from(found, self.settings)
        async with self.db.transaction() as repos:
            await repos.people.wrote_from(person.id, channel)
            return await actor_of(repos, person.id, self.settings)

    async def address(self, channel: Channel, person_id: int) -> tuple[str, Lang] | None:
        """The account a person has on a platform, and their language."""
        assert channel is Channel.WECOM
        async with self.db.read() as repos:
            person = await repos.people.get(person_id)
        if person is None or person.wecom_userid is None:
            return None
        return person.wecom_userid, person.language

    async def choose_channel(self, actor: Actor, channel: Channel) -> Actor:
        async with self.db.transaction() as repos:
            await repos.people.set_channel_pref(actor.id, channel)
            return await actor_of(repos, actor.id, self.settings)

    # -- interactive messages ------------------------------------------------------------
    async def sent(self, channel: Channel, address: str, handle: str, code: str | None) -> int:
        async with self.db.transaction() as repos:
            return await repos.platform.sent(channel, address, handle, code, self._now())

    async def message(self, message_id: int) -> PlatformMessage | None:
        async with self.db.read() as repos:
            return await repos.platform.message(message_id)

    async def by_handle(self, channel: Channel, handle: str) -> PlatformMessage | None:
        async with self.db.read() as repos:
            return await repos.platform.by_handle(channel, handle)

    async def new_code(self, channel: Channel, handle: str, code: str) -> None:
        async with self.db.transaction() as repos:
            await repos.platform.new_code(channel, handle, code, self._now())

    async def code_used(self, message_id: int) -> None:
        async with self.db.transaction() as repos:
            await repos.platform.code_used(message_id)

    async def queue(self, actor: Actor, messages: list[Outgoing]) -> None:
        """Send these through the outbox (the platform asked us to slow down)."""
        async with self.db.transaction() as repos:
            for message in messages:
                await repos.outbox.add(
                    actor.id, message, self._now(), person_id=actor.id, channel=Channel.WECOM
                )

    # -- numbered choices ----------------------------------------------------------------
    async def offer(self, channel: Channel, address: str, options: list[str]) -> None:
        async with self.db.transaction() as repos:
            await repos.platform.offer(channel, address, options, self._now())

    async def offered(self, channel: Channel, address: str) -> list[str]:
        """The options of the latest numbered list (none after a day)."""
        async with self.db.read() as repos:
            found = await repos.platform.offered(channel, address)
        if found is None or self._now() - found[1] > CHOICES_LAST:
            return []
        return found[0]
