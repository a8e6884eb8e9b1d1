"""What a resident sees while writing a report (messages as data)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.callbacks import ReportPress
from bot.messages import Button, Keyboard, Outgoing
from bot.models import (
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    MIN_DESCRIPTION,
    Category,
    Draft,
    Issue,
    Lang,
    Station,
)
from bot.texts import Markup, plain, t
from bot.views import preview, state_name, when


def _press(lang: Lang, key: str, verb: str, draft: Draft, arg: int = 0, **params: object) -> Button:
    return Button(
        text=plain(lang, key, **params), data=ReportPress(verb=verb, draft=draft.id, arg=arg).pack()
    )


def menu_rows(lang: Lang) -> tuple[tuple[str, ...], ...]:
    return (
        (plain(lang, "menu.report"), plain(lang, "menu.my")),
        (plain(lang, "menu.station"), plain(lang, "menu.reception")),
    )


def menu_keyboard(lang: Lang) -> Keyboard:
    """The resident's persistent menu (我要反映 …)."""
    return Keyboard(rows=menu_rows(lang))


def contact_keyboard(lang: Lang, label_key: str) -> Keyboard:
    """One button that sends the person's own contact, above the resident menu."""
    return Keyboard(rows=menu_rows(lang), request="contact", request_label=plain(lang, label_key))


def categories(
    lang: Lang, draft: Draft, station: Station | None, found: list[Category]
) -> Outgoing:
    buttons = [
        Button(text=c.name(lang), data=ReportPress(verb="cat", draft=draft.id, arg=c.id).pack())
        for c in found
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    rows += ((_press(lang, "btn.cancel", "cancel", draft),),)
    return Outgoing(
        text=t(lang, "report.choose_category", station=station.name if station else ""),
        buttons=rows,
    )


def ask_description(lang: Lang, category: Category | None) -> Outgoing:
    return Outgoing(
        text=t(
            lang,
            "report.ask_description",
            category=category.name(lang) if category else "",
            min=MIN_DESCRIPTION,
            max=MAX_DESCRIPTION,
        )
    )


def extras(lang: Lang, draft: Draft, key: str = "report.ask_extras") -> Outgoing:
    """The extras step: photos and a location, with 跳过 (or 完成 once something came)."""
    done = bool(draft.photos) or draft.lat is not None
    label = "btn.done" if done else "btn.skip"
    return Outgoing(
        text=t(lang, key, max=MAX_PHOTOS, count=len(draft.photos)),
        buttons=((_press(lang, label, "skip", draft),),),
    )


def summary(
    lang: Lang,
    draft: Draft,
    station: Station | None,
    category: Category | None,
    phone: str | None,
    similar: list[Issue] | None = None,
) -> Outgoing:
    """The summary to confirm, with 提交 / 取消 and the phone choice (the number goes with
    this issue only when the resident attaches it here). Similar open issues come first in
    the same message, each with 附议: one message, one choice, no dead buttons left over."""
    shared = draft.share_phone and phone is not None
    text = t(
        lang,
        "report.summary",
        station=station.name if station else "",
        category=category.name(lang) if category else "",
        text=draft.description or "",
        photos=len(draft.photos),
        location=plain(
            lang, "report.location_yes" if draft.lat is not None else "report.location_no"
        ),
        phone=plain(lang, "report.phone_yes", phone=phone)
        if shared
        else plain(lang, "report.phone_no"),
    )
    toggle = (
        _press(lang, "reliability.btn_no_phone", "nophone", draft)
        if shared
        else _press(lang, "reliability.btn_share_phone", "phone", draft)
    )
    supports: list[tuple[Button, ...]] = []
    if similar:
        lines = [t(lang, "report.similar")]
        for issue in similar:
            lines.append(
                t(
                    lang,
                    "report.similar_item",
                    number=issue.id,
                    state=state_name(lang, issue.state),
                    count=issue.supporters,
                    text=preview(issue.description),
                )
            )
            supports.append((_press(lang, "btn.support", "me2", draft, issue.id, number=issue.id),))
        text = Markup("\n".join([*lines, "", text]))
    return Outgoing(
        text=text,
        buttons=(
            *supports,
            (
                _press(lang, "btn.submit", "submit", draft),
                _press(lang, "btn.cancel", "cancel", draft),
            ),
            (toggle,),
        ),
    )


def resume_offer(lang: Lang, draft: Draft, category: Category | None, zone: ZoneInfo) -> Outgoing:
    return Outgoing(
        text=t(
            lang,
            "report.resume_offer",
            category=category.name(lang) if category else "",
            updated=when(draft.updated_at, zone),
            text=preview(draft.description or "—"),
        ),
        buttons=(
            (
                _press(lang, "btn.continue", "resume", draft),
                _press(lang, "btn.start_over", "new", draft),
            ),
        ),
    )
