"""Who is acting: a person with their stations, departments and roles, as stored in the
database."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.models import Awaiting, Issue, Lang, Pending, Person, Role


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    person: Person
    deputy_at: frozenset[int] = frozenset()
    staff_at: frozenset[int] = frozenset()
    liaison_of: frozenset[int] = frozenset()  # department ids
    admin: bool = False
    # what the bot waits for from this person, as read with them at the start of this update
    # (no query per message); it also holds the newest platform update applied for them
    pending: Pending | None = None

    @property
    def id(self) -> int:
        return self.person.id

    @property
    def awaiting(self) -> Awaiting | None:
        """The kind of answer the bot waits for: text goes to it only when there is one."""
        if self.pending is None or not self.pending.active:
            return None
        return self.pending.kind

    @property
    def lang(self) -> Lang:
        return self.person.language

    @property
    def is_deputy(self) -> bool:
        return bool(self.deputy_at)

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_at)

    @property
    def is_liaison(self) -> bool:
        return bool(self.liaison_of)

    @property
    def is_resident_only(self) -> bool:
        return not (self.deputy_at or self.staff_at or self.liaison_of or self.admin)

    def roles_for(self, issue: Issue) -> set[Role]:
        """This person's standing towards one issue. Handling it (deputy, owner) needs a
        current place among the station's deputies, and is never the filer's: whoever raised
        an issue cannot accept, answer and rate it themselves."""
        roles: set[Role] = set()
        filer = issue.filer_id == self.person.id
        if filer:
            roles.add(Role.RESIDENT)
        if issue.station_id in self.deputy_at and not filer:
            roles.add(Role.DEPUTY)
            if issue.owner_id == self.person.id:
                roles.add(Role.OWNER)
        if issue.department_id in self.liaison_of:
            roles.add(Role.LIAISON)
        if issue.station_id in self.staff_at:
            roles.add(Role.STAFF)
        if self.admin:
            roles.add(Role.ADMIN)
        return roles

    def can_see(self, issue: Issue) -> bool:
        return bool(self.roles_for(issue))
