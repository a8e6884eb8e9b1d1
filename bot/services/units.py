"""承办单位 in the loop: a department's liaisons sign for a transferred issue, return it,
ask for more time, and answer; the deputy forwards the answer; staff decide extensions.

Each step is one transaction: the handover's change, the issue's event and who is told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from bot import lifecycle
from bot.actor import Actor
from bot.errors import NotAllowed, NotFound, WrongState
from bot.lifecycle import Action
from bot.models import (
    RETURN_REASONS,
    Department,
    ExtensionRequest,
    Handover,
    HandoverState,
    Person,
    Role,
)
from bot.scheduling import next_nudge, quiet_until, remind_moment
from bot.services.base import Service
from bot.services.outbox import Notices, liaisons, station_staff_or_admins
from bot.services.workflow import Context, Workflow, check_text
from bot.views import units as unit_views
from bot.views import when
from bot.workdays import WorkCalendar
from storage.repos import Repos

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitTask:
    ctx: Context
    handover: Handover
    signer: str | None = None  # the liaison who signed for it


class UnitService(Service):
    def __init__(self, workflow: Workflow) -> None:
        super().__init__(workflow.db, workflow.clock, workflow.settings)
        self.workflow = workflow

    # -- loading -----------------------------------------------------------------------
    async def _open(
        self, repos: Repos, actor: Actor, issue_id: int, action: Action
    ) -> tuple[Context, Handover, Department]:
        """The issue, its open handover and the unit, when the actor may do `action` now."""
        ctx = await self.workflow.load(repos, issue_id)
        roles = actor.roles_for(ctx.issue)
        if Role.LIAISON not in roles and action is not Action.DECIDE_EXTENSION:
            raise NotAllowed("not your unit's issue", key="unit.not_with_unit", number=issue_id)
        handover = await repos.handovers.open_of(issue_id)
        if handover is None or ctx.department is None:
            raise WrongState("not with a unit", key="unit.not_with_unit", number=issue_id)
        lifecycle.transition(ctx.issue.state, action, roles)
        return ctx, handover, ctx.department

    async def check(self, actor: Actor, issue_id: int, action: Action) -> Context:
        """Raise unless the liaison may do `action` on the issue now."""
        async with self.db.read() as repos:
            ctx, handover, _ = await self._open(repos, actor, issue_id, action)
        if action is Action.UNIT_ANSWER and handover.state is HandoverState.SENT:
            raise WrongState("sign first", key="unit.sign_first", number=issue_id)
        if action is not Action.UNIT_SIGN and handover.state is HandoverState.ANSWERED:
            raise WrongState("answered", key="unit.already_answered", number=issue_id)
        return ctx

    async def handed_over(self, issue_id: int) -> bool:
        """Whether the issue is now with a unit that answers in the bot."""
        async with self.db.read() as repos:
            return await repos.handovers.open_of(issue_id) is not None

    async def _close_cards(
        self, repos: Repos, notices: Notices, issue_id: int, department_id: int, key: str
    ) -> None:
        """The unit's cards of an issue it is done with keep a line and lose their buttons."""
        for person in await liaisons(repos, department_id):
            await notices.edit(
                person, f"unit:{issue_id}", partial(unit_views.say, key=key, number=issue_id)
            )

    async def _deputy_or_staff(self, repos: Repos, ctx: Context) -> list[Person]:
        """Who hears from the unit: the deputy who transferred it, else the station's staff."""
        if ctx.owner is not None and ctx.owner.reachable:
            return [ctx.owner]
        return await station_staff_or_admins(
            repos, ctx.station.id, self.settings.admin_telegram_ids
        )

    # -- liaisons ----------------------------------------------------------------------
    async def sign(self, actor: Actor, issue_id: int) -> UnitTask:
        """签收: the unit takes it; the other liaisons' cards say who did, the deputy is told."""
        async with self.db.transaction() as repos:
            ctx, handover, department = await self._open(repos, actor, issue_id, Action.UNIT_SIGN)
            if handover.state is not HandoverState.SENT:
                raise WrongState("signed", key="unit.already_signed", number=issue_id)
            now = self._now()
            await repos.handovers.update(
                handover.id,
                state=HandoverState.SIGNED,
                liaison_id=actor.id,
                signed_at=now,
                next_nudge_at=remind_moment(handover.sent_at, handover.answer_due),
            )
            await repos.issues.add_event(
                issue_id, now, actor.id, "unit_signed", note=department.name_zh
            )
            notices = Notices(repos, now)
            for person in await liaisons(repos, department.id):
                if person.id != actor.id:
                    await notices.edit(
                        person,
                        f"unit:{issue_id}",
                        partial(unit_views.taken_card, number=issue_id, name=actor.person.name),
                    )
            signed = await repos.handovers.get(handover.id)
            assert signed is not None
            await notices.send_all(
                await self._deputy_or_staff(repos, ctx),
                partial(
                    unit_views.signed_for_deputy,
                    number=issue_id,
                    department=department,
                    name=actor.person.name,
                    due=signed.answer_due,
                    zone=self.settings.zone,
                ),
            )
            return UnitTask(ctx, signed)

    async def return_issue(self, actor: Actor, issue_id: int, reason_index: int) -> UnitTask:
        """退回 with one of the short reasons: back to the deputy (a note may follow)."""
        if not 0 <= reason_index < len(RETURN_REASONS):
            raise NotFound("no such reason")
        reason = RETURN_REASONS[reason_index]
        async with self.db.transaction() as repos:
            ctx, handover, department = await self._open(repos, actor, issue_id, Action.UNIT_RETURN)
            if handover.state is HandoverState.ANSWERED:
                raise WrongState("answered", key="unit.already_answered", number=issue_id)
            now = self._now()
            await repos.handovers.update(
                handover.id,
                state=HandoverState.RETURNED,
                liaison_id=handover.liaison_id or actor.id,
                returned_at=now,
                return_reason=reason,
                ended_at=now,
                next_nudge_at=None,
            )
            await repos.handovers.close_extensions(handover.id, now)
            ctx = await self.workflow.move(
                repos,
                actor,
                ctx,
                Action.UNIT_RETURN,
                "unit_returned",
                f"{department.name_zh}：{unit_views.reason_name(ctx.resident.language, reason)}",
                department_id=None,
            )
            notices = Notices(repos, now)
            await self._close_cards(repos, notices, issue_id, department.id, "unit.card_returned")
            for person in await self._deputy_or_staff(repos, ctx):
                await notices.send(
                    person,
                    partial(
                        unit_views.returned_for_deputy,
                        issue=ctx.issue,
                        station=ctx.station,
                        category=ctx.category,
                        department=department,
                        name=actor.person.name,
                        reason=reason,
                        zone=self.settings.zone,
                    ),
                )
            returned = await repos.handovers.get(handover.id)
            assert returned is not None
            return UnitTask(ctx, returned)

    async def return_note(
        self, actor: Actor, issue_id: int, note: str, within: Repos | None = None
    ) -> Context:
        """The liaison's optional words after 退回, for the deputy."""
        note = check_text(note)
        async with self._tx(within) as repos:
            ctx, handover = await self.check_return_note(repos, actor, issue_id)
            department = await repos.stations.department(handover.department_id)
            assert department is not None
            now = self._now()
            await repos.handovers.update(handover.id, return_note=note)
            await repos.issues.add_event(issue_id, now, actor.id, "unit_return_note", note=note)
            await Notices(repos, now).send_all(
                await self._deputy_or_staff(repos, ctx),
                partial(
                    unit_views.about,
                    key="unit.return_note_for_deputy",
                    number=issue_id,
                    department=department,
                    note=note,
                ),
            )
            return ctx

    async def check_return_note(
        self, repos: Repos, actor: Actor, issue_id: int
    ) -> tuple[Context, Handover]:
        """A note may follow the return this liaison made, once, while nothing newer happened."""
        ctx = await self.workflow.load(repos, issue_id)
        handover = await repos.handovers.latest(issue_id)
        if (
            handover is None
            or handover.state is not HandoverState.RETURNED
            or handover.return_note is not None
            or handover.department_id not in actor.liaison_of
        ):
            raise WrongState("no return to explain", key="unit.not_with_unit", number=issue_id)
        return ctx, handover

    async def extension_options(
        self, actor: Actor, issue_id: int
    ) -> tuple[int, list[tuple[int, int]]]:
        """申请延期: the answer deadline now and the dates +3/+5/+10 working days lead to."""
        async with self.db.read() as repos:
            _, handover, _ = await self._open(repos, actor, issue_id, Action.UNIT_EXTEND)
            if await repos.handovers.asked_extension(handover.id) is not None:
                raise WrongState("asked", key="unit.extension_pending", number=issue_id)
            calendar = WorkCalendar(await repos.calendar.overrides())
        zone = self.settings.zone
        options = [
            (days, calendar.add_workdays(handover.answer_due, days, zone))
            for days in unit_views.EXTENSION_DAYS
        ]
        return handover.answer_due, options

    async def new_due(self, repos: Repos, handover: Handover, days: int) -> int:
        if days not in unit_views.EXTENSION_DAYS:
            raise NotFound("not an offered extension")
        calendar = WorkCalendar(await repos.calendar.overrides())
        return calendar.add_workdays(handover.answer_due, days, self.settings.zone)

    async def check_extend(self, repos: Repos, actor: Actor, issue_id: int) -> Context:
        ctx, handover, _ = await self._open(repos, actor, issue_id, Action.UNIT_EXTEND)
        if handover.state is HandoverState.ANSWERED:
            raise WrongState("answered", key="unit.already_answered", number=issue_id)
        if await repos.handovers.asked_extension(handover.id) is not None:
            raise WrongState("asked", key="unit.extension_pending", number=issue_id)
        return ctx

    async def ask_extension(
        self, actor: Actor, issue_id: int, days: int, reason: str, within: Repos | None = None
    ) -> Context:
        """The request goes to the station's staff with 同意 / 不同意; the deputy is told."""
        reason = check_text(reason)
        async with self._tx(within) as repos:
            ctx = await self.check_extend(repos, actor, issue_id)
            handover = await repos.handovers.open_of(issue_id)
            assert handover is not None and ctx.department is not None
            now = self._now()
            due = await self.new_due(repos, handover, days)
            request = await repos.handovers.ask_extension(handover.id, actor.id, now, due, reason)
            await repos.issues.add_event(issue_id, now, actor.id, "extension_asked", note=reason)
            notices = Notices(repos, now)
            zone = self.settings.zone
            managers = await station_staff_or_admins(
                repos, ctx.station.id, self.settings.admin_telegram_ids
            )
            await notices.send_all(
                managers,
                partial(
                    unit_views.extension_card,
                    number=issue_id,
                    department=ctx.department,
                    name=actor.person.name,
                    request=request,
                    due=handover.answer_due,
                    zone=zone,
                ),
                ref=f"ext:{request.id}",
            )
            if ctx.owner is not None and ctx.owner not in managers:
                await notices.send(
                    ctx.owner,
                    partial(
                        unit_views.extension_for_deputy,
                        number=issue_id,
                        department=ctx.department,
                        new_due=due,
                        reason=reason,
                        zone=zone,
                    ),
                )
            return ctx

    async def decide_extension(
        self, actor: Actor, request_id: int, approve: bool
    ) -> tuple[Context, ExtensionRequest, int]:
        """同意 / 不同意 by the station's staff (or admins), once."""
        async with self.db.transaction() as repos:
            request = await repos.handovers.extension(request_id)
            if request is None:
                raise NotFound("no such request")
            handover = await repos.handovers.get(request.handover_id)
            assert handover is not None
            ctx = await self.workflow.load(repos, handover.issue_id)
            lifecycle.transition(
                ctx.issue.state, Action.DECIDE_EXTENSION, actor.roles_for(ctx.issue)
            )
            if not handover.open:
                raise WrongState("ended", key="unit.extension_decided")
            now = self._now()
            if not await repos.handovers.decide_extension(request_id, approve, actor.id, now):
                raise WrongState("decided", key="unit.extension_decided")
            department = await repos.stations.department(handover.department_id)
            assert department is not None
            issue_id = ctx.issue.id
            due = request.new_due if approve else handover.answer_due
            if approve:
                await repos.handovers.update(
                    handover.id,
                    answer_due=due,
                    extensions=handover.extensions + 1,
                    next_nudge_at=max(now, remind_moment(handover.sent_at, due))
                    if handover.state is not HandoverState.SENT
                    else handover.next_nudge_at,
                )
                if due > ctx.issue.reply_due:  # the resident's deadline moves with the unit's
                    await repos.issues.update(
                        issue_id,
                        reply_due=due,
                        next_nudge_at=next_nudge(
                            ctx.issue.state,
                            ctx.issue.created_at,
                            accept_due=ctx.issue.accept_due,
                            reply_due=due,
                        ),
                    )
            kind = "extension_approved" if approve else "extension_refused"
            await repos.issues.add_event(
                issue_id, now, actor.id, kind, note=when(due, self.settings.zone)
            )
            notices = Notices(repos, now)
            key = "unit.extension_approved" if approve else "unit.extension_refused"
            told = partial(
                unit_views.dated,
                key=key,
                number=issue_id,
                name=actor.person.name,
                due=due,
                zone=self.settings.zone,
            )
            people = await liaisons(repos, department.id)
            if ctx.owner is not None:
                people.append(ctx.owner)
            await notices.send_all(people, told)
            if approve and due > ctx.issue.reply_due:
                await notices.send(
                    ctx.resident,
                    partial(
                        unit_views.resident_extended,
                        number=issue_id,
                        department=department,
                        due=due,
                        zone=self.settings.zone,
                    ),
                )
            ctx = await self.workflow.load(repos, issue_id)
            decided = await repos.handovers.extension(request_id)
            assert decided is not None
            return ctx, decided, due

    async def check_answer(self, repos: Repos, actor: Actor, issue_id: int) -> Context:
        ctx, handover, _ = await self._open(repos, actor, issue_id, Action.UNIT_ANSWER)
        if handover.state is HandoverState.SENT:
            raise WrongState("sign first", key="unit.sign_first", number=issue_id)
        if handover.state is HandoverState.ANSWERED:
            raise WrongState("answered", key="unit.already_answered", number=issue_id)
        return ctx

    async def answer(
        self,
        actor: Actor,
        issue_id: int,
        text: str,
        photos: tuple[str, ...] = (),
        within: Repos | None = None,
    ) -> Context:
        """The unit's 答复 goes to the deputy, who forwards it or edits it first."""
        text = check_text(text)
        async with self._tx(within) as repos:
            ctx = await self.check_answer(repos, actor, issue_id)
            handover = await repos.handovers.open_of(issue_id)
            assert handover is not None and ctx.department is not None
            now = self._now()
            await repos.handovers.update(
                handover.id,
                state=HandoverState.ANSWERED,
                answered_at=now,
                answer_text=text,
                answer_photos=photos,
                next_nudge_at=None,
            )
            await repos.handovers.close_extensions(handover.id, now)
            await repos.issues.add_event(issue_id, now, actor.id, "unit_answered", note=text)
            notices = Notices(repos, now)
            await self._close_cards(
                repos, notices, issue_id, ctx.department.id, "unit.card_answered"
            )
            await notices.send_all(
                await self._deputy_or_staff(repos, ctx),
                partial(
                    unit_views.answer_for_deputy,
                    number=issue_id,
                    department=ctx.department,
                    name=actor.person.name,
                    text=text,
                    photos=photos,
                ),
                ref=f"unit_answer:{issue_id}",
            )
            return ctx

    # -- the deputy --------------------------------------------------------------------
    async def answer_waiting(self, repos: Repos, actor: Actor, issue_id: int) -> Handover:
        """The unit's answer waiting for the deputy, who may reply now."""
        ctx = await self.workflow.load(repos, issue_id)
        lifecycle.transition(ctx.issue.state, Action.REPLY, actor.roles_for(ctx.issue))
        handover = await repos.handovers.open_of(issue_id)
        if handover is None or handover.state is not HandoverState.ANSWERED:
            raise WrongState("no answer", key="unit.no_answer", number=issue_id)
        return handover

    async def answer_for_editing(self, actor: Actor, issue_id: int) -> tuple[Context, Handover]:
        """修改后答复: the unit's answer for the deputy to copy and change."""
        async with self.db.read() as repos:
            handover = await self.answer_waiting(repos, actor, issue_id)
            return await self.workflow.load(repos, issue_id), handover

    async def forward(self, actor: Actor, issue_id: int) -> Context:
        """转给群众: the unit's answer, as it is, is the deputy's 答复."""
        async with self.db.transaction() as repos:
            handover = await self.answer_waiting(repos, actor, issue_id)
            assert handover.answer_text is not None
            return await self.workflow.reply(
                actor, issue_id, handover.answer_text, photos=handover.answer_photos, within=repos
            )

    # -- the scheduler -----------------------------------------------------------------
    async def nudge_due(self) -> int:
        """The units' deadlines: an 80% reminder to the liaisons; when overdue, the
        liaisons, the deputy and the station's staff (with 督办) are told — each once."""
        now = self._now()
        hold = quiet_until(now, self.settings.quiet, self.settings.zone)
        async with self.db.read() as repos:
            due = await repos.handovers.nudge_candidates(now)
        sent = 0
        for handover in due:
            try:
                sent += await self._nudge(handover, now, hold)
            except Exception:
                log.exception("sweep: nudging the unit of #%s failed", handover.issue_id)
        return sent

    async def _nudge(self, seen: Handover, now: int, hold: int | None) -> int:
        async with self.db.transaction() as repos:
            handover = await repos.handovers.get(seen.id)
            if handover is None or handover != seen:
                return 0  # it moved since it was read; the next sweep looks again
            phase = "sign" if handover.state is HandoverState.SENT else "answer"
            due = handover.due
            cycle = handover.id * 100 + handover.extensions  # an extension is a new deadline
            ctx = await self.workflow.load(repos, handover.issue_id)
            department = await repos.stations.department(handover.department_id)
            assert department is not None
            notices = Notices(repos, now)
            unit_people = await liaisons(repos, department.id)
            zone = self.settings.zone
            sent = 0
            if now >= due:
                next_at = None
                if await repos.scheduler.add_nudge(
                    ctx.issue.id, f"unit_{phase}_overdue", cycle, now
                ):
                    late = partial(
                        unit_views.overdue_notice,
                        key=f"unit.{phase}_overdue",
                        number=ctx.issue.id,
                        department=department,
                        due=due,
                        zone=zone,
                    )
                    managers = await station_staff_or_admins(
                        repos, ctx.station.id, self.settings.admin_telegram_ids
                    )
                    people = [*unit_people, *([ctx.owner] if ctx.owner else [])]
                    people = [p for p in people if p.id not in {m.id for m in managers}]
                    await notices.send_all(people, late, not_before=hold)
                    await notices.send_all(
                        managers,
                        partial(late, supervise=True),
                        not_before=hold,
                    )
                    sent = 1
            else:
                next_at = due
                remind_at = remind_moment(handover.sent_at, due)
                if now < remind_at:
                    next_at = remind_at
                elif await repos.scheduler.add_nudge(
                    ctx.issue.id, f"unit_{phase}_remind", cycle, now
                ):
                    await notices.send_all(
                        unit_people,
                        partial(
                            unit_views.remind_notice,
                            key=f"unit.{phase}_remind",
                            number=ctx.issue.id,
                            state=handover.state,
                            due=due,
                            zone=zone,
                        ),
                        not_before=hold,
                    )
                    sent = 1
            await repos.handovers.update(handover.id, next_nudge_at=next_at)
            return sent

    # -- lists -------------------------------------------------------------------------
    async def tasks(self, actor: Actor) -> list[UnitTask]:
        """/tasks for a liaison: the unit's issues to sign for or answer, soonest first."""
        async with self.db.read() as repos:
            handovers = [
                h
                for h in await repos.handovers.open_of_departments(sorted(actor.liaison_of))
                if h.state in (HandoverState.SENT, HandoverState.SIGNED)
            ]
            issues = await repos.issues.many([h.issue_id for h in handovers])
            contexts = await self.workflow.contexts(repos, issues)
            signers = {
                p.id: p.name
                for p in await repos.people.many(
                    sorted({h.liaison_id for h in handovers if h.liaison_id})
                )
            }
        by_issue = {c.issue.id: c for c in contexts}
        return [
            UnitTask(by_issue[h.issue_id], h, signers.get(h.liaison_id) if h.liaison_id else None)
            for h in handovers
            if h.issue_id in by_issue
        ]
