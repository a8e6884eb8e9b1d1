"""Working days as Chinese offices count them: weekends and public holidays are off, and the
调休 Saturdays and Sundays that make up for a long holiday are working days.

The calendar comes from `chinesecalendar` (the State Council's yearly notice, as data); the
seed may correct or extend it (`calendar: {holidays: [...], workdays: [...]}`). A year the
package does not know yet is counted Monday to Friday, with one warning in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped,unused-ignore]

log = logging.getLogger(__name__)

_warned_years: set[int] = set()
MAX_WORKDAYS = 3660  # a sanity bound on a loop over days


def _package_says(day: date) -> bool | None:
    """Whether the package counts `day` as a working day, or None for a year it lacks."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        known = _package_says(day)
        if known is not None:
            return known
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "the holiday calendar has no data for %s: counting Monday to Friday as working "
                "days (list that year's holidays and 调休 days under calendar: in the seed)",
                day.year,
            )
        return day.isoweekday() <= 5

    def next_workday(self, day: date) -> date:
        """The first working day after `day`."""
        for _ in range(MAX_WORKDAYS):
            day += timedelta(days=1)
            if self.is_workday(day):
                return day
        raise ValueError("no working day found")

    def add_workdays(self, start: int, count: int, zone: ZoneInfo) -> int:
        """`count` working days after the moment `start`: the same time of day on the
        `count`-th working day after it. Time that starts on a day off starts running at the
        beginning of the next working day (so 1 working day from a Saturday ends when
        Monday ends)."""
        local = datetime.fromtimestamp(start, zone)
        day, at = local.date(), local.timetz().replace(tzinfo=None)
        if not self.is_workday(day):
            day, at = self.next_workday(day), time(0, 0)
        for _ in range(count):
            day = self.next_workday(day)
        return int(datetime.combine(day, at, tzinfo=zone).timestamp())

    def due(self, start: int, seconds: int, workdays: int | None, zone: ZoneInfo) -> int:
        """The deadline of a duration that runs from `start`: working days when it was
        given so ("3wd"), else plain seconds."""
        if workdays:
            return self.add_workdays(start, workdays, zone)
        return start + seconds


def add_months(start: int, months: int, zone: ZoneInfo) -> int:
    """The same local time `months` calendar months later; a day the month lacks becomes its
    last day (handed over on 31 Aug, answered by 30 Nov), as offices count 3-month limits."""
    local = datetime.fromtimestamp(start, zone)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    moved = local.replace(year=year, month=month, day=min(local.day, last))
    return int(moved.timestamp())
