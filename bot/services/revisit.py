"""回访 and 重办 after an answer: the resident's 问题解决了吗 and rating, the staff's phone 回访
of answers left unrated, and the 14-day re-check 问题有没有反复 — each one transaction with
its event and who is told. Handling an issue again (重办: `accepted` once more, reopen_count
+ 1) is `Workflow.rehandle`, shared with 不满意.

- 问题解决了吗 is stored at once (so nothing is lost if the resident stops there). 未解决 is
  handled again at once, whatever the rating that follows (it is recorded for 满意率); after
  已解决 / 部分解决 the rating closes the issue, or 不满意 has it handled again.
- Answers left unrated for 3 days are still closed as 未评价 (the sweep); then the station's
  staff (or the admins) get one list per station per sweep to call the residents, and record
  what they say with the same two questions. 未解决 or 不满意 by phone has it handled again.
- 14 days after an issue closed as 已解决 the resident is asked once whether it came back;
  又出现了 has it handled again.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TypedDict

from bot import lifecycle
from bot.actor import Actor
from bot.errors import WrongState
from bot.lifecycle import Action
from bot.models import OPEN_STATES, Issue, Rating, Resolution, Role, State
from bot.scheduling import DAY, quiet_until
from bot.services.base import Service
from bot.services.outbox import Notices, station_staff_or_admins
from bot.services.workflow import Context, Workflow
from bot.views import issues as issue_views
from bot.views import revisit as revisit_views
from bot.views import when
from storage.repos import Repos

log = logging.getLogger(__name__)

RECHECK_AFTER = 14 * DAY  # 问题有没有反复 is asked this long after 已解决
PHONE_WINDOW = 7 * DAY  # issues closed unrated longer ago are not listed for a call any more
PHONE_LIST_MAX = 10  # issues on one station's list (the rest come with the next sweep)

_ANSWER_EVENTS = {Resolution.RESOLVED: "resolved", Resolution.PARTLY: "partly_resolved"}
_PHONE_EVENTS = {Resolution.RESOLVED: "phone_resolved", Resolution.PARTLY: "phone_partly"}


class Answered(TypedDict):
    """The columns an answer to 问题解决了吗 sets (a new answer is re-checked anew)."""

    resolution: Resolution
    revisit_by: str  # 'resident' | 'phone'
    revisited_at: int
    recheck: None


class RevisitService(Service):
    def __init__(self, workflow: Workflow) -> None:
        super().__init__(workflow.db, workflow.clock, workflow.settings)
        self.workflow = workflow

    def _answered(self, resolution: Resolution, by: str) -> Answered:
        return {
            "resolution": resolution,
            "revisit_by": by,
            "revisited_at": self._now(),
            "recheck": None,
        }

    @staticmethod
    def _current(issue: Issue, cycle: int) -> None:
        """A rating button belongs to one answer: refused once the issue was handled again."""
        if issue.reopen_count != cycle:
            raise WrongState("an older answer", key="revisit.stale")

    @staticmethod
    def _stored(issue: Issue, resolution: Resolution, by: str) -> bool:
        """Whether this answer to 问题解决了吗 is the one stored for the current answer."""
        return (
            issue.resolution is resolution
            and issue.revisit_by == by
            and (issue.revisited_at or 0) >= (issue.replied_at or 0)
        )

    # -- the resident --------------------------------------------------------------------------
    async def answer(self, actor: Actor, issue_id: int, resolution: Resolution) -> Context:
        """问题解决了吗, by the reporter: stored at once; 未解决 is handled again at once."""
        async with self.db.transaction() as repos:
            ctx = await self.workflow.load(repos, issue_id)
            fields = self._answered(resolution, "resident")
            if resolution is Resolution.UNRESOLVED:
                return await self.workflow.rehandle(
                    repos,
                    actor,
                    ctx,
                    Action.UNRESOLVED,
                    "unresolved",
                    "unresolved",
                    rating=None,
                    **fields,
                )
            return await self.workflow.move(
                repos, actor, ctx, Action.REVISIT, _ANSWER_EVENTS[resolution], **fields
            )

    async def rate(
        self, actor: Actor, issue_id: int, resolution: Resolution, cycle: int, rating: Rating
    ) -> Context:
        """The rating that follows 问题解决了吗 (`resolution`, as its button says) for the
        answer of `cycle`. After 已解决 / 部分解决 it closes the issue, or 不满意 has it
        handled again; after 未解决 (handled again already) it is recorded."""
        async with self.db.transaction() as repos:
            ctx = await self.workflow.load(repos, issue_id)
            issue = ctx.issue
            roles = actor.roles_for(issue)
            if resolution is Resolution.UNRESOLVED:
                lifecycle.transition(issue.state, Action.RATE_AFTER, roles)
                self._current(issue, cycle)
                if not self._stored(issue, resolution, "resident") or issue.rating is not None:
                    raise WrongState("rated already", key="revisit.answered")
                return await self.workflow.move(
                    repos, actor, ctx, Action.RATE_AFTER, "rated", rating.value, rating=rating
                )
            lifecycle.transition(issue.state, Action.RATE_OK, roles)
            self._current(issue, cycle)
            if not self._stored(issue, resolution, "resident"):  # an older choice's button
                fields = self._answered(resolution, "resident")
                event = _ANSWER_EVENTS[resolution]
                await self.workflow.move(repos, actor, ctx, Action.REVISIT, event, **fields)
            return await self.workflow.rate(actor, issue_id, rating, within=repos)

    async def recheck(self, actor: Actor, issue_id: int, came_back: bool) -> Context:
        """问题有没有反复, by the reporter, once: 没有 keeps it closed; 又出现了 has it
        handled again."""
        async with self.db.transaction() as repos:
            ctx = await self.workflow.load(repos, issue_id)
            issue = ctx.issue
            roles = actor.roles_for(issue)
            if Role.RESIDENT in roles and issue.recheck in ("holds", "recurred"):
                raise WrongState("answered already", key="revisit.answered")
            lifecycle.transition(issue.state, Action.RECHECK, roles)
            if issue.recheck != "asked":
                raise WrongState("not asked", key="revisit.stale")
            if came_back:
                return await self.workflow.rehandle(
                    repos, actor, ctx, Action.RECURRED, "recurred", "recurred", recheck="recurred"
                )
            return await self.workflow.move(
                repos, actor, ctx, Action.RECHECK, "recheck_holds", recheck="holds"
            )

    # -- the staff's phone 回访 ------------------------------------------------------------------
    @staticmethod
    def _phone_open(actor: Actor, issue: Issue) -> None:
        """Raise unless the actor (staff of its station, or an admin) may record a phone 回访
        of the issue now: closed without a rating, and not recorded yet."""
        lifecycle.transition(issue.state, Action.PHONE, actor.roles_for(issue))
        if issue.close_reason != "unrated" or issue.source != "resident":
            raise WrongState("not closed unrated", key="error.wrong_state")
        if issue.revisit_by == "phone" and issue.rating is not None:
            raise WrongState("recorded", key="revisit.phone_recorded", number=issue.id)

    async def phone_call(self, actor: Actor, issue_id: int) -> Context:
        """An issue of the list, to ask its resident (nothing changes yet)."""
        async with self.db.read() as repos:
            ctx = await self.workflow.load(repos, issue_id)
        self._phone_open(actor, ctx.issue)
        return ctx

    async def phone_answer(self, actor: Actor, issue_id: int, resolution: Resolution) -> Context:
        """问题解决了吗, as the resident said on the phone: stored at once; 未解决 has the
        closed issue handled again (the resident is told)."""
        async with self.db.transaction() as repos:
            ctx = await self.workflow.load(repos, issue_id)
            self._phone_open(actor, ctx.issue)
            fields = self._answered(resolution, "phone")
            if resolution is not Resolution.UNRESOLVED:
                event = _PHONE_EVENTS[resolution]
                return await self.workflow.move(repos, actor, ctx, Action.PHONE, event, **fields)
            ctx = await self.workflow.rehandle(
                repos,
                actor,
                ctx,
                Action.PHONE_REOPEN,
                "phone_unresolved",
                "phone",
                result=resolution,
                **fields,
            )
            await self._tell_rehandled(repos, ctx)
            return ctx

    async def phone_rate(
        self, actor: Actor, issue_id: int, resolution: Resolution, cycle: int, rating: Rating
    ) -> Context:
        """The rating, as the resident said on the phone: 不满意 has the issue handled again
        (after 未解决 it is handled again already, and the rating is recorded)."""
        async with self.db.transaction() as repos:
            ctx = await self.workflow.load(repos, issue_id)
            issue = ctx.issue
            event = f"phone_{rating.value}"
            if resolution is Resolution.UNRESOLVED:
                lifecycle.transition(issue.state, Action.PHONE_AFTER, actor.roles_for(issue))
                self._current(issue, cycle)
                if not self._stored(issue, resolution, "phone") or issue.rating is not None:
                    raise WrongState("recorded", key="revisit.phone_recorded", number=issue_id)
                return await self.workflow.move(
                    repos, actor, ctx, Action.PHONE_AFTER, event, rating=rating
                )
            self._phone_open(actor, issue)
            self._current(issue, cycle)
            if not self._stored(issue, resolution, "phone"):  # an older choice's button
                fields = self._answered(resolution, "phone")
                answer = _PHONE_EVENTS[resolution]
                ctx = await self.workflow.move(repos, actor, ctx, Action.PHONE, answer, **fields)
            if rating is Rating.UNSATISFIED:
                ctx = await self.workflow.rehandle(
                    repos,
                    actor,
                    ctx,
                    Action.PHONE_REOPEN,
                    "phone_reopened",
                    "phone",
                    result=rating,
                    rating=rating,
                )
                await self._tell_rehandled(repos, ctx)
                return ctx
            ctx = await self.workflow.move(repos, actor, ctx, Action.PHONE, event, rating=rating)
            if ctx.owner is not None:  # as when the resident rates it in the chat
                await Notices(repos, self._now()).send(
                    ctx.owner, partial(issue_views.rated_notice, number=issue_id, rating=rating)
                )
            return ctx

    async def _tell_rehandled(self, repos: Repos, ctx: Context) -> None:
        """The resident, when a phone 回访 has their issue handled again."""
        await Notices(repos, self._now()).send(
            ctx.resident,
            partial(
                revisit_views.rehandled_notice,
                number=ctx.issue.id,
                name=ctx.owner.name if ctx.owner else "—",
                due=when(ctx.issue.reply_due, self.settings.zone),
            ),
        )

    # -- the sweep -------------------------------------------------------------------------------
    async def phone_lists(self) -> int:
        """Answers closed unrated (no 回访 answer within 3 days): one list per station for a
        phone 回访 to its staff (or the admins), each issue listed once per answer. Returns
        the number of lists."""
        now = self._now()
        hold = quiet_until(now, self.settings.quiet, self.settings.zone)
        async with self.db.read() as repos:
            found = await repos.revisit.unrated_unlisted(now - PHONE_WINDOW)
        by_station: dict[int, list[int]] = {}
        for issue in found:
            by_station.setdefault(issue.station_id, []).append(issue.id)
        lists = 0
        for station_id, ids in by_station.items():
            try:
                lists += await self._phone_list(station_id, ids[:PHONE_LIST_MAX], now, hold)
            except Exception:
                log.exception("sweep: the phone 回访 list of station %s failed", station_id)
        return lists

    async def _phone_list(self, station_id: int, ids: list[int], now: int, hold: int | None) -> int:
        async with self.db.transaction() as repos:
            listed: list[Context] = []
            for issue_id in ids:
                ctx = await self.workflow.load(repos, issue_id)
                issue = ctx.issue
                if issue.state is not State.CLOSED or issue.close_reason != "unrated":
                    continue
                if not await repos.scheduler.add_nudge(
                    issue_id, "revisit_phone", issue.reopen_count, now
                ):
                    continue  # listed already (an overlapping sweep)
                await repos.issues.add_event(issue_id, now, None, "phone_listed")
                listed.append(ctx)
            if not listed:
                return 0
            managers = await station_staff_or_admins(
                repos, station_id, self.settings.admin_telegram_ids
            )
            render = partial(
                revisit_views.phone_list,
                station=listed[0].station,
                items=[(c.issue, c.category, c.resident) for c in listed],
            )
            sent = await Notices(repos, now).send_all(managers, render, not_before=hold)
            for ctx in listed:
                await repos.scheduler.set_nudge_recipients(
                    ctx.issue.id, "revisit_phone", ctx.issue.reopen_count, len(sent)
                )
            return 1

    async def rechecks(self) -> int:
        """14 days after an issue closed as 已解决, its resident is asked once whether the
        problem came back. Returns how many were asked."""
        now = self._now()
        async with self.db.read() as repos:
            due = await repos.revisit.recheck_due(now - RECHECK_AFTER)
        asked = 0
        for issue in due:
            try:
                asked += await self._recheck(issue.id, now)
            except Exception:
                log.exception("sweep: the re-check of #%s failed", issue.id)
        return asked

    async def _recheck(self, issue_id: int, now: int) -> int:
        async with self.db.transaction() as repos:
            ctx = await self.workflow.load(repos, issue_id)
            issue = ctx.issue
            if (
                issue.state is not State.CLOSED
                or issue.resolution is not Resolution.RESOLVED
                or not await repos.revisit.mark_recheck_asked(issue_id)
            ):
                return 0
            if not await repos.scheduler.add_nudge(issue_id, "recheck", issue.reopen_count, now):
                return 0  # asked in this cycle already (it stays marked: no longer due)
            await repos.issues.add_event(issue_id, now, None, "recheck_asked")
            sent = await Notices(repos, now).send(
                ctx.resident,
                partial(
                    revisit_views.recheck_notice, number=issue_id, description=issue.description
                ),
            )
            await repos.scheduler.set_nudge_recipients(
                issue_id, "recheck", issue.reopen_count, int(sent)
            )
            return 1


def rehandled(ctx: Context) -> bool:
    """Whether a 回访 press left the issue being handled again."""
    return ctx.issue.state in OPEN_STATES
