"""走街串巷 with a ManualClock: schedule, checklist, problem → issue, summary, catch-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import NotAllowed, WrongState
from bot.models import Awaiting, State
from bot.scheduling import next_cron
from tests.unit.sched_world import DAY, HOUR, ZONE, City, local, open_city

# the test city's patrol: "0 9 * * 2" (Tuesdays 09:00); open_city starts Monday 10:00


async def _run_ids(city: City) -> list[tuple[int, int]]:
    """(run id, deputy telegram id) of every run."""
    rows = await city.rows(
        "SELECT r.id, p.telegram_id FROM patrol_runs r JOIN people p ON p.id = r.deputy_id "
        "ORDER BY r.id"
    )
    return [(int(a), int(b)) for a, b in rows]


def test_next_cron_is_in_the_configured_zone() -> None:
    monday_10 = int(local(2026, 3, 2, 10))
    assert next_cron("0 9 * * 2", ZONE, monday_10) == int(local(2026, 3, 3, 9))
    tuesday_9 = int(local(2026, 3, 3, 9))
    assert next_cron("0 9 * * 2", ZONE, tuesday_9) == int(local(2026, 3, 10, 9))


async def test_scheduled_run_sends_each_deputy_their_own_checklist(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        patrols = city.patrols
        assert await patrols.run_due() == 0  # first seen: anchored, nothing missed
        city.clock.set(local(2026, 3, 3, 8, 59))
        assert await patrols.run_due() == 0
        city.clock.set(local(2026, 3, 3, 9, 0))
        assert await patrols.run_due() == 1
        assert await patrols.run_due() == 0  # once per occurrence
        runs = await _run_ids(city)
        assert sorted(chat for _, chat in runs) == [101, 102]
        [sheet] = await city.outbox(101)
        assert "每周走街" in sheet["text"]
        assert sheet["labels"] == ["⬜ 路灯照明", "⬜ 楼道小广告", "⬜ 无障碍设施", "完成"]
        run_id = next(r for r, chat in runs if chat == 101)
        assert sheet["data"][0] == f"pat:item:{run_id}:0"
        assert sheet["data"][-1] == f"pat:done:{run_id}"
        assert await city.outbox(103) == []  # another station's deputy


async def test_problem_becomes_an_accepted_issue_and_done_sends_the_summary(
    tmp_path: Path,
) -> None:
    async with open_city(tmp_path) as city:
        patrols = city.patrols
        staff = await city.person(201)
        [patrol] = await patrols.startable(staff)
        _, count = await patrols.start_now(staff, patrol.id)
        assert count == 2
        d1 = await city.person(101)
        run_id = next(r for r, chat in await _run_ids(city) if chat == 101)
        # someone else's checklist is refused, whatever the button data says
        d2 = await city.person(102)
        with pytest.raises(NotAllowed):
            await patrols.mark_ok(d2, run_id, 0)
        await patrols.choose(d1, run_id, 0)
        await patrols.mark_ok(d1, run_id, 0)
        await patrols.ask_problem(d1, run_id, 1)
        # the next text of d1 is the note: the identity read for each update says so
        assert (await city.person(101)).awaiting == Awaiting.PATROL_NOTE
        view, issue = await patrols.report_problem(d1, "三单元楼道贴满小广告 <script>", "photo-1")
        assert (await city.person(101)).awaiting is None
        assert issue.state is State.ACCEPTED
        assert issue.owner_id == d1.id
        assert issue.resident_id == d1.id
        assert issue.source == "patrol"
        assert issue.photos == ("photo-1",)
        assert issue.description == "【楼道小广告】三单元楼道贴满小广告 <script>"
        cat = await city.rows(
            "SELECT c.key FROM issues i JOIN categories c ON c.id = i.category_id WHERE i.id = ?",
            issue.id,
        )
        assert cat == [("other",)]  # no category in the seed: `other`
        # the deputy got the issue card with the working buttons; the checklist shows the mark
        cards = [m for m in await city.outbox(101) if f"#{issue.id}" in m["text"]]
        assert cards
        assert f"iss:rep:{issue.id}" in cards[-1]["data"]
        assert "&lt;script&gt;" in cards[-1]["text"]
        edits = await city.rows(
            "SELECT payload FROM outbox WHERE op = 'edit' AND edit_ref = ? ORDER BY id",
            f"pat:{run_id}",
        )
        labels = [b["text"] for row in json.loads(edits[-1][0])["buttons"] for b in row]
        assert labels[:3] == ["✅ 路灯照明", f"⚠️ 楼道小广告 #{issue.id}", "⬜ 无障碍设施"]
        # a problem item stays recorded
        with pytest.raises(WrongState):
            await patrols.mark_ok(d1, run_id, 1)
        mark = await city.last_outbox_id()
        view = await patrols.finish(d1, run_id)
        assert (view.checked, len(view.problems)) == (2, 1)
        [summary] = await city.outbox(201, mark)
        assert "走街串巷完成" in summary["text"]
        assert "一号代表" in summary["text"]
        assert "检查 2/3 项" in summary["text"]
        assert f"楼道小广告：<b>#{issue.id}</b>" in summary["text"]
        with pytest.raises(WrongState):
            await patrols.finish(d1, run_id)
        # the issue follows the normal loop: the deputy replies
        await city.workflow.reply(d1, issue.id, "已联系物业清理")
        state = await city.rows("SELECT state FROM issues WHERE id = ?", issue.id)
        assert state == [("replied",)]


async def test_a_missed_patrol_runs_once_after_downtime(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        await city.patrols.run_due()  # anchored on Monday
        await city.reopen()
        city.clock.set(local(2026, 3, 20, 12))  # down over three Tuesdays
        assert await city.patrols.run_due() == 1
        assert await city.patrols.run_due() == 0
        assert len(await _run_ids(city)) == 2  # one run (two deputies), not three
        city.clock.set(local(2026, 3, 24, 9))
        assert await city.patrols.run_due() == 1


async def test_unfinished_checklist_is_reminded_once_after_a_day(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        staff = await city.person(201)
        [patrol] = await city.patrols.startable(staff)
        await city.patrols.start_now(staff, patrol.id)
        d1 = await city.person(101)
        run_id = next(r for r, chat in await _run_ids(city) if chat == 101)
        await city.patrols.finish(d1, run_id)  # d1 finished, d2 did not
        mark = await city.last_outbox_id()
        city.clock.advance(DAY - HOUR)
        assert await city.patrols.remind_unfinished() == 0
        city.clock.advance(HOUR)
        assert await city.patrols.remind_unfinished() == 1
        assert await city.patrols.remind_unfinished() == 0
        [reminder] = await city.outbox(102, mark)
        assert "还没有完成" in reminder["text"]
        assert await city.outbox(101, mark) == []


async def test_patrol_is_for_staff_only(tmp_path: Path) -> None:
    async with open_city(tmp_path) as city:
        with pytest.raises(NotAllowed):
            await city.patrols.startable(await city.person(101))
        with pytest.raises(NotAllowed):
            await city.patrols.startable(await city.resident(5))
        # staff of another station cannot start it by forging the id
        staff = await city.person(201)
        [patrol] = await city.patrols.startable(staff)
        west = await city.people.station_by_key("west")
        assert west is not None
        other = await city.person(103)
        async with city.db.transaction() as repos:
            await repos.people.add_membership(other.id, west.id, "staff", "invite")
        with pytest.raises(NotAllowed):
            await city.patrols.start_now(await city.person(103), patrol.id)
