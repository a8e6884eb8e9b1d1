"""承办单位 in the loop, as transcripts on the fake Telegram: a department's liaison signs for
a transferred issue, answers it with a photo, the deputy forwards the answer; 退回 with a
reason; 申请延期 approved and refused; what a liaison may and may not see or press."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakebot import FakeUser
from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, open_bot, send_official
from tests.e2e.worlds import running_world

CITY = textwrap.dedent(
    """
    city: 河西市
    categories:
      - {key: lights, name: {zh: 路灯, en: Street lights}, accept_within: 1d, reply_within: 10wd}
    departments:
      - key: power
        name: {zh: 城区供电所, en: Power office}
        sign_within: 1wd
        answer_within: 5wd
        liaisons:
          - {key: li-power, name: 电力联络员, telegram_id: 701}
          - {key: li-power2, name: 电力副联络员, telegram_id: 702}
      - key: parks
        name: {zh: 园林处, en: Parks office}
        liaisons:
          - {key: li-parks, name: 园林联络员, telegram_id: 703}
      - {key: lamps, name: {zh: 照明管理站, en: Lighting station}}
    stations:
      - key: riverside
        name: 河西街道联络站
        district: 河西区
        deputies:
          - {key: dep-r, name: 河代表, telegram_id: 501}
        staff:
          - {key: staff-r, name: 河站员, telegram_id: 601}
    admins:
      - {key: office, name: 代表工委, telegram_id: 901}
    """
)


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, seed=CITY) as world:
        yield world


async def transferred(world: World, text: str = "河西路的路灯一整排都不亮") -> tuple[int, FakeUser]:
    """A resident files, the deputy accepts and transfers to 城区供电所 with a note."""
    deputy = world.user(501, "河代表")
    resident = world.user(1, "居民")
    await bind(resident, "riverside")
    number = await file_issue(resident, text, category="路灯", photos=1)
    await deputy.wait_for(f"#{number}")
    await deputy.tap("认领")
    card = await deputy.wait_for("办理中")
    await deputy.tap("转办", card)
    choice = await deputy.wait_for("转交哪个部门")
    assert choice.labels == ["城区供电所", "园林处", "照明管理站"]
    await deputy.tap("城区供电所", choice)
    note = await deputy.wait_for("联络员会在机器人中签收")
    await deputy.tap("跳过", note)
    return number, resident


async def test_sign_for_answer_with_a_photo_and_the_deputy_forwards_it(city: World) -> None:
    world = city
    deputy, staff = world.user(501, "河代表"), world.user(601, "河站员")
    liaison, second = world.user(701, "电力联络员"), world.user(702, "电力副联络员")
    parks = world.user(703, "园林联络员")
    await open_bot(deputy, staff, liaison, second, parks)
    number, resident = await transferred(world)
    await resident.wait_for("城区供电所")

    # both liaisons of the unit get the card: facts, photo, deadlines; never the resident
    for person in (liaison, second):
        card = await person.wait_for(f"转办件 #{number}")
        assert "城区供电所" in card.text and "河西路的路灯" in card.text
        assert "签收时限" in card.text and "答复时限" in card.text
        assert "转办代表：河代表" in card.text
        assert "居民" not in card.text
        assert card.labels == ["签收", "退回", "申请延期"]
    await world.settle()
    assert liaison.messages[-1].kind == "photo"  # one photo: the card is its caption
    await parks.expect_no_more()  # another unit hears nothing

    card = liaison.messages[-1]
    await liaison.tap("签收", card)
    signed = await liaison.edited(card, "已签收（电力联络员）")
    assert signed.labels == ["答复", "退回", "申请延期"]
    await second.sees(f"#{number} 已由电力联络员签收")
    await deputy.wait_for(f"#{number} 已由城区供电所签收（电力联络员）")

    # 答复 with a photo of the result, previewed before it goes to the deputy
    await liaison.tap("答复", signed)
    await liaison.wait_for("请输入城区供电所对")
    await liaison.send_photo()
    await liaison.wait_for("已附照片 1 张")
    await liaison.send("线路老化已更换，今晚起恢复照明")
    preview = await liaison.wait_for("点“发送”后才会发出")
    assert "附照片 1 张" in preview.text
    await liaison.tap("发送", preview)
    await liaison.wait_for("答复已交给代表")

    answer = await deputy.wait_for("城区供电所答复")
    assert "线路老化已更换" in answer.text
    assert answer.labels == ["转给群众", "修改后答复"]
    await world.settle()
    assert answer.kind == "photo"  # the result's photo carries the answer as its caption
    await deputy.tap("转给群众", answer)
    await deputy.wait_for(f"已将答复发送给群众（#{number}）")

    reply = await resident.wait_for("线路老化已更换")
    assert f"#{number}" in reply.text
    await world.settle()
    assert reply.kind == "photo"

    rows = await world.rows(
        "SELECT state, liaison_id IS NOT NULL, answer_text, ended_at IS NOT NULL "
        "FROM handovers WHERE issue_id = ?",
        number,
    )
    assert rows == [("answered", 1, "线路老化已更换，今晚起恢复照明", 1)]
    kinds = [r[0] for r in await world.rows(
        "SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number
    )]  # fmt: skip
    assert kinds[-4:] == ["transferred", "unit_signed", "unit_answered", "replied"]
    assert (await world.rows("SELECT state FROM issues WHERE id = ?", number)) == [("replied",)]

    # the timeline shows both the unit's answer and what the resident received
    await resident.send("/my")
    listing = await resident.wait_for("我的事项")
    await resident.tap(listing.labels[0], listing)
    timeline = await resident.wait_for("承办单位签收")
    assert "承办单位签收" in timeline.text and "承办单位答复" in timeline.text

    # /stats counts per department: received, signed on time, returned, extensions, on time
    await staff.send("/stats")
    figures = await staff.wait_for("承办单位")
    assert "城区供电所：1 · 1 · 0 · 0 · 1 · " in figures.text


async def test_return_with_a_reason_then_the_deputy_transfers_again(city: World) -> None:
    world = city
    deputy, liaison = world.user(501, "河代表"), world.user(701, "电力联络员")
    await open_bot(deputy, world.user(601), liaison, world.user(702))
    number, _resident = await transferred(world, "公园里的景观灯坏了三盏")
    card = await liaison.wait_for(f"转办件 #{number}")

    await liaison.tap("退回", card)
    reasons = await liaison.wait_for("退回 #")
    assert reasons.labels == ["不属于本单位职责", "应由其他单位办理", "重复件", "需补充情况"]
    await liaison.tap("应由其他单位办理", reasons)
    await liaison.wait_for("可以再写几句说明")
    back = await deputy.wait_for(f"#{number} 被城区供电所退回")
    assert "应由其他单位办理" in back.text
    assert back.labels == ["答复", "转办", "询问群众", "不予受理", "📜 转为建议线索"]
    await send_official(liaison, "景观灯归园林处管理")
    await deputy.wait_for("景观灯归园林处管理")
    assert await world.rows("SELECT state, department_id FROM issues WHERE id = ?", number) == [
        ("accepted", None)
    ]

    # the returned issue is no longer the unit's: its buttons are refused
    alert = await liaison.tap_data(f"un:sign:{number}", card)
    assert alert is not None and "不在本单位办理中" in alert

    await deputy.tap("转办", back)
    choice = await deputy.wait_for("转交哪个部门")
    await deputy.tap("照明管理站", choice)  # a unit without liaisons: the deputy relays
    await deputy.wait_for("照明管理站不在机器人中")
    assert await world.rows(
        "SELECT state, return_reason FROM handovers WHERE issue_id = ? ORDER BY id", number
    ) == [("returned", "wrong_unit")]


async def test_extension_approved_moves_the_deadlines_and_the_resident_hears(city: World) -> None:
    world = city
    deputy, staff = world.user(501, "河代表"), world.user(601, "河站员")
    liaison = world.user(701, "电力联络员")
    await open_bot(deputy, staff, liaison, world.user(702))
    number, resident = await transferred(world)
    card = await liaison.wait_for(f"转办件 #{number}")
    await liaison.tap("签收", card)
    signed = await liaison.edited(card, "已签收")
    [(due_before, reply_due_before)] = await world.rows(
        "SELECT h.answer_due, i.reply_due FROM handovers h JOIN issues i ON i.id = h.issue_id "
        "WHERE h.issue_id = ?",
        number,
    )

    await liaison.tap("申请延期", signed)
    days = await liaison.wait_for("申请延期到")
    assert [label.split("（")[0] for label in days.labels] == [
        "+3 个工作日",
        "+5 个工作日",
        "+10 个工作日",
    ]
    await liaison.tap(days.labels[2], days)
    await liaison.wait_for("请写延期理由")
    await send_official(liaison, "需要更换整段电缆，材料采购需两周")
    await liaison.wait_for("延期申请已提交")

    request = await staff.wait_for("延期申请")
    assert "需要更换整段电缆" in request.text
    assert request.labels == ["同意", "不同意"]
    await deputy.wait_for("申请把 #")
    # a second request while one waits is refused
    alert = await liaison.tap_data(f"un:ext:{number}", signed)
    assert alert is not None and "已有一份延期申请" in alert

    approve = request.button("同意")
    assert approve is not None and approve.callback_data is not None
    await staff.tap("同意", request)
    await staff.edited(request, "延期已同意")
    await liaison.wait_for("延期已同意")
    told = await resident.wait_for("办理时限延长至")
    assert "城区供电所" in told.text
    [(due_after, reply_due_after, extensions)] = await world.rows(
        "SELECT h.answer_due, i.reply_due, h.extensions FROM handovers h "
        "JOIN issues i ON i.id = h.issue_id WHERE h.issue_id = ?",
        number,
    )
    assert due_after > due_before + 10 * 86400  # ten working days are at least two weeks
    assert extensions == 1
    assert reply_due_after == max(reply_due_before, due_after)
    # the decision is taken once: a second tap (another staff member's copy) is refused
    again = await staff.tap_data(approve.callback_data, request)
    assert again is not None and "已经处理过" in again


async def test_extension_refused_keeps_the_deadline(city: World) -> None:
    world = city
    deputy, staff = world.user(501, "河代表"), world.user(601, "河站员")
    liaison = world.user(701, "电力联络员")
    await open_bot(deputy, staff, liaison, world.user(702))
    number, resident = await transferred(world)
    card = await liaison.wait_for(f"转办件 #{number}")
    await liaison.tap("申请延期", card)  # may be asked before signing for it too
    days = await liaison.wait_for("申请延期到")
    await liaison.tap(days.labels[0], days)
    await send_official(liaison, "人手不足")
    request = await staff.wait_for("延期申请")
    [(due_before,)] = await world.rows(
        "SELECT answer_due FROM handovers WHERE issue_id = ?", number
    )
    await staff.tap("不同意", request)
    await liaison.wait_for("延期未获同意")
    assert await world.rows(
        "SELECT answer_due, extensions FROM handovers WHERE issue_id = ?", number
    ) == [(due_before, 0)]
    assert await world.rows("SELECT state FROM extension_requests") == [("refused",)]
    await world.settle()
    assert not [m for m in resident.messages if "延长" in m.text]


async def test_a_liaison_never_acts_on_or_sees_another_units_issue(city: World) -> None:
    world = city
    deputy, liaison = world.user(501, "河代表"), world.user(701, "电力联络员")
    parks = world.user(703, "园林联络员")
    await open_bot(deputy, world.user(601), liaison, world.user(702), parks)
    number, _ = await transferred(world)
    await liaison.wait_for(f"转办件 #{number}")

    # the parks liaison forges every unit button on the power office's issue
    target = parks.messages[-1]  # their own chat's last message carries the forged presses
    for data in (f"un:sign:{number}", f"un:ans:{number}", f"un:ret:{number}", f"un:rr:{number}:0"):
        alert = await parks.tap_data(data, target)
        assert alert is not None, data
    # nor the deputy's buttons
    assert await parks.tap_data(f"iss:rep:{number}", target) is not None
    assert await world.rows("SELECT state FROM handovers WHERE issue_id = ?", number) == [("sent",)]

    # /tasks lists only the unit's own issues
    await parks.send("/tasks")
    await parks.wait_for("本单位没有待办")
    await liaison.send("/tasks")
    head = await liaison.wait_for("本单位待办")
    assert "1 件" in head.text
    listed = await liaison.wait_for(f"#{number}")
    assert listed.labels == ["签收", "退回", "申请延期"]
    # the resident's phone never reaches a unit (the card shows no contact line)
    assert "电话" not in listed.text
