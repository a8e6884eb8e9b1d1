"""代表建议 in chat, for every platform: /hotspots and /suggestions, the buttons of hotspots
and suggestion cards, and the texts a suggestion waits for (previewed like every official
text). Like the desk, it answers with `Reply` lists; each press is re-checked by the service
against the presser's current roles.
"""

from __future__ import annotations

from bot.actor import Actor
from bot.callbacks import HotspotPress, PromptPress, SuggestionPress
from bot.config import Settings
from bot.conversation.inputs import Message, Photo, Text
from bot.errors import NotFound, stale_button
from bot.messages import Document, Outgoing, Reply
from bot.models import GRADES, Dossier, Lang, Pending, Rating, SuggestionState
from bot.services.suggestion_prompts import SuggestionPrompts, Written
from bot.services.suggestions import (
    DEFAULT_PERIOD,
    HOTSPOT_DAYS,
    PARTS,
    SuggestionService,
)
from bot.suggestion_docx import render_docx
from bot.texts import plain, t
from bot.views import day
from bot.views import suggestions as views

RATINGS = {1: Rating.SATISFIED, 2: Rating.MOSTLY, 3: Rating.UNSATISFIED}
DONE_KEYS = {
    "return": "sg.done_return",
    "answer": "sg.done_answer",
    "opinion": "sg.done_opinion",
    "extend": "sg.done_extend",
}


def _send(message: Outgoing) -> Reply:
    return Reply(op="send", message=message)


def _say(lang: Lang, key: str, **params: object) -> Reply:
    return _send(Outgoing(text=t(lang, key, **params)))


def _toast(lang: Lang, key: str, **params: object) -> Reply:
    return Reply(op="popup", text=plain(lang, key, **params), alert=False)


class Proposals:
    def __init__(
        self, settings: Settings, suggestions: SuggestionService, prompts: SuggestionPrompts
    ) -> None:
        self.settings = settings
        self.suggestions = suggestions
        self.prompts = prompts

    # -- commands ------------------------------------------------------------------------
    async def hotspots(self, actor: Actor, period: int = DEFAULT_PERIOD) -> list[Reply]:
        """/hotspots: groups of similar issues in the person's area, strongest first."""
        found = await self.suggestions.hotspots(actor, period)
        listing = views.hotspot_list(
            actor.lang, found, period, HOTSPOT_DAYS, self.settings.zone, can_draft=actor.is_deputy
        )
        return [_send(listing)]

    async def listing(self, actor: Actor) -> list[Reply]:
        """/suggestions: what the person leads, co-signs, is invited to, handles or checks."""
        lang = actor.lang
        found = await self.suggestions.mine(actor)
        items = [(s.id, views.state_name(lang, s.state), s.title) for s in found]
        return [_send(views.suggestion_list(lang, items))]

    # -- cards ---------------------------------------------------------------------------
    async def card(self, actor: Actor, dossier: Dossier, head: str | None = None) -> Reply:
        """The suggestion with the buttons this person may use on it now."""
        lang = actor.lang
        s = dossier.suggestion
        signer = dossier.signer(actor.id)
        zone = self.settings.zone
        if s.lead_id == actor.id and s.editable:
            return _send(views.card(lang, dossier, zone, views.lead_buttons(lang, dossier), head))
        if (
            signer is not None
            and not signer.joined
            and s.state
            in (
                SuggestionState.DRAFT,
                SuggestionState.RETURNED,
                SuggestionState.SUBMITTED,
            )
        ):
            return _send(views.invitation(lang, dossier, zone))
        if actor.admin and s.state is SuggestionState.SUBMITTED:
            return _send(views.review_card(lang, dossier, zone))
        if actor.admin and s.state is SuggestionState.ACCEPTED:
            departments = await self.suggestions.departments()
            return _send(views.unit_choice(lang, dossier, departments))
        if s.state is SuggestionState.HANDLING or s.state is SuggestionState.ANSWERED:
            for unit, department in await self.suggestions.units_for(actor, dossier):
                return _send(views.unit_card(lang, dossier, unit, department, zone))
        if (
            signer is not None
            and signer.joined
            and s.state is SuggestionState.ANSWERED
            and signer.rated_round != s.round
        ):
            return _send(views.answer_for_signers(lang, dossier, zone))
        return _send(views.card(lang, dossier, zone, views.view_buttons(lang, dossier), head))

    async def from_issue(self, actor: Actor, issue_id: int) -> list[Reply]:
        """转为建议线索 on an issue card."""
        dossier = await self.suggestions.draft_from_issue(actor, issue_id)
        return [await self.card(actor, dossier, head="sg.drafted")]

    # -- presses -------------------------------------------------------------------------
    @staticmethod
    def handles(data: str) -> bool:
        return SuggestionPress.unpack(data) is not None or HotspotPress.unpack(data) is not None

    async def press(self, actor: Actor, data: str, seq: int | None = None) -> list[Reply]:
        """Raises DomainError for a refusal (the desk turns it into a pop-up)."""
        hotspot = HotspotPress.unpack(data)
        if hotspot is not None:
            return await self._hotspot_press(actor, hotspot)
        press = SuggestionPress.unpack(data)
        if press is None:
            raise stale_button()
        return await self._suggestion_press(actor, press, seq)

    async def _hotspot_press(self, actor: Actor, press: HotspotPress) -> list[Reply]:
        lang = actor.lang
        if press.verb == "p":
            return [Reply(op="drop"), *await self.hotspots(actor, press.key)]
        period = press.period if press.period is not None else DEFAULT_PERIOD
        if press.verb == "view":
            view = await self.suggestions.hotspot(actor, press.key, period)
            issues = await self.suggestions.hotspot_issues(actor, view)
            detail = views.hotspot_detail(
                lang, view, issues, self.settings.zone, can_draft=actor.is_deputy
            )
            return [_send(detail)]
        dossier = await self.suggestions.draft_from_hotspot(actor, press.key, period)
        return [await self.card(actor, dossier, head="sg.drafted")]

    async def _suggestion_press(
        self, actor: Actor, press: SuggestionPress, seq: int | None
    ) -> list[Reply]:
        lang, number, verb, arg = actor.lang, press.id, press.verb, press.arg
        s = self.suggestions
        if verb == "view":
            return [await self.card(actor, await s.dossier(actor, number))]
        if verb == "iss":
            dossier = await s.dossier(actor, number)
            listing = views.issues_list(
                lang, number, dossier.issues, dossier.stations, self.settings.zone
            )
            return [_send(listing)]
        if verb == "docx":
            dossier = await s.dossier(actor, number)
            data = render_docx(views.paper(lang, dossier, self.settings.zone))
            document = Document(name=views.docx_name(number), data=data)
            caption = t(lang, "sg.docx_caption", number=number)
            return [_send(Outgoing(text=caption, document=document))]
        if verb == "part" and arg is not None and 0 <= arg < len(PARTS):
            return await self._ask(actor, number, PARTS[arg], seq)
        if verb == "inv":
            dossier, people = await s.invitees(actor, number)
            return [_send(views.invitee_choice(lang, dossier, people))]
        if verb == "iv" and arg is not None:
            dossier = await s.invite(actor, number, arg)
            invited = dossier.signer(arg)
            name = invited.name if invited else ""
            return [
                _toast(lang, "sg.invited_ack", name=name),
                _say(lang, "sg.invited_ack", name=name),
            ]
        if verb == "join":
            await s.join(actor, number)
            return [
                _toast(lang, "sg.joined_ack", number=number),
                Reply(op="drop"),
                _say(lang, "sg.joined_ack", number=number),
            ]
        if verb == "sub":
            await s.submit(actor, number)
            return [Reply(op="drop"), _say(lang, "sg.submitted_ack", number=number)]
        return await self._office_or_unit_press(actor, press, seq)

    async def _office_or_unit_press(
        self, actor: Actor, press: SuggestionPress, seq: int | None
    ) -> list[Reply]:
        lang, number, verb, arg = actor.lang, press.id, press.verb, press.arg
        s = self.suggestions
        if verb == "acc":
            dossier = await s.accept(actor, number)
            departments = await s.departments()
            return [Reply(op="replace", message=views.unit_choice(lang, dossier, departments))]
        if verb == "ret":
            return await self._ask(actor, number, "return", seq)
        if verb in ("lu", "cu") and arg is not None:
            dossier = await s.choose_unit(actor, number, arg, lead=verb == "lu")
            departments = await s.departments()
            return [Reply(op="replace", message=views.unit_choice(lang, dossier, departments))]
        if verb == "go":
            dossier = await s.hand_over(actor, number)
            due = day(dossier.suggestion.due_at, self.settings.zone)
            done = Outgoing(text=t(lang, "sg.handed_over_ack", number=number, due=due))
            return [Reply(op="replace", message=done)]
        if verb in ("ey", "en"):
            dossier = await s.decide_extension(actor, number, verb == "ey")
            reason = dossier.suggestion.extension_reason or ""
            done = views.extension_decided(lang, dossier, verb == "ey", reason, self.settings.zone)
            return [Reply(op="replace", message=done)]
        if verb == "ans":
            await s.check_answer(actor, number)
            return [_send(views.grade_choice(lang, number))]
        if verb == "gr" and arg is not None and 1 <= arg <= len(GRADES):
            return [
                Reply(op="drop"),
                *await self._ask(actor, number, "answer", seq, GRADES[arg - 1]),
            ]
        if verb == "op":
            return await self._ask(actor, number, "opinion", seq)
        if verb == "ext":
            return await self._ask(actor, number, "extend", seq)
        if verb == "rate" and arg in RATINGS:
            await s.rate(actor, number, RATINGS[arg])
            return [Reply(op="replace", message=views.rated(lang, number, arg))]
        raise stale_button()

    # -- texts ---------------------------------------------------------------------------
    async def _ask(
        self, actor: Actor, number: int, part: str, seq: int | None, grade: str = ""
    ) -> list[Reply]:
        written = await self.prompts.ask(actor, number, part, seq, grade)
        asked = views.ask(actor.lang, number, part, written.version, written.text, grade)
        return [_send(asked)]

    async def input(self, actor: Actor, pending: Pending, message: Message) -> list[Reply] | None:
        """A message while a suggestion waits for text; None when it lapsed quietly (the
        message is new input then)."""
        lang = actor.lang
        if isinstance(message, Text):
            text = message.text
        elif isinstance(message, Photo) and message.caption:
            text = message.caption
        else:
            return [_say(lang, "prompt.expect_text")]
        written = await self.prompts.text(actor, pending, text, message.seq)
        if written.status == "expired":
            return None
        return await self._written(actor, written)

    async def prompt_press(self, actor: Actor, press: PromptPress, seq: int | None) -> list[Reply]:
        if press.verb == "send":
            return [
                Reply(op="drop"),
                *await self._written(actor, await self.prompts.send(actor, press.version, seq)),
            ]
        if press.verb == "edit":
            return await self._written(actor, await self.prompts.edit(actor, press.version, seq))
        if press.verb == "cancel":
            written = await self.prompts.cancel(actor, press.version, seq)
            return [Reply(op="drop"), *await self._written(actor, written)]
        raise stale_button()

    async def _written(self, actor: Actor, written: Written) -> list[Reply]:
        lang, number, part = actor.lang, written.number, written.part
        if written.status == "preview":
            return [_send(views.preview_text(lang, number, part, written.text, written.version))]
        if written.status == "editing":
            rewrite = views.rewrite(lang, number, part, written.text, written.version)
            return [Reply(op="replace", message=rewrite)]
        if written.status == "cancelled":
            return [_say(lang, "sg.cancelled", number=number)]
        if written.status == "lapsed":
            dossier = written.dossier
            if dossier is None:
                raise NotFound("gone", key="sg.not_found", number=number)
            state = views.state_name(lang, dossier.suggestion.state)
            return [_say(lang, "sg.lapsed", number=number, state=state)]
        # done
        if part in PARTS and written.dossier is not None:
            return [
                _say(lang, "sg.saved_part", number=number, part=views.what(lang, part)),
                await self.card(actor, written.dossier),
            ]
        return [_say(lang, DONE_KEYS[part], number=number)]

    @staticmethod
    def put_aside(lang: Lang, pending: Pending) -> Reply:
        what = views.what(lang, str(pending.data.get("part") or "title"))
        return _say(lang, "sg.put_aside", number=pending.ref or 0, what=what)
