"""The real JobQueue against the fake Bot API: a seconds-long deadline runs through reminder,
overdue with 督办, escalation to the admins; /overdue; a /patrol checklist end to end."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import LiaisonBot
from bot.clock import SystemClock
from fakebot import FakeBotApi
from tests.e2e.conftest import TOKEN, World, world_settings
from tests.e2e.helpers import bind, file_issue, open_bot

FAST_CITY = textwrap.dedent(
    """
    city: 快市
    categories:
      - {key: quick, name: {zh: 急事, en: Urgent}, accept_within: 2s, reply_within: 1d, escalate_after: 1s}
      - {key: other, name: {zh: 其他, en: Other}, accept_within: 1d, reply_within: 5d}
    stations:
      - key: hub
        name: 枢纽联络站
        district: 中区
        deputies:
          - {key: dep-x, name: 快代表, telegram_id: 701}
        staff:
          - {key: staff-x, name: 快站员, telegram_id: 801}
    admins:
      - {key: chief, name: 工委主任, telegram_id: 901}
    patrols:
      - key: hub-walk
        station: hub
        name: {zh: 枢纽巡查, en: Hub walk}
        schedule: "0 9 * * 2"
        items: [路灯照明, 楼道小广告]
    """
)


@pytest.fixture
async def fast_world(tmp_path: Path) -> AsyncIterator[World]:
    seed_path = tmp_path / "fast.yaml"
    seed_path.write_text(FAST_CITY, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    settings = world_settings(tmp_path, api, seed_path, LIAISON_SWEEP_SECONDS="0.5")
    bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
    world = World(api, bot, settings, seed_path)
    try:
        await bot.start()
        yield world
    finally:
        await world.bot.stop()
        await api.stop()


async def test_a_two_second_deadline_reminds_goes_overdue_and_escalates(
    fast_world: World,
) -> None:
    world = fast_world
    deputy, staff, chief = world.user(701), world.user(801), world.user(901)
    await open_bot(deputy, staff, chief)
    resident = world.user(11, "居民甲")
    await bind(resident, "hub")
    number = await file_issue(resident, "路口红绿灯不亮了", category="急事")
    await deputy.wait_for(f"#{number}")  # the new-issue notice
    reminder = await deputy.wait_for("提醒", timeout=5)
    assert f"#{number}" in reminder.text
    overdue = await deputy.wait_for("已超期", timeout=5)
    assert f"#{number}" in overdue.text
    card = await staff.wait_for(f"超期事项 #{number}", timeout=5)
    assert card.labels == ["督办", "改派"]
    escalated = await chief.wait_for(f"超期未办 #{number}", timeout=5)
    assert "督办" in escalated.labels
    # 督办 from the staff card reaches the deputy and is recorded
    await staff.tap("督办", card)
    await deputy.wait_for("督办", timeout=5)
    # /overdue lists it for staff and admins, with a 督办 button each
    await staff.send("/overdue")
    listing = await staff.wait_for("超期事项", timeout=5)
    assert f"督办 #{number}" in listing.labels
    await resident.send("/overdue")
    await resident.wait_for("只供联络站工作人员和管理员使用")
    await resident.wait_for("/report")  # and their help
    await world.settle()
    nudges = await world.rows("SELECT kind FROM nudges WHERE issue_id = ? ORDER BY id", number)
    assert nudges == [("accept_remind",), ("accept_overdue",), ("accept_escalate",)]
    events = await world.rows("SELECT kind FROM events WHERE issue_id = ?", number)
    assert ("supervised",) in events
    # nothing is sent twice while the sweep keeps running
    reminders = [m for m in deputy.messages if "提醒" in m.text and f"#{number}" in m.text]
    assert len(reminders) == 1
    assert world.api.violations == []


async def test_patrol_started_by_staff_problem_issue_and_summary(fast_world: World) -> None:
    world = fast_world
    deputy, staff = world.user(701), world.user(801)
    await open_bot(deputy, staff)
    await staff.send("/patrol")
    await staff.wait_for("检查清单")
    sheet = await deputy.wait_for("枢纽巡查")
    assert sheet.labels == ["⬜ 路灯照明", "⬜ 楼道小广告", "完成"]
    await deputy.tap("⬜ 路灯照明", sheet)
    choice = await deputy.wait_for("检查结果")
    await deputy.tap("正常", choice)
    await deputy.sees("✅ 路灯照明：正常")
    await deputy.tap("⬜ 楼道小广告", sheet)
    choice = await deputy.wait_for("检查结果")
    await deputy.tap("有问题", choice)
    await deputy.wait_for("请描述发现的问题")
    await deputy.send("二单元楼道小广告很多")
    created = await deputy.wait_for("已登记为事项")
    number = int(created.text.split("#")[1].split("，")[0].split(",")[0].strip())
    await deputy.wait_for("走街串巷发现的问题已登记")
    await world.settle()
    updated = await deputy.sees("枢纽巡查")
    assert f"⚠️ 楼道小广告 #{number}" in updated.labels
    await deputy.tap("完成", updated)
    summary = await staff.wait_for("走街串巷完成")
    assert f"#{number}" in summary.text
    assert "检查 2/2 项" in summary.text
    rows = await world.rows(
        "SELECT state, source, owner_id IS NOT NULL FROM issues WHERE id = ?", number
    )
    assert rows == [("accepted", "patrol", 1)]
    # a resident may not start a patrol
    resident = world.user(12)
    await resident.send("/patrol")
    await resident.wait_for("只供联络站工作人员使用")
    await world.settle()
    assert world.api.violations == []
