"""What the scheduler works with: pure time arithmetic and deadline rules (no I/O).

Times are UTC unix seconds; local times (cron, quiet hours, reception slots) are in the
configured zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped,unused-ignore]

from bot.config import QuietHours
from bot.models import OPEN_STATES, Issue, Slot, State

DAY = 86400


class Tier(StrEnum):
    """How late a unit's task is, as its liaisons see it."""

    YELLOW = "yellow"  # most of its time is gone (LIAISON_YELLOW_AT)
    RED = "red"  # overdue


TIER_MARK = {Tier.YELLOW: "🟡", Tier.RED: "🔴"}


def tier(start: int, due: int, now: int, share: float) -> Tier | None:
    """RED from `due` on; YELLOW once `share` of the time from `start` to `due` has passed;
    else None (on time)."""
    if now >= due:
        return Tier.RED
    if now >= start + share * (due - start):
        return Tier.YELLOW
    return None


def _hm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def local_moment(day: date, at: time, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, at, tzinfo=zone).timestamp())


def quiet_until(now: int, quiet: QuietHours | None, zone: ZoneInfo) -> int | None:
    """When `now` falls in quiet hours, the moment they end; else None (send now)."""
    if quiet is None:
        return None
    local = datetime.fromtimestamp(now, zone)
    if not quiet.contains(local.time()):
        return None
    day = local.date()
    end = local_moment(day, quiet.end, zone)
    if end <= now:
        end = local_moment(day + timedelta(days=1), quiet.end, zone)
    return end


def next_cron(schedule: str, zone: ZoneInfo, after: int) -> int | None:
    """The first time the 5-field cron `schedule` fires strictly after `after`."""
    trigger = cron_trigger(schedule, zone)
    start = datetime.fromtimestamp(after + 1, zone)
    fire = trigger.get_next_fire_time(None, start)
    return None if fire is None else int(fire.timestamp())


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day_number(token: str) -> int:
    return int(token) if token.isdigit() else _DAYS.index(token.lower()[:3])


def _cron_days(field: str) -> str:
    """A standard cron day-of-week field (0 or 7 = Sunday, 1 = Monday) as day names.

    APScheduler's `CronTrigger.from_crontab` counts 0 = Monday, so "0 9 * * 2" would fire on
    Wednesdays; spelling the days out keeps the usual cron meaning (Tuesday).
    """
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        body, _, step = part.partition("/")
        if body == "*":
            low, high = 0, 6
        elif "-" in body:
            first, last = body.split("-", 1)
            low, high = _day_number(first), _day_number(last)
        else:
            low = _day_number(body)
            high = 6 if step else low
        days.update(day % 7 for day in range(low, high + 1, int(step) if step else 1))
    return ",".join(_DAYS[day] for day in sorted(days))


REMIND_SHARE = 0.8  # the reminder comes at 80% of a deadline


def remind_moment(start: int, due: int) -> int:
    """When the 80% reminder of a deadline that runs from `start` to `due` is due."""
    return start + int(REMIND_SHARE * max(0, due - start))


def phase_of(issue: Issue) -> str:
    """Which deadline an open issue runs against: 'accept' until a deputy takes it, then
    'reply'."""
    return "accept" if issue.state is State.SUBMITTED else "reply"


def due_of(issue: Issue) -> int:
    """The deadline an open issue runs against now."""
    return issue.accept_due if issue.state is State.SUBMITTED else issue.reply_due


def next_nudge(state: State, start: int, *, accept_due: int, reply_due: int) -> int | None:
    """When the deadline sweep should next look at an issue (`issues.next_nudge_at`).

    An issue in `state` whose current deadline started running at `start` is first nudged
    at the 80% reminder of that deadline: the accept deadline while it waits for a deputy,
    the reply deadline once accepted or transferred. A finished issue is nudged no more
    (None). Call it whenever an issue is created or its deadline starts anew.
    """
    if state not in OPEN_STATES:
        return None
    return remind_moment(start, accept_due if state is State.SUBMITTED else reply_due)


def cron_trigger(schedule: str, zone: ZoneInfo) -> CronTrigger:
    """A trigger for a 5-field cron expression with the standard meaning, in `zone`."""
    minute, hour, day, month, weekday = schedule.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_cron_days(weekday),
        timezone=zone,
    )


def slot_occurrences(slot: Slot, now: int, horizon: int, zone: ZoneInfo) -> list[tuple[date, int]]:
    """(local date, start time) of the slot's occurrences in (now, now + horizon]."""
    today = datetime.fromtimestamp(now, zone).date()
    found = []
    for offset in range(horizon // DAY + 2):
        day = today + timedelta(days=offset)
        if day.isoweekday() != slot.weekday:
            continue
        start = local_moment(day, _hm(slot.start), zone)
        if now < start <= now + horizon:
            found.append((day, start))
    return found


def span(seconds: int) -> tuple[int, int, int]:
    """(days, hours, minutes) of a duration."""
    seconds = max(0, seconds)
    return seconds // DAY, seconds % DAY // 3600, seconds % 3600 // 60
