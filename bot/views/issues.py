"""What people are told as an issue moves after submission (accept, assign, transfer, reply,
reject, ask, follow up, withdraw, rate, supervise, auto-close), grouped by audience."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from zoneinfo import ZoneInfo

from bot.callbacks import IssuePress
from bot.messages import Button, Outgoing, Summary
from bot.models import Category, Department, Issue, Lang, Person, Rating, State, Station
from bot.texts import Markup, plain, t
from bot.views import (
    button,
    issue_facts,
    pending_buttons,
    preview,
    working_buttons,
    working_card,
)
from bot.views.revisit import resolution_buttons

# -- residents -------------------------------------------------------------------------


def summary(
    lang: Lang,
    number: int,
    what: str,
    state: State,
    kind: Literal["progress", "reply"] = "progress",
    **params: object,
) -> Summary:
    """A resident's notice in a few words (where only that reaches them now)."""
    return Summary(
        kind=kind,
        subject=f"#{number}",
        what=plain(lang, f"summary.{what}", **params),
        state=plain(lang, f"state.{state.value}"),
    )


def accepted_notice(lang: Lang, number: int, name: str) -> Outgoing:
    """The resident, when a deputy accepts their issue (认领)."""
    return Outgoing(
        text=t(lang, "resident.accepted", number=number, name=name),
        summary=summary(lang, number, "accepted", State.ACCEPTED, name=name),
    )


def assigned_notice(lang: Lang, number: int, name: str) -> Outgoing:
    """The resident, when the station's staff assign their issue to a deputy (指派)."""
    return Outgoing(
        text=t(lang, "resident.assigned", number=number, name=name),
        summary=summary(lang, number, "assigned", State.ACCEPTED, name=name),
    )


SupporterNews = Literal[
    "accepted", "assigned", "transferred", "replied", "rejected", "closed", "withdrawn", "reopened"
]


def supporter_notice(
    lang: Lang,
    what: SupporterNews,
    number: int,
    description: str,
    state: State,
    department: Department | None = None,
    facts: Mapping[str, object] | None = None,
) -> Outgoing:
    """Someone who supports (附议) the issue, when it moves: the same news as its resident,
    without the buttons (only the resident answers questions and rates)."""
    params = dict(facts or {})
    if department is not None:
        params["department"] = department.name(lang)
    return Outgoing(
        text=t(
            lang, f"supporter.{what}", number=number, preview=preview(description, 30), **params
        ),
        summary=Summary(
            kind="progress",
            subject=f"#{number}",
            what=plain(lang, "summary.supported_progress"),
            state=plain(lang, f"state.{state.value}"),
        ),
    )


def transferred_notice(lang: Lang, number: int, department: Department) -> Outgoing:
    """The resident, when the deputy transfers their issue (转办) to a department."""
    return Outgoing(
        text=t(lang, "resident.transferred", number=number, department=department.name(lang)),
        summary=summary(
            lang, number, "transferred", State.TRANSFERRED, department=department.name(lang)
        ),
    )


def replied_notice(lang: Lang, number: int, name: str, text: str) -> Outgoing:
    """The resident, when the deputy replies (答复): the answer and 回访's first question,
    问题解决了吗 (the rating follows, bot/views/revisit.py)."""
    return Outgoing(
        text=t(lang, "revisit.replied", number=number, name=name, text=text),
        buttons=resolution_buttons(lang, number),
        summary=summary(lang, number, "replied", State.REPLIED, "reply"),
    )


def answer_closed(lang: Lang, number: int, name: str, text: str) -> Outgoing:
    """The answer's message once the issue closed unrated: the answer stays, the 回访
    buttons go (they would only be refused)."""
    return Outgoing(text=t(lang, "answer.closed", number=number, name=name, text=text))


def rejected_notice(lang: Lang, number: int, reason: str) -> Outgoing:
    """The resident, when their issue is marked out of scope (不予受理), with the reason."""
    return Outgoing(
        text=t(lang, "resident.rejected", number=number, reason=reason),
        summary=summary(lang, number, "rejected", State.REJECTED),
    )


def question_notice(lang: Lang, number: int, name: str, question: str) -> Outgoing:
    """The resident, when the deputy asks them a question (询问群众), with a 回复 button."""
    return Outgoing(
        text=t(lang, "resident.question", number=number, name=name, text=question),
        buttons=((button(lang, "btn.answer", IssuePress(verb="ans", issue=number).pack()),),),
        summary=summary(lang, number, "question", State.ACCEPTED, "reply"),
    )


def auto_closed_notice(lang: Lang, number: int) -> Outgoing:
    """The resident, when their replied issue is closed unrated after the rating window."""
    return Outgoing(
        text=t(lang, "sched.auto_closed", number=number),
        summary=summary(lang, number, "auto_closed", State.CLOSED),
    )


# -- deputies --------------------------------------------------------------------------


def taken_notice(lang: Lang, number: int, description: str, name: str) -> Outgoing:
    """The station's deputies and staff (their 'new issue' notice edited) once one accepts it."""
    return Outgoing(
        text=t(lang, "deputy.taken", number=number, preview=preview(description), name=name)
    )


def assigned_to_notice(lang: Lang, number: int, description: str, name: str) -> Outgoing:
    """The station's deputies and staff (their 'new issue' notice edited) once staff assign it."""
    return Outgoing(
        text=t(lang, "deputy.assigned_to", number=number, preview=preview(description), name=name)
    )


def you_declined_notice(lang: Lang, number: int) -> Outgoing:
    """The deputy who declined (退回) a new issue: their 'new issue' notice, edited."""
    return Outgoing(text=t(lang, "deputy.you_declined", number=number))


def rejected_by_notice(lang: Lang, number: int, description: str, name: str) -> Outgoing:
    """The station's deputies and staff (new issue) or its owner, when someone else rejects it."""
    return Outgoing(
        text=t(lang, "deputy.rejected_by", number=number, preview=preview(description), name=name)
    )


def withdrawn_notice(lang: Lang, number: int, description: str) -> Outgoing:
    """The station's deputies and staff (new issue) or its owner, when the resident withdraws."""
    return Outgoing(text=t(lang, "deputy.withdrawn", number=number, preview=preview(description)))


def assigned_card(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person,
    zone: ZoneInfo,
) -> Outgoing:
    """The deputy staff assigned the issue to: its card with the working buttons."""
    return working_card(lang, issue, station, category, resident, zone, "deputy.assigned_you")


def reassigned_card(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person,
    zone: ZoneInfo,
    reason: str,
) -> Outgoing:
    """The deputy the station's staff 改派 the issue to: why, then its card and buttons."""
    card = working_card(lang, issue, station, category, resident, zone, "deputy.assigned_you")
    head = t(lang, "deputy.reassigned_you", number=issue.id, reason=reason)
    return card.model_copy(update={"text": Markup(f"{head}\n\n{card.text}")})


def reassigned_away_notice(lang: Lang, number: int, name: str, reason: str) -> Outgoing:
    """The deputy who had the issue, when staff 改派 it to someone else."""
    return Outgoing(text=t(lang, "deputy.reassigned_away", number=number, name=name, reason=reason))


def assign_rows(
    lang: Lang, issue_id: int, verb: str, deputies: list[Person], load: dict[int, int]
) -> list[tuple[Button, ...]]:
    """One button per deputy with how many open issues they handle now (指派给 / 改派给)."""
    key = "btn.assign_load" if verb == "asg" else "btn.reassign_load"
    return [
        (
            Button(
                text=plain(lang, key, name=d.name, count=load.get(d.id, 0)),
                data=IssuePress(verb=verb, issue=issue_id, arg=d.id).pack(),
            ),
        )
        for d in deputies
        if d.reachable
    ]


def reassign_choice(
    lang: Lang, number: int, owner: str | None, deputies: list[Person], load: dict[int, int]
) -> Outgoing:
    """改派: the station's other deputies to choose from (`owner`: who has it now, if any)."""
    if not deputies:
        return Outgoing(text=t(lang, "staff.reassign_nobody", number=number))
    rows = assign_rows(lang, number, "rea", deputies, load)
    text = (
        t(lang, "staff.reassign_to", number=number, name=owner)
        if owner is not None
        else t(lang, "staff.reassign_pending", number=number)
    )
    return Outgoing(text=text, buttons=tuple(rows))


def released_card(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person,
    zone: ZoneInfo,
    gone: str,
    deputies: list[Person],
    load: dict[int, int],
) -> Outgoing:
    """The station's staff, when the issue's deputy is no longer one of the station's: back
    to the station (to 指派 while pending, or 改派 while with a unit)."""
    body = issue_facts(lang, issue, station, category, zone, resident=resident, phone=True)
    verb = "asg" if issue.state is State.SUBMITTED else "rea"
    key = "staff.released_pending" if verb == "asg" else "staff.released_transferred"
    rows = assign_rows(lang, issue.id, verb, deputies, load)
    return Outgoing(text=t(lang, key, number=issue.id, name=gone, body=body), buttons=tuple(rows))


def resident_says_notice(lang: Lang, number: int, name: str, text: str, owned: bool) -> Outgoing:
    """Whoever handles the issue, when the resident follows up or answers a question."""
    return Outgoing(
        text=t(lang, "deputy.resident_says", number=number, name=name, text=text),
        buttons=working_buttons(lang, number) if owned else (),
    )


def unsatisfied_reason_notice(lang: Lang, number: int, reason: str) -> Outgoing:
    """The handlers and the station's staff, when the resident says why they are unsatisfied."""
    return Outgoing(text=t(lang, "deputy.unsatisfied_reason", number=number, text=reason))


def rated_notice(lang: Lang, number: int, rating: Rating) -> Outgoing:
    """The owning deputy, when the resident rates the reply 满意 or 基本满意 (issue closed)."""
    return Outgoing(
        text=t(lang, "deputy.rated", number=number, rating=t(lang, f"rating.{rating.value}"))
    )


def supervised_notice(
    lang: Lang, number: int, name: str, description: str, owned: bool
) -> Outgoing:
    """Whoever handles the issue, when staff supervise it (督办), with the matching buttons."""
    return Outgoing(
        text=t(lang, "deputy.supervised", number=number, name=name, preview=preview(description)),
        buttons=working_buttons(lang, number) if owned else pending_buttons(lang, number),
    )


# -- staff -----------------------------------------------------------------------------


def all_declined_card(
    lang: Lang,
    issue: Issue,
    station: Station,
    category: Category,
    resident: Person,
    zone: ZoneInfo,
    deputies: list[Person],
    reasons: list[tuple[str, str]],
    load: dict[int, int],
) -> Outgoing:
    """The station's staff, when every deputy declined: why each declined, then a button per
    reachable deputy with how many open issues they handle now, or reject."""
    body = issue_facts(lang, issue, station, category, zone, resident=resident, phone=True)
    lines = [t(lang, "staff.all_declined", body=body), "", t(lang, "staff.decline_reasons")]
    lines += [
        t(lang, "staff.decline_reason", name=name, reason=preview(reason, 200))
        for name, reason in reasons
    ]
    rows = assign_rows(lang, issue.id, "asg", deputies, load)
    rows.append((button(lang, "btn.reject", IssuePress(verb="rej", issue=issue.id).pack()),))
    return Outgoing(text=Markup("\n".join(lines)), buttons=tuple(rows))
