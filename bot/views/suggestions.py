"""What deputies, the office, units' liaisons and residents see of a 代表建议 and of the
hotspots (建议线索) it may start from."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.callbacks import HotspotPress, SuggestionPress
from bot.messages import Button, Outgoing
from bot.models import (
    GRADES,
    Category,
    Department,
    Dossier,
    HotspotView,
    Issue,
    Lang,
    Person,
    Station,
    SuggestionState,
    SuggestionUnit,
)
from bot.suggestion_docx import LinkedIssue, SuggestionPaper
from bot.texts import Markup, plain, t
from bot.views import button, day, preview
from bot.views import prompts as prompt_views

RATING_KEYS = {1: "btn.satisfied", 2: "btn.mostly", 3: "btn.unsatisfied"}
# what a suggestion waits for, as named to the person writing it
WHAT_KEYS = {
    "title": "sg.part_title",
    "reasons": "sg.part_reasons",
    "proposal": "sg.part_proposal",
    "return": "sg.what_return",
    "answer": "sg.what_answer",
    "opinion": "sg.what_opinion",
    "extend": "sg.what_extend",
}
ASK_KEYS = {
    "return": "sg.ask_return_reason",
    "answer": "sg.ask_answer",
    "opinion": "sg.ask_opinion",
    "extend": "sg.ask_extend",
}
TYPICAL_CHARS = 60
ISSUES_LISTED = 20


def _press(
    lang: Lang, key: str, verb: str, sid: int, arg: int | None = None, **params: object
) -> Button:
    data = SuggestionPress(verb=verb, id=sid, arg=arg).pack()  # type: ignore[arg-type]
    return button(lang, key, data, **params)


def grade_name(lang: Lang, grade: str | None) -> str:
    return plain(lang, f"sg.grade_{grade}") if grade in GRADES else "—"


def state_name(lang: Lang, state: SuggestionState) -> str:
    return plain(lang, f"sg.state_{state.value}")


def about(lang: Lang, key: str, **params: object) -> Outgoing:
    return Outgoing(text=t(lang, key, **params))


# -- drafting -----------------------------------------------------------------------------
def draft_parts(
    lang: Lang,
    issues: Sequence[Issue],
    stations: Sequence[Station],
    category: Category,
    typical: str,
    zone: ZoneInfo,
) -> tuple[str, str, str]:
    """The standard form's three parts, filled from the issues (the deputy edits them)."""
    districts = sorted({s.district for s in stations})
    where = "、".join(districts) if lang is Lang.ZH else ", ".join(districts)
    names = (
        "、".join(s.name for s in stations)
        if lang is Lang.ZH
        else ", ".join(s.name for s in stations)
    )
    supporters = sum(i.supporters for i in issues)
    photos = sum(len(i.photos) for i in issues)
    dates = sorted(i.created_at for i in issues)
    title = plain(lang, "sg.draft_title", place=where, category=category.name(lang))
    lines = [
        plain(
            lang,
            "sg.draft_facts",
            span=_span(lang, day(dates[0], zone), day(dates[-1], zone)),
            stations=names,
            station_count=len(stations),
            count=len(issues),
            supporters=supporters,
        ),
        plain(lang, "sg.draft_typical", text=preview(typical, 300)),
    ]
    if photos:
        lines.append(plain(lang, "sg.draft_photos", count=photos))
    lines.append(plain(lang, "sg.draft_appendix"))
    proposal = plain(lang, "sg.draft_proposal", category=category.name(lang))
    return title, "\n".join(lines), proposal


def _span(lang: Lang, first: str, last: str) -> str:
    return first if first == last else plain(lang, "sg.span", first=first, last=last)


def _signers_line(lang: Lang, dossier: Dossier) -> Markup:
    joined = [s.name for s in dossier.joined if not s.lead]
    invited = [s.name for s in dossier.signers if not s.joined]
    sep = "、" if lang is Lang.ZH else ", "
    line = t(
        lang,
        "sg.signers",
        lead=dossier.lead.name,
        joined=sep.join(joined) or plain(lang, "sg.none"),
    )
    if invited:
        line = Markup(line + "\n" + t(lang, "sg.invited", names=sep.join(invited)))
    return line


def body(lang: Lang, dossier: Dossier, zone: ZoneInfo, *, full: bool = True) -> Markup:
    """The suggestion as its card shows it: number, state, title, signers, units, parts."""
    s = dossier.suggestion
    lines = [
        t(lang, "sg.card_head", number=s.id, state=state_name(lang, s.state)),
        t(lang, "sg.card_title", title=s.title),
        _signers_line(lang, dossier),
    ]
    numbers = " ".join(f"#{i.id}" for i in dossier.issues[:ISSUES_LISTED])
    if len(dossier.issues) > ISSUES_LISTED:
        numbers += " …"
    lines.append(t(lang, "sg.card_issues", count=len(dossier.issues), numbers=numbers or "—"))
    if dossier.current:
        lines.append(_units_line(lang, dossier))
    if s.due_at is not None:
        lines.append(t(lang, "sg.card_due", due=day(s.due_at, zone)))
    if s.return_reason and s.editable:
        lines.append(t(lang, "sg.card_return_reason", reason=s.return_reason))
    if full and not s.answer:  # with an answer the card would pass 4,096 characters
        lines.append(t(lang, "sg.card_reasons", text=s.reasons))
        lines.append(t(lang, "sg.card_proposal", text=s.proposal))
    if s.answer:
        lines.append(t(lang, "sg.card_answer", grade=grade_name(lang, s.grade), text=s.answer))
    return Markup("\n".join(lines))


def _units_line(lang: Lang, dossier: Dossier) -> Markup:
    lead = [d.name(lang) for u, d in dossier.current if u.lead]
    co = [d.name(lang) for u, d in dossier.current if not u.lead]
    sep = "、" if lang is Lang.ZH else ", "
    return t(
        lang,
        "sg.card_units",
        lead=sep.join(lead) or "—",
        co=sep.join(co) or plain(lang, "sg.none"),
    )


def lead_buttons(lang: Lang, dossier: Dossier) -> tuple[tuple[Button, ...], ...]:
    """Six at most, so WeCom shows them as one card (the card lists the issues' numbers)."""
    n = dossier.id
    return (
        (
            _press(lang, "sg.btn_title", "part", n, 0),
            _press(lang, "sg.btn_reasons", "part", n, 1),
            _press(lang, "sg.btn_proposal", "part", n, 2),
        ),
        (_press(lang, "sg.btn_invite", "inv", n),),
        (_press(lang, "sg.btn_submit", "sub", n), _press(lang, "sg.btn_docx", "docx", n)),
    )


def view_buttons(lang: Lang, dossier: Dossier) -> tuple[tuple[Button, ...], ...]:
    n = dossier.id
    return ((_press(lang, "sg.btn_issues", "iss", n), _press(lang, "sg.btn_docx", "docx", n)),)


def card(
    lang: Lang,
    dossier: Dossier,
    zone: ZoneInfo,
    buttons: tuple[tuple[Button, ...], ...] = (),
    head: str | None = None,
) -> Outgoing:
    text = body(lang, dossier, zone)
    if head:
        text = Markup(t(lang, head, number=dossier.id) + "\n\n" + text)
    return Outgoing(text=text, buttons=buttons)


def what(lang: Lang, part: str) -> str:
    return plain(lang, WHAT_KEYS[part])


def ask(lang: Lang, number: int, part: str, version: int, current: str, grade: str) -> Outgoing:
    """The question for a part of the draft (its current text shown to copy), a reason, an
    answer or an opinion; 取消 under it."""
    if part in ASK_KEYS:
        text = t(lang, ASK_KEYS[part], number=number, grade=grade_name(lang, grade))
    else:
        text = t(lang, "sg.ask_part", number=number, part=what(lang, part), text=current)
    return Outgoing(text=text, buttons=prompt_views.controls(lang, version, preview=False))


def preview_text(lang: Lang, number: int, part: str, text: str, version: int) -> Outgoing:
    body = t(lang, "sg.preview", number=number, what=what(lang, part), text=text)
    return Outgoing(text=body, buttons=prompt_views.controls(lang, version, preview=True))


def rewrite(lang: Lang, number: int, part: str, text: str, version: int) -> Outgoing:
    body = t(lang, "prompt.rewrite", number=number, what=what(lang, part), text=text)
    return Outgoing(text=body, buttons=prompt_views.controls(lang, version, preview=False))


def invitee_choice(lang: Lang, dossier: Dossier, people: Sequence[Person]) -> Outgoing:
    if not people:
        return about(lang, "sg.no_invitees", number=dossier.id)
    rows = tuple(
        (Button(text=p.name, data=SuggestionPress(verb="iv", id=dossier.id, arg=p.id).pack()),)
        for p in people
    )
    return Outgoing(text=t(lang, "sg.choose_invitee", number=dossier.id), buttons=rows)


def invitation(lang: Lang, dossier: Dossier, zone: ZoneInfo) -> Outgoing:
    text = t(lang, "sg.invitation", name=dossier.lead.name, body=body(lang, dossier, zone))
    n = dossier.id
    return Outgoing(
        text=text,
        buttons=(
            (_press(lang, "sg.btn_join", "join", n), _press(lang, "sg.btn_issues", "iss", n)),
        ),
    )


def issues_list(
    lang: Lang, number: int, issues: Sequence[Issue], stations: dict[int, Station], zone: ZoneInfo
) -> Outgoing:
    head = t(lang, "sg.issues_head", number=number, count=len(issues))
    return Outgoing(text=Markup("\n".join([head, *_issue_lines(lang, issues, stations, zone)])))


def _issue_lines(
    lang: Lang, issues: Sequence[Issue], stations: dict[int, Station], zone: ZoneInfo
) -> list[Markup]:
    lines = []
    for issue in issues[:ISSUES_LISTED]:
        station = stations.get(issue.station_id)
        lines.append(
            t(
                lang,
                "sg.issue_line",
                number=issue.id,
                date=day(issue.created_at, zone),
                station=station.name if station else "—",
                supporters=issue.supporters,
                text=preview(issue.description, TYPICAL_CHARS),
            )
        )
    return lines


# -- the office ---------------------------------------------------------------------------
def review_card(lang: Lang, dossier: Dossier, zone: ZoneInfo) -> Outgoing:
    n = dossier.id
    return card(
        lang,
        dossier,
        zone,
        (
            (_press(lang, "sg.btn_accept", "acc", n), _press(lang, "sg.btn_return", "ret", n)),
            (_press(lang, "sg.btn_issues", "iss", n), _press(lang, "sg.btn_docx", "docx", n)),
        ),
        head="sg.review_head",
    )


def returned_card(lang: Lang, dossier: Dossier, reason: str, zone: ZoneInfo) -> Outgoing:
    text = t(lang, "sg.returned_for_lead", number=dossier.id, reason=reason)
    return Outgoing(text=text, buttons=lead_buttons(lang, dossier))


def unit_choice(lang: Lang, dossier: Dossier, departments: Sequence[Department]) -> Outgoing:
    """After 受理: choose the 主办 unit; then toggle 协办 units and 交办."""
    n = dossier.id
    lead = dossier.lead_unit
    if lead is None:
        rows = tuple(
            (Button(text=d.name(lang), data=SuggestionPress(verb="lu", id=n, arg=d.id).pack()),)
            for d in departments
        )
        return Outgoing(
            text=t(lang, "sg.choose_lead_unit", number=n, title=dossier.suggestion.title),
            buttons=rows,
        )
    co = {u.department_id for u, _ in dossier.current if not u.lead}
    rows_list: list[tuple[Button, ...]] = []
    for d in departments:
        if d.id == lead[1].id:
            continue
        mark = "✅ " if d.id in co else ""
        data = SuggestionPress(verb="cu", id=n, arg=d.id).pack()
        rows_list.append((Button(text=f"{mark}{d.name(lang)}", data=data),))
    rows_list.append((_press(lang, "sg.btn_hand_over", "go", n),))
    text = t(
        lang,
        "sg.choose_co_units",
        number=n,
        lead=lead[1].name(lang),
        units=_units_line(lang, dossier),
    )
    return Outgoing(text=text, buttons=tuple(rows_list))


def handed_over_for_signers(lang: Lang, dossier: Dossier, zone: ZoneInfo) -> Outgoing:
    return Outgoing(
        text=t(
            lang,
            "sg.handed_over",
            number=dossier.id,
            title=dossier.suggestion.title,
            units=_units_line(lang, dossier),
            due=day(dossier.suggestion.due_at, zone),
        )
    )


def extension_card(lang: Lang, dossier: Dossier, reason: str, zone: ZoneInfo) -> Outgoing:
    lead = dossier.lead_unit
    n = dossier.id
    return Outgoing(
        text=t(
            lang,
            "sg.extension_card",
            number=n,
            title=dossier.suggestion.title,
            unit=lead[1].name(lang) if lead else "—",
            due=day(dossier.suggestion.due_at, zone),
            reason=reason,
        ),
        buttons=(
            (_press(lang, "sg.btn_approve", "ey", n), _press(lang, "sg.btn_refuse", "en", n)),
        ),
    )


def extension_decided(
    lang: Lang, dossier: Dossier, approved: bool, reason: str, zone: ZoneInfo
) -> Outgoing:
    key = "sg.extension_approved" if approved else "sg.extension_refused"
    return about(
        lang, key, number=dossier.id, due=day(dossier.suggestion.due_at, zone), reason=reason
    )


# -- the units ----------------------------------------------------------------------------
def unit_card(
    lang: Lang, dossier: Dossier, unit: SuggestionUnit, department: Department, zone: ZoneInfo
) -> Outgoing:
    n = dossier.id
    if unit.lead:
        key = "sg.unit_card_lead" if dossier.suggestion.round == 1 else "sg.unit_card_again"
        buttons: tuple[tuple[Button, ...], ...] = (
            (_press(lang, "sg.btn_answer", "ans", n),),
            (_press(lang, "sg.btn_issues", "iss", n), _press(lang, "sg.btn_docx", "docx", n)),
        )
        if dossier.suggestion.round == 1 and dossier.suggestion.extension_reason is None:
            buttons = (
                (_press(lang, "sg.btn_answer", "ans", n), _press(lang, "sg.btn_extend", "ext", n)),
                buttons[1],
            )
    else:
        key = "sg.unit_card_co"
        buttons = (
            (_press(lang, "sg.btn_opinion", "op", n),),
            (_press(lang, "sg.btn_issues", "iss", n), _press(lang, "sg.btn_docx", "docx", n)),
        )
    head = t(lang, key, number=n, department=department.name(lang), due=day(unit.due_at, zone))
    return Outgoing(text=Markup(head + "\n\n" + body(lang, dossier, zone)), buttons=buttons)


def grade_choice(lang: Lang, number: int) -> Outgoing:
    rows = tuple(
        (_press(lang, f"sg.grade_{g}", "gr", number, i + 1),) for i, g in enumerate(GRADES)
    )
    return Outgoing(text=t(lang, "sg.choose_grade", number=number), buttons=rows)


def unit_deadline(
    lang: Lang,
    dossier: Dossier,
    unit: SuggestionUnit,
    department: Department,
    overdue: bool,
    zone: ZoneInfo,
) -> Outgoing:
    key = "sg.unit_overdue" if overdue else "sg.unit_remind"
    what = plain(lang, "sg.what_answer" if unit.lead else "sg.what_opinion")
    return Outgoing(
        text=t(
            lang,
            key,
            number=dossier.id,
            title=dossier.suggestion.title,
            department=department.name(lang),
            what=what,
            due=day(unit.due_at, zone),
        ),
        buttons=((_press(lang, "sg.btn_view", "view", dossier.id),),),
    )


def opinion_notice(lang: Lang, dossier: Dossier, department: Department, text: str) -> Outgoing:
    return about(
        lang, "sg.opinion_notice", number=dossier.id, department=department.name(lang), text=text
    )


# -- answers and ratings ------------------------------------------------------------------
def _answer_text(lang: Lang, dossier: Dossier) -> Markup:
    s = dossier.suggestion
    lead = dossier.lead_unit
    return t(
        lang,
        "sg.answer",
        number=s.id,
        title=s.title,
        department=lead[1].name(lang) if lead else "—",
        grade=grade_name(lang, s.grade),
        text=s.answer or "",
    )


def answer_for_signers(lang: Lang, dossier: Dossier, zone: ZoneInfo) -> Outgoing:
    n = dossier.id
    rows = (tuple(_press(lang, RATING_KEYS[c], "rate", n, c) for c in (1, 2, 3)),)
    text = Markup(_answer_text(lang, dossier) + "\n" + t(lang, "sg.rate_it"))
    return Outgoing(text=text, buttons=rows)


def answer_for_office(lang: Lang, dossier: Dossier, zone: ZoneInfo) -> Outgoing:
    return Outgoing(text=_answer_text(lang, dossier))


def rated(lang: Lang, number: int, rating_code: int) -> Outgoing:
    return about(lang, "sg.rated", number=number, rating=plain(lang, RATING_KEYS[rating_code]))


def rehandled_notice(lang: Lang, dossier: Dossier, name: str, zone: ZoneInfo) -> Outgoing:
    return about(
        lang, "sg.rehandled", number=dossier.id, name=name, due=day(dossier.suggestion.due_at, zone)
    )


def closed_notice(lang: Lang, dossier: Dossier) -> Outgoing:
    sep = "、" if lang is Lang.ZH else ", "
    ratings = sep.join(
        f"{s.name}：{plain(lang, 'sg.rating_' + s.rating.value)}"
        for s in dossier.joined
        if s.rating
    )
    return about(
        lang, "sg.closed", number=dossier.id, title=dossier.suggestion.title, ratings=ratings
    )


# -- residents ----------------------------------------------------------------------------
def _theirs(lang: Lang, numbers: Sequence[int]) -> str:
    if not numbers:
        return plain(lang, "sg.resident_supported")
    return plain(lang, "sg.resident_raised", numbers="、".join(f"#{n}" for n in numbers))


def resident_handed_over(lang: Lang, dossier: Dossier, numbers: Sequence[int]) -> Outgoing:
    return about(
        lang,
        "sg.resident_handed_over",
        what=_theirs(lang, numbers),
        name=dossier.lead.name,
        title=dossier.suggestion.title,
        units=_units_line(lang, dossier),
    )


def resident_answer(lang: Lang, dossier: Dossier, numbers: Sequence[int]) -> Outgoing:
    lead = dossier.lead_unit
    return about(
        lang,
        "sg.resident_answer",
        what=_theirs(lang, numbers),
        name=dossier.lead.name,
        department=lead[1].name(lang) if lead else "—",
        text=dossier.suggestion.answer or "",
    )


# -- lists --------------------------------------------------------------------------------
def suggestion_list(lang: Lang, items: Sequence[tuple[int, str, str]]) -> Outgoing:
    """/suggestions: one line and one 查看 button per suggestion (number, state, title)."""
    if not items:
        return about(lang, "sg.list_none")
    lines = [t(lang, "sg.list_head", count=len(items))]
    rows = []
    for number, state, title in items:
        lines.append(t(lang, "sg.list_line", number=number, state=state, title=preview(title, 40)))
        rows.append((_press(lang, "sg.btn_view_number", "view", number, number=number),))
    return Outgoing(text=Markup("\n".join(lines)), buttons=tuple(rows[:10]))


def hotspot_list(
    lang: Lang,
    views: Sequence[HotspotView],
    period: int,
    periods: Sequence[int],
    zone: ZoneInfo,
    *,
    can_draft: bool,
) -> Outgoing:
    head = t(lang, "sg.hotspots_head", days=periods[period])
    lines = [head]
    rows: list[tuple[Button, ...]] = []
    for i, v in enumerate(views, start=1):
        lines.append(_hotspot_lines(lang, i, v, zone))
        key = v.hotspot.key
        row = [
            Button(
                text=plain(lang, "sg.btn_hotspot_view", index=i),
                data=HotspotPress(verb="view", key=key, period=period).pack(),
            )
        ]
        if can_draft:
            row.append(
                Button(
                    text=plain(lang, "sg.btn_hotspot_draft", index=i),
                    data=HotspotPress(verb="draft", key=key, period=period).pack(),
                )
            )
        rows.append(tuple(row))
    if not views:
        lines.append(t(lang, "sg.hotspots_none"))
    others = tuple(
        Button(text=plain(lang, "sg.btn_period", days=d), data=HotspotPress(verb="p", key=i).pack())
        for i, d in enumerate(periods)
        if i != period
    )
    rows.append(others)
    return Outgoing(text=Markup("\n\n".join(lines)), buttons=tuple(rows))


def _hotspot_lines(lang: Lang, index: int, view: HotspotView, zone: ZoneInfo) -> Markup:
    h = view.hotspot
    sep = "、" if lang is Lang.ZH else ", "
    return t(
        lang,
        "sg.hotspot_line",
        index=index,
        category=view.category.name(lang),
        count=h.count,
        people=h.people,
        supporters=h.supporters,
        stations=sep.join(s.name for s in view.stations),
        span=_span(lang, day(h.first_at, zone), day(h.last_at, zone)),
        text=preview(h.typical.text, TYPICAL_CHARS),
    )


def hotspot_detail(
    lang: Lang, view: HotspotView, issues: Sequence[Issue], zone: ZoneInfo, *, can_draft: bool
) -> Outgoing:
    stations = {s.id: s for s in view.stations}
    lines = _issue_lines(lang, issues, stations, zone)
    text = Markup(_hotspot_lines(lang, 1, view, zone) + "\n\n" + "\n".join(lines))
    rows: tuple[tuple[Button, ...], ...] = ()
    if can_draft:
        data = HotspotPress(verb="draft", key=view.hotspot.key, period=view.period).pack()
        rows = ((Button(text=plain(lang, "sg.btn_draft"), data=data),),)
    return Outgoing(text=text, buttons=rows)


# -- the document -------------------------------------------------------------------------
def paper(lang: Lang, dossier: Dossier, zone: ZoneInfo) -> SuggestionPaper:
    s = dossier.suggestion
    station = dossier.stations.get(s.station_id or 0)
    delegation = f"{station.district} · {station.name}" if station else ""
    linked = tuple(
        LinkedIssue(
            number=i.id,
            date=day(i.created_at, zone),
            station=dossier.stations[i.station_id].name
            if i.station_id in dossier.stations
            else "—",
            place=_place(dossier.stations.get(i.station_id), i),
            text=i.description,
            supporters=i.supporters,
        )
        for i in dossier.issues
    )
    return SuggestionPaper(
        number=s.id,
        title=s.title,
        lead=dossier.lead.name,
        cosigners=tuple(x.name for x in dossier.joined if not x.lead),
        delegation=delegation,
        reasons=s.reasons,
        proposal=s.proposal,
        drafted=day(s.submitted_at or s.created_at, zone),
        linked=linked,
        lang=lang.value,
    )


def _place(station: Station | None, issue: Issue) -> str:
    if issue.lat is not None and issue.lon is not None:
        return f"{issue.lat:.5f}, {issue.lon:.5f}"
    if station is not None and station.address:
        return station.address
    return "—"


def docx_name(number: int) -> str:
    return f"suggestion-{number}.docx"
