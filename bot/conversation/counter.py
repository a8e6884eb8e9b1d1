"""The residents' counter in the core: greeting and station binding, /station, /reception,
/my and an issue's timeline, and the buttons residents press after filing (补充说明, 回复,
撤回, rating, station choice, reception opt-in, muting a station's notices), and the
language choice everyone has (/lang).

Like the desk, it answers with `Reply` lists, so every platform shows the same thing: an
adapter only turns its input into a call here and renders what comes back. Every press is
checked against the database for what the presser is now (the services refuse otherwise).
"""

from __future__ import annotations

from bot import views
from bot.actor import Actor
from bot.callbacks import (
    BroadcastPress,
    IssuePress,
    LangPress,
    MyPage,
    ReceptionPress,
    RevisitPress,
    StationPress,
)
from bot.conversation.desk import refusal, say
from bot.conversation.engine import Conversations
from bot.errors import DomainError, stale_button
from bot.messages import Button, Outgoing, Reply
from bot.models import OPEN_STATES, Awaiting, Lang, Rating, Resolution, Role, Station
from bot.scheduling import DAY
from bot.services.broadcasts import BroadcastService
from bot.services.people import PeopleService
from bot.services.reception import RESIDENT_LEAD, ReceptionService
from bot.services.revisit import RevisitService, rehandled
from bot.services.workflow import Workflow
from bot.texts import plain, t
from bot.views import broadcasts as broadcast_views
from bot.views import report as report_views
from bot.views import revisit as revisit_views
from bot.views import scheduler as scheduler_views
from bot.views.stations import station_offer

PAGE = 10  # issues per /my page
Rows = tuple[tuple[Button, ...], ...]


def send(message: Outgoing) -> Reply:
    return Reply(op="send", message=message)


def toggle_button(lang: Lang, station_id: int, opted_in: bool) -> Rows:
    """The reception-day opt-in (or opt-out) button."""
    if opted_in:
        press, key = ReceptionPress(verb="off", station=station_id), "reception.opt_out"
    else:
        press, key = ReceptionPress(verb="on", station=station_id), "reception.opt_in"
    return ((Button(text=plain(lang, key), data=press.pack()),),)


class Counter:
    def __init__(
        self,
        *,
        people: PeopleService,
        workflow: Workflow,
        broadcasts: BroadcastService,
        reception: ReceptionService,
        conversations: Conversations,
        revisit: RevisitService | None = None,
    ) -> None:
        self.people = people
        self.workflow = workflow
        self.broadcasts = broadcasts
        self.reception_service = reception
        self.conversations = conversations
        self.revisit = revisit or RevisitService(workflow)

    # -- greeting and stations ---------------------------------------------------------------
    async def welcome(self, actor: Actor, scene: str = "") -> list[Reply]:
        """A resident arrives (a station's code scanned, or the first message): bind the
        station the code names, or offer the choice."""
        lang = actor.lang
        lines = [t(lang, "welcome.resident", name=actor.person.name)]
        station: Station | None = None
        if scene.startswith("st_"):
            station = await self.people.station_by_key(scene[3:])
            if station is None:
                lines.append(t(lang, "start.bad_payload"))
            else:
                await self.people.bind_station(actor, station.id)
                lines.append(
                    t(lang, "start.bound", station=station.name, district=station.district)
                )
        elif scene:
            lines.append(t(lang, "start.bad_payload"))
        if station is None:
            station = await self.people.station(actor.person.station_id)
        if station is not None:
            lines.append(t(lang, "welcome.station", station=station.name))
        keyboard = report_views.menu_keyboard(lang)
        replies = [send(Outgoing(text="\n\n".join(lines), keyboard=keyboard))]
        if station is None:
            replies += await self.offer(actor)
        return replies

    async def offer(self, actor: Actor) -> list[Reply]:
        """District buttons, and how to share a location instead."""
        return [send(m) for m in station_offer(actor.lang, await self.people.districts())]

    async def station(self, actor: Actor) -> list[Reply]:
        """/station: the current station, whether its notices come, and the choice."""
        lang = actor.lang
        station = await self.people.station(actor.person.station_id)
        if station is None:
            return [say(lang, "station.none"), *await self.offer(actor)]
        current = say(
            lang,
            "station.current",
            station=station.name,
            district=station.district,
            address=station.address or "—",
        )
        muted = await self.broadcasts.is_muted(actor, station.id)
        notices = broadcast_views.notices_switch(lang, station.id, muted=muted)
        return [current, send(notices), *await self.offer(actor)]

    async def nearest(self, actor: Actor, lat: float, lon: float) -> list[Reply]:
        """A location outside /report: the nearest three stations."""
        lang = actor.lang
        near = await self.people.nearest(lat, lon)
        if not near:
            return [say(lang, "station.no_location")]
        buttons = tuple(
            (
                Button(
                    text=plain(
                        lang, "station.nearest_item", station=n.station.name, km=f"{n.km:.1f}"
                    ),
                    data=StationPress(verb="pick", station=n.station.id).pack(),
                ),
            )
            for n in near
        )
        return [send(Outgoing(text=t(lang, "station.nearest"), buttons=buttons))]

    async def reception(self, actor: Actor) -> list[Reply]:
        """/reception: each of the person's stations' slots and deputies on duty."""
        lang = actor.lang
        station_ids = [actor.person.station_id] if actor.person.station_id else []
        station_ids += sorted(actor.deputy_at | actor.staff_at)
        if not station_ids:
            return [say(lang, "station.none"), *await self.offer(actor)]
        replies: list[Reply] = []
        for station_id in dict.fromkeys(station_ids):
            station = await self.people.station(station_id)
            if station is None:
                continue
            slots, deputies = await self.people.reception(station_id)
            lines = [t(lang, "reception.head", station=station.name)]
            if not slots:
                lines.append(t(lang, "reception.none"))
            for slot in slots:
                lines.append(
                    t(
                        lang,
                        "reception.slot",
                        weekday=plain(lang, f"weekday.{slot.weekday}"),
                        start=slot.start,
                        end=slot.end,
                    )
                )
            if deputies:
                lines.append(
                    t(lang, "reception.deputies", names="、".join(d.name for d in deputies))
                )
            state = await self.reception_service.can_opt_in(actor, station_id)
            buttons = () if state is None else toggle_button(lang, station_id, state)
            replies.append(send(Outgoing(text="\n".join(lines), buttons=buttons)))
        return replies

    # -- /my -------------------------------------------------------------------------------
    async def my(self, actor: Actor, offset: int = 0) -> list[Reply]:
        """/my: the resident's issues, newest first; each opens its timeline."""
        lang = actor.lang
        items, total = await self.workflow.my_issues(actor, PAGE, offset)
        if not items:
            return [say(lang, "my.none")]
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    text=views.resident_issue_line(
                        lang, ctx.issue, ctx.category, supported=ctx.issue.resident_id != actor.id
                    ),
                    data=IssuePress(verb="view", issue=ctx.issue.id).pack(),
                ),
            )
            for ctx in items
        ]
        if offset + PAGE < total:
            more = MyPage(offset=offset + PAGE).pack()
            rows.append((Button(text=plain(lang, "btn.more"), data=more),))
        supported = any(ctx.issue.resident_id != actor.id for ctx in items)
        head = t(lang, "my.head_all" if supported else "my.head", total=total)
        return [send(Outgoing(text=head, buttons=tuple(rows)))]

    async def timeline(self, actor: Actor, issue_id: int) -> list[Reply]:
        """One issue's timeline (in several messages when long; the buttons under the last):
        its resident may add a message or withdraw while open, a supporter may stop
        supporting it."""
        ctx, events, supports = await self.workflow.timeline(actor, issue_id)
        lang = actor.lang
        *earlier, text = views.timeline(lang, ctx.issue, events, self.workflow.settings.zone)
        rows: Rows = ()
        if supports and Role.RESIDENT not in actor.roles_for(ctx.issue):
            text = t(lang, "my.supporting", timeline=text)
            if ctx.issue.state in OPEN_STATES:
                press = IssuePress(verb="unsup", issue=issue_id).pack()
                rows = ((views.button(lang, "btn.unsupport", press),),)
        elif Role.RESIDENT in actor.roles_for(ctx.issue) and ctx.issue.state in OPEN_STATES:
            rows = (
                (
                    views.button(
                        lang, "btn.follow_up", IssuePress(verb="fu", issue=issue_id).pack()
                    ),
                    views.button(
                        lang, "btn.withdraw", IssuePress(verb="wd", issue=issue_id).pack()
                    ),
                ),
            )
        pages = [send(Outgoing(text=page)) for page in earlier]
        return [*pages, send(Outgoing(text=text, buttons=rows))]

    # -- buttons -----------------------------------------------------------------------------
    def handles(self, data: str) -> bool:
        press = IssuePress.unpack(data)
        if press is not None:
            return press.verb in RESIDENT_VERBS
        revisit = RevisitPress.unpack(data)
        if revisit is not None:
            return revisit.verb in REVISIT_VERBS
        mute = BroadcastPress.unpack(data)
        if mute is not None:
            return mute.verb in MUTE_VERBS
        kinds = (MyPage, StationPress, ReceptionPress, LangPress)
        return any(kind.unpack(data) is not None for kind in kinds)

    async def press(self, actor: Actor, data: str, seq: int | None = None) -> list[Reply]:
        """A resident's button; a refusal is a pop-up saying why."""
        try:
            return await self._press(actor, data, seq)
        except DomainError as exc:
            return refusal(actor.lang, exc, pressed=True)

    async def _press(self, actor: Actor, data: str, seq: int | None) -> list[Reply]:
        lang = actor.lang
        issue = IssuePress.unpack(data)
        if issue is not None:
            return await self._issue(actor, issue, seq)
        revisit = RevisitPress.unpack(data)
        if revisit is not None and revisit.verb in REVISIT_VERBS:
            return await self._revisit(actor, revisit, seq)
        chosen = LangPress.unpack(data)
        if chosen is not None:
            await self.people.set_lang(actor, chosen.lang)
            return [Reply(op="replace", message=Outgoing(text=t(chosen.lang, "lang.set")))]
        page = MyPage.unpack(data)
        if page is not None:
            return await self.my(actor, page.offset)
        station = StationPress.unpack(data)
        if station is not None and station.verb == "dist":
            stations = await self.people.stations_in_district_of(station.station)
            buttons = tuple(
                (Button(text=s.name, data=StationPress(verb="pick", station=s.id).pack()),)
                for s in stations
            )
            district = stations[0].district if stations else ""
            head = t(lang, "station.pick_station", district=district)
            return [Reply(op="replace", message=Outgoing(text=head, buttons=buttons))]
        if station is not None and station.verb == "pick":
            return await self._bind(actor, station.station, seq)
        opt = ReceptionPress.unpack(data)
        if opt is not None:
            return await self._opt_in(actor, opt)
        mute = BroadcastPress.unpack(data)
        if mute is not None and mute.id is not None and mute.verb in MUTE_VERBS:
            return await self._mute(actor, mute.id, mute.verb)
        raise stale_button()

    async def _opt_in(self, actor: Actor, press: ReceptionPress) -> list[Reply]:
        """🔔 / 🔕 under /reception: the message says what now comes, and when."""
        lang = actor.lang
        done = await self.reception_service.set_opt_in(actor, press.station, press.verb == "on")
        if done.on:
            note = plain(lang, "reception.on_note")
            text = scheduler_views.reception_opted_in(
                lang,
                done.day,
                done.slot,
                notified=done.notified,
                held_until=done.held_until,
                lead_days=RESIDENT_LEAD // DAY,
                zone=self.workflow.settings.zone,
            )
        else:
            note, text = plain(lang, "reception.opted_out"), t(lang, "reception.opted_out")
        buttons = toggle_button(lang, press.station, done.on)
        return [
            Reply(op="popup", text=note, alert=False),
            Reply(op="replace", message=Outgoing(text=text, buttons=buttons)),
        ]

    async def _mute(self, actor: Actor, station_id: int, verb: str) -> list[Reply]:
        """不再接收 / 恢复接收 a station's notices. Under a notice (mute, unmute) only its
        button turns over, the notice stays; /station's switch (off, on) shows the new state."""
        lang = actor.lang
        muted = verb in ("mute", "off")
        found = await self.broadcasts.set_muted(actor, station_id, muted)
        key = "bc.muted" if muted else "bc.unmuted"
        note = Reply(op="popup", text=plain(lang, key, station=found.name), alert=False)
        if verb in ("off", "on"):
            switch = broadcast_views.notices_switch(lang, station_id, muted=muted)
            return [note, Reply(op="replace", message=switch)]
        said = Outgoing(
            text=t(lang, key, station=found.name),
            buttons=broadcast_views.mute_button(lang, station_id, muted=muted),
        )
        return [note, Reply(op="buttons", message=said)]

    async def _bind(self, actor: Actor, station_id: int, seq: int | None) -> list[Reply]:
        """A station chosen: bound; a report waiting for one carries on."""
        lang = actor.lang
        station = await self.people.bind_station(actor, station_id)
        bound = Outgoing(
            text=t(lang, "start.bound", station=station.name, district=station.district)
        )
        replies = [Reply(op="replace", message=bound)]
        actor = await self.people.refresh(actor)
        going_on = await self.conversations.station_bound(actor, station.id, seq)
        if going_on:
            return replies + going_on
        welcome = Outgoing(
            text=t(lang, "welcome.station", station=station.name),
            keyboard=report_views.menu_keyboard(lang),
        )
        return [*replies, send(welcome)]

    async def _issue(self, actor: Actor, press: IssuePress, seq: int | None) -> list[Reply]:
        lang, number = actor.lang, press.issue
        if press.verb == "view":
            return await self.timeline(actor, number)
        if press.verb == "fu":
            return await self.conversations.ask(actor, Awaiting.FOLLOW_UP, number, seq)
        if press.verb == "ans":
            return await self.conversations.ask(actor, Awaiting.ANSWER, number, seq)
        if press.verb == "wd":
            await self.workflow.withdraw(actor, number)
            return [Reply(op="drop"), say(lang, "resident.withdrawn", number=number)]
        if press.verb == "unsup":
            await self.workflow.unsupport(actor, number)
            return [Reply(op="drop"), say(lang, "resident.unsupported", number=number)]
        if press.verb == "rate" and press.arg is not None:
            rating = views.RATING_CODES.get(press.arg)
            if rating is None:
                raise stale_button()
            await self.workflow.rate(actor, number, rating)
            if rating is Rating.UNSATISFIED:  # the reason is asked for
                asked = await self.conversations.ask(actor, Awaiting.UNSATISFIED, number, seq)
                return [Reply(op="drop"), *asked]
            return [Reply(op="drop"), say(lang, "resident.closed", number=number)]
        raise stale_button()

    async def _revisit(self, actor: Actor, press: RevisitPress, seq: int | None) -> list[Reply]:
        """回访, the reporter's only (the service re-checks): 问题解决了吗 turns the answer's
        message into the rating question; the rating; 问题有没有反复 14 days on."""
        lang, number, code = actor.lang, press.issue, press.code or 0
        zone = self.workflow.settings.zone
        if press.verb == "chk" and code in (
            revisit_views.RECHECK_HOLDS,
            revisit_views.RECHECK_CAME_BACK,
        ):
            ctx = await self.revisit.recheck(
                actor, number, came_back=code == revisit_views.RECHECK_CAME_BACK
            )
            if rehandled(ctx):
                owner = ctx.owner.name if ctx.owner else "—"
                due = views.when(ctx.issue.reply_due, zone)
                text = t(lang, "revisit.recurred", number=number, name=owner, due=due)
            else:
                text = t(lang, "revisit.recheck_holds", number=number)
            return [Reply(op="replace", message=Outgoing(text=text))]
        resolution = revisit_views.RESOLUTIONS.get(code)
        if resolution is None:
            raise stale_button()
        if press.verb == "res":
            ctx = await self.revisit.answer(actor, number, resolution)
            cycle = ctx.issue.reopen_count
            if resolution is Resolution.UNRESOLVED:
                owner = ctx.owner.name if ctx.owner else "—"
                due = views.when(ctx.issue.reply_due, zone)
                asked = revisit_views.rehandled_ask_rating(lang, number, owner, due, cycle)
            else:
                asked = revisit_views.ask_rating(lang, number, resolution, cycle)
            return [Reply(op="replace", message=asked)]
        rating = revisit_views.RATINGS.get(press.rating or 0)
        if press.verb != "sat" or rating is None or press.cycle is None:
            raise stale_button()
        ctx = await self.revisit.rate(actor, number, resolution, press.cycle, rating)
        if rating is Rating.UNSATISFIED:  # the reason is asked for
            asked_reason = await self.conversations.ask(actor, Awaiting.UNSATISFIED, number, seq)
            return [Reply(op="drop"), *asked_reason]
        done = "revisit.rating_noted" if rehandled(ctx) else "resident.closed"
        return [Reply(op="drop"), say(lang, done, number=number)]


RESIDENT_VERBS = ("view", "fu", "ans", "wd", "unsup", "rate")
# 回访: 问题解决了吗, the rating that follows, 问题有没有反复 (the staff's phone 回访 is the desk's)
REVISIT_VERBS = ("res", "sat", "chk")
# a station's notices: under a notice (mute, unmute) and in /station (off, on)
MUTE_VERBS = ("mute", "unmute", "off", "on")
