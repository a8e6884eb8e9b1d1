"""Working-day deadlines (bot/workdays.py): the 2026 holidays and 调休 days as the calendar
package has them, a start on a day off, a year the package lacks, and the seed's corrections."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped,unused-ignore]
import pytest

from bot import workdays
from bot.clock import ManualClock
from bot.config import Settings
from bot.services.base import Service
from bot.workdays import WorkCalendar, add_months
from storage.db import Database

ZONE = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "10:00") -> int:
    """A local moment in Asia/Shanghai as unix seconds."""
    return int(datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZONE).timestamp())


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees the one-warning-per-year rule from the start."""
    monkeypatch.setattr(workdays, "_warned_years", set())


def test_the_package_knows_the_2026_national_day_holiday_and_its_makeup_days() -> None:
    # what the tests below rely on: 1–7 October off, Sunday 20 September and Saturday
    # 10 October worked (the State Council's notice for 2026)
    assert [chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 9)] == [
        *[False] * 7,
        True,
    ]
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 1)) == (True, "National Day")
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 10)) == (False, "National Day")
    assert chinese_calendar.get_holiday_detail(date(2026, 9, 20)) == (False, "National Day")


def test_a_deadline_across_national_day_ends_on_the_makeup_saturday() -> None:
    calendar = WorkCalendar()
    start = at("2026-09-30")  # a Wednesday, the last working day before the holiday
    assert calendar.add_workdays(start, 1, ZONE) == at("2026-10-08")  # Thursday after it
    assert calendar.add_workdays(start, 2, ZONE) == at("2026-10-09")
    # the third working day is Saturday 10 October, worked in exchange for the holiday
    assert calendar.due(start, 3 * 86400, 3, ZONE) == at("2026-10-10")
    assert calendar.due(start, 4 * 86400, 4, ZONE) == at("2026-10-12")  # Monday


def test_a_start_on_a_day_off_runs_from_the_next_working_day() -> None:
    calendar = WorkCalendar()
    # Saturday 7 March 2026: 1 working day is over when Monday is over
    assert calendar.add_workdays(at("2026-03-07", "15:30"), 1, ZONE) == at("2026-03-10", "00:00")
    # Saturday 19 September 2026: the next day is a 调休 Sunday, so it runs from then
    assert calendar.add_workdays(at("2026-09-19", "15:30"), 1, ZONE) == at("2026-09-21", "00:00")
    # a holiday counts as a day off too
    assert calendar.add_workdays(at("2026-10-03"), 1, ZONE) == at("2026-10-09", "00:00")


def test_a_duration_in_seconds_ignores_the_calendar() -> None:
    start = at("2026-09-30")
    assert WorkCalendar().due(start, 7200, None, ZONE) == start + 7200


@pytest.mark.usefixtures("fresh_warnings")
def test_a_year_the_package_lacks_counts_monday_to_friday_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    calendar = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="bot.workdays"):
        # Friday 8 January 2027 + 1 → Monday; + 5 → the next Friday
        assert calendar.add_workdays(at("2027-01-08"), 1, ZONE) == at("2027-01-11")
        assert calendar.add_workdays(at("2027-01-08"), 5, ZONE) == at("2027-01-15")
        assert not WorkCalendar().is_workday(date(2027, 1, 9))  # a Saturday
    warnings = [r for r in caplog.records if r.name == "bot.workdays"]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()
    assert warnings[0].levelno == logging.WARNING


@pytest.mark.usefixtures("fresh_warnings")
def test_the_seed_corrections_win() -> None:
    # 1 January 2027 is a Friday: counted as a working day unless the seed says otherwise
    start = at("2026-12-31")
    assert WorkCalendar().add_workdays(start, 1, ZONE) == at("2027-01-01")
    corrected = WorkCalendar({date(2027, 1, 1): False, date(2027, 1, 2): True})
    assert corrected.add_workdays(start, 1, ZONE) == at("2027-01-02")  # a worked Saturday
    assert corrected.add_workdays(start, 2, ZONE) == at("2027-01-04")
    # a correction also overrides what the package knows
    opened = WorkCalendar({date(2026, 10, 5): True})
    assert opened.add_workdays(at("2026-09-30"), 1, ZONE) == at("2026-10-05")


async def test_service_deadline_reads_the_seeded_corrections(
    tmp_path: Path, settings: Settings
) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        async with db.transaction() as repos:
            await repos.calendar.replace({date(2026, 10, 8): False})
        service = Service(db, ManualClock(), settings)
        start = at("2026-09-30")
        async with db.read() as repos:
            assert await service.deadline(repos, start, 86400, 1) == at("2026-10-09")
            assert await service.deadline(repos, start, 86400, None) == start + 86400
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-08-31 10:00", 3, "2026-11-30 10:00"),  # November has no 31st
        ("2026-11-30 10:00", 3, "2027-02-28 10:00"),  # across the new year, short February
        ("2026-12-15 09:30", 6, "2027-06-15 09:30"),
        ("2027-01-31 16:00", 1, "2027-02-28 16:00"),
    ],
)
def test_add_months_keeps_the_time_and_clamps_the_day(
    start: str, months: int, expected: str
) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    began = int(datetime.fromisoformat(start).replace(tzinfo=zone).timestamp())
    due = datetime.fromtimestamp(add_months(began, months, zone), zone)
    assert due.strftime("%Y-%m-%d %H:%M") == expected
