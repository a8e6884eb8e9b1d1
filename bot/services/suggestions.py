"""代表建议: from residents' issues (a hotspot, or one issue) to a deputy's formal suggestion,
co-signed, checked by the people's congress office, handed over to units, answered with a
grade and rated by its signers — and every resident whose issue it carries is told.

Each step is one transaction: the suggestion's change, its event and who is told.
"""

from __future__ import annotations

import logging
from functools import partial

from bot.actor import Actor
from bot.errors import NotAllowed, NotFound, WrongState
from bot.hotspots import Candidate, Hotspot, find_hotspots, hotspot_of
from bot.models import (
    GRADES,
    Category,
    Department,
    Dossier,
    HotspotView,
    Issue,
    IssueGist,
    Person,
    Rating,
    Suggestion,
    SuggestionState,
    SuggestionUnit,
)
from bot.scheduling import remind_moment
from bot.services.base import Service
from bot.services.outbox import Notices, admins, liaisons
from bot.services.workflow import check_text
from bot.views import suggestions as views
from bot.workdays import add_months
from storage.repos import Repos

log = logging.getLogger(__name__)

HOTSPOT_DAYS = (30, 90, 365)  # the periods /hotspots offers
DEFAULT_PERIOD = 1  # 90 days
HOTSPOTS_SHOWN = 8
LEAD_MONTHS = 3  # the lead unit answers within 3 months of 交办
EXTENDED_MONTHS = 6  # … or 6 with the office's approval
CO_MONTHS = 1  # co-units give their opinion to the lead unit within 1 month
REHANDLE_MONTHS = 1  # a re-handling after 不满意
INVITEES_SHOWN = 12
PARTS = ("title", "reasons", "proposal")
LIMITS = {"title": 80, "reasons": 1500, "proposal": 1500}  # UTF-16 units, as Telegram counts
S = SuggestionState
EDITABLE = (S.DRAFT, S.RETURNED)
JOINABLE = (S.DRAFT, S.RETURNED, S.SUBMITTED)


def _candidate(gist: IssueGist) -> Candidate:
    return Candidate(
        issue_id=gist.id,
        category_id=gist.category_id,
        station_id=gist.station_id,
        text=gist.description,
        created_at=gist.created_at,
        reporter_id=gist.resident_id,
        supporter_ids=gist.supporter_ids,
        lat=gist.lat,
        lon=gist.lon,
    )


def check_part(part: str, text: str) -> str:
    return check_text(text, LIMITS[part])


class SuggestionService(Service):
    # -- reading -------------------------------------------------------------------------
    async def load(self, repos: Repos, suggestion_id: int) -> Dossier:
        suggestion = await repos.suggestions.get(suggestion_id)
        if suggestion is None:
            raise NotFound("no such suggestion", key="sg.not_found", number=suggestion_id)
        lead = await repos.people.get(suggestion.lead_id)
        assert lead is not None
        units = []
        for unit in await repos.suggestions.units(suggestion_id):
            department = await repos.stations.department(unit.department_id)
            if department is not None:
                units.append((unit, department))
        issues = await repos.issues.many(await repos.suggestions.issue_ids(suggestion_id))
        stations = {}
        for station_id in sorted({i.station_id for i in issues} | {suggestion.station_id or 0}):
            station = await repos.stations.get(station_id) if station_id else None
            if station is not None:
                stations[station.id] = station
        category = (
            await repos.stations.category(suggestion.category_id)
            if suggestion.category_id
            else None
        )
        return Dossier(
            suggestion,
            lead,
            await repos.suggestions.signers(suggestion_id),
            units,
            sorted(issues, key=lambda i: i.id),
            stations,
            category,
        )

    def may_see(self, actor: Actor, dossier: Dossier) -> bool:
        if actor.admin or dossier.signer(actor.id) is not None:
            return True
        handed = dossier.suggestion.handed_over_at is not None
        return handed and any(u.department_id in actor.liaison_of for u, _ in dossier.units)

    async def dossier(self, actor: Actor, suggestion_id: int) -> Dossier:
        async with self.db.read() as repos:
            dossier = await self.load(repos, suggestion_id)
        if not self.may_see(actor, dossier):
            raise NotAllowed("not yours", key="sg.not_yours", number=suggestion_id)
        return dossier

    async def document(self, suggestion_id: int) -> Dossier:
        """For the operator's command line (no chat role applies there)."""
        async with self.db.read() as repos:
            return await self.load(repos, suggestion_id)

    async def mine(self, actor: Actor) -> list[Suggestion]:
        """/suggestions: what the person leads, co-signs or is invited to; the units' open
        ones for liaisons; the office's queue for admins."""
        async with self.db.read() as repos:
            found = {s.id: s for s in await repos.suggestions.of_person(actor.id)}
            if actor.liaison_of:
                for s in await repos.suggestions.of_departments(sorted(actor.liaison_of)):
                    found.setdefault(s.id, s)
            if actor.admin:
                queue = (S.SUBMITTED, S.ACCEPTED, S.HANDLING, S.ANSWERED)
                for s in await repos.suggestions.in_state(*queue):
                    found.setdefault(s.id, s)
        return sorted(found.values(), key=lambda s: s.id, reverse=True)

    # -- hotspots ------------------------------------------------------------------------
    async def _scope(self, repos: Repos, actor: Actor) -> list[int] | None:
        """The stations whose issues the actor may group: the districts of their stations
        (deputies and staff), the whole city (admins, None)."""
        if actor.admin:
            return None
        mine = actor.deputy_at | actor.staff_at
        if not mine:
            raise NotAllowed("no stations", key="sg.hotspots_not_allowed")
        districts = set()
        for station_id in mine:
            station = await repos.stations.get(station_id)
            if station is not None:
                districts.add(station.district)
        ids: set[int] = set()
        for district in districts:
            ids |= {s.id for s in await repos.stations.in_district(district)}
        return sorted(ids | mine)

    async def _candidates(self, repos: Repos, actor: Actor, period: int) -> list[Candidate]:
        if not 0 <= period < len(HOTSPOT_DAYS):
            raise NotFound("no such period")
        since = self._now() - HOTSPOT_DAYS[period] * 86400
        scope = await self._scope(repos, actor)
        return [_candidate(g) for g in await repos.suggestions.gists(since, scope)]

    async def _view(self, repos: Repos, hotspot: Hotspot, period: int) -> HotspotView | None:
        category = await repos.stations.category(hotspot.category_id)
        if category is None:
            return None
        stations = [s for s in [await repos.stations.get(i) for i in hotspot.station_ids] if s]
        return HotspotView(hotspot, category, stations, period)

    async def hotspots(self, actor: Actor, period: int = DEFAULT_PERIOD) -> list[HotspotView]:
        """The strongest groups of similar issues in the actor's area, strongest first."""
        async with self.db.read() as repos:
            candidates = await self._candidates(repos, actor, period)
            found = []
            for hotspot in find_hotspots(candidates)[:HOTSPOTS_SHOWN]:
                view = await self._view(repos, hotspot, period)
                if view is not None:
                    found.append(view)
            return found

    async def hotspot(self, actor: Actor, key: int, period: int) -> HotspotView:
        """The hotspot that holds issue `key` now (it may have grown since it was listed)."""
        async with self.db.read() as repos:
            return await self._hotspot(repos, actor, key, period)

    async def _hotspot(self, repos: Repos, actor: Actor, key: int, period: int) -> HotspotView:
        hotspot = hotspot_of(await self._candidates(repos, actor, period), key)
        view = None if hotspot is None else await self._view(repos, hotspot, period)
        if view is None:
            raise WrongState("gone", key="sg.hotspot_gone")
        return view

    async def hotspot_issues(self, actor: Actor, view: HotspotView) -> list[Issue]:
        async with self.db.read() as repos:
            return await repos.issues.many([c.issue_id for c in view.hotspot.issues])

    # -- drafting ------------------------------------------------------------------------
    def _require_deputy(self, actor: Actor) -> None:
        if not actor.is_deputy:
            raise NotAllowed("deputies only", key="sg.deputies_only")

    async def draft_from_hotspot(self, actor: Actor, key: int, period: int) -> Dossier:
        """起草建议 from a hotspot: every issue in it is linked."""
        self._require_deputy(actor)
        async with self.db.transaction() as repos:
            view = await self._hotspot(repos, actor, key, period)
            issues = await repos.issues.many([c.issue_id for c in view.hotspot.issues])
            typical = view.hotspot.typical.text
            return await self._draft(repos, actor, issues, view.category, typical, "hotspot")

    async def draft_from_issue(self, actor: Actor, issue_id: int) -> Dossier:
        """转为建议线索 on an issue card: a draft that starts from that one issue."""
        self._require_deputy(actor)
        async with self.db.transaction() as repos:
            issue = await repos.issues.get(issue_id)
            if issue is None or issue.station_id not in actor.deputy_at:
                raise NotAllowed("not your station's", key="sg.not_your_issue", number=issue_id)
            if issue.state.value in ("rejected", "withdrawn"):
                raise WrongState("not a lead", key="sg.issue_not_usable", number=issue_id)
            category = await repos.stations.category(issue.category_id)
            assert category is not None
            return await self._draft(repos, actor, [issue], category, issue.description, "issue")

    async def _draft(
        self,
        repos: Repos,
        actor: Actor,
        issues: list[Issue],
        category: Category,
        typical: str,
        source: str,
    ) -> Dossier:
        stations = {}
        for station_id in sorted({i.station_id for i in issues}):
            station = await repos.stations.get(station_id)
            if station is not None:
                stations[station_id] = station
        own = sorted(actor.deputy_at & set(stations)) or sorted(actor.deputy_at)
        lang = actor.lang
        title, reasons, proposal = views.draft_parts(
            lang, issues, list(stations.values()), category, typical, self.settings.zone
        )
        now = self._now()
        suggestion = await repos.suggestions.add(
            actor.id,
            own[0] if own else None,
            category.id,
            title,
            reasons,
            proposal,
            [i.id for i in issues],
            now,
        )
        await repos.suggestions.add_event(
            suggestion.id, now, actor.id, "drafted", f"{source}:{len(issues)}"
        )
        return await self.load(repos, suggestion.id)

    async def check_edit(self, repos: Repos, actor: Actor, suggestion_id: int) -> Dossier:
        dossier = await self.load(repos, suggestion_id)
        if dossier.suggestion.lead_id != actor.id or not actor.is_deputy:
            raise NotAllowed("lead only", key="sg.lead_only", number=suggestion_id)
        if not dossier.suggestion.editable:
            raise WrongState("not editable", key="sg.not_editable", number=suggestion_id)
        return dossier

    async def set_part(
        self, actor: Actor, suggestion_id: int, part: str, text: str, within: Repos | None = None
    ) -> Dossier:
        """修改 标题 / 问题与理由 / 建议办法 (previewed first by the conversation)."""
        if part not in PARTS:
            raise NotFound("no such part")
        text = check_part(part, text)
        async with self._tx(within) as repos:
            await self.check_edit(repos, actor, suggestion_id)
            now = self._now()
            await repos.suggestions.update(suggestion_id, updated_at=now, **{part: text})
            await repos.suggestions.add_event(suggestion_id, now, actor.id, "edited", part)
            return await self.load(repos, suggestion_id)

    # -- 联名 --------------------------------------------------------------------------------
    async def invitees(self, actor: Actor, suggestion_id: int) -> tuple[Dossier, list[Person]]:
        """Deputies the lead may invite: those of the lead's stations and of the stations the
        linked issues came from, not yet invited."""
        async with self.db.read() as repos:
            dossier = await self.check_edit(repos, actor, suggestion_id)
            stations = set(dossier.stations) | set(actor.deputy_at)
            taken = {s.person_id for s in dossier.signers}
            found: dict[int, Person] = {}
            for station_id in sorted(stations):
                for person in await repos.people.of_station(station_id, "deputy"):
                    if person.id not in taken and person.reachable:
                        found.setdefault(person.id, person)
        people = sorted(found.values(), key=lambda p: (p.name, p.id))
        return dossier, people[:INVITEES_SHOWN]

    async def invite(self, actor: Actor, suggestion_id: int, person_id: int) -> Dossier:
        async with self.db.transaction() as repos:
            dossier = await self.check_edit(repos, actor, suggestion_id)
            person = await repos.people.get(person_id)
            deputy_of = {
                s for s, role in await repos.people.memberships(person_id) if role == "deputy"
            }
            if person is None or not deputy_of:
                raise NotFound("not a deputy", key="sg.not_a_deputy")
            now = self._now()
            if not await repos.suggestions.invite(suggestion_id, person_id, now):
                raise WrongState("invited", key="sg.already_invited", name=person.name)
            await repos.suggestions.add_event(suggestion_id, now, actor.id, "invited", person.name)
            await Notices(repos, now).send(
                person,
                partial(views.invitation, dossier=dossier, zone=self.settings.zone),
                ref=f"sginv:{suggestion_id}",
            )
            return await self.load(repos, suggestion_id)

    async def join(self, actor: Actor, suggestion_id: int) -> Dossier:
        """联名: an invited deputy joins with one tap; the lead is told."""
        async with self.db.transaction() as repos:
            dossier = await self.load(repos, suggestion_id)
            signer = dossier.signer(actor.id)
            if signer is None or not actor.is_deputy:
                raise NotAllowed("not invited", key="sg.not_invited", number=suggestion_id)
            if signer.joined:
                raise WrongState("joined", key="sg.already_joined", number=suggestion_id)
            if dossier.suggestion.state not in JOINABLE:
                raise WrongState("too late", key="sg.too_late_to_join", number=suggestion_id)
            now = self._now()
            await repos.suggestions.join(suggestion_id, actor.id, now)
            await repos.suggestions.add_event(suggestion_id, now, actor.id, "joined", None)
            await Notices(repos, now).send(
                dossier.lead,
                partial(
                    views.about,
                    key="sg.joined_for_lead",
                    number=suggestion_id,
                    name=actor.person.name,
                ),
            )
            return await self.load(repos, suggestion_id)

    # -- to the office -------------------------------------------------------------------
    async def submit(self, actor: Actor, suggestion_id: int) -> Dossier:
        """提交: to the office (the admins), who check it; co-signers are told."""
        async with self.db.transaction() as repos:
            dossier = await self.check_edit(repos, actor, suggestion_id)
            now = self._now()
            again = dossier.suggestion.state is S.RETURNED
            if not await repos.suggestions.move(suggestion_id, EDITABLE, S.SUBMITTED, now):
                raise WrongState("moved", key="sg.not_editable", number=suggestion_id)
            await repos.suggestions.update(suggestion_id, submitted_at=now)
            kind = "resubmitted" if again else "submitted"
            await repos.suggestions.add_event(suggestion_id, now, actor.id, kind, None)
            dossier = await self.load(repos, suggestion_id)
            notices = Notices(repos, now)
            await notices.send_all(
                await self._office(repos),
                partial(views.review_card, dossier=dossier, zone=self.settings.zone),
                ref=f"sgrev:{suggestion_id}",
            )
            await notices.send_all(
                await self._signers(repos, dossier, but=dossier.lead.id),
                partial(
                    views.about,
                    key="sg.submitted_for_signers",
                    number=suggestion_id,
                    title=dossier.suggestion.title,
                ),
            )
            return dossier

    async def _office(self, repos: Repos) -> list[Person]:
        return await admins(repos, self.settings.admin_telegram_ids)

    async def _signers(
        self, repos: Repos, dossier: Dossier, *, but: int | None = None
    ) -> list[Person]:
        """The deputies who signed it (lead included), in one read; `but`: not this one."""
        ids = [s.person_id for s in dossier.joined if s.person_id != but]
        return await repos.people.many(ids)

    def _require_office(self, actor: Actor) -> None:
        if not actor.admin:
            raise NotAllowed("office only", key="sg.office_only")

    async def check_office(
        self, repos: Repos, actor: Actor, suggestion_id: int, *states: SuggestionState
    ) -> Dossier:
        self._require_office(actor)
        dossier = await self.load(repos, suggestion_id)
        if dossier.suggestion.state not in states:
            raise WrongState("state", key="sg.wrong_state", number=suggestion_id)
        return dossier

    async def return_for_revision(
        self, actor: Actor, suggestion_id: int, reason: str, within: Repos | None = None
    ) -> Dossier:
        """退回修改 with the office's reason: back to the lead deputy to edit and resubmit."""
        reason = check_part("reasons", reason)
        async with self._tx(within) as repos:
            await self.check_office(repos, actor, suggestion_id, S.SUBMITTED)
            now = self._now()
            await repos.suggestions.move(suggestion_id, (S.SUBMITTED,), S.RETURNED, now)
            await repos.suggestions.update(suggestion_id, return_reason=reason)
            await repos.suggestions.add_event(suggestion_id, now, actor.id, "returned", reason)
            dossier = await self.load(repos, suggestion_id)
            notices = Notices(repos, now)
            await notices.send(
                dossier.lead,
                partial(
                    views.returned_card, dossier=dossier, reason=reason, zone=self.settings.zone
                ),
            )
            await self._void_office_cards(repos, notices, suggestion_id, "sg.card_returned")
            return dossier

    async def _void_office_cards(
        self, repos: Repos, notices: Notices, suggestion_id: int, key: str
    ) -> None:
        for person in await self._office(repos):
            await notices.edit(
                person,
                f"sgrev:{suggestion_id}",
                partial(views.about, key=key, number=suggestion_id),
            )

    async def accept(self, actor: Actor, suggestion_id: int) -> Dossier:
        """受理: the office takes it; the units are chosen next."""
        async with self.db.transaction() as repos:
            await self.check_office(repos, actor, suggestion_id, S.SUBMITTED)
            now = self._now()
            if not await repos.suggestions.move(suggestion_id, (S.SUBMITTED,), S.ACCEPTED, now):
                raise WrongState("moved", key="sg.wrong_state", number=suggestion_id)
            await repos.suggestions.add_event(suggestion_id, now, actor.id, "accepted", None)
            dossier = await self.load(repos, suggestion_id)
            await Notices(repos, now).send_all(
                await self._signers(repos, dossier),
                partial(
                    views.about,
                    key="sg.accepted_for_signers",
                    number=suggestion_id,
                    title=dossier.suggestion.title,
                ),
            )
            return dossier

    async def departments(self) -> list[Department]:
        async with self.db.read() as repos:
            return await repos.stations.departments()

    async def choose_unit(
        self, actor: Actor, suggestion_id: int, department_id: int, lead: bool
    ) -> Dossier:
        """主办 (one, replacing an earlier choice) or 协办 (pressed again: removed)."""
        async with self.db.transaction() as repos:
            dossier = await self.check_office(repos, actor, suggestion_id, S.ACCEPTED)
            if await repos.stations.department(department_id) is None:
                raise NotFound("no such unit")
            round_ = dossier.suggestion.round
            if lead:
                await repos.suggestions.choose_unit(suggestion_id, department_id, True, round_)
            elif dossier.lead_unit is None:
                raise WrongState("lead first", key="sg.lead_unit_first")
            elif dossier.lead_unit[0].department_id == department_id:
                raise WrongState("is lead", key="sg.unit_is_lead")
            elif not await repos.suggestions.drop_unit(suggestion_id, department_id, round_):
                await repos.suggestions.choose_unit(suggestion_id, department_id, False, round_)
            return await self.load(repos, suggestion_id)

    async def hand_over(self, actor: Actor, suggestion_id: int) -> Dossier:
        """交办: the deadlines start; the units' liaisons, the signers and every resident whose
        issue it carries are told."""
        async with self.db.transaction() as repos:
            dossier = await self.check_office(repos, actor, suggestion_id, S.ACCEPTED)
            if dossier.lead_unit is None:
                raise WrongState("no lead unit", key="sg.lead_unit_first")
            now = self._now()
            zone = self.settings.zone
            due = add_months(now, LEAD_MONTHS, zone)
            await repos.suggestions.move(suggestion_id, (S.ACCEPTED,), S.HANDLING, now)
            await repos.suggestions.update(suggestion_id, handed_over_at=now, due_at=due)
            for unit, _ in dossier.current:
                unit_due = due if unit.lead else add_months(now, CO_MONTHS, zone)
                await repos.suggestions.set_unit(
                    unit.id, due_at=unit_due, next_nudge_at=remind_moment(now, unit_due)
                )
            names = "、".join(d.name_zh for _, d in dossier.current)
            await repos.suggestions.add_event(suggestion_id, now, actor.id, "handed_over", names)
            dossier = await self.load(repos, suggestion_id)
            notices = Notices(repos, now)
            await self._tell_units(repos, notices, dossier)
            await notices.send_all(
                await self._signers(repos, dossier),
                partial(views.handed_over_for_signers, dossier=dossier, zone=zone),
            )
            await self._tell_residents(repos, notices, dossier, answered=False)
            return dossier

    async def _tell_units(self, repos: Repos, notices: Notices, dossier: Dossier) -> None:
        for unit, department in dossier.current:
            if unit.answered_at is not None:
                continue
            for person in await liaisons(repos, department.id):
                if person.reachable:
                    await notices.send(
                        person,
                        partial(
                            views.unit_card,
                            dossier=dossier,
                            unit=unit,
                            department=department,
                            zone=self.settings.zone,
                        ),
                        ref=f"sgu:{unit.id}",
                    )

    async def _tell_residents(
        self, repos: Repos, notices: Notices, dossier: Dossier, *, answered: bool
    ) -> None:
        """The residents whose issues it carries, and their supporters, in plain words."""
        people = await repos.people.many(await repos.suggestions.people_of_issues(dossier.id))
        mine: dict[int, list[int]] = {}
        for issue in dossier.issues:
            mine.setdefault(issue.resident_id, []).append(issue.id)
        render = views.resident_answer if answered else views.resident_handed_over
        for person in people:
            await notices.send(
                person, partial(render, dossier=dossier, numbers=mine.get(person.id, []))
            )

    # -- extensions ----------------------------------------------------------------------
    async def check_unit(
        self, repos: Repos, actor: Actor, suggestion_id: int, *, lead: bool
    ) -> tuple[Dossier, SuggestionUnit, Department]:
        """The actor's unit on this suggestion, this round: the lead unit (答复, 申请延期) or a
        co-unit (协办意见). The office may enter the answer of a unit that has no liaison in
        the bot."""
        dossier = await self.load(repos, suggestion_id)
        state = dossier.suggestion.state
        for unit, department in dossier.current:
            if unit.lead != lead:
                continue
            if not await self._answers_for(repos, actor, department.id):
                continue
            if unit.answered_at is not None:
                raise WrongState("answered", key="sg.unit_answered", number=suggestion_id)
            if state is not S.HANDLING and not (not lead and state is S.ANSWERED):
                raise WrongState("not handling", key="sg.wrong_state", number=suggestion_id)
            return dossier, unit, department
        raise NotAllowed("not your unit's", key="sg.not_your_unit", number=suggestion_id)

    async def units_for(
        self, actor: Actor, dossier: Dossier
    ) -> list[tuple[SuggestionUnit, Department]]:
        """This round's unanswered units the actor answers for: their own, or (the office)
        those with no liaison in the bot."""
        async with self.db.read() as repos:
            return [
                (unit, department)
                for unit, department in dossier.current
                if unit.answered_at is None and await self._answers_for(repos, actor, department.id)
            ]

    async def _answers_for(self, repos: Repos, actor: Actor, department_id: int) -> bool:
        """A unit's liaison answers for it; the office does for a unit with none in the bot."""
        if department_id in actor.liaison_of:
            return True
        return actor.admin and not await liaisons(repos, department_id)

    async def check_answer(self, actor: Actor, suggestion_id: int) -> None:
        """Raise unless the actor may give the lead unit's 答复 now."""
        async with self.db.read() as repos:
            await self.check_unit(repos, actor, suggestion_id, lead=True)

    async def ask_extension(
        self, actor: Actor, suggestion_id: int, reason: str, within: Repos | None = None
    ) -> Dossier:
        """The lead unit asks for 6 months instead of 3; the office decides."""
        reason = check_part("reasons", reason)
        async with self._tx(within) as repos:
            dossier = await self.check_extension(repos, actor, suggestion_id)
            now = self._now()
            await repos.suggestions.update(suggestion_id, extension_asked=reason)
            await repos.suggestions.add_event(
                suggestion_id, now, actor.id, "extension_asked", reason
            )
            dossier = await self.load(repos, suggestion_id)
            await Notices(repos, now).send_all(
                await self._office(repos),
                partial(
                    views.extension_card, dossier=dossier, reason=reason, zone=self.settings.zone
                ),
                ref=f"sgext:{suggestion_id}",
            )
            return dossier

    async def check_extension(self, repos: Repos, actor: Actor, suggestion_id: int) -> Dossier:
        dossier, _, _ = await self.check_unit(repos, actor, suggestion_id, lead=True)
        suggestion = dossier.suggestion
        if suggestion.round != 1 or suggestion.extension_reason is not None:
            raise WrongState("extended", key="sg.extension_used", number=suggestion_id)
        if suggestion.extension_asked is not None:
            raise WrongState("asked", key="sg.extension_pending", number=suggestion_id)
        return dossier

    async def decide_extension(self, actor: Actor, suggestion_id: int, approve: bool) -> Dossier:
        """同意: the lead unit's deadline becomes 6 months from 交办 and every signer is told
        why; 不同意: the unit is told the 3 months stand."""
        async with self.db.transaction() as repos:
            dossier = await self.check_office(repos, actor, suggestion_id, S.HANDLING)
            suggestion = dossier.suggestion
            reason = suggestion.extension_asked
            if reason is None or dossier.lead_unit is None or suggestion.handed_over_at is None:
                raise WrongState("nothing asked", key="sg.extension_decided")
            now = self._now()
            zone = self.settings.zone
            unit, department = dossier.lead_unit
            if approve:
                due = add_months(suggestion.handed_over_at, EXTENDED_MONTHS, zone)
                await repos.suggestions.update(
                    suggestion_id, extension_asked=None, extension_reason=reason, due_at=due
                )
                nudge = remind_moment(suggestion.handed_over_at, due)
                await repos.suggestions.set_unit(unit.id, due_at=due, next_nudge_at=max(nudge, now))
            else:
                await repos.suggestions.update(suggestion_id, extension_asked=None)
            kind = "extension_approved" if approve else "extension_refused"
            await repos.suggestions.add_event(suggestion_id, now, actor.id, kind, reason)
            dossier = await self.load(repos, suggestion_id)
            notices = Notices(repos, now)
            decided = partial(
                views.extension_decided, dossier=dossier, approved=approve, reason=reason, zone=zone
            )
            await notices.send_all(await liaisons(repos, department.id), decided)
            if approve:
                await notices.send_all(await self._signers(repos, dossier), decided)
            return dossier

    # -- answers -------------------------------------------------------------------------
    async def answer(
        self,
        actor: Actor,
        suggestion_id: int,
        grade: str,
        text: str,
        within: Repos | None = None,
    ) -> Dossier:
        """The lead unit's 答复 with its grade: the signers rate it, the residents hear it."""
        if grade not in GRADES:
            raise NotFound("no such grade")
        text = check_part("proposal", text)
        async with self._tx(within) as repos:
            dossier, unit, department = await self.check_unit(
                repos, actor, suggestion_id, lead=True
            )
            now = self._now()
            if not await repos.suggestions.answer_unit(unit.id, text, grade, actor.id, now):
                raise WrongState("answered", key="sg.unit_answered", number=suggestion_id)
            await repos.suggestions.move(suggestion_id, (S.HANDLING,), S.ANSWERED, now)
            await repos.suggestions.update(
                suggestion_id, answered_at=now, grade=grade, answer=text, extension_asked=None
            )
            await repos.suggestions.add_event(
                suggestion_id, now, actor.id, "answered", f"{department.name_zh}：{grade}"
            )
            dossier = await self.load(repos, suggestion_id)
            notices = Notices(repos, now)
            zone = self.settings.zone
            for person in await liaisons(repos, department.id):
                await notices.edit(
                    person,
                    f"sgu:{unit.id}",
                    partial(views.about, key="sg.card_answered", number=suggestion_id),
                )
            await notices.send_all(
                await self._signers(repos, dossier),
                partial(views.answer_for_signers, dossier=dossier, zone=zone),
                ref=f"sgans:{suggestion_id}:{dossier.suggestion.round}",
            )
            await notices.send_all(
                [p for p in await self._office(repos) if p.id != actor.id],
                partial(views.answer_for_office, dossier=dossier, zone=zone),
            )
            await self._tell_residents(repos, notices, dossier, answered=True)
            return dossier

    async def opinion(
        self, actor: Actor, suggestion_id: int, text: str, within: Repos | None = None
    ) -> Dossier:
        """A co-unit's 协办意见, for the lead unit (and the office)."""
        text = check_part("proposal", text)
        async with self._tx(within) as repos:
            dossier, unit, department = await self.check_unit(
                repos, actor, suggestion_id, lead=False
            )
            now = self._now()
            if not await repos.suggestions.answer_unit(unit.id, text, None, actor.id, now):
                raise WrongState("answered", key="sg.unit_answered", number=suggestion_id)
            await repos.suggestions.add_event(
                suggestion_id, now, actor.id, "opinion", department.name_zh
            )
            dossier = await self.load(repos, suggestion_id)
            notices = Notices(repos, now)
            for person in await liaisons(repos, department.id):
                await notices.edit(
                    person,
                    f"sgu:{unit.id}",
                    partial(views.about, key="sg.card_answered", number=suggestion_id),
                )
            told = list(await self._office(repos))
            if dossier.lead_unit is not None:
                told += await liaisons(repos, dossier.lead_unit[1].id)
            await notices.send_all(
                [p for p in told if p.reachable and p.id != actor.id],
                partial(views.opinion_notice, dossier=dossier, department=department, text=text),
            )
            return dossier

    async def rate(self, actor: Actor, suggestion_id: int, rating: Rating) -> Dossier:
        """A signer rates this round's answer. 不满意 in the first round: re-handled within a
        month. When every signer rated and nobody is 不满意 (or it was the second round), it
        closes."""
        async with self.db.transaction() as repos:
            dossier = await self.load(repos, suggestion_id)
            suggestion = dossier.suggestion
            signer = dossier.signer(actor.id)
            if signer is None or not signer.joined:
                raise NotAllowed("signers only", key="sg.signers_only", number=suggestion_id)
            if suggestion.state is not S.ANSWERED:
                raise WrongState("not answered", key="sg.not_answered", number=suggestion_id)
            now = self._now()
            if not await repos.suggestions.rate(
                suggestion_id, actor.id, rating, suggestion.round, now
            ):
                raise WrongState("rated", key="sg.already_rated", number=suggestion_id)
            await repos.suggestions.add_event(suggestion_id, now, actor.id, "rated", rating.value)
            if rating is Rating.UNSATISFIED and suggestion.round == 1:
                return await self._rehandle(repos, actor, dossier, now)
            dossier = await self.load(repos, suggestion_id)
            if all(s.rated_round == suggestion.round for s in dossier.joined):
                await repos.suggestions.move(suggestion_id, (S.ANSWERED,), S.CLOSED, now)
                await repos.suggestions.update(suggestion_id, closed_at=now)
                await repos.suggestions.add_event(suggestion_id, now, None, "closed", None)
                dossier = await self.load(repos, suggestion_id)
                await Notices(repos, now).send_all(
                    await self._office(repos),
                    partial(views.closed_notice, dossier=dossier),
                )
            return dossier

    async def _rehandle(self, repos: Repos, actor: Actor, dossier: Dossier, now: int) -> Dossier:
        suggestion = dossier.suggestion
        lead = dossier.lead_unit
        assert lead is not None
        zone = self.settings.zone
        due = add_months(now, REHANDLE_MONTHS, zone)
        round_ = suggestion.round + 1
        await repos.suggestions.move(suggestion.id, (S.ANSWERED,), S.HANDLING, now)
        await repos.suggestions.update(
            suggestion.id, round=round_, due_at=due, answered_at=None, grade=None, answer=None
        )
        await repos.suggestions.choose_unit(suggestion.id, lead[1].id, True, round_)
        for unit in await repos.suggestions.units(suggestion.id, round_):
            await repos.suggestions.set_unit(
                unit.id, due_at=due, next_nudge_at=remind_moment(now, due)
            )
        await repos.suggestions.add_event(suggestion.id, now, actor.id, "rehandled", None)
        dossier = await self.load(repos, suggestion.id)
        notices = Notices(repos, now)
        # the other signers' rating buttons of the first answer are void now
        for signer in await self._signers(repos, dossier, but=actor.id):
            await notices.edit(
                signer,
                f"sgans:{suggestion.id}:{suggestion.round}",
                partial(views.about, key="sg.card_rehandled", number=suggestion.id),
            )
        await self._tell_units(repos, notices, dossier)
        await notices.send_all(
            [
                *await self._office(repos),
                *await self._signers(repos, dossier),
            ],
            partial(views.rehandled_notice, dossier=dossier, name=actor.person.name, zone=zone),
        )
        return dossier

    # -- deadlines -------------------------------------------------------------------------
    async def nudge_due(self) -> int:
        """80% reminders to the units' liaisons; when overdue, the office (and the liaisons)."""
        now = self._now()
        sent = 0
        async with self.db.transaction() as repos:
            notices = Notices(repos, now)
            for unit in await repos.suggestions.nudges_due(now):
                dossier = await self.load(repos, unit.suggestion_id)
                department = next((d for u, d in dossier.units if u.id == unit.id), None)
                if department is None or unit.due_at is None:
                    await repos.suggestions.set_unit(unit.id, next_nudge_at=None)
                    continue
                unit_people = await liaisons(repos, department.id)
                overdue = now >= unit.due_at
                render = partial(
                    views.unit_deadline,
                    dossier=dossier,
                    unit=unit,
                    department=department,
                    overdue=overdue,
                    zone=self.settings.zone,
                )
                told = unit_people + (await self._office(repos) if overdue else [])
                sent += len(await notices.send_all(told, render))
                await repos.suggestions.set_unit(
                    unit.id, next_nudge_at=None if overdue else unit.due_at
                )
                kind = "unit_overdue" if overdue else "unit_reminded"
                await repos.suggestions.add_event(
                    unit.suggestion_id, now, None, kind, department.name_zh
                )
        return sent
