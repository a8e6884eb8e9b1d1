"""All repositories over one connection, as a unit a service can use inside a transaction."""

from __future__ import annotations

import aiosqlite

from storage.conversations import ConversationRepo
from storage.drafts import DraftRepo
from storage.issues import IssueRepo
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.stations import StationRepo


class Repos:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.people = PeopleRepo(conn)
        self.stations = StationRepo(conn)
        self.issues = IssueRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.drafts = DraftRepo(conn)
        self.conversations = ConversationRepo(conn)
