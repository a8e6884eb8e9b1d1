"""What a broadcast looks like: the notice each recipient gets, the author's progress line
and final report."""

from __future__ import annotations

from bot.callbacks import BroadcastPress
from bot.messages import Button, Outgoing, Summary
from bot.models import Broadcast, Lang, Tally
from bot.texts import Markup, escape, plain, t

RESIDENT_AUDIENCES = ("station", "district", "all")  # notices residents may mute

_HEADERS = {
    "station": "bc.head_station",
    "district": "bc.head_district",
    "all": "bc.head_all",
    "deputies": "bc.head_deputies",
}


Rows = tuple[tuple[Button, ...], ...]


def mute_button(lang: Lang, station_id: int, *, muted: bool) -> Rows:
    """Under a notice: 不再接收 while the station's notices come, 恢复接收 once muted."""
    press = BroadcastPress(verb="unmute" if muted else "mute", id=station_id)
    label = plain(lang, "bc.btn_unmute" if muted else "bc.btn_mute")
    return ((Button(text=label, data=press.pack()),),)


def notices_switch(lang: Lang, station_id: int, *, muted: bool) -> Outgoing:
    """In /station: whether the station's notices come, and the button that switches."""
    press = BroadcastPress(verb="on" if muted else "off", id=station_id)
    label = plain(lang, "bc.btn_unmute" if muted else "bc.btn_mute")
    return Outgoing(
        text=t(lang, "bc.notices_off" if muted else "bc.notices_on"),
        buttons=((Button(text=label, data=press.pack()),),),
    )


def notice(lang: Lang, broadcast: Broadcast, head: str, mute_station: int | None) -> Outgoing:
    """The notice as one recipient sees it."""
    text = Markup(
        t(lang, _HEADERS[broadcast.audience], name=head) + "\n\n" + escape(broadcast.body or "")
    )
    buttons: Rows = ()
    if broadcast.audience in RESIDENT_AUDIENCES:
        buttons = mute_button(lang, mute_station or 0, muted=False)
    first = next((line for line in (broadcast.body or "").split("\n") if line.strip()), "")
    short = Summary(
        kind="broadcast", subject=head, what=first.strip(), state=plain(lang, "summary.notice")
    )
    return Outgoing(text=text, buttons=buttons, summary=short)


def progress(lang: Lang, tally: Tally) -> Outgoing:
    """The author's control message while sending."""
    return Outgoing(
        text=t(lang, "bc.progress", done=tally.total - tally.pending, total=tally.total)
    )


def report(lang: Lang, tally: Tally, seconds: int) -> Outgoing:
    """The author's control message (and a new message) when it is done."""
    return Outgoing(
        text=t(
            lang,
            "bc.report",
            delivered=tally.sent,
            blocked=tally.blocked,
            failed=tally.failed,
            total=tally.total,
            seconds=seconds,
        )
    )
