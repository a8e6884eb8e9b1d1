"""Transcripts of the basics: /start, the station deep link, /lang, /help, unknown input."""

from __future__ import annotations

import json

from tests.e2e.conftest import World


async def test_start_greets_a_resident_and_offers_the_districts(world: World) -> None:
    alice = world.user(1, "Alice")
    await alice.send("/start")
    welcome = await alice.next_message()
    assert "人大代表联络站" in welcome.text
    assert welcome.reply_keyboard is not None
    assert "我要反映" in welcome.reply_keyboard[0]
    choose = await alice.wait_for("请先选择您所在的联络站")
    assert choose.labels == ["北关区", "南湖区"]
    await world.settle()
    assert world.api.violations == []


async def test_deep_link_binds_the_station(world: World) -> None:
    bob = world.user(2, "Bob")
    await bob.send("/start st_south")
    bound = await bob.wait_for("已为您绑定联络站")
    assert "南湖社区联络站" in bound.text
    rows = await world.rows(
        "SELECT s.key FROM people p JOIN stations s ON s.id = p.station_id WHERE p.telegram_id = 2"
    )
    assert rows == [("south",)]
    assert (
        await world.rows("SELECT started_at IS NOT NULL FROM people WHERE telegram_id = 2")
    ) == [(1,)]


async def test_bad_deep_link_says_so_and_still_offers_stations(world: World) -> None:
    carol = world.user(3)
    await carol.send("/start st_nope")
    await carol.wait_for("这个链接无效或已过期")
    await carol.wait_for("请先选择您所在的联络站")
    await carol.send("/start <b>garbage</b>")
    await carol.wait_for("这个链接无效或已过期")


async def test_choose_station_by_district_buttons(world: World) -> None:
    dan = world.user(4)
    await dan.send("/station")
    await dan.wait_for("您还没有选择联络站")
    await dan.wait_for("请先选择您所在的联络站")
    await dan.tap("北关区")
    stations = await dan.sees("北关区 的联络站")
    assert stations.labels == ["北关街道联络站"]
    await dan.tap("北关街道联络站")
    await dan.sees("已为您绑定联络站：北关街道联络站")
    rows = await world.rows(
        "SELECT s.key FROM people p JOIN stations s ON s.id = p.station_id WHERE p.telegram_id = 4"
    )
    assert rows == [("north",)]


async def test_nearest_stations_from_a_location(world: World) -> None:
    eve = world.user(5)
    await eve.send("/start")
    await eve.send_location(30.49, 120.49)
    near = await eve.wait_for("离您最近的联络站")
    assert near.labels[0].startswith("南湖社区联络站")
    assert "公里" in near.labels[0]


async def test_lang_switches_to_english_and_is_remembered(world: World) -> None:
    fay = world.user(6, "Fay")
    await fay.send("/lang")
    await fay.wait_for("请选择语言")
    await fay.tap("English")
    await fay.sees("Language set to English")
    await fay.wait_for("Use the menu below")
    await fay.send("/help")
    help_text = await fay.wait_for("Commands:")
    assert "/report" in help_text.text
    assert (await world.rows("SELECT lang FROM people WHERE telegram_id = 6")) == [("en",)]


async def test_english_telegram_users_get_english_until_they_choose(world: World) -> None:
    gus = world.user(7, "Gus", language_code="en-GB")
    await gus.send("/start")
    await gus.wait_for("deputy liaison station")


async def test_unknown_command_and_text_get_help(world: World) -> None:
    hal = world.user(8)
    await hal.send("/frobnicate")
    await hal.wait_for("没有这个命令")
    await hal.wait_for("/report")
    await hal.send("你好")
    await hal.wait_for("我没有理解")


async def test_deputy_is_greeted_with_the_role_and_gets_a_menu(world: World) -> None:
    deputy = world.user(501, "甲")
    await deputy.send("/start")
    greeting = await deputy.wait_for("甲代表代表")
    assert "北关街道联络站" in greeting.text
    await world.settle()
    scoped = {k: v for k, v in world.api.commands.items() if "501" in k[0]}
    assert scoped, world.api.commands
    names = [c["command"] for c in next(iter(scoped.values()))]
    assert "tasks" in names
    assert {"report", "my"} <= set(names)  # a deputy may raise problems too


async def test_resident_commands_are_registered_for_everyone(world: World) -> None:
    default = world.api.commands[(json.dumps({"type": "default"}, separators=(",", ":")), "")]
    assert [c["command"] for c in default][:4] == ["start", "report", "my", "station"]
    english = world.api.commands[(json.dumps({"type": "default"}, separators=(",", ":")), "en")]
    assert english[1]["description"] == "Raise an issue"


async def test_a_sent_message_comes_back_as_its_id_chat_and_date_only(world: World) -> None:
    """handlers/lean_bot.py: the bot never reads back what it sent, so PTB does not parse
    the echoed text and keyboard; the id, chat and date are still right."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

    alice = world.user(1, "Alice")
    await alice.send("/start")
    await alice.next_message()
    app = world.bot.app
    assert app is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("甲", callback_data="x:1")]])
    sent = await app.bot.send_message(
        alice.id, "<b>你好</b>", parse_mode="HTML", reply_markup=keyboard
    )
    shown = await alice.wait_for("你好")
    assert isinstance(sent, Message)
    assert (sent.message_id, sent.chat.id) == (shown.message_id, alice.id)
    assert sent.date is not None
    assert sent.text is None and sent.reply_markup is None  # not parsed, by design
    edited = await app.bot.edit_message_text("再见", chat_id=alice.id, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.message_id == sent.message_id
    await alice.edited(shown, "再见")
    me = await app.bot.get_me()  # other results are parsed in full as before
    assert me.username == world.api.bot_username
