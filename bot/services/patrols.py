"""走街串巷 patrols: checklists on a cron schedule, one per reachable deputy.

A run starts when the schedule fires (or staff start it with /patrol): every reachable deputy
of the station gets their own checklist. Tapping an item offers 正常 / 有问题; 有问题 asks
for a note, and the note becomes an issue at the station reported and accepted by that deputy.
完成 sends the station staff (or the admins) a summary. The schedule is idempotent: runs are
claimed by moving `patrols.last_run_at` in the same transaction, so a patrol whose time
passed while the bot was down runs once when it is back, however many times it was missed.
"""

from __future__ import annotations

import logging

from bot.actor import Actor
from bot.errors import DomainError, InvalidInput, NotAllowed, NotFound, WrongState
from bot.models import Awaiting, Category, Issue, Lang, Patrol, Person, RunView, State, Step
from bot.scheduling import DAY, next_cron, next_nudge, quiet_until
from bot.services.base import Service
from bot.services.outbox import Notices, Render, station_staff_or_admins
from bot.views import scheduler as scheduler_views

# re-exported: handlers/scheduling.py imports it from here
from storage.repos import Repos

log = logging.getLogger(__name__)

REMIND_AFTER = DAY  # an unfinished checklist is reminded once after this
MAX_NOTE = 2000


def _markable(view: RunView, item: int) -> None:
    """An item already filed as a problem stays so: its issue exists."""
    mark = view.marks.get(item)
    if mark is not None and mark.mark == "problem":
        raise WrongState("already an issue", key="patrol.already_problem", number=mark.issue_id)


class PatrolService(Service):
    # -- schedule ----------------------------------------------------------------------
    async def active(self) -> list[Patrol]:
        async with self.db.read() as repos:
            return await repos.scheduler.patrols()

    async def run_due(self) -> int:
        """Start every patrol whose schedule fired since it last ran; returns how many ran.

        A patrol seen for the first time is only anchored (its next occurrence counts).
        """
        now = self._now()
        ran = 0
        for patrol in await self.active():
            if patrol.last_run_at is None:
                async with self.db.transaction() as repos:
                    await repos.scheduler.claim_patrol(patrol.id, None, now)
                continue
            fire = next_cron(patrol.schedule, self.settings.zone, patrol.last_run_at)
            if fire is None or fire > now:
                continue
            async with self.db.transaction() as repos:
                if not await repos.scheduler.claim_patrol(patrol.id, patrol.last_run_at, now):
                    continue  # another sweep took it
                await self._start(repos, patrol, now, None)
            ran += 1
        return ran

    async def _start(self, repos: Repos, patrol: Patrol, now: int, by: Person | None) -> int:
        """A checklist for each reachable deputy of the station; returns how many got one."""
        station = await repos.stations.get(patrol.station_id)
        assert station is not None
        notices = Notices(repos, now)
        deputies = [
            d for d in await repos.people.of_station(patrol.station_id, "deputy") if d.reachable
        ]
        s = repos.scheduler
        for deputy in deputies:
            run_id = await s.create_run(patrol.id, deputy.id, now, by.id if by else None)
            run = await s.run(run_id)
            assert run is not None
            view = RunView(run=run, patrol=patrol, station=station, deputy=deputy, marks={})
            await notices.send(deputy, _checklist_render(view), ref=f"pat:{run_id}")
        if not deputies:
            managers = await station_staff_or_admins(
                repos, patrol.station_id, self.settings.admin_telegram_ids
            )
            await notices.send_all(
                managers,
                lambda lang: scheduler_views.no_deputies(lang, patrol, station),
            )
        return len(deputies)

    # -- staff -------------------------------------------------------------------------
    async def startable(self, actor: Actor) -> list[Patrol]:
        """The patrols of the stations where the actor is staff (checked in the database)."""
        async with self.db.read() as repos:
            memberships = await repos.people.memberships(actor.id)
            staff_at = {s for s, role in memberships if role == "staff"}
            if not staff_at:
                raise NotAllowed("staff only", key="patrol.not_allowed")
            return [p for p in await repos.scheduler.patrols() if p.station_id in staff_at]

    async def start_now(self, actor: Actor, patrol_id: int) -> tuple[Patrol, int]:
        """/patrol: staff start their station's patrol now; returns it and the deputy count."""
        now = self._now()
        async with self.db.transaction() as repos:
            patrol = await repos.scheduler.patrol(patrol_id)
            if patrol is None or patrol not in await repos.scheduler.patrols():
                raise NotFound("no such patrol")
            if not await repos.people.has_role(actor.id, patrol.station_id, "staff"):
                raise NotAllowed("not staff of this station", key="patrol.not_allowed")
            count = await self._start(repos, patrol, now, actor.person)
            return patrol, count

    # -- the deputy's checklist --------------------------------------------------------
    async def _view(self, repos: Repos, run_id: int) -> RunView:
        s = repos.scheduler
        run = await s.run(run_id)
        if run is None:
            raise NotFound("no such run")
        patrol = await s.patrol(run.patrol_id)
        station = await repos.stations.get(patrol.station_id) if patrol else None
        deputy = await repos.people.get(run.deputy_id)
        assert patrol is not None and station is not None and deputy is not None
        return RunView(
            run=run, patrol=patrol, station=station, deputy=deputy, marks=await s.marks(run_id)
        )

    async def _own(self, repos: Repos, actor: Actor, run_id: int, item: int | None) -> RunView:
        """The actor's own unfinished run; they must still be a deputy of its station."""
        view = await self._view(repos, run_id)
        if view.run.deputy_id != actor.id or not await repos.people.has_role(
            actor.id, view.patrol.station_id, "deputy"
        ):
            raise NotAllowed("not your checklist")
        if view.run.finished_at is not None:
            raise WrongState("finished", key="patrol.finished")
        if item is not None and not 0 <= item < len(view.patrol.items):
            raise NotFound("no such item")
        return view

    async def choose(self, actor: Actor, run_id: int, item: int) -> RunView:
        """Tapping an item: check it may be marked (a recorded problem stays)."""
        async with self.db.read() as repos:
            view = await self._own(repos, actor, run_id, item)
        _markable(view, item)
        return view

    async def mark_ok(self, actor: Actor, run_id: int, item: int) -> RunView:
        now = self._now()
        async with self.db.transaction() as repos:
            view = await self._own(repos, actor, run_id, item)
            _markable(view, item)
            await repos.scheduler.set_mark(run_id, item, "ok", None, now)
            return await self._refresh(repos, actor, run_id, now)

    async def _refresh(self, repos: Repos, actor: Actor, run_id: int, now: int) -> RunView:
        """Re-render the deputy's checklist message in place."""
        view = await self._view(repos, run_id)
        await Notices(repos, now).edit(view.deputy, f"pat:{run_id}", _checklist_render(view))
        return view

    async def ask_problem(self, actor: Actor, run_id: int, item: int) -> RunView:
        """有问题: wait for the note (the deputy's next message)."""
        async with self.db.transaction() as repos:
            view = await self._own(repos, actor, run_id, item)
            _markable(view, item)
            await repos.pending.set(
                actor.id,
                Awaiting.PATROL_NOTE,
                Step.WRITE,
                self._now(),
                ref=run_id,
                data={
                    "item": item,
                    "name_zh": view.item(item, Lang.ZH),
                    "name_en": view.item(item, Lang.EN),
                },
            )
            return view

    async def report_problem(
        self, actor: Actor, note: str, photo: str | None = None, seq: int | None = None
    ) -> tuple[RunView, Issue]:
        """The note after 有问题: one issue at the station, accepted by this deputy."""
        note = note.strip()
        if not note:
            raise InvalidInput("empty", key="patrol.expect_note")
        if len(note) > MAX_NOTE:
            raise InvalidInput("too long", key="prompt.too_long", max=MAX_NOTE, length=len(note))
        now = self._now()
        stale: DomainError | None = None
        async with self.db.transaction() as repos:
            pending = await repos.pending.get(actor.id)
            if pending.kind is not Awaiting.PATROL_NOTE:
                raise NotFound("nothing asked", key="prompt.none")
            run_id, item = pending.ref or 0, int(pending.data.get("item") or 0)
            await repos.pending.clear(actor.id, now, seq)
            try:
                view = await self._own(repos, actor, run_id, item)
                mark = view.marks.get(item)
                if mark is not None and mark.mark == "problem":
                    raise WrongState(
                        "already an issue", key="patrol.already_problem", number=mark.issue_id
                    )
            except DomainError as exc:
                stale = exc  # the question is void: it stays cleared, nothing else is written
            else:
                issue = await self._create_issue(repos, actor, view, item, note, photo, now)
                view = await self._refresh(repos, actor, run_id, now)
        if stale is not None:
            raise stale
        return view, issue

    async def _create_issue(
        self,
        repos: Repos,
        actor: Actor,
        view: RunView,
        item: int,
        note: str,
        photo: str | None,
        now: int,
    ) -> Issue:
        category = await self._category(repos, view.patrol)
        reply_due = await self.deadline(repos, now, category.reply_within, category.reply_workdays)
        issue_id = await repos.issues.create(
            station_id=view.station.id,
            category_id=category.id,
            resident_id=actor.id,
            description=f"【{view.item(item, actor.lang)}】{note}",
            lat=None,
            lon=None,
            source="patrol",
            share_phone=False,
            now=now,
            accept_due=now,
            reply_due=reply_due,
            next_nudge_at=next_nudge(State.ACCEPTED, now, accept_due=now, reply_due=reply_due),
            state=State.ACCEPTED,
            owner_id=actor.id,
        )
        if photo:
            await repos.issues.add_photos(issue_id, (photo,))
        await repos.issues.add_event(
            issue_id, now, actor.id, "patrol_found", None, State.ACCEPTED, view.patrol.name_zh
        )
        await repos.scheduler.set_mark(view.run.id, item, "problem", issue_id, now)
        issue = await repos.issues.get(issue_id)
        assert issue is not None
        zone = self.settings.zone
        await Notices(repos, now).send(
            view.deputy,
            lambda lang: scheduler_views.patrol_issue_card(
                lang, issue, view.station, category, zone
            ),
        )
        return issue

    async def _category(self, repos: Repos, patrol: Patrol) -> Category:
        """The patrol's category; default: the one with key `other`, else the first."""
        if patrol.category_id is not None:
            found = await repos.stations.category(patrol.category_id)
            if found is not None:
                return found
        other = await repos.stations.category_by_key("other")
        if other is not None:
            return other
        categories = await repos.stations.categories()
        if not categories:
            raise NotFound("no categories")
        return categories[0]

    async def finish(self, actor: Actor, run_id: int) -> RunView:
        """完成: the station staff (or the admins) get the summary."""
        now = self._now()
        async with self.db.transaction() as repos:
            await self._own(repos, actor, run_id, None)
            if not await repos.scheduler.finish_run(run_id, now):
                raise WrongState("finished", key="patrol.finished")
            view = await self._refresh(repos, actor, run_id, now)
            managers = await station_staff_or_admins(
                repos, view.station.id, self.settings.admin_telegram_ids
            )
            await Notices(repos, now).send_all(
                managers, lambda lang: scheduler_views.summary(lang, view)
            )
            return view

    # -- reminders ---------------------------------------------------------------------
    async def remind_unfinished(self) -> int:
        """Checklists left unfinished for 24 hours: one reminder each."""
        now = self._now()
        async with self.db.read() as repos:
            runs = await repos.scheduler.unfinished_before(now - REMIND_AFTER)
        hold = quiet_until(now, self.settings.quiet, self.settings.zone)
        reminded = 0
        for run in runs:
            async with self.db.transaction() as repos:
                if not await repos.scheduler.mark_reminded(run.id, now):
                    continue
                view = await self._view(repos, run.id)
                await Notices(repos, now).send(
                    view.deputy, _unfinished_render(view), not_before=hold
                )
            reminded += 1
        return reminded


def _checklist_render(view: RunView) -> Render:
    return lambda lang: scheduler_views.checklist(lang, view)


def _unfinished_render(view: RunView) -> Render:
    return lambda lang: scheduler_views.unfinished(lang, view)
