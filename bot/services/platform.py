"""What adapters of callback platforms (WeCom) need from the core: a durable inbox, who an
account belongs to, the interactive messages they may change later, numbered choices, and
the person's choice of platform (/channel)."""

from __future__ import annotations

from bot.actor import Actor
from bot.messages import Outgoing
from bot.models import PHOTO_PREFIX, Channel, Inbound, Lang, PlatformMessage, Window
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
        async with self.db.read() as repos:
            if channel is Channel.WECOM:
                found = await repos.people.with_memberships(wecom_userid=address)
            else:
                found = await repos.people.with_memberships(wechat_openid=address)
        if found is None:
            return None
        person = found.person
        if person.last_channel is channel and person.reaches(channel):
            return actor_from(found, self.settings)
        async with self.db.transaction() as repos:
            await repos.people.wrote_from(person.id, channel)
            return await actor_of(repos, person.id, self.settings)

    async def follower(self, openid: str, name: str) -> Actor:
        """The resident behind a WeChat follower, created at their first message."""
        found = await self.identify(Channel.WECHAT, openid)
        if found is not None:
            return found
        async with self.db.transaction() as repos:
            person = await repos.people.add_wechat(openid, name, self._now())
            await repos.people.wrote_from(person.id, Channel.WECHAT)
            return await actor_of(repos, person.id, self.settings)

    async def unfollowed(self, openid: str) -> None:
        """Nothing reaches an unfollowed account; their notices are not queued any more."""
        async with self.db.transaction() as repos:
            person = await repos.people.by_wechat(openid)
            if person is not None:
                await repos.people.mark_wechat_gone(person.id, self._now())

    async def address(self, channel: Channel, person_id: int) -> tuple[str, Lang] | None:
        """The account a person has on a platform, and their language."""
        async with self.db.read() as repos:
            person = await repos.people.get(person_id)
        if person is None:
            return None
        account = person.wecom_userid if channel is Channel.WECOM else person.wechat_openid
        if account is None:
            return None
        return account, person.language

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

    async def queue(
        self, actor: Actor, messages: list[Outgoing], channel: Channel = Channel.WECOM
    ) -> None:
        """Send these through the outbox (the platform asked us to slow down, or the reply
        window has no room left for them now)."""
        async with self.db.transaction() as repos:
            for message in messages:
                await repos.outbox.add(
                    actor.id, message, self._now(), person_id=actor.id, channel=channel
                )

    # -- reply windows (WeChat) ----------------------------------------------------------
    async def window_opened(self, channel: Channel, address: str, *, by_message: bool) -> None:
        """The follower wrote (or tapped the menu, followed, scanned): a window opens."""
        async with self.db.transaction() as repos:
            window = await repos.platform.window(channel, address)
            now = self._now()
            await repos.platform.set_window(
                channel, address, window.opened(now, by_message=by_message)
            )

    async def window(self, channel: Channel, address: str) -> Window:
        async with self.db.read() as repos:
            return await repos.platform.window(channel, address)

    async def take(self, channel: Channel, address: str, count: int) -> bool:
        """Use `count` sends of the follower's windows; False (nothing used) when they do
        not have that much room now."""
        async with self.db.transaction() as repos:
            window = await repos.platform.window(channel, address)
            now = self._now()
            if window.room(now) < count:
                return False
            await repos.platform.set_window(channel, address, window.taken(now, count))
            return True

    async def used_up(self, channel: Channel, address: str) -> None:
        """The platform said the window is closed or used up: believe it."""
        async with self.db.transaction() as repos:
            await repos.platform.set_window(channel, address, Window())

    async def held(self, channel: Channel, person_id: int) -> int:
        """How many messages wait for the person to open a window."""
        async with self.db.read() as repos:
            return await repos.outbox.held(channel, person_id)

    async def release(self, channel: Channel, person_id: int) -> int:
        """The person wrote: notices held for their window are due now."""
        async with self.db.transaction() as repos:
            return await repos.outbox.release(channel, person_id, self._now())

    # -- photos ------------------------------------------------------------------------------
    async def keep_photo(self, channel: Channel, data: bytes) -> str:
        """Keep a photo whose platform reference expires; returns the issue's photo ref."""
        async with self.db.transaction() as repos:
            return f"{PHOTO_PREFIX}{await repos.platform.keep_photo(channel, data, self._now())}"

    async def photo(self, ref: str) -> bytes | None:
        """A kept photo's bytes (None: not one kept here)."""
        if not ref.startswith(PHOTO_PREFIX) or not ref[len(PHOTO_PREFIX) :].isdigit():
            return None
        async with self.db.read() as repos:
            return await repos.platform.photo(int(ref[len(PHOTO_PREFIX) :]))

    # -- numbered choices ----------------------------------------------------------------
    async def offer(self, channel: Channel, address: str, options: list[str]) -> None:
        async with self.db.transaction() as repos:
            await repos.platform.offer(channel, address, options, self._now())

    async def chosen(self, channel: Channel, address: str, text: str) -> str | None:
        """What a typed number picks from the person's latest numbered list: the option's
        data; "" when the list has no such number; None when `text` answers no list."""
        if not (text.isdigit() and len(text) <= 2):
            return None
        options = await self.offered(channel, address)
        if not options:
            return None
        number = int(text)
        return options[number - 1] if 1 <= number <= len(options) else ""

    async def offered(self, channel: Channel, address: str) -> list[str]:
        """The options of the latest numbered list (none after a day)."""
        async with self.db.read() as repos:
            found = await repos.platform.offered(channel, address)
        if found is None or self._now() - found[1] > CHOICES_LAST:
            return []
        return found[0]
