"""The conversation engine as people meet it: commands and menu taps always win, official
texts are previewed, old buttons never act on newer things, questions are answered by just
typing, prompts lapse, and redelivered updates never act twice."""

from __future__ import annotations

import logging

import pytest

from fakebot import BotMessage, FakeUser
from tests.e2e.conftest import World
from tests.e2e.helpers import (
    bind,
    file_issue,
    number_in,
    open_bot,
    revisit,
    send_official,
    summary_with_similar,
)

UNKNOWN = "我没有理解"
# The deputies' day-before reception reminder comes or not depending on the wall clock.
REMINDER = "接待日提醒"


async def nothing_more(*people: FakeUser) -> None:
    """Strict end of a transcript: nobody got a message (or an edit) no step expected."""
    for person in people:
        await person.expect_no_more(ignore=[REMINDER])


async def accepted_issue(
    world: World, text: str = "北关路的路灯坏了一个星期"
) -> tuple[FakeUser, FakeUser, int, BotMessage]:
    """A resident's issue, accepted by deputy 甲: (deputy, resident, number, working card)."""
    a = world.user(501, "甲")
    a.tolerate(REMINDER)  # also for strict wait_for
    alice = world.user(1, "Alice")
    await open_bot(a)
    await bind(alice, "north")
    number = await file_issue(alice, text)
    await a.tap("认领", await a.wait_for(f"#{number}"))
    card = await a.wait_for("办理中")
    await alice.wait_for("认领办理")
    return a, alice, number, card


async def open_issue(resident: FakeUser, number: int) -> None:
    """/my → tap the issue's line (its timeline follows)."""
    listing = await resident.wait_for("我的事项")
    label = next(label for label in listing.labels if label.startswith(f"#{number} "))
    await resident.tap(label, listing)


async def pending_kinds(world: World) -> list[tuple[object, ...]]:
    return await world.rows("SELECT kind FROM pending WHERE kind <> 'idle'")


async def test_a_menu_tap_after_not_satisfied_starts_a_report_not_a_reason(world: World) -> None:
    a, alice, number, card = await accepted_issue(world)
    staff = world.user(601)
    await open_bot(staff)
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await send_official(a, "已经报修，明天更换灯泡。")
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    await revisit(alice, await alice.wait_for("的答复"), "不满意")
    await alice.wait_for("说明不满意的原因")
    await a.wait_for("群众不满意，事项已重新打开")
    await staff.wait_for(f"#{number} 群众不满意，已第 1 次重新打开")

    await alice.press("我要反映")  # the menu button, not an answer
    await alice.wait_for(f"未发送的不满意原因（#{number}）已放弃", strict=True)
    await alice.wait_for("请选择问题类别", strict=True)
    await world.settle()
    said = [m.text for m in a.messages + staff.messages]
    assert not any("我要反映" in text for text in said), said
    # strict: neither the deputy nor staff got anything more (no stray "reason")
    await nothing_more(a, staff, alice)
    kinds = await world.rows("SELECT kind FROM events WHERE issue_id = ?", number)
    assert ("unsatisfied_reason",) not in kinds
    assert await pending_kinds(world) == [("report",)]


async def test_a_menu_tap_after_follow_up_shows_my_issues_and_sends_nothing(world: World) -> None:
    a, alice, number, _card = await accepted_issue(world)
    await alice.send("/my")
    await open_issue(alice, number)
    await alice.tap("补充说明", await alice.wait_for("进展"))
    await alice.wait_for("请输入要补充的内容")
    await alice.press("我的事项")
    await alice.wait_for("已放弃", strict=True)
    await alice.wait_for("我的事项", strict=True)
    await world.settle()
    assert not any("我的事项" in m.text for m in a.messages)
    await nothing_more(a, alice)
    assert await world.rows("SELECT COUNT(*) FROM events WHERE kind = 'follow_up'") == [(0,)]


async def test_a_reply_left_for_tasks_never_reaches_the_resident(world: World) -> None:
    a, alice, number, card = await accepted_issue(world)
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await a.send("/tasks")
    dropped = await a.wait_for("已放弃")
    assert f"#{number}" in dropped.text and "答复" in dropped.text
    await a.wait_for("我的待办")
    listed = await a.wait_for("📌 办理中")
    assert f"#{number}" in listed.text
    await world.settle()
    await a.send("收到")
    await a.wait_for(UNKNOWN)
    await world.settle()
    assert not any("收到" in m.text for m in alice.messages)
    await nothing_more(a, alice)
    assert await world.rows("SELECT state FROM issues WHERE id = ?", number) == [("accepted",)]


async def test_a_reply_is_previewed_edited_then_sent(world: World) -> None:
    a, alice, number, card = await accepted_issue(world)
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await a.send("已处理")
    preview = await a.wait_for("点“发送”后才会发出")
    assert preview.labels == ["发送", "修改", "取消"]
    old_send = preview.button("发送").callback_data  # type: ignore[union-attr]
    await world.settle()
    assert not any("已处理" in m.text for m in alice.messages), "sent before 发送"
    await a.tap("修改", preview)
    rewrite = await a.sees("请重新输入")
    assert "已处理" in rewrite.text  # what was written, to copy from
    await a.send("路灯已于今天下午更换，请您查看。")
    second = await a.wait_for("点“发送”后才会发出")
    # the first preview's 发送 is stale now: it must not send the old text
    alert = await a.tap_data(old_send or "", preview)
    assert alert is not None and "过期" in alert
    await a.tap("发送", second)
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    reply = await alice.wait_for("的答复")
    assert "路灯已于今天下午更换" in reply.text and "已处理" not in reply.text
    await nothing_more(a, alice)  # one reply, not two
    assert await world.rows("SELECT state, reply_text FROM issues WHERE id = ?", number) == [
        ("replied", "路灯已于今天下午更换，请您查看。")
    ]
    assert await pending_kinds(world) == []


async def test_cancel_under_a_preview_sends_nothing(world: World) -> None:
    a, alice, number, card = await accepted_issue(world)
    await a.tap("不予受理", card)
    await a.wait_for("不予受理的原因")
    await a.send("属于诉讼事项")
    await a.tap("取消", await a.wait_for("点“发送”后才会发出"))
    await a.wait_for("没有发送任何内容")
    await nothing_more(a, alice)
    assert await world.rows("SELECT state FROM issues WHERE id = ?", number) == [("accepted",)]
    assert not any("不予受理" in m.text for m in alice.messages)


async def test_transfer_is_recorded_when_the_unit_is_chosen_even_if_reply_comes_next(
    world: World,
) -> None:
    a, alice, number, card = await accepted_issue(world)
    await a.tap("转办", card)
    await a.tap("自来水公司", await a.wait_for("转交哪个部门"))
    await a.wait_for("可以补充给部门的备注")
    told = await alice.wait_for("已转交")
    assert "自来水公司" in told.text
    # the deputy goes straight to 答复 on the card instead of writing a note
    await a.tap("答复", card)
    await a.wait_for("已放弃")  # the unwritten note, in one line
    await a.wait_for("请输入给群众的答复")
    rows = await world.rows(
        "SELECT i.state, d.key FROM issues i JOIN departments d ON d.id = i.department_id "
        "WHERE i.id = ?",
        number,
    )
    assert rows == [("transferred", "water")]
    kinds = await world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    assert kinds == [("submitted",), ("accepted",), ("transferred",)]
    await send_official(a, "自来水公司已修好管道。")
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    await alice.wait_for("的答复")
    await nothing_more(a, alice)


async def test_an_old_draft_button_never_acts_on_a_newer_draft(world: World) -> None:
    first_resident = world.user(2, "Bob")
    alice = world.user(1, "Alice")
    await bind(first_resident, "north")
    await bind(alice, "north")
    first = await file_issue(first_resident, "北关路88号门口的井盖松动了，车过很响")

    # draft A: the similar issue is shown; Alice chooses 附议
    summary_a = await summary_with_similar(alice, "北关路88号井盖松动，车一过就响")
    assert summary_a.labels[:2] == [f"附议 #{first}", "提交"]
    old_submit = summary_a.button("提交").callback_data or ""
    old_cancel = summary_a.button("取消").callback_data or ""
    await alice.tap(f"附议 #{first}", summary_a)
    done = await alice.sees("已附议")
    assert done.labels == []  # 提交 and 附议 were one message: the choice is made

    # draft B, half written
    await alice.send("/report")
    await alice.tap("杂项", await alice.wait_for("请选择问题类别"))
    await alice.send("小区里的健身器材坏了")
    await alice.wait_for("跳过")

    alert = await alice.tap_data(old_submit, done)
    assert alert is not None and f"附议 #{first}" in alert, alert
    alert = await alice.tap_data(old_cancel, done)
    assert alert is not None and f"附议 #{first}" in alert, alert
    await world.settle()
    assert await world.rows("SELECT COUNT(*) FROM issues") == [(1,)]
    drafts = await world.rows("SELECT status, description FROM drafts ORDER BY id")
    assert drafts[-2:] == [
        ("supported", "北关路88号井盖松动，车一过就响"),
        ("open", "小区里的健身器材坏了"),
    ]
    # draft B goes on normally
    await alice.tap("跳过", alice.messages[-1])
    summary_b = await alice.sees("请确认")
    await alice.tap("提交", summary_b)
    assert number_in(await alice.edited(summary_b, "已提交")) == first + 1
    await nothing_more(alice, first_resident)


async def test_report_twice_offers_to_continue_or_start_over(world: World) -> None:
    alice = world.user(1, "Alice")
    await bind(alice, "north")
    await alice.send("/report")
    await alice.tap("坑洼", await alice.wait_for("请选择问题类别"))
    await alice.send("/help")
    await alice.wait_for("未完成的反映已保存", strict=True)
    await alice.wait_for("可用命令", strict=True)
    await alice.wait_for("可以分享本人手机号来绑定身份", strict=True)
    await alice.send("/report")
    offer = await alice.wait_for("继续写完，还是重新开始")
    assert offer.labels == ["继续", "重新开始"]
    old_continue = offer.button("继续").callback_data  # type: ignore[union-attr]
    await alice.tap("重新开始", offer)
    await alice.wait_for("请选择问题类别")
    # the offer's buttons are dead now: 继续 says what happened to that draft
    alert = await alice.tap_data(old_continue or "", offer)
    assert alert is not None and "取消" in alert, alert
    await nothing_more(alice)
    statuses = await world.rows("SELECT status FROM drafts ORDER BY id")
    assert statuses == [("replaced",), ("open",)]


async def test_a_question_is_answered_by_just_typing(world: World) -> None:
    a, alice, number, card = await accepted_issue(world)
    await a.tap("询问群众", card)
    await a.wait_for("请输入要询问群众的问题")
    await send_official(a, "是几号楼附近的路灯？")
    await a.wait_for(f"问题已发给群众（#{number}）")
    question = await alice.wait_for("想了解")
    assert "直接发送您的回答" in question.text
    await alice.send("3 号楼和 5 号楼之间")  # no reply gesture, no button
    answer = await a.wait_for("3 号楼和 5 号楼之间")
    assert f"#{number}" in answer.text
    await alice.wait_for("已转给办理代表")
    await nothing_more(a, alice)
    kinds = await world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    assert kinds[-2:] == [("asked",), ("answered",)]
    assert await pending_kinds(world) == []


async def test_a_withdrawn_issue_lapses_the_deputys_reply_once(world: World) -> None:
    a, alice, number, card = await accepted_issue(world)
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await alice.send("/my")
    await open_issue(alice, number)
    await alice.tap("撤回", await alice.wait_for("进展"))
    await alice.wait_for(f"已撤回 #{number}")
    await a.wait_for("已被群众撤回")
    await a.send("已经修好了")
    lapsed = await a.wait_for("没有发送")
    assert f"#{number}" in lapsed.text and "已撤回" in lapsed.text
    await a.send("你好")  # not refused forever: ordinary text again
    await a.wait_for(UNKNOWN)
    await nothing_more(a, alice)
    assert await world.rows("SELECT state FROM issues WHERE id = ?", number) == [("withdrawn",)]


async def test_an_unanswered_deputy_prompt_lapses_quietly_after_30_minutes(world: World) -> None:
    a, alice, number, card = await accepted_issue(world)
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    # the question was asked 31 minutes ago
    async with world.db.transaction() as repos:
        await repos.conn.execute("UPDATE pending SET updated_at = updated_at - 31 * 60")
    await a.send("收到")
    await a.wait_for(UNKNOWN)  # new input, not an answer
    await world.settle()
    assert not any("收到" in m.text for m in alice.messages)
    # the card's buttons still work
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await send_official(a, "灯已修好。")
    await a.wait_for(f"已将答复发送给群众（#{number}）")
    await alice.wait_for("灯已修好。")
    await nothing_more(a, alice)


STATION = (
    "您当前的联络站",
    "本站通知：接收中",
    "请先选择您所在的联络站",
    "也可以点下方按钮发送位置",
)


@pytest.mark.parametrize(
    ("command", "expect"),
    [
        ("/help", ("可用命令", "可以分享本人手机号来绑定身份")),
        ("/my", ("还没有反映过",)),
        ("/station", STATION),
        ("/reception", ("接待日",)),
        ("/lang", ("请选择语言",)),
        ("/start", ("您好",)),
        ("我的事项", ("还没有反映过",)),
        ("联络站", STATION),
        ("接待日", ("接待日",)),
    ],
)
async def test_every_command_in_the_middle_of_a_report_does_what_it_says(
    world: World, command: str, expect: tuple[str, ...]
) -> None:
    alice = world.user(1, "Alice")
    await bind(alice, "north")
    await alice.send("/report")
    await alice.tap("坑洼", await alice.wait_for("请选择问题类别"))
    await alice.sees("请描述问题")
    await alice.send(command)
    # strict: exactly these messages, in this order, and nothing else
    await alice.wait_for("未完成的反映已保存", strict=True)
    for text in expect:
        await alice.wait_for(text, strict=True)
    await nothing_more(alice)
    drafts = await world.rows("SELECT status, description FROM drafts")
    assert drafts == [("open", None)], "the command became the description"


@pytest.mark.parametrize(
    ("button", "prompt"),
    [
        ("答复", "请输入给群众的答复"),
        ("询问群众", "请输入要询问群众的问题"),
        ("不予受理", "不予受理的原因"),
    ],
)
async def test_every_deputy_prompt_gives_way_to_a_command(
    world: World, button: str, prompt: str
) -> None:
    a, alice, _number, card = await accepted_issue(world)
    await a.tap(button, card)
    await a.wait_for(prompt)
    await a.send("/help")
    await a.wait_for("已放弃", strict=True)
    await a.wait_for("代表命令")
    await nothing_more(a, alice)
    assert await pending_kinds(world) == []
    assert len(alice.messages) == len([m for m in alice.messages if "/help" not in m.text])


async def test_a_redelivered_button_press_acts_once_and_logs_no_error(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = world.user(1, "Alice")
    await bind(alice, "north")
    await alice.send("/report")
    await alice.tap("坑洼", await alice.wait_for("请选择问题类别"))
    await alice.send("路面塌了一个大坑，很危险")
    await alice.tap("跳过", await alice.wait_for("跳过"))
    summary = await alice.sees("请确认")
    await alice.tap("提交", summary)
    await alice.edited(summary, "已提交")
    world.api.redeliver(world.api.last_update_id)  # as after a crash before confirming it
    await nothing_more(alice)  # no second confirmation, no error message
    assert await world.rows("SELECT COUNT(*) FROM issues") == [(1,)]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == []
    assert world.api.violations == []


async def test_a_redelivered_description_is_not_applied_twice(world: World) -> None:
    alice = world.user(1, "Alice")
    await bind(alice, "north")
    await alice.send("/report")
    await alice.tap("坑洼", await alice.wait_for("请选择问题类别"))
    await alice.send("路面塌了一个大坑，很危险")
    extras = await alice.wait_for("跳过")
    world.api.redeliver(world.api.last_update_id)
    await world.settle()
    assert alice.messages[-1].message_id == extras.message_id, "the redelivery was answered"
    await nothing_more(alice)
    await alice.send_photo()
    await alice.wait_for("已收到照片（1/5）", strict=True)
    await nothing_more(alice)


async def test_double_tap_on_lang_logs_no_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = world.user(1, "Alice")
    await alice.send("/lang")
    choice = await alice.wait_for("请选择语言")
    await alice.tap("English", choice)
    await alice.tap_data("lang:en", choice)
    await alice.wait_for("Use the menu below")
    await nothing_more(alice)  # the second press changed nothing and said nothing
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


async def test_submit_then_me_too_on_the_same_draft_does_only_the_first(world: World) -> None:
    bob, alice = world.user(2, "Bob"), world.user(1, "Alice")
    await bind(bob, "north")
    await bind(alice, "north")
    first = await file_issue(bob, "北关路88号门口的井盖松动了，车过很响")
    summary = await summary_with_similar(alice, "北关路88号井盖松动，车一过就响")
    me_too = summary.button(f"附议 #{first}").callback_data or ""  # type: ignore[union-attr]
    await alice.tap("提交", summary)
    number = number_in(await alice.edited(summary, "已提交"))
    alert = await alice.tap_data(me_too, summary)  # the same draft's 附议, pressed late
    assert alert == f"这份草稿已提交为 #{number}。"
    await world.settle()
    assert await world.rows("SELECT COUNT(*) FROM issue_supporters") == [(0,)]
    await nothing_more(alice, bob)


async def test_double_tap_on_a_broadcast_audience_logs_no_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    staff = world.user(601)
    await open_bot(staff)
    await staff.send("/broadcast")
    choice = await staff.wait_for("请选择通知对象")
    data = choice.button("北关街道联络站 的群众").callback_data or ""  # type: ignore[union-attr]
    await staff.tap("北关街道联络站 的群众", choice)
    await staff.tap_data(data, choice)
    await staff.sees("请发送通知内容")
    await world.settle()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    await staff.send("周三下午两点到四点停水")
    await staff.wait_for("将发送给")
    assert await world.rows("SELECT state FROM broadcasts ORDER BY id") == [
        ("cancelled",),
        ("preview",),
    ]
