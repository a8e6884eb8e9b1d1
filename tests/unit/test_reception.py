"""Reception days (接待日): opt-in, residents 3 days before, deputies the day before, once;
whoever opts in less than 3 days before a slot gets its notice then (after quiet hours),
once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import NotAllowed
from bot.models import Lang, Slot
from bot.scheduling import slot_occurrences
from bot.services.reception import OptIn
from bot.views.scheduler import reception_opted_in
from tests.unit.sched_world import CITY, DAY, HOUR, ZONE, City, local, open_city

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
        assert (await city.reception.set_opt_in(alice, east.id, True)).on is True
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


# -- opting in when a slot is near --------------------------------------------------------------
WEDNESDAY = "2026-03-04"  # east's slot, 14:00–16:00
MONDAY_10 = local(2026, 3, 2, 10, 0)  # the slot is 2 days 4 hours away


async def notice_rows(city: City) -> list[tuple[object, ...]]:
    return await city.rows(
        "SELECT slot_date, audience, recipients FROM reception_notices ORDER BY audience"
    )


async def told(city: City) -> list[tuple[object, ...]]:
    return await city.rows(
        "SELECT slot_date, start, person_id, sent_at FROM reception_notice_people "
        "ORDER BY person_id"
    )


async def test_opting_in_after_the_notice_was_settled_sends_it_once(tmp_path: Path) -> None:
    async with open_city(tmp_path, start=MONDAY_10) as city:
        east = await city.people.station_by_key("east")
        assert east is not None
        alice, bob = await city.resident(1), await city.resident(2)
        # the bot (re)started: Wednesday's notice is settled with nobody to tell
        assert await city.reception.remind() == 1
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 0)]

        done = await city.reception.set_opt_in(alice, east.id, True)
        assert done == OptIn(on=True, day=WEDNESDAY, slot=done.slot, notified=True, held_until=None)
        assert done.slot is not None and (done.slot.start, done.slot.end) == ("14:00", "16:00")
        [notice] = await city.outbox(1)
        assert "接待日提醒" in notice["text"] and WEDNESDAY in notice["text"]
        assert "14:00–16:00" in notice["text"] and "东路 1 号" in notice["text"]
        assert notice["data"] == [f"rcp:off:{east.id}"]
        assert notice["not_before"] == int(MONDAY_10)  # at once
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 1)]
        assert (await told(city))[0][:3] == (WEDNESDAY, "14:00", alice.id)

        # off and on again: no second copy, the count stays
        assert (await city.reception.set_opt_in(alice, east.id, False)).on is False
        again = await city.reception.set_opt_in(alice, east.id, True)
        assert (again.notified, again.held_until) == (True, None)
        assert len(await city.outbox(1)) == 1
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 1)]
        assert await city.reception.remind() == 0
        assert len(await city.outbox(1)) == 1

        # a second resident counts too; the deputies hear of both the day before
        await city.reception.set_opt_in(bob, east.id, True)
        assert len(await city.outbox(2)) == 1
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 2)]
        city.clock.set(local(2026, 3, 3, 14, 0))
        assert await city.reception.remind() == 1
        [reminder] = await city.outbox(101)
        assert "订阅提醒的群众：2 人" in reminder["text"]
        assert await notice_rows(city) == [
            (WEDNESDAY, "deputies", 2),
            (WEDNESDAY, "residents", 2),
        ]
        assert len(await city.outbox(1)) == 1


async def test_opting_in_before_the_notice_is_settled_is_not_repeated_by_it(
    tmp_path: Path,
) -> None:
    async with open_city(tmp_path, start=SUNDAY_13) as city:
        east = await city.people.station_by_key("east")
        assert east is not None
        alice, carol = await city.resident(1), await city.resident(3)
        # 3 days and 1 hour before: carol is told the date, the notice comes later
        early = await city.reception.set_opt_in(carol, east.id, True)
        assert (early.day, early.notified, early.held_until) == (WEDNESDAY, False, None)
        assert await city.outbox(3) == []
        # within 3 days, before the sweep settled the notice: alice gets it at once
        city.clock.set(MONDAY_10)
        assert (await city.reception.set_opt_in(alice, east.id, True)).notified is True
        assert len(await city.outbox(1)) == 1
        assert await notice_rows(city) == []  # not settled yet
        # the sweep settles it: carol gets it, alice not again, both are counted
        assert await city.reception.remind() == 1
        assert len(await city.outbox(3)) == 1
        assert len(await city.outbox(1)) == 1
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 2)]
        assert [row[2] for row in await told(city)] == [alice.id, carol.id]


async def test_opting_in_five_days_before_waits_for_the_usual_notice(tmp_path: Path) -> None:
    async with open_city(tmp_path, start=local(2026, 2, 27, 10, 0)) as city:  # Friday
        east = await city.people.station_by_key("east")
        assert east is not None
        alice = await city.resident(1)
        done = await city.reception.set_opt_in(alice, east.id, True)
        assert (done.day, done.notified, done.held_until) == (WEDNESDAY, False, None)
        assert await city.outbox(1) == []
        assert await city.reception.remind() == 0
        city.clock.set(local(2026, 3, 1, 14, 0))  # Sunday 14:00: 3 days before
        assert await city.reception.remind() == 1
        [notice] = await city.outbox(1)
        assert WEDNESDAY in notice["text"]
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 1)]
        # off and on again: the notice came already, it does not come twice
        await city.reception.set_opt_in(alice, east.id, False)
        again = await city.reception.set_opt_in(alice, east.id, True)
        assert (again.notified, again.held_until) == (True, None)
        assert len(await city.outbox(1)) == 1
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 1)]


async def test_opting_in_during_quiet_hours_holds_the_notice_until_morning(
    tmp_path: Path,
) -> None:
    night = local(2026, 3, 2, 23, 30)  # Monday 23:30
    morning = int(local(2026, 3, 3, 8, 0))
    async with open_city(tmp_path, start=night, LIAISON_QUIET_HOURS="22:00-08:00") as city:
        east = await city.people.station_by_key("east")
        assert east is not None
        alice, bob = await city.resident(1), await city.resident(2)
        async with city.db.transaction() as repos:  # bob asked before the bot (re)started
            await repos.scheduler.set_opt_in(east.id, bob.id, True, int(night))
        # the settled notice waits for the morning too
        assert await city.reception.remind() == 1
        [held] = await city.outbox(2)
        assert held["not_before"] == morning

        done = await city.reception.set_opt_in(alice, east.id, True)
        assert (done.day, done.notified, done.held_until) == (WEDNESDAY, True, morning)
        [notice] = await city.outbox(1)
        assert notice["not_before"] == morning
        assert await notice_rows(city) == [(WEDNESDAY, "residents", 2)]
        assert [row[3] for row in await told(city)] == [morning, morning]
        # off and on again in the night: still the one copy, still in the morning
        city.clock.set(local(2026, 3, 2, 23, 45))
        await city.reception.set_opt_in(alice, east.id, False)
        again = await city.reception.set_opt_in(alice, east.id, True)
        assert again.held_until == morning
        # and after the morning: it went
        city.clock.set(local(2026, 3, 3, 9, 0))
        await city.reception.set_opt_in(alice, east.id, False)
        later = await city.reception.set_opt_in(alice, east.id, True)
        assert (later.notified, later.held_until) == (True, None)
        assert len(await city.outbox(1)) == 1


async def test_a_slot_that_begins_before_quiet_hours_end_is_not_announced(
    tmp_path: Path,
) -> None:
    early = CITY.replace('start: "14:00", end: "16:00"', 'start: "07:00", end: "09:00"')
    assert early != CITY
    night = local(2026, 3, 3, 23, 30)  # Tuesday 23:30: the slot is Wednesday 07:00
    async with open_city(
        tmp_path, start=night, seed=early, LIAISON_QUIET_HOURS="22:00-08:00"
    ) as city:
        east = await city.people.station_by_key("east")
        assert east is not None
        alice = await city.resident(1)
        done = await city.reception.set_opt_in(alice, east.id, True)
        # the nearest day the notice can still reach her for is next week's
        assert (done.day, done.notified, done.held_until) == ("2026-03-11", False, None)
        assert await city.outbox(1) == []


async def test_a_station_without_slots(tmp_path: Path) -> None:
    async with open_city(tmp_path, start=MONDAY_10) as city:
        west = await city.people.station_by_key("west")
        assert west is not None
        dave = await city.resident(4, station="west")
        assert await city.reception.set_opt_in(dave, west.id, True) == OptIn(on=True)
        assert await city.outbox(4) == []


def test_the_confirmation_says_what_comes_and_when() -> None:
    slot = Slot(station_id=1, weekday=4, start="14:00", end="17:00")
    day = "2026-12-03"

    def text(lang: Lang, **how: object) -> str:
        facts: dict[str, object] = {"notified": False, "held_until": None, **how}
        return reception_opted_in(
            lang,
            day,
            slot,
            notified=bool(facts["notified"]),
            held_until=facts["held_until"],  # type: ignore[arg-type]
            lead_days=3,
            zone=ZONE,
        )

    sent = text(Lang.ZH, notified=True)
    assert "最近一次接待日是 2026-12-03（周四）14:00–17:00" in sent
    assert "提醒已发给您" in sent
    held = text(Lang.ZH, notified=True, held_until=int(local(2026, 12, 2, 8, 0)))
    assert "提醒将于 2026-12-02 08:00 发给您" in held
    later = text(Lang.ZH)
    assert "接待日前 3 天会提醒您" in later and "2026-12-03" in later
    assert "sent to you" in text(Lang.EN, notified=True)
    none = reception_opted_in(
        Lang.ZH, None, None, notified=False, held_until=None, lead_days=3, zone=ZONE
    )
    assert "暂未安排接待日" in none
