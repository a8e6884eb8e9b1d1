"""Invite links (single use, expiring) and binding by one's own phone number."""

from __future__ import annotations

import re

from bot.callbacks import InvitePress
from tests.e2e.conftest import World


async def invite_link(world: World, role: str, person: str) -> str:
    admin = world.user(901, "代表工委")
    await admin.send("/invite")
    await admin.wait_for("请选择区")
    await admin.tap("北关区")
    await admin.sees("请选择联络站")
    await admin.tap("北关街道联络站")
    await admin.sees("邀请哪类人员")
    await admin.tap(role)
    await admin.sees("请选择要邀请的人")
    await admin.tap(person)
    message = await admin.sees("邀请链接")
    match = re.search(r"https://t\.me/liaison_test_bot\?start=(inv_[A-Za-z0-9_-]+)", message.text)
    assert match, message.text
    assert len(match.group(1)) <= 64
    return match.group(1)


async def test_invite_link_binds_once(world: World) -> None:
    # 甲代表 is bound to no account yet (an invite never takes a bound person's role:
    # tests/e2e/test_identity.py)
    async with world.db.transaction() as repos:
        await repos.conn.execute("UPDATE people SET telegram_id = NULL WHERE key = 'dep-a'")
    payload = await invite_link(world, "代表", "甲代表")
    newcomer = world.user(8001, "新手机")
    await newcomer.send(f"/start {payload}")
    await newcomer.wait_for("已绑定：您是 北关街道联络站 的代表（甲代表）")
    await newcomer.wait_for("甲代表代表")  # greeted with the role
    rows = await world.rows(
        "SELECT p.telegram_id, m.role FROM people p JOIN memberships m ON m.person_id = p.id "
        "WHERE p.key = 'dep-a'"
    )
    assert rows == [(8001, "deputy")]
    other = world.user(8002, "别人")
    await other.send(f"/start {payload}")
    await other.wait_for("这个邀请链接无效、已被使用或已过期")
    assert await world.rows("SELECT telegram_id FROM people WHERE key = 'dep-a'") == [(8001,)]
    assert await world.rows("SELECT used_by FROM invites") == [(8001,)]


async def test_invite_link_expires_and_unknown_links_are_refused(world: World) -> None:
    payload = await invite_link(world, "工作人员", "✓ 北站工作人员")
    await world.settle()
    async with world.db.transaction() as repos:
        await repos.conn.execute("UPDATE invites SET expires_at = created_at - 1")
    late = world.user(8003, "迟到")
    await late.send(f"/start {payload}")
    await late.wait_for("这个邀请链接无效、已被使用或已过期")
    await late.send("/start inv_nonsense")
    await late.wait_for("这个邀请链接无效、已被使用或已过期")
    assert await world.rows("SELECT telegram_id FROM people WHERE key = 'staff-n'") == [(601,)]
    assert await world.rows("SELECT used_at FROM invites") == [(None,)]


async def test_only_admins_invite(world: World) -> None:
    staff = world.user(601, "北站工作人员")
    await staff.send("/invite")
    menu = await staff.wait_for("您没有使用这个命令的权限")
    north = (await world.rows("SELECT id FROM stations WHERE key = 'north'"))[0][0]
    dep = (await world.rows("SELECT id FROM people WHERE key = 'dep-b'"))[0][0]
    press = InvitePress(verb="who", station=int(north), role=0, person=int(dep))  # type: ignore[call-overload]
    await staff.tap_data(press.pack(), menu)
    assert staff.alerts[-1] == "您无权进行此操作。"
    assert await world.rows("SELECT COUNT(*) FROM invites") == [(0,)]


async def test_phone_binding_only_with_ones_own_contact(world: World) -> None:
    async with world.db.transaction() as repos:
        await repos.conn.execute(
            "UPDATE people SET phone = '+86 138 0000 0002', telegram_id = NULL, started_at = NULL "
            "WHERE key = 'dep-b'"
        )
    user = world.user(8100, "乙")
    await user.send("/help")
    await user.wait_for("可以分享本人手机号")
    await user.tap("我是代表/工作人员")
    await user.wait_for("请点下方按钮分享您本人的手机号")
    assert user.keyboard is not None and "分享我的手机号" in user.keyboard[0]
    # someone else's contact card with the deputy's number binds nothing
    await user.send_contact("+8613800000002", user_id=8200, first_name="别人")
    await user.wait_for("只能分享您本人的手机号")
    assert await world.rows("SELECT telegram_id FROM people WHERE key = 'dep-b'") == [(None,)]
    # an unknown number binds nothing either
    await user.send_contact("+8613999999999")
    await user.wait_for("没有找到与该手机号对应的代表或工作人员")
    await user.send_contact("8613800000002")
    await user.wait_for("已绑定身份：乙代表")
    assert await world.rows("SELECT telegram_id FROM people WHERE key = 'dep-b'") == [(8100,)]
    await user.send("/tasks")
    await user.next_message()
    assert world.api.violations == []
