"""A resident's /report: draft → similar issues → submit (or 附议 an existing one)."""

from __future__ import annotations

from bot import views
from bot.actor import Actor
from bot.errors import InvalidInput, LimitReached, NotAllowed, NotFound, WrongState
from bot.models import OPEN_STATES, Category, Draft, Issue, State
from bot.services.base import Service
from bot.services.outbox import Notices, responders
from bot.similarity import similarity
from storage.repos import Repos

MIN_DESCRIPTION = 5
MAX_DESCRIPTION = 2000
MAX_PHOTOS = 5
SIMILAR_DAYS = 30
SIMILAR_SHOWN = 3
DAY = 86400


class NeedStation(InvalidInput):
    key = "report.need_station"


class NeedPhone(InvalidInput):
    """The resident has never shared their number: ask for their contact first."""

    key = "reliability.offer_phone"


class ReportService(Service):
    async def _draft(self, repos: Repos, actor: Actor) -> Draft:
        draft = await repos.drafts.get(actor.id)
        if draft is None:
            raise NotFound("no report in progress", key="report.no_draft")
        return draft

    async def _check_quota(self, repos: Repos, actor: Actor) -> None:
        limit = self.settings.max_reports_per_day
        if await repos.issues.filed_since(actor.id, self._now() - DAY) >= limit:
            raise LimitReached("daily report limit", limit=limit)

    async def begin(self, actor: Actor) -> Draft:
        """Start (or restart) a report at the resident's current station."""
        async with self.db.transaction() as repos:
            person = await repos.people.get(actor.id)
            assert person is not None
            if person.station_id is None or await repos.stations.get(person.station_id) is None:
                raise NeedStation("choose a station first")
            await self._check_quota(repos, actor)
            await repos.drafts.clear_prompt(actor.id)
            draft = Draft(person_id=actor.id, station_id=person.station_id)
            await repos.drafts.save(draft, self._now())
            return draft

    async def categories(self) -> list[Category]:
        async with self.db.read() as repos:
            return await repos.stations.categories()

    async def current(self, actor: Actor) -> Draft | None:
        async with self.db.read() as repos:
            return await repos.drafts.get(actor.id)

    async def choose_category(self, actor: Actor, category_id: int) -> Category:
        async with self.db.transaction() as repos:
            draft = await self._draft(repos, actor)
            category = await repos.stations.category(category_id)
            if category is None or category not in await repos.stations.categories():
                raise NotFound("no such category")
            await repos.drafts.save(
                draft.model_copy(update={"category_id": category.id}), self._now()
            )
            return category

    async def describe(self, actor: Actor, text: str) -> Draft:
        text = text.strip()
        if len(text) < MIN_DESCRIPTION:
            raise InvalidInput("too short", key="report.too_short", min=MIN_DESCRIPTION)
        if len(text) > MAX_DESCRIPTION:
            raise InvalidInput(
                "too long", key="report.too_long", max=MAX_DESCRIPTION, length=len(text)
            )
        async with self.db.transaction() as repos:
            draft = await self._draft(repos, actor)
            if draft.category_id is None:
                raise WrongState("category first")
            draft = draft.model_copy(update={"description": text})
            await repos.drafts.save(draft, self._now())
            return draft

    async def add_photo(self, actor: Actor, file_id: str) -> Draft:
        async with self.db.transaction() as repos:
            draft = await self._draft(repos, actor)
            if len(draft.photos) >= MAX_PHOTOS:
                raise InvalidInput("too many photos", key="report.too_many_photos", max=MAX_PHOTOS)
            draft = draft.model_copy(update={"photos": (*draft.photos, file_id)})
            await repos.drafts.save(draft, self._now())
            return draft

    async def set_location(self, actor: Actor, lat: float, lon: float) -> Draft:
        async with self.db.transaction() as repos:
            draft = await self._draft(repos, actor)
            draft = draft.model_copy(update={"lat": lat, "lon": lon})
            await repos.drafts.save(draft, self._now())
            return draft

    async def attach_phone(self, actor: Actor, attach: bool) -> tuple[Draft, str | None]:
        """附上 / 不附 the number the resident shared before (issue 6: per issue, by choice).

        Returns the draft and the resident's number; raises NeedPhone when there is none."""
        async with self.db.transaction() as repos:
            draft = await self._draft(repos, actor)
            if draft.description is None:
                raise WrongState("describe first", key="report.no_draft")
            person = await repos.people.get(actor.id)
            phone = person.phone if person is not None else None
            if attach and phone is None:
                raise NeedPhone("no phone number on record")
            draft = draft.model_copy(update={"share_phone": attach})
            await repos.drafts.save(draft, self._now())
            return draft, phone

    async def share_phone(self, actor: Actor, phone: str, owner_id: int | None) -> Draft:
        """Attach the resident's own phone number to the report (only the deputies and staff
        handling it see it). `owner_id` is the Telegram user the shared contact belongs to:
        someone else's number is refused."""
        if owner_id != actor.person.telegram_id:
            raise InvalidInput("not their own number", key="reliability.phone_not_own")
        phone = phone.strip()
        if not 5 <= len(phone) <= 32:
            raise InvalidInput("not a phone number", key="reliability.phone_not_own")
        if not phone.startswith("+"):
            phone = "+" + phone  # Telegram sends the number without "+" on some clients
        async with self.db.transaction() as repos:
            draft = await self._draft(repos, actor)
            if draft.description is None:
                raise WrongState("describe first", key="report.no_draft")
            await repos.people.set_phone(actor.id, phone)
            draft = draft.model_copy(update={"share_phone": True})
            await repos.drafts.save(draft, self._now())
            return draft

    async def cancel(self, actor: Actor) -> bool:
        async with self.db.transaction() as repos:
            had = await repos.drafts.get(actor.id) is not None
            await repos.drafts.delete(actor.id)
            return had

    async def similar(self, actor: Actor, draft: Draft) -> list[Issue]:
        """Open issues at the same station and category in the last 30 days with like wording."""
        async with self.db.read() as repos:
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

    async def submit(self, actor: Actor) -> Issue:
        """Create the issue and queue its notices in one transaction (SPEC §6)."""
        now = self._now()
        async with self.db.transaction() as repos:
            draft = await repos.drafts.get(actor.id)
            if draft is None:
                raise NotFound("already submitted or cancelled", key="report.no_draft")
            if draft.station_id is None or draft.category_id is None or not draft.description:
                raise WrongState("report is incomplete", key="report.incomplete")
            await self._check_quota(repos, actor)
            category = await repos.stations.category(draft.category_id)
            station = await repos.stations.get(draft.station_id)
            assert category is not None and station is not None
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
                accept_due=now + category.accept_within,
                reply_due=now + category.reply_within,
            )
            await repos.issues.add_photos(issue_id, draft.photos)
            await repos.issues.add_event(
                issue_id, now, actor.id, "submitted", None, State.SUBMITTED
            )
            await repos.drafts.delete(actor.id)
            issue = await repos.issues.get(issue_id)
            assert issue is not None
            notices = Notices(repos, now)
            zone = self.settings.zone
            await notices.send_all(
                await responders(repos, station.id, self.settings.admin_telegram_ids),
                lambda lang: views.new_issue_notice(
                    lang, issue, station, category, actor.person, zone
                ),
                ref=f"new:{issue.id}",
            )
            return issue

    async def support(self, actor: Actor, issue_id: int) -> Issue:
        """附议: the resident adds themselves to an open issue instead of filing a duplicate."""
        now = self._now()
        async with self.db.transaction() as repos:
            issue = await repos.issues.get(issue_id)
            if issue is None:
                raise NotFound("no such issue")
            person = await repos.people.get(actor.id)
            assert person is not None
            if issue.station_id != person.station_id or issue.source != "resident":
                raise NotAllowed("not an issue of your station")
            if issue.resident_id == actor.id:
                raise InvalidInput("own issue", key="report.own_issue")
            if issue.state not in OPEN_STATES:
                raise WrongState("issue is no longer open", key="report.support_closed")
            if await repos.issues.add_supporter(issue.id, actor.id, now):
                await repos.issues.add_event(issue.id, now, actor.id, "supported")
            await repos.drafts.delete(actor.id)
            updated = await repos.issues.get(issue.id)
            assert updated is not None
            return updated
