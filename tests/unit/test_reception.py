"""Reception days (接待日): opt-in, residents 3 days before, deputies the day before, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import NotAllowed
from bot.models import Slot
from bot.scheduling import slot_occurrences
from tests.unit.sched_world import DAY, HOUR, ZONE, local, open_city

# the test city: east has a reception slot on Wednesdays 14:00–16:00
SUNDAY_13 = local(2026, 3, 1, 13, 0)  # Wednesday 4 March 14:00 is 3 days and 1 hour away


def test_slot_occurrences_in_local_time() -> None:
    slot = Slot(station_id=1, weekday=3, start="14:00", end="16:00")
    now = int(SUNDAY_13)
    assert slot_occurrences(slot, now, 3 * DAY, ZONE) == []
    [(day, start)] = slot_occurrences(slot, now, 3 * DAY + HOUR, ZONE)
    assert (day.isoformat(), start) == ("2026-03-04", int(local(2026, 3, 4, 14)))


async def test_opt_in_is_for_residents_of_the_station(tmp_path: Path) -> None:
    async with open_city(tmp_path, start=SUNDAY_13) as city:
        east = await city.people.station_by_key("east")
        west = await city.people.station_by_key("west")
        assert east is not None and west is not None
        alice = await city.resident(1)
        assert await city.reception.can_opt_in(alice, east.id) is False
        assert await city.reception.set_opt_in(alice, east.id, True) is True
        assert await city.reception.can_opt_in(alice, east.id) is True
        assert await city.reception.can_opt_in(alice, west.id) is None
        with pytest.raises(NotAllowed):
            await city.reception.set_opt_in(alice, west.id, True)
        await city.reception.set_opt_in(alice, east.id, False)
        assert await city.reception.can_opt_in(alice, east.id) is False


async def test_residents_three_days_before_and_deputies_the_day_before_once(
    tmp_path: Path,
) -> None:
    async with open_city(tmp_path, start=SUNDAY_13) as city:
        east = await city.people.station_by_key("east")
        assert east is not None
        alice = await city.resident(1)  # opted in
        await city.resident(2)  # did not opt in
        carol = await city.resident(3)  # opted in, then moved to the west station
        await city.reception.set_opt_in(alice, east.id, True)
        await city.reception.set_opt_in(carol, east.id, True)
        west = await city.people.station_by_key("west")
        assert west is not None
        await city.people.bind_station(carol, west.id)

        assert await city.reception.remind() == 0
        city.clock.set(local(2026, 3, 1, 14, 0))  # Sunday 14:00: 3 days before
        assert await city.reception.remind() == 1
        [notice] = await city.outbox(1)
        assert "接待日提醒" in notice["text"]
        assert "东站" in notice["text"]
        assert "2026-03-04" in notice["text"]
        assert "14:00–16:00" in notice["text"]
        assert "东路 1 号" in notice["text"]
        assert notice["data"] == [f"rcp:off:{east.id}"]
        assert await city.outbox(2) == []
        assert await city.outbox(3) == []
        assert await city.outbox(101) == []  # deputies: not yet
        assert await city.reception.remind() == 0

        await city.reopen()  # recorded: a restart does not repeat it
        city.clock.set(local(2026, 3, 3, 13, 59))
        assert await city.reception.remind() == 0
        city.clock.set(local(2026, 3, 3, 14, 0))  # Tuesday 14:00: the day before
        assert await city.reception.remind() == 1
        for deputy in (101, 102):
            [reminder] = await city.outbox(deputy)
            assert "2026-03-04" in reminder["text"]
            assert "订阅提醒的群众：1 人" in reminder["text"]
        assert await city.outbox(103) == []
        assert len(await city.outbox(1)) == 1
        rows = await city.rows(
            "SELECT slot_date, start, audience, recipients FROM reception_notices ORDER BY at"
        )
        assert rows == [
            ("2026-03-04", "14:00", "residents", 1),
            ("2026-03-04", "14:00", "deputies", 2),
        ]
        # next week's slot gets its own reminders
        city.clock.set(local(2026, 3, 8, 14, 0))
        assert await city.reception.remind() == 1
        assert len(await city.outbox(1)) == 2


async def test_reception_notices_come_from_the_sweep(tmp_path: Path) -> None:
    async with open_city(tmp_path, start=local(2026, 3, 3, 15, 0)) as city:
        east = await city.people.station_by_key("east")
        assert east is not None
        alice = await city.resident(1)
        await city.reception.set_opt_in(alice, east.id, True)
        report = await city.sweeper().sweep()
        assert report.reception == 2  # both due: the bot (re)started within a day of the slot
        assert len(await city.outbox(1)) == 1
        assert len(await city.outbox(101)) == 1
