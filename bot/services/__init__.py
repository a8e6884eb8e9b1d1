"""The services the chat adapters call, built once from settings, clock and database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.conversation.counter import Counter
from bot.conversation.desk import Desk
from bot.conversation.engine import Conversations
from bot.conversation.proposals import Proposals
from bot.services.broadcasts import BroadcastService
from bot.services.deadlines import Sweeper
from bot.services.exports import ExportService
from bot.services.invites import InviteService
from bot.services.patrols import PatrolService
from bot.services.people import PeopleService
from bot.services.platform import PlatformService
from bot.services.prompts import PromptService
from bot.services.reception import ReceptionService
from bot.services.reporting import ReportService
from bot.services.revisit import RevisitService
from bot.services.stats import StatsService
from bot.services.suggestion_prompts import SuggestionPrompts
from bot.services.suggestions import SuggestionService
from bot.services.units import UnitService
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
    broadcasts: BroadcastService
    stats: StatsService
    exports: ExportService
    invites: InviteService
    patrols: PatrolService
    reception: ReceptionService
    deadlines: Sweeper
    prompts: PromptService
    conversations: Conversations
    desk: Desk
    counter: Counter
    platform: PlatformService
    units: UnitService
    revisit: RevisitService
    suggestions: SuggestionService
    proposals: Proposals

    @classmethod
    def build(cls, settings: Settings, clock: Clock, db: Database) -> Services:
        workflow = Workflow(db, clock, settings)
        patrols = PatrolService(db, clock, settings)
        reception = ReceptionService(db, clock, settings)
        people = PeopleService(db, clock, settings)
        reports = ReportService(db, clock, settings)
        broadcasts = BroadcastService(db, clock, settings)
        units = UnitService(workflow)
        revisit = RevisitService(workflow)
        prompts = PromptService(workflow, units)
        suggestions = SuggestionService(db, clock, settings)
        proposals = Proposals(settings, suggestions, SuggestionPrompts(suggestions))
        conversations = Conversations(
            db=db,
            clock=clock,
            settings=settings,
            people=people,
            reports=reports,
            prompts=prompts,
            broadcasts=broadcasts,
            patrols=patrols,
            proposals=proposals,
        )
        platform = PlatformService(db, clock, settings)
        deadlines = Sweeper(
            db,
            clock,
            settings,
            workflow=workflow,
            patrols=patrols,
            reception=reception,
            units=units,
            revisit=revisit,
            suggestions=suggestions,
        )
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            people=people,
            reports=reports,
            workflow=workflow,
            broadcasts=broadcasts,
            stats=StatsService(db, clock, settings),
            exports=ExportService(db, clock, settings),
            invites=InviteService(db, clock, settings),
            patrols=patrols,
            reception=reception,
            deadlines=deadlines,
            prompts=prompts,
            conversations=conversations,
            desk=Desk(
                settings,
                workflow,
                conversations,
                deadlines,
                patrols,
                platform,
                units,
                revisit=revisit,
                proposals=proposals,
            ),
            counter=Counter(
                people=people,
                workflow=workflow,
                broadcasts=broadcasts,
                reception=reception,
                conversations=conversations,
                revisit=revisit,
            ),
            platform=platform,
            units=units,
            revisit=revisit,
            suggestions=suggestions,
            proposals=proposals,
        )
