"""All repositories over one connection, as a unit a service can use inside a transaction."""

from __future__ import annotations

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
    def __init__(self, conn: aiosqlite.Connection, reference: ReferenceCache | None = None) -> None:
        self.conn = conn
        self.people = PeopleRepo(conn)
        self.stations = StationRepo(conn, reference)
        self.issues = IssueRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.drafts = DraftRepo(conn)
        self.pending = PendingRepo(conn)
        # issue 5: staff and admin tools
        self.broadcasts = BroadcastRepo(conn)
        self.invites = InviteRepo(conn)
        self.stats = StatsRepo(conn)
