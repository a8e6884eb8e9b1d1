"""The people around an issue, as transcripts: a supporter (附议) hears its progress like the
resident who raised it and may leave; deputies sleep through quiet hours unless the
category is urgent; once someone takes an issue, whatever offered it (the card, the
reminder) stops offering 认领. The clock is fast-forwarded, never slept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import LiaisonBot
from bot.clock import FastForwardClock
from fakebot import FakeBotApi, FakeUser
from fakebot.methods import scope_key
from tests.e2e.conftest import CITY, TOKEN, World, world_settings
from tests.e2e.helpers import (
    bind,
    file_issue,
    open_bot,
    revisit,
    send_official,
    summary_with_similar,
)

# An urgent category beside the test city's own: its notices wake people at night.
URGENT_CITY = CITY.replace(
    "categories:\n",
    "categories:\n"
    "  - {key: gas, name: {zh: 燃气泄漏, en: Gas leak}, accept_within: 1d, reply_within: 2d,"
    " urgent: true}\n",
    1,
)
# what may come meanwhile, depending on the wall clock: reception-day reminders, the digest
TOLERATED = ["接待日提醒", "今日预警"]


class Town:
    def __init__(self, world: World, clock: FastForwardClock) -> None:
        self.world = world
        self.clock = clock
        self.a, self.b = world.user(501, "甲"), world.user(502, "乙")
        self.staff = world.user(601, "北站员")
        self.alice, self.bob = world.user(1, "Alice"), world.user(2, "Bob")

    def at(self, hour: int, minute: int) -> None:
        """Jump ahead to the next hh:mm of the station's time zone."""
        zone = self.world.settings.zone
        now = datetime.fromtimestamp(self.clock.now(), zone)
        target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= now:
            target += timedelta(days=1)
        self.clock.advance(target.timestamp() - self.clock.now())

    async def nothing_more(self, *people: FakeUser) -> None:
        await self.world.settle()
        for person in people:
            await person.expect_no_more(ignore=TOLERATED)

    async def supporters(self, number: int) -> list[object]:
        rows = await self.world.rows(
            "SELECT p.name FROM issue_supporters s JOIN people p ON p.id = s.person_id "
            "WHERE s.issue_id = ?",
            number,
        )
        return [r[0] for r in rows]


@pytest.fixture
async def town(tmp_path: Path) -> AsyncIterator[Town]:
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(URGENT_CITY, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    settings = world_settings(tmp_path, api, seed_path, LIAISON_QUIET_HOURS="22:00-08:00")
    clock = FastForwardClock()
    bot = LiaisonBot(settings, clock, poll_timeout=1)
    world = World(api, bot, settings, seed_path)
    try:
        await bot.start()
        here = Town(world, clock)
        here.at(10, 0)  # a working morning, whatever the wall clock says
        await open_bot(here.a, here.b, here.staff)
        await bind(here.alice, "north")
        await bind(here.bob, "north")
        yield here
        assert api.violations == []
    finally:
        await world.bot.stop()
        await api.stop()


async def support(bob: FakeUser, number: int, text: str) -> None:
    """Bob reports the same problem and chooses 附议 on the similar issue instead."""
    summary = await summary_with_similar(bob, text)
    await bob.tap(f"附议 #{number}", summary)
    await bob.sees("已附议")


async def test_a_supporter_hears_every_step_but_never_rates(town: Town) -> None:
    a, b, alice, bob = town.a, town.b, town.alice, town.bob
    number = await file_issue(alice, "北关路88号门口的井盖松动了，车过很响")
    card = await a.wait_for("新的群众反映")
    await b.wait_for("新的群众反映")
    await support(bob, number, "北关路88号井盖松动，车一过就响")
    assert await town.supporters(number) == ["Bob"]

    await a.tap("认领", card)
    working = await a.wait_for("办理中")
    await b.sees(f"#{number} 已由 甲代表 认领")
    await alice.wait_for("甲代表 代表认领办理")
    accepted = await bob.wait_for(f"您附议的 #{number}")
    assert "甲代表 代表认领办理" in accepted.text and "井盖松动" in accepted.text
    assert accepted.labels == []

    await a.tap("转办", working)
    await a.wait_for("转交哪个部门")
    await a.tap("市政工程处")
    await alice.wait_for("已转交")
    transferred = await bob.wait_for(f"您附议的 #{number}")
    assert "已转交 市政工程处 办理" in transferred.text
    await a.wait_for("可以补充给部门的备注")
    await send_official(a, "请尽快更换井盖")
    await a.wait_for("已把备注记入")

    await a.tap("答复", working)
    await a.wait_for("请输入给群众的答复")
    await send_official(a, "市政工程处已更换井盖。")
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    answer = await alice.wait_for("的答复")
    heard = await bob.wait_for(f"您附议的 #{number}")
    assert "市政工程处已更换井盖。" in heard.text and "由反映人评价" in heard.text
    assert heard.labels == []  # only the resident who raised it rates

    await revisit(alice, answer, "满意", "已解决")
    await alice.wait_for("已办结")
    closed = await bob.wait_for(f"您附议的 #{number}")
    assert "已办结" in closed.text
    await a.wait_for("群众评价：满意")
    await town.nothing_more(a, b, alice, bob)


async def test_a_supporter_finds_it_in_my_and_may_leave(town: Town) -> None:
    a, b, alice, bob = town.a, town.b, town.alice, town.bob
    number = await file_issue(alice, "小区东门的路灯坏了好几天，晚上一片漆黑")
    await a.wait_for("新的群众反映")
    await b.wait_for("新的群众反映")
    await support(bob, number, "小区东门路灯坏了，晚上很黑")
    own = await file_issue(bob, "楼下的下水道井盖被偷了", category="杂项")
    for deputy in (a, b):
        await deputy.wait_for(f"#{own}")

    await bob.send("/my")
    listing = await bob.wait_for("我的事项")
    assert "含附议" in listing.text
    assert listing.labels[0].startswith(f"#{own} 待受理 · 杂项 · 楼下")
    assert listing.labels[1].startswith(f"#{number} 待受理 · 坑洼 · 附议 · ")
    await bob.tap(listing.labels[1], listing)
    timeline = await bob.wait_for(f"#{number} 进展")
    assert "您附议了此事项" in timeline.text
    assert timeline.labels == ["取消附议"]  # not 补充说明 / 撤回: those are the reporter's

    await bob.tap("取消附议", timeline)
    await bob.wait_for(f"已取消附议 #{number}")
    assert await town.supporters(number) == []
    kinds = await town.world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    assert [k[0] for k in kinds] == ["submitted", "supported", "unsupported"]

    # he hears nothing more of it; the resident who raised it still does
    await a.tap("认领", await a.sees(f"#{number} · 坑洼"))
    await alice.wait_for("甲代表 代表认领办理")
    await town.nothing_more(alice, bob)
    # a second press of the old button explains itself and changes nothing
    alert = await bob.tap_data(f"iss:unsup:{number}", timeline)
    assert alert is not None and "您没有附议" in alert


async def test_deputies_sleep_through_quiet_hours_unless_it_is_urgent(town: Town) -> None:
    a, b, alice = town.a, town.b, town.alice
    town.at(23, 40)
    number = await file_issue(alice, "小区里的健身器材坏了，有安全隐患", category="杂项")
    # the resident is answered at once; the deputies are not woken for it
    await town.nothing_more(a, b)
    held = await town.world.rows(
        "SELECT COUNT(*) FROM outbox WHERE ref = ? AND sent_at IS NULL", f"new:{number}"
    )
    assert held == [(2,)]

    gas = await file_issue(alice, "3号楼楼道里有很浓的煤气味", category="燃气泄漏")
    for deputy in (a, b):  # urgent: out at once, in quiet hours too
        urgent = await deputy.wait_for("新的群众反映")
        assert f"#{gas}" in urgent.text and "煤气味" in urgent.text

    # a follow-up at night waits too; the resident is not held
    town.at(8, 1)
    for deputy in (a, b):
        morning = await deputy.wait_for("新的群众反映", timeout=10)
        assert f"#{number}" in morning.text and "健身器材" in morning.text
    await town.nothing_more(a, b, alice)


async def test_a_reminder_stops_offering_认领_once_someone_took_it(town: Town) -> None:
    a, b, alice = town.a, town.b, town.alice
    await file_issue(alice, "北关路口有个大坑，下雨天积水很深")  # 坑洼: accept within 2h
    card_a = await a.wait_for("新的群众反映")
    card_b = await b.wait_for("新的群众反映")
    town.clock.advance(100 * 60)  # past 80% of the 2 hours
    assert town.world.bot.services is not None
    await town.world.bot.services.deadlines.sweep()
    reminders = [await p.wait_for("还没有代表认领") for p in (a, b)]
    assert all(r.labels == ["认领", "退回", "不予受理"] for r in reminders)

    await a.tap("认领", reminders[0])
    await a.wait_for("办理中")
    await alice.wait_for("认领办理")
    # 乙代表's card and reminder both say who has it now, and offer nothing (甲代表's too)
    for person, message in ((b, card_b), (b, reminders[1]), (a, card_a), (a, reminders[0])):
        await person.edited(message, "已由 甲代表 认领")
        assert message.labels == []
    await town.nothing_more(a, b, alice)


async def test_deputies_menu_offers_report_and_my(town: Town) -> None:
    """Deputies may raise problems and follow them like anyone: the menu says so."""
    for deputy, chat in ((town.a, 501), (town.b, 502)):
        await deputy.send("/start")
        await deputy.wait_for("您好")
        scope = scope_key({"type": "chat", "chat_id": chat})
        menu = [c["command"] for c in town.world.api.commands[(scope, "")]]
        assert menu[:4] == ["start", "tasks", "report", "my"], menu
    await town.a.send("/report")  # like a resident, a deputy first chooses where it is
    await town.a.wait_for("请先选择您所在的联络站")
