"""A unit's deadlines in working days with a ManualClock on a real SQLite file: the 80%
reminder, the overdue notice (staff with 督办), each once; a deadline across National Day
and the 调休 Saturday; the daily digest's 🟡 and 🔴 for staff and the city's totals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.actor import Actor
from bot.services.units import UnitService
from tests.unit.sched_world import HOUR, ZONE, City, local, open_city

SEED = """
city: 测试市
categories:
  - {key: roads, name: {zh: 道路, en: Roads}, accept_within: 10h, reply_within: 10wd}
departments:
  - key: works
    name: {zh: 市政处, en: Works}
    sign_within: 1wd
    answer_within: 3wd
    liaisons:
      - {key: li, name: 市政联络员, telegram_id: 401}
stations:
  - key: east
    name: 东站
    district: 东区
    deputies:
      - {key: d1, name: 一号代表, telegram_id: 101}
      - {key: d2, name: 二号代表, telegram_id: 102}
      - {key: d3, name: 三号代表, telegram_id: 103}
    staff:
      - {key: s1, name: 东站员, telegram_id: 201}
admins:
  - {key: boss, name: 工委, telegram_id: 301}
"""


async def _transferred(city: City) -> tuple[int, Actor]:
    await city.person(401)
    resident = await city.resident(1)
    issue = await city.report(resident)
    deputy = await city.person(101)
    await city.workflow.accept(deputy, issue.id)
    departments = await city.workflow.departments()
    await city.workflow.transfer(deputy, issue.id, departments[0].id, None)
    return issue.id, deputy


async def _handover(city: City, number: int) -> tuple[str, int, int]:
    [row] = await city.rows(
        "SELECT state, sign_due, answer_due FROM handovers WHERE issue_id = ?", number
    )
    return str(row[0]), int(row[1]), int(row[2])


async def test_deadlines_across_national_day_and_the_makeup_saturday(tmp_path: Path) -> None:
    # Wednesday 30 September 2026, 10:00: 1 to 8 October are off, Saturday 10 October is a
    # working day (调休), as chinesecalendar has it from the State Council's notice
    start = datetime(2026, 9, 30, 10, 0, tzinfo=ZONE)
    async with open_city(tmp_path, start=start, seed=SEED) as city:
        number, _ = await _transferred(city)
        _, sign_due, answer_due = await _handover(city, number)
        assert sign_due == local(2026, 10, 8, 10)  # the first working day after the holiday
        assert answer_due == local(2026, 10, 10, 10)  # 8, 9 and Saturday 10 October (调休)
        [(reply_due,)] = await city.rows("SELECT reply_due FROM issues WHERE id = ?", number)
        # the category's 10wd from 30 September: 8, 9, 10, 12–16, 19 and 20 October
        assert reply_due == local(2026, 10, 20, 10)


async def test_the_unit_is_reminded_then_overdue_reaches_deputy_and_staff_once(
    tmp_path: Path,
) -> None:
    # Monday 2 March 2026, 10:00 (no digest: only the unit's nudges are looked at)
    async with open_city(tmp_path, seed=SEED, LIAISON_DIGEST_AT="") as city:
        number, _ = await _transferred(city)
        _, sign_due, _ = await _handover(city, number)
        assert sign_due == local(2026, 3, 3, 10)
        mark = await city.last_outbox_id()

        city.clock.set(local(2026, 3, 3, 5, 11))  # 80% of 24 h is 19:12 after the start
        assert (await city.sweeper().sweep()).unit_nudges == 0
        city.clock.advance(60)
        assert (await city.sweeper().sweep()).unit_nudges == 1
        [reminder] = await city.outbox(401, mark)
        assert f"#{number}" in reminder["text"] and "待签收" in reminder["text"]
        assert f"un:sign:{number}" in reminder["data"]
        assert await city.outbox(101, mark) == []
        assert (await city.sweeper().sweep()).unit_nudges == 0

        mark = await city.last_outbox_id()
        city.clock.set(local(2026, 3, 3, 10))
        assert (await city.sweeper().sweep()).unit_nudges == 1
        [late] = await city.outbox(401, mark)
        assert "超过签收时限" in late["text"]
        [deputy_told] = await city.outbox(101, mark)
        assert "超过签收时限" in deputy_told["text"]
        [staff_told] = await city.outbox(201, mark)
        assert staff_told["labels"] == ["督办"]
        assert staff_told["data"] == [f"iss:sup:{number}"]
        city.clock.advance(HOUR)
        assert (await city.sweeper().sweep()).unit_nudges == 0
        assert await city.rows(
            "SELECT kind FROM nudges WHERE issue_id = ? AND kind LIKE 'unit_%' ORDER BY id",
            number,
        ) == [("unit_sign_remind",), ("unit_sign_overdue",)]


async def test_after_signing_the_answer_deadline_is_nudged(tmp_path: Path) -> None:
    async with open_city(tmp_path, seed=SEED, LIAISON_DIGEST_AT="") as city:
        number, _ = await _transferred(city)
        liaison = await city.person(401)
        units = UnitService(city.workflow)
        await units.sign(liaison, number)
        _, _, answer_due = await _handover(city, number)
        assert answer_due == local(2026, 3, 5, 10)  # 3 working days from Monday 10:00
        mark = await city.last_outbox_id()
        city.clock.set(answer_due)
        report = await city.sweeper().sweep()
        assert report.unit_nudges == 1  # overdue (the reminder's moment passed unswept)
        [late] = await city.outbox(401, mark)
        assert "超过答复时限" in late["text"]


async def test_daily_digest_lists_yellow_and_red_for_staff_and_totals_for_admins(
    tmp_path: Path,
) -> None:
    async with open_city(tmp_path, seed=SEED, LIAISON_DIGEST_AT="08:30") as city:
        number, _ = await _transferred(city)  # reply 10wd; the unit: sign 1wd
        resident = await city.resident(2)
        waiting = await city.report(resident, "井盖丢了一个月了")  # accept within 10 h: red
        fresh_mark = await city.last_outbox_id()

        city.clock.set(local(2026, 3, 3, 8, 29))
        assert (await city.sweeper().sweep()).digest == 0
        city.clock.set(local(2026, 3, 3, 8, 30))
        report = await city.sweeper().sweep()
        assert report.digest == 2  # the station's staff and the admin
        digests = [m for m in await city.outbox(201, fresh_mark) if "今日预警" in m["text"]]
        assert len(digests) == 1, digests
        [staff] = digests
        assert "东站" in staff["text"]
        assert f"🔴 #{waiting.id}" in staff["text"]  # 22.5 h past its 10 h to be accepted
        assert f"🟡 #{number}" in staff["text"]  # the unit: 22.5 h of its 24 h gone
        assert "市政处待签收" in staff["text"]
        [city_wide] = await city.outbox(301, fresh_mark)
        assert "全市今日预警" in city_wide["text"]
        assert "东区：🔴 1 · 🟡 1" in city_wide["text"]

        mark = await city.last_outbox_id()
        city.clock.advance(HOUR)
        assert (await city.sweeper().sweep()).digest == 0  # once a day
        assert [m for m in await city.outbox(201, mark) if "今日预警" in m["text"]] == []
