"""What department liaisons (承办单位), and the deputies and staff working with them, see."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.callbacks import IssuePress, UnitPress
from bot.messages import Button, Outgoing, Summary
from bot.models import (
    RETURN_REASONS,
    Category,
    Department,
    ExtensionRequest,
    Handover,
    HandoverState,
    Issue,
    Lang,
    State,
    Station,
)
from bot.scheduling import TIER_MARK, tier
from bot.texts import Markup, plain, t
from bot.views import button, issue_facts, when, working_buttons

EXTENSION_DAYS = (3, 5, 10)  # working days a liaison may ask to add


def _press(lang: Lang, key: str, verb: str, number: int, arg: int | None = None) -> Button:
    return button(lang, key, UnitPress(verb=verb, id=number, arg=arg).pack())  # type: ignore[arg-type]


def unit_buttons(lang: Lang, number: int, state: HandoverState) -> tuple[tuple[Button, ...], ...]:
    """签收 / 退回 / 申请延期 before signing; 答复 / 退回 / 申请延期 after."""
    first = (
        _press(lang, "btn.sign", "sign", number)
        if state is HandoverState.SENT
        else _press(lang, "btn.unit_answer", "ans", number)
    )
    return (
        (first,),
        (
            _press(lang, "btn.unit_return", "ret", number),
            _press(lang, "btn.extend", "ext", number),
        ),
    )


def _body(lang: Lang, issue: Issue, station: Station, category: Category, zone: ZoneInfo) -> Markup:
    # the unit never sees who reported it or their phone: the deputy stays the contact
    return issue_facts(lang, issue, station, category, zone, deadlines=False)


def unit_card(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    department: Department,
    handover: Handover,
    deputy: str,
    zone: ZoneInfo,
    now: int | None = None,
    yellow_at: float = 0.7,
    signer: str | None = None,
) -> Outgoing:
    """The transferred issue as the unit's liaison gets it, with its buttons for the state
    (and, in lists, the tier of the deadline it runs against: 🟡 / 🔴)."""
    body = _body(lang, issue, station, category, zone)
    mark = ""
    if now is not None and (found := tier(handover.sent_at, handover.due, now, yellow_at)):
        mark = f" {TIER_MARK[found]}"
    if handover.state is HandoverState.SENT:
        text = t(
            lang,
            "unit.card",
            number=issue.id,
            department=department.name(lang),
            body=body,
            deputy=deputy,
            sign_due=when(handover.sign_due, zone) + mark,
            answer_due=when(handover.answer_due, zone),
        )
    else:
        text = t(
            lang,
            "unit.card_signed",
            number=issue.id,
            department=department.name(lang),
            body=body,
            name=signer or "—",
            answer_due=when(handover.answer_due, zone) + mark,
        )
    location = (issue.lat, issue.lon) if issue.lat is not None and issue.lon is not None else None
    return Outgoing(
        text=text,
        buttons=unit_buttons(lang, issue.id, handover.state),
        photos=issue.photos,
        location=location,
    )


def signed_card(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    department: Department,
    handover: Handover,
    liaison: str,
    zone: ZoneInfo,
) -> Outgoing:
    """The card after 签收: 答复 / 退回 / 申请延期 (text only: the photos were shown)."""
    signed = handover.model_copy(update={"state": HandoverState.SIGNED})
    card = unit_card(lang, issue, station, category, department, signed, "", zone, signer=liaison)
    return card.model_copy(update={"photos": (), "location": None})


def taken_card(lang: Lang, number: int, name: str) -> Outgoing:
    return Outgoing(text=t(lang, "unit.card_taken", number=number, name=name))


def reason_name(lang: Lang, code: str | None) -> str:
    return plain(lang, f"unit.reason.{code}") if code in RETURN_REASONS else (code or "")


def reason_choice(lang: Lang, number: int) -> Outgoing:
    rows = tuple(
        (_press(lang, f"unit.reason.{code}", "rr", number, index),)
        for index, code in enumerate(RETURN_REASONS)
    )
    return Outgoing(text=t(lang, "unit.choose_reason", number=number), buttons=rows)


def days_choice(
    lang: Lang, number: int, due: int, options: list[tuple[int, int]], zone: ZoneInfo
) -> Outgoing:
    """申请延期: how many working days to add, each with the date it leads to."""
    rows = tuple(
        (
            Button(
                text=plain(lang, "unit.days_option", days=days, due=when(new_due, zone)),
                data=UnitPress(verb="ed", id=number, arg=days).pack(),
            ),
        )
        for days, new_due in options
    )
    return Outgoing(
        text=t(lang, "unit.choose_days", number=number, due=when(due, zone)), buttons=rows
    )


def extension_card(
    lang: Lang,
    number: int,
    department: Department,
    name: str,
    request: ExtensionRequest,
    due: int,
    zone: ZoneInfo,
) -> Outgoing:
    """The station staff decide a 申请延期 with one tap."""
    return Outgoing(
        text=t(
            lang,
            "unit.extension_card",
            number=number,
            department=department.name(lang),
            name=name,
            due=when(due, zone),
            new_due=when(request.new_due, zone),
            reason=request.reason,
        ),
        buttons=(
            (
                button(lang, "btn.approve", UnitPress(verb="yes", id=request.id).pack()),
                button(lang, "btn.refuse", UnitPress(verb="no", id=request.id).pack()),
            ),
        ),
    )


def answer_for_deputy(
    lang: Lang, number: int, department: Department, name: str, text: str, photos: tuple[str, ...]
) -> Outgoing:
    """The unit's answer reaches the deputy: 转给群众 as is, or 修改后答复."""
    return Outgoing(
        text=t(
            lang,
            "unit.answer_for_deputy",
            number=number,
            department=department.name(lang),
            name=name,
            text=text,
        ),
        buttons=(
            (
                _press(lang, "btn.forward", "fwd", number),
                _press(lang, "btn.edit_answer", "edit", number),
            ),
        ),
        photos=photos,
    )


def say(lang: Lang, key: str, **params: object) -> Outgoing:
    return Outgoing(text=t(lang, key, **params))


def signed_for_deputy(
    lang: Lang, number: int, department: Department, name: str, due: int, zone: ZoneInfo
) -> Outgoing:
    return say(
        lang,
        "unit.signed_for_deputy",
        number=number,
        department=department.name(lang),
        name=name,
        due=when(due, zone),
    )


def returned_for_deputy(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    department: Department,
    name: str,
    reason: str,
    zone: ZoneInfo,
) -> Outgoing:
    """退回: the deputy gets the issue back with its buttons (转办 again, or 答复 it)."""
    head = t(
        lang,
        "unit.returned_to_deputy",
        number=issue.id,
        department=department.name(lang),
        name=name,
        reason=reason_name(lang, reason),
    )
    body = issue_facts(lang, issue, station, category, zone)
    return Outgoing(text=Markup(f"{head}\n\n{body}"), buttons=working_buttons(lang, issue.id))


def extension_for_deputy(
    lang: Lang, number: int, department: Department, new_due: int, reason: str, zone: ZoneInfo
) -> Outgoing:
    return say(
        lang,
        "unit.extension_for_deputy",
        number=number,
        department=department.name(lang),
        new_due=when(new_due, zone),
        reason=reason,
    )


def dated(lang: Lang, key: str, number: int, name: str, due: int, zone: ZoneInfo) -> Outgoing:
    return say(lang, key, number=number, name=name, due=when(due, zone))


def resident_extended(
    lang: Lang, number: int, department: Department, due: int, zone: ZoneInfo
) -> Outgoing:
    """The resident hears the new date of an approved extension."""
    return Outgoing(
        text=t(
            lang,
            "unit.resident_extended",
            number=number,
            department=department.name(lang),
            due=when(due, zone),
        ),
        summary=Summary(
            kind="progress",
            subject=f"#{number}",
            what=plain(lang, "summary.extended", due=when(due, zone)[5:10]),
            state=plain(lang, f"state.{State.TRANSFERRED.value}"),
        ),
    )


def remind_notice(
    lang: Lang, key: str, number: int, state: HandoverState, due: int, zone: ZoneInfo
) -> Outgoing:
    """The 80% reminder to the unit's liaisons, with the buttons for where it stands."""
    return Outgoing(
        text=t(lang, key, number=number, due=when(due, zone)),
        buttons=unit_buttons(lang, number, state),
    )


def overdue_notice(
    lang: Lang,
    key: str,
    number: int,
    department: Department,
    due: int,
    zone: ZoneInfo,
    supervise: bool = False,
) -> Outgoing:
    """A unit missed its deadline: the station's staff get it with 督办."""
    buttons: tuple[tuple[Button, ...], ...] = ()
    if supervise:
        buttons = ((button(lang, "btn.supervise", IssuePress(verb="sup", issue=number).pack()),),)
    return Outgoing(
        text=t(lang, key, number=number, department=department.name(lang), due=when(due, zone)),
        buttons=buttons,
    )


def about(lang: Lang, key: str, department: Department, **params: object) -> Outgoing:
    """A one-line notice that names the unit, in the reader's language."""
    return say(lang, key, department=department.name(lang), **params)
