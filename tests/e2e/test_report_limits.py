"""Reporting at the edges: lengths counted as Telegram counts them, and a retired station."""

from __future__ import annotations

from tests.e2e.conftest import CITY, World
from tests.e2e.helpers import bind, file_issue


async def test_a_description_over_2000_utf16_units_is_refused_with_the_limit(
    world: World,
) -> None:
    alice = world.user(1)
    await bind(alice, "north")
    await alice.send("/report")
    await alice.tap("坑洼", await alice.wait_for("请选择问题类别"))
    await alice.send("🕳" * 1985)  # 1,985 characters, 3,970 UTF-16 units
    refused = await alice.wait_for("太长")
    assert "3970" in refused.text and "2000" in refused.text
    await world.settle()
    assert await world.rows("SELECT description FROM drafts") == [(None,)]
    # 2000 units exactly are fine, emoji included
    text = "🕳" * 500 + "路" * 1000
    await alice.send(text)
    await alice.wait_for("跳过")
    assert await world.rows("SELECT description FROM drafts") == [(text,)]


async def test_a_resident_of_a_retired_station_chooses_another_before_filing(
    world: World,
) -> None:
    alice = world.user(1)
    await bind(alice, "south")
    number = await file_issue(alice, "南湖边的路灯不亮了")
    # the city drops the south station from its seed
    world.seed_path.write_text(CITY.split("  - key: south")[0] + ADMINS, encoding="utf-8")
    await world.restart()
    await alice.send("/report")
    told = await alice.wait_for("不再受理反映")
    assert "选择其他联络站" in told.text
    picker = await alice.wait_for("联络站")
    assert "南湖区" not in picker.labels
    await alice.tap("北关区", picker)
    await alice.sees("北关区")
    await alice.tap("北关街道联络站")
    await alice.wait_for("请选择问题类别")  # the report carries on at the new station
    assert await world.rows("SELECT COUNT(*) FROM issues") == [(1,)]
    assert number == 1


ADMINS = """admins:
  - {key: boss, name: 代表工委, telegram_id: 901}
"""
