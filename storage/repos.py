"""All repositories over one connection, as a unit a service can use inside a transaction."""

from __future__ import annotations

from functools import cached_property

import aiosqlite

from storage.broadcasts import BroadcastRepo
from storage.drafts import DraftRepo
from storage.invites import InviteRepo
from storage.issues import IssueRepo
from storage.outbox import OutboxRepo
from storage.pending import PendingRepo
from storage.people import PeopleRepo
from storage.reference import ReferenceCache
from storage.stations import StationRepo
from storage.stats import StatsRepo


class Repos:
    """Each repository is made on first use: a read or a transaction touches two or three of
    them, and one is opened for every update."""

    def __init__(self, conn: aiosqlite.Connection, reference: ReferenceCache | None = None) -> None:
        self.conn = conn
        self._reference = reference

    def used(self, name: str) -> bool:
        """Whether repository `name` was used (made) in this unit."""
        return name in self.__dict__

    @cached_property
    def people(self) -> PeopleRepo:
        return PeopleRepo(self.conn)

    @cached_property
    def stations(self) -> StationRepo:
        return StationRepo(self.conn, self._reference)

    @cached_property
    def issues(self) -> IssueRepo:
        return IssueRepo(self.conn)

    @cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.conn)

    @cached_property
    def drafts(self) -> DraftRepo:
        return DraftRepo(self.conn)

    @cached_property
    def pending(self) -> PendingRepo:
        return PendingRepo(self.conn)

    @cached_property
    def broadcasts(self) -> BroadcastRepo:
        return BroadcastRepo(self.conn)

    @cached_property
    def invites(self) -> InviteRepo:
        return InviteRepo(self.conn)

    @cached_property
    def stats(self) -> StatsRepo:
        return StatsRepo(self.conn)
