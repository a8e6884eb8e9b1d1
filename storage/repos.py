"""All repositories over one connection, as a unit a service can use inside a transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import aiosqlite

from storage._base import Repo
from storage.broadcasts import BroadcastRepo
from storage.calendar import CalendarRepo
from storage.digest import DigestRepo
from storage.drafts import DraftRepo
from storage.handovers import HandoverRepo
from storage.invites import InviteRepo
from storage.issues import IssueRepo
from storage.outbox import OutboxRepo
from storage.pending import PendingRepo
from storage.people import PeopleRepo
from storage.platform import PlatformRepo
from storage.reference import ReferenceCache
from storage.revisit import RevisitRepo
from storage.scheduler import SchedulerRepo
from storage.stations import StationRepo
from storage.stats import StatsRepo
from storage.suggestions import SuggestionRepo


class Repos:
    """Each repository is made on first use: a read or a transaction touches two or three of
    them, and one is opened for every update."""

    conn: aiosqlite.Connection
    _reference: ReferenceCache | None
    people: PeopleRepo
    stations: StationRepo
    issues: IssueRepo
    outbox: OutboxRepo
    drafts: DraftRepo
    pending: PendingRepo
    broadcasts: BroadcastRepo
    invites: InviteRepo
    stats: StatsRepo
    scheduler: SchedulerRepo
    platform: PlatformRepo
    calendar: CalendarRepo
    revisit: RevisitRepo
    handovers: HandoverRepo
    digest: DigestRepo
    suggestions: SuggestionRepo

    _MAKERS: ClassVar[dict[str, Callable[[Repos], Repo]]] = {
        "people": lambda r: PeopleRepo(r.conn),
        "stations": lambda r: StationRepo(r.conn, r._reference),
        "issues": lambda r: IssueRepo(r.conn),
        "outbox": lambda r: OutboxRepo(r.conn),
        "drafts": lambda r: DraftRepo(r.conn),
        "pending": lambda r: PendingRepo(r.conn),
        "broadcasts": lambda r: BroadcastRepo(r.conn),
        "invites": lambda r: InviteRepo(r.conn),
        "stats": lambda r: StatsRepo(r.conn),
        "scheduler": lambda r: SchedulerRepo(r.conn),
        "platform": lambda r: PlatformRepo(r.conn),
        "calendar": lambda r: CalendarRepo(r.conn),
        "revisit": lambda r: RevisitRepo(r.conn),
        "handovers": lambda r: HandoverRepo(r.conn),
        "digest": lambda r: DigestRepo(r.conn),
        "suggestions": lambda r: SuggestionRepo(r.conn),
    }

    def __init__(self, conn: aiosqlite.Connection, reference: ReferenceCache | None = None) -> None:
        self.conn = conn
        self._reference = reference

    def __getattr__(self, name: str) -> Repo:
        """The first use of a repository makes it (later uses find it as an attribute)."""
        maker = self._MAKERS.get(name)
        if maker is None:
            raise AttributeError(name)
        repo = maker(self)
        setattr(self, name, repo)
        return repo

    def used(self, name: str) -> bool:
        """Whether repository `name` was used (made) in this unit."""
        return name in self.__dict__
