"""What people see: issue cards, lists and timelines as platform-neutral messages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.callbacks import IssuePress, LangPress
from bot.messages import Button, Outgoing
from bot.models import Category, Department, Event, Issue, Lang, Person, Rating, State, Station
from bot.scheduling import TIER_MARK, tier
from bot.texts import Markup, plain, t
from bot.units import utf16_len

PREVIEW_CHARS = 60


def when(ts: int | float | None, zone: ZoneInfo) -> str:
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M")


def day(ts: int | float | None, zone: ZoneInfo) -> str:
    """The date alone (a deadline counted in months, a document's date)."""
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d")


def state_name(lang: Lang, state: State) -> str:
    return plain(lang, f"state.{state.value}")


def button(lang: Lang, key: str, data: str, **params: object) -> Button:
    return Button(text=plain(lang, key, **params), data=data)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def issue_facts(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    zone: ZoneInfo,
    *,
    resident: Person | None = None,
    phone: bool = False,
    deadlines: bool = True,
    now: int | None = None,
    yellow_at: float = 0.7,
) -> Markup:
    """The body of an issue card: number, category, station, reporter, text, deadlines
    (`deadlines=False`: without the state and the station's deadlines, for a unit). The
    reporter's phone number, when they attached it, only with `phone=True`: for the deputy
    who handles the issue and the station's staff, never on a card offered to every deputy."""
    lines = [
        t(lang, "card.head", number=issue.id, category=category.name(lang)),
        t(lang, "card.station", station=station.name),
    ]
    if resident is not None and issue.source == "resident":
        lines.append(t(lang, "card.resident", name=resident.name or "—"))
        if phone and issue.share_phone and resident.phone:
            lines.append(t(lang, "card.phone", phone=resident.phone))
    if issue.source == "patrol":
        lines.append(t(lang, "card.from_patrol"))
    if issue.supporters:
        lines.append(t(lang, "card.supporters", count=issue.supporters))
    lines.append(t(lang, "card.description", text=issue.description))
    if issue.photos:
        lines.append(t(lang, "card.photos", count=len(issue.photos)))
    if issue.lat is not None and issue.lon is not None:
        lines.append(t(lang, "card.location", lat=f"{issue.lat:.5f}", lon=f"{issue.lon:.5f}"))
    if not deadlines:
        return Markup("\n".join(lines))
    lines.append(t(lang, "card.state", state=state_name(lang, issue.state)))
    if issue.state is State.SUBMITTED:
        due = t(lang, "card.accept_due", due=when(issue.accept_due, zone))
        lines.append(_marked(due, issue.created_at, issue.accept_due, now, yellow_at))
    if issue.state in (State.SUBMITTED, State.ACCEPTED, State.TRANSFERRED):
        due = t(lang, "card.reply_due", due=when(issue.reply_due, zone))
        if issue.state is not State.SUBMITTED:
            due = _marked(due, issue.created_at, issue.reply_due, now, yellow_at)
        lines.append(due)
    if issue.supervised:
        lines.append(t(lang, "card.supervised"))
    return Markup("\n".join(lines))


def _marked(line: Markup, start: int, due: int, now: int | None, yellow_at: float) -> Markup:
    """A deadline line with its warning tier (🟡 most of the time gone, 🔴 overdue)."""
    if now is None:
        return line
    found = tier(start, due, now, yellow_at)
    return line if found is None else Markup(f"{line} {TIER_MARK[found]}")


def pending_buttons(lang: Lang, issue_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            button(lang, "btn.accept", IssuePress(verb="acc", issue=issue_id).pack()),
            button(lang, "btn.decline", IssuePress(verb="dec", issue=issue_id).pack()),
            button(lang, "btn.reject", IssuePress(verb="rej", issue=issue_id).pack()),
        ),
    )


def working_buttons(lang: Lang, issue_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            button(lang, "btn.reply", IssuePress(verb="rep", issue=issue_id).pack()),
            button(lang, "btn.transfer", IssuePress(verb="tra", issue=issue_id).pack()),
        ),
        (
            button(lang, "btn.ask", IssuePress(verb="ask", issue=issue_id).pack()),
            button(lang, "btn.reject", IssuePress(verb="rej", issue=issue_id).pack()),
        ),
        (button(lang, "btn.make_suggestion", IssuePress(verb="sug", issue=issue_id).pack()),),
    )


def rating_buttons(lang: Lang, issue_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            button(lang, "btn.satisfied", IssuePress(verb="rate", issue=issue_id, arg=1).pack()),
            button(lang, "btn.mostly", IssuePress(verb="rate", issue=issue_id, arg=2).pack()),
            button(lang, "btn.unsatisfied", IssuePress(verb="rate", issue=issue_id, arg=3).pack()),
        ),
    )


RATING_CODES = {1: Rating.SATISFIED, 2: Rating.MOSTLY, 3: Rating.UNSATISFIED}


def new_issue_notice(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person,
    zone: ZoneInfo,
    phone: bool = False,
) -> Outgoing:
    """The card offering a new issue (认领); the phone only when staff get it (no deputy)."""
    body = issue_facts(lang, issue, station, category, zone, resident=resident, phone=phone)
    return Outgoing(
        text=t(lang, "deputy.new_issue", body=body),
        buttons=pending_buttons(lang, issue.id),
        photos=issue.photos,
        location=(issue.lat, issue.lon)
        if issue.lat is not None and issue.lon is not None
        else None,
    )


def working_card(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person | None,
    zone: ZoneInfo,
    head_key: str = "deputy.working",
    now: int | None = None,
    yellow_at: float = 0.7,
) -> Outgoing:
    body = issue_facts(
        lang,
        issue,
        station,
        category,
        zone,
        resident=resident,
        phone=True,
        now=now,
        yellow_at=yellow_at,
    )
    return Outgoing(text=t(lang, head_key, body=body), buttons=working_buttons(lang, issue.id))


def lang_choice(lang: Lang) -> Outgoing:
    """/lang: the two languages, each labelled in itself."""
    buttons = tuple(
        Button(text=plain(choice, f"lang.{choice}"), data=LangPress(lang=choice).pack())
        for choice in Lang
    )
    return Outgoing(text=plain(lang, "lang.choose"), buttons=(buttons,))


def department_buttons(
    lang: Lang, issue_id: int, departments: list[Department]
) -> tuple[tuple[Button, ...], ...]:
    rows = [
        (Button(text=d.name(lang), data=IssuePress(verb="dep", issue=issue_id, arg=d.id).pack()),)
        for d in departments
    ]
    return tuple(rows)


def resident_issue_line(
    lang: Lang, issue: Issue, category: Category | None, supported: bool = False
) -> str:
    """A line of /my; an issue the person supports (附议) rather than filed says so."""
    facts = {
        "number": issue.id,
        "state": state_name(lang, issue.state),
        "category": category.name(lang) if category else "",
        "text": preview(issue.description, 24 if not supported else 18),
    }
    if supported:
        return plain(lang, "my.line_supported", mark=plain(lang, "my.supported"), **facts)
    return plain(lang, "my.line", **facts)


TIMELINE_PAGE = 3500  # UTF-16 units of markup per message: Telegram takes 4096 of text


def timeline(
    lang: Lang, issue: Issue, events: list[Event], zone: ZoneInfo, limit: int = TIMELINE_PAGE
) -> list[Markup]:
    """An issue's timeline as messages of at most `limit` units each: a long one (many
    follow-ups, many supporters) continues in the next message instead of being refused."""
    head = t(lang, "timeline.head", number=issue.id, state=state_name(lang, issue.state))
    lines = [_event_line(lang, event, zone) for event in events]
    pages: list[list[str]] = [[head]]
    size = utf16_len(head)
    for line in lines:
        cost = utf16_len(line) + 1
        if size + cost > limit and len(pages[-1]) > 1:
            pages.append([t(lang, "timeline.continued", number=issue.id)])
            size = utf16_len(pages[-1][0])
        pages[-1].append(line)
        size += cost
    return [Markup("\n".join(page)) for page in pages]


def _event_line(lang: Lang, event: Event, zone: ZoneInfo) -> Markup:
    actor = event.actor_name or plain(lang, "timeline.system")
    if event.kind in ("supported", "unsupported"):  # residents stay anonymous to each other
        actor = plain(lang, "timeline.supporter")
    what = plain(lang, f"event.{event.kind}")
    line = t(lang, "timeline.line", at=when(event.at, zone), actor=actor, what=what)
    note = event.note
    if event.kind == "rated" and note in {r.value for r in Rating}:
        note = plain(lang, f"rating.{note}")
    if note:
        line = Markup(line + "\n" + t(lang, "timeline.note", note=preview(note, 300)))
    return line
