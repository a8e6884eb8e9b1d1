"""Roles follow the seed and never the filer, as transcripts: a deputy the seed took off a
station loses the issues in hand (they go back to the station, whose staff 指派 or 改派
them), and a deputy who files at their own station is one of the residents for it."""

from __future__ import annotations

from bot.services import Services
from tests.e2e.conftest import CITY, World
from tests.e2e.helpers import bind, file_issue, open_bot, send_official

DEPUTY_A = next(line for line in CITY.splitlines(keepends=True) if "key: dep-a" in line)


def services(world: World) -> Services:
    assert world.bot.services is not None
    return world.bot.services


async def issue_row(world: World, number: int) -> tuple[object, ...]:
    [row] = await world.rows(
        "SELECT i.state, p.name FROM issues i LEFT JOIN people p ON p.id = i.owner_id "
        "WHERE i.id = ?",
        number,
    )
    return row


async def seed_without_deputy_a(world: World) -> None:
    assert DEPUTY_A in CITY
    world.seed_path.write_text(CITY.replace(DEPUTY_A, ""), encoding="utf-8")
    await world.restart()


async def test_a_deputy_taken_off_the_station_loses_the_issue_in_hand(world: World) -> None:
    a, b, staff, alice = world.user(501), world.user(502), world.user(601), world.user(1)
    await open_bot(a, b, staff)
    await bind(alice, "north")
    number = await file_issue(alice, "北关路口有个大坑，下雨天积水很深")
    await a.tap("认领", await a.wait_for("新的群众反映"))
    card = await a.wait_for("办理中")
    await b.sees("已由 甲代表 认领")
    await alice.wait_for("认领办理")

    await seed_without_deputy_a(world)
    # the old card's buttons no longer work for someone who is not the station's deputy
    alert = await a.tap_data(f"iss:rep:{number}", card)
    assert alert is not None, "a removed deputy's 答复 button was not refused"
    assert await world.rows("SELECT kind FROM pending WHERE person_id = 1") in ([], [("idle",)])

    await services(world).deadlines.sweep()
    released = await staff.wait_for("已不在本站")
    assert f"#{number}" in released.text and "退回待认领" in released.text
    assert released.labels == ["指派给 乙代表（在办 0 件）"]
    offered = await b.wait_for("新的群众反映")  # offered to the station's deputies again
    assert f"#{number}" in offered.text
    assert await issue_row(world, number) == ("submitted", None)
    await services(world).deadlines.sweep()  # once
    await staff.expect_no_more(ignore=["接待日提醒", "今日预警"])

    await staff.tap("指派给 乙代表（在办 0 件）", released)
    await b.wait_for("指派给您")
    told = await alice.wait_for("指派给 乙代表")
    assert f"#{number}" in told.text
    assert await issue_row(world, number) == ("accepted", "乙代表")
    kinds = await world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    assert [k[0] for k in kinds] == ["submitted", "accepted", "released", "assigned"]


async def test_staff_reassign_an_issue_with_a_unit_to_another_deputy(world: World) -> None:
    a, b, staff, alice = world.user(501), world.user(502), world.user(601), world.user(1)
    await open_bot(a, b, staff)
    await bind(alice, "north")
    number = await file_issue(alice, "小区东门的路灯坏了好几天")
    await a.tap("认领", await a.wait_for("新的群众反映"))
    card = await a.wait_for("办理中")
    await a.tap("转办", card)
    await a.tap("市政工程处", await a.wait_for("转交哪个部门"))
    await alice.wait_for("已转交")
    await a.tap("跳过", await a.wait_for("可以补充给部门的备注"))

    await seed_without_deputy_a(world)
    await services(world).deadlines.sweep()
    released = await staff.wait_for("已不在本站")
    assert "请改派" in released.text
    assert released.labels == ["改派给 乙代表（在办 0 件）"]
    assert await issue_row(world, number) == ("transferred", None)

    await staff.tap("改派给 乙代表（在办 0 件）", released)
    await staff.wait_for(f"请说明改派 #{number} 的原因")
    await send_official(staff, "甲代表已调离本站，由乙代表跟进")
    await staff.wait_for(f"已将 #{number} 改派")
    handed = await b.wait_for("改派给您")
    assert "甲代表已调离本站" in handed.text
    assert handed.labels[:2] == ["答复", "转办"]
    told = await alice.wait_for("指派给 乙代表")
    assert f"#{number}" in told.text
    assert await issue_row(world, number) == ("transferred", "乙代表")
    notes = await world.rows(
        "SELECT note FROM events WHERE issue_id = ? AND kind = 'reassigned'", number
    )
    assert notes == [("乙代表：甲代表已调离本站，由乙代表跟进",)]


async def test_reassign_is_for_staff_only_and_not_to_the_same_deputy(world: World) -> None:
    a, b, staff, alice = world.user(501), world.user(502), world.user(601), world.user(1)
    await open_bot(a, b, staff)
    await bind(alice, "north")
    number = await file_issue(alice, "楼道里贴满了小广告，清理不掉")
    await a.tap("认领", await a.wait_for("新的群众反映"))
    card = await a.wait_for("办理中")
    await b.sees("已由 甲代表 认领")
    # a deputy cannot 改派 (even their own issue), and nobody 改派 to the deputy who has it
    ids = dict(await world.rows("SELECT telegram_id, id FROM people WHERE telegram_id > 500"))
    for person, message in ((a, card), (b, b.messages[-1])):
        alert = await person.tap_data(f"iss:rea:{number}:{ids[502]}", message)
        assert alert is not None, "a deputy's 改派 press was not refused"
    alert = await staff.tap_data(f"iss:rea:{number}:{ids[501]}", staff.messages[-1])
    assert alert is not None and "已由 甲代表 办理" in alert, alert
    await world.settle()
    assert await world.rows("SELECT kind FROM pending WHERE kind <> 'idle'") == []
    assert await issue_row(world, number) == ("accepted", "甲代表")


async def test_a_deputy_who_files_at_their_own_station_is_a_resident_for_it(
    world: World,
) -> None:
    a, b, staff = world.user(501), world.user(502), world.user(601)
    await open_bot(a, b, staff)
    await bind(b, "north")
    number = await file_issue(b, "我家楼下的井盖丢了，晚上很危险")
    offered = await a.wait_for("新的群众反映")
    assert f"#{number}" in offered.text
    await world.settle()
    assert not any(f"#{number}" in m.text and m.labels for m in b.messages), (
        "the filing deputy was offered their own issue"
    )
    alert = await b.tap_data(f"iss:acc:{number}", b.messages[-1])
    assert alert is not None, "the filer accepted their own issue"
    assert await issue_row(world, number) == ("submitted", None)

    # the only other deputy declines: the staff may assign it to him, never to the filer
    await a.tap("退回", offered)
    await a.wait_for("请说明退回")
    await send_official(a, "不在我的片区")
    assign = await staff.wait_for("所有代表都已退回")
    assert assign.labels == ["指派给 甲代表（在办 0 件）", "不予受理"]
    forged = await staff.tap_data(f"iss:asg:{number}:502", assign)
    assert forged is not None, "the filer was assigned their own issue"
    assert await issue_row(world, number) == ("submitted", None)


async def test_staff_reassign_a_pending_issue_nobody_accepted(world: World) -> None:
    """改派 works on any open issue: one nobody accepted goes to the deputy staff choose."""
    a, b, staff, alice = world.user(501), world.user(502), world.user(601), world.user(1)
    await open_bot(a, b, staff)
    await bind(alice, "north")
    number = await file_issue(alice, "小区北门的垃圾桶三天没人清运")
    await a.wait_for("新的群众反映")
    offered_b = await b.wait_for("新的群众反映")
    # 改派 as on the 督办 card: the station's deputies to choose from, with their load
    await staff.tap_data(f"iss:rea:{number}", staff.messages[-1])
    choice = await staff.wait_for("尚未有代表认领")
    assert choice.labels == ["改派给 甲代表（在办 0 件）", "改派给 乙代表（在办 0 件）"]
    await staff.tap("改派给 乙代表（在办 0 件）", choice)
    await staff.wait_for(f"请说明改派 #{number} 的原因")
    await send_official(staff, "乙代表住在这个小区")
    await staff.wait_for(f"已将 #{number} 改派")
    await b.wait_for("改派给您")
    await b.edited(offered_b, "已由联络站指派给 乙代表")  # the offer is settled
    assert offered_b.labels == []
    assert "指派给 乙代表" in (await alice.wait_for("指派给 乙代表")).text
    assert await issue_row(world, number) == ("accepted", "乙代表")
    [(accepted_at,)] = await world.rows("SELECT accepted_at FROM issues WHERE id = ?", number)
    assert accepted_at is not None
