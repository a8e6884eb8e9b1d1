"""What 回访 and 重办 look like: the resident's two questions after an answer, the 14-day
re-check, the staff's phone 回访 list and its questions, and the re-handling notices."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from bot.callbacks import IssuePress, RevisitPress
from bot.messages import Button, Outgoing, Summary
from bot.models import Category, Issue, Lang, Person, Rating, Resolution, State, Station
from bot.texts import Markup, plain, t
from bot.views import button, issue_facts, preview, state_name, working_buttons

Rows = tuple[tuple[Button, ...], ...]
# why an issue is handled again (重办)
Cause = Literal["unsatisfied", "unresolved", "phone", "recurred"]

# the numbers in the buttons' data
RESOLUTIONS = {1: Resolution.RESOLVED, 2: Resolution.PARTLY, 3: Resolution.UNRESOLVED}
RATINGS = {1: Rating.SATISFIED, 2: Rating.MOSTLY, 3: Rating.UNSATISFIED}
RECHECK_HOLDS, RECHECK_CAME_BACK = 1, 2
RESOLUTION_CODES = {resolution: code for code, resolution in RESOLUTIONS.items()}

_CARD = {
    "unsatisfied": "deputy.reopened",
    "unresolved": "revisit.card_unresolved",
    "phone": "revisit.card_phone",
    "recurred": "revisit.card_recurred",
}
_ALERT = {
    "unsatisfied": "staff.reopened",
    "unresolved": "revisit.alert_unresolved",
    "phone": "revisit.alert_phone",
    "recurred": "revisit.alert_recurred",
}
_RESOLUTION_LABELS = {
    Resolution.RESOLVED: "btn.resolved",
    Resolution.PARTLY: "btn.partly",
    Resolution.UNRESOLVED: "btn.unresolved",
}
_RATING_LABELS = {
    Rating.SATISFIED: "btn.satisfied",
    Rating.MOSTLY: "btn.mostly",
    Rating.UNSATISFIED: "btn.unsatisfied",
}


def resolution_name(lang: Lang, resolution: Resolution) -> str:
    return plain(lang, f"resolution.{resolution.value}")


def rating_name(lang: Lang, rating: Rating) -> str:
    return plain(lang, f"rating.{rating.value}")


def result_name(lang: Lang, result: Resolution | Rating | None) -> str:
    """What a phone 回访 found: a resolution (未解决) or a rating (不满意)."""
    if isinstance(result, Resolution):
        return resolution_name(lang, result)
    return rating_name(lang, result) if result is not None else "—"


def _summary(lang: Lang, number: int, what: str, state: State, kind: str) -> Summary:
    return Summary(
        kind="reply" if kind == "reply" else "progress",
        subject=f"#{number}",
        what=plain(lang, f"summary.{what}"),
        state=state_name(lang, state),
    )


# -- residents -------------------------------------------------------------------------------
def resolution_buttons(lang: Lang, issue_id: int, *, phone: bool = False) -> Rows:
    """问题解决了吗？ 已解决 · 部分解决 · 未解决 (the resident's, or staff's on a phone call)."""
    verb: Literal["res", "pres"] = "pres" if phone else "res"
    return (
        tuple(
            button(
                lang,
                _RESOLUTION_LABELS[resolution],
                RevisitPress(verb=verb, issue=issue_id, code=code).pack(),
            )
            for code, resolution in RESOLUTIONS.items()
        ),
    )


def rating_buttons(
    lang: Lang, issue_id: int, resolution: Resolution, cycle: int, *, phone: bool = False
) -> Rows:
    """满意 · 基本满意 · 不满意, for the answer given in `cycle` (its reopen_count)."""
    verb: Literal["sat", "psat"] = "psat" if phone else "sat"
    return (
        tuple(
            button(
                lang,
                _RATING_LABELS[rating],
                RevisitPress(
                    verb=verb,
                    issue=issue_id,
                    code=RESOLUTION_CODES[resolution],
                    cycle=cycle,
                    rating=code,
                ).pack(),
            )
            for code, rating in RATINGS.items()
        ),
    )


def ask_rating(lang: Lang, number: int, resolution: Resolution, cycle: int) -> Outgoing:
    """After 已解决 / 部分解决: the satisfaction question (the pressed message becomes it)."""
    return Outgoing(
        text=t(
            lang, "revisit.ask_rating", number=number, resolution=resolution_name(lang, resolution)
        ),
        buttons=rating_buttons(lang, number, resolution, cycle),
    )


def rehandled_ask_rating(lang: Lang, number: int, name: str, due: str, cycle: int) -> Outgoing:
    """After 未解决: it is handled again already; the satisfaction is still asked."""
    return Outgoing(
        text=t(lang, "revisit.rehandled", number=number, name=name, due=due),
        buttons=rating_buttons(lang, number, Resolution.UNRESOLVED, cycle),
    )


def recheck_notice(lang: Lang, number: int, description: str) -> Outgoing:
    """14 days after 已解决: 问题有没有反复？ 没有 · 又出现了 (asked once)."""
    data = {
        code: RevisitPress(verb="chk", issue=number, code=code).pack()
        for code in (RECHECK_HOLDS, RECHECK_CAME_BACK)
    }
    return Outgoing(
        text=t(lang, "revisit.recheck", number=number, preview=preview(description)),
        buttons=(
            (
                button(lang, "btn.recheck_no", data[RECHECK_HOLDS]),
                button(lang, "btn.recheck_back", data[RECHECK_CAME_BACK]),
            ),
        ),
        summary=_summary(lang, number, "recheck", State.CLOSED, "reply"),
    )


def rehandled_notice(lang: Lang, number: int, name: str, due: str) -> Outgoing:
    """The resident, when a phone 回访 found the problem not solved and it is handled again."""
    return Outgoing(
        text=t(lang, "revisit.phone_rehandled_resident", number=number, name=name, due=due),
        summary=_summary(lang, number, "rehandled", State.ACCEPTED, "progress"),
    )


# -- deputies and staff: 重办 -----------------------------------------------------------------
def reopened_card(
    lang: Lang,
    cause: Cause,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person,
    zone: ZoneInfo,
    result: Resolution | Rating | None = None,
) -> Outgoing:
    """The owning deputy, when the issue is handled again: why, and the working buttons."""
    body = issue_facts(lang, issue, station, category, zone, resident=resident, phone=True)
    params: dict[str, object] = {"body": body}
    if cause == "phone":
        params["result"] = result_name(lang, result)
    return Outgoing(text=t(lang, _CARD[cause], **params), buttons=working_buttons(lang, issue.id))


def reopened_alert(
    lang: Lang,
    cause: Cause,
    number: int,
    times: int,
    name: str,
    description: str,
    owner_gone: bool = False,
    result: Resolution | Rating | None = None,
) -> Outgoing:
    """The station's staff (and admins from the second time), when an issue is handled
    again, with 督办; when its deputy can no longer be reached, they are told so."""
    params: dict[str, object] = {
        "number": number,
        "times": times,
        "name": name,
        "preview": preview(description),
    }
    if cause == "phone":
        params["result"] = result_name(lang, result)
    text = t(lang, _ALERT[cause], **params)
    if owner_gone:
        text = Markup(text + "\n" + t(lang, "revisit.owner_gone", name=name))
    return Outgoing(
        text=text,
        buttons=(
            (
                button(lang, "btn.supervise", IssuePress(verb="sup", issue=number).pack()),
                button(lang, "btn.reassign", IssuePress(verb="rea", issue=number).pack()),
            ),
        ),
    )


# -- staff: the phone 回访 --------------------------------------------------------------------
def phone_list(
    lang: Lang, station: Station, items: list[tuple[Issue, Category, Person]]
) -> Outgoing:
    """The station's issues closed unrated this sweep, one button each to record a call."""
    lines = [t(lang, "revisit.phone_list_head", station=station.name)]
    for issue, category, resident in items:
        phone = resident.phone if issue.share_phone and resident.phone else None
        lines.append(
            t(
                lang,
                "revisit.phone_line",
                number=issue.id,
                category=category.name(lang),
                preview=preview(issue.description, 30),
                name=resident.name or "—",
                phone=phone or plain(lang, "revisit.no_phone"),
            )
        )
    rows = tuple(
        (
            button(
                lang,
                "btn.phone_revisit",
                RevisitPress(verb="ph", issue=issue.id).pack(),
                number=issue.id,
            ),
        )
        for issue, _, _ in items
    )
    return Outgoing(text="\n\n".join(lines), buttons=rows)


def phone_ask(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person,
    zone: ZoneInfo,
) -> Outgoing:
    """One issue of the list: its facts and the answer, then 问题解决了吗 for staff to record."""
    body = issue_facts(lang, issue, station, category, zone, resident=resident, phone=True)
    return Outgoing(
        text=t(
            lang,
            "revisit.phone_ask",
            number=issue.id,
            body=body,
            reply=preview(issue.reply_text or "—", 300),
        ),
        buttons=resolution_buttons(lang, issue.id, phone=True),
    )


def phone_ask_rating(
    lang: Lang, number: int, resolution: Resolution, cycle: int, rehandled: bool
) -> Outgoing:
    if rehandled:
        text = t(lang, "revisit.phone_rehandled", number=number)
    else:
        text = t(
            lang,
            "revisit.phone_ask_rating",
            number=number,
            resolution=resolution_name(lang, resolution),
        )
    return Outgoing(text=text, buttons=rating_buttons(lang, number, resolution, cycle, phone=True))


def phone_done(
    lang: Lang, number: int, resolution: Resolution, rating: Rating, rehandled: bool
) -> Outgoing:
    key = "revisit.phone_done_rehandled" if rehandled else "revisit.phone_done"
    return Outgoing(
        text=t(
            lang,
            key,
            number=number,
            resolution=resolution_name(lang, resolution),
            rating=rating_name(lang, rating),
        )
    )
