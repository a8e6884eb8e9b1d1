"""回访 and 重办 as transcripts: after an answer the resident says whether the problem is
solved, then rates; 未解决 (or 部分解决 + 不满意) is handled again (重办); answers left unrated are
closed after 3 days and the staff record a phone 回访; 14 days after 已解决 the resident is
asked once whether the problem came back. The clock is fast-forwarded, never slept."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import LiaisonBot
from bot.clock import FastForwardClock
from bot.services import Services
from fakebot import BotMessage, FakeBotApi, FakeUser
from tests.e2e.conftest import CITY, TOKEN, World, world_settings
from tests.e2e.helpers import bind, file_issue, open_bot, revisit, send_official

DAY = 86400
# what may come meanwhile, depending on the wall clock: reception-day reminders, the digest
TOLERATED = ["接待日提醒", "今日预警"]


class Revisits:
    """The test city on a clock that jumps ahead when told."""

    def __init__(self, world: World, clock: FastForwardClock) -> None:
        self.world = world
        self.clock = clock
        self.a, self.b = world.user(501, "甲"), world.user(502, "乙")
        self.staff = world.user(601, "北站员")
        self.alice = world.user(1, "Alice")

    @property
    def services(self) -> Services:
        assert self.world.bot.services is not None
        return self.world.bot.services

    async def sweep_after(self, seconds: int) -> None:
        """Days later: the scheduler's sweep runs (and what it queued is delivered)."""
        self.clock.advance(seconds)
        await self.services.deadlines.sweep()
        await self.world.settle()

    async def answered(
        self, text: str = "北关路口有个大坑，下雨天积水很深"
    ) -> tuple[int, BotMessage]:
        """Alice's issue, accepted and answered by 甲代表: its number and her answer."""
        number = await file_issue(self.alice, text)
        await self.a.tap("认领", await self.a.wait_for(f"#{number}"))
        card = await self.a.wait_for("办理中")
        await self.alice.wait_for("认领办理")
        await self.b.sees(f"#{number} 已由 甲代表 认领")  # 乙代表's notice, edited
        await self.a.tap("答复", card)
        await self.a.wait_for("请输入给群众的答复")
        await send_official(self.a, "已请市政把坑填平。")
        await self.a.wait_for(f"已将答复发送给群众（#{number}）")
        answer = await self.alice.wait_for("的答复")
        assert "问题解决了吗？" in answer.text
        assert answer.labels == ["已解决", "部分解决", "未解决"]
        return number, answer

    async def nothing_more(self, *people: FakeUser) -> None:
        for person in people or (self.a, self.b, self.staff, self.alice):
            await person.expect_no_more(ignore=TOLERATED)

    async def issue(self, number: int) -> tuple[object, ...]:
        [row] = await self.world.rows(
            "SELECT state, reopen_count, supervised, resolution, revisit_by, rating, recheck "
            "FROM issues WHERE id = ?",
            number,
        )
        return row

    async def kinds(self, number: int) -> list[object]:
        rows = await self.world.rows(
            "SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number
        )
        return [r[0] for r in rows]


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[Revisits]:
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(CITY, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    settings = world_settings(tmp_path, api, seed_path)
    clock = FastForwardClock()
    bot = LiaisonBot(settings, clock, poll_timeout=1)
    world = World(api, bot, settings, seed_path)
    try:
        await bot.start()
        here = Revisits(world, clock)
        await open_bot(here.a, here.b, here.staff)
        await bind(here.alice, "north")
        yield here
        assert api.violations == []
    finally:
        await world.bot.stop()
        await api.stop()


def due_in(text: str) -> int:
    """The deadline a notice shows (YYYY-MM-DD HH:MM, Asia/Shanghai), as unix seconds."""
    found = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    assert found, text
    moment = datetime.strptime(found.group(0), "%Y-%m-%d %H:%M")
    return int(moment.replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())


async def test_resolved_and_satisfied_closes_it(city: Revisits) -> None:
    alice, a = city.alice, city.a
    number, answer = await city.answered()
    # 问题解决了吗 becomes 满意吗 in the same message; the answer is kept at once
    await alice.tap("已解决", answer)
    asked = await alice.edited(answer, f"#{number}：已解决。您对这次答复满意吗？")
    assert await city.issue(number) == ("replied", 0, 0, "resolved", "resident", None, None)
    await alice.tap("满意", asked)
    await alice.wait_for(f"感谢评价！#{number} 已办结。")
    await a.wait_for(f"#{number} 群众评价：满意。")
    await city.nothing_more()
    assert await city.issue(number) == ("closed", 0, 0, "resolved", "resident", "satisfied", None)
    assert (await city.kinds(number))[-3:] == ["replied", "resolved", "rated"]


async def test_a_deputy_or_another_resident_cannot_answer_for_the_reporter(
    city: Revisits,
) -> None:
    alice, a, staff = city.alice, city.a, city.staff
    bob = city.world.user(2, "Bob")
    await bind(bob, "north")
    number, answer = await city.answered()
    for verb in (f"rv:res:{number}:3", f"rv:sat:{number}:1:0:3", f"rv:chk:{number}:2"):
        for someone in (bob, a, staff):
            alert = await someone.tap_data(verb, someone.messages[-1])
            assert alert is not None, (verb, someone)
            assert "无权" in alert or "状态不允许" in alert, (verb, someone, alert)
    # a press on the reporter's own message by somebody else is a forgery
    alert = await bob.tap_data(f"rv:res:{number}:3", answer)
    assert alert is not None and "失效" in alert
    await city.nothing_more(a, staff, alice, bob)
    assert await city.issue(number) == ("replied", 0, 0, None, None, None, None)
    # the reporter's press on an answer of another time is out of date
    alert = await alice.tap_data(f"rv:sat:{number}:1:1:1", answer)
    assert alert is not None and "过时" in alert


async def test_not_resolved_is_handled_again_at_once_with_a_new_deadline(city: Revisits) -> None:
    alice, a, staff = city.alice, city.a, city.staff
    number, answer = await city.answered()
    await alice.tap("未解决", answer)
    asked = await alice.edited(answer, "已重新交由 甲代表 代表办理（重办）并督办")
    assert asked.labels == ["满意", "基本满意", "不满意"]
    # the same deputy gets the card again, the staff an alert with 督办
    card = await a.wait_for("群众反馈问题未解决，事项重新办理（重办，督办）")
    assert f"#{number}" in card.text
    assert card.labels == ["答复", "转办", "询问群众", "不予受理", "📜 转为建议线索"]
    alert = await staff.wait_for(f"#{number} 群众反馈问题未解决，已第 1 次重办（代表：甲代表）")
    assert alert.labels == ["督办", "改派"]
    assert await city.issue(number) == ("accepted", 1, 1, "unresolved", "resident", None, None)
    # a new reply deadline from now: 坑洼 is answered within 3 days
    [(reopened_at,)] = await city.world.rows(
        "SELECT at FROM events WHERE issue_id = ? AND kind = 'unresolved'", number
    )
    [(reply_due,)] = await city.world.rows("SELECT reply_due FROM issues WHERE id = ?", number)
    assert reply_due == int(str(reopened_at)) + 3 * DAY
    assert abs(due_in(asked.text) - reply_due) < 60
    # 未解决 + 满意: it is handled again all the same; the rating counts for 满意率
    await alice.tap("满意", asked)
    await alice.wait_for(f"感谢评价！#{number} 正在重新办理")
    await city.nothing_more()
    assert await city.issue(number) == (
        "accepted",
        1,
        1,
        "unresolved",
        "resident",
        "satisfied",
        None,
    )
    # the deputy answers again: a fresh 问题解决了吗
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await send_official(a, "这次彻底修好了。")
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    await revisit(alice, await alice.wait_for("这次彻底修好了"))
    await alice.wait_for("已办结")
    await a.wait_for("群众评价：满意")
    await city.nothing_more()
    assert await city.issue(number) == ("closed", 1, 1, "resolved", "resident", "satisfied", None)


async def test_partly_resolved_and_not_satisfied_is_handled_again(city: Revisits) -> None:
    alice, a, staff = city.alice, city.a, city.staff
    number, answer = await city.answered()
    await revisit(alice, answer, "不满意", "部分解决")
    await alice.wait_for("说明不满意的原因")
    await a.wait_for("群众不满意，事项已重新打开（督办）")
    await staff.wait_for(f"#{number} 群众不满意，已第 1 次重新打开")
    await alice.send("坑只填了一半")
    await alice.wait_for("已把您的意见转给代表和联络站")
    await a.wait_for("坑只填了一半")
    await staff.wait_for("坑只填了一半")
    await city.nothing_more()
    assert await city.issue(number) == (
        "accepted",
        1,
        1,
        "partly",
        "resident",
        "unsatisfied",
        None,
    )
    assert (await city.kinds(number))[-3:] == ["partly_resolved", "reopened", "unsatisfied_reason"]


async def test_no_answer_in_3_days_staff_call_and_record_not_resolved(city: Revisits) -> None:
    alice, a, staff = city.alice, city.a, city.staff
    number, first_answer = await city.answered()
    second, second_answer = await city.answered("路灯杆被撞歪了，随时会倒")
    # no answer to 回访 for 3 days: closed as 未评价 (as before), and the staff get one list
    await city.sweep_after(3 * DAY + 60)
    for n, answer in ((number, first_answer), (second, second_answer)):
        closed = await alice.wait_for(f"#{n} 已答复 3 天")
        assert "自动办结" in closed.text
        # the answer stays readable; its 回访 buttons go (they would only be refused now)
        await alice.edited(answer, "已自动办结")
        assert "已请市政把坑填平。" in answer.text and answer.labels == []
    listing = await staff.wait_for("📞 电话回访（北关街道联络站）")
    assert f"#{number} 坑洼" in listing.text and f"#{second} 坑洼" in listing.text
    assert listing.labels == [f"回访 #{number}", f"回访 #{second}"]
    await city.sweep_after(60)  # once
    await city.nothing_more()

    # only staff of the station (or admins) record a call
    south_staff = city.world.user(602, "南站员")
    await open_bot(south_staff)
    for someone, data in (
        (a, f"rv:ph:{number}"),
        (south_staff, f"rv:ph:{number}"),
        (alice, f"rv:pres:{number}:3"),
        (a, f"rv:psat:{number}:1:0:3"),
    ):
        alert = await someone.tap_data(data, someone.messages[-1])
        assert alert is not None and "无权" in alert, (someone, data, alert)

    # the staff member calls the resident: 未解决, then 不满意
    await staff.tap(f"回访 #{number}", listing)
    ask = await staff.wait_for(f"电话回访 #{number}")
    assert "已请市政把坑填平。" in ask.text  # the answer, to read it to the resident
    assert ask.labels == ["已解决", "部分解决", "未解决"]
    await staff.tap("未解决", ask)
    asked = await staff.edited(ask, "未解决，已重新交由代表办理（重办）。请问群众：对答复满意吗？")
    # handled again at once: the deputy, the staff (with 督办) and the resident are told
    card = await a.wait_for("电话回访结果：未解决，事项重新办理（重办，督办）")
    assert f"#{number}" in card.text and card.labels[0] == "答复"
    await staff.wait_for(f"#{number} 电话回访结果：未解决，已第 1 次重办")
    told = await alice.wait_for("根据联络站的电话回访")
    assert f"#{number} 已重新交由 甲代表 代表办理（重办）" in told.text
    await staff.tap("不满意", asked)
    await staff.edited(asked, f"已记录 #{number} 的电话回访：未解决，不满意。")
    await city.nothing_more()
    assert await city.issue(number) == (
        "accepted",
        1,
        1,
        "unresolved",
        "phone",
        "unsatisfied",
        None,
    )
    events = await city.world.rows(
        "SELECT e.kind, p.telegram_id FROM events e LEFT JOIN people p ON p.id = e.actor_id "
        "WHERE e.issue_id = ? ORDER BY e.id",
        number,
    )
    assert events[-4:] == [
        ("auto_closed", None),
        ("phone_listed", None),
        ("phone_unresolved", 601),
        ("phone_unsatisfied", 601),
    ]
    # marked as by phone in the resident's timeline and in the figures
    await alice.send("/my")
    listing = await alice.wait_for("我的事项")
    await alice.tap(next(label for label in listing.labels if label.startswith(f"#{number} ")))
    timeline = await alice.wait_for(f"#{number} 进展")
    assert "电话回访：问题未解决，重新办理（重办）" in timeline.text
    assert "电话回访：不满意" in timeline.text
    figures = await city.services.stats.figures(None, 0)
    assert (figures.revisited, figures.revisited_by_phone, figures.rehandled) == (1, 1, 1)


async def test_14_days_after_resolved_the_resident_is_asked_once(city: Revisits) -> None:
    alice, a, staff = city.alice, city.a, city.staff
    holds, answer = await city.answered()
    await revisit(alice, answer)
    await alice.wait_for("已办结")
    came_back, answer = await city.answered("路灯杆被撞歪了，随时会倒")
    await revisit(alice, answer)
    await alice.wait_for("已办结")
    await a.sees(f"#{holds} 群众评价：满意")
    await a.sees(f"#{came_back} 群众评价：满意")
    await city.sweep_after(14 * DAY - 3600)
    await city.nothing_more()
    await city.sweep_after(3600)
    asked = {n: await alice.wait_for(f"回访 #{n}") for n in (holds, came_back)}
    for message in asked.values():
        assert "问题有没有反复？" in message.text
        assert message.labels == ["没有", "又出现了"]
    await city.sweep_after(DAY)  # once
    await city.nothing_more()

    await alice.tap("没有", asked[holds])
    await alice.edited(asked[holds], f"谢谢您的反馈！#{holds} 保持办结。")
    await alice.tap("又出现了", asked[came_back])
    again = await alice.edited(asked[came_back], f"#{came_back} 已重新交由 甲代表 代表办理（重办）")
    assert "新的办理时限" in again.text
    await a.wait_for("群众反馈问题又出现了，事项重新办理（重办，督办）")
    await staff.wait_for(f"#{came_back} 群众反馈问题又出现了，已第 1 次重办")
    # each answer once
    alert = await alice.tap_data(f"rv:chk:{came_back}:2", asked[came_back])
    assert alert is not None and "已经回答过了" in alert
    await city.nothing_more()
    assert await city.issue(holds) == ("closed", 0, 0, "resolved", "resident", "satisfied", "holds")
    assert await city.issue(came_back) == (
        "accepted",
        1,
        1,
        "resolved",
        "resident",
        "satisfied",
        "recurred",
    )
    nudges = await city.world.rows("SELECT issue_id, kind FROM nudges ORDER BY id")
    assert nudges == [(holds, "recheck"), (came_back, "recheck")]


async def test_stats_show_the_resolution_and_re_handling_rates(city: Revisits) -> None:
    alice, staff = city.alice, city.staff
    solved, answer = await city.answered()
    await revisit(alice, answer)
    await alice.wait_for("已办结")
    _, answer = await city.answered("路灯杆被撞歪了，随时会倒")
    await alice.tap("未解决", answer)
    await alice.edited(answer, "重办")
    await staff.wait_for("已第 1 次重办")
    await file_issue(alice, "公园的长椅坏了，老人没地方坐")  # not answered yet
    await city.world.settle()
    staff.mark_all_seen()
    await staff.send("/stats")
    photo = await staff.next_message(timeout=20)
    while photo.kind != "photo":
        photo = await staff.next_message(timeout=20)
    assert isinstance(photo.photo, bytes) and photo.photo.startswith(b"\x89PNG")
    text = (await staff.wait_for("新增事项")).text
    for expected in (
        "满意率（满意+基本满意）：1/1 = 100.0%",
        "解决率（已解决 / 已回访）：1/2 = 50.0%",
        "重办率（重办过 / 已答复）：1/2 = 50.0%",
        "回访：群众作答 2 件，电话回访 0 件；两周后又出现 0 件",
    ):
        assert expected in text, (expected, text)
    assert solved > 0
