"""Choosing a station: by district, or by sharing a location."""

from __future__ import annotations

from bot.callbacks import StationPress
from bot.messages import Button, Keyboard, Outgoing
from bot.models import Lang
from bot.texts import plain, t
from bot.views.report import menu_rows


def station_offer(lang: Lang, districts: list[tuple[str, int, int]]) -> list[Outgoing]:
    """District buttons, then a keyboard button that shares the person's location."""
    if not districts:
        return [Outgoing(text=t(lang, "station.none_configured"))]
    buttons = [
        Button(text=name, data=StationPress(verb="dist", station=anchor).pack())
        for name, anchor, _ in districts
    ]
    rows = tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
    return [
        Outgoing(text=t(lang, "welcome.choose_station"), buttons=rows),
        Outgoing(
            text=t(lang, "station.location_hint"),
            keyboard=Keyboard(
                rows=menu_rows(lang),
                request="location",
                request_label=plain(lang, "btn.share_location"),
            ),
        ),
    ]
