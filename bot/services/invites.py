"""Binding Telegram and WeCom accounts to seeded deputies, staff and department liaisons:
invite links and phone numbers.

An account stands for one person. A binding never takes a role from the person who holds
it (an invite or number whose person is bound to another account is refused), never moves
an account that stands for another seeded person without a confirmation naming both, and
never outlives the seed: an invite binds only while the seed still lists its person there."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import DomainError, NotAllowed, NotFound
from bot.models import Department, Lang, Person, Station
from bot.services.base import Service
from bot.texts import plain
from storage.people import Binding
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


@dataclass(frozen=True)
class Standing:
    """A seeded person and what an account bound to them stands for: their roles (each with
    the station or department where it is held) and whether they are an admin."""

    person: Person
    roles: tuple[tuple[str, Station | Department], ...] = ()
    admin: bool = False

    def describe(self, lang: Lang) -> str:
        """Plain text: 代表工委（管理员）, 张三（北关街道联络站 代表）."""
        parts = [plain(lang, "identity.admin")] if self.admin else []
        for role, place in self.roles:
            where = place.name if isinstance(place, Station) else place.name(lang)
            what = plain(lang, f"inv.role_{role}")
            parts.append(plain(lang, "identity.role_at", place=where, role=what))
        if not parts:
            return self.person.name
        roles = plain(lang, "identity.and").join(parts)
        return plain(lang, "identity.as", name=self.person.name, roles=roles)


@dataclass(frozen=True)
class Switch:
    """An account moving from one seeded person to another: what it stands for now
    (`current`) and what the invite makes it (`wanted`)."""

    current: Standing
    wanted: Standing


class Rebind(DomainError):
    """The account that opened an invite stands for another seeded person: nothing changes
    unless the presser confirms a question naming both (`InviteService.confirm`)."""

    key = "identity.confirm"

    def __init__(self, switch: Switch) -> None:
        current, wanted = switch.current.person.name, switch.wanted.person.name
        super().__init__("bound to another seeded person", current=current, wanted=wanted)
        self.switch = switch


async def standing(repos: Repos, person: Person) -> Standing:
    """What `person` is now, as the database holds it."""
    roles: list[tuple[str, Station | Department]] = []
    for station_id, role in await repos.people.memberships(person.id):
        station = await repos.stations.get(station_id)
        if station is not None:
            roles.append((role, station))
    for department_id in await repos.people.departments_of(person.id):
        department = await repos.stations.department(department_id)
        if department is not None:
            roles.append(("liaison", department))
    return Standing(person, tuple(roles), person.is_admin)


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
            if not await repos.people.has_role(person.id, station.id, role):
                raise NotFound("the seed does not list them there")  # a stale /invite press
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
        """Bind whoever opened the link to the invite's person. Refused (`DomainError`, and
        nothing changes): an unknown, used or expired link (`inv.bad`); a person the seed no
        longer lists there (`identity.gone`); a person bound to another Telegram account
        (`identity.taken`: the one who holds the role keeps it). An account bound to
        another seeded person gets `Rebind`: it moves only on `confirm`, and the invite
        stays unused until then."""
        bound, _ = await self._redeem(token, "telegram_id", telegram_id, confirmed=None)
        return bound

    async def confirm(self, telegram_id: int, token: str, person_id: int) -> Switch:
        """确认 under `Rebind`'s question: every check of `redeem` again, and the account must
        still be bound to `person_id`, the person the question named (else `identity.stale`).
        Returns what the account stood for before and stands for now."""
        bound, previous = await self._redeem(token, "telegram_id", telegram_id, confirmed=person_id)
        assert previous is not None
        place = bound.station or bound.department
        assert place is not None and bound.role is not None
        return Switch(previous, Standing(bound.person, ((bound.role, place),)))

    async def redeem_wecom(self, userid: str, token: str) -> Bound:
        """Bind a WeCom member who sent the invite's code to the app: the refusals of
        `redeem`, and a member bound to another seeded person is refused
        (`identity.wecom_other`: WeCom's text replies carry no buttons to confirm with)."""
        bound, _ = await self._redeem(token, "wecom_userid", userid, confirmed=None)
        return bound

    async def _redeem(
        self, token: str, column: Binding, account: int | str, confirmed: int | None
    ) -> tuple[Bound, Standing | None]:
        now = self._now()
        async with self.db.transaction() as repos:
            invite = await repos.invites.get(token)
            if invite is None or invite.used_at is not None or invite.expires_at <= now:
                raise DomainError("bad invite", key="inv.bad")
            place: Station | Department | None
            if invite.department_id is not None:
                # the seed governs who acts for a unit: one dropped since the invite binds nothing
                if invite.department_id not in await repos.people.departments_of(invite.person_id):
                    raise DomainError("bad invite", key="inv.bad")
                place = await repos.stations.department(invite.department_id)
            else:
                # and who is a deputy or staff member of a station: the same
                assert invite.station_id is not None
                if not await repos.people.has_role(
                    invite.person_id, invite.station_id, invite.role
                ):
                    raise DomainError("no longer at the station", key="identity.gone")
                place = await repos.stations.get(invite.station_id)
            person = await repos.people.get(invite.person_id)
            if person is None or place is None:
                raise DomainError("no longer seeded", key="identity.gone")
            wanted = Standing(person, ((invite.role, place),))
            theirs = person.telegram_id if column == "telegram_id" else person.wecom_userid
            if theirs is not None and theirs != account:
                raise DomainError("bound to another account", key="identity.taken")
            holder = await repos.people.bound_to(column, account)
            previous: Standing | None = None
            if holder is not None and holder.id != person.id and holder.key is not None:
                # the account stands for another seeded person (an admin, a deputy, …)
                if column == "wecom_userid":
                    raise DomainError("bound to another seeded person", key="identity.wecom_other")
                previous = await standing(repos, holder)
                if confirmed is None:
                    raise Rebind(Switch(previous, wanted))
            if confirmed is not None and (previous is None or previous.person.id != confirmed):
                raise DomainError("the account changed since the question", key="identity.stale")
            used_by = account if isinstance(account, int) else None
            if not await repos.invites.use(token, used_by, now):
                raise DomainError("bad invite", key="inv.bad")
            if isinstance(account, int):
                await repos.people.bind_telegram(person.id, account, now)
            else:
                await repos.people.bind_wecom(person.id, account)
            person = await repos.people.get(person.id)
            assert person is not None
            if isinstance(place, Department):
                return Bound(person, None, invite.role, place), previous
            return Bound(person, place, invite.role), previous

    async def writing_report(self, actor: Actor) -> bool:
        """Whether a /report is in progress (a contact shared then belongs to the report)."""
        async with self.db.read() as repos:
            return await repos.drafts.get(actor.id) is not None

    async def bind_phone(self, telegram_id: int, contact_user_id: int | None, phone: str) -> Bound:
        """A shared contact binds a seeded deputy, staff member or liaison, only if it is the
        sender's own, the person is bound to no other account (`phone.taken`) and the sender's
        account stands for no other seeded person (`identity.phone_other`, naming both)."""
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
            holder = await repos.people.by_telegram(telegram_id)
            if holder is not None and holder.id != person.id and holder.key is not None:
                # a phone number is weaker proof than an admin's invite: it never moves an
                # account that stands for another seeded person (an invite asks first)
                raise DomainError(
                    "bound to another seeded person",
                    key="identity.phone_other",
                    current=holder.name,
                    wanted=person.name,
                )
            await repos.people.bind_telegram(person.id, telegram_id, self._now())
            person = await repos.people.get(person.id)
            assert person is not None
            return Bound(person, None, None)
