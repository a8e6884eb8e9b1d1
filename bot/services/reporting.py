"""A resident's /report: a draft moves station → category → description → extras → confirm,
and becomes an issue (提交) or a 附议 of an existing one. Each step writes the draft and what
the bot waits for next in one transaction, so a crash never loses a step the person saw."""

from __future__ import annotations

from bot import views
from bot.actor import Actor
from bot.errors import DomainError, InvalidInput, LimitReached, NotAllowed, NotFound, WrongState
from bot.models import (
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    MIN_DESCRIPTION,
    OPEN_STATES,
    Awaiting,
    Category,
    Draft,
    DraftStatus,
    Issue,
    State,
    Station,
    Step,
)
from bot.scheduling import next_nudge, quiet_until
from bot.services.base import Service
from bot.services.outbox import Notices, responders
from bot.similarity import similarity
from bot.units import utf16_len
from storage.repos import Repos

SIMILAR_DAYS = 30
SIMILAR_SHOWN = 3
DRAFT_DAYS = 7
DAY = 86400


class StaleDraft(DomainError):
    """A button of a draft that is no longer open: says what became of it."""


def step_of(draft: Draft) -> Step:
    """Where an unfinished draft continues."""
    if draft.station_id is None:
        return Step.STATION
    if draft.category_id is None:
        return Step.CATEGORY
    if draft.description is None:
        return Step.DESCRIPTION
    return Step.EXTRAS


def check_description(text: str) -> str:
    """5–2000, counted as Telegram counts (UTF-16 units): nothing is ever cut silently."""
    text = text.strip()
    if len(text) < MIN_DESCRIPTION:
        raise InvalidInput("too short", key="report.too_short", min=MIN_DESCRIPTION)
    length = utf16_len(text)
    if length > MAX_DESCRIPTION:
        raise InvalidInput("too long", key="report.too_long", max=MAX_DESCRIPTION, length=length)
    return text


class ReportService(Service):
    # -- reading -------------------------------------------------------------------------
    async def _open(self, repos: Repos, actor: Actor, draft_id: int) -> Draft:
        """The resident's open draft `draft_id`, or StaleDraft saying what became of it."""
        draft = await repos.drafts.get(draft_id)
        if draft is None or draft.person_id != actor.id:
            raise StaleDraft("no such draft", key="report.draft_gone")
        if draft.status is DraftStatus.SUBMITTED:
            raise StaleDraft("submitted", key="report.draft_submitted", number=draft.issue_id)
        if draft.status is DraftStatus.SUPPORTED:
            raise StaleDraft("supported", key="report.draft_supported", number=draft.issue_id)
        if draft.status is not DraftStatus.OPEN:
            raise StaleDraft("cancelled", key="report.draft_cancelled")
        return draft

    async def draft(self, actor: Actor, draft_id: int) -> Draft:
        async with self.db.read() as repos:
            return await self._open(repos, actor, draft_id)

    async def categories(self) -> list[Category]:
        async with self.db.read() as repos:
            return await repos.stations.categories()

    async def describe_draft(self, draft: Draft) -> tuple[Station | None, Category | None]:
        async with self.db.read() as repos:
            station = await repos.stations.get(draft.station_id) if draft.station_id else None
            category = (
                await repos.stations.category(draft.category_id) if draft.category_id else None
            )
            return station, category

    async def phone_of(self, actor: Actor) -> str | None:
        async with self.db.read() as repos:
            person = await repos.people.get(actor.id)
            return person.phone if person is not None else None

    # -- steps ---------------------------------------------------------------------------
    async def _at(
        self,
        repos: Repos,
        actor: Actor,
        draft: Draft,
        step: Step,
        seq: int | None,
        album: str | None = None,
    ) -> None:
        """The report waits at `step`; `album`: the photos being received belong to it."""
        await repos.pending.set(
            actor.id,
            Awaiting.REPORT,
            step,
            self._now(),
            ref=draft.id,
            seq=seq,
            data={"album": album} if album else None,
        )

    async def _check_quota(self, repos: Repos, actor: Actor) -> None:
        limit = self.settings.max_reports_per_day
        if await repos.issues.filed_since(actor.id, self._now() - DAY) >= limit:
            raise LimitReached("daily report limit", limit=limit)

    async def start(self, actor: Actor, seq: int | None = None) -> tuple[Draft, Step]:
        """/report: an unfinished draft from the last 7 days is offered to continue (step
        RESUME), else a new one begins."""
        now = self._now()
        async with self.db.transaction() as repos:
            draft = await repos.drafts.open_of(actor.id)
            if (
                draft is not None
                and draft.category_id is not None
                and draft.updated_at >= now - DRAFT_DAYS * DAY
            ):
                await self._at(repos, actor, draft, Step.RESUME, seq)
                return draft, Step.RESUME
            return await self._begin(repos, actor, seq, draft.id if draft else None)

    async def begin(self, actor: Actor, seq: int | None = None) -> tuple[Draft, Step]:
        """A new draft (an open one is replaced)."""
        async with self.db.transaction() as repos:
            draft = await repos.drafts.open_of(actor.id)
            return await self._begin(repos, actor, seq, draft.id if draft else None)

    async def _begin(
        self, repos: Repos, actor: Actor, seq: int | None, replacing: int | None
    ) -> tuple[Draft, Step]:
        """A new draft at the resident's current station. Without a station (or with a
        retired one) the draft waits for the station first."""
        await self._check_quota(repos, actor)
        person = await repos.people.get(actor.id)
        assert person is not None
        station = await repos.stations.get(person.station_id) if person.station_id else None
        if station is not None and await repos.stations.by_key(station.key) is None:
            station = None  # retired from the seed: the resident chooses another one first
        draft = await repos.drafts.create(
            actor.id, station.id if station else None, self._now(), replacing=replacing
        )
        step = step_of(draft)
        await self._at(repos, actor, draft, step, seq)
        return draft, step

    async def resume(
        self, actor: Actor, draft_id: int, seq: int | None = None
    ) -> tuple[Draft, Step]:
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            step = step_of(draft)
            await self._at(repos, actor, draft, step, seq)
            return draft, step

    async def station_bound(
        self, actor: Actor, station_id: int, seq: int | None = None
    ) -> Draft | None:
        """A station was chosen while the draft waited for one: carry on to the categories."""
        async with self.db.transaction() as repos:
            pending = await repos.pending.get(actor.id)
            if pending.kind is not Awaiting.REPORT or pending.ref is None:
                return None
            draft = await repos.drafts.get(pending.ref)
            if draft is None or draft.status is not DraftStatus.OPEN:
                return None
            draft = await repos.drafts.save(
                draft.model_copy(update={"station_id": station_id}), self._now()
            )
            await self._at(repos, actor, draft, step_of(draft), seq)
            return draft

    async def choose_category(
        self, actor: Actor, draft_id: int, category_id: int, seq: int | None = None
    ) -> Category:
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            category = await repos.stations.category(category_id)
            if category is None or category not in await repos.stations.categories():
                raise NotFound("no such category")
            draft = await repos.drafts.save(
                draft.model_copy(update={"category_id": category.id}), self._now()
            )
            await self._at(repos, actor, draft, Step.DESCRIPTION, seq)
            return category

    async def describe(
        self,
        actor: Actor,
        draft_id: int,
        text: str | None,
        photo: str | None = None,
        seq: int | None = None,
        album: str | None = None,
    ) -> Draft:
        """The description (a photo with a caption counts; a photo alone is kept and the
        description is still asked for)."""
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            if draft.category_id is None:
                raise WrongState("category first", key="report.expect_category")
            update: dict[str, object] = {}
            if text is not None:
                update["description"] = check_description(text)
            if photo is not None and len(draft.photos) < MAX_PHOTOS:
                update["photos"] = (*draft.photos, photo)
            draft = await repos.drafts.save(draft.model_copy(update=update), self._now())
            await self._at(repos, actor, draft, step_of(draft), seq, album)
            return draft

    async def add_photo(
        self,
        actor: Actor,
        draft_id: int,
        file_id: str,
        seq: int | None = None,
        album: str | None = None,
    ) -> tuple[Draft, bool]:
        """A photo for the report, and whether it was answered already: the photos of one
        album arrive one by one, and only its first gets an answer (the summary counts them
        all). Beyond the limit an album's photos are left out without a word."""
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            pending = await repos.pending.get(actor.id)
            answered = album is not None and pending.data.get("album") == album
            if len(draft.photos) >= MAX_PHOTOS:
                if not answered:
                    raise InvalidInput(
                        "too many photos", key="report.too_many_photos", max=MAX_PHOTOS
                    )
            else:
                draft = await repos.drafts.save(
                    draft.model_copy(update={"photos": (*draft.photos, file_id)}), self._now()
                )
            await self._at(repos, actor, draft, Step.EXTRAS, seq, album)
            return draft, answered

    async def set_location(
        self, actor: Actor, draft_id: int, lat: float, lon: float, seq: int | None = None
    ) -> Draft:
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            draft = await repos.drafts.save(
                draft.model_copy(update={"lat": lat, "lon": lon}), self._now()
            )
            await self._at(repos, actor, draft, Step.EXTRAS, seq)
            return draft

    async def review(
        self, actor: Actor, draft_id: int, seq: int | None = None
    ) -> tuple[Draft, list[Issue]]:
        """跳过 / 完成: the summary is shown, with similar open issues to 附议."""
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            if draft.description is None:
                raise WrongState("describe first", key="report.expect_description")
            await self._at(repos, actor, draft, Step.CONFIRM, seq)
            return draft, await self._similar(repos, actor, draft)

    async def _similar(self, repos: Repos, actor: Actor, draft: Draft) -> list[Issue]:
        """Open issues at the same station and category in the last 30 days with like wording."""
        if draft.station_id is None or draft.category_id is None or not draft.description:
            return []
        candidates = await repos.issues.open_similar(
            draft.station_id, draft.category_id, self._now() - SIMILAR_DAYS * DAY
        )
        scored = [
            (similarity(draft.description, c.description), c)
            for c in candidates
            if c.resident_id != actor.id
        ]
        best = sorted((s for s in scored if s[0] >= 0.3), key=lambda s: -s[0])
        found = []
        for _, issue in best[:SIMILAR_SHOWN]:
            full = await repos.issues.get(issue.id)
            if full is not None:
                found.append(full)
        return found

    async def attach_phone(
        self, actor: Actor, draft_id: int, attach: bool, summary_id: int | None = None
    ) -> tuple[Draft, str | None]:
        """附上 / 不附 the number the resident shared before: per issue, by choice.
        With none on record the phone returned is None: the contact is asked for, and the
        summary message `summary_id` is remembered to show the number once it comes."""
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            person = await repos.people.get(actor.id)
            phone = person.phone if person is not None else None
            if attach and phone is None:
                await repos.pending.set(
                    actor.id,
                    Awaiting.REPORT,
                    Step.CONFIRM,
                    self._now(),
                    ref=draft.id,
                    data={"summary": summary_id},
                )
                return draft, None
            draft = await repos.drafts.save(
                draft.model_copy(update={"share_phone": attach}), self._now()
            )
            return draft, phone

    async def share_phone(
        self, actor: Actor, draft_id: int, phone: str, own: bool, seq: int | None = None
    ) -> Draft:
        """The resident's own contact, shared on the summary, goes with this report (only the
        deputies and staff handling it see it); someone else's number is refused."""
        if not own:
            raise InvalidInput("not their own number", key="reliability.phone_not_own")
        phone = phone.strip()
        if not 5 <= len(phone) <= 32:
            raise InvalidInput("not a phone number", key="reliability.phone_not_own")
        if not phone.startswith("+"):
            phone = "+" + phone  # Telegram sends the number without "+" on some clients
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            await repos.people.set_phone(actor.id, phone)
            draft = await repos.drafts.save(
                draft.model_copy(update={"share_phone": True}), self._now()
            )
            await self._at(repos, actor, draft, Step.CONFIRM, seq)
            return draft

    async def cancel(self, actor: Actor, draft_id: int | None, seq: int | None = None) -> bool:
        """取消 (one draft) or /cancel (the open one): the draft is dropped."""
        now = self._now()
        async with self.db.transaction() as repos:
            if draft_id is None:
                draft = await repos.drafts.open_of(actor.id)
                if draft is None:
                    return False
            else:
                draft = await self._open(repos, actor, draft_id)
            await repos.drafts.finish(draft.id, DraftStatus.CANCELLED, now)
            pending = await repos.pending.get(actor.id)
            if pending.kind is Awaiting.REPORT:
                await repos.pending.clear(actor.id, now, seq)
            return True

    async def submit(self, actor: Actor, draft_id: int, seq: int | None = None) -> Issue:
        """Create the issue and queue its notices in one transaction."""
        now = self._now()
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            if draft.station_id is None or draft.category_id is None or not draft.description:
                raise WrongState("report is incomplete", key="report.incomplete")
            await self._check_quota(repos, actor)
            category = await repos.stations.category(draft.category_id)
            station = await repos.stations.get(draft.station_id)
            if station is None or await repos.stations.by_key(station.key) is None:
                raise WrongState("station retired", key="report.station_retired")
            assert category is not None
            accept_due = await self.deadline(
                repos, now, category.accept_within, category.accept_workdays
            )
            reply_due = await self.deadline(
                repos, now, category.reply_within, category.reply_workdays
            )
            issue_id = await repos.issues.create(
                station_id=station.id,
                category_id=category.id,
                resident_id=actor.id,
                description=draft.description,
                lat=draft.lat,
                lon=draft.lon,
                source="resident",
                share_phone=draft.share_phone,
                now=now,
                accept_due=accept_due,
                reply_due=reply_due,
                next_nudge_at=next_nudge(
                    State.SUBMITTED, now, accept_due=accept_due, reply_due=reply_due
                ),
            )
            await repos.issues.add_photos(issue_id, draft.photos)
            await repos.issues.add_event(
                issue_id, now, actor.id, "submitted", None, State.SUBMITTED
            )
            await repos.drafts.finish(draft.id, DraftStatus.SUBMITTED, now, issue_id)
            await repos.pending.clear(actor.id, now, seq)
            issue = await repos.issues.get(issue_id)
            assert issue is not None
            notices = Notices(repos, now)
            zone = self.settings.zone
            people = await responders(
                repos, station.id, self.settings.admin_telegram_ids, excluding=actor.id
            )
            deputies = {d.id for d in await repos.people.of_station(station.id, "deputy")}
            # every deputy is offered it: the phone only once one accepts (staff see it)
            phone = not any(p.id in deputies for p in people)
            await notices.send_all(
                people,
                lambda lang: views.new_issue_notice(
                    lang, issue, station, category, actor.person, zone, phone=phone
                ),
                ref=f"new:{issue.id}",
                # deputies sleep through quiet hours, unless the category is urgent
                not_before=None
                if category.urgent
                else quiet_until(now, self.settings.quiet, self.settings.zone),
            )
            return issue

    async def support(
        self, actor: Actor, draft_id: int, issue_id: int, seq: int | None = None
    ) -> Issue:
        """附议: the resident joins an open issue instead of filing a duplicate; the draft
        is done (its 提交 no longer works)."""
        now = self._now()
        async with self.db.transaction() as repos:
            draft = await self._open(repos, actor, draft_id)
            issue = await repos.issues.get(issue_id)
            if issue is None:
                raise NotFound("no such issue")
            person = await repos.people.get(actor.id)
            assert person is not None
            if issue.station_id != draft.station_id or issue.source != "resident":
                raise NotAllowed("not an issue of your station")
            if issue.resident_id == actor.id:
                raise InvalidInput("own issue", key="report.own_issue")
            if issue.state not in OPEN_STATES:
                raise WrongState("issue is no longer open", key="report.support_closed")
            if await repos.issues.add_supporter(issue.id, actor.id, now):
                await repos.issues.add_event(issue.id, now, actor.id, "supported")
            await repos.drafts.finish(draft.id, DraftStatus.SUPPORTED, now, issue.id)
            await repos.pending.clear(actor.id, now, seq)
            updated = await repos.issues.get(issue.id)
            assert updated is not None
            return updated
