"""The wrong person never takes over a seeded role (a hostile review's findings).

- An invite or a phone number whose person is bound to another account binds nothing: the
  person who holds the role keeps it.
- An account that stands for one seeded person (the admin) and opens an invite for another
  is asked first, with a question naming both; only 确认 moves it, 取消 changes nothing,
  and the invite stays usable until then. Every press is checked again.
- A seed load never fails on an account the database has bound to another person: the seed
  wins, and the load says so in one log line (keys only). A restart after any of this
  starts.
- An invite binds only while the seed lists its person at the station, and the seed governs
  every membership, also one an invite made.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import LiaisonBot
from bot.callbacks import IdentityPress
from bot.models import Channel
from fakebot import BotMessage
from tests.e2e.conftest import CITY, World
from tests.e2e.test_invites import invite_link
from tests.e2e.worlds import running_world, telegram_and_wecom

pytestmark = pytest.mark.e2e

DEP_B = "      - {key: dep-b, name: 乙代表, telegram_id: 502}\n"
DEP_D = '      - {key: dep-d, name: 丁代表, phone: "13800000004"}\n'
# the test city, with a deputy the seed binds to no account (an invite or their number does)
WITH_D = CITY.replace(DEP_B, DEP_B + DEP_D)
WITHOUT_D = CITY
assert WITH_D != CITY

QUESTION = (
    "您当前登记为 代表工委（管理员）。确认改为 丁代表（北关街道联络站 代表）吗？原身份将解除。"
)


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, seed=WITH_D) as world:
        yield world


async def bound(world: World, key: str) -> object:
    """The Telegram account the person `key` is bound to (None: none)."""
    [(telegram_id,)] = await world.rows("SELECT telegram_id FROM people WHERE key = ?", key)
    return telegram_id


async def memberships(world: World, key: str) -> list[tuple[object, ...]]:
    return await world.rows(
        "SELECT s.key, m.role, m.source FROM memberships m JOIN people p ON p.id = m.person_id "
        "JOIN stations s ON s.id = m.station_id WHERE p.key = ?",
        key,
    )


async def invite_used(world: World) -> list[tuple[object, ...]]:
    return await world.rows("SELECT used_by FROM invites")


async def still_admin(world: World) -> None:
    """901 is the admin: /invite works for them."""
    admin = world.user(901, "代表工委")
    await admin.send("/invite")
    await admin.wait_for("请选择区")


async def question(world: World, payload: str) -> BotMessage:
    """The admin (901) opens an invite meant for 丁代表: asked first, nothing moved yet."""
    admin = world.user(901, "代表工委")
    await admin.send(f"/start {payload}")
    await world.settle()
    assert await bound(world, "boss") == 901 and await bound(world, "dep-d") is None, (
        "opening a deputy's invite alone moved the admin's account (no confirmation asked): "
        f"boss → {await bound(world, 'boss')}, 丁代表 → {await bound(world, 'dep-d')}"
    )
    asked = await admin.wait_for("确认改为")
    assert asked.text == QUESTION, f"the question must name both people: {asked.text!r}"
    assert asked.labels == ["确认", "取消"], asked.labels
    assert await invite_used(world) == [(None,)], "the invite was used up by the question alone"
    return asked


# --- 1. an invite or a number never takes a role from the person who holds it -------------------


async def test_an_invite_for_a_bound_deputy_binds_nobody_and_the_deputy_keeps_the_role(
    city: World,
) -> None:
    payload = await invite_link(city, "代表", "✓ 乙代表")  # 乙代表 is bound to 502
    for user_id, name in ((8001, "拿到链接的人"), (901, "代表工委")):
        user = city.user(user_id, name)
        await user.send(f"/start {payload}")
        await city.settle()
        assert await bound(city, "dep-b") == 502, (
            f"{name} ({user_id}) took 乙代表's role by opening the invite: 乙代表 is now bound "
            f"to {await bound(city, 'dep-b')}"
        )
        await user.wait_for("此邀请对应的人员已绑定其他账号，请联系管理员")
    assert await bound(city, "boss") == 901, "the admin lost their account to a refused invite"
    assert await invite_used(city) == [(None,)], "a refused invite was used up"
    deputy = city.user(502, "乙代表")
    await deputy.send("/tasks")
    await deputy.wait_for("没有")  # still the deputy
    await city.restart()
    await still_admin(city)
    assert await bound(city, "dep-b") == 502
    assert city.api.violations == []


async def test_a_phone_number_never_moves_an_account_that_stands_for_someone_else(
    city: World,
) -> None:
    admin = city.user(901, "代表工委")
    await admin.send_contact("+86 138 0000 0004")  # 丁代表's number, from the admin's account
    await city.settle()
    assert await bound(city, "boss") == 901 and await bound(city, "dep-d") is None, (
        "sharing a number moved the admin's account to 丁代表: "
        f"boss → {await bound(city, 'boss')}, 丁代表 → {await bound(city, 'dep-d')}"
    )
    said = await admin.wait_for("该手机号对应")
    assert "代表工委" in said.text and "丁代表" in said.text, f"not naming both: {said.text!r}"
    await still_admin(city)
    # 丁代表 themselves (an account that stands for nobody) bind as before
    ding = city.user(8100, "丁")
    await ding.send_contact("13800000004")
    await ding.wait_for("已绑定身份：丁代表")
    # and then nobody else takes the role with the same number
    other = city.user(8200, "别人")
    await other.send_contact("13800000004")
    await other.wait_for("该手机号对应的人员已绑定其他账号")
    assert await bound(city, "dep-d") == 8100
    assert city.api.violations == []


# --- 2. an account of a seeded person is asked first; only 确认 moves it ------------------------


async def test_cancel_changes_nothing_and_the_invite_stays_usable(city: World) -> None:
    payload = await invite_link(city, "代表", "丁代表")
    asked = await question(city, payload)
    admin = city.user(901, "代表工委")
    await admin.tap("取消", asked)
    await admin.edited(asked, "已取消，您的身份没有改变")
    assert await bound(city, "boss") == 901 and await bound(city, "dep-d") is None, (
        "取消 moved the admin's account"
    )
    assert await invite_used(city) == [(None,)], "取消 used the invite up"
    await still_admin(city)
    # the invite still works for the person it was meant for
    ding = city.user(8001, "丁的新手机")
    await ding.send(f"/start {payload}")
    await ding.wait_for("已绑定：您是 北关街道联络站 的代表（丁代表）")
    assert await bound(city, "dep-d") == 8001
    assert city.api.violations == []


async def test_confirm_moves_the_account_and_the_seed_takes_it_back_at_the_restart(
    city: World, caplog: pytest.LogCaptureFixture
) -> None:
    payload = await invite_link(city, "代表", "丁代表")
    asked = await question(city, payload)
    admin = city.user(901, "代表工委")
    await admin.tap("确认", asked)
    done = await admin.edited(asked, "已确认")
    assert "丁代表（北关街道联络站 代表）" in done.text and "代表工委（管理员）" in done.text, (
        done.text
    )
    assert await bound(city, "dep-d") == 901 and await bound(city, "boss") is None
    assert await invite_used(city) == [(901,)]
    await admin.send("/tasks")
    await admin.wait_for("没有")  # a deputy now
    # the seed binds 901 to the admin: the restart starts, and the seed wins
    caplog.set_level(logging.INFO)
    await city.restart()
    assert await bound(city, "boss") == 901 and await bound(city, "dep-d") is None, (
        "after the restart the seed's binding (boss: 901) does not hold"
    )
    lines = [r.getMessage() for r in caplog.records if "seed conflict" in r.getMessage()]
    assert lines == [
        'seed conflict: telegram_id of "boss" was bound to "dep-d": the seed gives it to '
        '"boss", "dep-d" is unbound'
    ], lines
    await still_admin(city)
    assert city.api.violations == []


async def test_a_restart_after_the_old_takeover_starts(
    city: World, caplog: pytest.LogCaptureFixture
) -> None:
    """What the hole left behind (the admin's account on 丁代表, the admin's row unbound)
    made the next start fail with UNIQUE constraint failed: people.telegram_id."""
    async with city.db.transaction() as repos:
        await repos.conn.execute("UPDATE people SET telegram_id = NULL WHERE key = 'boss'")
        await repos.conn.execute("UPDATE people SET telegram_id = 901 WHERE key = 'dep-d'")
    caplog.set_level(logging.INFO)
    await city.restart()  # before: sqlite3.IntegrityError out of the seed load
    assert await bound(city, "boss") == 901 and await bound(city, "dep-d") is None
    conflicts = [r for r in caplog.records if "seed conflict" in r.getMessage()]
    assert len(conflicts) == 1, [r.getMessage() for r in conflicts]
    line = conflicts[0].getMessage()
    for private in ("901", "代表工委", "丁代表", "13800000004"):
        assert private not in line, f"the log line holds personal data ({private}): {line}"
    await still_admin(city)


async def test_every_confirm_press_is_checked_again(city: World) -> None:
    payload = await invite_link(city, "代表", "丁代表")
    asked = await question(city, payload)
    button = asked.button("确认")
    assert button is not None and button.callback_data is not None
    press = IdentityPress.unpack(button.callback_data)
    assert press is not None and press.token == payload[4:]
    # somebody else forging the same press on a message of their own: stale, nothing moves
    resident = city.user(8002, "居民")
    await resident.send("/help")
    own = await resident.next_message()
    alert = await resident.tap_data(button.callback_data, own)
    assert alert is not None and "失效" in alert, f"a forged 确认 was not refused: {alert!r}"
    assert await bound(city, "dep-d") is None and await bound(city, "boss") == 901
    # the person it was meant for uses the invite first: the admin's 确认 then moves nothing
    ding = city.user(8001, "丁")
    await ding.send(f"/start {payload}")
    await ding.wait_for("已绑定：您是 北关街道联络站 的代表（丁代表）")
    alert = await city.user(901, "代表工委").tap("确认", asked)
    assert alert is not None and "无效、已被使用或已过期" in alert, alert
    assert await bound(city, "dep-d") == 8001 and await bound(city, "boss") == 901, (
        "a 确认 pressed after the invite was used moved an account"
    )
    assert city.api.violations == []


# --- 3. the seed governs: an invite binds only while its person is listed there -----------------


async def test_an_invite_for_someone_the_seed_removed_binds_nothing(city: World) -> None:
    payload = await invite_link(city, "代表", "丁代表")
    city.seed_path.write_text(WITHOUT_D, encoding="utf-8")
    await city.restart()
    assert await memberships(city, "dep-d") == []
    newcomer = city.user(8001, "新手机")
    await newcomer.send(f"/start {payload}")
    await city.settle()
    assert await memberships(city, "dep-d") == [], (
        "an invite redeemed after the seed removed 丁代表 made them a deputy again"
    )
    assert await bound(city, "dep-d") is None, "the removed person's row was bound anyway"
    await newcomer.wait_for("此邀请对应的人员已不在该联络站登记")
    assert await invite_used(city) == [(None,)]
    assert city.api.violations == []


async def test_a_membership_an_invite_made_goes_with_the_seed(city: World) -> None:
    # a membership an invite made (as redeeming did before the seed governed them)
    async with city.db.transaction() as repos:
        await repos.conn.execute(
            "UPDATE memberships SET source = 'invite' "
            "WHERE person_id = (SELECT id FROM people WHERE key = 'dep-d')"
        )
    assert await memberships(city, "dep-d") == [("north", "deputy", "invite")]
    await city.restart()  # the same seed: it lists 丁代表, the row is the seed's now
    assert await memberships(city, "dep-d") == [("north", "deputy", "seed")]
    async with city.db.transaction() as repos:
        await repos.conn.execute("UPDATE memberships SET source = 'invite'")
    city.seed_path.write_text(WITHOUT_D, encoding="utf-8")
    await city.restart()
    assert await memberships(city, "dep-d") == [], (
        "a seed load that no longer lists 丁代表 kept the membership an invite made"
    )
    assert await memberships(city, "dep-a") == [("north", "deputy", "seed")]


# --- WeCom: the same service; a member of another person is refused (no buttons there) -----------

WECOM_CITY = """
city: 双平台市
categories:
  - {key: roads, name: {zh: 道路破损, en: Roads}, accept_within: 2h, reply_within: 3d}
stations:
  - key: river
    name: 河西街道联络站
    district: 河西区
    deputies:
      - {key: wang, name: 王代表, wecom_userid: wang.dep}
      - {key: zhou, name: 周代表}
admins:
  - {key: office, name: 人大办, telegram_id: 901}
"""


async def rows(bot: LiaisonBot, sql: str) -> list[tuple[object, ...]]:
    assert bot.db is not None
    async with bot.db.read() as repos, repos.conn.execute(sql) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def test_wecom_invites_never_move_a_member_or_take_a_bound_person(tmp_path: Path) -> None:
    async with telegram_and_wecom(tmp_path, WECOM_CITY) as (_, wecom, bot):
        services = bot.services
        assert services is not None and bot.wecom is not None
        office = await services.people.identify(901, "人大办", "zh")
        [(station,)] = await rows(bot, "SELECT id FROM stations WHERE key = 'river'")
        ids = {
            str(key): int(str(pid))
            for key, pid in await rows(
                bot, "SELECT key, id FROM people WHERE key IN ('wang', 'zhou')"
            )
        }
        assert isinstance(station, int)
        for_zhou = await services.invites.create(office, station, "deputy", ids["zhou"])
        for_wang = await services.invites.create(office, station, "deputy", ids["wang"])
        # 王代表's member opens 周代表's code: refused, both stay as they are
        wang = wecom.member("wang.dep", "王代表")
        assert await wang.say(f"inv_{for_zhou}") == 200
        # another member opens 王代表's code: refused, 王代表 keeps the role
        zhou = wecom.member("zhou.w", "周代表")
        assert await zhou.say(f"inv_{for_wang}") == 200
        await bot.wecom.idle()
        accounts = await rows(
            bot, "SELECT key, wecom_userid FROM people WHERE key IN ('wang', 'zhou')"
        )
        assert sorted(accounts) == [("wang", "wang.dep"), ("zhou", None)], (
            f"a WeCom invite moved a member or took a bound person's role: {accounts}"
        )
        await wang.wait_for("您的企业微信账号已登记为其他人员")
        await zhou.wait_for("此邀请对应的人员已绑定其他账号")
        assert await rows(bot, "SELECT used_at FROM invites") == [(None,), (None,)]
        # 周代表 with their own code binds as ever
        assert await zhou.say(f"inv_{for_zhou}") == 200
        await zhou.wait_for("已绑定：您是 河西街道联络站 的代表（周代表）")
        await bot.wecom.idle()
        person = await services.platform.identify(Channel.WECOM, "zhou.w")
        assert person is not None and person.deputy_at


def test_the_question_fits_a_callback() -> None:
    """确认 carries the invite's token and the person named: within Telegram's 64 bytes."""
    token = "A" * 32
    data = IdentityPress(verb="ok", person=2**53, token=token).pack()
    assert len(data.encode()) <= 64
    assert re.match(IdentityPress.pattern("ok"), data)
    assert IdentityPress.unpack("idn:ok:1:" + "a b" * 4) is None
    assert IdentityPress.unpack("idn:no") == IdentityPress(verb="no")
