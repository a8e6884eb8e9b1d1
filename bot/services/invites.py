"""Binding Telegram and WeCom accounts to seeded deputies, staff and department liaisons:
invite links and phone numbers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import DomainError, NotAllowed, NotFound
from bot.models import Department, Person, Station
from bot.services.base import Service
from storage.repos import Repos

INVITE_TTL = 7 * 86400
ROLES = ("deputy", "staff")


def normalize_phone(phone: str) -> str:
    """Digits only, without China's +86 prefix: '+86 138-0000-0002' → '13800000002'."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


@dataclass(frozen=True)
class Bound:
    person: Person
    station: Station | None
    role: str | None
    department: Department | None = None  # a liaison's unit (role "liaison")

    @property
    def place(self) -> str:
        """Where the role is held: the station, or the liaison's department (in the bound
        person's language)."""
        if self.station is not None:
            return self.station.name
        if self.department is not None:
            return self.department.name(self.person.language)
        return ""


class InviteService(Service):
    async def candidates(self, actor: Actor, station_id: int, role: str) -> list[Person]:
        """Seeded people of the station in that role, not yet bound first."""
        if not actor.admin:
            raise NotAllowed("admins only", key="not_allowed.command")
        if role not in ROLES:
            raise NotFound("role")
        async with self.db.read() as repos:
            people = await repos.people.of_station(station_id, role)
        seeded = [p for p in people if p.key is not None]
        return sorted(seeded, key=lambda p: (p.telegram_id is not None, p.id))

    async def create(self, actor: Actor, station_id: int, role: str, person_id: int) -> str:
        """A one-time token for `/start inv_<token>`, valid for 7 days."""
        if not actor.admin:
            raise NotAllowed("admins only", key="not_allowed.command")
        if role not in ROLES:
            raise NotFound("role")
        now = self._now()
        token = secrets.token_urlsafe(24)  # 32 URL-safe characters
        async with self.db.transaction() as repos:
            person = await repos.people.get(person_id)
            station = await repos.stations.get(station_id)
            if person is None or person.key is None or station is None:
                raise NotFound("no such person or station")
            await repos.invites.create(
                token, person.id, station.id, role, actor.id, now, now + INVITE_TTL
            )
        return token

    async def create_liaison(
        self, person_key: str, department_key: str | None = None
    ) -> tuple[Person, Department, str]:
        """A one-time token that binds a department's liaison (`python -m bot invite`, on the
        server: no admin check). Without `department_key` the person must be a liaison of
        exactly one department."""
        now = self._now()
        token = secrets.token_urlsafe(24)
        async with self.db.transaction() as repos:
            person = await repos.people.by_key(person_key)
            if person is None:
                raise NotFound(f'no seeded person "{person_key}"')
            liaison_of = set(await repos.people.departments_of(person.id))
            departments = [d for d in await repos.stations.departments() if d.id in liaison_of]
            if department_key is not None:
                departments = [d for d in departments if d.key == department_key]
                if not departments:
                    raise NotFound(f'"{person_key}" is not a liaison of "{department_key}"')
            if not departments:
                raise NotFound(f'"{person_key}" is not a liaison of any department')
            if len(departments) > 1:
                keys = ", ".join(d.key for d in departments)
                raise NotFound(f'"{person_key}" is a liaison of {keys}: name one')
            department = departments[0]
            await repos.invites.create_liaison(
                token, person.id, department.id, None, now, now + INVITE_TTL
            )
        return person, department, token

    async def redeem(self, telegram_id: int, token: str) -> Bound:
        """Bind whoever opened the link; an unknown, used or expired link binds nothing."""

        async def bind(repos: Repos, person_id: int, now: int) -> None:
            await repos.people.bind_telegram(person_id, telegram_id, now)

        return await self._redeem(token, telegram_id, bind)

    async def redeem_wecom(self, userid: str, token: str) -> Bound:
        """Bind a WeCom member who sent the invite's code to the app."""

        async def bind(repos: Repos, person_id: int, now: int) -> None:
            await repos.people.bind_wecom(person_id, userid)

        return await self._redeem(token, None, bind)

    async def _redeem(
        self,
        token: str,
        telegram_id: int | None,
        bind: Callable[[Repos, int, int], Awaitable[None]],
    ) -> Bound:
        now = self._now()
        async with self.db.transaction() as repos:
            invite = await repos.invites.get(token)
            if invite is not None and invite.department_id is not None:
                # the seed governs who acts for a unit: one dropped since the invite binds nothing
                liaison_of = await repos.people.departments_of(invite.person_id)
                if invite.department_id not in liaison_of:
                    invite = None
            if invite is None or not await repos.invites.use(token, telegram_id, now):
                raise DomainError("bad invite", key="inv.bad")
            await bind(repos, invite.person_id, now)
            person = await repos.people.get(invite.person_id)
            assert person is not None
            if invite.department_id is not None:
                department = await repos.stations.department(invite.department_id)
                return Bound(person, None, invite.role, department)
            assert invite.station_id is not None
            await repos.people.add_membership(
                invite.person_id, invite.station_id, invite.role, "invite"
            )
            station = await repos.stations.get(invite.station_id)
            return Bound(person, station, invite.role)

    async def writing_report(self, actor: Actor) -> bool:
        """Whether a /report is in progress (a contact shared then belongs to the report)."""
        async with self.db.read() as repos:
            return await repos.drafts.get(actor.id) is not None

    async def bind_phone(self, telegram_id: int, contact_user_id: int | None, phone: str) -> Bound:
        """A shared contact binds a seeded deputy, staff member or liaison, only if it is the
        sender's own."""
        if contact_user_id != telegram_id:
            raise DomainError("not own contact", key="phone.not_own")
        wanted = normalize_phone(phone)
        async with self.db.transaction() as repos:
            matches = [
                pid
                for pid, seeded in await repos.invites.seeded_with_phone()
                if wanted and normalize_phone(seeded) == wanted
            ]
            if len(matches) != 1:
                raise DomainError("no match", key="phone.unknown")
            person = await repos.people.get(matches[0])
            assert person is not None
            if person.telegram_id is not None and person.telegram_id != telegram_id:
                raise DomainError("bound to someone else", key="phone.taken")
            await repos.people.bind_telegram(person.id, telegram_id, self._now())
            person = await repos.people.get(person.id)
            assert person is not None
            return Bound(person, None, None)
