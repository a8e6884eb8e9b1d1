"""Reporting at the edges: lengths counted as Telegram counts them, and a retired station."""

from __future__ import annotations

from tests.e2e.conftest import CITY, World
from tests.e2e.helpers import bind, file_issue, open_bot


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


async def test_follow_ups_are_limited_to_five_an_issue_a_day(world: World) -> None:
    a, alice = world.user(501), world.user(1)
    await open_bot(a)
    await bind(alice, "north")
    number = await file_issue(alice, "小区门口的路灯一直不亮")
    await a.wait_for("新的群众反映")
    for n in range(5):
        await alice.send("/my")
        listing = await alice.wait_for("我的事项")
        await alice.tap(listing.labels[0], listing)
        await alice.tap("补充说明", await alice.wait_for(f"#{number} 进展"))
        await alice.wait_for("请输入要补充的内容")
        await alice.send(f"第 {n + 1} 次补充：今晚还是不亮")
        await alice.wait_for(f"已转给办理代表（#{number}）")
        await a.wait_for(f"第 {n + 1} 次补充")
    await alice.send("/my")
    listing = await alice.wait_for("我的事项")
    await alice.tap(listing.labels[0], listing)
    timeline = await alice.wait_for(f"#{number} 进展")
    # the sixth is refused before anything is typed, saying why and what to do
    refused = await alice.tap("补充说明", timeline)
    assert refused is not None and "今天已补充说明 5 次" in refused, refused
    await world.settle()
    made = await world.rows(
        "SELECT COUNT(*) FROM events WHERE issue_id = ? AND kind = 'follow_up'", number
    )
    assert made == [(5,)]
    assert await world.rows("SELECT kind FROM pending WHERE kind <> 'idle'") == []


async def test_a_long_timeline_comes_in_several_messages(world: World) -> None:
    alice = world.user(1)
    await bind(alice, "north")
    number = await file_issue(alice, "小区门口的路灯一直不亮")
    async with world.db.transaction() as repos:  # thirteen long follow-ups and 50 supporters
        for n in range(13):
            text = f"第 {n + 1} 次补充：" + "😡路灯还是不亮" * 150
            await repos.issues.add_event(number, 1_700_000_000 + n, None, "follow_up", note=text)
        for n in range(50):
            await repos.issues.add_event(number, 1_700_100_000 + n, None, "supported")
    await alice.send("/my")
    listing = await alice.wait_for("我的事项")
    await alice.tap(listing.labels[0], listing)
    first = await alice.wait_for(f"#{number} 进展")
    await world.settle()
    pages = [first, *alice.messages[alice.messages.index(first) + 1 :]]
    assert len(pages) >= 2, "a timeline longer than a message was not paged"
    assert all("进展（续）" in page.text for page in pages[1:])
    assert all(page.labels == [] for page in pages[:-1])
    assert pages[-1].labels == ["补充说明", "撤回"]
    shown = "\n".join(page.text for page in pages)
    assert all(f"第 {n + 1} 次补充" in shown for n in range(13))
    assert shown.count("一位居民：附议") == 50
    assert world.api.violations == []


async def test_an_album_of_ten_photos_gets_one_answer(world: World) -> None:
    alice = world.user(1)
    await bind(alice, "north")
    await alice.send("/report")
    await alice.tap("坑洼", await alice.wait_for("请选择问题类别"))
    await alice.sees("请描述问题")
    await alice.send("北关路口有个大坑，下雨天积水很深")
    await alice.wait_for("跳过")
    await alice.send_album(10)
    answer = await alice.wait_for("已收到这组照片")
    assert answer.labels == ["完成"]
    await world.settle()
    await alice.expect_no_more()  # one answer for the album, no "最多只能附 5 张照片"
    await alice.tap("完成", answer)
    summary = await alice.edited(answer, "请确认")
    assert "照片：5 张" in summary.text
    await alice.tap("提交", summary)
    await alice.edited(summary, "已提交")

    # an album whose first photo carries the description: one answer too
    await alice.send("/report")
    await alice.tap("坑洼", await alice.wait_for("请选择问题类别"))
    await alice.sees("请描述问题")
    await alice.send_album(3, caption="路灯杆被车撞歪了，随时会倒")
    extras = await alice.wait_for("可以补充")
    assert extras.labels == ["完成"]
    await world.settle()
    await alice.expect_no_more()
    await alice.tap("完成", extras)
    assert "照片：3 张" in (await alice.edited(extras, "请确认")).text
