"""Transcripts across two platforms: residents on Telegram, deputies and staff on WeCom
(企业微信), one bot process and database. The fake WeCom posts encrypted callbacks to the
bot's real endpoint and checks every API call strictly."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from bot.app import LiaisonBot
from bot.clock import SystemClock
from bot.config import load_settings
from bot.models import Channel
from fakebot import FakeBotApi
from fakewecom import FakeWeCom
from fakewecom.members import FakeMember
from tests.e2e.conftest import TOKEN, world_settings
from tests.e2e.helpers import bind, file_issue, open_bot, revisit
from wecom.inbound import WeComEvent

pytestmark = pytest.mark.e2e

CITY = textwrap.dedent(
    """
    city: 双平台市
    categories:
      - {key: roads, name: {zh: 道路破损, en: Roads}, accept_within: 2h, reply_within: 3d}
    departments:
      - {key: works, name: {zh: 市政工程处, en: Public works}}
    stations:
      - key: river
        name: 河西街道联络站
        district: 河西区
        deputies:
          - {key: wang, name: 王代表, wecom_userid: wang.dep}
          - {key: li, name: 李代表, wecom_userid: li_dep}
          - {key: zhou, name: 周代表}
        staff:
          - {key: zhao, name: 赵工作人员, wecom_userid: zhao}
    patrols:
      - key: river-walk
        station: river
        name: {zh: 河西走街串巷, en: River walk}
        schedule: "0 9 * * 2"
        items: [{zh: 路灯, en: Street lights}, {zh: 井盖, en: Manholes}]
    admins:
      - {key: office, name: 人大办, telegram_id: 901}
    """
)


@dataclass
class Mixed:
    api: FakeBotApi
    wecom: FakeWeCom
    bot: LiaisonBot

    async def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        assert self.bot.db is not None
        async with self.bot.db.read() as repos, repos.conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def handled(self) -> None:
        assert self.bot.wecom is not None
        await self.bot.wecom.idle()


@pytest.fixture
async def mixed(tmp_path: Path) -> AsyncIterator[Mixed]:
    seed = tmp_path / "city.yaml"
    seed.write_text(CITY, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    wecom = FakeWeCom(clock=time.time)
    await api.start()
    await wecom.start()
    settings = world_settings(
        tmp_path,
        api,
        seed,
        LIAISON_SWEEP_SECONDS="0.2",
        **wecom.bot_env(),
    )
    bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
    await bot.start()
    assert bot.wecom is not None
    wecom.callback_url = f"http://127.0.0.1:{bot.wecom.endpoint.port}/wecom/callback"
    world = Mixed(api, wecom, bot)
    try:
        yield world
    finally:
        await world.bot.stop()  # the bot running now (a test may have restarted it)
        await wecom.stop()
        await api.stop()
    assert wecom.violations == []


def members(mixed: Mixed) -> tuple[FakeMember, FakeMember, FakeMember]:
    w = mixed.wecom
    return w.member("wang.dep", "王代表"), w.member("li_dep", "李代表"), w.member("zhao", "赵")


async def test_the_url_check_and_the_app_menu(mixed: Mixed) -> None:
    assert await mixed.wecom.verify_url()
    assert mixed.wecom.menu is not None
    assert [b["name"] for b in mixed.wecom.menu] == ["待办 Tasks", "建议 Suggest", "更多 More"]
    suggest = [b["key"] for b in mixed.wecom.menu[1]["sub_button"]]
    assert suggest == ["suggestions", "hotspots"]
    more = [b["key"] for b in mixed.wecom.menu[2]["sub_button"]]
    assert more == ["overdue", "patrol", "channel", "lang", "help"]  # WeCom allows 5
    wang = mixed.wecom.member("wang.dep", "王代表")
    assert await wang.click_menu("tasks") == 200  # the menu does what /tasks does
    await wang.wait_for("没有")
    assert await wang.click_menu("hotspots") == 200
    await wang.wait_for("建议线索")
    assert await wang.say("代表建议") == 200  # the word does what /suggestions does
    await wang.wait_for("暂无代表建议")


async def test_resident_on_telegram_deputies_on_wecom_accept_answer_rate(mixed: Mixed) -> None:
    wang, li, _ = members(mixed)
    resident = mixed.api.user(7001, "居民甲")
    await open_bot(resident)
    await bind(resident, "river")
    number = await file_issue(resident, "河西路人行道塌陷，有人摔倒", category="道路破损")

    # both deputies get the new issue as a card with its buttons
    card_wang = await wang.wait_for(f"#{number}")
    card_li = await li.wait_for(f"#{number}")
    assert card_wang.card_type == "button_interaction"
    assert "河西路人行道塌陷" in card_wang.text
    assert card_wang.labels == ["认领", "退回", "不予受理"]

    # 王 accepts: his card is greyed with a note, 李's card no longer offers 认领
    assert await wang.press(card_wang, "认领") == 200
    await mixed.handled()
    await mixed.handled()
    assert card_wang.labels == []  # greyed: by the press, or by the notice that he took it
    assert f"已认领 #{number}" in card_wang.text or "已由 王代表" in card_wang.text
    working = await wang.wait_for("答复")
    assert {"答复", "转办", "询问群众"} <= set(working.labels)
    await mixed.handled()
    for _ in range(50):  # the other deputy's card is edited through the outbox
        if card_li.updates:
            break
        await mixed.api.wait_idle(quiet=0.05, timeout=2)
    assert card_li.updates >= 1 and "认领" not in card_li.labels
    await resident.wait_for("王代表 代表认领办理")

    # 王 answers: a preview first, sent only on 发送
    assert await wang.press(working, "答复") == 200
    await wang.wait_for("请输入")
    assert await wang.say("已联系市政，周五前修复并设置围挡。") == 200
    preview = await wang.wait_for("点“发送”后才会发出")
    assert preview.labels == ["发送", "修改", "取消"]
    assert await wang.press(preview, "发送") == 200

    # the resident on Telegram gets the answer: 问题解决了吗, then the rating
    answer = await resident.wait_for("周五前修复并设置围挡")
    await revisit(resident, answer)
    await wang.wait_for("满意")
    rows = await mixed.rows("SELECT state, rating FROM issues WHERE id = ?", number)
    assert rows == [("closed", "satisfied")]
    # notices went to WeCom only: nothing for the deputies on Telegram
    assert await mixed.rows(
        "SELECT COUNT(*) FROM outbox WHERE channel = 'telegram' AND chat_id IN (SELECT id FROM people WHERE key IN ('wang','li'))"
    ) == [(0,)]


async def test_staff_on_wecom_supervise_an_overdue_issue(mixed: Mixed) -> None:
    wang, _, zhao = members(mixed)
    resident = mixed.api.user(7002, "居民乙")
    await open_bot(resident)
    await bind(resident, "river")
    number = await file_issue(resident, "路灯不亮已经一周了", category="道路破损")
    await wang.wait_for(f"#{number}")
    # nobody accepted in time: the accept deadline passed
    assert mixed.bot.db is not None
    async with mixed.bot.db.transaction() as repos:
        await repos.conn.execute(
            "UPDATE issues SET accept_due = ?, next_nudge_at = ? WHERE id = ?",
            (int(time.time()) - 60, int(time.time()) - 60, number),
        )
    notice = await zhao.wait_for("督办", timeout=10)
    assert "督办" in notice.labels or any("督办" in label for label in notice.labels)

    # 督办 typed as a word shows the list, with a button per issue
    assert await zhao.say("督办") == 200
    listing = await zhao.wait_for(f"#{number}")
    button = next(label for label in listing.labels if str(number) in label)
    assert await zhao.press(listing, button) == 200
    await zhao.wait_for(f"已督办 #{number}")
    rows = await mixed.rows(
        "SELECT COUNT(*) FROM events WHERE issue_id = ? AND kind = 'supervised'", number
    )
    assert rows == [(1,)]


async def test_a_patrol_on_wecom(mixed: Mixed) -> None:
    wang, _, zhao = members(mixed)
    assert await zhao.say("巡查") == 200
    await zhao.wait_for("已向 2 位代表发送")
    checklist = await wang.wait_for("河西走街串巷")
    assert "路灯" in checklist.text
    assert checklist.labels == ["⬜ 路灯", "⬜ 井盖", "完成"]
    assert await wang.press(checklist, "⬜ 路灯") == 200
    choice = await wang.wait_for("路灯")
    assert await wang.press(choice, "正常") == 200
    await mixed.handled()
    # the checklist card itself shows the item checked (edited through its fresh code)
    await wang.sees("✅ 路灯")
    rows = await mixed.rows(
        "SELECT COUNT(*) FROM patrol_marks m JOIN patrol_runs r ON r.id = m.run_id "
        "JOIN people p ON p.id = r.deputy_id WHERE p.key = 'wang'"
    )
    assert rows == [(1,)]


async def test_forged_replayed_and_unknown_callbacks(mixed: Mixed) -> None:
    wang, _, _ = members(mixed)
    assert await mixed.wecom.post_forged(wang, "任务", bad_signature=True) == 403
    assert await mixed.wecom.post_forged(wang, "任务", timestamp=int(time.time()) - 3600) == 403
    assert await mixed.wecom.post_forged(wang, "任务", corp_id="wwsomebodyelse") == 403
    assert wang.messages == []

    assert await wang.say("任务") == 200
    await wang.wait_for("没有")
    await mixed.handled()
    before = len(wang.messages)
    request = wang.last_delivery
    assert request is not None
    assert await mixed.wecom.replay(request) == 200
    await mixed.handled()
    assert len(wang.messages) == before

    stranger = mixed.wecom.member("stranger", "陌生人")
    assert await stranger.say("你好") == 200
    await stranger.wait_for("还没有登记")


async def test_notices_follow_the_platform_chosen_with_channel(mixed: Mixed) -> None:
    wang, _, _ = members(mixed)
    assert await wang.say("/channel") == 200
    await wang.wait_for("只在企业微信")


async def test_wecom_alone_without_telegram(tmp_path: Path) -> None:
    """Where Telegram is blocked the office runs the bot with WeCom only: the scheduler's
    sweep still runs (a patrol is started and reaches the deputies)."""
    seed = tmp_path / "city.yaml"
    seed.write_text(CITY, encoding="utf-8")
    async with FakeWeCom(clock=time.time) as wecom:
        settings = load_settings(
            {
                "LIAISON_DB": str(tmp_path / "liaison.db"),
                "LIAISON_SEED": str(seed),
                "LIAISON_QUIET_HOURS": "",
                "LIAISON_SWEEP_SECONDS": "0.2",
                **wecom.bot_env(),
            }
        )
        bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
        await bot.start()
        try:
            assert bot.app is None and bot.wecom is not None
            wecom.callback_url = f"http://127.0.0.1:{bot.wecom.endpoint.port}/wecom/callback"
            wang = wecom.member("wang.dep", "王代表")
            wecom.member("li_dep", "李代表")
            zhao = wecom.member("zhao", "赵")
            assert await zhao.say("/tasks") == 200
            await zhao.wait_for("您没有使用这个命令的权限")
            assert await zhao.say("帮助") == 200
            await zhao.wait_for("巡查 /patrol")
            assert await zhao.say("巡查") == 200
            await zhao.wait_for("已向 2 位代表发送")
            await wang.wait_for("河西走街串巷")
            assert await wang.say("任务") == 200
            await wang.wait_for("没有")
        finally:
            await bot.stop()
        assert wecom.violations == []


async def test_a_callback_recorded_before_a_crash_is_handled_at_the_next_start(
    mixed: Mixed,
) -> None:
    """The endpoint records a callback before WeCom hears 200; if the process dies before
    handling it, the next start handles it (here: recorded, never handled, restarted)."""
    wang, _, _ = members(mixed)
    services = mixed.bot.services
    assert services is not None
    event = WeComEvent(
        kind="text", userid="wang.dep", create_time=int(time.time()), key="m:42", text="任务"
    )
    recorded = await services.platform.receive(
        Channel.WECOM, event.key, event.userid, json.dumps(asdict(event), ensure_ascii=False)
    )
    assert recorded is not None
    settings = mixed.bot.settings
    await mixed.bot.stop()
    mixed.bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
    await mixed.bot.start()
    assert mixed.bot.wecom is not None
    mixed.wecom.callback_url = f"http://127.0.0.1:{mixed.bot.wecom.endpoint.port}/wecom/callback"
    await wang.wait_for("没有")
    await mixed.handled()
    rows = await mixed.rows("SELECT done_at IS NOT NULL FROM platform_inbox WHERE key = 'm:42'")
    assert rows == [(1,)]
    # WeCom's retry of the same message is recognised and not handled again
    again = mixed.bot.services
    assert again is not None
    assert await again.platform.receive(Channel.WECOM, event.key, event.userid, "{}") is None


async def test_an_invite_code_sent_in_wecom_binds_the_member(mixed: Mixed) -> None:
    services = mixed.bot.services
    assert services is not None
    office = await services.people.identify(901, "人大办", "zh")
    station = (await mixed.rows("SELECT id FROM stations WHERE key = 'river'"))[0][0]
    person = (await mixed.rows("SELECT id FROM people WHERE key = 'zhou'"))[0][0]
    assert isinstance(station, int) and isinstance(person, int)
    token = await services.invites.create(office, station, "deputy", person)

    zhou = mixed.wecom.member("zhou.w", "周代表")
    assert await zhou.say(f"inv_{token}") == 200
    await zhou.wait_for("已绑定：您是 河西街道联络站 的代表（周代表）")
    assert await zhou.say("任务") == 200
    await zhou.wait_for("没有")
    rows = await mixed.rows("SELECT wecom_userid FROM people WHERE key = 'zhou'")
    assert rows == [("zhou.w",)]
    # the code works once
    other = mixed.wecom.member("someone", "某人")
    assert await other.say(f"inv_{token}") == 200
    await other.wait_for("无效、已被使用或已过期")


async def test_a_press_on_another_members_card_is_refused(mixed: Mixed) -> None:
    wang, li, _ = members(mixed)
    resident = mixed.api.user(7003, "居民丙")
    await open_bot(resident)
    await bind(resident, "river")
    number = await file_issue(resident, "小区门口的井盖缺失了一块", category="道路破损")
    card_wang = await wang.wait_for(f"#{number}")
    await li.wait_for(f"#{number}")
    # 李 sends a press of 王's card: refused, nothing changes
    assert await li.press_foreign(card_wang, "认领") == 200
    await li.wait_for("这个按钮已失效")
    await mixed.handled()
    rows = await mixed.rows("SELECT state, owner_id FROM issues WHERE id = ?", number)
    assert rows == [("submitted", None)]


async def test_staff_on_wecom_record_a_phone_revisit(mixed: Mixed) -> None:
    """An answer left unrated for 3 days: closed as 未评价, and 赵 (staff, in WeCom) gets the
    station's list for a phone 回访, calls, and records 未解决: it goes back to 王 (重办)."""
    wang, _, zhao = members(mixed)
    resident = mixed.api.user(7003, "居民丙")
    await open_bot(resident)
    await bind(resident, "river")
    number = await file_issue(resident, "桥头的护栏断了一截", category="道路破损")
    card = await wang.wait_for(f"#{number}")
    assert await wang.press(card, "认领") == 200
    working = await wang.wait_for("办理中")
    assert await wang.press(working, "答复") == 200
    await wang.wait_for("请输入")
    assert await wang.say("已请市政补好护栏。") == 200
    assert await wang.press(await wang.wait_for("点“发送”后才会发出"), "发送") == 200
    await resident.wait_for("问题解决了吗")
    # the resident never answers: three days pass (the sweep runs every 0.2 s)
    assert mixed.bot.db is not None
    async with mixed.bot.db.transaction() as repos:
        await repos.conn.execute(
            "UPDATE issues SET replied_at = ? WHERE id = ?",
            (int(time.time()) - 3 * 86400 - 60, number),
        )
    await resident.wait_for("自动办结", timeout=10)
    listing = await zhao.wait_for("电话回访", timeout=10)
    assert f"#{number}" in listing.text
    assert await zhao.press(listing, f"回访 #{number}") == 200
    ask = await zhao.wait_for(f"电话回访 #{number}")
    assert ask.labels == ["已解决", "部分解决", "未解决"]
    assert await zhao.press(ask, "未解决") == 200
    asked = await zhao.sees("请问群众：对答复满意吗")
    assert asked.labels == ["满意", "基本满意", "不满意"]
    assert await zhao.press(asked, "基本满意") == 200
    await zhao.sees(f"已记录 #{number}")  # on WeCom a note on the card replaces its buttons
    await wang.wait_for("电话回访结果：未解决")
    await resident.wait_for("根据联络站的电话回访")
    rows = await mixed.rows(
        "SELECT state, reopen_count, resolution, revisit_by, rating FROM issues WHERE id = ?",
        number,
    )
    assert rows == [("accepted", 1, "unresolved", "phone", "mostly")]
