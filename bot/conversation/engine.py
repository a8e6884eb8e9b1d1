"""The conversation engine: every input a person sends while the bot waits for something.

For each person the database holds at most one record of what the bot is waiting for (the
`pending` row: kind, step, the draft or issue it concerns, a version). Every step changes it
in the same transaction as the data the step writes, so after a crash the person continues
exactly where they were. The rules every flow follows:

1. A command or a menu button always does what it says: whatever was pending is put aside
   with one line (`interrupt`), never fed the label as an answer. Report drafts are kept.
2. Official text to someone else is previewed (发送 / 修改 / 取消) before it goes out.
3. A button names the draft, or the version of what is awaited, it acts on; an older
   button never acts on something newer, and says what became of it.
4. An input whose platform sequence number was already applied is a redelivery: ignored.

Adapters turn their updates into `bot.conversation.inputs` and render the `Reply` list.
"""

from __future__ import annotations

from bot.actor import Actor
from bot.callbacks import BroadcastPress, PromptPress, ReportPress
from bot.clock import Clock
from bot.config import Settings
from bot.conversation.inputs import Contact, Location, Message, Photo, Text
from bot.conversation.proposals import Proposals
from bot.errors import DomainError, LimitReached
from bot.messages import Button, Outgoing, Reply
from bot.models import MIN_DESCRIPTION, Awaiting, Channel, Draft, Lang, Pending, Step
from bot.services.broadcasts import BroadcastService
from bot.services.patrols import PatrolService
from bot.services.people import PeopleService
from bot.services.prompts import (
    PREVIEWED,
    RESIDENTS,
    SKIPPABLE,
    Outcome,
    PromptService,
    StalePrompt,
)
from bot.services.reporting import ReportService, StaleDraft
from bot.texts import plain, t
from bot.views import prompts as prompt_views
from bot.views import report as report_views
from bot.views.stations import station_offer
from storage.db import APPLYING, Database
from storage.pending import SEQ_CHANNEL

# commands that deal with what is pending themselves (not put aside first)
OWN_PENDING = ("cancel", "report")
REDELIVERY_WINDOW = 600  # seconds: Telegram redelivers unconfirmed updates right after a crash


def send(message: Outgoing) -> Reply:
    return Reply(op="send", message=message)


def say(lang: Lang, key: str, **params: object) -> Reply:
    return Reply(op="send", message=Outgoing(text=t(lang, key, **params)))


def replace(message: Outgoing) -> Reply:
    return Reply(op="replace", message=message)


def popup(lang: Lang, key: str, **params: object) -> Reply:
    return Reply(op="popup", text=plain(lang, key, **params))


DROP = Reply(op="drop")


class Conversations:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        settings: Settings,
        people: PeopleService,
        reports: ReportService,
        prompts: PromptService,
        broadcasts: BroadcastService,
        patrols: PatrolService,
        proposals: Proposals | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.people = people
        self.reports = reports
        self.prompts = prompts
        self.broadcasts = broadcasts
        self.patrols = patrols
        self.proposals = proposals

    # -- bookkeeping -----------------------------------------------------------------------
    def redelivered(self, actor: Actor, seq: int | None, channel: Channel | None = None) -> bool:
        """Whether update `seq` was already applied for this person (a crash's redelivery).
        Numbers compare only within one platform (`channel`: the update's; by default the
        one being handled)."""
        pending = actor.pending
        if seq is None or pending is None or pending.last_seq is None or pending.seq_at is None:
            return False
        if pending.seq_channel is not (channel or SEQ_CHANNEL.get()):
            return False
        recent = self.clock.now() - pending.seq_at < REDELIVERY_WINDOW
        return recent and seq <= pending.last_seq

    def applying(self, actor: Actor, seq: int, channel: Channel = Channel.TELEGRAM) -> None:
        """From here on this update's writes record it as applied (for this task only)."""
        SEQ_CHANNEL.set(channel)
        APPLYING.set((actor.id, seq, int(self.clock.now())))

    async def pending(self, actor: Actor) -> Pending:
        async with self.db.read() as repos:
            return await repos.pending.get(actor.id)

    async def _clear(self, actor: Actor, seq: int | None) -> None:
        async with self.db.transaction() as repos:
            await repos.pending.clear(actor.id, int(self.clock.now()), seq)

    # -- commands and menu buttons -----------------------------------------------------------
    async def command(self, actor: Actor, name: str, seq: int | None = None) -> list[Reply]:
        """Command `name` (without its slash; a menu button counts as its command) is about
        to run: what was pending is put aside first, unless the command deals with it."""
        if actor.awaiting is None or name in OWN_PENDING:
            return []
        return await self.interrupt(actor, seq)

    async def interrupt(
        self, actor: Actor, seq: int | None = None, *, for_report: bool = False
    ) -> list[Reply]:
        """A command or menu button arrived: put aside what was pending, in one line."""
        pending = actor.pending or await self.pending(actor)  # read with the person
        if not pending.active:
            return []
        lang = actor.lang
        kind = pending.kind
        if kind is Awaiting.BROADCAST:
            await self.broadcasts.cancel_draft(actor, seq)
            return [say(lang, "bc.put_aside")]
        await self._clear(actor, seq)
        if kind is Awaiting.REPORT:
            # /report itself offers to continue the draft; no line needed
            return [] if for_report else [say(lang, "report.put_aside")]
        if kind is Awaiting.PATROL_NOTE:
            name = pending.data.get("name_en" if lang is Lang.EN else "name_zh") or ""
            return [say(lang, "patrol.put_aside", item=name)]
        if kind is Awaiting.ANSWER:
            return []  # nothing was started: the question keeps its 回复 button
        if kind is Awaiting.SUGGESTION:
            return [Proposals.put_aside(lang, pending)]
        return [send(prompt_views.put_aside(lang, kind, pending.issue_id or 0))]

    async def cancel(self, actor: Actor, seq: int | None = None) -> list[Reply]:
        """/cancel: drop what is pending (a report draft is deleted, not kept)."""
        pending = await self.pending(actor)
        lang = actor.lang
        if pending.kind is Awaiting.BROADCAST:
            await self.broadcasts.cancel_draft(actor, seq)
            return [say(lang, "bc.cancelled")]
        if pending.active and pending.kind is not Awaiting.REPORT:
            await self._clear(actor, seq)
            return [say(lang, "cancel.done")]
        if await self.reports.cancel(actor, None, seq):
            return [
                send(
                    Outgoing(
                        text=t(lang, "report.cancelled"),
                        keyboard=report_views.menu_keyboard(lang),
                    )
                )
            ]
        return [say(lang, "cancel.nothing")]

    # -- /report ---------------------------------------------------------------------------
    async def report(self, actor: Actor, seq: int | None = None) -> list[Reply]:
        """/report or 我要反映: continue an unfinished draft (asked first) or start one."""
        replies = await self.interrupt(actor, seq, for_report=True)
        try:
            draft, step = await self.reports.start(actor, seq)
        except LimitReached as exc:
            return [*replies, say(actor.lang, exc.key, **exc.params)]
        return replies + [send(m) for m in await self._step_messages(actor, draft, step)]

    async def _begin(self, actor: Actor, seq: int | None) -> list[Reply]:
        try:
            draft, step = await self.reports.begin(actor, seq)
        except LimitReached as exc:
            return [say(actor.lang, exc.key, **exc.params)]
        return [send(m) for m in await self._step_messages(actor, draft, step)]

    async def _step_messages(self, actor: Actor, draft: Draft, step: Step) -> list[Outgoing]:
        """What the person needs to see to go on from `step`."""
        lang = actor.lang
        station, category = await self.reports.describe_draft(draft)
        if step is Step.STATION:
            districts = await self.people.districts()
            # a resident who had a station is waiting here because it was retired
            why = "report.station_retired" if actor.person.station_id else "report.need_station"
            return [Outgoing(text=t(lang, why)), *station_offer(lang, districts)]
        if step is Step.CATEGORY:
            return [report_views.categories(lang, draft, station, await self.reports.categories())]
        if step is Step.DESCRIPTION:
            return [report_views.ask_description(lang, category)]
        if step is Step.EXTRAS:
            return [report_views.extras(lang, draft)]
        if step is Step.CONFIRM:
            phone = actor.person.phone  # read with the person
            return [report_views.summary(lang, draft, station, category, phone)]
        return [report_views.resume_offer(lang, draft, category, self.settings.zone)]

    async def station_bound(
        self, actor: Actor, station_id: int, seq: int | None = None
    ) -> list[Reply]:
        """A station was chosen; a report waiting for one carries on."""
        draft = await self.reports.station_bound(actor, station_id, seq)
        if draft is None:
            return []
        return [send(m) for m in await self._step_messages(actor, draft, Step.CATEGORY)]

    # -- inputs ----------------------------------------------------------------------------
    async def message(self, actor: Actor, message: Message) -> list[Reply] | None:
        """An input while something is pending; None when nothing is (the adapter's
        default handling applies: a location finds stations, a contact binds a role…)."""
        if self.redelivered(actor, message.seq):
            return []
        # read with the person at the start of this update (no extra query), else now
        pending = actor.pending if actor.pending is not None else await self.pending(actor)
        if not pending.active:
            return None
        try:
            if pending.kind is Awaiting.REPORT:
                return await self._report_input(actor, pending, message)
            if pending.kind is Awaiting.BROADCAST:
                return await self._broadcast_input(actor, message)
            if pending.kind is Awaiting.PATROL_NOTE:
                return await self._patrol_input(actor, message)
            if pending.kind is Awaiting.SUGGESTION and self.proposals is not None:
                return await self.proposals.input(actor, pending, message)
            return await self._prompt_input(actor, pending, message)
        except DomainError as exc:
            return [say(actor.lang, exc.key or "error.generic", **exc.params)]

    async def _report_input(
        self, actor: Actor, pending: Pending, message: Message
    ) -> list[Reply] | None:
        try:
            return await self._report_step(actor, pending, message)
        except StaleDraft:  # finished elsewhere (another device, an old button): not pending
            await self._clear(actor, message.seq)
            return None

    async def _report_step(
        self, actor: Actor, pending: Pending, message: Message
    ) -> list[Reply] | None:
        lang = actor.lang
        seq = message.seq
        draft_id, step = pending.ref or 0, pending.step
        if step is Step.STATION:
            if isinstance(message, Location):
                return None  # the nearest stations are offered; picking one carries on
            draft = await self.reports.draft(actor, draft_id)
            return [say(lang, "report.expect_station")] + [
                send(m) for m in await self._step_messages(actor, draft, step)
            ]
        if step is Step.DESCRIPTION and isinstance(message, Text | Photo):
            photo = message.file_id if isinstance(message, Photo) else None
            text = message.text if isinstance(message, Text) else message.caption
            album = message.album if isinstance(message, Photo) else None
            draft = await self.reports.describe(actor, draft_id, text, photo, seq, album)
            if draft.description is None:
                if album is not None and pending.data.get("album") == album:
                    return []  # the album's first photo was answered already
                return [say(lang, "report.expect_description")]
            return [send(report_views.extras(lang, draft))]
        if step is Step.EXTRAS and isinstance(message, Photo):
            draft, answered = await self.reports.add_photo(
                actor, draft_id, message.file_id, seq, message.album
            )
            if answered:
                return []  # one answer for an album
            key = "report.album_added" if message.album else "report.photo_added"
            return [send(report_views.extras(lang, draft, key))]
        if step is Step.EXTRAS and isinstance(message, Location):
            draft = await self.reports.set_location(actor, draft_id, message.lat, message.lon, seq)
            return [send(report_views.extras(lang, draft, "report.location_added"))]
        if step is Step.CONFIRM and isinstance(message, Contact):
            draft = await self.reports.share_phone(actor, draft_id, message.phone, message.own, seq)
            phone = await self.reports.phone_of(actor)
            station, category = await self.reports.describe_draft(draft)
            summary = report_views.summary(lang, draft, station, category, phone)
            shown = pending.data.get("summary")
            return [
                send(
                    Outgoing(
                        text=t(lang, "reliability.phone_shared", phone=phone or ""),
                        keyboard=report_views.menu_keyboard(lang),
                    )
                ),
                # the summary above now shows the number (or comes again if it is unknown)
                Reply(op="edit", message=summary, target=shown)
                if isinstance(shown, int)
                else send(summary),
            ]
        # anything else: say what this step needs, with its buttons again
        expect = {
            Step.RESUME: "report.expect_resume",
            Step.CATEGORY: "report.expect_category",
            Step.DESCRIPTION: "report.expect_description",
            Step.EXTRAS: "report.expect_extras",
            Step.CONFIRM: "report.expect_confirm",
        }.get(step, "report.expect_description")
        if step is Step.DESCRIPTION:
            return [say(lang, expect, min=MIN_DESCRIPTION)]
        draft = await self.reports.draft(actor, draft_id)
        return [say(lang, expect)] + [
            send(m) for m in await self._step_messages(actor, draft, step)
        ]

    async def _broadcast_input(self, actor: Actor, message: Message) -> list[Reply]:
        lang = actor.lang
        if isinstance(message, Photo):
            body, photo = message.caption or "", message.file_id
        elif isinstance(message, Text):
            body, photo = message.text, None
        else:
            return [say(lang, "prompt.expect_text")]
        preview = await self.broadcasts.compose(actor, body, photo, message.seq)
        notice = preview.message
        if preview.broadcast.photo:
            notice = notice.model_copy(update={"photos": (preview.broadcast.photo,)})
        bid = preview.broadcast.id
        control = Outgoing(
            text=t(lang, "bc.confirm", count=preview.count),
            buttons=(
                (
                    Button(
                        text=plain(lang, "bc.btn_send"),
                        data=BroadcastPress(verb="send", id=bid).pack(),
                    ),
                    Button(
                        text=plain(lang, "bc.btn_cancel"),
                        data=BroadcastPress(verb="cancel", id=bid).pack(),
                    ),
                ),
            ),
        )
        return [send(notice), Reply(op="send", message=control, broadcast_control=bid)]

    async def _patrol_input(self, actor: Actor, message: Message) -> list[Reply]:
        lang = actor.lang
        if isinstance(message, Photo) and message.caption:
            text, photo = message.caption, message.file_id
        elif isinstance(message, Text):
            text, photo = message.text, None
        else:
            return [say(lang, "patrol.expect_note")]
        _, issue = await self.patrols.report_problem(actor, text, photo, message.seq)
        return [say(lang, "patrol.issue_created", number=issue.id)]

    async def _prompt_input(
        self, actor: Actor, pending: Pending, message: Message
    ) -> list[Reply] | None:
        lang = actor.lang
        if isinstance(message, Photo) and pending.kind is Awaiting.UNIT_ANSWER:
            # photos of the result go with the unit's answer; a caption is its text
            added = await self.prompts.add_photo(actor, pending, message.file_id, message.seq)
            if not message.caption:
                if added.text:  # already previewed: show it again with the photos
                    return [
                        send(
                            prompt_views.preview(
                                lang,
                                added.kind,
                                pending.issue_id or 0,
                                added.text,
                                added.version,
                                added.photos,
                            )
                        )
                    ]
                return [send(prompt_views.photo_added(lang, pending.issue_id or 0, added.photos))]
            pending = await self.pending(actor)
        if isinstance(message, Text):
            text = message.text
        elif isinstance(message, Photo) and message.caption:
            text = message.caption
        else:
            return [say(lang, "prompt.expect_text")]
        outcome = await self.prompts.text(actor, pending, text, message.seq)
        if outcome.status == "expired":
            return None  # lapsed quietly: the text is new input
        return self._outcome(actor, outcome)

    def _outcome(self, actor: Actor, outcome: Outcome, *, pressed: bool = False) -> list[Reply]:
        lang = actor.lang
        kind = outcome.kind
        ctx = outcome.ctx
        number = ctx.issue.id if ctx else 0
        lead = [DROP] if pressed else []
        if outcome.status == "preview":
            preview = prompt_views.preview(
                lang, kind, number, outcome.text, outcome.version, outcome.photos
            )
            return [send(preview)]
        if outcome.status == "editing":
            return [
                replace(prompt_views.rewrite(lang, kind, number, outcome.text, outcome.version))
            ]
        if outcome.status == "lapsed" and outcome.why is not None:
            return [*lead, send(prompt_views.lapsed(lang, kind, number, outcome.why))]
        if outcome.status == "cancelled":
            return [*lead, send(prompt_views.cancelled(lang, number))]
        department = ctx.department.name(lang) if ctx and ctx.department else ""
        return [*lead, send(prompt_views.done(lang, kind, number, department))]

    # -- starting a prompt from an issue's buttons --------------------------------------------
    async def ask(
        self,
        actor: Actor,
        kind: Awaiting,
        issue_id: int,
        seq: int | None = None,
        *,
        data: dict[str, str | int | float | None] | None = None,
        key: str | None = None,
        **params: object,
    ) -> list[Reply]:
        """答复 / 退回 / 不予受理 / 询问群众 / 补充说明 / 回复 / 不满意 and the units' texts:
        wait for the text (`data` goes with it; `key` and `params` word the question)."""
        current = await self.pending(actor)
        again = current.kind is kind and current.issue_id == issue_id and data is None
        replies = [] if again else await self.interrupt(actor, seq)
        outcome = await self.prompts.ask(actor, kind, issue_id, seq, data)
        return [
            *replies,
            send(
                prompt_views.ask(
                    actor.lang,
                    kind,
                    issue_id,
                    outcome.version,
                    skippable=kind in SKIPPABLE,
                    cancellable=kind in PREVIEWED or kind in RESIDENTS - SKIPPABLE,
                    key=key,
                    **params,
                )
            ),
        ]

    async def transfer(
        self, actor: Actor, issue_id: int, department_id: int, seq: int | None = None
    ) -> list[Reply]:
        """A unit was chosen: the transfer is recorded now; a note may follow."""
        replies = await self.interrupt(actor, seq)
        outcome = await self.prompts.transfer(actor, issue_id, department_id, seq)
        ctx = outcome.ctx
        department = ctx.department.name(actor.lang) if ctx and ctx.department else ""
        in_bot = await self.prompts.units.handed_over(issue_id)
        unit = plain(
            actor.lang, "unit.in_bot" if in_bot else "unit.not_in_bot", department=department
        )
        return [
            *replies,
            DROP,
            send(
                prompt_views.ask(
                    actor.lang,
                    Awaiting.TRANSFER_NOTE,
                    issue_id,
                    outcome.version,
                    skippable=True,
                    department=department,
                    unit=unit,
                )
            ),
        ]

    # -- buttons of the flows ----------------------------------------------------------------
    async def press(
        self, actor: Actor, data: str, seq: int | None = None, message_id: int | None = None
    ) -> list[Reply]:
        """A button of a report draft (rep:…) or of what is awaited (pr:…), pressed on
        message `message_id` (when the platform has one)."""
        if self.redelivered(actor, seq):
            return []
        lang = actor.lang
        try:
            report = ReportPress.unpack(data)
            if report is not None:
                return await self._report_press(actor, report, seq, message_id)
            prompt = PromptPress.unpack(data)
            if prompt is not None:
                return await self._prompt_press(actor, prompt, seq)
        except StaleDraft as exc:
            # the message that finished the draft was changed then; this is an older one
            return [popup(lang, exc.key, **exc.params)]
        except StalePrompt as exc:  # an older preview or question: its buttons go
            return [popup(lang, exc.key, **exc.params), DROP]
        except DomainError as exc:
            return [popup(lang, exc.key or "error.generic", **exc.params)]
        return [popup(lang, "error.stale_button"), DROP]

    async def _report_press(
        self, actor: Actor, press: ReportPress, seq: int | None, message_id: int | None
    ) -> list[Reply]:
        lang = actor.lang
        reports = self.reports
        verb, draft_id = press.verb, press.draft
        if verb == "cat":
            chosen = await reports.choose_category(actor, draft_id, press.arg, seq)
            return [replace(report_views.ask_description(lang, chosen))]
        if verb == "skip":
            draft, similar = await reports.review(actor, draft_id, seq)
            station, category = await reports.describe_draft(draft)
            phone = actor.person.phone  # read with the person
            return [replace(report_views.summary(lang, draft, station, category, phone, similar))]
        if verb == "submit":
            pending = actor.pending or await self.pending(actor)  # read with the person
            offered_contact = "summary" in pending.data
            issue = await reports.submit(actor, draft_id, seq)
            done = [replace(Outgoing(text=t(lang, "report.submitted", number=issue.id)))]
            if offered_contact:  # the contact keyboard was not used: the plain menu comes back
                menu = report_views.menu_keyboard(lang)
                done.append(send(Outgoing(text=t(lang, "menu.hint"), keyboard=menu)))
            return done
        if verb == "cancel":
            await reports.cancel(actor, draft_id, seq)
            return [
                DROP,
                send(
                    Outgoing(
                        text=t(lang, "report.cancelled"), keyboard=report_views.menu_keyboard(lang)
                    )
                ),
            ]
        if verb == "me2":
            issue = await reports.support(actor, draft_id, press.arg, seq)
            supported = t(lang, "report.supported", number=issue.id, count=issue.supporters)
            return [replace(Outgoing(text=supported))]
        if verb in ("phone", "nophone"):
            attach = verb == "phone"
            draft, phone = await reports.attach_phone(actor, draft_id, attach, message_id)
            if attach and phone is None:
                # never shared: a keyboard button sends their own contact (asked first)
                keyboard = report_views.contact_keyboard(lang, "reliability.btn_share_phone")
                return [send(Outgoing(text=t(lang, "reliability.offer_phone"), keyboard=keyboard))]
            station, category = await reports.describe_draft(draft)
            return [replace(report_views.summary(lang, draft, station, category, phone))]
        if verb == "resume":
            draft, step = await reports.resume(actor, draft_id, seq)
            return [DROP] + [send(m) for m in await self._step_messages(actor, draft, step)]
        if verb == "new":
            await reports.draft(actor, draft_id)  # still open: this offer is current
            return [DROP] + await self._begin(actor, seq)
        return [popup(lang, "error.stale_button"), DROP]

    async def _prompt_press(self, actor: Actor, press: PromptPress, seq: int | None) -> list[Reply]:
        prompts = self.prompts
        current = actor.pending or await self.pending(actor)
        if current.kind is Awaiting.SUGGESTION and self.proposals is not None:
            return await self.proposals.prompt_press(actor, press, seq)
        if press.verb == "send":
            return self._outcome(actor, await prompts.send(actor, press.version, seq), pressed=True)
        if press.verb == "edit":
            return self._outcome(actor, await prompts.edit(actor, press.version, seq))
        if press.verb in ("cancel", "skip"):
            skip = press.verb == "skip"
            outcome = await prompts.cancel(actor, press.version, seq, skip=skip)
            if skip and outcome.kind is Awaiting.TRANSFER_NOTE and outcome.ctx is not None:
                department = (
                    outcome.ctx.department.name(actor.lang) if outcome.ctx.department else ""
                )
                return [
                    DROP,
                    say(
                        actor.lang,
                        "deputy.done_transfer",
                        number=outcome.ctx.issue.id,
                        department=department,
                    ),
                ]
            if skip:
                return [DROP, say(actor.lang, "cancel.done")]
            return self._outcome(actor, outcome, pressed=True)
        return [popup(actor.lang, "error.stale_button"), DROP]
