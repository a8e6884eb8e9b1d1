"""Broadcasts: compose → preview → 发送 → progress → report; flood control, blocked users,
a restart halfway, muting, and staff kept to their own station."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.callbacks import BroadcastPress
from fakebot import FakeUser
from tests.e2e.conftest import World, world_settings

NOTICE = "本周三下午接待日，欢迎 <群众> 来站反映问题"


async def add_residents(world: World, ids: range, station_key: str) -> list[FakeUser]:
    """Residents who opened the bot and chose the station (set up directly, for speed)."""
    users = []
    now = int(time.time())
    async with world.db.transaction() as repos:
        station = await repos.stations.by_key(station_key)
        assert station is not None
        for uid in ids:
            user = world.user(uid, f"居民{uid}")
            user.has_written = True  # as if they had sent /start
            person = await repos.people.touch(uid, f"居民{uid}", "zh-hans", now)
            await repos.people.mark_started(person.id, now)
            await repos.people.set_station(person.id, station.id)
            users.append(user)
    return users


async def with_rate(world: World, tmp_path: Path, rate: str) -> None:
    world.settings = world_settings(
        tmp_path, world.api, world.seed_path, LIAISON_BROADCAST_RATE=rate
    )
    await world.restart()


async def compose(staff: FakeUser, audience: str, text: str = NOTICE) -> str:
    """Walk /broadcast up to the preview; returns the confirmation text."""
    await staff.send("/broadcast")
    await staff.wait_for("请选择通知对象")
    await staff.tap(audience)
    await staff.sees("请发送通知内容")
    await staff.send(text)
    confirm = await staff.wait_for("将发送给")
    return confirm.text


def notices(user: FakeUser) -> int:
    return sum(1 for m in user.messages if "本周三下午接待日" in m.text)


async def test_broadcast_to_200_with_flood_control_and_blocked_users(
    world: World, tmp_path: Path
) -> None:
    await with_rate(world, tmp_path, "1000")
    users = await add_residents(world, range(10_000, 10_200), "north")
    await add_residents(world, range(20_000, 20_005), "south")  # another station: not reached
    for user in users[:10]:
        user.blocked = True  # blocked quietly: the bot learns it only from the 403
    staff = world.user(601, "北站工作人员")
    confirm = await compose(staff, "北关街道联络站 的群众")
    assert "200" in confirm
    # the preview is the notice exactly as residents get it, escaped, with its mute button
    preview = staff.messages[-2]
    assert NOTICE in preview.text
    assert "&lt;群众&gt;" in preview.html
    assert preview.labels == ["不再接收本站通知"]
    world.api.faults.fail_rate("sendMessage", 429, 0.04, retry_after=1, seed=7)
    await staff.tap("发送")
    report = await staff.sees("通知发送完毕", timeout=40)
    world.api.faults.clear()
    assert "共 200 人，送达 190，已屏蔽 10，失败 0" in report.text
    # the control message shows the same counts, and the report came as a new message
    # (edits make no sound: the author learns the broadcast is over)
    await world.settle()
    finals = [m for m in staff.messages if "通知发送完毕" in m.text]
    assert len(finals) == 2 and finals[0].edits > 0 and finals[1].edits == 0, finals
    assert [notices(u) for u in users[10:]] == [1] * 190
    assert all(notices(u) == 0 for u in users[:10])
    assert any(c.injected and c.error_code == 429 for c in world.api.calls)
    blocked = await world.rows(
        "SELECT COUNT(*) FROM people WHERE blocked_at IS NOT NULL AND telegram_id < 10010"
    )
    assert blocked == [(10,)]
    south = [world.api.get_user(uid) for uid in range(20_000, 20_005)]
    assert all(u is not None and notices(u) == 0 for u in south)
    assert world.api.violations == []


async def test_restart_halfway_resumes_without_repeating(world: World, tmp_path: Path) -> None:
    await with_rate(world, tmp_path, "25")
    users = await add_residents(world, range(30_000, 30_080), "north")
    staff = world.user(601, "北站工作人员")
    await compose(staff, "北关街道联络站 的群众")
    await staff.tap("发送")
    for _ in range(200):
        sent = await world.rows("SELECT COUNT(*) FROM broadcast_recipients WHERE status='sent'")
        if sent[0][0] >= 20:
            break
        await asyncio.sleep(0.05)
    await world.restart()
    halfway = await world.rows("SELECT COUNT(*) FROM broadcast_recipients WHERE status='sent'")
    assert 20 <= int(halfway[0][0]) < 80  # type: ignore[call-overload]
    report = await staff.sees("通知发送完毕", timeout=30)
    assert "送达 80" in report.text
    assert [notices(u) for u in users] == [1] * 80


async def test_muted_residents_are_left_out(world: World) -> None:
    users = await add_residents(world, range(40_000, 40_003), "north")
    staff = world.user(601, "北站工作人员")
    await compose(staff, "北关街道联络站 的群众")
    await staff.tap("发送")
    await staff.sees("通知发送完毕", timeout=10)
    note = await users[0].tap("不再接收本站通知")
    assert note == "已不再接收 北关街道联络站 的通知，可在 /station 中恢复。"
    confirm = await compose(staff, "北关街道联络站 的群众", "第二条通知")
    assert "<b>2</b>" in next(m.html for m in staff.messages if m.text == confirm)
    await staff.tap("取消")
    await staff.sees("已取消，通知未发送")
    # /station shows the switch and turns notices back on; the switch shows the new state
    await users[0].send("/station")
    switch = await users[0].wait_for("本站通知：已关闭")
    await users[0].tap("恢复接收本站通知", switch)
    await users[0].edited(switch, "本站通知：接收中")
    assert switch.labels == ["不再接收本站通知"]
    assert await world.rows("SELECT COUNT(*) FROM notice_mutes") == [(0,)]
    await users[0].tap("不再接收本站通知", switch)
    await users[0].edited(switch, "本站通知：已关闭")
    assert switch.labels == ["恢复接收本站通知"]
    assert await world.rows("SELECT COUNT(*) FROM notice_mutes") == [(1,)]


async def muted_stations(world: World, telegram_id: int) -> list[tuple[object, ...]]:
    return await world.rows(
        "SELECT s.key FROM notice_mutes m JOIN people p ON p.id = m.person_id "
        "JOIN stations s ON s.id = m.station_id WHERE p.telegram_id = ?",
        telegram_id,
    )


async def test_the_mute_button_under_a_notice_turns_over(world: World) -> None:
    [resident] = await add_residents(world, range(45_000, 45_001), "north")
    staff = world.user(601, "北站工作人员")
    await compose(staff, "北关街道联络站 的群众")
    await staff.tap("发送")
    await staff.sees("通知发送完毕", timeout=10)
    notice = await resident.wait_for("本周三下午接待日")
    text = notice.text
    assert notice.labels == ["不再接收本站通知"]

    note = await resident.tap("不再接收本站通知", notice)
    assert note == "已不再接收 北关街道联络站 的通知，可在 /station 中恢复。"
    await world.settle()
    # the same message: its text stays, its button now turns the notices back on
    assert (notice.text, notice.labels) == (text, ["恢复接收本站通知"])
    assert not notice.deleted and notice.edits == 1
    assert await muted_stations(world, 45_000) == [("north",)]

    note = await resident.tap("恢复接收本站通知", notice)
    assert note == "已恢复接收 北关街道联络站 的通知。"
    await world.settle()
    assert (notice.text, notice.labels) == (text, ["不再接收本站通知"])
    assert await muted_stations(world, 45_000) == []
    await resident.expect_no_more()  # nothing but the flips: no message more

    # a forged press for a station that does not exist is refused; the button stays
    await resident.tap_data(BroadcastPress(verb="mute", id=9999).pack(), notice)
    await world.settle()
    assert resident.alerts[-1] == "没有找到该内容，可能已被删除。"
    assert (notice.text, notice.labels) == (text, ["不再接收本站通知"])
    assert await muted_stations(world, 45_000) == []
    assert world.api.violations == []


async def test_staff_cannot_broadcast_to_another_station(world: World) -> None:
    staff = world.user(601, "北站工作人员")
    await staff.send("/broadcast")
    menu = await staff.wait_for("请选择通知对象")
    assert menu.labels == ["北关街道联络站 的群众", "北关街道联络站 的代表"]
    south = await world.rows("SELECT id FROM stations WHERE key = 'south'")
    south_id = int(south[0][0])  # type: ignore[call-overload]
    await staff.tap_data(BroadcastPress(verb="st", id=south_id).pack(), menu)
    await staff.tap_data(BroadcastPress(verb="all").pack(), menu)
    assert staff.alerts[-2:] == ["您只能向本站的群众或代表发送通知。"] * 2
    assert await world.rows("SELECT COUNT(*) FROM broadcasts") == [(0,)]
    # the south staff cannot send the north staff's preview either
    await compose(staff, "北关街道联络站 的群众")
    other = world.user(602, "南站工作人员")
    await other.send("/help")
    own = await other.next_message()
    bid = (await world.rows("SELECT id FROM broadcasts"))[0][0]
    await other.tap_data(BroadcastPress(verb="send", id=int(bid)).pack(), own)  # type: ignore[call-overload]
    assert other.alerts[-1] == "您只能向本站的群众或代表发送通知。"
    assert await world.rows("SELECT state FROM broadcasts") == [("preview",)]
    # residents get "not allowed"
    resident = world.user(77)
    await resident.send("/broadcast")
    await resident.wait_for("您没有使用这个命令的权限")


async def test_admin_broadcasts_a_photo_to_a_district(world: World) -> None:
    north = await add_residents(world, range(50_000, 50_002), "north")
    south = await add_residents(world, range(50_100, 50_102), "south")
    admin = world.user(901, "代表工委")
    await admin.send("/broadcast")
    await admin.wait_for("请选择通知对象")
    await admin.tap("南湖区")
    await admin.sees("南湖区：请选择通知对象")
    await admin.tap("南湖区 全区群众")
    await admin.sees("请发送通知内容")
    await admin.send_photo(caption="停水通知：周五全天", photo=b"\x89PNG fake")
    confirm = await admin.wait_for("将发送给")
    assert "<b>2</b>" in confirm.html
    await admin.tap("发送")
    await admin.sees("通知发送完毕", timeout=10)
    for user in south:
        photo = next(m for m in user.messages if m.kind == "photo")
        assert "停水通知" in photo.text
        assert photo.labels == ["不再接收本站通知"]
    assert all(not [m for m in u.messages if m.kind == "photo"] for u in north)
