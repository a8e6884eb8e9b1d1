"""`python -m bot demo`: the whole workflow offline, printed as a chat transcript.

Starts the fake Bot API server in-process, a temporary database with seeds/demo.yaml,
the real bot against it, and plays residents, deputies and staff. No token, no network.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Awaitable
from pathlib import Path
from typing import TextIO

from bot.app import LiaisonBot
from bot.clock import FastForwardClock
from bot.config import load_settings
from bot.seed import SeedFile, read_seed
from fakebot import FakeBotApi, FakeUser
from fakebot.models import TranscriptEntry
from fakewechat import FakeWeChat
from fakewechat import Received as WeChatReceived
from fakewecom import FakeWeCom
from fakewecom.members import FakeMember
from fakewecom.models import Received

DEMO_SEED = Path(__file__).resolve().parent.parent / "seeds" / "demo.yaml"
# a tiny JPEG, as a resident's phone would send a photo
DEMO_PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 200 + b"\xff\xd9"
TOKEN = "123456:DEMO-TOKEN"


class Narrator:
    """Prints what happened in every chat since the last call, with people's names."""

    def __init__(self, api: FakeBotApi, out: TextIO | None = None) -> None:
        self.api = api
        self.names: dict[int, str] = {}
        self.shown = 0
        self.out = out

    def name(self, chat_id: int, label: str) -> None:
        self.names[chat_id] = label

    def step(self, title: str) -> None:
        self.flush()
        print(f"\n━━ {title} ━━", file=self.out or sys.stdout)

    def flush(self) -> None:
        for entry in self.api.transcript[self.shown :]:
            line = self._line(entry)
            if line:
                print(line, file=self.out or sys.stdout)
        self.shown = len(self.api.transcript)

    def _line(self, entry: TranscriptEntry) -> str | None:
        who = self.names.get(entry.chat_id, str(entry.chat_id))
        text = entry.text.replace("\n", "\n      ")
        buttons = f"\n      [{' | '.join(entry.buttons)}]" if entry.buttons else ""
        if entry.kind in {"toast", "alert"}:
            return f"  💬 {who} sees a pop-up: {text}" if text else None
        if entry.who == "bot":
            arrow = {"edit": "✎ 🤖 (edited) →", "delete": "🗑 🤖 deleted →"}.get(entry.kind, "🤖 →")
            if entry.kind in {"photo", "location", "document"}:  # what it is, then its caption
                text = f"({entry.kind}) {text}".rstrip()
            return f"  {arrow} {who}: {text}{buttons}"
        if entry.kind == "tap":
            return f"👆 {who} taps [{entry.text}]"
        return f"👤 {who}: {text or '(' + entry.kind + ')'}"


def _station_with_team(seed: SeedFile) -> tuple[str, list[tuple[int, str]], list[tuple[int, str]]]:
    """The first station with a patrol, two deputies and staff who have Telegram ids."""
    patrolled = {p.station for p in seed.patrols}
    for station in sorted(seed.stations, key=lambda s: s.key not in patrolled):
        deputies = [(d.telegram_id, d.name) for d in station.deputies if d.telegram_id]
        staff = [(s.telegram_id, s.name) for s in station.staff if s.telegram_id]
        if len(deputies) >= 2 and staff:
            return station.key, deputies[:2], staff[:1]
    raise SystemExit("the demo seed needs a station with two deputies and staff (telegram_id)")


async def report(
    user: FakeUser, category: str, text: str, *, detour: bool = False, album: int = 0
) -> str:
    """/report → category → description → 跳过 (or an album of photos, 完成) → 提交; returns
    the #number shown. With `detour` the resident taps 我的事项 halfway and comes back to the
    saved draft."""
    await user.send("/report")
    await user.wait_for("请选择问题类别")
    await user.tap(category)
    await user.sees("请描述问题")
    if detour:
        await user.press("我的事项")  # the menu always does what it says
        await user.wait_for("未完成的反映已保存")
        await user.send("/report")
        await user.tap("继续", await user.wait_for("继续写完"))
        await user.wait_for("请描述问题")
    await user.send(text)
    extras = await user.wait_for("跳过")
    if album:
        await user.send_album(album)
        extras = await user.wait_for("已收到这组照片")  # one answer for the album
    await user.tap("完成" if album else "跳过", extras)
    summary = await user.sees("请确认")
    await user.tap("提交", summary)
    submitted = await user.edited(summary, "已提交")
    return submitted.text.split("#")[1].split("。")[0]


async def official(user: FakeUser, text: str) -> None:
    """Type an official text, see the preview, 发送."""
    await user.send(text)
    await user.tap("发送", await user.wait_for("点“发送”后才会发出"))


def wecom_line(who: str, message: Received) -> str:
    """A WeCom message as the member sees it (cards in their current state)."""
    if message.card is not None:
        body = [message.title, str(message.card.get("sub_title_text") or "")]
        text = " ⏎ ".join(part for part in body if part).replace("\n", " ⏎ ")
    else:
        text = (message.content or "").replace("\n", " ⏎ ")
    buttons = f"  [{' | '.join(message.labels)}]" if message.labels else ""
    kind = "卡片" if message.card is not None else message.msgtype
    return f"  🤖 → [企业微信·{kind}] {who}: {text[:160]}{buttons}"


async def on_wecom(
    api: FakeBotApi,
    bot: LiaisonBot,
    say: Narrator,
    deputy: FakeMember,
    station_key: str,
    category: str,
) -> None:
    """A resident on Telegram, the station's deputy in WeCom: one loop, two platforms."""
    assert bot.wecom is not None
    resident = api.user(9003, "赵大爷")
    say.name(resident.id, "居民 赵大爷")
    who = "代表 周海燕"
    await resident.send(f"/start st_{station_key}")
    await resident.wait_for("已为您绑定联络站")
    await report(resident, category, "先锋路469号旁边的路灯连续三天不亮，晚上老人出门很不安全。")
    say.flush()
    shown = 0

    def show_new() -> None:
        nonlocal shown
        for message in deputy.messages[shown:]:
            print(wecom_line(who, message))
        shown = len(deputy.messages)

    card = await deputy.wait_for("认领")
    show_new()
    print(f"👆 (企业微信) {who} taps [认领]")
    await deputy.press(card, "认领")
    await bot.wecom.idle()
    working = await deputy.wait_for("答复")
    print(f"  ✎ 🤖 → [企业微信] {who}: the pressed card now reads [{card.replace_name}]")
    show_new()
    await resident.wait_for("认领办理")
    say.flush()
    print(f"👆 (企业微信) {who} taps [答复]")
    await deputy.press(working, "答复")
    await deputy.wait_for("请输入")
    show_new()
    answer = "已联系街道城管科，今晚前更换灯泡，明天我再去看一次。"
    print(f"👤 (企业微信) {who}: {answer}")
    await deputy.say(answer)
    preview = await deputy.wait_for("点“发送”后才会发出")
    show_new()
    print(f"👆 (企业微信) {who} taps [发送]")
    await deputy.press(preview, "发送")
    answered = await resident.wait_for("的答复")
    await resident.tap("已解决", answered)  # 回访: 问题解决了吗, then the rating
    await resident.tap("满意", await resident.edited(answered, "满意吗"))
    await deputy.wait_for("满意")
    await api.wait_idle()
    say.flush()
    show_new()


def wechat_line(who: str, message: WeChatReceived) -> str:
    """A WeChat message as the resident sees it (a template notice, a list of options)."""
    kind = {"template": "模板消息", "msgmenu": "选项"}.get(message.msgtype, message.msgtype)
    text = message.text.replace("\n", " ⏎ ")
    return f"  🤖 → [微信·{kind}] {who}: {text[:160]}"


async def on_wechat(
    wechat: FakeWeChat,
    bot: LiaisonBot,
    clock: FastForwardClock,
    deputy: FakeMember,
    station_key: str,
    category: str,
) -> None:
    """A resident in WeChat, the deputy in WeCom; the answer comes two days later, when only
    a template message reaches the resident."""
    assert bot.wechat is not None and bot.wecom is not None
    await bot.wechat.client.create_qr(f"st_{station_key}")  # as `qr --wechat` does
    resident = wechat.resident("o_demo_resident")
    who, dep = "居民（微信）", "代表 周海燕"
    shown = 0

    def show_new() -> None:
        nonlocal shown
        for message in resident.messages[shown:]:
            print(wechat_line(who, message))
        shown = len(resident.messages)

    async def act(line: str, action: Awaitable[int | None]) -> None:
        print(f"👤 (微信) {who}: {line}")
        await action
        assert bot.wechat is not None
        await bot.wechat.idle()

    await act(
        f"scans the station's poster code (st_{station_key})", resident.scan(f"st_{station_key}")
    )
    await resident.wait_for("已为您绑定联络站")
    show_new()
    await act("taps the menu [我要反映]", resident.click_menu("report"))
    listing = await resident.wait_for("请选择问题类别")
    show_new()
    if any(content == category for _, content in listing.options):
        await act(f"taps [{category}]", resident.tap(category))
    else:  # more categories than a list of options holds: numbered, answered by number
        number = next(
            line.split(".")[0]
            for line in listing.text.split("\n")
            if line.endswith(f". {category}")
        )
        await act(f"{number} (the number of {category})", resident.say(number))
    await resident.wait_for("请描述问题")
    text = "小区东门的路灯坏了一周，晚上很黑，老人出门不方便。"
    await act(text, resident.say(text))
    await resident.wait_for("跳过")
    await act("sends a photo", resident.send_image(DEMO_PHOTO))
    await resident.wait_for("已收到照片")
    show_new()
    await act("taps [完成]", resident.tap("完成"))
    await resident.wait_for("请确认")
    await act("taps [提交]", resident.tap("提交"))
    await resident.wait_for("已提交")
    show_new()
    card = await deputy.wait_for("认领")
    print(f"👆 (企业微信) {dep} taps [认领]")
    await deputy.press(card, "认领")
    await bot.wecom.idle()
    working = await deputy.wait_for("答复")
    await resident.wait_for("认领办理")
    show_new()
    clock.advance(2 * 24 * 3600)
    print("⏩ two days later: the resident's 48-hour window has closed")
    print(f"👆 (企业微信) {dep} taps [答复] and sends the answer")
    await deputy.press(working, "答复")
    await deputy.wait_for("请输入")
    await deputy.say("已请物业更换路灯，今晚就能亮。")
    await deputy.press(await deputy.wait_for("点“发送”后才会发出"), "发送")
    await resident.wait_for("已答复")
    show_new()
    await act("replies 好的 (the window opens again)", resident.say("好的"))
    await resident.wait_for("今晚就能亮")
    show_new()
    await act("taps [已解决] (问题解决了吗)", resident.tap("已解决"))
    await resident.wait_for("满意吗")
    show_new()
    await act("taps [满意]", resident.tap("满意"))
    await resident.wait_for("已办结")
    show_new()


async def play(
    api: FakeBotApi,
    seed: SeedFile,
    say: Narrator,
    bot: LiaisonBot,
    clock: FastForwardClock,
    wecom: FakeWeCom | None = None,
    wechat: FakeWeChat | None = None,
) -> None:
    station_key, deputies, staff = _station_with_team(seed)
    station = next(s for s in seed.stations if s.key == station_key)
    category = seed.categories[0].name.zh
    department = seed.departments[0].name.zh if seed.departments else None
    unit_people = seed.departments[0].liaisons if seed.departments else []
    liaison = next((api.user(p.telegram_id, p.name) for p in unit_people if p.telegram_id), None)

    resident = api.user(9001, "李阿姨")
    neighbour = api.user(9002, "王师傅")
    dep_a = api.user(deputies[0][0], deputies[0][1])
    dep_b = api.user(deputies[1][0], deputies[1][1])
    worker = api.user(staff[0][0], staff[0][1])
    say.name(resident.id, "居民 李阿姨")
    say.name(neighbour.id, "居民 王师傅")
    say.name(dep_a.id, f"代表 {deputies[0][1]}")
    say.name(dep_b.id, f"代表 {deputies[1][1]}")
    say.name(worker.id, f"工作人员 {staff[0][1]}")
    team = [dep_a, dep_b, worker]
    if liaison is not None:
        say.name(liaison.id, f"承办单位联络员 {liaison.name}")
        team.append(liaison)

    say.step("1. 代表和工作人员第一次打开机器人 · Deputies and staff open the bot")
    for person in team:
        await person.send("/start")
        await person.next_message()
    await api.wait_idle()

    say.step(f"2. 居民扫描联络站二维码 · A resident scans the QR code of {station.name}")
    await resident.send(f"/start st_{station_key}")
    await resident.wait_for("已为您绑定联络站")
    await api.wait_idle()

    say.step(
        "3. 居民反映问题并附三张照片，中途点了菜单，再继续写完；代表收到一组照片，卡片就是其说明 · "
        "The resident reports a problem with three photos, taps the menu halfway, then "
        "continues; the deputies get one album captioned with the card"
    )
    number = await report(
        resident,
        category,
        "新阳路100号门前路面塌陷，有一个半米宽的大坑，晚上很危险，已经有电动车摔倒。",
        detour=True,
        album=3,
    )
    for deputy in (dep_a, dep_b):
        card = await deputy.wait_for("新的群众反映")
        assert len(deputy.album(card)) == 3, "the card's photos did not come as one album"
        await deputy.wait_for("新的群众反映")  # the album's buttons: 认领 / 退回 / 不予受理
    await api.wait_idle()

    say.step("4. 第一位代表认领，另一位代表的通知随之更新 · First accept wins")
    await dep_a.tap("认领", dep_a.messages[-1])
    await dep_b.sees("已由")
    await resident.wait_for("认领办理")
    await api.wait_idle()

    if department:
        say.step(f"5. 代表转办给 {department} · The deputy transfers it")
        await dep_a.tap("转办")
        await dep_a.wait_for("转交哪个部门")
        await dep_a.tap(department)
        await resident.wait_for("转交")  # recorded as soon as the unit is chosen
        await dep_a.wait_for("可以补充给部门的备注")
        await official(dep_a, "请尽快派人勘查修复，注意设置警示标志。")
        await dep_a.wait_for("已把备注记入")
        await api.wait_idle()

    if department and liaison is not None:
        say.step(
            f"5b. {department}在机器人里签收并答复（附现场照片）· "
            "The department signs for it and answers with a photo"
        )
        card = await liaison.wait_for("转办件")
        if not card.labels:  # the photos came as an album captioned with the card
            card = await liaison.wait_for("转办件")  # and its buttons follow
        await liaison.tap("签收", card)
        await dep_a.wait_for("签收")
        await liaison.tap("答复", await liaison.edited(card, "已签收"))
        await liaison.wait_for("可以先发结果照片")
        await liaison.send_photo()
        await liaison.wait_for("已附照片")
        await official(liaison, "已派施工队回填塌陷路面，设置了警示标志，明天恢复通行。")
        await dep_a.wait_for("转给群众")
        await api.wait_idle()
        say.step(
            "6. 代表把单位答复修改补充后答复群众：先预览、修改，再发送；居民评价满意 · "
            "The deputy edits the unit's answer: previewed, edited, sent; the resident is satisfied"
        )
        await dep_a.tap("修改后答复")
        await dep_a.wait_for("原文如下")
    else:
        say.step(
            "6. 代表答复：先预览、修改，再发送；居民评价满意 · "
            "The reply is previewed, edited, sent; the resident is satisfied"
        )
        await dep_a.tap("答复")
        await dep_a.wait_for("请输入给群众的答复")
    await dep_a.send("区住建局已修复路面。")
    await dep_a.tap("修改", await dep_a.wait_for("点“发送”后才会发出"))  # nothing sent yet
    await dep_a.sees("请重新输入")
    await official(dep_a, "区住建局已于今天下午修复路面并设置了警示标志，请您放心通行。")
    answer = await resident.wait_for("的答复")
    await resident.tap("已解决", answer)  # 回访: 问题解决了吗, then the rating
    await resident.tap("满意", await resident.edited(answer, "满意吗"))
    await resident.wait_for("已办结")
    await api.wait_idle()

    say.step(
        "7. 邻居反映相似问题，选择附议 · A neighbour files a similar problem and says 'me too'"
    )
    await report(resident, category, "新阳路120号附近井盖松动，车辆经过时响声很大，担心有人踩空。")
    await neighbour.send(f"/start st_{station_key}")
    await neighbour.wait_for("已为您绑定联络站")
    await neighbour.send("/report")
    await neighbour.wait_for("请选择问题类别")
    await neighbour.tap(category)
    await neighbour.sees("请描述问题")
    await neighbour.send("新阳路120号井盖松动，车一过就哐哐响，晚上走路担心踩空。")
    await neighbour.tap("跳过", (await neighbour.wait_for("跳过")))
    similar = await neighbour.sees("相似的事项")
    await neighbour.tap(similar.labels[0], similar)
    await neighbour.sees("已附议")
    await api.wait_idle()

    say.step(
        "8. 部分解决、不满意：重办并督办；附议的邻居一路收到进展 · "
        "Partly resolved, not satisfied: handled again (重办); the neighbour who said 'me too' "
        "hears each step"
    )
    await dep_b.tap("认领", dep_b.messages[-1] if "认领" in dep_b.messages[-1].labels else None)
    await dep_b.wait_for("办理中")
    await neighbour.wait_for("您附议的")
    await dep_b.tap("答复")
    await dep_b.wait_for("请输入给群众的答复")
    await official(dep_b, "已联系物业，下周安排检查。")
    await neighbour.wait_for("由反映人评价")
    answer = await resident.wait_for("的答复")
    await resident.tap("部分解决", answer)
    await resident.tap("不满意", await resident.edited(answer, "满意吗"))
    await resident.wait_for("重新交由代表办理")
    await neighbour.wait_for("正在重新办理")
    await resident.send("下周太晚了，井盖随时会出事。")
    await worker.wait_for("不满意")
    await dep_b.wait_for("不满意的原因")
    await api.wait_idle()

    say.step(
        "9. 时限提醒与督办 · Deadlines: a reminder, then overdue and 督办 (clock fast-forwarded)"
    )
    assert bot.services is not None
    await report(neighbour, category, "小区门口的公交站牌被风刮倒了，等车的老人没地方看线路。")
    await dep_a.wait_for("新的群众反映")
    await api.wait_idle()
    accept_within = seed.categories[0].accept_within.seconds
    clock.advance(accept_within * 0.8 + 1)
    await bot.services.deadlines.sweep()
    await dep_a.wait_for("提醒")
    await api.wait_idle()
    clock.advance(accept_within * 0.2)
    await bot.services.deadlines.sweep()
    card = await worker.wait_for("超期")
    await api.wait_idle()
    await worker.tap("督办", card)
    await dep_a.wait_for("督办")
    await api.wait_idle()

    say.step("10. 走街串巷 · A street walk: checklist, a problem becomes an issue, summary")
    await worker.send("/patrol")
    await worker.wait_for("检查清单")
    sheet = await dep_a.wait_for("走街串巷")
    first, second = sheet.labels[0], sheet.labels[1]
    await dep_a.tap(first, sheet)
    await dep_a.tap("正常", await dep_a.wait_for("检查结果"))
    await dep_a.sees("✅")
    await dep_a.tap(second, sheet)
    await dep_a.tap("有问题", await dep_a.wait_for("检查结果"))
    await dep_a.wait_for("请描述发现的问题")
    await dep_a.send("3 号楼东侧井盖松动，踩上去会晃。")
    await dep_a.wait_for("已登记为事项")
    await api.wait_idle()
    await dep_a.tap("完成", sheet)
    await worker.wait_for("走街串巷完成")
    await api.wait_idle()

    say.step("11. 居民查看进展 · The resident follows the issues with /my")
    await resident.send("/my")
    listing = await resident.wait_for("我的事项")
    first = next(label for label in listing.labels if label.startswith(f"#{number} "))
    await resident.tap(first, listing)
    await resident.wait_for("进展")
    await api.wait_idle()
    say.flush()

    await other_platforms(api, seed, say, bot, clock, wecom, wechat)
    await suggestion(api, seed, say, dep_a, dep_b, category, station_key)
    say.flush()


async def suggestion(
    api: FakeBotApi,
    seed: SeedFile,
    say: Narrator,
    lead: FakeUser,
    colleague: FakeUser,
    category: str,
    station_key: str,
) -> None:
    """代表建议: the same problem raised at two stations becomes a hotspot; the deputy drafts a
    suggestion from it, a colleague co-signs, the office hands it over, the DOCX is exported."""
    lead_stations = [
        st for st in seed.stations if any(d.telegram_id == lead.id for d in st.deputies)
    ]
    other = next((st for st in lead_stations if st.key != station_key), None)
    if other is None or not seed.admins or not seed.departments:
        return
    office_person = next((a for a in seed.admins if a.telegram_id), None)
    if office_person is None or office_person.telegram_id is None:
        return
    office = api.user(office_person.telegram_id, office_person.name)
    say.name(office.id, f"人大办 {office_person.name}")
    await office.send("/start")
    await office.next_message()
    say.step(
        f"14. 代表建议 · The same problem at {other.name}: a hotspot becomes a deputy's suggestion"
    )
    for i, text in enumerate(
        (
            "新阳路路面塌陷出现一个大坑，电动车经过容易摔倒。",
            "新阳路上路面塌了一个大坑，晚上骑车很危险。",
        ),
        start=1,
    ):
        neighbour = api.user(9100 + i, f"居民{i}")
        say.name(neighbour.id, f"居民{i}（{other.name}）")
        await neighbour.send(f"/start st_{other.key}")
        await neighbour.wait_for("已为您绑定联络站")
        await report(neighbour, category, text)
    await api.wait_idle()
    say.flush()
    lead.mark_all_seen()
    colleague.mark_all_seen()
    await lead.send("/hotspots")
    listing = await lead.wait_for("建议线索")
    await lead.tap("起草建议 1", listing)
    card = await lead.wait_for("已起草代表建议")
    await lead.tap("✏️ 标题", card)
    await lead.wait_for("请发送建议")
    await official(lead, "关于尽快修复新阳路塌陷路面的建议")
    await lead.wait_for("已保存")
    card = await lead.wait_for("起草中")
    await lead.tap("邀请联名", card)
    choice = await lead.wait_for("邀请哪位代表联名")
    colleague_name = colleague.first_name
    await lead.tap(colleague_name, choice)
    await colleague.tap("联名", await colleague.wait_for("邀请您联名"))
    await lead.wait_for("已联名")
    await lead.tap("提交", card)
    review = await office.wait_for("待审查")
    await office.tap("受理", review)
    choose = await office.edited(review, "请选择主办单位")
    await office.tap(seed.departments[0].name.zh, choose)
    units = await office.edited(choose, "可选择协办单位")
    await office.tap("📤 交办", units)
    await office.edited(units, "已交办")
    await lead.wait_for("已交办")
    await api.wait_idle()
    await lead.send("/suggestions")
    mine = await lead.wait_for("代表建议（")
    await lead.tap(mine.labels[0], mine)
    view = await lead.wait_for("办理中")
    await lead.tap("导出 DOCX", view)
    await lead.wait_for("（DOCX）")
    await api.wait_idle()


async def other_platforms(
    api: FakeBotApi,
    seed: SeedFile,
    say: Narrator,
    bot: LiaisonBot,
    clock: FastForwardClock,
    wecom: FakeWeCom | None,
    wechat: FakeWeChat | None,
) -> None:
    """The mixed-platform loop: a deputy in WeCom with a resident on Telegram, then with a
    resident in WeChat."""
    category = seed.categories[0].name.zh
    on_wecom_station = next(
        (st for st in seed.stations if any(d.wecom_userid for d in st.deputies)), None
    )
    if wecom is not None and on_wecom_station is not None:
        say.step("12. 企业微信上的代表 · A resident on Telegram, the deputy in WeCom (企业微信)")
        userid = next(d.wecom_userid for d in on_wecom_station.deputies if d.wecom_userid)
        assert userid is not None
        deputy = wecom.member(userid, "周海燕")
        await on_wecom(api, bot, say, deputy, on_wecom_station.key, category)
        if wechat is not None:
            say.step("13. 微信服务号上的居民 · A resident in WeChat, the deputy in WeCom")
            await on_wechat(wechat, bot, clock, deputy, on_wecom_station.key, category)


async def run_demo(platforms_only: bool = False) -> int:
    """The offline demo; `platforms_only` (`demo --wecom`): just the mixed-platform loop."""
    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the output
    seed = read_seed(DEMO_SEED)
    with tempfile.TemporaryDirectory(prefix="liaison-demo-") as tmp:
        api = FakeBotApi(token=TOKEN, bot_username="liaison_demo_bot")
        await api.start()
        clock = FastForwardClock()
        wecom = FakeWeCom(clock=clock.now)
        await wecom.start()
        wechat = FakeWeChat(clock=clock.now)
        await wechat.start()
        settings = load_settings(
            {
                "LIAISON_BOT_TOKEN": TOKEN,
                "LIAISON_API_BASE_URL": api.base_url,
                "LIAISON_API_FILE_URL": api.file_url,
                "LIAISON_DB": str(Path(tmp) / "demo.db"),
                "LIAISON_SEED": str(DEMO_SEED),
                "LIAISON_QUIET_HOURS": "",
                "LIAISON_LOG_LEVEL": "WARNING",
                **wecom.bot_env(),
                **wechat.bot_env(),
            }
        )
        bot = LiaisonBot(settings, clock, poll_timeout=1)
        say = Narrator(api)
        print("联络站助手 · Liaison Station Bot — offline demo")
        print(f"fake Bot API at {api.base_url} · seed {DEMO_SEED.name} · city {seed.city}")
        try:
            await bot.start()
            assert bot.wecom is not None
            wecom.callback_url = f"http://127.0.0.1:{bot.wecom.endpoint.port}/wecom/callback"
            assert bot.wechat is not None
            wechat.callback_url = f"http://127.0.0.1:{bot.wechat.endpoint.port}/wechat/callback"
            if platforms_only:
                await other_platforms(api, seed, say, bot, clock, wecom, wechat)
            else:
                await play(api, seed, say, bot, clock, wecom, wechat)
        finally:
            await bot.stop()
            await api.stop()
            await wecom.stop()
            await wechat.stop()
        calls = len(api.calls) + len(wecom.calls) + len(wechat.calls)
        violations = [f"{c.method}: {c.description}" for c in api.violations]
        violations += [str(v) for v in wecom.violations]
        violations += [str(v) for v in wechat.violations]
        print(
            f"\n✔ demo finished: {calls} Bot API, WeCom and WeChat API calls, "
            f"{len(violations)} protocol violations"
        )
        for violation in violations:
            print(f"  ✘ {violation}")
        return 1 if violations else 0
