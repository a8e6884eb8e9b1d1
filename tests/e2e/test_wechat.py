"""Transcripts across platforms: residents on the WeChat service account, deputies on
Telegram, one bot process and database. The fake WeChat posts encrypted callbacks to the
bot's real endpoint, enforces the 48-hour reply window and checks every API call strictly."""

from __future__ import annotations

import asyncio
import json
import re
import textwrap
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import LiaisonBot
from bot.clock import FastForwardClock
from bot.models import Channel
from fakebot import FakeBotApi
from fakewechat import FakeResident, FakeWeChat
from tests.e2e.conftest import TOKEN, world_settings
from tests.e2e.helpers import open_bot, send_official
from wechat.inbound import WeChatEvent

pytestmark = pytest.mark.e2e

CITY = textwrap.dedent(
    """
    city: 湖滨市
    categories:
      - {key: light, name: {zh: 路灯不亮, en: Street lights}, accept_within: 1d, reply_within: 5d}
      - {key: noise, name: {zh: 噪音扰民, en: Noise}, accept_within: 1d, reply_within: 5d}
    departments:
      - {key: power, name: {zh: 城市照明所, en: Lighting office}}
    stations:
      - key: lake
        name: 湖滨街道联络站
        district: 湖滨区
        location: {lat: 31.2, lon: 121.4}
        reception: [{weekday: 2, start: "09:00", end: "11:00"}]
        deputies:
          - {key: gao, name: 高代表, telegram_id: 811}
        staff:
          - {key: qian, name: 钱工作人员, telegram_id: 821}
      - key: hill
        name: 青山社区联络站
        district: 青山区
        deputies:
          - {key: sun, name: 孙代表, telegram_id: 812}
    admins:
      - {key: office, name: 人大办, telegram_id: 901}
    """
)

PHOTO = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200 + b"\xff\xd9"


@dataclass
class Mixed:
    api: FakeBotApi
    wechat: FakeWeChat
    bot: LiaisonBot
    clock: FastForwardClock

    async def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        assert self.bot.db is not None
        async with self.bot.db.read() as repos, repos.conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def held(self) -> int:
        """Messages waiting for a WeChat resident to write again."""
        rows = await self.rows(
            "SELECT COUNT(*) FROM outbox WHERE channel = 'wechat' AND held_at IS NOT NULL "
            "AND sent_at IS NULL AND failed IS NULL"
        )
        return int(str(rows[0][0]))

    async def handled(self) -> None:
        assert self.bot.wechat is not None
        await self.bot.wechat.idle()

    async def resident(self, openid: str, station: str = "lake") -> FakeResident:
        """A WeChat user scans the station's poster code and follows the account."""
        assert self.bot.wechat is not None
        await self.bot.wechat.client.create_qr(f"st_{station}")  # as `qr --wechat` does
        resident = self.wechat.resident(openid)
        assert await resident.scan(f"st_{station}") == 200
        await resident.wait_for("已为您绑定联络站")
        return resident


@pytest.fixture
async def mixed(tmp_path: Path) -> AsyncIterator[Mixed]:
    seed = tmp_path / "city.yaml"
    seed.write_text(CITY, encoding="utf-8")
    clock = FastForwardClock()
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    wechat = FakeWeChat(clock=clock.now)
    await api.start()
    await wechat.start()
    settings = world_settings(tmp_path, api, seed, LIAISON_SWEEP_SECONDS="0.2", **wechat.bot_env())
    bot = LiaisonBot(settings, clock, poll_timeout=1)
    await bot.start()
    assert bot.wechat is not None
    wechat.callback_url = f"http://127.0.0.1:{bot.wechat.endpoint.port}/wechat/callback"
    world = Mixed(api, wechat, bot, clock)
    try:
        yield world
    finally:
        await world.bot.stop()
        await wechat.stop()
        await api.stop()
    assert wechat.violations == []


async def report(mixed: Mixed, resident: FakeResident, text: str) -> int:
    """我要反映 from the menu, a category tapped, a description, a photo and a location."""
    assert await resident.click_menu("report") == 200
    await resident.wait_for("请选择问题类别")
    assert await resident.tap("路灯不亮") == 200
    await resident.wait_for("请描述问题")
    assert await resident.say(text) == 200
    await resident.wait_for("跳过")
    assert await resident.send_image(PHOTO) == 200
    await resident.wait_for("已收到照片")
    assert await resident.send_location(31.2001, 121.4002, "湖滨路") == 200
    await resident.wait_for("已收到位置")
    assert await resident.tap("完成") == 200
    await resident.wait_for("请确认")
    assert await resident.tap("提交") == 200
    done = await resident.wait_for("已提交")
    await mixed.handled()
    found = re.search(r"#(\d+)", done.text)
    assert found, done.text
    return int(found.group(1))


async def test_the_url_check_and_the_menu(mixed: Mixed) -> None:
    assert await mixed.wechat.verify_url()
    assert mixed.wechat.menu is not None
    assert [b["name"] for b in mixed.wechat.menu] == ["我要反映", "我的事项", "联络站"]


async def test_scan_report_answer_outside_the_window_then_rate(mixed: Mixed) -> None:
    gao = mixed.api.user(811, "高代表")
    await open_bot(gao)
    resident = await mixed.resident("o_res_1")
    number = await report(mixed, resident, "湖滨路 12 号门口路灯坏了一个星期，晚上很黑")

    # the deputy on Telegram gets the card with the photo and the location
    card = await gao.wait_for(f"#{number}")
    assert "湖滨路 12 号门口路灯坏了" in card.text
    photos = [m for m in gao.messages if m.photo]
    assert photos, "the WeChat photo reaches Telegram"
    await gao.tap("认领", card)
    working = await gao.wait_for("办理中")
    await resident.wait_for("认领办理")

    # two days later (the window closed) the deputy answers
    mixed.clock.advance(2 * 24 * 3600 + 60)
    assert mixed.wechat.window("o_res_1").open is False
    await gao.tap("答复", working)
    await send_official(gao, "已联系城市照明所，今晚更换灯泡。")

    # the resident gets a template notice, not the answer
    notice = await resident.wait_for(f"#{number}")
    assert notice.msgtype == "template"
    assert notice.data["character_string1"] == f"#{number}"
    assert "已答复" in notice.data["phrase3"]
    assert mixed.bot.deliverer is not None
    await mixed.bot.deliverer.deliver_due()  # the round that announced it has held it
    assert await mixed.held() == 1

    # they write back: the full answer arrives with 回访's options, 问题解决了吗 then the rating
    assert await resident.say("收到") == 200
    answer = await resident.wait_for("今晚更换灯泡")
    assert [content for _, content in answer.options] == ["已解决", "部分解决", "未解决"]
    assert await resident.tap("已解决") == 200
    asked = await resident.wait_for("满意吗")
    assert [content for _, content in asked.options] == ["满意", "基本满意", "不满意"]
    assert await resident.tap("满意") == 200
    await resident.wait_for("已办结")
    assert await mixed.rows(
        "SELECT state, rating, resolution FROM issues WHERE id = ?", number
    ) == [("closed", "satisfied", "resolved")]
    # the photo came from WeChat and is kept here (WeChat's media expire in 3 days)
    assert await mixed.rows("SELECT channel FROM photos") == [("wechat",)]


async def test_qr_wechat_makes_posters_with_the_accounts_codes(
    mixed: Mixed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in mixed.wechat.bot_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LIAISON_DB", str(mixed.bot.settings.db))
    out = tmp_path / "posters"
    assert await asyncio.to_thread(main, ["qr", "--wechat", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["hill.png", "lake.png"]
    assert set(mixed.wechat.qr_codes) == {"st_lake", "st_hill"}
    # a resident who scans the printed code is bound to that station
    hill = mixed.wechat.resident("o_hill")
    assert await hill.scan("st_hill") == 200
    await hill.wait_for("青山社区联络站")
    # without the service account's settings the command says what is missing
    for name in mixed.wechat.bot_env():
        monkeypatch.delenv(name)
    assert await asyncio.to_thread(main, ["qr", "--wechat", "--out", str(out)]) == 2


async def quick_report(resident: FakeResident, text: str) -> int:
    """我要反映 typed as a word, no photo or location."""
    assert await resident.say("我要反映") == 200
    await resident.wait_for("请选择问题类别")
    assert await resident.tap("噪音扰民") == 200
    await resident.wait_for("请描述问题")
    assert await resident.say(text) == 200
    await resident.wait_for("跳过")
    assert await resident.tap("跳过") == 200
    await resident.wait_for("请确认")
    assert await resident.tap("提交") == 200
    found = re.search(r"#(\d+)", (await resident.wait_for("已提交")).text)
    assert found
    return int(found.group(1))


async def test_question_follow_up_support_and_my_on_wechat(mixed: Mixed) -> None:
    gao = mixed.api.user(811, "高代表")
    await open_bot(gao)
    first = await mixed.resident("o_first")
    number = await quick_report(first, "夜里两点工地还在施工，噪音很大睡不着")
    card = await gao.wait_for(f"#{number}")
    await gao.tap("认领", card)
    working = await gao.wait_for("办理中")
    await first.wait_for("认领办理")

    # the deputy asks; the resident taps 回复 and answers in the chat
    await gao.tap("询问群众", working)
    await gao.wait_for("请输入")
    await send_official(gao, "请问是哪个工地？具体几号楼附近？")
    question = await first.wait_for("具体几号楼附近")
    assert "回复" in {content for _, content in question.options}
    assert await first.tap("回复") == 200
    assert await first.say("是湖滨路北侧 3 号楼旁的工地") == 200
    await gao.wait_for("3 号楼旁的工地")

    # /my by word: the issue opens its timeline, with 补充说明
    assert await first.say("我的事项") == 200
    listing = await first.wait_for("我的事项")
    assert any(f"#{number}" in content for _, content in listing.options)
    option = next(content for _, content in listing.options if f"#{number}" in content)
    assert await first.tap(option) == 200
    timeline = await first.wait_for("补充说明")
    assert "询问群众" in timeline.text and "3 号楼旁的工地" in timeline.text
    assert await first.tap("补充说明") == 200
    assert await first.say("今晚又在施工，一直到凌晨三点") == 200
    await gao.wait_for("凌晨三点")

    # a neighbour reports the same noise and supports the first issue instead
    second = await mixed.resident("o_second")
    assert await second.say("我要反映") == 200
    await second.wait_for("请选择问题类别")
    assert await second.tap("噪音扰民") == 200
    await second.wait_for("请描述问题")
    assert await second.say("夜里工地施工噪音很大，睡不着觉") == 200
    await second.wait_for("跳过")
    assert await second.tap("跳过") == 200
    similar = await second.wait_for("相似的事项")
    assert await second.tap(f"附议 #{number}") == 200
    await second.wait_for(f"已附议 #{number}")
    rows = await mixed.rows("SELECT COUNT(*) FROM issue_supporters WHERE issue_id = ?", number)
    assert rows == [(1,)]
    assert similar.msgtype == "msgmenu"
    await mixed.handled()


async def test_a_window_closing_between_queueing_and_sending_loses_nothing(mixed: Mixed) -> None:
    gao = mixed.api.user(811, "高代表")
    await open_bot(gao)
    resident = await mixed.resident("o_late")
    number = await quick_report(resident, "小区门口的广场舞音响太吵，每天到十点")
    card = await gao.wait_for(f"#{number}")
    await gao.tap("认领", card)
    working = await gao.wait_for("办理中")
    await resident.wait_for("认领办理")

    # by our count the window is still open, but WeChat says it closed meanwhile
    mixed.wechat.fail_next("message/custom/send", 45015)
    await gao.tap("答复", working)
    await send_official(gao, "已与社区沟通，音响音量调低，九点前结束。")
    notice = await resident.wait_for(f"#{number}")
    assert notice.msgtype == "template"
    assert mixed.bot.deliverer is not None
    await mixed.bot.deliverer.deliver_due()
    assert await mixed.held() == 1

    # the resident writes: the answer arrives whole, once
    assert await resident.say("好的") == 200
    await resident.wait_for("九点前结束")
    await mixed.handled()
    await mixed.bot.deliverer.deliver_due()
    assert await mixed.held() == 0
    answers = [m for m in resident.messages if "九点前结束" in m.text]
    assert len(answers) == 1
    # the word that released it got no "I don't understand"
    assert not any("我没有理解" in m.text for m in resident.messages)


async def test_forged_and_replayed_callbacks_are_refused(mixed: Mixed) -> None:
    resident = await mixed.resident("o_guard")
    assert await mixed.wechat.post_forged(resident, "我要反映", bad_signature=True) == 403
    stale = int(mixed.clock.now()) - 3600
    assert await mixed.wechat.post_forged(resident, "我要反映", timestamp=stale) == 403
    assert await mixed.wechat.post_forged(resident, "我要反映", app_id="wxsomeoneelse01") == 403
    assert await resident.say("我的事项") == 200
    await resident.wait_for("还没有")
    await mixed.handled()
    genuine = mixed.wechat.callbacks[-1]
    assert await mixed.wechat.replay(genuine) == 200  # acknowledged, not handled again
    await mixed.handled()
    rows = await mixed.rows("SELECT COUNT(*) FROM platform_inbox WHERE channel = 'wechat'")
    assert rows == [(2,)]  # the scan and the word: nothing forged, nothing twice


async def test_a_report_interrupted_by_a_crash_goes_on_after_the_restart(mixed: Mixed) -> None:
    """The endpoint records a callback before WeChat hears "success"; if the process dies
    before handling it, the next start handles it, and the draft goes on from its step."""
    resident = await mixed.resident("o_crash")
    assert await resident.click_menu("report") == 200
    await resident.wait_for("请选择问题类别")
    assert await resident.tap("路灯不亮") == 200
    await resident.wait_for("请描述问题")
    await mixed.handled()
    services = mixed.bot.services
    assert services is not None
    event = WeChatEvent(
        kind="text",
        openid="o_crash",
        create_time=int(mixed.clock.now()),
        key="msg:424242",
        text="湖滨公园东门的路灯整排都不亮",
    )
    payload = json.dumps(asdict(event), ensure_ascii=False)
    assert await services.platform.receive(Channel.WECHAT, event.key, event.openid, payload)
    settings = mixed.bot.settings
    await mixed.bot.stop()
    mixed.bot = LiaisonBot(settings, mixed.clock, poll_timeout=1)
    await mixed.bot.start()
    assert mixed.bot.wechat is not None
    port = mixed.bot.wechat.endpoint.port
    mixed.wechat.callback_url = f"http://127.0.0.1:{port}/wechat/callback"
    await resident.wait_for("跳过")  # the description recorded before the crash was applied
    assert await resident.tap("跳过") == 200
    summary = await resident.wait_for("请确认")
    assert "湖滨公园东门的路灯整排都不亮" in summary.text
    assert await resident.tap("提交") == 200
    await resident.wait_for("已提交")
    rows = await mixed.rows("SELECT description FROM issues")
    assert rows == [("湖滨公园东门的路灯整排都不亮",)]


async def test_a_resident_types_their_phone_number_on_the_summary(mixed: Mixed) -> None:
    resident = await mixed.resident("o_phone")
    assert await resident.say("我要反映") == 200
    await resident.wait_for("请选择问题类别")
    assert await resident.tap("噪音扰民") == 200
    await resident.wait_for("请描述问题")
    assert await resident.say("楼上每天半夜拖动家具，声音很大") == 200
    await resident.wait_for("跳过")
    assert await resident.tap("跳过") == 200
    await resident.wait_for("请确认")
    assert await resident.tap("附上我的手机号") == 200
    await resident.wait_for("请直接输入您的手机号")
    assert await resident.say("138 0013 8000") == 200
    await resident.wait_for("+13800138000")
    summary = await resident.wait_for("请确认")
    assert "+13800138000" in summary.text
    assert "提交" in {content for _, content in summary.options}
    rows = await mixed.rows("SELECT phone FROM people WHERE wechat_openid = 'o_phone'")
    assert rows == [("+13800138000",)]


async def test_a_resident_switches_to_english_and_sees_the_help_in_english(mixed: Mixed) -> None:
    resident = await mixed.resident("o_lang")
    assert await resident.click_menu("lang") == 200
    await resident.wait_for("English")
    assert await resident.tap("English") == 200
    await resident.wait_for("Language set to English.")
    assert await resident.say("/help") == 200
    await resident.wait_for("report a problem, with photos and a location")
    rows = await mixed.rows("SELECT lang FROM people WHERE wechat_openid = 'o_lang'")
    assert rows == [("en",)]


async def test_revisit_on_wechat_resolved_then_it_came_back_two_weeks_later(mixed: Mixed) -> None:
    """回访 in a msgmenu: 问题解决了吗 then the rating; 14 days later, with the window long
    closed, the re-check comes as a template notice and waits; the resident writes and
    answers 又出现了, and it goes back to the deputy (重办)."""
    gao = mixed.api.user(811, "高代表")
    await open_bot(gao)
    resident = await mixed.resident("o_res_revisit")
    number = await report(mixed, resident, "湖滨路 30 号的路灯一直闪，晚上看不清路")
    await gao.tap("认领", await gao.wait_for(f"#{number}"))
    working = await gao.wait_for("办理中")
    await gao.tap("答复", working)
    await send_official(gao, "已更换灯头，今晚起正常。")
    answer = await resident.wait_for("今晚起正常")
    assert [content for _, content in answer.options] == ["已解决", "部分解决", "未解决"]
    assert await resident.tap("已解决") == 200
    await resident.wait_for("满意吗")
    assert await resident.tap("基本满意") == 200
    await resident.wait_for("已办结")
    await gao.wait_for("群众评价：基本满意")

    # two weeks on: the window closed long ago, so a template says a question waits
    mixed.clock.advance(14 * 24 * 3600 + 60)
    notice = await resident.wait_for(f"#{number}", timeout=10)
    assert notice.msgtype == "template"
    assert "有没有反复" in notice.data["thing2"]
    assert mixed.bot.deliverer is not None
    await mixed.bot.deliverer.deliver_due()
    assert await mixed.held() == 1
    assert await resident.say("在的") == 200
    asked = await resident.wait_for("问题有没有反复？")
    assert [content for _, content in asked.options] == ["没有", "又出现了"]
    assert await resident.tap("又出现了") == 200
    await resident.wait_for("重办")
    card = await gao.wait_for("群众反馈问题又出现了")
    assert f"#{number}" in card.text
    await mixed.handled()
    assert await mixed.rows(
        "SELECT state, reopen_count, recheck FROM issues WHERE id = ?", number
    ) == [("accepted", 1, "recurred")]
