"""What the scheduler sends: deadline nudges and /overdue, 走街串巷 checklists, reception days."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.callbacks import IssuePress, PatrolPress, ReceptionPress
from bot.messages import Button, Outgoing, Summary
from bot.models import (
    Category,
    Issue,
    Lang,
    Overdue,
    Patrol,
    Person,
    RunView,
    Slot,
    State,
    Station,
)
from bot.scheduling import due_of, phase_of, span
from bot.texts import Markup, plain, t
from bot.views import button, pending_buttons, preview, when, working_buttons, working_card


# -- deadline nudges ---------------------------------------------------------------------------
def late_text(lang: Lang, seconds: int) -> str:
    days, hours, minutes = span(seconds)
    if days:
        return plain(lang, "sched.span_days", days=days, hours=hours)
    return plain(lang, "sched.span_hours", hours=hours, minutes=minutes)


def _nudge_buttons(lang: Lang, issue_id: int, phase: str) -> tuple[tuple[Button, ...], ...]:
    if phase == "accept":
        return pending_buttons(lang, issue_id)
    return working_buttons(lang, issue_id)


def _nudge_facts(
    lang: Lang, issue: Issue, category: Category, phase: str, zone: ZoneInfo
) -> dict[str, object]:
    return {
        "number": issue.id,
        "category": category.name(lang),
        "due": when(issue.accept_due if phase == "accept" else issue.reply_due, zone),
        "preview": preview(issue.description),
    }


def remind_notice(
    lang: Lang, issue: Issue, category: Category, phase: str, zone: ZoneInfo, left: int
) -> Outgoing:
    """The 80% reminder to those who must act: `left` seconds to the deadline."""
    return Outgoing(
        text=t(
            lang,
            f"sched.remind_{phase}",
            left=late_text(lang, left),
            **_nudge_facts(lang, issue, category, phase, zone),
        ),
        buttons=_nudge_buttons(lang, issue.id, phase),
    )


def overdue_notice(
    lang: Lang, issue: Issue, category: Category, phase: str, zone: ZoneInfo
) -> Outgoing:
    """The deputies' overdue notice (with their usual buttons)."""
    return Outgoing(
        text=t(lang, f"sched.overdue_{phase}", **_nudge_facts(lang, issue, category, phase, zone)),
        buttons=_nudge_buttons(lang, issue.id, phase),
    )


def supervise_card(
    lang: Lang,
    key: str,
    issue: Issue,
    category: Category,
    phase: str,
    zone: ZoneInfo,
    *,
    station_name: str,
    owner: Person | None,
    late: int,
) -> Outgoing:
    """An overdue issue for staff or admins (`key`), with 督办."""
    facts = _nudge_facts(lang, issue, category, phase, zone)
    facts.pop("category")
    return Outgoing(
        text=t(
            lang,
            key,
            station=station_name,
            phase=plain(lang, f"sched.phase_{phase}"),
            owner=owner.name if owner else plain(lang, "sched.nobody"),
            late=late_text(lang, late),
            **facts,
        ),
        buttons=supervise_buttons(lang, issue),
    )


def supervise_buttons(lang: Lang, issue: Issue) -> tuple[tuple[Button, ...], ...]:
    """督办 and 改派 while the issue is open."""
    row = [button(lang, "btn.supervise", IssuePress(verb="sup", issue=issue.id).pack())]
    if issue.state in (State.SUBMITTED, State.ACCEPTED, State.TRANSFERRED):
        row.append(button(lang, "btn.reassign", IssuePress(verb="rea", issue=issue.id).pack()))
    return (tuple(row),)


def overdue_lines(lang: Lang, items: list[Overdue], zone: ZoneInfo) -> Markup:
    """The body of an /overdue page."""
    lines = [
        t(
            lang,
            "overdue.line",
            number=o.issue.id,
            station=o.station.name,
            phase=plain(lang, f"sched.phase_{phase_of(o.issue)}"),
            due=when(due_of(o.issue), zone),
            owner=o.owner.name if o.owner else plain(lang, "sched.nobody"),
            preview=preview(o.issue.description, 40),
        )
        for o in items
    ]
    return Markup("\n\n".join(lines))


# -- 走街串巷 patrols ---------------------------------------------------------------------------
def checklist(lang: Lang, view: RunView) -> Outgoing:
    """The deputy's checklist: one button per item showing its mark, then 完成."""
    patrol, run = view.patrol, view.run
    if run.finished_at is not None:
        lines = [_mark_label(lang, view, i) for i in range(len(patrol.items))]
        return Outgoing(
            text=t(
                lang,
                "patrol.finished_checklist",
                name=patrol.name(lang),
                station=view.station.name,
                checked=view.checked,
                total=len(patrol.items),
                problems=len(view.problems),
                lines="\n".join(lines),
            )
        )
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                text=_mark_label(lang, view, i),
                data=PatrolPress(verb="item", id=run.id, item=i).pack(),
            ),
        )
        for i in range(len(patrol.items))
    ]
    rows.append((button(lang, "btn.done", PatrolPress(verb="done", id=run.id).pack()),))
    return Outgoing(
        text=t(lang, "patrol.checklist", name=patrol.name(lang), station=view.station.name),
        buttons=tuple(rows),
    )


def _mark_label(lang: Lang, view: RunView, index: int) -> str:
    item = view.item(index, lang)
    mark = view.marks.get(index)
    if mark is None:
        return plain(lang, "patrol.mark_none", item=item)
    if mark.mark == "ok":
        return plain(lang, "patrol.mark_ok", item=item)
    return plain(lang, "patrol.mark_problem", item=item, number=mark.issue_id or "")


def item_choice(lang: Lang, view: RunView, index: int) -> Outgoing:
    """正常 / 有问题 for one item."""
    run_id = view.run.id
    return Outgoing(
        text=t(lang, "patrol.item_choice", item=view.item(index, lang)),
        buttons=(
            (
                button(lang, "btn.ok", PatrolPress(verb="ok", id=run_id, item=index).pack()),
                button(lang, "btn.problem", PatrolPress(verb="bad", id=run_id, item=index).pack()),
            ),
        ),
    )


def patrol_issue_card(
    lang: Lang, issue: Issue, station: Station, category: Category, zone: ZoneInfo
) -> Outgoing:
    """The issue a problem item became, for the deputy who found it."""
    return working_card(lang, issue, station, category, None, zone, "patrol.issue_card")


def no_deputies(lang: Lang, patrol: Patrol, station: Station) -> Outgoing:
    """To staff (or admins): a patrol started with no reachable deputy."""
    return Outgoing(
        text=t(lang, "patrol.no_deputies", name=patrol.name(lang), station=station.name)
    )


def unfinished(lang: Lang, view: RunView) -> Outgoing:
    """The one reminder of a checklist left unfinished."""
    return Outgoing(
        text=t(
            lang,
            "patrol.unfinished",
            name=view.patrol.name(lang),
            checked=view.checked,
            total=len(view.patrol.items),
        )
    )


def summary(lang: Lang, view: RunView) -> Outgoing:
    """完成: what the station staff (or the admins) get."""
    lines = Markup(
        "".join(
            t(lang, "patrol.summary_line", item=view.item(m.item, lang), number=m.issue_id or "")
            for m in sorted(view.problems, key=lambda m: m.item)
        )
    )
    return Outgoing(
        text=t(
            lang,
            "patrol.summary",
            name=view.patrol.name(lang),
            station=view.station.name,
            deputy=view.deputy.name,
            checked=view.checked,
            total=len(view.patrol.items),
            problems=len(view.problems),
            lines=lines,
        )
    )


# -- reception days ----------------------------------------------------------------------------
def reception_for_residents(
    lang: Lang, station: Station, slot: Slot, day: str, names: str
) -> Outgoing:
    """The notice to residents who opted in, with the button that opts out."""
    return Outgoing(
        text=t(
            lang,
            "reception.notice_residents",
            station=station.name,
            date=day,
            weekday=plain(lang, f"weekday.{slot.weekday}"),
            start=slot.start,
            end=slot.end,
            address=station.address or "—",
            names=names,
        ),
        buttons=(
            (
                Button(
                    text=plain(lang, "reception.opt_out"),
                    data=ReceptionPress(verb="off", station=slot.station_id).pack(),
                ),
            ),
        ),
        summary=Summary(
            kind="broadcast",
            subject=station.name,
            what=plain(lang, "summary.reception", date=day, start=slot.start),
            state=plain(lang, "summary.reception_state"),
        ),
    )


def reception_for_deputies(
    lang: Lang, station: Station, slot: Slot, day: str, residents: int
) -> Outgoing:
    """The station's deputies the day before: how many residents asked to be told."""
    return Outgoing(
        text=t(
            lang,
            "reception.notice_deputies",
            station=station.name,
            date=day,
            weekday=plain(lang, f"weekday.{slot.weekday}"),
            start=slot.start,
            end=slot.end,
            count=residents,
        )
    )


def reception_opted_in(
    lang: Lang,
    day: str | None,
    slot: Slot | None,
    *,
    notified: bool,
    held_until: int | None,
    lead_days: int,
    zone: ZoneInfo,
) -> Markup:
    """🔔 pressed: the nearest reception day (`day`, `slot`) and when its notice reaches the
    resident — sent (`notified`), after quiet hours (`held_until`), or `lead_days` before."""
    if day is None or slot is None:
        return t(lang, "reception.on_no_slots", days=lead_days)
    facts: dict[str, object] = {
        "date": day,
        "weekday": plain(lang, f"weekday.{slot.weekday}"),
        "start": slot.start,
        "end": slot.end,
    }
    if held_until is not None:
        return t(lang, "reception.on_held", at=when(held_until, zone), **facts)
    if notified:
        return t(lang, "reception.on_sent", **facts)
    return t(lang, "reception.on_later", days=lead_days, **facts)
