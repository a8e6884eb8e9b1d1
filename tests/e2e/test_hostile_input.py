"""Hostile and odd input: each gets a clear answer or is ignored politely; nothing crashes
(no error logs), nothing is lost, the fake Bot API records no violation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from fakebot import FakeUser
from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, open_bot, send_official

# Descriptions a deputy must see exactly as typed (escaped wherever shown).
DESCRIPTIONS = {
    "html": "<b>urgent</b> & <i>now</i>",
    "closing-tags": "</code></pre></b> 结束标签",
    "entities": "&lt;b&gt; &amp; &quot; &#60; &nbsp;",
    "bare-angle": "1 < 2 > 0 <<>>",
    "markdown": "*bold* _it_ `code` [link](http://x.y) ~s~ ||sp||",
    "markdown-v2-reserved": r"\_ \* \[ \] ( ) ~ ` > # + - = | { } . !",
    "script-link": "<a href='javascript:alert(1)'>点我</a>",
    "sql-drop": "'; DROP TABLE issues; --",
    "sql-or": "1' OR '1'='1' /* 路面 */",
    "zero-width": "路\u200b面\u200d塌\u200c陷\ufeff了",
    "rtl-override": "\u202e反转文字测试\u202c 路面",
    "arabic": "مرحبا، هذه مشكلة في الطريق",
    "emoji": "🚧🕳️🚗💥 路面塌陷 👨‍👩‍👧‍👦",
    "flags": "🇨🇳" * 40,
    "zalgo": "Z̴̡̛a̵l̷g̶o̸ 路面有坑",
    "format-string": "%s %d {0} {text} {{x}} $1 路面",
    "newlines-tabs": "第一行\n\n\t第二行\r\n第三行",
    "exactly-2000": "坑" * 2000,
    "null-like": "None null undefined NaN 0",
    "long-word": "a" * 1500,
}


@pytest.mark.parametrize("case", list(DESCRIPTIONS))
async def test_descriptions_reach_the_deputy_unchanged(
    world: World, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    text = DESCRIPTIONS[case]
    a = world.user(501)
    alice = world.user(1, "<b>Alice</b> & co")
    await open_bot(a)
    await bind(alice, "north")
    number = await file_issue(alice, text)
    notice = await a.wait_for(f"#{number}")
    await world.settle()
    stored = await world.rows("SELECT description FROM issues WHERE id = ?", number)
    assert stored == [(text.strip(),)], f"{case}: stored text differs"
    shown = text.strip() if len(text) < 300 else text.strip()[:50]
    assert shown in notice.text or len(text) >= 300, f"{case}: deputy sees {notice.text!r}"
    assert world.api.violations == [], f"{case}: {world.api.violations}"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [], case


async def at_description(world: World) -> FakeUser:
    alice = world.user(1)
    await bind(alice, "north")
    await alice.send("/report")
    await alice.wait_for("请选择问题类别")
    await alice.tap("坑洼")
    await alice.sees("请描述问题")
    return alice


async def too_long_4097(world: World) -> None:
    alice = await at_description(world)
    await alice.send("长" * 4097)
    await alice.wait_for("2000")


async def whitespace_description(world: World) -> None:
    alice = await at_description(world)
    await alice.send("   \n\t  ")
    await alice.wait_for("太短")


async def whitespace_outside(world: World) -> None:
    bob = world.user(2)
    await bob.send("  \u3000  ")
    await bob.next_message()


async def long_text_outside(world: World) -> None:
    bob = world.user(2)
    await bob.send("字" * 5000)
    await bob.next_message()


async def photo_without_caption(world: World) -> None:
    alice = await at_description(world)
    await alice.send_photo()
    await alice.wait_for("请用文字描述")


async def document_at_description(world: World) -> None:
    alice = await at_description(world)
    await alice.send_document()
    await alice.wait_for("请用文字描述")


async def sticker_outside(world: World) -> None:
    bob = world.user(2)
    await bob.send_sticker()
    await bob.next_message()


async def voice_at_description(world: World) -> None:
    alice = await at_description(world)
    await alice.send_voice()
    await alice.wait_for("请用文字描述")


async def document_outside(world: World) -> None:
    bob = world.user(2)
    await bob.send_document(b"MZ\x90\x00", "virus.exe", mime_type="application/octet-stream")
    await bob.next_message()


async def edited_message(world: World) -> None:
    alice = await at_description(world)
    sent = await alice.send("这是原来的描述文字")
    await alice.wait_for("跳过")
    await alice.edit_message(sent["message_id"], "<b>改过的</b>描述")
    await world.settle()
    assert await world.rows("SELECT description FROM drafts") == [("这是原来的描述文字",)]


async def group_text(world: World) -> None:
    alice = world.user(1)
    group = world.api.group(-100777, "<b>业主群</b>")
    await group.send(alice, "大家好，路面塌了")
    await world.settle()
    assert group.messages == []


async def group_command(world: World) -> None:
    alice = world.user(1)
    group = world.api.group(-100778, "业主群")
    await group.send(alice, "/report")
    await group.wait_for("私聊")


async def no_username_no_last_name(world: World) -> None:
    zed = world.api.user(3, "Z")
    await zed.send("/start")
    await zed.wait_for("您好")


async def very_long_name(world: World) -> None:
    a = world.user(501)
    await open_bot(a)
    name = "<i>" + "长" * 300 + "</i>&"
    long = world.api.user(4, name, last_name="&amp;" * 50, username="x" * 32)
    await long.send("/start st_north")
    await long.wait_for("已为您绑定联络站")
    number = await file_issue(long, "名字特别长的人反映的问题")
    notice = await a.wait_for(f"#{number}")
    assert "<i>长长" in notice.text


async def start_garbage(world: World) -> None:
    bob = world.user(2)
    await bob.send("/start %%%<script>\u202e")
    await bob.wait_for("无效")


async def start_unknown_invite(world: World) -> None:
    bob = world.user(2)
    await bob.send("/start inv_nope")
    await bob.next_message()
    await world.settle()
    assert await world.rows(
        "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id "
        "WHERE p.telegram_id = 2"
    ) == [(0,)]


async def start_unknown_station(world: World) -> None:
    bob = world.user(2)
    await bob.send("/start st_" + "x" * 60)
    await bob.wait_for("无效")


async def unknown_command(world: World) -> None:
    bob = world.user(2)
    await bob.send("/drop_table_issues")
    await bob.wait_for("没有这个命令")


async def command_with_bot_name(world: World) -> None:
    bob = world.user(2)
    await bind(bob, "north")
    await bob.send("/report@liaison_test_bot")
    await bob.wait_for("请选择问题类别")


async def sql_in_command_args(world: World) -> None:
    bob = world.user(2)
    await bob.send("/start st_north' OR 1=1 --")
    await bob.next_message()
    await world.settle()
    assert await world.rows("SELECT station_id FROM people WHERE telegram_id = 2") == [(None,)]


async def garbage_callback(world: World) -> None:
    bob = world.user(2)
    await bob.send("/help")
    message = await bob.next_message()
    for data in (
        "💥" * 16,
        "iss:acc:-1",
        "iss:acc:99999999999999999999",
        "iss",
        ":::",
        "rep:cat:x",
    ):
        alert = await bob.tap_data(data, message)
        assert alert is not None, data


async def contact_outside_report(world: World) -> None:
    bob = world.user(2)
    await bob.send_contact("+8613800000000")
    await bob.next_message()


async def location_outside_report(world: World) -> None:
    bob = world.user(2)
    await bob.send_location(30.01, 120.01)
    nearest = await bob.wait_for("最近")
    assert nearest.labels[0].startswith("北关街道联络站")


async def double_submit(world: World) -> None:
    a = world.user(501)
    await open_bot(a)
    alice = await at_description(world)
    await alice.send("双击提交按钮不应产生两件事项")
    extras = await alice.wait_for("跳过")
    await alice.tap("跳过", extras)
    summary = await alice.sees("请确认")
    await asyncio.gather(alice.tap("提交", summary), alice.tap("提交", summary))
    await world.settle()
    assert await world.rows("SELECT COUNT(*) FROM issues") == [(1,)], "double submit: two issues"
    new = [m for m in a.messages if "#1" in m.text]
    assert len(new) == 1, "double submit: the deputy was notified twice"


async def double_accept(world: World) -> None:
    a = world.user(501)
    await open_bot(a)
    alice = world.user(1)
    await bind(alice, "north")
    number = await file_issue(alice, "双击认领不应产生两次认领")
    notice = await a.wait_for(f"#{number}")
    await asyncio.gather(a.tap("认领", notice), a.tap("认领", notice))
    await world.settle()
    events = await world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    assert events == [("submitted",), ("accepted",)], f"double accept: {events}"
    assert len([m for m in alice.messages if "认领办理" in m.text]) == 1


async def two_deputies_race(world: World) -> None:
    a, b = world.user(501), world.user(502)
    await open_bot(a, b)
    alice = world.user(1)
    await bind(alice, "north")
    number = await file_issue(alice, "两位代表同时认领")
    na, nb = await a.wait_for(f"#{number}"), await b.wait_for(f"#{number}")
    await asyncio.gather(a.tap("认领", na), b.tap("认领", nb))
    await world.settle()
    owners = await world.rows("SELECT COUNT(*) FROM events WHERE kind = 'accepted'")
    assert owners == [(1,)]


async def double_rate(world: World) -> None:
    a = world.user(501)
    await open_bot(a)
    alice = world.user(1)
    await bind(alice, "north")
    number = await file_issue(alice, "双击评价只算一次")
    await a.tap("认领", await a.wait_for(f"#{number}"))
    await a.tap("答复", await a.wait_for("办理中"))
    await a.wait_for("请输入给群众的答复")
    await send_official(a, "已处理")
    reply = await alice.wait_for("的答复")
    await alice.tap("已解决", reply)
    asked = await alice.edited(reply, "满意吗")
    await asyncio.gather(alice.tap("满意", asked), alice.tap("不满意", asked))
    await world.settle()
    rated = await world.rows(
        "SELECT COUNT(*) FROM events WHERE kind IN ('rated', 'reopened') AND issue_id = ?", number
    )
    assert rated == [(1,)]


async def cancel_everywhere(world: World) -> None:
    bob = world.user(2)
    for _ in range(3):
        await bob.send("/cancel")
        await bob.wait_for("没有需要取消")


async def emoji_only_outside(world: World) -> None:
    bob = world.user(2)
    await bob.send("👍👍👍")
    await bob.next_message()


async def english_user(world: World) -> None:
    eve = world.api.user(5, "Eve", language_code="en")
    await eve.send("/start")
    await eve.wait_for("Hello")


async def blocked_then_back(world: World) -> None:
    a = world.user(501)
    await open_bot(a)
    a.block()
    alice = world.user(1)
    await bind(alice, "north")
    await file_issue(alice, "代表屏蔽了机器人之后")
    await world.settle()
    assert await world.rows(
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
    ) == [(0,)]


CASES: dict[str, Callable[[World], Awaitable[None]]] = {
    f.__name__: f
    for f in (
        too_long_4097,
        whitespace_description,
        whitespace_outside,
        long_text_outside,
        photo_without_caption,
        document_at_description,
        sticker_outside,
        voice_at_description,
        document_outside,
        edited_message,
        group_text,
        group_command,
        no_username_no_last_name,
        very_long_name,
        start_garbage,
        start_unknown_invite,
        start_unknown_station,
        unknown_command,
        command_with_bot_name,
        sql_in_command_args,
        garbage_callback,
        contact_outside_report,
        location_outside_report,
        double_submit,
        double_accept,
        two_deputies_race,
        double_rate,
        cancel_everywhere,
        emoji_only_outside,
        english_user,
        blocked_then_back,
    )
}


@pytest.mark.parametrize("case", list(CASES))
async def test_odd_input_is_answered_or_ignored_politely(
    world: World, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    await CASES[case](world)
    await world.settle()
    errors = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info
    ]
    assert errors == [], f"{case}: errors in the logs:\n" + "\n".join(errors)
    assert world.api.violations == [], f"{case}: {[str(v) for v in world.api.violations]}"
    stuck = await world.rows("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL")
    assert stuck == [(0,)], f"{case}: outbox rows left unsent"
