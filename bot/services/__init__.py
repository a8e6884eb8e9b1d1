"""The services the chat adapters call, built once from settings, clock and database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.services.broadcasts import BroadcastService
from bot.services.deadlines import Sweeper
from bot.services.exports import ExportService
from bot.services.invites import InviteService
from bot.services.patrols import PatrolService
from bot.services.people import PeopleService
from bot.services.reception import ReceptionService
from bot.services.reporting import ReportService
from bot.services.stats import StatsService
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
    broadcasts: BroadcastService  # issue 5
    stats: StatsService
    exports: ExportService
    invites: InviteService
    patrols: PatrolService  # issue 4: scheduler
    reception: ReceptionService  # issue 4
    deadlines: Sweeper  # issue 4

    @classmethod
    def build(cls, settings: Settings, clock: Clock, db: Database) -> Services:
        workflow = Workflow(db, clock, settings)
        patrols = PatrolService(db, clock, settings)  # issue 4
        reception = ReceptionService(db, clock, settings)  # issue 4
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            people=PeopleService(db, clock, settings),
            reports=ReportService(db, clock, settings),
            workflow=workflow,
            broadcasts=BroadcastService(db, clock, settings),
            stats=StatsService(db, clock, settings),
            exports=ExportService(db, clock, settings),
            invites=InviteService(db, clock, settings),
            patrols=patrols,
            reception=reception,
            deadlines=Sweeper(
                db, clock, settings, workflow=workflow, patrols=patrols, reception=reception
            ),
        )
