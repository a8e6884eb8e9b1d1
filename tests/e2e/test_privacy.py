"""Privacy: a deputy sees a resident's phone number only when the resident attached it to
that issue (附上我的手机号, their own contact only); logs never hold what people typed or
their phone numbers."""

from __future__ import annotations

import logging

import pytest

from fakebot import FakeUser
from tests.e2e.conftest import World
from tests.e2e.helpers import bind, number_in, open_bot, revisit, send_official


async def report_until_summary(resident: FakeUser, text: str) -> None:
    await resident.send("/report")
    await resident.wait_for("请选择问题类别")
    await resident.tap("坑洼")
    await resident.sees("请描述问题")
    await resident.send(text)
    await resident.tap("跳过", await resident.wait_for("跳过"))
    await resident.sees("请确认")


async def submit(resident: FakeUser) -> int:
    summary = await resident.sees("请确认")
    await resident.tap("提交", summary)
    return number_in(await resident.edited(summary, "已提交"))


def phone_of(user: FakeUser) -> str:
    return f"+86138{user.id:08d}"[-14:]  # what FakeUser.press sends for a contact button


def deputy_texts(deputy: FakeUser, world: World) -> list[str]:
    """Everything the bot ever showed the deputy, edits included."""
    return [e.text for e in world.api.transcript if e.who == "bot" and e.chat_id == deputy.id]


async def test_the_phone_reaches_the_deputy_only_when_shared_for_that_issue(world: World) -> None:
    a = world.user(501)
    alice = world.user(1, "Alice")
    await open_bot(a)
    await bind(alice, "north")

    await report_until_summary(alice, "小区门口的路面塌了一个大坑")
    summary = await alice.sees("请确认")
    assert "手机号：不附" in summary.text
    # never shared before: the inline button brings a keyboard button that sends her contact
    await alice.tap("附上我的手机号", summary)
    await alice.wait_for("分享您本人的手机号")
    assert alice.keyboard is not None and alice.keyboard[0] == ["附上我的手机号"], alice.keyboard
    await alice.press("附上我的手机号")
    await alice.wait_for("已附上您的手机号")
    assert alice.keyboard is not None and ["附上我的手机号"] not in alice.keyboard  # menu back
    await alice.edited(summary, f"手机号：{phone_of(alice)}")
    assert summary.labels == ["提交", "取消", "不附手机号"], summary.labels
    shared = await submit(alice)
    notice = await a.wait_for(f"#{shared}")
    # every deputy of the station is offered the issue: the number only once one accepts
    assert phone_of(alice) not in notice.text, "phone shown before anyone accepted"
    await a.tap("认领", notice)
    card = await a.wait_for("办理中")
    assert phone_of(alice) in card.text, "shared phone missing from the accepting deputy's card"

    # the next issue is filed without the number: the deputy never sees it for that one.
    # Her number is on record now, so 附上 and 不附 just flip the summary: no contact asked.
    await report_until_summary(alice, "路灯一到晚上就闪个不停")
    summary = await alice.sees("请确认")
    assert "手机号：不附" in summary.text
    await alice.tap("附上我的手机号", summary)
    await alice.edited(summary, f"手机号：{phone_of(alice)}")
    await alice.tap("不附手机号", summary)
    await alice.edited(summary, "手机号：不附")
    second = await submit(alice)
    notice = await a.wait_for(f"#{second}")
    await a.tap("认领", notice)
    await a.wait_for("办理中")
    await a.send("/tasks")
    await a.wait_for("我的待办")
    await world.settle()
    leaked = [t for t in deputy_texts(a, world) if f"#{second}" in t and phone_of(alice) in t]
    assert leaked == [], f"phone shown for #{second} although not shared: {leaked}"
    assert await world.rows("SELECT id, share_phone FROM issues ORDER BY id") == [
        (shared, 1),
        (second, 0),
    ]


async def test_asking_for_the_contact_keyboard_and_not_sharing_files_without_a_number(
    world: World,
) -> None:
    bob = world.user(2, "Bob")
    await bind(bob, "north")
    await report_until_summary(bob, "小区东门的路灯不亮了")
    await bob.tap("附上我的手机号", await bob.sees("请确认"))
    await bob.wait_for("分享您本人的手机号")
    assert bob.keyboard is not None and bob.keyboard[0] == ["附上我的手机号"]
    await submit(bob)  # changed his mind: submits without sharing
    await bob.wait_for("请选择下方菜单")
    assert bob.keyboard is not None and ["附上我的手机号"] not in bob.keyboard, bob.keyboard
    assert "我要反映" in bob.keyboard[0]
    await world.settle()
    assert await world.rows("SELECT share_phone FROM issues") == [(0,)]
    assert await world.rows("SELECT phone FROM people WHERE telegram_id = 2") == [(None,)]


async def test_someone_elses_contact_is_refused(world: World) -> None:
    alice = world.user(1)
    await bind(alice, "north")
    await report_until_summary(alice, "楼下的垃圾桶三天没人清")
    await alice.send_contact("+8613912345678", user_id=4242, first_name="Other")
    await alice.wait_for("本人的手机号")
    await submit(alice)
    await world.settle()
    assert await world.rows("SELECT share_phone FROM issues") == [(0,)]
    assert await world.rows("SELECT COUNT(*) FROM people WHERE phone IS NOT NULL") == [(0,)]
    assert world.api.violations == []


async def test_logs_at_info_hold_no_message_text_or_phone(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    a = world.user(501)
    alice = world.user(1, "Alice")
    await open_bot(a)
    await bind(alice, "north")
    secret = "秘密描述：三号楼的燃气管道有味道"
    answer = "秘密答复：燃气公司下午上门"
    await report_until_summary(alice, secret)
    await alice.tap("附上我的手机号", await alice.sees("请确认"))
    await alice.wait_for("分享您本人的手机号")
    await alice.press("附上我的手机号")
    await alice.wait_for("已附上您的手机号")
    number = await submit(alice)
    await a.tap("认领", await a.wait_for(f"#{number}"))
    card = await a.wait_for("办理中")
    await a.tap("答复", card)
    await a.wait_for("请输入给群众的答复")
    await send_official(a, answer)
    await revisit(alice, await alice.wait_for("的答复"))
    await alice.wait_for("已办结")
    await world.settle()
    phone = phone_of(alice)
    digits = phone.lstrip("+")
    leaks = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if any(s in r.getMessage() for s in ("秘密", digits, "Alice"))
    ]
    assert leaks == [], "user text or phone in the logs:\n" + "\n".join(leaks)
