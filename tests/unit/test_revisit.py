"""回访 and 重办 with a ManualClock on a real SQLite file: 问题解决了吗 and the rating, 重办 with
a new deadline, the staff's phone 回访 of unrated answers, the 14-day re-check, each once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.actor import Actor
from bot.errors import NotAllowed, WrongState
from bot.models import Rating, Resolution, State
from bot.services.revisit import RECHECK_AFTER, RevisitService
from tests.unit.sched_world import DAY, HOUR, City, open_city

MINUTE = 60


def revisits(city: City) -> RevisitService:
    return RevisitService(city.workflow)


async def answered(city: City) -> tuple[int, Actor]:
    """An issue of resident 1 at the east station, accepted by deputy 101 and answered."""
    alice = await city.resident(1)
    number = (await city.report(alice)).id
    d1 = await city.person(101)
    await city.workflow.accept(d1, number)
    city.clock.advance(HOUR)
    await city.workflow.reply(d1, number, "路灯已经修好了")
    return number, await city.people.refresh(alice)


async def kinds(city: City, number: int) -> list[str]:
    rows = await city.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    return [str(r[0]) for r in rows]


async def test_resolved_then_satisfied_closes_it(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, alice = await answered(city)
        ctx = await revisits(city).answer(alice, number, Resolution.RESOLVED)
        assert ctx.issue.state is State.REPLIED
        assert ctx.issue.resolution is Resolution.RESOLVED  # kept before the rating
        ctx = await revisits(city).rate(alice, number, Resolution.RESOLVED, 0, Rating.SATISFIED)
        assert ctx.issue.state is State.CLOSED
        rows = await city.rows(
            "SELECT resolution, revisit_by, rating, close_reason FROM issues WHERE id = ?", number
        )
        assert rows == [("resolved", "resident", "satisfied", "rated")]
        assert (await kinds(city, number))[-2:] == ["resolved", "rated"]


async def test_unresolved_is_handled_again_at_once_with_a_new_deadline(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, alice = await answered(city)
        mark = await city.last_outbox_id()
        ctx = await revisits(city).answer(alice, number, Resolution.UNRESOLVED)
        now = int(city.clock.now())
        issue = ctx.issue
        assert (issue.state, issue.reopen_count, issue.supervised) == (State.ACCEPTED, 1, True)
        assert issue.reply_due == now + 5 * DAY  # roads: reply_within 5d, from the reopen
        assert issue.replied_at is None
        [card] = await city.outbox(101, mark)
        assert "问题未解决" in card["text"]
        assert f"iss:rep:{number}" in card["data"]
        [alert] = await city.outbox(201, mark)
        assert "第 1 次重办" in alert["text"]
        assert f"iss:sup:{number}" in alert["data"]
        # the rating still follows (for 满意率), once, for this answer only
        await revisits(city).rate(alice, number, Resolution.UNRESOLVED, 1, Rating.SATISFIED)
        with pytest.raises(WrongState):
            await revisits(city).rate(alice, number, Resolution.UNRESOLVED, 1, Rating.MOSTLY)
        rows = await city.rows("SELECT state, rating, resolution FROM issues WHERE id = ?", number)
        assert rows == [("accepted", "satisfied", "unresolved")]
        # the reminder counts from the reopen: 80% of 5 days after it
        city.clock.advance(4 * DAY - MINUTE)
        assert (await city.sweeper().sweep()).reminders == 0
        city.clock.advance(MINUTE)
        assert (await city.sweeper().sweep()).reminders == 1


async def test_partly_and_not_satisfied_is_handled_again(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, alice = await answered(city)
        await revisits(city).answer(alice, number, Resolution.PARTLY)
        ctx = await revisits(city).rate(alice, number, Resolution.PARTLY, 0, Rating.UNSATISFIED)
        assert (ctx.issue.state, ctx.issue.reopen_count) == (State.ACCEPTED, 1)
        assert (await kinds(city, number))[-2:] == ["partly_resolved", "reopened"]
        # the first answer's buttons are out of date now
        with pytest.raises(WrongState):
            await revisits(city).rate(alice, number, Resolution.PARTLY, 0, Rating.SATISFIED)


async def test_only_the_reporter_answers(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, _ = await answered(city)
        for telegram_id in (101, 201, 301, 2):
            someone = await city.person(telegram_id)
            with pytest.raises(NotAllowed):
                await revisits(city).answer(someone, number, Resolution.UNRESOLVED)
            with pytest.raises(NotAllowed):
                await revisits(city).rate(
                    someone, number, Resolution.RESOLVED, 0, Rating.UNSATISFIED
                )
        rows = await city.rows("SELECT state, resolution FROM issues WHERE id = ?", number)
        assert rows == [("replied", None)]


async def test_unrated_answers_go_on_one_phone_list_per_station_once(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        first, alice = await answered(city)
        second = (await city.report(alice, "井盖松动，车一过就响")).id
        d1 = await city.person(101)
        await city.workflow.accept(d1, second)
        await city.workflow.reply(d1, second, "已经加固")
        mark = await city.last_outbox_id()
        city.clock.advance(3 * DAY)
        report = await city.sweeper().sweep()
        assert (report.auto_closed, report.phone_lists) == (2, 1)
        [listing] = [m for m in await city.outbox(201, mark) if "电话回访" in m["text"]]
        assert f"#{first}" in listing["text"] and f"#{second}" in listing["text"]
        assert listing["data"] == [f"rv:ph:{first}", f"rv:ph:{second}"]
        assert (await city.sweeper().sweep()).phone_lists == 0  # once
        nudges = await city.rows("SELECT issue_id, kind, recipients FROM nudges ORDER BY id")
        assert nudges == [(first, "revisit_phone", 1), (second, "revisit_phone", 1)]


async def test_a_phone_result_of_unresolved_reopens_and_is_marked_phone(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, _ = await answered(city)
        city.clock.advance(3 * DAY)
        await city.sweeper().sweep()
        staff, other_deputy, boss = (
            await city.person(201),
            await city.person(103),
            await city.person(301),
        )
        with pytest.raises(NotAllowed):
            await revisits(city).phone_call(other_deputy, number)
        await revisits(city).phone_call(boss, number)  # admins may too
        mark = await city.last_outbox_id()
        ctx = await revisits(city).phone_answer(staff, number, Resolution.UNRESOLVED)
        assert (ctx.issue.state, ctx.issue.reopen_count) == (State.ACCEPTED, 1)
        assert (ctx.issue.closed_at, ctx.issue.close_reason) == (None, None)
        [told] = await city.outbox(1, mark)
        assert "电话回访" in told["text"]
        assert "重办" in told["text"]
        assert "电话回访结果：未解决" in (await city.outbox(101, mark))[0]["text"]
        await revisits(city).phone_rate(staff, number, Resolution.UNRESOLVED, 1, Rating.MOSTLY)
        rows = await city.rows(
            "SELECT resolution, revisit_by, rating FROM issues WHERE id = ?", number
        )
        assert rows == [("unresolved", "phone", "mostly")]
        events = await city.rows(
            "SELECT kind, actor_id FROM events WHERE issue_id = ? ORDER BY id", number
        )
        assert [k for k, _ in events][-4:] == [
            "auto_closed",
            "phone_listed",
            "phone_unresolved",
            "phone_mostly",
        ]
        assert events[-1][1] == staff.id


async def test_a_phone_result_that_is_fine_keeps_it_closed(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, _ = await answered(city)
        city.clock.advance(3 * DAY)
        await city.sweeper().sweep()
        staff = await city.person(201)
        await revisits(city).phone_answer(staff, number, Resolution.RESOLVED)
        ctx = await revisits(city).phone_rate(staff, number, Resolution.RESOLVED, 0, Rating.MOSTLY)
        assert ctx.issue.state is State.CLOSED
        with pytest.raises(WrongState):  # recorded once
            await revisits(city).phone_call(staff, number)
        # 已解决 by phone: the resident is asked 14 days later
        city.clock.advance(RECHECK_AFTER)
        assert (await city.sweeper().sweep()).rechecks == 1


async def test_the_re_check_comes_once_14_days_after_resolved(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, alice = await answered(city)
        await revisits(city).answer(alice, number, Resolution.RESOLVED)
        await revisits(city).rate(alice, number, Resolution.RESOLVED, 0, Rating.SATISFIED)
        mark = await city.last_outbox_id()
        city.clock.advance(14 * DAY - MINUTE)
        assert (await city.sweeper().sweep()).rechecks == 0
        city.clock.advance(MINUTE)
        assert (await city.sweeper().sweep()).rechecks == 1
        assert (await city.sweeper().sweep()).rechecks == 0
        [asked] = [m for m in await city.outbox(1, mark) if "有没有反复" in m["text"]]
        assert asked["data"] == [f"rv:chk:{number}:1", f"rv:chk:{number}:2"]
        # 又出现了: handled again, once
        ctx = await revisits(city).recheck(alice, number, came_back=True)
        assert (ctx.issue.state, ctx.issue.reopen_count) == (State.ACCEPTED, 1)
        with pytest.raises(WrongState):
            await revisits(city).recheck(alice, number, came_back=True)


async def test_staff_are_told_when_the_deputy_cannot_be_reached(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        number, alice = await answered(city)
        await revisits(city).answer(alice, number, Resolution.RESOLVED)
        await revisits(city).rate(alice, number, Resolution.RESOLVED, 0, Rating.SATISFIED)
        async with city.db.transaction() as repos:  # the deputy blocked the bot since
            await repos.conn.execute("UPDATE people SET blocked_at = 1 WHERE telegram_id = 101")
        city.clock.advance(14 * DAY)
        await city.sweeper().sweep()
        mark = await city.last_outbox_id()
        await revisits(city).recheck(alice, number, came_back=True)
        assert await city.outbox(101, mark) == []
        [alert] = await city.outbox(201, mark)
        assert "又出现了" in alert["text"]
        assert "联系不上" in alert["text"]
