"""The simulated-user API: updates PTB can parse, cursors, taps, keyboards."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from fakebot import FakeBotApi


async def test_every_user_action_is_a_valid_update(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice", last_name="Li", username="alice", language_code="zh-hans")
    assert server.user(1001, "ignored") is alice
    first = await alice.send("/start@liaison_test_bot st_abc")
    await alice.send_photo(caption="路面塌陷")
    await alice.send_contact(phone_number="+8613800000002")
    await alice.send_contact(phone_number="+8613800000003", user_id=2002, first_name="Bob")
    await alice.send_location(45.77, 126.60)
    await alice.send_sticker()
    await alice.send_voice()
    await alice.send_document(b"%PDF", "a.pdf")
    await alice.edit_message(first["message_id"], "/start edited")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == list(range(1, 10))
    messages = [u.message for u in updates[:-1]]
    assert all(m is not None and m.chat.type == "private" for m in messages)
    start = updates[0].message
    assert start is not None and start.from_user is not None
    assert (start.from_user.id, start.from_user.last_name, start.from_user.language_code) == (
        1001,
        "Li",
        "zh-hans",
    )
    assert start.entities[0].type == "bot_command" and start.entities[0].length == 23
    assert [m.message_id for m in messages if m] == list(range(1, 9))
    photo = updates[1].message
    assert photo is not None and photo.caption == "路面塌陷" and len(photo.photo) == 2
    contact = updates[3].message
    assert contact is not None and contact.contact is not None
    assert contact.contact.user_id == 2002
    assert updates[4].message and updates[4].message.location
    assert updates[5].message and updates[5].message.sticker
    assert updates[6].message and updates[6].message.voice
    assert updates[7].message and updates[7].message.document
    edited = updates[8].edited_message
    assert edited is not None and edited.text == "/start edited"
    assert [e.kind for e in server.transcript][:3] == ["text", "photo", "contact"]


async def test_cursors_wait_for_and_timeouts(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    bob = server.user(1002, "Bob")
    await alice.send("hi")
    await bob.send("hi")
    for text in ("one", "two", "three"):
        await bot.send_message(alice.id, text)
    await bot.send_message(bob.id, "for bob")
    assert (await alice.next_message()).text == "one"
    assert (await alice.wait_for("thr")).text == "three"  # skips "two"
    assert (await bob.next_message()).text == "for bob"
    with pytest.raises(AssertionError, match=r"(?s)no new bot message.*bot text #4: three"):
        await alice.next_message(timeout=0.05)
    waiter = asyncio.create_task(alice.next_message())
    await asyncio.sleep(0)
    await bot.send_message(alice.id, "later")
    assert (await waiter).text == "later"
    assert [m.text for m in alice.messages] == ["one", "two", "three", "later"]


async def test_taps(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("认领", callback_data="iss:acc:5")],
            [InlineKeyboardButton("网站", url="https://example.org")],
        ]
    )
    await bot.send_message(alice.id, "问题 #5", reply_markup=keyboard)
    await bot.get_updates(offset=100, timeout=0)  # confirm everything so far

    async def answer_next(text: str | None, show_alert: bool = False) -> str | None:
        updates = await bot.get_updates(timeout=2)
        query = updates[-1].callback_query
        assert query is not None and query.message is not None
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        await query.answer(text, show_alert=show_alert)
        return query.data

    answering = asyncio.create_task(answer_next("好的"))
    assert await alice.tap("认领") == "好的"
    assert await answering == "iss:acc:5"

    message = alice.messages[-1]
    answering = asyncio.create_task(answer_next("无权操作", show_alert=True))
    assert await alice.tap_data("iss:del:5", message) == "无权操作"
    assert await answering == "iss:del:5"
    assert alice.alerts == ["好的", "无权操作"]
    assert [e.kind for e in server.transcript][-2:] == ["tap", "alert"]

    with pytest.raises(AssertionError, match=r"no inline button '不存在'.*\['认领', '网站'\]"):
        await alice.tap("不存在")
    with pytest.raises(AssertionError, match=r"not a callback button"):
        await alice.tap("网站")
    with pytest.raises(AssertionError, match=r"did not answer"):
        await alice.tap("认领", timeout=0.05)


async def test_reply_keyboard_press(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("分享手机号", request_contact=True)], ["取消"]], one_time_keyboard=True
    )
    await bot.send_message(alice.id, "请分享手机号", reply_markup=markup)
    shown = await alice.next_message()
    assert shown.reply_keyboard == [["分享手机号"], ["取消"]]
    assert alice.keyboard == [["分享手机号"], ["取消"]]
    sent = await alice.press("分享手机号")
    assert sent["contact"]["user_id"] == alice.id
    await bot.send_message(alice.id, "好", reply_markup=ReplyKeyboardRemove())
    assert alice.keyboard is None
    with pytest.raises(AssertionError, match=r"no reply keyboard button"):
        await alice.press("取消")


async def test_wait_idle_times_out_without_a_poller(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("nobody is polling")
    with pytest.raises(AssertionError, match=r"1 update\(s\) pending"):
        await server.wait_idle(quiet=0.01, timeout=0.1)
