"""The issue loop as transcripts: a resident files, deputies act, the resident rates."""

from __future__ import annotations

from fakebot import FakeUser
from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, open_bot, revisit, send_official

# The deputies' day-before reception reminder comes or not depending on the wall clock.
REMINDER = "接待日提醒"


async def nothing_more(*people: FakeUser) -> None:
    """Strict end of a transcript: nobody got a message (or an edit) no step expected."""
    for person in people:
        await person.expect_no_more(ignore=[REMINDER])


async def test_full_loop_first_accept_wins_transfer_reply_satisfied(world: World) -> None:
    a, b = world.user(501, "甲"), world.user(502, "乙")
    staff = world.user(601, "站员")
    alice = world.user(1, "Alice")
    await open_bot(a, b, staff)
    await bind(alice, "north")

    number = await file_issue(
        alice, "北关路口有个大坑，下雨天积水很深", photos=2, location=(30.01, 120.01)
    )
    # every deputy of the station gets the issue with its facts and buttons
    for deputy in (a, b):
        # one album whose first photo carries the card, its buttons next, then the pin
        notice = await deputy.wait_for("新的群众反映")
        assert f"#{number}" in notice.text
        assert "北关路口有个大坑" in notice.text
        assert "照片：2 张" in notice.text
        assert "签收时限" in notice.text
        assert len(deputy.album(notice)) == 2
        buttons = await deputy.wait_for("新的群众反映")
        assert buttons.labels == ["认领", "退回", "不予受理"]
        assert (await deputy.next_message()).kind == "location"
    await nothing_more(a, b, staff, alice)  # one notice each, nothing for staff yet

    # first accept wins; the other deputy's notice says who took it
    await a.tap("认领")
    card = await a.wait_for("办理中")
    assert card.labels == ["答复", "转办", "询问群众", "不予受理", "📜 转为建议线索"]
    await b.sees("已由 甲代表 认领")
    assert (await alice.wait_for("认领办理")).text.count("甲代表") == 1
    # the slower deputy's press is refused and changes nothing
    alert = await b.tap_data(f"iss:acc:{number}", b.messages[-1])
    assert alert is not None
    assert "状态不允许" in alert
    assert await world.rows("SELECT state, owner_id FROM issues WHERE id = ?", number) == [
        ("accepted", (await world.rows("SELECT id FROM people WHERE telegram_id = 501"))[0][0])
    ]

    # transfer with a note
    await a.tap("转办", card)
    await a.wait_for("转交哪个部门")
    await a.tap("市政工程处")
    # the transfer is recorded as soon as the unit is chosen; the note follows, previewed
    transferred = await alice.wait_for("已转交")
    assert "市政工程处" in transferred.text
    await a.wait_for("可以补充给部门的备注")
    await send_official(a, "请派人勘查")
    await a.wait_for("已把备注记入")

    # reply → 回访: the resident says 已解决, then 满意 → closed
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await send_official(a, "市政工程处已修复路面。")
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    reply = await alice.wait_for("的答复")
    assert "市政工程处已修复路面。" in reply.text
    assert "问题解决了吗" in reply.text
    await revisit(alice, reply, "满意", "已解决")
    await alice.wait_for("已办结")
    await a.wait_for("群众评价：满意")
    await nothing_more(a, b, staff, alice)
    rows = await world.rows(
        "SELECT state, rating, close_reason, department_id IS NOT NULL FROM issues WHERE id = ?",
        number,
    )
    assert rows == [("closed", "satisfied", "rated", 1)]
    assert await world.rows("SELECT resolution, revisit_by FROM issues") == [
        ("resolved", "resident")
    ]
    kinds = [
        r[0]
        for r in await world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    ]
    assert kinds == [
        "submitted",
        "accepted",
        "transferred",
        "transfer_note",
        "replied",
        "resolved",
        "rated",
    ]
    assert await world.rows(
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
    ) == [(0,)]
    assert world.api.violations == []


async def test_decline_by_every_deputy_goes_to_staff_who_assign(world: World) -> None:
    a, b, staff = world.user(501), world.user(502), world.user(601)
    alice = world.user(1)
    await open_bot(a, b, staff)
    await bind(alice, "north")
    earlier = await file_issue(alice, "小区门口的井盖松动了")
    await a.wait_for("新的群众反映")
    await b.tap("认领", await b.wait_for("新的群众反映"))
    await b.wait_for("办理中")
    await alice.wait_for("乙代表 代表认领办理")
    await a.sees(f"#{earlier} 已由 乙代表 认领")  # 甲代表's offer, settled
    number = await file_issue(alice, "楼道里贴满了小广告，清理不掉")
    await a.wait_for("新的群众反映")
    await b.wait_for("新的群众反映")
    for deputy, reason in ((a, "不在我的负责片区"), (b, "这周在外地出差")):
        await deputy.tap("退回")
        await deputy.wait_for("请说明退回")
        await send_official(deputy, reason)
        await deputy.wait_for(f"已退回 #{number}")
    assign = await staff.wait_for("所有代表都已退回")
    # the staff see why each declined, and how many open issues each deputy has now
    assert "甲代表：不在我的负责片区" in assign.text
    assert "乙代表：这周在外地出差" in assign.text
    assert assign.labels == ["指派给 甲代表（在办 0 件）", "指派给 乙代表（在办 1 件）", "不予受理"]
    await staff.tap("指派给 乙代表（在办 1 件）", assign)
    await staff.wait_for("已将")
    assigned = await b.wait_for("指派给您")
    assert assigned.labels[:2] == ["答复", "转办"]
    # the resident is told who was assigned, not that the deputy took it on their own
    told = await alice.wait_for(f"#{number}")
    assert "联络站指派给 乙代表" in told.text and "认领" not in told.text
    for deputy in (a, b):  # what offered the issue to them now says who has it
        await deputy.sees(f"#{number} 已由联络站指派给 乙代表")
    await nothing_more(a, b, staff, alice)
    reasons = await world.rows("SELECT COUNT(*) FROM issue_declines WHERE issue_id = ?", number)
    assert reasons == [(2,)]


async def test_ask_the_resident_and_the_answer_comes_back(world: World) -> None:
    a = world.user(501)
    alice = world.user(1)
    await open_bot(a)
    await bind(alice, "north")
    number = await file_issue(alice, "小区东门的路灯坏了好几天")
    await a.wait_for("新的群众反映")
    await a.tap("认领")
    card = await a.wait_for("办理中")
    await alice.wait_for("甲代表 代表认领办理")
    await a.tap("询问群众", card)
    await a.wait_for("请输入要询问群众的问题")
    await send_official(a, "是几号楼附近的路灯？")
    await a.wait_for(f"问题已发给群众（#{number}）")
    question = await alice.wait_for("想了解")
    assert "是几号楼附近的路灯？" in question.text
    await alice.tap("回复", question)
    await alice.wait_for("请输入您的回答")
    await alice.send("3 号楼和 5 号楼之间")
    answer = await a.wait_for("补充")
    assert "3 号楼和 5 号楼之间" in answer.text
    await alice.wait_for(f"已转给办理代表（#{number}）")
    await nothing_more(a, alice)
    kinds = [
        r[0]
        for r in await world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    ]
    assert kinds[-2:] == ["asked", "answered"]


async def test_not_satisfied_reopens_for_the_same_deputy_and_tells_staff_then_admins(
    world: World,
) -> None:
    a, staff, boss = world.user(501), world.user(601), world.user(901)
    alice = world.user(1)
    await open_bot(a, staff, boss)
    await bind(alice, "north")
    number = await file_issue(alice, "垃圾站三天没人清运，味道很大")
    await a.wait_for("新的群众反映")
    await a.tap("认领")
    card = await a.wait_for("办理中")
    await alice.wait_for("甲代表 代表认领办理")
    for round_ in (1, 2):
        await a.tap("答复", card)
        await a.wait_for("请输入给群众的答复")
        await send_official(a, f"第{round_}次答复：已通知环卫。")
        await a.wait_for(f"已将答复发送给群众（#{number}）")
        reply = await alice.wait_for("的答复")
        await revisit(alice, reply, "不满意", "部分解决")
        await alice.wait_for("重新交由代表办理")
        card = await a.wait_for("重新打开")
        assert card.labels[0] == "答复"
        notice = await staff.wait_for(f"已第 {round_} 次重新打开")
        assert notice.labels == ["督办", "改派"]
        if round_ == 1:
            await alice.send("还是很臭，没人来过")
            await alice.wait_for("已把您的意见转给代表和联络站")
            await a.wait_for("还是很臭")
            await staff.wait_for("还是很臭")
        else:
            await alice.tap("跳过")
            await alice.wait_for("已取消")
        # strict: one reopened card, one notice, one reason each, nothing for the boss yet
        await nothing_more(a, staff, alice)
    await boss.wait_for("已第 2 次重新打开")
    rows = await world.rows(
        "SELECT state, reopen_count, supervised FROM issues WHERE id = ?", number
    )
    assert rows == [("accepted", 2, 1)]
    # staff press 督办: the deputy gets the supervision notice
    await staff.tap("督办")
    await staff.wait_for(f"已督办 #{number}")
    await a.wait_for("督办")
    await nothing_more(a, staff, boss, alice)
    assert (
        await world.rows(
            "SELECT COUNT(*) FROM events WHERE issue_id = ? AND kind = 'supervised'", number
        )
    ) == [(1,)]


async def test_a_double_tap_on_supervise_sends_one_notice(world: World) -> None:
    a, staff = world.user(501), world.user(601)
    alice = world.user(1)
    await open_bot(a, staff)
    await bind(alice, "north")
    number = await file_issue(alice, "垃圾站三天没人清运，味道很大")
    await a.tap("认领", await a.wait_for("新的群众反映"))
    card = await a.wait_for("办理中")
    await alice.wait_for("甲代表 代表认领办理")
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await send_official(a, "已通知环卫。")
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    await revisit(alice, await alice.wait_for("的答复"), "不满意")
    await alice.wait_for("说明不满意的原因")
    await a.wait_for("群众不满意，事项已重新打开")
    notice = await staff.wait_for("已第 1 次重新打开")
    assert await staff.tap("督办", notice) == f"已督办 #{number}。"
    second = await staff.tap("督办", notice)  # a double tap (or a second manager)
    assert second is not None and "督办过" in second and "24 小时内" in second, second
    await staff.wait_for(f"已督办 #{number}")
    supervised = await a.wait_for("🔔 督办")
    assert f"#{number}" in supervised.text
    # the deputy acts, and a manager presses again the same day: still one notice a day
    await a.tap("询问群众", supervised)
    await a.wait_for("请输入要询问群众的问题")
    await send_official(a, "垃圾站在几号楼旁边？")
    await a.wait_for(f"问题已发给群众（#{number}）")
    await alice.wait_for("想了解")
    third = await staff.tap("督办", notice)
    assert third is not None and "督办过" in third, third
    await nothing_more(alice, a, staff)  # one notice, one confirmation
    kinds = await world.rows(
        "SELECT COUNT(*) FROM events WHERE issue_id = ? AND kind = 'supervised'", number
    )
    assert kinds == [(1,)]


async def test_me_too_instead_of_a_duplicate(world: World) -> None:
    a = world.user(501)
    alice, bob = world.user(1), world.user(2)
    await open_bot(a)
    await bind(alice, "north")
    await bind(bob, "north")
    first = await file_issue(alice, "北关路88号门口的井盖松动了，车过很响")
    await bob.send("/report")
    await bob.wait_for("请选择问题类别")
    await bob.tap("坑洼")
    await bob.sees("请描述问题")
    await bob.send("北关路88号井盖松动，车一过就响")
    await bob.tap("跳过", await bob.wait_for("跳过"))
    similar = await bob.sees("相似的事项")
    assert f"#{first}" in similar.text
    await bob.tap(f"附议 #{first}", similar)
    done = await bob.sees("已附议")
    assert "共 1 人附议" in done.text
    assert await world.rows("SELECT COUNT(*) FROM issues") == [(1,)]
    assert await world.rows("SELECT COUNT(*) FROM issue_supporters WHERE issue_id = ?", first) == [
        (1,)
    ]
    await a.wait_for("新的群众反映")
    await a.send("/tasks")
    await a.wait_for("待认领（1 件）")
    pending = await a.wait_for("附议：1 人")
    assert pending.labels[0] == "认领"
    await nothing_more(a, alice, bob)  # no second notice for the supporter


async def test_withdraw_and_my_issues_with_timeline(world: World) -> None:
    a = world.user(501)
    alice = world.user(1)
    await open_bot(a)
    await bind(alice, "north")
    older = await file_issue(alice, "公园的长椅坏了，老人没地方坐")
    newer = await file_issue(alice, "路边的树枝快要断了，很危险")
    assert f"#{older}" in (await a.wait_for("新的群众反映")).text
    assert f"#{newer}" in (await a.wait_for("新的群众反映")).text
    await alice.send("/my")
    listing = await alice.wait_for("我的事项")
    assert listing.labels[0].startswith(f"#{newer} 待受理")
    assert listing.labels[1].startswith(f"#{older} 待受理")
    await alice.tap(listing.labels[1], listing)
    timeline = await alice.wait_for(f"#{older} 进展")
    assert "提交" in timeline.text
    assert timeline.labels == ["补充说明", "撤回"]
    await alice.tap("撤回", timeline)
    await alice.wait_for(f"已撤回 #{older}")
    await a.sees(f"#{older} 已被群众撤回")
    assert await world.rows("SELECT state FROM issues WHERE id = ?", older) == [("withdrawn",)]
    # a withdrawn issue can no longer be accepted
    alert = await a.tap_data(f"iss:acc:{older}", a.messages[0])
    assert alert is not None
    assert "状态不允许" in alert
    await nothing_more(a, alice)


async def test_forged_presses_by_a_resident_and_another_stations_deputy_change_nothing(
    world: World,
) -> None:
    a, c = world.user(501), world.user(503)
    alice, mallory = world.user(1), world.user(66)
    await open_bot(a, c)
    await bind(alice, "north")
    await bind(mallory, "north")
    number = await file_issue(alice, "门口的路面塌陷了一大块")
    await a.wait_for("新的群众反映")
    any_message = mallory.messages[-1]
    for verb in ("acc", "dec", "rej", "rep", "tra", "ask", "sup", "wd", "fu"):
        alert = await mallory.tap_data(f"iss:{verb}:{number}", any_message)
        assert alert is not None, verb
        assert "无权" in alert or "状态不允许" in alert, (verb, alert)
        alert = await c.tap_data(f"iss:{verb}:{number}", c.messages[-1])
        assert alert is not None, verb
        assert "无权" in alert or "状态不允许" in alert, (verb, alert)
    await mallory.tap_data(f"iss:rate:{number}:1", any_message)
    await mallory.tap_data(f"iss:asg:{number}:1", any_message)
    await mallory.tap_data("iss:acc:99999", any_message)
    await mallory.tap_data("iss:acc:not-a-number", any_message)
    await world.settle()
    assert await world.rows("SELECT state, owner_id FROM issues WHERE id = ?", number) == [
        ("submitted", None)
    ]
    assert await world.rows("SELECT kind FROM events WHERE issue_id = ?", number) == [
        ("submitted",)
    ]
    assert await world.rows("SELECT COUNT(*) FROM pending WHERE kind <> 'idle'") == [(0,)]
    assert world.api.violations == []
    # refusals are pop-ups only: no message to anyone
    await nothing_more(a, c, alice, mallory)


async def test_hostile_html_in_a_description_is_shown_as_text(world: World) -> None:
    a = world.user(501)
    alice = world.user(1, "<i>Alice</i> & co")
    await open_bot(a)
    await bind(alice, "north")
    evil = '<b>urgent</b> <a href="http://x">click</a> & 1 < 2 </code>'
    number = await file_issue(alice, evil)
    notice = await a.wait_for("新的群众反映")
    assert evil in notice.text
    assert "<i>Alice</i> & co" in notice.text
    assert "&lt;b&gt;urgent" in notice.html
    assert world.api.violations == []
    assert number > 0
    await nothing_more(a, alice)


async def test_too_long_description_is_refused_with_the_limit(world: World) -> None:
    alice = world.user(1)
    await bind(alice, "north")
    await alice.send("/report")
    await alice.wait_for("请选择问题类别")
    await alice.tap("坑洼")
    await alice.sees("请描述问题")
    await alice.send("长" * 2001)
    refused = await alice.wait_for("太长", strict=True)
    assert "2001" in refused.text
    assert "2000" in refused.text
    await alice.send("短")
    await alice.wait_for("太短", strict=True)
    await alice.send_sticker()
    await alice.wait_for("请用文字描述问题", strict=True)
    await alice.send("这次的描述长度合适")
    await alice.wait_for("跳过", strict=True)
    await nothing_more(alice)
    assert await world.rows("SELECT description FROM drafts") == [("这次的描述长度合适",)]


async def test_a_report_survives_a_restart_in_the_middle(world: World) -> None:
    alice = world.user(1)
    a = world.user(501)
    await open_bot(a)
    await bind(alice, "north")
    await alice.send("/report")
    await alice.wait_for("请选择问题类别")
    await alice.tap("坑洼")
    await alice.sees("请描述问题")
    await world.settle()
    await world.restart()
    await alice.send("重启之后继续描述这个问题")
    extras = await alice.wait_for("跳过")
    await alice.tap("跳过", extras)
    await alice.tap("提交", await alice.edited(extras, "请确认"))
    await alice.edited(extras, "已提交")
    await a.wait_for("重启之后继续描述这个问题")
    await nothing_more(a, alice)


async def test_report_needs_a_station_first_then_continues(world: World) -> None:
    zed = world.user(9)
    await zed.send("/report")
    await zed.wait_for("请先选择您的联络站", strict=True)
    await zed.tap("南湖区", await zed.wait_for("请先选择您所在的联络站", strict=True))
    await zed.wait_for("也可以点下方按钮发送位置", strict=True)
    await zed.sees("南湖区 的联络站")
    await zed.tap("南湖社区联络站")
    categories = await zed.wait_for("请选择问题类别")
    assert "南湖社区联络站" in categories.text
    assert categories.labels == ["坑洼", "杂项", "取消"]
    await zed.tap("取消", categories)
    await zed.wait_for("已取消本次反映")
    await nothing_more(zed)
