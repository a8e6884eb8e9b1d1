"""The work side of the bot, for every platform: a deputy's, staff member's or admin's
commands and the buttons on issue cards, overdue lists and patrol checklists.

Like the engine, the desk answers with `Reply` lists; an adapter only renders them. A
refused press becomes a pop-up, a refused command a message.
"""

from __future__ import annotations

import json

from bot import views
from bot.actor import Actor
from bot.callbacks import (
    ChannelPress,
    IssuePress,
    OverduePage,
    PatrolPress,
    RevisitPress,
    UnitPress,
)
from bot.config import Settings
from bot.conversation.engine import Conversations
from bot.conversation.proposals import Proposals
from bot.errors import DomainError, NotAllowed, stale_button
from bot.lifecycle import Action
from bot.messages import Button, Outgoing, Reply
from bot.models import Awaiting, Channel, Lang
from bot.services.deadlines import OVERDUE_PAGE, Sweeper
from bot.services.patrols import PatrolService
from bot.services.platform import PlatformService
from bot.services.revisit import RevisitService, rehandled
from bot.services.units import UnitService, UnitTask
from bot.services.workflow import Context, Workflow
from bot.texts import Markup, plain, t
from bot.views import issues as issue_views
from bot.views import revisit as revisit_views
from bot.views import units as unit_views
from bot.views.scheduler import item_choice, overdue_lines

TASKS_SHOWN = 10

# issue buttons a deputy presses, and the kind of text each one asks for
ASKS = {"dec": Awaiting.DECLINE, "rej": Awaiting.REJECT, "rep": Awaiting.REPLY, "ask": Awaiting.ASK}
# the verbs the desk answers (the resident's own buttons are handled elsewhere)
DESK_VERBS = ("acc", "tra", "dep", "asg", "rea", "sup", "sug", *ASKS)
# a phone 回访's buttons (the resident's own 回访 buttons are the counter's)
PHONE_VERBS = ("ph", "pres", "psat")


def help_keys(actor: Actor) -> list[str]:
    keys = []
    if actor.is_resident_only:
        keys.append("help.resident")
    if actor.is_deputy:
        keys.append("help.deputy")
    if actor.is_liaison:
        keys.append("help.liaison")
    if actor.is_staff:
        keys.append("help.staff")
    if actor.admin:
        keys.append("help.admin")
    return keys


def say(lang: Lang, key: str, **params: object) -> Reply:
    return Reply(op="send", message=Outgoing(text=t(lang, key, **params)))


def toast(lang: Lang, key: str, **params: object) -> Reply:
    """A short note on the pressed button (Telegram shows it briefly; others send it)."""
    return Reply(op="popup", text=plain(lang, key, **params), alert=False)


def refusal(lang: Lang, error: DomainError, *, pressed: bool) -> list[Reply]:
    key = error.key or "error.generic"
    if pressed:
        return [Reply(op="popup", text=plain(lang, key, **error.params))]
    return [say(lang, key, **error.params)]


class Desk:
    def __init__(
        self,
        settings: Settings,
        workflow: Workflow,
        conversations: Conversations,
        deadlines: Sweeper,
        patrols: PatrolService,
        platform: PlatformService,
        units: UnitService,
        revisit: RevisitService | None = None,
        proposals: Proposals | None = None,
    ) -> None:
        self.settings = settings
        self.proposals = proposals
        self.units = units
        self.revisit = revisit or RevisitService(workflow)
        self.workflow = workflow
        self.engine = conversations
        self.deadlines = deadlines
        self.patrols = patrols
        self.platform = platform

    # -- commands ------------------------------------------------------------------------
    def not_allowed(self, actor: Actor, key: str = "not_allowed.command") -> list[Reply]:
        """A command outside the person's role: a short refusal, then their help."""
        return [say(actor.lang, key), *self.help(actor)]

    def help(self, actor: Actor) -> list[Reply]:
        return [say(actor.lang, key) for key in help_keys(actor)]

    async def tasks(self, actor: Actor) -> list[Reply]:
        """/tasks: the deputy's open issues, soonest deadline first, each with its buttons;
        then the station's issues nobody took yet."""
        lang = actor.lang
        if not actor.is_deputy and not actor.is_liaison:
            return self.not_allowed(actor)
        replies: list[Reply] = []
        if actor.is_liaison:
            replies += await self._unit_tasks(actor)
            if not actor.is_deputy:
                return replies
        tasks = await self.workflow.tasks(actor)
        if not tasks.owned and not tasks.pending:
            return [*replies, say(lang, "tasks.none")]
        if tasks.owned:
            replies.append(say(lang, "tasks.head", count=len(tasks.owned)))
            replies += [self.card(actor, ctx) for ctx in tasks.owned[:TASKS_SHOWN]]
        if tasks.pending:
            replies.append(say(lang, "tasks.pending_head", count=len(tasks.pending)))
            zone = self.settings.zone
            for ctx in tasks.pending[:TASKS_SHOWN]:
                body = views.issue_facts(
                    lang,
                    ctx.issue,
                    ctx.station,
                    ctx.category,
                    zone,
                    resident=ctx.resident,
                    now=self._now(),
                    yellow_at=self.settings.yellow_at,
                )
                buttons = views.pending_buttons(lang, ctx.issue.id)
                replies.append(Reply(op="send", message=Outgoing(text=body, buttons=buttons)))
        return replies

    async def _unit_tasks(self, actor: Actor) -> list[Reply]:
        """A liaison's /tasks: the unit's issues to sign for or answer, soonest first."""
        lang = actor.lang
        tasks = await self.units.tasks(actor)
        if not tasks:
            return [say(lang, "unit.tasks_none")]
        return [
            say(lang, "unit.tasks_head", count=len(tasks)),
            *(self.unit_card(actor, task) for task in tasks[:TASKS_SHOWN]),
        ]

    def unit_card(self, actor: Actor, task: UnitTask) -> Reply:
        ctx = task.ctx
        assert ctx.department is not None
        deputy = ctx.owner.name if ctx.owner else "—"
        card = unit_views.unit_card(
            actor.lang,
            ctx.issue,
            ctx.station,
            ctx.category,
            ctx.department,
            task.handover,
            deputy,
            self.settings.zone,
            now=self._now(),
            yellow_at=self.settings.yellow_at,
            signer=task.signer,
        )
        return Reply(op="send", message=card)

    async def hotspots(self, actor: Actor) -> list[Reply]:
        """/hotspots: 建议线索 (deputies, staff and admins)."""
        if self.proposals is None or not (actor.is_deputy or actor.is_staff or actor.admin):
            return self.not_allowed(actor)
        return await self.proposals.hotspots(actor)

    async def suggestions(self, actor: Actor) -> list[Reply]:
        """/suggestions: 代表建议 (deputies, liaisons and admins)."""
        if self.proposals is None or not (actor.is_deputy or actor.is_liaison or actor.admin):
            return self.not_allowed(actor)
        return await self.proposals.listing(actor)

    async def overdue(self, actor: Actor) -> list[Reply]:
        """/overdue: the 督办 list, a page at a time."""
        try:
            return await self._overdue_page(actor, 0)
        except NotAllowed:
            return self.not_allowed(actor, "overdue.not_allowed")

    async def patrol(self, actor: Actor) -> list[Reply]:
        """/patrol: staff start their station's patrol now (a choice when there are several)."""
        lang = actor.lang
        try:
            patrols = await self.patrols.startable(actor)
        except NotAllowed:
            return self.not_allowed(actor, "patrol.not_allowed")
        if not patrols:
            return [say(lang, "patrol.none")]
        if len(patrols) == 1:
            try:
                return await self._start_patrol(actor, patrols[0].id)
            except DomainError as exc:
                return refusal(lang, exc, pressed=False)
        rows = tuple(
            (Button(text=p.name(lang), data=PatrolPress(verb="start", id=p.id).pack()),)
            for p in patrols
        )
        return [Reply(op="send", message=Outgoing(text=t(lang, "patrol.choose"), buttons=rows))]

    def channel(self, actor: Actor) -> list[Reply]:
        """/channel: which platform notices go to, for people on more than one."""
        lang, person = actor.lang, actor.person
        mine = [c for c in Channel if person.reaches(c)]
        current = person.channel or Channel.TELEGRAM
        if len(mine) < 2:
            return [say(lang, "channel.only_one", channel=plain(lang, f"channel.{current}"))]
        buttons = tuple(
            (Button(text=plain(lang, f"channel.{c}"), data=ChannelPress(channel=c).pack()),)
            for c in mine
        )
        text = t(lang, "channel.choose", current=plain(lang, f"channel.{current}"))
        return [Reply(op="send", message=Outgoing(text=text, buttons=buttons))]

    async def _channel_chosen(self, actor: Actor, channel: Channel) -> list[Reply]:
        lang = actor.lang
        if not actor.person.reaches(channel):
            return [Reply(op="popup", text=plain(lang, "channel.not_yours"))]
        await self.platform.choose_channel(actor, channel)
        done = Outgoing(text=t(lang, "channel.set", channel=plain(lang, f"channel.{channel}")))
        return [Reply(op="replace", message=done)]

    # -- presses -------------------------------------------------------------------------
    @staticmethod
    def handles(data: str) -> bool:
        """Whether a button's data is one the desk answers."""
        issue = IssuePress.unpack(data)
        if issue is not None:
            return issue.verb in DESK_VERBS
        revisit = RevisitPress.unpack(data)
        if revisit is not None:
            return revisit.verb in PHONE_VERBS
        kinds = (OverduePage, PatrolPress, ChannelPress, UnitPress)
        return any(kind.unpack(data) is not None for kind in kinds) or Proposals.handles(data)

    async def press(self, actor: Actor, data: str, seq: int | None = None) -> list[Reply]:
        """A button of a card, an overdue list or a patrol checklist, re-checked against the
        presser's current roles."""
        try:
            issue = IssuePress.unpack(data)
            if issue is not None:
                return await self._issue_press(actor, issue, seq)
            page = OverduePage.unpack(data)
            if page is not None:
                return [Reply(op="drop"), *await self._overdue_page(actor, page.offset)]
            patrol = PatrolPress.unpack(data)
            if patrol is not None:
                return await self._patrol_press(actor, patrol)
            chosen = ChannelPress.unpack(data)
            if chosen is not None:
                return await self._channel_chosen(actor, chosen.channel)
            unit = UnitPress.unpack(data)
            if unit is not None:
                return await self._unit_press(actor, unit, seq)
            revisit = RevisitPress.unpack(data)
            if revisit is not None and revisit.verb in PHONE_VERBS:
                return await self._phone_press(actor, revisit)
            if self.proposals is not None and Proposals.handles(data):
                return await self.proposals.press(actor, data, seq)
            raise stale_button()
        except DomainError as exc:
            return refusal(actor.lang, exc, pressed=True)

    async def _phone_press(self, actor: Actor, press: RevisitPress) -> list[Reply]:
        """A phone 回访 (staff of the issue's station or admins, re-checked): rv:ph:<issue>
        on the list asks it; rv:pres / rv:psat record what the resident said."""
        lang, number = actor.lang, press.issue
        if press.verb == "ph":
            ctx = await self.revisit.phone_call(actor, number)
            ask = revisit_views.phone_ask(
                lang, ctx.issue, ctx.station, ctx.category, ctx.resident, self.settings.zone
            )
            return [Reply(op="send", message=ask)]
        resolution = revisit_views.RESOLUTIONS.get(press.code or 0)
        if resolution is None:
            raise stale_button()
        if press.verb == "pres":
            ctx = await self.revisit.phone_answer(actor, number, resolution)
            ask = revisit_views.phone_ask_rating(
                lang, number, resolution, ctx.issue.reopen_count, rehandled(ctx)
            )
            return [Reply(op="replace", message=ask)]
        rating = revisit_views.RATINGS.get(press.rating or 0)
        if rating is None or press.cycle is None:
            raise stale_button()
        ctx = await self.revisit.phone_rate(actor, number, resolution, press.cycle, rating)
        done = revisit_views.phone_done(lang, number, resolution, rating, rehandled(ctx))
        return [Reply(op="replace", message=done)]

    async def _issue_press(self, actor: Actor, press: IssuePress, seq: int | None) -> list[Reply]:
        lang, number = actor.lang, press.issue
        if press.verb == "sug" and press.arg is None and self.proposals is not None:
            return await self.proposals.from_issue(actor, number)
        needs_arg = press.verb in ("dep", "asg")
        if press.verb not in DESK_VERBS or (press.arg is None and needs_arg):
            raise stale_button()
        if press.arg is not None and press.verb not in ("dep", "asg", "rea"):
            raise stale_button()
        if press.verb == "rea":  # 改派: choose the deputy, then say why (previewed)
            if press.arg is None:
                ctx, deputies, load = await self.workflow.reassign_choices(actor, number)
                owner = ctx.owner.name if ctx.owner else None
                choice = issue_views.reassign_choice(lang, number, owner, deputies, load)
                return [Reply(op="send", message=choice)]
            await self.workflow.check_reassign(actor, number, press.arg)
            return await self.engine.ask(
                actor, Awaiting.REASSIGN, number, seq, data={"deputy": press.arg}
            )
        if press.verb in ASKS:
            return await self.engine.ask(actor, ASKS[press.verb], number, seq)
        if press.verb == "acc":
            ctx = await self.workflow.accept(actor, number)
            return [toast(lang, "deputy.accepted_ack", number=number), self.card(actor, ctx)]
        if press.verb == "tra":
            return await self._offer_departments(actor, number)
        if press.verb == "dep" and press.arg is not None:
            return await self.engine.transfer(actor, number, press.arg, seq)
        if press.verb == "asg" and press.arg is not None:
            ctx = await self.workflow.assign(actor, number, press.arg)
            name = ctx.owner.name if ctx.owner else ""
            return [
                toast(lang, "staff.assigned", number=number, name=name),
                Reply(op="drop"),
                say(lang, "staff.assigned", number=number, name=name),
            ]
        await self.workflow.supervise(actor, number)  # sup
        return [
            toast(lang, "staff.supervised", number=number),
            say(lang, "staff.supervised", number=number),
        ]

    async def _unit_press(self, actor: Actor, press: UnitPress, seq: int | None) -> list[Reply]:
        """A liaison's 签收 / 退回 / 申请延期 / 答复, a deputy's 转给群众 / 修改后答复, or the
        staff's 同意 / 不同意 — each re-checked against the presser's current roles."""
        lang, number, zone = actor.lang, press.id, self.settings.zone
        units = self.units
        if press.verb == "sign":
            task = await units.sign(actor, number)
            ctx = task.ctx
            assert ctx.department is not None
            card = unit_views.signed_card(
                lang,
                ctx.issue,
                ctx.station,
                ctx.category,
                ctx.department,
                task.handover,
                actor.person.name,
                zone,
            )
            return [
                toast(lang, "unit.signed_ack", number=number),
                Reply(op="replace", message=card),
            ]
        if press.verb == "ret":
            await units.check(actor, number, Action.UNIT_RETURN)
            return [Reply(op="send", message=unit_views.reason_choice(lang, number))]
        if press.verb == "rr" and press.arg is not None:
            task = await units.return_issue(actor, number, press.arg)
            reason = unit_views.reason_name(lang, task.handover.return_reason)
            asked = await self.engine.ask(actor, Awaiting.UNIT_RETURN, number, seq, reason=reason)
            return [Reply(op="drop"), *asked]
        if press.verb == "ext":
            due, options = await units.extension_options(actor, number)
            return [
                Reply(op="send", message=unit_views.days_choice(lang, number, due, options, zone))
            ]
        if press.verb == "ed" and press.arg is not None:
            due, options = await units.extension_options(actor, number)
            new_due = dict(options).get(press.arg)
            if new_due is None:
                raise stale_button()
            asked = await self.engine.ask(
                actor,
                Awaiting.UNIT_EXTEND,
                number,
                seq,
                data={"days": press.arg},
                due=views.when(new_due, zone),
            )
            return [Reply(op="drop"), *asked]
        if press.verb == "ans":
            ctx = await units.check(actor, number, Action.UNIT_ANSWER)
            department = ctx.department.name(lang) if ctx.department else ""
            return await self.engine.ask(
                actor, Awaiting.UNIT_ANSWER, number, seq, department=department
            )
        if press.verb == "fwd":
            await units.forward(actor, number)
            return [
                toast(lang, "deputy.done_reply", number=number),
                Reply(op="drop"),
                say(lang, "deputy.done_reply", number=number),
            ]
        if press.verb == "edit":
            ctx, handover = await units.answer_for_editing(actor, number)
            department = ctx.department.name(lang) if ctx.department else ""
            return await self.engine.ask(
                actor,
                Awaiting.REPLY,
                number,
                seq,
                data={"photos": json.dumps(list(handover.answer_photos))},
                key="unit.edit_answer",
                department=department,
                text=handover.answer_text or "",
            )
        if press.verb in ("yes", "no"):
            ctx, request, due = await units.decide_extension(actor, number, press.verb == "yes")
            approved = request.state == "approved"
            key = "unit.extension_approved" if approved else "unit.extension_refused"
            done = unit_views.dated(lang, key, ctx.issue.id, actor.person.name, due, zone)
            return [Reply(op="replace", message=done)]
        raise stale_button()

    async def _offer_departments(self, actor: Actor, issue_id: int) -> list[Reply]:
        """转办: check the right to transfer, then offer the departments."""
        lang = actor.lang
        await self.workflow.check(actor, issue_id, Action.TRANSFER)
        departments = await self.workflow.departments()
        if not departments:
            return [say(lang, "deputy.no_departments")]
        choice = Outgoing(
            text=t(lang, "deputy.choose_department", number=issue_id),
            buttons=views.department_buttons(lang, issue_id, departments),
        )
        return [Reply(op="send", message=choice)]

    async def _patrol_press(self, actor: Actor, press: PatrolPress) -> list[Reply]:
        """pat:start:<patrol>; pat:item|ok|bad:<run>:<item>; pat:done:<run> — the run's
        deputy only (re-checked)."""
        lang = actor.lang
        run, item = press.id, press.item
        if press.verb == "start":
            return [Reply(op="drop"), *await self._start_patrol(actor, run)]
        if press.verb == "item" and item is not None:
            view = await self.patrols.choose(actor, run, item)
            return [Reply(op="send", message=item_choice(lang, view, item))]
        if press.verb == "ok" and item is not None:
            view = await self.patrols.mark_ok(actor, run, item)
            name = view.item(item, lang)
            return [
                toast(lang, "patrol.item_ok", item=name),
                Reply(op="replace", message=Outgoing(text=t(lang, "patrol.item_ok", item=name))),
            ]
        if press.verb == "bad" and item is not None:
            view = await self.patrols.ask_problem(actor, run, item)
            return [Reply(op="drop"), say(lang, "patrol.ask_note", item=view.item(item, lang))]
        if press.verb == "done":
            view = await self.patrols.finish(actor, run)
            counts = {
                "checked": view.checked,
                "total": len(view.patrol.items),
                "problems": len(view.problems),
            }
            return [toast(lang, "patrol.done_ack", **counts)]
        raise stale_button()

    async def _start_patrol(self, actor: Actor, patrol_id: int) -> list[Reply]:
        patrol, count = await self.patrols.start_now(actor, patrol_id)
        if not count:  # with no reachable deputy the staff got a notice saying so
            return []
        return [say(actor.lang, "patrol.started", count=count, name=patrol.name(actor.lang))]

    # -- pieces --------------------------------------------------------------------------
    def card(self, actor: Actor, ctx: Context, head: str = "deputy.working") -> Reply:
        """The issue as its deputy works on it, with 答复 / 转办 / 询问群众 / 不予受理."""
        message = views.working_card(
            actor.lang,
            ctx.issue,
            ctx.station,
            ctx.category,
            ctx.resident,
            self.settings.zone,
            head,
            now=self._now(),
            yellow_at=self.settings.yellow_at,
        )
        return Reply(op="send", message=message)

    def _now(self) -> int:
        return int(self.workflow.clock.now())

    async def _overdue_page(self, actor: Actor, offset: int) -> list[Reply]:
        lang = actor.lang
        items, total = await self.deadlines.overdue(actor, offset)
        if not items:
            return [say(lang, "overdue.none")]
        head = t(lang, "overdue.head", total=total, first=offset + 1, last=offset + len(items))
        body = overdue_lines(lang, items, self.settings.zone)
        buttons = [
            Button(
                text=plain(lang, "btn.supervise_number", number=o.issue.id),
                data=IssuePress(verb="sup", issue=o.issue.id).pack(),
            )
            for o in items
        ]
        rows: list[tuple[Button, ...]] = [
            tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)
        ]
        if offset + len(items) < total:
            more = OverduePage(offset=offset + OVERDUE_PAGE).pack()
            rows.append((Button(text=plain(lang, "btn.more"), data=more),))
        text = Markup(f"{head}\n\n{body}")
        return [Reply(op="send", message=Outgoing(text=text, buttons=tuple(rows)))]
