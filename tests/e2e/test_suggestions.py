"""代表建议 as transcripts on the fake Telegram: residents at three stations raise the same
problem; a deputy finds it under /hotspots, drafts a suggestion, edits it, a colleague
co-signs; the office returns it for revision, then accepts it and hands it to a lead unit
and a co-unit; the co-unit gives its opinion, the lead unit answers with a grade; 不满意
sends it back for re-handling; the second answer is rated and it closes. Every resident
whose issue it carries, and their supporters, hear the outcome."""

from __future__ import annotations

import argparse
import io
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import docx
import pytest

from bot import tools_cli
from bot.app import LiaisonBot
from bot.clock import FastForwardClock
from bot.services import Services
from fakebot import BotMessage, FakeBotApi, FakeUser
from tests.e2e.conftest import TOKEN, World, world_settings
from tests.e2e.helpers import bind, file_issue, open_bot, send_official

DAY = 86400
CITY = textwrap.dedent(
    """
    city: 江北市
    categories:
      - {key: fire, name: {zh: 消防安全, en: Fire safety}, accept_within: 1d, reply_within: 10d}
      - {key: noise, name: {zh: 噪声扰民, en: Noise}, accept_within: 1d, reply_within: 10d}
    departments:
      - key: fire
        name: {zh: 区消防救援大队, en: Fire brigade}
        liaisons:
          - {key: li-fire, name: 消防联络员, telegram_id: 701}
      - key: housing
        name: {zh: 区住建局, en: Housing bureau}
        liaisons:
          - {key: li-housing, name: 住建联络员, telegram_id: 702}
      - {key: police, name: {zh: 派出所, en: Police station}}
    stations:
      - key: east
        name: 东岸社区联络站
        district: 江北区
        deputies:
          - {key: dep-e, name: 东代表, telegram_id: 501}
          - {key: dep-e2, name: 岸代表, telegram_id: 504}
        staff:
          - {key: staff-e, name: 东站员, telegram_id: 601}
      - key: west
        name: 西岸社区联络站
        district: 江北区
        deputies:
          - {key: dep-w, name: 西代表, telegram_id: 502}
      - key: mid
        name: 中街联络站
        district: 江北区
        deputies:
          - {key: dep-m, name: 中代表, telegram_id: 503}
      - key: far
        name: 远郊联络站
        district: 远郊区
        deputies:
          - {key: dep-f, name: 远代表, telegram_id: 505}
    admins:
      - {key: office, name: 人大办, telegram_id: 901}
    """
)
SAME_PROBLEM = {
    "east": "楼道里有人给电动车充电，电线从窗户乱拉下来，很危险",
    "west": "电动车在楼道里充电，电线乱拉，有火灾隐患",
    "mid": "好几户在楼道里给电动车充电，电线乱拉，太危险了",
}


class City:
    def __init__(self, world: World, clock: FastForwardClock) -> None:
        self.world = world
        self.clock = clock
        self.lead, self.colleague = world.user(501, "东代表"), world.user(504, "岸代表")
        self.west, self.mid = world.user(502, "西代表"), world.user(503, "中代表")
        self.far = world.user(505, "远代表")
        self.staff = world.user(601, "东站员")
        self.office = world.user(901, "人大办")
        self.fire, self.housing = world.user(701, "消防联络员"), world.user(702, "住建联络员")

    @property
    def services(self) -> Services:
        assert self.world.bot.services is not None
        return self.world.bot.services

    async def sweep_after(self, seconds: int) -> None:
        self.clock.advance(seconds)
        await self.services.deadlines.sweep()
        await self.world.settle()

    async def residents_raise_it(self) -> tuple[list[int], list[FakeUser], FakeUser]:
        """Three residents at three stations; a fourth supports the first (附议); an
        unrelated issue at the first station."""
        numbers, residents = [], []
        for i, (station, text) in enumerate(SAME_PROBLEM.items(), start=1):
            resident = self.world.user(i, f"居民{i}")
            await bind(resident, station)
            numbers.append(await file_issue(resident, text, category="消防安全"))
            residents.append(resident)
        supporter = self.world.user(9, "邻居")
        await bind(supporter, "east")
        await supporter.send("/report")
        await supporter.tap("消防安全", await supporter.wait_for("请选择问题类别"))
        await supporter.send("楼道里电动车充电，电线乱拉，很危险")
        await supporter.tap("跳过", await supporter.wait_for("跳过"))
        similar = await supporter.sees("相似的事项")
        await supporter.tap(f"附议 #{numbers[0]}", similar)
        await supporter.edited(similar, "已附议")
        other = self.world.user(8, "居民8")
        await bind(other, "east")
        await file_issue(other, "广场舞音响太吵，晚上十点还在放", category="噪声扰民")
        await self.world.settle()
        for person in (self.lead, self.colleague, self.west, self.mid, self.staff):
            person.mark_all_seen()
        return numbers, residents, supporter


async def forge(person: FakeUser, data: str) -> str | None:
    """A press with hand-made data on the person's newest message; the pop-up it got."""
    return await person.tap_data(data, person.messages[-1])


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[City]:
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(CITY, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    settings = world_settings(tmp_path, api, seed_path)
    clock = FastForwardClock()
    world = World(api, LiaisonBot(settings, clock, poll_timeout=1), settings, seed_path)
    try:
        await world.bot.start()
        here = City(world, clock)
        await open_bot(
            here.lead, here.colleague, here.west, here.mid, here.far, here.staff, here.office
        )
        await open_bot(here.fire, here.housing)
        yield here
        assert api.violations == []
    finally:
        await world.bot.stop()
        await api.stop()


async def drafted(here: City) -> tuple[int, BotMessage, list[int], list[FakeUser], FakeUser]:
    """The lead deputy finds the hotspot and drafts a suggestion from it."""
    numbers, residents, supporter = await here.residents_raise_it()
    lead = here.lead
    await lead.send("/hotspots")
    listing = await lead.wait_for("建议线索")
    assert "消防安全 · 3 件 · 涉及 4 人（附议 1）" in listing.text
    for station in ("东岸社区联络站", "西岸社区联络站", "中街联络站"):
        assert station in listing.text
    assert "广场舞" not in listing.text  # a single issue is no hotspot
    assert listing.labels[:2] == ["查看 1", "起草建议 1"]
    await lead.tap("起草建议 1", listing)
    card = await lead.wait_for("已起草代表建议")
    assert "关于解决江北区消防安全问题的建议" in card.text
    assert "共收到群众反映3件，1人附议" in card.text
    assert "东岸社区联络站、西岸社区联络站、中街联络站" in card.text
    assert card.labels == [
        "✏️ 标题",
        "✏️ 理由",
        "✏️ 建议办法",
        "邀请联名",
        "提交",
        "导出 DOCX",
    ]
    rows = await here.world.rows("SELECT id, state, lead_id FROM suggestions")
    assert len(rows) == 1 and rows[0][1] == "draft"
    number = int(str(rows[0][0]))
    linked = await here.world.rows(
        "SELECT issue_id FROM suggestion_issues WHERE suggestion_id = ? ORDER BY issue_id", number
    )
    assert [r[0] for r in linked] == numbers
    return number, card, numbers, residents, supporter


async def test_from_hotspot_to_a_closed_suggestion(city: City) -> None:
    here = city
    lead, colleague, office = here.lead, here.colleague, here.office
    number, card, numbers, residents, supporter = await drafted(here)

    # edit the title: the current one is shown to copy, the new one previewed
    await lead.tap("✏️ 标题", card)
    ask = await lead.wait_for("请发送建议")
    assert "关于解决江北区消防安全问题的建议" in ask.text
    await send_official(lead, "关于整治居民楼道电动车违规充电的建议")
    saved = await lead.wait_for(f"已保存建议 #{number} 的标题（案由）")
    card = await lead.wait_for("标题（案由）：关于整治居民楼道电动车违规充电的建议")
    del saved

    # 联名: the lead invites a colleague, who joins with one tap
    await lead.tap("邀请联名", card)
    choice = await lead.wait_for("邀请哪位代表联名")
    assert "岸代表" in choice.labels and "东代表" not in choice.labels
    assert "远代表" not in choice.labels  # another district's station
    await lead.tap("岸代表", choice)
    await lead.wait_for("已邀请 岸代表 联名")
    invitation = await colleague.wait_for("东代表 代表邀请您联名")
    assert invitation.labels == ["联名", "群众反映清单"]
    await colleague.tap("联名", invitation)
    await colleague.wait_for(f"您已联名建议 #{number}")
    await lead.wait_for(f"岸代表 已联名建议 #{number}")

    # 提交 → the office returns it with a reason
    await lead.send("/suggestions")
    mine = await lead.wait_for("代表建议（1）")
    await lead.tap(f"查看 #{number}", mine)
    card = await lead.wait_for("联名代表：岸代表")
    await lead.tap("提交", card)
    await lead.wait_for(f"建议 #{number} 已提交")
    await colleague.wait_for("已提交审查")
    review = await office.wait_for(f"新的代表建议 #{number} 待审查")
    assert review.labels == ["受理", "退回修改", "群众反映清单", "导出 DOCX"]
    await office.tap("退回修改", review)
    await office.wait_for("请写明退回建议")
    await send_official(office, "建议办法请写明充电桩建设的责任单位")
    await office.wait_for(f"建议 #{number} 已退回领衔代表修改")
    returned = await lead.wait_for("被退回修改：建议办法请写明充电桩建设的责任单位")
    await office.sees(f"建议 #{number} 已退回修改")  # the review card lost its buttons

    await lead.tap("✏️ 建议办法", returned)
    await lead.wait_for("请发送建议")
    await send_official(
        lead, "1. 由区住建局牵头在小区增设电动车集中充电桩。\n2. 消防部门加强楼道巡查。"
    )
    card = await lead.wait_for("由区住建局牵头")
    await lead.tap("提交", card)
    review = await office.wait_for(f"新的代表建议 #{number} 待审查")

    # 受理, 主办 and 协办, 交办
    await office.tap("受理", review)
    choose = await office.edited(review, "请选择主办单位")
    assert choose.labels == ["区消防救援大队", "区住建局", "派出所"]
    await office.tap("区住建局", choose)
    co = await office.edited(choose, "主办单位：区住建局")
    await office.tap("区消防救援大队", co)
    co = await office.edited(co, "协办单位：区消防救援大队")
    assert co.labels == ["✅ 区消防救援大队", "派出所", "📤 交办"]
    await office.tap("📤 交办", co)
    await office.edited(co, f"建议 #{number} 已交办")
    await lead.wait_for("主办单位：区住建局；协办单位：区消防救援大队")
    await colleague.wait_for("已交办")

    # every resident whose issue it carries, and the supporter, hear it in plain words
    for resident, issue in zip(residents, numbers, strict=True):
        told = await resident.wait_for("形成代表建议")
        assert f"您反映的问题 #{issue}" in told.text and "东代表" in told.text
    await supporter.wait_for("您附议的问题已由东代表代表形成代表建议")

    # the units: the co-unit's opinion goes to the lead unit
    housing_card = await here.housing.wait_for(f"代表建议 #{number} 交由区住建局主办")
    assert housing_card.labels == ["答复", "申请延期", "群众反映清单", "导出 DOCX"]
    fire_card = await here.fire.wait_for("由区消防救援大队协办")
    assert fire_card.labels == ["协办意见", "群众反映清单", "导出 DOCX"]
    await here.fire.tap("协办意见", fire_card)
    await here.fire.wait_for("请写建议")
    await send_official(here.fire, "消防部门每月联合社区开展一次楼道巡查。")
    await here.fire.wait_for("协办意见已转主办单位")
    await here.housing.wait_for("区消防救援大队的协办意见")

    # the lead unit answers with a grade
    await here.housing.tap("答复", housing_card)
    grades = await here.housing.wait_for("答复类别")
    assert grades.labels == [
        "A 已解决或采纳",
        "B 正在解决或列入计划",
        "C 因条件限制暂时无法解决",
        "D 留作参考",
    ]
    await here.housing.tap("B 正在解决或列入计划", grades)
    await here.housing.wait_for("类别：B 正在解决或列入计划")
    await send_official(here.housing, "已列入明年民生实事，计划增设充电桩200个。")
    await here.housing.wait_for("答复已发给代表")
    answer = await lead.wait_for("主办单位区住建局答复（B 正在解决或列入计划）")
    assert answer.labels == ["满意", "基本满意", "不满意"]
    colleague_answer = await colleague.wait_for("计划增设充电桩200个")
    for resident in residents:
        told = await resident.wait_for("承办单位区住建局答复")
        assert "计划增设充电桩200个" in told.text
    await supporter.wait_for("承办单位区住建局答复")

    # 不满意: re-handled within a month; the colleague's rating buttons go
    await lead.tap("不满意", answer)
    await lead.edited(answer, f"已评价建议 #{number}：不满意")
    again = await here.housing.wait_for("请区住建局重新办理")
    await colleague.sees(f"建议 #{number} 已重新办理")
    assert colleague_answer.message_id in {m.message_id for m in colleague.messages}
    await office.wait_for("东代表 代表对建议")
    await here.housing.tap("答复", again)
    await here.housing.tap("A 已解决或采纳", await here.housing.wait_for("答复类别"))
    await here.housing.wait_for("类别：A 已解决或采纳")
    await send_official(here.housing, "已在三个小区建成集中充电棚，楼道充电已清理。")
    second = await lead.wait_for("已在三个小区建成集中充电棚")
    await lead.tap("满意", second)
    await lead.edited(second, "满意")
    second_c = await colleague.wait_for("已在三个小区建成集中充电棚")
    await colleague.tap("基本满意", second_c)
    closed = await office.wait_for(f"建议 #{number}《关于整治居民楼道电动车违规充电的建议》已办结")
    assert "东代表：满意" in closed.text and "岸代表：基本满意" in closed.text

    # /stats counts it: submitted, handed over, answered, its grade, the signers' ratings
    await office.send("/stats")
    stats = await office.wait_for("代表建议：提交 1 · 交办 1 · 已答复 1")
    assert "答复类别：A 1 · B 0 · C 0 · D 0" in stats.text
    assert "代表满意度：2/2 = 100.0%" in stats.text

    rows = await here.world.rows(
        "SELECT state, round, grade, closed_at IS NOT NULL FROM suggestions WHERE id = ?", number
    )
    assert rows == [("closed", 2, "A", 1)]
    ratings = await here.world.rows(
        "SELECT p.name, g.rating, g.rated_round FROM suggestion_signers g "
        "JOIN people p ON p.id = g.person_id WHERE suggestion_id = ? ORDER BY g.lead DESC",
        number,
    )
    assert ratings == [("东代表", "satisfied", 2), ("岸代表", "mostly", 2)]
    units = await here.world.rows(
        "SELECT d.key, u.lead, u.round, u.grade, u.answer IS NOT NULL FROM suggestion_units u "
        "JOIN departments d ON d.id = u.department_id WHERE suggestion_id = ? ORDER BY u.id",
        number,
    )
    assert units == [
        ("housing", 1, 1, "B", 1),
        ("fire", 0, 1, None, 1),
        ("housing", 1, 2, "A", 1),
    ]
    kinds = [
        r[0]
        for r in await here.world.rows(
            "SELECT kind FROM suggestion_events WHERE suggestion_id = ? ORDER BY id", number
        )
    ]
    assert kinds == [
        "drafted",
        "edited",
        "invited",
        "joined",
        "submitted",
        "returned",
        "edited",
        "resubmitted",
        "accepted",
        "handed_over",
        "opinion",
        "answered",
        "rated",
        "rehandled",
        "answered",
        "rated",
        "rated",
        "closed",
    ]


async def test_who_may_do_what(city: City) -> None:
    here = city
    number, card, _, residents, _ = await drafted(here)
    world = here.world

    # residents have no hotspots; staff see them but may not draft
    await residents[0].send("/hotspots")
    await residents[0].wait_for("没有使用这个命令的权限")
    await here.staff.send("/hotspots")
    listing = await here.staff.wait_for("建议线索")
    assert listing.labels[0] == "查看 1" and "起草建议 1" not in listing.labels

    # a command in the middle of writing a part puts it aside; the text after it is not used
    await here.lead.tap("✏️ 标题", card)
    await here.lead.wait_for("请发送建议")
    await here.lead.send("/suggestions")
    await here.lead.wait_for(f"已放下建议 #{number} 未完成的标题（案由）")
    await here.lead.wait_for("代表建议（1）")
    await here.lead.send("这段文字不是标题")
    await world.settle()
    title = await world.rows("SELECT title FROM suggestions WHERE id = ?", number)
    assert title == [("关于解决江北区消防安全问题的建议",)]

    # only the lead edits and submits; a forged press by another deputy is refused
    alert = await forge(here.west, f"sg:sub:{number}")
    assert alert is not None and "只有领衔代表" in alert, alert
    alert = await forge(here.office, f"sg:acc:{number}")  # not submitted yet
    assert alert is not None and "现在不能这样操作" in alert, alert
    await here.lead.tap("提交", card)
    review = await here.office.wait_for("待审查")
    # only admins hand over; only the unit answers; only signers rate
    alert = await forge(here.lead, f"sg:acc:{number}")
    assert alert is not None and "人大常委会办公室" in alert, alert
    await here.office.tap("受理", review)
    choose = await here.office.edited(review, "请选择主办单位")
    await here.office.tap("区住建局", choose)
    co = await here.office.edited(choose, "主办单位：区住建局")
    await here.office.tap("📤 交办", co)
    await here.housing.wait_for("交由区住建局主办")
    alert = await forge(here.fire, f"sg:gr:{number}:1")
    assert alert is not None and "不由您的单位办理" in alert, alert
    alert = await forge(here.lead, f"sg:gr:{number}:1")
    assert alert is not None and "不由您的单位办理" in alert, alert
    alert = await forge(here.west, f"sg:rate:{number}:1")
    assert alert is not None and "只有领衔和联名代表" in alert, alert
    # the office may stand in only for a unit that has no liaison in the bot
    alert = await forge(here.office, f"sg:gr:{number}:1")
    assert alert is not None and "不由您的单位办理" in alert, alert
    assert (await world.rows("SELECT state FROM suggestions WHERE id = ?", number)) == [
        ("handling",)
    ]


async def test_deadlines_extension_and_the_document(city: City) -> None:
    here = city
    number, card, _, _, _ = await drafted(here)
    await here.lead.tap("提交", card)
    review = await here.office.wait_for("待审查")
    await here.office.tap("受理", review)
    choose = await here.office.edited(review, "请选择主办单位")
    await here.office.tap("派出所", choose)  # a unit with no liaison in the bot
    co = await here.office.edited(choose, "主办单位：派出所")
    await here.office.tap("区住建局", co)
    co = await here.office.edited(co, "协办单位：区住建局")
    await here.office.tap("📤 交办", co)
    await here.office.edited(co, "已交办")
    housing = await here.housing.wait_for("由区住建局协办")
    del housing

    # 80% of the co-unit's month: a reminder to its liaison; past it, the office hears
    await here.sweep_after(25 * DAY)
    await here.housing.wait_for(f"代表建议 #{number}")
    remind = here.housing.messages[-1]
    assert "区住建局的协办意见时限" in remind.text and "将到" in remind.text
    await here.sweep_after(7 * DAY)
    overdue = await here.office.wait_for("区住建局的协办意见已超过时限")
    assert f"#{number}" in overdue.text

    # the office enters the answer of the unit that is not in the bot
    await here.office.send("/suggestions")
    listing = await here.office.wait_for("代表建议（1）")
    await here.office.tap(f"查看 #{number}", listing)
    card = await here.office.wait_for("由派出所主办")
    assert card.labels[:2] == ["答复", "申请延期"]
    await here.office.tap("申请延期", card)
    await here.office.wait_for("申请将建议")
    await send_official(here.office, "涉及多个部门协调，需要更长时间")
    extension = await here.office.wait_for("申请延期至交办后6个月")
    await here.office.tap("同意", extension)
    approved = await here.lead.wait_for("答复时限已延至")
    assert "涉及多个部门协调" in approved.text
    due = await here.world.rows(
        "SELECT extension_reason, due_at > handed_over_at + 170 * 86400 FROM suggestions "
        "WHERE id = ?",
        number,
    )
    assert due == [("涉及多个部门协调，需要更长时间", 1)]

    # 导出 DOCX: a document with every part, opened with python-docx
    await here.lead.send("/suggestions")
    mine = await here.lead.wait_for("代表建议（1）")
    await here.lead.tap(f"查看 #{number}", mine)
    view = await here.lead.wait_for("办理中")
    await here.lead.tap("导出 DOCX", view)
    sent = await here.lead.wait_for(f"代表建议 #{number}（DOCX）")
    assert sent.kind == "document" and sent.document is not None
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(sent.document)).paragraphs)
    assert "关于解决江北区消防安全问题的建议" in text
    cells = [
        c.text
        for table in docx.Document(io.BytesIO(sent.document)).tables
        for row in table.rows
        for c in row.cells
    ]
    assert "东代表" in cells  # 领衔代表
    for station_text in SAME_PROBLEM.values():
        assert station_text in cells

    # the command line writes the same document in English
    out = here.world.settings.db.parent / "s.docx"
    args = argparse.Namespace(command="suggestion", number=number, docx=out, lang="en")
    assert await tools_cli.run(here.world.settings, args) == 0
    english = docx.Document(io.BytesIO(out.read_bytes()))
    assert "Deputy's Suggestion" in [p.text for p in english.paragraphs]
    missing = argparse.Namespace(command="suggestion", number=999, docx=out, lang="zh")
    assert await tools_cli.run(here.world.settings, missing) == 1
