"""The services the chat adapters call, built once from settings, clock and database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.services.people import PeopleService
from bot.services.reporting import ReportService
from bot.services.workflow import Workflow
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    people: PeopleService
    reports: ReportService
    workflow: Workflow

    @classmethod
    def build(cls, settings: Settings, clock: Clock, db: Database) -> Services:
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            people=PeopleService(db, clock, settings),
            reports=ReportService(db, clock, settings),
            workflow=Workflow(db, clock, settings),
        )
