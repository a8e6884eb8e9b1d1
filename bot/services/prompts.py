"""Questions the bot asks and waits to be answered by the person's next message.

A resident's 补充说明, answer to a deputy's question or reason after 不满意 is carried out as
soon as it arrives. What a deputy or staff member writes to someone else as an official act
(答复, 退回 and 不予受理 reasons, the 转办 note, 询问群众) is first shown back to them (step
`preview`, with 发送 / 修改 / 取消) and only 发送 carries it out — in the same transaction that
clears what was awaited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from bot import lifecycle
from bot.actor import Actor
from bot.errors import NotAllowed, WrongState
from bot.lifecycle import Action
from bot.models import Awaiting, Pending, Role, State, Step
from bot.services.base import Service
from bot.services.units import UnitService
from bot.services.workflow import Context, Workflow, check_text
from storage.repos import Repos

LAPSE_SECONDS = 30 * 60  # an unanswered deputy/staff prompt lapses quietly after this

# what each prompt's answer does (None: checked by hand below)
ACTIONS: dict[Awaiting, Action | None] = {
    Awaiting.REPLY: Action.REPLY,
    Awaiting.DECLINE: Action.DECLINE,
    Awaiting.REJECT: Action.REJECT,
    Awaiting.ASK: Action.ASK,
    Awaiting.TRANSFER_NOTE: None,
    Awaiting.FOLLOW_UP: Action.FOLLOW_UP,
    Awaiting.ANSWER: Action.FOLLOW_UP,
    Awaiting.UNSATISFIED: None,
    Awaiting.UNIT_ANSWER: None,
    Awaiting.UNIT_RETURN: None,
    Awaiting.UNIT_EXTEND: None,
    Awaiting.REASSIGN: Action.REASSIGN,
}
PREVIEWED = frozenset(
    {
        Awaiting.REPLY,
        Awaiting.DECLINE,
        Awaiting.REJECT,
        Awaiting.ASK,
        Awaiting.TRANSFER_NOTE,
        Awaiting.UNIT_ANSWER,
        Awaiting.UNIT_RETURN,
        Awaiting.UNIT_EXTEND,
        Awaiting.REASSIGN,
    }
)
SKIPPABLE = frozenset({Awaiting.TRANSFER_NOTE, Awaiting.UNSATISFIED, Awaiting.UNIT_RETURN})
MAX_RESULT_PHOTOS = 5  # photos of the result a unit may attach to its answer
Data = dict[str, str | int | float | None]
RESIDENTS = frozenset({Awaiting.FOLLOW_UP, Awaiting.ANSWER, Awaiting.UNSATISFIED})


class StalePrompt(WrongState):
    """A 发送 / 修改 / 取消 / 跳过 of something no longer awaited in that form."""

    key = "prompt.stale"


@dataclass(frozen=True)
class Outcome:
    kind: Awaiting
    status: Literal[
        "asked", "preview", "done", "lapsed", "expired", "cancelled", "editing", "photo"
    ]
    ctx: Context | None = None
    text: str = ""
    version: int = 0
    why: State | None = None  # lapsed: the issue's state now
    photos: int = 0  # photo: how many are attached now


def photos_of(data: Data) -> tuple[str, ...]:
    """The photos collected with an answer (kept as JSON in the prompt's data)."""
    raw = data.get("photos")
    return tuple(json.loads(raw)) if isinstance(raw, str) and raw else ()


class PromptService(Service):
    def __init__(self, workflow: Workflow, units: UnitService) -> None:
        super().__init__(workflow.db, workflow.clock, workflow.settings)
        self.workflow = workflow
        self.units = units

    async def _still_allowed(
        self, repos: Repos, actor: Actor, kind: Awaiting, issue_id: int
    ) -> Context:
        """The issue as it is now, or WrongState when the answer could no longer be used."""
        if kind is Awaiting.UNIT_ANSWER:
            return await self.units.check_answer(repos, actor, issue_id)
        if kind is Awaiting.UNIT_EXTEND:
            return await self.units.check_extend(repos, actor, issue_id)
        if kind is Awaiting.UNIT_RETURN:
            ctx, _ = await self.units.check_return_note(repos, actor, issue_id)
            return ctx
        ctx = await self.workflow.load(repos, issue_id)
        roles = actor.roles_for(ctx.issue)
        action = ACTIONS[kind]
        if action is not None:
            lifecycle.transition(ctx.issue.state, action, roles)
        elif kind is Awaiting.TRANSFER_NOTE:
            if Role.OWNER not in roles or ctx.issue.state is not State.TRANSFERRED:
                raise WrongState("no longer transferred")
        elif Role.RESIDENT not in roles:
            raise NotAllowed("not your issue")
        if kind is Awaiting.DECLINE and actor.id in await repos.issues.declined_by(issue_id):
            raise WrongState("already declined", key="deputy.already_declined")
        if kind is Awaiting.FOLLOW_UP:  # told before typing, not after
            await self.workflow.check_follow_ups(repos, actor, issue_id)
        return ctx

    async def ask(
        self,
        actor: Actor,
        kind: Awaiting,
        issue_id: int,
        seq: int | None = None,
        data: Data | None = None,
    ) -> Outcome:
        """Check the person may do what the answer leads to, then wait for their text
        (`data`: what the answer goes with, e.g. the days of an extension)."""
        async with self.db.transaction() as repos:
            ctx = await self._still_allowed(repos, actor, kind, issue_id)
            pending = await repos.pending.set(
                actor.id, kind, Step.WRITE, self._now(), issue_id=issue_id, data=data, seq=seq
            )
            return Outcome(kind, "asked", ctx, version=pending.version)

    async def transfer(
        self, actor: Actor, issue_id: int, department_id: int, seq: int | None = None
    ) -> Outcome:
        """转办 is recorded as soon as the unit is chosen; an optional note may follow."""
        async with self.db.transaction() as repos:
            ctx = await self.workflow.transfer(actor, issue_id, department_id, None, within=repos)
            pending = await repos.pending.set(
                actor.id,
                Awaiting.TRANSFER_NOTE,
                Step.WRITE,
                self._now(),
                issue_id=issue_id,
                seq=seq,
            )
            return Outcome(Awaiting.TRANSFER_NOTE, "asked", ctx, version=pending.version)

    async def text(
        self, actor: Actor, pending: Pending, text: str, seq: int | None = None
    ) -> Outcome:
        """The person's text while `pending` waits for it."""
        kind = pending.kind
        assert pending.issue_id is not None
        now = self._now()
        async with self.db.transaction() as repos:
            if kind not in RESIDENTS and now - pending.updated_at > LAPSE_SECONDS:
                await repos.pending.clear(actor.id, now, seq)
                return Outcome(kind, "expired")
            try:
                ctx = await self._still_allowed(repos, actor, kind, pending.issue_id)
            except (WrongState, NotAllowed):
                await repos.pending.clear(actor.id, now, seq)
                ctx = await self.workflow.load(repos, pending.issue_id)
                return Outcome(kind, "lapsed", ctx, why=ctx.issue.state)
            text = check_text(text)
            if kind in PREVIEWED:
                saved = await repos.pending.set(
                    actor.id,
                    kind,
                    Step.PREVIEW,
                    now,
                    issue_id=pending.issue_id,
                    data={**pending.data, "text": text},
                    seq=seq,
                )
                photos = len(photos_of(pending.data))
                return Outcome(kind, "preview", ctx, text, saved.version, photos=photos)
            ctx = await self._carry_out(repos, actor, kind, pending.issue_id, text, pending.data)
            await repos.pending.clear(actor.id, now, seq)
            return Outcome(kind, "done", ctx, text)

    async def _current(
        self, repos: Repos, actor: Actor, version: int, step: Step | None
    ) -> Pending:
        pending = await repos.pending.get(actor.id)
        if (
            not pending.active
            or pending.version != version
            or pending.issue_id is None
            or (step is not None and pending.step is not step)
        ):
            raise StalePrompt("not awaited any more")
        return pending

    async def send(self, actor: Actor, version: int, seq: int | None = None) -> Outcome:
        """发送 under a preview: carry it out and stop waiting, together."""
        now = self._now()
        async with self.db.transaction() as repos:
            pending = await self._current(repos, actor, version, Step.PREVIEW)
            assert pending.issue_id is not None
            text = str(pending.data.get("text") or "")
            try:
                await self._still_allowed(repos, actor, pending.kind, pending.issue_id)
            except (WrongState, NotAllowed):
                await repos.pending.clear(actor.id, now, seq)
                ctx = await self.workflow.load(repos, pending.issue_id)
                return Outcome(pending.kind, "lapsed", ctx, why=ctx.issue.state)
            ctx = await self._carry_out(
                repos, actor, pending.kind, pending.issue_id, text, pending.data
            )
            await repos.pending.clear(actor.id, now, seq)
            return Outcome(pending.kind, "done", ctx, text)

    async def edit(self, actor: Actor, version: int, seq: int | None = None) -> Outcome:
        """修改: write it again (the text under review is shown for copying)."""
        async with self.db.transaction() as repos:
            pending = await self._current(repos, actor, version, Step.PREVIEW)
            assert pending.issue_id is not None
            ctx = await self.workflow.load(repos, pending.issue_id)
            kept = {k: v for k, v in pending.data.items() if k != "text"}
            saved = await repos.pending.set(
                actor.id,
                pending.kind,
                Step.WRITE,
                self._now(),
                issue_id=pending.issue_id,
                data=kept,
                seq=seq,
            )
            return Outcome(
                pending.kind, "editing", ctx, str(pending.data.get("text") or ""), saved.version
            )

    async def cancel(
        self, actor: Actor, version: int, seq: int | None = None, *, skip: bool = False
    ) -> Outcome:
        """取消 (or 跳过, where the answer is optional): stop waiting, nothing is sent."""
        async with self.db.transaction() as repos:
            pending = await self._current(repos, actor, version, None)
            if skip and pending.kind not in SKIPPABLE:
                raise StalePrompt("an answer is needed")
            assert pending.issue_id is not None
            ctx = await self.workflow.load(repos, pending.issue_id)
            await repos.pending.clear(actor.id, self._now(), seq)
            return Outcome(pending.kind, "cancelled", ctx)

    async def add_photo(
        self, actor: Actor, pending: Pending, photo: str, seq: int | None = None
    ) -> Outcome:
        """A photo of the result while a unit's answer is written: kept with the answer."""
        assert pending.issue_id is not None
        async with self.db.transaction() as repos:
            ctx = await self._still_allowed(repos, actor, pending.kind, pending.issue_id)
            photos = photos_of(pending.data)
            if photo not in photos:
                photos = (*photos, photo)[-MAX_RESULT_PHOTOS:]
            saved = await repos.pending.set(
                actor.id,
                pending.kind,
                pending.step,
                self._now(),
                issue_id=pending.issue_id,
                data={**pending.data, "photos": json.dumps(list(photos))},
                seq=seq,
            )
            text = str(saved.data.get("text") or "")
            return Outcome(pending.kind, "photo", ctx, text, saved.version, photos=len(photos))

    async def _carry_out(
        self, repos: Repos, actor: Actor, kind: Awaiting, issue_id: int, text: str, data: Data
    ) -> Context:
        w = self.workflow
        if kind is Awaiting.REPLY:
            return await w.reply(actor, issue_id, text, within=repos, photos=photos_of(data))
        if kind is Awaiting.UNIT_ANSWER:
            return await self.units.answer(actor, issue_id, text, photos_of(data), within=repos)
        if kind is Awaiting.UNIT_RETURN:
            return await self.units.return_note(actor, issue_id, text, within=repos)
        if kind is Awaiting.UNIT_EXTEND:
            days = data.get("days")
            return await self.units.ask_extension(
                actor, issue_id, int(days or 0), text, within=repos
            )
        if kind is Awaiting.DECLINE:
            return await w.decline(actor, issue_id, text, within=repos)
        if kind is Awaiting.REASSIGN:
            deputy = data.get("deputy")
            return await w.reassign(actor, issue_id, int(deputy or 0), text, within=repos)
        if kind is Awaiting.REJECT:
            return await w.reject(actor, issue_id, text, within=repos)
        if kind is Awaiting.ASK:
            return await w.ask(actor, issue_id, text, within=repos)
        if kind is Awaiting.TRANSFER_NOTE:
            return await w.transfer_note(actor, issue_id, text, within=repos)
        if kind is Awaiting.ANSWER:
            return await w.follow_up(actor, issue_id, text, "answered", within=repos)
        if kind is Awaiting.FOLLOW_UP:
            return await w.follow_up(actor, issue_id, text, within=repos)
        return await w.unsatisfied_reason(actor, issue_id, text, within=repos)
