"""The deadline sweep with a ManualClock on a real SQLite file: reminders, overdue, 督办,
escalation, exactly-once across restarts, late sweeps, quiet hours, auto-close, /overdue."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import NotAllowed
from bot.models import Rating, State
from bot.services.deadlines import Sweeper, SweepReport
from tests.unit.sched_world import DAY, HOUR, City, local, open_city

MINUTE = 60


def _nudges(report: SweepReport) -> int:
    """What the sweep did about issues (patrols and reception days run on their own time)."""
    return report.reminders + report.overdue + report.escalated + report.auto_closed


async def _submitted(city: City) -> int:
    alice = await city.resident(1)
    issue = await city.report(alice)
    return issue.id


async def test_reminder_at_80_percent_goes_to_the_station_deputies_once(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number = await _submitted(city)
        mark = await city.last_outbox_id()
        city.clock.advance(8 * HOUR - MINUTE)  # accept_within 10h: 80% is 8h
        assert (await city.sweeper().sweep()).reminders == 0
        city.clock.advance(MINUTE)
        report = await city.sweeper().sweep()
        assert report.reminders == 1
        for deputy in (101, 102):
            [sent] = await city.outbox(deputy, mark)
            assert "提醒" in sent["text"]
            assert f"#{number}" in sent["text"]
            assert f"iss:acc:{number}" in sent["data"]  # 认领 right there
        assert await city.outbox(201, mark) == []  # staff hear nothing yet
        assert await city.outbox(103, mark) == []  # another station's deputy
        assert (await city.sweeper().sweep()).reminders == 0
        assert await city.rows("SELECT kind, cycle, recipients FROM nudges") == [
            ("accept_remind", 0, 2)
        ]


async def test_a_deputy_who_declined_is_not_reminded(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number = await _submitted(city)
        d2 = await city.person(102)
        await city.workflow.decline(d2, number, "不在我的片区")
        mark = await city.last_outbox_id()
        city.clock.advance(8 * HOUR)
        await city.sweeper().sweep()
        assert len(await city.outbox(101, mark)) == 1
        assert await city.outbox(102, mark) == []


async def test_overdue_goes_to_deputies_and_to_staff_with_supervise(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number = await _submitted(city)
        city.clock.advance(8 * HOUR)
        await city.sweeper().sweep()
        mark = await city.last_outbox_id()
        city.clock.advance(2 * HOUR)
        report = await city.sweeper().sweep()
        assert (report.overdue, report.escalated) == (1, 0)
        for deputy in (101, 102):
            [sent] = await city.outbox(deputy, mark)
            assert "已超期" in sent["text"]
        [staff] = await city.outbox(201, mark)
        assert f"超期事项 #{number}" in staff["text"]
        assert staff["data"] == [f"iss:sup:{number}", f"iss:rea:{number}"]
        assert staff["labels"] == ["督办", "改派"]
        assert await city.outbox(301, mark) == []  # admins only after escalate_after
        # staff press 督办: the deputies get the supervision notice, an event is recorded
        staff_actor = await city.person(201)
        await city.workflow.supervise(staff_actor, number)
        kinds = await city.rows("SELECT kind FROM events WHERE issue_id = ?", number)
        assert ("supervised",) in kinds


async def test_admins_get_it_escalate_after_the_deadline_and_then_nothing_more(
    tmp_path: Path,
) -> None:
    async with open_city(tmp_path) as city:
        number = await _submitted(city)
        city.clock.advance(10 * HOUR)
        await city.sweeper().sweep()
        mark = await city.last_outbox_id()
        city.clock.advance(DAY - MINUTE)
        assert (await city.sweeper().sweep()).escalated == 0
        city.clock.advance(MINUTE)
        assert (await city.sweeper().sweep()).escalated == 1
        [admin] = await city.outbox(301, mark)
        assert f"超期未办 #{number}" in admin["text"]
        assert "1 天 0 小时" in admin["text"]
        assert admin["data"] == [f"iss:sup:{number}", f"iss:rea:{number}"]
        city.clock.advance(5 * DAY)
        assert _nudges(await city.sweeper().sweep()) == 0
        kinds = await city.rows("SELECT kind FROM nudges ORDER BY id")
        assert kinds == [("accept_overdue",), ("accept_escalate",)]


async def test_exactly_once_across_a_restart(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        first = await _submitted(city)
        city.clock.advance(4 * HOUR)
        bob = await city.resident(2)
        second = (await city.report(bob, "井盖丢了很危险")).id
        city.clock.advance(4 * HOUR)  # first at 80%, second at 40%
        assert (await city.sweeper().sweep()).reminders == 1
        await city.reopen()  # the bot restarts: new Database, new Sweeper
        assert _nudges(await city.sweeper().sweep()) == 0
        city.clock.advance(2 * HOUR)  # first overdue
        report = await city.sweeper().sweep()
        assert (report.reminders, report.overdue) == (0, 1)
        await city.reopen()
        city.clock.advance(2 * HOUR)  # second at 80%
        report = await city.sweeper().sweep()
        assert (report.reminders, report.overdue) == (1, 0)
        await city.reopen()
        assert _nudges(await city.sweeper().sweep()) == 0
        rows = await city.rows("SELECT issue_id, kind FROM nudges ORDER BY id")
        assert rows == [
            (first, "accept_remind"),
            (first, "accept_overdue"),
            (second, "accept_remind"),
        ]
        reminders = [m for m in await city.outbox(101) if "提醒" in m["text"]]
        assert len(reminders) == 2


async def test_a_late_sweep_sends_the_overdue_notice_only(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        await _submitted(city)
        mark = await city.last_outbox_id()
        city.clock.advance(11 * HOUR)  # the bot was down past the 80% point and the deadline
        report = await city.sweeper().sweep()
        assert (report.reminders, report.overdue) == (0, 1)
        texts = [m["text"] for m in await city.outbox(101, mark)]
        assert len(texts) == 1
        assert "已超期" in texts[0]
        assert await city.rows("SELECT kind FROM nudges") == [("accept_overdue",)]


async def test_after_acceptance_only_the_owner_is_nudged_and_a_reopen_starts_over(
    tmp_path: Path,
) -> None:
    async with open_city(tmp_path) as city:
        alice = await city.resident(1)
        number = (await city.report(alice)).id
        d1 = await city.person(101)
        await city.workflow.accept(d1, number)
        mark = await city.last_outbox_id()
        city.clock.advance(4 * DAY)  # reply_within 5d: 80% is 4d after submission
        report = await city.sweeper().sweep()
        assert report.reminders == 1
        [sent] = await city.outbox(101, mark)
        assert "办理时限" in sent["text"]
        assert f"iss:rep:{number}" in sent["data"]
        assert await city.outbox(102, mark) == []
        # replied, then 不满意: reply_due is reset and the nudges start again (cycle 1)
        await city.workflow.reply(d1, number, "已联系路灯所维修")
        city.clock.advance(HOUR)
        await city.workflow.rate(await city.people.refresh(alice), number, Rating.UNSATISFIED)
        mark = await city.last_outbox_id()
        city.clock.advance(4 * DAY - MINUTE)
        assert (await city.sweeper().sweep()).reminders == 0
        city.clock.advance(MINUTE)
        assert (await city.sweeper().sweep()).reminders == 1
        again = [m for m in await city.outbox(101, mark) if f"#{number}" in m["text"]]
        assert len(again) == 1  # (the weekly patrol checklist may have come meanwhile)
        assert "提醒" in again[0]["text"]
        rows = await city.rows("SELECT kind, cycle FROM nudges ORDER BY id")
        assert rows == [("reply_remind", 0), ("reply_remind", 1)]


async def test_quiet_hours_hold_nudges_until_they_end(tmp_path: Path) -> None:
    # submitted Monday 23:30: reply due 5 days later; 80% lands at Friday 23:30 (quiet)
    start = local(2026, 3, 2, 23, 30)
    async with open_city(tmp_path, start=start, LIAISON_QUIET_HOURS="22:00-08:00") as city:
        alice = await city.resident(1)
        number = (await city.report(alice)).id
        await city.workflow.accept(await city.person(101), number)
        mark = await city.last_outbox_id()
        city.clock.advance(4 * DAY)
        assert (await city.sweeper().sweep()).reminders == 1
        [held] = await city.outbox(101, mark)
        release = int(local(2026, 3, 7, 8, 0))  # Saturday 08:00
        assert held["not_before"] == release
        async with city.db.read() as repos:
            due_ids = [i.id for i in await repos.outbox.due(release - 1)]
            assert held["id"] not in due_ids
            due_ids = [i.id for i in await repos.outbox.due(release)]
            assert held["id"] in due_ids


async def test_a_reminder_held_past_its_deadline_is_dropped_for_the_overdue(
    tmp_path: Path,
) -> None:
    # submitted 15:00, accept_within 10h: 80% at 23:00 (quiet), due 01:00 (quiet)
    start = local(2026, 3, 2, 15, 0)
    async with open_city(tmp_path, start=start, LIAISON_QUIET_HOURS="22:00-08:00") as city:
        await _submitted(city)
        mark = await city.last_outbox_id()
        city.clock.advance(8 * HOUR)
        assert (await city.sweeper().sweep()).reminders == 0
        city.clock.advance(2 * HOUR)
        assert (await city.sweeper().sweep()).overdue == 1
        sent = await city.outbox(101, mark)
        assert [("已超期" in m["text"], m["not_before"]) for m in sent] == [
            (True, int(local(2026, 3, 3, 8, 0)))
        ]


async def test_auto_close_after_three_days_without_rating(tmp_path: Path) -> None:
    start = local(2026, 3, 2, 21, 0)  # the close falls in quiet hours: residents are not held
    async with open_city(tmp_path, start=start, LIAISON_QUIET_HOURS="22:00-08:00") as city:
        alice = await city.resident(1)
        number = (await city.report(alice)).id
        d1 = await city.person(101)
        await city.workflow.accept(d1, number)
        city.clock.advance(2 * HOUR)
        await city.workflow.reply(d1, number, "已修好")
        mark = await city.last_outbox_id()
        city.clock.advance(3 * DAY - MINUTE)
        assert (await city.sweeper().sweep()).auto_closed == 0
        city.clock.advance(MINUTE)
        assert (await city.sweeper().sweep()).auto_closed == 1
        rows = await city.rows(
            "SELECT state, close_reason, closed_at FROM issues WHERE id = ?", number
        )
        assert rows == [(State.CLOSED.value, "unrated", int(city.clock.now()))]
        events = await city.rows(
            "SELECT kind, actor_id, from_state, to_state FROM events WHERE issue_id = ? "
            "ORDER BY id DESC LIMIT 2",
            number,
        )
        # then the station's staff get it on their phone 回访 list (tests/unit/test_revisit.py)
        assert events == [
            ("phone_listed", None, None, None),
            ("auto_closed", None, "replied", "closed"),
        ]
        [told] = await city.outbox(1, mark)
        assert "自动办结" in told["text"]
        assert told["not_before"] == told["created_at"]  # never held for residents
        assert (await city.sweeper().sweep()).auto_closed == 0


async def test_overdue_list_for_staff_admins_and_nobody_else(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        alice = await city.resident(1)
        east = (await city.report(alice)).id
        bob = await city.resident(2, "west")
        west = (await city.report(bob, "西边的路也坏了")).id
        sweeper: Sweeper = city.sweeper()
        staff = await city.person(201)
        assert await sweeper.overdue(staff) == ([], 0)
        city.clock.advance(11 * HOUR)
        items, total = await sweeper.overdue(staff)
        assert ([o.issue.id for o in items], total) == ([east], 1)
        items, total = await sweeper.overdue(await city.person(301))
        assert (sorted(o.issue.id for o in items), total) == (sorted([east, west]), 2)
        with pytest.raises(NotAllowed):
            await sweeper.overdue(alice)
        with pytest.raises(NotAllowed):
            await sweeper.overdue(await city.person(101))


async def test_finished_drafts_are_forgotten_after_30_days(tmp_path: Path) -> None:
    """An old draft only explains an old button; a month on it is deleted, open ones stay."""
    async with open_city(tmp_path) as city:
        resident = await city.resident(7001)
        draft, _ = await city.reports.begin(resident)
        await city.reports.cancel(resident, draft.id)
        kept, _ = await city.reports.begin(resident)
        await city.sweeper().sweep()
        assert len(await city.rows("SELECT id FROM drafts")) == 2  # not yet
        city.clock.advance(31 * DAY)
        await city.sweeper().sweep()
        rows = await city.rows("SELECT id, status FROM drafts ORDER BY id")
        assert rows == [(kept.id, "open")]
