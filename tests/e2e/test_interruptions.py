"""Commands win in the middle of every other flow too: a notice being written, a patrol note,
a reason for declining, a note after 转办. The command runs; nothing is sent or filed."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, open_bot
from tests.e2e.test_scheduler_e2e import fast_world

__all__ = ["fast_world"]


async def test_help_while_writing_a_notice_drops_the_notice(world: World) -> None:
    staff, alice = world.user(601), world.user(1)
    await open_bot(staff)
    await bind(alice, "north")
    await staff.send("/broadcast")
    await staff.tap("北关街道联络站 的群众", await staff.wait_for("请选择通知对象"))
    await staff.sees("请发送通知内容")
    await staff.send("/help")
    await staff.wait_for("未写完的通知已放弃")
    await staff.wait_for("工作人员")
    await staff.send("周三下午停水")  # ordinary text now, not a notice
    await world.settle()
    assert not any("将发送给" in m.text for m in staff.messages)
    assert await world.rows("SELECT state FROM broadcasts") == [("cancelled",)]
    assert not any("停水" in m.text for m in alice.messages)


async def test_a_menu_word_during_a_patrol_note_files_no_issue(fast_world: World) -> None:
    world = fast_world
    deputy, staff = world.user(701), world.user(801)
    await open_bot(deputy, staff)
    await staff.send("/patrol")
    sheet = await deputy.wait_for("枢纽巡查")
    await deputy.tap("⬜ 楼道小广告", sheet)
    await deputy.tap("有问题", await deputy.wait_for("检查结果"))
    await deputy.wait_for("请描述发现的问题")
    await deputy.send("/tasks")
    dropped = await deputy.wait_for("问题说明没有写")
    assert "楼道小广告" in dropped.text
    await deputy.wait_for("待办")
    await world.settle()
    assert await world.rows("SELECT COUNT(*) FROM issues") == [(0,)]
    # the item can be reported later from the same checklist
    await deputy.tap("⬜ 楼道小广告", sheet)
    await deputy.tap("有问题", await deputy.wait_for("检查结果"))
    await deputy.send("二单元楼道小广告很多")
    await deputy.wait_for("已登记为事项")


async def test_help_while_giving_a_reason_to_decline_declines_nothing(world: World) -> None:
    a, alice = world.user(501), world.user(1)
    await open_bot(a)
    await bind(alice, "north")
    number = await file_issue(alice, "楼道灯坏了好几天了")
    await a.tap("退回", await a.wait_for(f"#{number}"))
    await a.wait_for("请说明退回")
    await a.send("/help")
    await a.wait_for("已放弃")
    await world.settle()
    assert await world.rows("SELECT COUNT(*) FROM issue_declines") == [(0,)]
    # the notice's buttons still work
    await a.tap("认领", next(m for m in a.messages if m.labels[:1] == ["认领"]))
    await a.wait_for("办理中")


async def test_help_while_writing_a_transfer_note_keeps_the_transfer(world: World) -> None:
    a, alice = world.user(501), world.user(1)
    await open_bot(a)
    await bind(alice, "north")
    number = await file_issue(alice, "自来水管爆了，水流了一地")
    await a.tap("认领", await a.wait_for(f"#{number}"))
    await a.tap("转办", await a.wait_for("办理中"))
    await a.tap("自来水公司", await a.wait_for("转交哪个部门"))
    await a.wait_for("可以补充给部门的备注")
    await a.send("/help")
    dropped = await a.wait_for("已放弃")
    assert "转办备注" in dropped.text
    await world.settle()
    assert await world.rows("SELECT state FROM issues WHERE id = ?", number) == [("transferred",)]
    assert await world.rows(
        "SELECT COUNT(*) FROM events WHERE issue_id = ? AND kind = 'transfer_note'", number
    ) == [(0,)]
