"""The daily digest as messages: a station's 🟡 and 🔴 list, and the city's totals."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.messages import Outgoing
from bot.models import Lang, Named
from bot.scheduling import TIER_MARK, Tier
from bot.texts import Markup, plain, t
from bot.views import when

SHOWN = 30  # lines in one station's digest; the rest is on /overdue and /tasks


@dataclass(frozen=True)
class Line:
    tier: Tier
    number: int
    what: Named  # the category
    due: int
    who: str | None  # the handling deputy
    unit: Named | None  # a unit's task: the unit
    state: str  # the state, or the unit's (sent: to sign for; signed: to answer)


def _line(lang: Lang, line: Line, zone: ZoneInfo) -> str:
    if line.unit is not None:
        task = plain(lang, f"digest.unit_{line.state}", unit=line.unit.name(lang))
    else:
        task = plain(lang, f"state.{line.state}")
        if line.who:
            task = f"{task} · {line.who}"
    return plain(
        lang,
        "digest.line",
        mark=TIER_MARK[line.tier],
        number=line.number,
        what=line.what.name(lang),
        task=task,
        due=when(line.due, zone),
    )


def station_digest(lang: Lang, station: str, lines: list[Line], zone: ZoneInfo) -> Outgoing:
    """One station's staff: red first, then yellow, soonest deadline first."""
    ordered = sorted(lines, key=lambda x: (x.tier is not Tier.RED, x.due, x.number))
    red = sum(1 for x in lines if x.tier is Tier.RED)
    head = t(lang, "digest.station_head", station=station, red=red, yellow=len(lines) - red)
    body = "\n".join(_line(lang, x, zone) for x in ordered[:SHOWN])
    text = f"{head}\n{t(lang, 'digest.body', lines=body)}"
    if len(ordered) > SHOWN:
        text += "\n" + t(lang, "digest.more", count=len(ordered) - SHOWN)
    return Outgoing(text=Markup(text))


def city_digest(lang: Lang, totals: dict[str, dict[Tier, int]]) -> Outgoing:
    """The admins: 🟡 and 🔴 counts per district, the most overdue district first."""
    rows = sorted(totals.items(), key=lambda kv: (-kv[1][Tier.RED], -kv[1][Tier.YELLOW], kv[0]))
    lines = [
        plain(lang, "digest.district", district=d, red=c[Tier.RED], yellow=c[Tier.YELLOW])
        for d, c in rows
    ]
    red = sum(c[Tier.RED] for c in totals.values())
    yellow = sum(c[Tier.YELLOW] for c in totals.values())
    head = t(lang, "digest.city_head", red=red, yellow=yellow)
    return Outgoing(text=Markup(f"{head}\n{t(lang, 'digest.body', lines=chr(10).join(lines))}"))
