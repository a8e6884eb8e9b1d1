"""The deadline sweep: reminders at 80%, overdue notices with 督办, escalation to admins,
auto-close of unrated answers — plus the scheduler's other periodic duties.

One periodic job calls `Sweeper.sweep()`; it finds what is due with indexed queries over the
partial indexes of migration 0001 (not one timer per issue). Each nudge is recorded in the
`nudges` table (UNIQUE issue, kind, cycle) in the same transaction as its outbox rows, so it
is sent once across restarts and late sweeps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields

from bot.actor import Actor
from bot.clock import Clock
from bot.config import Settings
from bot.errors import DomainError, NotAllowed
from bot.models import Category, Issue, Overdue, Person, Station
from bot.scheduling import DAY, due_of, phase_of, quiet_until, remind_moment
from bot.services.digest import DigestService
from bot.services.outbox import Notices, Render, admins, station_staff_or_admins
from bot.services.patrols import PatrolService
from bot.services.reception import ReceptionService
from bot.services.revisit import RevisitService
from bot.services.suggestions import SuggestionService
from bot.services.units import UnitService
from bot.services.workflow import Workflow
from bot.views import scheduler as scheduler_views

# re-exported: handlers/scheduling.py imports it from here
from storage.db import Database
from storage.repos import Repos

log = logging.getLogger(__name__)

AUTO_CLOSE_AFTER = 3 * DAY  # a reply without rating closes as 未评价 after this
OVERDUE_PAGE = 10
FINISHED_DRAFTS_KEPT = 30 * DAY


@dataclass
class SweepReport:
    reminders: int = 0
    overdue: int = 0
    escalated: int = 0
    auto_closed: int = 0
    phone_lists: int = 0  # 回访 by phone: one list per station
    rechecks: int = 0  # 问题有没有反复, 14 days after 已解决
    patrols_run: int = 0
    patrol_reminders: int = 0
    reception: int = 0
    unit_nudges: int = 0
    suggestion_nudges: int = 0
    digest: int = 0
    released: int = 0  # issues whose deputy left the station, back with the station

    @property
    def total(self) -> int:
        return sum(int(getattr(self, f.name)) for f in fields(self))


class Sweeper:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        *,
        workflow: Workflow | None = None,
        patrols: PatrolService | None = None,
        reception: ReceptionService | None = None,
        units: UnitService | None = None,
        revisit: RevisitService | None = None,
        suggestions: SuggestionService | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self._drafts_swept = 0
        self.workflow = workflow or Workflow(db, clock, settings)
        self.patrols = patrols or PatrolService(db, clock, settings)
        self.reception = reception or ReceptionService(db, clock, settings)
        self.units = units or UnitService(self.workflow)
        self.revisit = revisit or RevisitService(self.workflow)
        self.digest = DigestService(db, clock, settings)
        self.suggestions = suggestions or SuggestionService(db, clock, settings)

    def _now(self) -> int:
        return int(self.clock.now())

    # -- the sweep -------------------------------------------------------------------------
    async def sweep(self) -> SweepReport:
        """Everything due now: nudges, auto-close and 回访 (phone lists, 14-day re-checks),
        patrols (scheduled and reminders), reception."""
        report = SweepReport()
        report.released = await self._release_orphans()
        await self._deadlines(report)
        report.unit_nudges = await self.units.nudge_due()
        report.suggestion_nudges = await self.suggestions.nudge_due()
        report.digest = await self.digest.send_due()
        report.auto_closed = await self._auto_close()
        report.phone_lists = await self.revisit.phone_lists()  # after the auto-close
        report.rechecks = await self.revisit.rechecks()
        report.patrols_run = await self.patrols.run_due()
        report.patrol_reminders = await self.patrols.remind_unfinished()
        report.reception = await self.reception.remind()
        await self._forget_old_drafts()
        if report.total:
            log.info("sweep: %s", report)
        return report

    async def _forget_old_drafts(self) -> None:
        """Finished report drafts only explain old buttons; after 30 days they go (hourly)."""
        now = self._now()
        if now - self._drafts_swept < 3600:
            return
        self._drafts_swept = now
        async with self.db.transaction() as repos:
            await repos.drafts.forget_finished(now - FINISHED_DRAFTS_KEPT)

    async def _deadlines(self, report: SweepReport) -> None:
        now = self._now()
        hold = quiet_until(now, self.settings.quiet, self.settings.zone)
        due: list[tuple[Issue, list[str], int | None]] = []
        quiet: list[tuple[int, int | None]] = []
        async with self.db.read() as repos:
            categories = {c.id: c for c in await repos.stations.all_categories()}
            # only issues whose next nudge is due (issues.next_nudge_at, kept by every change)
            for issue in await repos.scheduler.nudge_candidates(now):
                kinds, next_at = await self._plan(repos, issue, categories, now, hold)
                if kinds:
                    due.append((issue, kinds, next_at))
                else:
                    quiet.append((issue.id, next_at))
        if quiet:
            async with self.db.transaction() as repos:
                await repos.scheduler.set_next_nudges(quiet)
        for issue, kinds, next_at in due:
            try:
                await self._nudge(issue, kinds, now, hold, report, next_at)
            except Exception:
                log.exception("sweep: nudging #%s failed", issue.id)

    async def _plan(
        self,
        repos: Repos,
        issue: Issue,
        categories: dict[int, Category],
        now: int,
        hold: int | None,
    ) -> tuple[list[str], int | None]:
        """Which nudges of the issue are due now and not yet sent, and when the next one is."""
        category = categories.get(issue.category_id) or await repos.stations.category(
            issue.category_id
        )
        assert category is not None
        if category.urgent:
            hold = None  # an urgent category's nudges go out in quiet hours too
        phase = phase_of(issue)
        cycle = 0 if phase == "accept" else issue.reopen_count
        due = due_of(issue)
        start = issue.created_at
        if phase == "reply" and issue.reopen_count:
            start = await repos.scheduler.reopened_at(issue.id) or start
        done = await repos.scheduler.nudged(issue.id, cycle)
        escalate_at = due + category.escalate_after
        kinds: list[str] = []
        if now >= due:
            if f"{phase}_overdue" not in done:
                kinds.append("overdue")
            if now >= escalate_at and f"{phase}_escalate" not in done:
                kinds.append("escalate")
            escalated = "escalate" in kinds or f"{phase}_escalate" in done
            return kinds, None if escalated else escalate_at
        remind_at = remind_moment(start, due)
        if now < remind_at:
            return [], remind_at
        if f"{phase}_remind" in done:
            return [], due
        if hold is not None and hold >= due:
            return [], due  # held past the deadline: the overdue notice will say it all
        return ["remind"], due

    async def _nudge(
        self,
        seen: Issue,
        kinds: list[str],
        now: int,
        hold: int | None,
        report: SweepReport,
        next_at: int | None,
    ) -> None:
        async with self.db.transaction() as repos:
            issue = await repos.issues.get(seen.id)
            if (
                issue is None
                or issue.state is not seen.state
                or due_of(issue) != due_of(seen)
                or issue.reopen_count != seen.reopen_count
                or issue.owner_id != seen.owner_id
            ):
                return  # it moved since the plan; the next sweep looks again
            category = await repos.stations.category(issue.category_id)
            assert category is not None
            phase = phase_of(issue)
            cycle = 0 if phase == "accept" else issue.reopen_count
            nudger = _Nudger(self, repos, issue, category, phase, cycle, now, hold)
            if "remind" in kinds and await nudger.remind():
                report.reminders += 1
            if "overdue" in kinds and await nudger.overdue():
                report.overdue += 1
            if "escalate" in kinds and await nudger.escalate():
                report.escalated += 1
            await repos.scheduler.set_next_nudges([(issue.id, next_at)])

    async def _release_orphans(self) -> int:
        """Issues in hand whose deputy is no longer one of the station's (a seed reload took
        them off) go back to the station; the staff are told."""
        async with self.db.read() as repos:
            ids = await repos.issues.orphaned()
        released = 0
        for issue_id in ids:
            try:
                released += await self.workflow.release(issue_id) is not None
            except Exception:
                log.exception("sweep: releasing #%s failed", issue_id)
        return released

    async def _auto_close(self) -> int:
        now = self._now()
        async with self.db.read() as repos:
            ids = await repos.scheduler.replied_before(now - AUTO_CLOSE_AFTER)
        closed = 0
        for issue_id in ids:
            try:
                await self.workflow.auto_close(issue_id)
                closed += 1
            except DomainError:
                log.info("auto-close #%s: no longer replied", issue_id)
            except Exception:
                log.exception("auto-close #%s failed", issue_id)
        return closed

    # -- /overdue --------------------------------------------------------------------------
    async def overdue(
        self, actor: Actor, offset: int = 0, limit: int = OVERDUE_PAGE
    ) -> tuple[list[Overdue], int]:
        """Overdue open issues: staff see their stations, admins all. Re-reads roles."""
        async with self.db.read() as repos:
            person = await repos.people.get(actor.id)
            assert person is not None
            memberships = await repos.people.memberships(actor.id)
            is_admin = person.is_admin or person.telegram_id in self.settings.admin_telegram_ids
            staff_at = sorted(s for s, role in memberships if role == "staff")
            if not is_admin and not staff_at:
                raise NotAllowed("staff and admins only", key="overdue.not_allowed")
            issues, total = await repos.scheduler.overdue(
                self._now(), None if is_admin else staff_at, limit, offset
            )
            stations = {s.id: s for s in await repos.stations.all()}
            owners = await repos.people.many(sorted({i.owner_id for i in issues if i.owner_id}))
            by_id = {p.id: p for p in owners}
            found = [
                Overdue(
                    issue=issue,
                    station=stations.get(issue.station_id)
                    or await _station(repos, issue.station_id),
                    owner=by_id.get(issue.owner_id) if issue.owner_id else None,
                )
                for issue in issues
            ]
            return found, total


async def _station(repos: Repos, station_id: int) -> Station:
    """A station a seed reload retired (stations.all() lists active ones only)."""
    station = await repos.stations.get(station_id)
    assert station is not None
    return station


class _Nudger:
    """Queues one issue's nudges inside the sweep's transaction."""

    def __init__(
        self,
        sweeper: Sweeper,
        repos: Repos,
        issue: Issue,
        category: Category,
        phase: str,
        cycle: int,
        now: int,
        hold: int | None,
    ) -> None:
        self.settings = sweeper.settings
        self.repos = repos
        self.issue = issue
        self.category = category
        self.phase = phase
        self.cycle = cycle
        self.now = now
        self.hold = hold
        self.notices = Notices(repos, now)

    async def _record(self, kind: str) -> bool:
        return await self.repos.scheduler.add_nudge(
            self.issue.id, f"{self.phase}_{kind}", self.cycle, self.now
        )

    async def _count(self, kind: str, count: int) -> None:
        await self.repos.scheduler.set_nudge_recipients(
            self.issue.id, f"{self.phase}_{kind}", self.cycle, count
        )

    async def _send(self, people: list[Person], render: Render, ref: str | None = None) -> int:
        hold = None if self.category.urgent else self.hold
        return len(await self.notices.send_all(people, render, ref=ref, not_before=hold))

    def _offer_ref(self, kind: str) -> str | None:
        """Before acceptance a nudge offers 认领: remembered, so that it is settled once the
        issue is taken (Workflow's offer_refs)."""
        return f"new:{self.issue.id}:{kind}" if self.phase == "accept" else None

    async def _deputies(self) -> list[Person]:
        """Who must act: the owner after acceptance; before, the station's deputies who did
        not decline it."""
        if self.issue.owner_id is not None:
            owner = await self.repos.people.get(self.issue.owner_id)
            here = owner is not None and await self.repos.people.has_role(
                owner.id, self.issue.station_id, "deputy"
            )
            return [owner] if owner is not None and here and owner.reachable else []
        declined = await self.repos.issues.declined_by(self.issue.id)
        if self.issue.filer_id is not None:
            declined.add(self.issue.filer_id)  # a deputy's own report is for the others
        deputies = await self.repos.people.of_station(self.issue.station_id, "deputy")
        return [d for d in deputies if d.reachable and d.id not in declined]

    async def remind(self) -> bool:
        if not await self._record("remind"):
            return False
        people = await self._deputies()
        if not people:  # nobody can act but the station: its staff (or the admins)
            people = await station_staff_or_admins(
                self.repos, self.issue.station_id, self.settings.admin_telegram_ids
            )
        left = due_of(self.issue) - self.now
        count = await self._send(
            people,
            lambda lang: scheduler_views.remind_notice(
                lang, self.issue, self.category, self.phase, self.settings.zone, left
            ),
            self._offer_ref("remind"),
        )
        await self._count("remind", count)
        return True

    async def overdue(self) -> bool:
        """Deputies get one overdue notice; station staff (or admins) get it with 督办."""
        if not await self._record("overdue"):
            return False
        deputies = await self._deputies()
        managers = await station_staff_or_admins(
            self.repos, self.issue.station_id, self.settings.admin_telegram_ids
        )
        manager_ids = {m.id for m in managers}
        count = await self._send(
            [d for d in deputies if d.id not in manager_ids],
            lambda lang: scheduler_views.overdue_notice(
                lang, self.issue, self.category, self.phase, self.settings.zone
            ),
            self._offer_ref("overdue"),
        )
        count += await self._send(managers, await self._supervise_card("sched.staff_overdue"))
        await self._count("overdue", count)
        return True

    async def escalate(self) -> bool:
        """`escalate_after` past the deadline: the admins get it with 督办."""
        if not await self._record("escalate"):
            return False
        people = await admins(self.repos, self.settings.admin_telegram_ids)
        count = await self._send(people, await self._supervise_card("sched.admin_escalated"))
        await self._count("escalate", count)
        return True

    async def _supervise_card(self, key: str) -> Render:
        station = await self.repos.stations.get(self.issue.station_id)
        owner = await self.repos.people.get(self.issue.owner_id) if self.issue.owner_id else None
        station_name = station.name if station else "—"
        late = self.now - due_of(self.issue)
        return lambda lang: scheduler_views.supervise_card(
            lang,
            key,
            self.issue,
            self.category,
            self.phase,
            self.settings.zone,
            station_name=station_name,
            owner=owner,
            late=late,
        )
