"""The issue loop after submission: accept, decline, assign, transfer, reply, reject,
ask, follow up, withdraw, rate, supervise — each one transaction with its event and notices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from bot import lifecycle
from bot.actor import Actor
from bot.errors import InvalidInput, LimitReached, NotAllowed, NotFound, WrongState
from bot.lifecycle import Action
from bot.messages import Outgoing
from bot.models import (
    OPEN_STATES,
    Awaiting,
    Category,
    Department,
    Event,
    Handover,
    Issue,
    Person,
    Rating,
    Resolution,
    Role,
    State,
    Station,
    Step,
)
from bot.scheduling import next_nudge, quiet_until, remind_moment
from bot.services.base import Service
from bot.services.outbox import Notices, Render, admins, responders, station_staff_or_admins
from bot.units import utf16_len
from bot.views import issues as issue_views
from bot.views import new_issue_notice, when
from bot.views import revisit as revisit_views
from bot.views import units as unit_views
from bot.views.revisit import Cause
from storage.repos import Repos

MAX_TEXT = 2000
DAY = 86400
MAX_FOLLOW_UPS = 5  # 补充说明 per issue and day: the handler reads them all


@dataclass(frozen=True)
class Context:
    """An issue with everything needed to describe it."""

    issue: Issue
    station: Station
    category: Category
    resident: Person
    owner: Person | None
    department: Department | None


@dataclass(frozen=True)
class Tasks:
    owned: list[Context]
    pending: list[Context]


def check_text(text: str, limit: int = MAX_TEXT) -> str:
    """Text a person typed for someone else: not empty, within the limit, trimmed."""
    text = text.strip()
    if not text:
        raise InvalidInput("empty", key="prompt.empty")
    length = utf16_len(text)  # as Telegram counts
    if length > limit:
        raise InvalidInput("too long", key="prompt.too_long", max=limit, length=length)
    return text


def offer_refs(issue_id: int) -> tuple[str, str, str]:
    """The messages that offer a new issue to the station's deputies (with 认领): its card,
    then the accept deadline's reminder and overdue notice."""
    return (f"new:{issue_id}", f"new:{issue_id}:remind", f"new:{issue_id}:overdue")


class Workflow(Service):
    # -- loading -----------------------------------------------------------------------
    async def _context(self, repos: Repos, issue_id: int) -> Context:
        issue = await repos.issues.get(issue_id)
        if issue is None:
            raise NotFound("no such issue")
        station = await repos.stations.get(issue.station_id)
        category = await repos.stations.category(issue.category_id)
        resident = await repos.people.get(issue.resident_id)
        assert station is not None and category is not None and resident is not None
        owner = await repos.people.get(issue.owner_id) if issue.owner_id else None
        department = (
            await repos.stations.department(issue.department_id) if issue.department_id else None
        )
        return Context(issue, station, category, resident, owner, department)

    async def _contexts(self, repos: Repos, issues: list[Issue]) -> list[Context]:
        """Contexts for a list of issues with a handful of queries (no query per issue)."""
        if not issues:
            return []
        categories = {c.id: c for c in await repos.stations.all_categories()}
        departments = {d.id: d for d in await repos.stations.departments()}
        stations = {sid: await repos.stations.get(sid) for sid in {i.station_id for i in issues}}
        wanted = {i.resident_id for i in issues} | {i.owner_id for i in issues if i.owner_id}
        people = {p.id: p for p in await repos.people.many(sorted(wanted))}
        out = []
        for issue in issues:
            station = stations[issue.station_id]
            assert station is not None
            out.append(
                Context(
                    issue,
                    station,
                    categories[issue.category_id],
                    people[issue.resident_id],
                    people.get(issue.owner_id) if issue.owner_id else None,
                    departments.get(issue.department_id) if issue.department_id else None,
                )
            )
        return out

    async def contexts(self, repos: Repos, issues: list[Issue]) -> list[Context]:
        return await self._contexts(repos, issues)

    async def load(self, repos: Repos, issue_id: int) -> Context:
        """An issue with what describes it, inside the caller's transaction."""
        return await self._context(repos, issue_id)

    async def context(self, actor: Actor, issue_id: int) -> Context:
        """An issue the actor may see."""
        async with self.db.read() as repos:
            ctx = await self._context(repos, issue_id)
        if not actor.can_see(ctx.issue):
            raise NotAllowed("not your issue")
        return ctx

    async def _move(
        self,
        repos: Repos,
        actor: Actor | None,
        ctx: Context,
        action: Action,
        kind: str,
        note: str | None = None,
        **fields: object,
    ) -> Context:
        roles = actor.roles_for(ctx.issue) if actor else {Role.SYSTEM}
        was = ctx.issue.state
        to = lifecycle.transition(was, action, roles)
        now = self._now()
        issue = ctx.issue
        if to not in OPEN_STATES or (was is State.SUBMITTED and to is not State.SUBMITTED):
            # finished: no more nudges; accepted: the reply deadline, counted from submission
            fields["next_nudge_at"] = next_nudge(
                to, issue.created_at, accept_due=issue.accept_due, reply_due=issue.reply_due
            )
        elif was is State.REPLIED:  # reopened: a new reply deadline from now
            due = fields.get("reply_due", issue.reply_due)
            assert isinstance(due, int)
            fields["next_nudge_at"] = next_nudge(
                to, now, accept_due=issue.accept_due, reply_due=due
            )
        await repos.issues.update(ctx.issue.id, state=to, updated_at=now, **fields)
        await repos.issues.add_event(
            ctx.issue.id, now, actor.id if actor else None, kind, ctx.issue.state, to, note
        )
        if was is State.TRANSFERRED and to is not State.TRANSFERRED:
            await repos.handovers.end_open(ctx.issue.id, now)  # out of the unit's hands
        return await self._context(repos, ctx.issue.id)

    move = _move  # for the services that move an issue within their own transaction

    # -- who is told -------------------------------------------------------------------
    async def _edit_new_notices(
        self, repos: Repos, notices: Notices, ctx: Context, render: Render
    ) -> None:
        """Update what offered the new issue to the station (its card, and the reminder and
        overdue notice with 认领), wherever it was sent: its buttons would only be refused."""
        people = await repos.people.of_station(ctx.station.id, "deputy")
        people += await station_staff_or_admins(
            repos, ctx.station.id, self.settings.admin_telegram_ids
        )
        for ref in offer_refs(ctx.issue.id):
            await notices.edit_sent(people, ref, render)

    def card(self, ctx: Context, view: Callable[..., Outgoing], **extra: object) -> Render:
        """A view of the whole issue (`issue`, `station`, `category`, `resident`, `zone`,
        then `extra`) for each recipient's language."""
        return partial(
            view,
            issue=ctx.issue,
            station=ctx.station,
            category=ctx.category,
            resident=ctx.resident,
            zone=self.settings.zone,
            **extra,
        )

    def hold(self, ctx: Context) -> int | None:
        """Until when a notice about this issue to deputies, staff or a unit waits: the end of
        quiet hours, unless its category is urgent. Residents' messages are never held."""
        if ctx.category.urgent:
            return None
        return quiet_until(self._now(), self.settings.quiet, self.settings.zone)

    async def tell_supporters(
        self,
        repos: Repos,
        notices: Notices,
        ctx: Context,
        what: issue_views.SupporterNews,
        department: Department | None = None,
        **facts: str,
    ) -> None:
        """Those who support (附议) the issue hear what its resident hears, without buttons."""
        ids = await repos.issues.supporters(ctx.issue.id)
        if not ids:
            return
        await notices.send_all(
            await repos.people.many(ids),
            partial(
                issue_views.supporter_notice,
                what=what,
                number=ctx.issue.id,
                description=ctx.issue.description,
                state=ctx.issue.state,
                department=department,
                facts=facts,
            ),
        )

    async def _to_handlers(self, repos: Repos, ctx: Context) -> list[Person]:
        """Who handles the issue now: its owner while still a deputy of the station, else
        whoever gets a new issue there (never its filer)."""
        if ctx.owner is not None and await repos.people.has_role(
            ctx.owner.id, ctx.station.id, "deputy"
        ):
            return [ctx.owner]
        return await self.responders(repos, ctx.station.id, ctx.issue)

    async def responders(self, repos: Repos, station_id: int, issue: Issue) -> list[Person]:
        """Who is offered the issue: as a new issue is, leaving out whoever filed it."""
        return await responders(repos, station_id, self.settings.admin_telegram_ids, issue.filer_id)

    async def _other_deputy(self, repos: Repos, ctx: Context, deputy_id: int) -> Person:
        """改派's deputy: one staff may hand it to, and not the one who has it now."""
        deputy = await self._deputy_for(repos, ctx, deputy_id)
        if ctx.owner is not None and ctx.owner.id == deputy.id:
            raise WrongState(
                "same deputy", key="staff.same_deputy", number=ctx.issue.id, name=deputy.name
            )
        return deputy

    async def _hand_to(self, repos: Repos, ctx: Context) -> tuple[list[Person], dict[int, int]]:
        """The deputies staff may hand the issue to (reachable, not its filer nor the one who
        has it now), with how many open issues each handles."""
        deputies = [
            d
            for d in await repos.people.of_station(ctx.station.id, "deputy")
            if d.reachable and d.id not in (ctx.issue.filer_id, ctx.issue.owner_id)
        ]
        return deputies, await repos.issues.open_load([d.id for d in deputies])

    async def _deputy_for(self, repos: Repos, ctx: Context, deputy_id: int) -> Person:
        """A deputy staff may hand the issue to: one of the station's, not its filer."""
        deputy = await repos.people.get(deputy_id)
        if (
            deputy is None
            or not await repos.people.has_role(deputy_id, ctx.station.id, "deputy")
            or deputy_id == ctx.issue.filer_id
        ):
            raise NotFound("not a deputy who may handle it")
        return deputy

    # -- deputies ----------------------------------------------------------------------
    async def accept(self, actor: Actor, issue_id: int) -> Context:
        """认领: first one wins; the other deputies' notices say who took it."""
        async with self.db.transaction() as repos:
            ctx = await self._context(repos, issue_id)
            now = self._now()
            ctx = await self._move(
                repos, actor, ctx, Action.ACCEPT, "accepted", owner_id=actor.id, accepted_at=now
            )
            notices = Notices(repos, now)
            await self._edit_new_notices(
                repos,
                notices,
                ctx,
                partial(
                    issue_views.taken_notice,
                    number=ctx.issue.id,
                    description=ctx.issue.description,
                    name=actor.person.name,
                ),
            )
            await notices.send(
                ctx.resident,
                partial(issue_views.accepted_notice, number=ctx.issue.id, name=actor.person.name),
            )
            await self.tell_supporters(repos, notices, ctx, "accepted", name=actor.person.name)
            return ctx

    async def decline(
        self, actor: Actor, issue_id: int, reason: str, within: Repos | None = None
    ) -> Context:
        """退回 with a reason; when every deputy declined, staff get it to assign."""
        reason = check_text(reason)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            now = self._now()
            if actor.id in await repos.issues.declined_by(issue_id):
                raise WrongState("already declined", key="deputy.already_declined")
            ctx = await self._move(repos, actor, ctx, Action.DECLINE, "declined", reason)
            await repos.issues.add_decline(issue_id, actor.id, reason, now)
            notices = Notices(repos, now)
            await notices.edit(
                actor.person,
                f"new:{issue_id}",
                partial(issue_views.you_declined_notice, number=issue_id),
            )
            declined = await repos.issues.declined_by(issue_id)
            deputies = [
                d
                for d in await repos.people.of_station(ctx.station.id, "deputy")
                if d.id != ctx.issue.filer_id
            ]
            left = [d for d in deputies if d.reachable and d.id not in declined]
            if not left:
                await repos.issues.add_event(issue_id, now, None, "all_declined")
                managers = await station_staff_or_admins(
                    repos, ctx.station.id, self.settings.admin_telegram_ids
                )
                reasons = await repos.issues.decline_reasons(issue_id)
                names = {d.id: d.name for d in deputies}
                names.update({p.id: p.name for p in await repos.people.many(list(reasons))})
                await notices.send_all(
                    managers,
                    self.card(
                        ctx,
                        issue_views.all_declined_card,
                        deputies=deputies,
                        reasons=[(names.get(pid, "—"), why) for pid, why in reasons.items()],
                        load=await repos.issues.open_load([d.id for d in deputies]),
                    ),
                    not_before=self.hold(ctx),
                )
            return ctx

    async def assign(self, actor: Actor, issue_id: int, deputy_id: int) -> Context:
        """Staff hand a pending issue to one of the station's deputies."""
        async with self.db.transaction() as repos:
            ctx = await self._context(repos, issue_id)
            deputy = await self._deputy_for(repos, ctx, deputy_id)
            now = self._now()
            ctx = await self._move(
                repos,
                actor,
                ctx,
                Action.ASSIGN,
                "assigned",
                deputy.name,
                owner_id=deputy.id,
                accepted_at=now,
            )
            notices = Notices(repos, now)
            await notices.send(
                deputy,
                self.card(ctx, issue_views.assigned_card),
                not_before=self.hold(ctx),
            )
            await notices.send(
                ctx.resident,
                partial(issue_views.assigned_notice, number=ctx.issue.id, name=deputy.name),
            )
            await self.tell_supporters(repos, notices, ctx, "assigned", name=deputy.name)
            await self._edit_new_notices(
                repos,
                notices,
                ctx,
                partial(
                    issue_views.assigned_to_notice,
                    number=ctx.issue.id,
                    description=ctx.issue.description,
                    name=deputy.name,
                ),
            )
            return ctx

    async def reassign(
        self, actor: Actor, issue_id: int, deputy_id: int, reason: str, within: Repos | None = None
    ) -> Context:
        """改派: staff give any open issue of their station to a deputy of it (another one
        than who has it), with a reason. The deputy gets its card; the one before (if any),
        the resident and the supporters are told; a pending issue's offers are settled."""
        reason = check_text(reason)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            deputy = await self._other_deputy(repos, ctx, deputy_id)
            before, was = ctx.owner, ctx.issue.state
            now = self._now()
            fields: dict[str, object] = {"owner_id": deputy.id}
            if was is State.SUBMITTED:
                fields["accepted_at"] = now
            ctx = await self._move(
                repos,
                actor,
                ctx,
                Action.REASSIGN,
                "reassigned",
                f"{deputy.name}：{reason}",
                **fields,
            )
            notices = Notices(repos, now)
            if was is State.SUBMITTED:
                await self._edit_new_notices(
                    repos,
                    notices,
                    ctx,
                    partial(
                        issue_views.assigned_to_notice,
                        number=issue_id,
                        description=ctx.issue.description,
                        name=deputy.name,
                    ),
                )
            hold = self.hold(ctx)
            await notices.send(
                deputy,
                self.card(ctx, issue_views.reassigned_card, reason=reason),
                not_before=hold,
            )
            if before is not None:
                await notices.send(
                    before,
                    partial(
                        issue_views.reassigned_away_notice,
                        number=issue_id,
                        name=deputy.name,
                        reason=reason,
                    ),
                    not_before=hold,
                )
            await notices.send(
                ctx.resident,
                partial(issue_views.assigned_notice, number=issue_id, name=deputy.name),
            )
            await self.tell_supporters(repos, notices, ctx, "assigned", name=deputy.name)
            return ctx

    async def check_reassign(self, actor: Actor, issue_id: int, deputy_id: int) -> Context:
        """Raise unless the actor may 改派 the issue to this deputy now (before the reason)."""
        async with self.db.read() as repos:
            ctx = await self._context(repos, issue_id)
            lifecycle.transition(ctx.issue.state, Action.REASSIGN, actor.roles_for(ctx.issue))
            await self._other_deputy(repos, ctx, deputy_id)
            return ctx

    async def reassign_choices(
        self, actor: Actor, issue_id: int
    ) -> tuple[Context, list[Person], dict[int, int]]:
        """The deputies staff may 改派 the issue to, with how many open issues each has."""
        async with self.db.read() as repos:
            ctx = await self._context(repos, issue_id)
            lifecycle.transition(ctx.issue.state, Action.REASSIGN, actor.roles_for(ctx.issue))
            deputies, load = await self._hand_to(repos, ctx)
            return ctx, deputies, load

    async def release(self, issue_id: int) -> Context | None:
        """Its deputy is no longer one of the station's deputies (a seed reload): an accepted
        issue goes back to the station's pending list and is offered to its deputies again; a
        transferred one stays with the unit, without a deputy. The staff are told, to 指派 or
        改派. None when there was nothing to release."""
        async with self.db.transaction() as repos:
            ctx = await self._context(repos, issue_id)
            gone = ctx.owner
            if (
                gone is None
                or ctx.issue.state not in (State.ACCEPTED, State.TRANSFERRED)
                or await repos.people.has_role(gone.id, ctx.station.id, "deputy")
            ):
                return None
            now = self._now()
            fields: dict[str, object] = {"owner_id": None}
            if ctx.issue.state is State.ACCEPTED:
                category = ctx.category
                accept_due = await self.deadline(
                    repos, now, category.accept_within, category.accept_workdays
                )
                fields.update(
                    accepted_at=None,
                    accept_due=accept_due,
                    next_nudge_at=next_nudge(
                        State.SUBMITTED, now, accept_due=accept_due, reply_due=ctx.issue.reply_due
                    ),
                )
            ctx = await self._move(
                repos, None, ctx, Action.RELEASE, "released", gone.name, **fields
            )
            notices = Notices(repos, now)
            hold = self.hold(ctx)
            if ctx.issue.state is State.SUBMITTED:
                people = await self.responders(repos, ctx.station.id, ctx.issue)
                await notices.send_all(
                    people,
                    self.card(ctx, new_issue_notice),
                    ref=f"new:{issue_id}",
                    not_before=hold,
                )
            managers = await station_staff_or_admins(
                repos, ctx.station.id, self.settings.admin_telegram_ids
            )
            deputies, load = await self._hand_to(repos, ctx)
            await notices.send_all(
                managers,
                self.card(
                    ctx,
                    issue_views.released_card,
                    gone=gone.name,
                    deputies=deputies,
                    load=load,
                ),
                not_before=hold,
            )
            return ctx

    async def transfer(
        self,
        actor: Actor,
        issue_id: int,
        department_id: int,
        note: str | None,
        within: Repos | None = None,
    ) -> Context:
        """转办 to a department, with an optional note."""
        note = check_text(note) if note and note.strip() else None
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            department = await repos.stations.department(department_id)
            if department is None:
                raise NotFound("no such department")
            now = self._now()
            ctx = await self._move(
                repos,
                actor,
                ctx,
                Action.TRANSFER,
                "transferred",
                department.name_zh + (f"：{note}" if note else ""),
                department_id=department.id,
                transferred_at=now,
            )
            notices = Notices(repos, now)
            await notices.send(
                ctx.resident,
                partial(issue_views.transferred_notice, number=ctx.issue.id, department=department),
            )
            await self.tell_supporters(repos, notices, ctx, "transferred", department=department)
            await self._hand_over(repos, notices, actor, ctx, department)
            return ctx

    async def _hand_over(
        self, repos: Repos, notices: Notices, actor: Actor, ctx: Context, department: Department
    ) -> Handover | None:
        """A unit with liaisons in the bot gets the issue to sign for, with its own deadlines;
        any earlier unit's handover ends. Without a reachable liaison the deputy relays."""
        now = self._now()
        previous = await repos.handovers.open_of(ctx.issue.id)
        await repos.handovers.end_open(ctx.issue.id, now)
        if previous is not None:  # the earlier unit's cards stop offering their buttons
            for person in await repos.people.liaisons_of(previous.department_id):
                await notices.edit(
                    person,
                    f"unit:{ctx.issue.id}",
                    partial(unit_views.say, key="unit.moved", number=ctx.issue.id),
                )
        liaisons = [p for p in await repos.people.liaisons_of(department.id) if p.reachable]
        if not liaisons:
            return None
        sign_due = await self.deadline(repos, now, department.sign_within, department.sign_workdays)
        answer_due = await self.deadline(
            repos, now, department.answer_within, department.answer_workdays
        )
        handover = await repos.handovers.add(
            ctx.issue.id,
            department.id,
            actor.id,
            now,
            sign_due=sign_due,
            answer_due=answer_due,
            next_nudge_at=remind_moment(now, sign_due),
        )
        await notices.send_all(
            liaisons,
            partial(
                unit_views.unit_card,
                issue=ctx.issue,
                station=ctx.station,
                category=ctx.category,
                department=department,
                handover=handover,
                deputy=actor.person.name,
                zone=self.settings.zone,
            ),
            ref=f"unit:{ctx.issue.id}",
            not_before=self.hold(ctx),
        )
        return handover

    async def transfer_note(
        self, actor: Actor, issue_id: int, note: str, within: Repos | None = None
    ) -> Context:
        """The note after 转办 (the transfer itself was recorded when the unit was chosen)."""
        note = check_text(note)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            if (
                Role.OWNER not in actor.roles_for(ctx.issue)
                or ctx.issue.state is not State.TRANSFERRED
            ):
                raise WrongState("not transferred", key="error.wrong_state")
            now = self._now()
            await repos.issues.add_event(issue_id, now, actor.id, "transfer_note", note=note)
            handover = await repos.handovers.open_of(issue_id)
            if handover is not None:  # the unit reads the deputy's note too
                liaisons = await repos.people.liaisons_of(handover.department_id)
                await Notices(repos, now).send_all(
                    [p for p in liaisons if p.reachable],
                    partial(
                        unit_views.say,
                        key="unit.note",
                        number=issue_id,
                        name=actor.person.name,
                        note=note,
                    ),
                    not_before=self.hold(ctx),
                )
            return ctx

    async def reply(
        self,
        actor: Actor,
        issue_id: int,
        text: str,
        within: Repos | None = None,
        photos: tuple[str, ...] = (),
    ) -> Context:
        """答复: the resident gets the answer and the rating buttons."""
        text = check_text(text)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            now = self._now()
            ctx = await self._move(
                repos, actor, ctx, Action.REPLY, "replied", text, reply_text=text, replied_at=now
            )
            answer = partial(
                issue_views.replied_notice, number=ctx.issue.id, name=actor.person.name, text=text
            )
            notices = Notices(repos, now)
            await notices.send(
                ctx.resident,
                # photos of the result (a unit's answer may bring them) go with the answer
                lambda lang: answer(lang).model_copy(update={"photos": photos}),
                ref=f"rate:{ctx.issue.id}",
            )
            await self.tell_supporters(
                repos, notices, ctx, "replied", name=actor.person.name, text=text
            )
            return ctx

    async def reject(
        self, actor: Actor, issue_id: int, reason: str, within: Repos | None = None
    ) -> Context:
        """不予受理 with a reason and where to go instead."""
        reason = check_text(reason)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            was = ctx.issue.state
            now = self._now()
            ctx = await self._move(
                repos,
                actor,
                ctx,
                Action.REJECT,
                "rejected",
                reason,
                reject_reason=reason,
                closed_at=now,
            )
            notices = Notices(repos, now)
            await notices.send(
                ctx.resident,
                partial(issue_views.rejected_notice, number=ctx.issue.id, reason=reason),
            )
            await self.tell_supporters(repos, notices, ctx, "rejected", reason=reason)
            rejected_by = partial(
                issue_views.rejected_by_notice,
                number=ctx.issue.id,
                description=ctx.issue.description,
                name=actor.person.name,
            )
            if was is State.SUBMITTED:
                await self._edit_new_notices(repos, notices, ctx, rejected_by)
            elif ctx.owner is not None and ctx.owner.id != actor.id:
                await notices.send(ctx.owner, rejected_by, not_before=self.hold(ctx))
            return ctx

    async def ask(
        self, actor: Actor, issue_id: int, question: str, within: Repos | None = None
    ) -> Context:
        """The deputy asks the resident; the answer comes back to the deputy."""
        question = check_text(question)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            ctx = await self._move(repos, actor, ctx, Action.ASK, "asked", question)
            now = self._now()
            if not (await repos.pending.get(ctx.resident.id)).active:
                # the resident's next plain message is the answer (no reply gesture needed)
                await repos.pending.set(
                    ctx.resident.id, Awaiting.ANSWER, Step.WRITE, now, issue_id=issue_id
                )
            await Notices(repos, now).send(
                ctx.resident,
                partial(
                    issue_views.question_notice,
                    number=ctx.issue.id,
                    name=actor.person.name,
                    question=question,
                ),
            )
            return ctx

    async def follow_up(
        self,
        actor: Actor,
        issue_id: int,
        text: str,
        kind: str = "follow_up",
        within: Repos | None = None,
    ) -> Context:
        """The resident adds a message (or answers a question); the handlers get it."""
        text = check_text(text)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            if kind == "follow_up":
                await self.check_follow_ups(repos, actor, issue_id)
            ctx = await self._move(repos, actor, ctx, Action.FOLLOW_UP, kind, text)
            await Notices(repos, self._now()).send_all(
                await self._to_handlers(repos, ctx),
                partial(
                    issue_views.resident_says_notice,
                    number=ctx.issue.id,
                    name=ctx.resident.name,
                    text=text,
                    owned=ctx.owner is not None,
                ),
                not_before=self.hold(ctx),
            )
            return ctx

    async def check_follow_ups(self, repos: Repos, actor: Actor, issue_id: int) -> None:
        """补充说明 is limited to MAX_FOLLOW_UPS per issue in a day (said before one is typed)."""
        since = self._now() - DAY
        events = await repos.issues.events(issue_id)
        made = sum(
            1 for e in events if e.kind == "follow_up" and e.actor_id == actor.id and e.at >= since
        )
        if made >= MAX_FOLLOW_UPS:
            raise LimitReached(
                "follow-ups for today",
                key="resident.follow_up_limit",
                number=issue_id,
                max=MAX_FOLLOW_UPS,
            )

    async def unsatisfied_reason(
        self, actor: Actor, issue_id: int, reason: str, within: Repos | None = None
    ) -> Context:
        """The optional reason after 不满意 goes to the deputy and the staff."""
        reason = check_text(reason)
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            if Role.RESIDENT not in actor.roles_for(ctx.issue):
                raise NotAllowed("not your issue")
            now = self._now()
            await repos.issues.add_event(issue_id, now, actor.id, "unsatisfied_reason", note=reason)
            people = await self._to_handlers(repos, ctx)
            people += await station_staff_or_admins(
                repos, ctx.station.id, self.settings.admin_telegram_ids
            )
            await Notices(repos, now).send_all(
                people,
                partial(issue_views.unsatisfied_reason_notice, number=issue_id, reason=reason),
                not_before=self.hold(ctx),
            )
            return ctx

    # -- residents ---------------------------------------------------------------------
    async def withdraw(self, actor: Actor, issue_id: int) -> Context:
        async with self.db.transaction() as repos:
            ctx = await self._context(repos, issue_id)
            was = ctx.issue.state
            now = self._now()
            ctx = await self._move(repos, actor, ctx, Action.WITHDRAW, "withdrawn", closed_at=now)
            notices = Notices(repos, now)
            withdrawn = partial(
                issue_views.withdrawn_notice, number=issue_id, description=ctx.issue.description
            )
            if was is State.SUBMITTED:
                await self._edit_new_notices(repos, notices, ctx, withdrawn)
            elif ctx.owner is not None:
                await notices.send(ctx.owner, withdrawn, not_before=self.hold(ctx))
            await self.tell_supporters(repos, notices, ctx, "withdrawn")
            return ctx

    async def rate(
        self, actor: Actor, issue_id: int, rating: Rating, within: Repos | None = None
    ) -> Context:
        """满意 / 基本满意 close; 不满意 is handled again (重办: same deputy, 督办; deputy and
        staff told)."""
        async with self._tx(within) as repos:
            ctx = await self._context(repos, issue_id)
            now = self._now()
            notices = Notices(repos, now)
            if rating is not Rating.UNSATISFIED:
                ctx = await self._move(
                    repos,
                    actor,
                    ctx,
                    Action.RATE_OK,
                    "rated",
                    rating.value,
                    rating=rating,
                    close_reason="rated",
                    closed_at=now,
                )
                if ctx.owner is not None:
                    await notices.send(
                        ctx.owner,
                        partial(issue_views.rated_notice, number=issue_id, rating=rating),
                        not_before=self.hold(ctx),
                    )
                await self.tell_supporters(repos, notices, ctx, "closed")
                return ctx
            return await self.rehandle(
                repos, actor, ctx, Action.RATE_BAD, "reopened", "unsatisfied", rating=rating
            )

    async def rehandle(
        self,
        repos: Repos,
        actor: Actor | None,
        ctx: Context,
        action: Action,
        kind: str,
        cause: Cause,
        *,
        result: Resolution | Rating | None = None,
        **fields: object,
    ) -> Context:
        """重办, inside the caller's transaction: `accepted` again with reopen_count + 1, the
        督办 flag and a new reply deadline from now (in working days when the category counts
        them). Its deputy gets the card again — unless they can no longer be reached at the
        station, which the staff are told; the station's staff (and from the second time the
        admins) get an alert with 督办."""
        now = self._now()
        reopens = ctx.issue.reopen_count + 1
        category = ctx.category
        due = await self.deadline(repos, now, category.reply_within, category.reply_workdays)
        ctx = await self._move(
            repos,
            actor,
            ctx,
            action,
            kind,
            None,
            reopen_count=reopens,
            supervised=1,
            reply_due=due,
            replied_at=None,
            closed_at=None,
            close_reason=None,
            next_nudge_at=next_nudge(
                State.ACCEPTED, now, accept_due=ctx.issue.accept_due, reply_due=due
            ),
            **fields,
        )
        owner = ctx.owner
        here = (
            owner is not None
            and owner.reachable
            and await repos.people.has_role(owner.id, ctx.station.id, "deputy")
        )
        notices = Notices(repos, now)
        hold = self.hold(ctx)
        due_text = when(due, self.settings.zone)
        await self.tell_supporters(repos, notices, ctx, "reopened", due=due_text)
        if owner is not None and here:
            await notices.send(
                owner,
                self.card(
                    ctx,
                    revisit_views.reopened_card,
                    cause=cause,
                    result=result,
                ),
                not_before=hold,
            )
        managers = await station_staff_or_admins(
            repos, ctx.station.id, self.settings.admin_telegram_ids
        )
        if reopens >= 2:
            managers += await admins(repos, self.settings.admin_telegram_ids)
        await notices.send_all(
            managers,
            partial(
                revisit_views.reopened_alert,
                cause=cause,
                number=ctx.issue.id,
                times=reopens,
                name=owner.name if owner else "—",
                description=ctx.issue.description,
                owner_gone=not here,
                result=result,
            ),
            not_before=hold,
        )
        return ctx

    # -- staff -------------------------------------------------------------------------
    async def supervise(self, actor: Actor, issue_id: int) -> Context:
        """督办: the handling deputy gets a supervision notice; recorded as an event."""
        async with self.db.transaction() as repos:
            ctx = await self._context(repos, issue_id)
            events = await repos.issues.events(issue_id)
            last = next((e for e in reversed(events) if e.kind == "supervised"), None)
            if last is not None and self._now() - last.at < DAY:
                # one 督办 a day reaches the deputy (a double tap, or a second manager)
                raise WrongState(
                    "already supervised",
                    key="staff.supervised_today",
                    number=issue_id,
                    at=when(last.at, self.settings.zone),
                )
            ctx = await self._move(repos, actor, ctx, Action.SUPERVISE, "supervised", supervised=1)
            notices = Notices(repos, self._now())
            handover = await repos.handovers.open_of(issue_id)
            if handover is not None and ctx.department is not None:  # the unit is pressed too
                liaisons = await repos.people.liaisons_of(handover.department_id)
                await notices.send_all(
                    [p for p in liaisons if p.reachable],
                    partial(
                        unit_views.about,
                        key="unit.supervised",
                        number=issue_id,
                        name=actor.person.name,
                        department=ctx.department,
                    ),
                    not_before=self.hold(ctx),
                )
            await notices.send_all(
                await self._to_handlers(repos, ctx),
                partial(
                    issue_views.supervised_notice,
                    number=issue_id,
                    name=actor.person.name,
                    description=ctx.issue.description,
                    owned=ctx.owner is not None,
                ),
                not_before=self.hold(ctx),
            )
            return ctx

    # -- lists -------------------------------------------------------------------------
    async def my_issues(
        self, actor: Actor, limit: int = 10, offset: int = 0
    ) -> tuple[list[Context], int]:
        """What the person filed and what they support (附议), newest first."""
        async with self.db.read() as repos:
            issues = await repos.issues.of_person(actor.id, limit, offset)
            total = await repos.issues.count_of_person(actor.id)
            return await self._contexts(repos, issues), total

    async def timeline(self, actor: Actor, issue_id: int) -> tuple[Context, list[Event], bool]:
        """The issue's events for someone who may see it; and whether they support it."""
        async with self.db.read() as repos:
            ctx = await self._context(repos, issue_id)
            supports = await repos.issues.supports(issue_id, actor.id)
            if not supports and not actor.can_see(ctx.issue):
                raise NotAllowed("not your issue")
            return ctx, await repos.issues.events(issue_id), supports

    async def unsupport(self, actor: Actor, issue_id: int) -> Context:
        """取消附议: the supporter leaves and hears no more of the issue."""
        async with self.db.transaction() as repos:
            ctx = await self._context(repos, issue_id)
            if not await repos.issues.remove_supporter(issue_id, actor.id):
                raise WrongState("not a supporter", key="resident.not_supporting", number=issue_id)
            await repos.issues.add_event(issue_id, self._now(), actor.id, "unsupported")
            return ctx

    async def tasks(self, actor: Actor) -> Tasks:
        async with self.db.read() as repos:
            owned = await repos.issues.open_of_owner(actor.id)
            pending = await repos.issues.pending_at(sorted(actor.deputy_at), actor.id)
            return Tasks(await self._contexts(repos, owned), await self._contexts(repos, pending))

    async def departments(self) -> list[Department]:
        async with self.db.read() as repos:
            return await repos.stations.departments()

    async def check(self, actor: Actor, issue_id: int, action: Action) -> Context:
        """Raise unless the actor may perform `action` on the issue now."""
        async with self.db.read() as repos:
            ctx = await self._context(repos, issue_id)
        lifecycle.transition(ctx.issue.state, action, actor.roles_for(ctx.issue))
        return ctx

    # -- the scheduler -----------------------------------------------------------------
    async def auto_close(self, issue_id: int) -> Context:
        """No rating within 3 days of the reply: closed as 未评价 by the system."""
        async with self.db.transaction() as repos:
            ctx = await self._context(repos, issue_id)
            now = self._now()
            ctx = await self._move(
                repos,
                None,
                ctx,
                Action.AUTO_CLOSE,
                "auto_closed",
                close_reason="unrated",
                closed_at=now,
            )
            notices = Notices(repos, now)
            await notices.send(
                ctx.resident, partial(issue_views.auto_closed_notice, number=issue_id)
            )
            # the answer's 回访 buttons would only be refused now: the answer keeps its text
            await notices.edit_sent(
                [ctx.resident],
                f"rate:{issue_id}",
                partial(
                    issue_views.answer_closed,
                    number=issue_id,
                    name=ctx.owner.name if ctx.owner else "—",
                    text=ctx.issue.reply_text or "",
                ),
            )
            await self.tell_supporters(repos, notices, ctx, "closed")
            return ctx
