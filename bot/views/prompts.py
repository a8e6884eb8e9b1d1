"""What a person sees while the bot waits for their text: the question, the preview with
发送 / 修改 / 取消, and the one line when it is done, dropped or lapsed."""

from __future__ import annotations

from bot.callbacks import PromptPress
from bot.messages import Button, Outgoing
from bot.models import Awaiting, Lang, State
from bot.texts import plain, t
from bot.views import state_name

ASK_KEYS = {
    Awaiting.REPLY: "deputy.ask_reply",
    Awaiting.DECLINE: "deputy.ask_decline_reason",
    Awaiting.REJECT: "deputy.ask_reject_reason",
    Awaiting.ASK: "deputy.ask_question",
    Awaiting.TRANSFER_NOTE: "prompt.transferred",
    Awaiting.FOLLOW_UP: "resident.ask_follow_up",
    Awaiting.ANSWER: "resident.ask_answer",
    Awaiting.UNSATISFIED: "resident.reopened",
    Awaiting.UNIT_ANSWER: "unit.ask_answer",
    Awaiting.UNIT_RETURN: "unit.ask_return_note",
    Awaiting.UNIT_EXTEND: "unit.ask_extend_reason",
    Awaiting.REASSIGN: "deputy.ask_reassign_reason",
}
DONE_KEYS = {
    Awaiting.REPLY: "deputy.done_reply",
    Awaiting.DECLINE: "deputy.done_decline",
    Awaiting.REJECT: "deputy.done_reject",
    Awaiting.ASK: "deputy.done_ask",
    Awaiting.TRANSFER_NOTE: "prompt.note_added",
    Awaiting.FOLLOW_UP: "resident.sent_follow_up",
    Awaiting.ANSWER: "resident.sent_follow_up",
    Awaiting.UNSATISFIED: "resident.thanks_reason",
    Awaiting.UNIT_ANSWER: "unit.done_answer",
    Awaiting.UNIT_RETURN: "unit.done_return_note",
    Awaiting.UNIT_EXTEND: "unit.done_extend",
    Awaiting.REASSIGN: "staff.done_reassign",
}


def what(lang: Lang, kind: Awaiting) -> str:
    return plain(lang, f"prompt.what_{kind.value}")


def _press(lang: Lang, key: str, verb: str, version: int) -> Button:
    return Button(text=plain(lang, key), data=PromptPress(verb=verb, version=version).pack())


def controls(lang: Lang, version: int, *, preview: bool) -> tuple[tuple[Button, ...], ...]:
    """发送 / 修改 / 取消 under a preview; 取消 alone while the text is being written."""
    verbs = (("btn.send", "send"), ("btn.edit", "edit"), ("btn.cancel", "cancel"))
    return (tuple(_press(lang, key, verb, version) for key, verb in verbs[0 if preview else 2 :]),)


def ask(
    lang: Lang,
    kind: Awaiting,
    number: int,
    version: int,
    *,
    skippable: bool = False,
    cancellable: bool = False,
    key: str | None = None,
    **params: object,
) -> Outgoing:
    row = []
    if skippable:
        row.append(_press(lang, "btn.skip", "skip", version))
    if cancellable:
        row.append(_press(lang, "btn.cancel", "cancel", version))
    return Outgoing(
        text=t(lang, key or ASK_KEYS[kind], number=number, **params),
        buttons=(tuple(row),) if row else (),
    )


def preview(
    lang: Lang, kind: Awaiting, number: int, text: str, version: int, photos: int = 0
) -> Outgoing:
    if photos:  # the photos go with it; the count says so
        text = f"{text}\n📷 {plain(lang, 'unit.photos_line', count=photos)}"
    body = t(lang, "prompt.preview", number=number, what=what(lang, kind), text=text)
    return Outgoing(text=body, buttons=controls(lang, version, preview=True))


def rewrite(lang: Lang, kind: Awaiting, number: int, text: str, version: int) -> Outgoing:
    return Outgoing(
        text=t(lang, "prompt.rewrite", number=number, what=what(lang, kind), text=text),
        buttons=controls(lang, version, preview=False),
    )


def done(lang: Lang, kind: Awaiting, number: int, department: str = "") -> Outgoing:
    return Outgoing(text=t(lang, DONE_KEYS[kind], number=number, department=department))


def lapsed(lang: Lang, kind: Awaiting, number: int, state: State) -> Outgoing:
    return Outgoing(
        text=t(
            lang,
            "prompt.lapsed",
            number=number,
            state=state_name(lang, state),
            what=what(lang, kind),
        )
    )


def put_aside(lang: Lang, kind: Awaiting, number: int) -> Outgoing:
    return Outgoing(text=t(lang, "prompt.put_aside", number=number, what=what(lang, kind)))


def cancelled(lang: Lang, number: int) -> Outgoing:
    return Outgoing(text=t(lang, "prompt.cancelled", number=number))


def photo_added(lang: Lang, number: int, count: int) -> Outgoing:
    return Outgoing(text=t(lang, "unit.photo_added", number=number, count=count))
