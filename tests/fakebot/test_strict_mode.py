"""Strict transcripts: ``expect_no_more`` and ``wait_for(strict=True)`` catch what a test
did not expect (an extra message, a skipped error, an unexpected edit)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from fakebot import FakeBotApi
from tests.fakebot.conftest import polling_app

CLAIM = InlineKeyboardMarkup([[InlineKeyboardButton("认领", callback_data="claim")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "欢迎", reply_markup=CLAIM)


async def double(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A buggy handler: the notice goes out twice."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "好的")
    await context.bot.send_message(update.effective_chat.id, "好的")


async def oops(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An error message nobody looks for, then the expected answer."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "出错了")
    await context.bot.send_message(update.effective_chat.id, "好的")


async def draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message edited in place without anyone pressing a button."""
    assert update.effective_chat is not None
    sent = await context.bot.send_message(update.effective_chat.id, "草稿")
    await sent.edit_text("定稿")


async def claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("已认领")
    await query.edit_message_text("已由 Alice 认领")


@pytest.fixture
async def app(server: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    commands = (("start", start), ("double", double), ("oops", oops), ("draft", draft))
    handlers: list[BaseHandler[Any, Any, Any]] = [
        *(CommandHandler(name, callback) for name, callback in commands),
        CallbackQueryHandler(claim),
    ]
    async with polling_app(server, handlers) as application:
        yield application


@pytest.mark.usefixtures("app")
async def test_a_fully_accounted_transcript_passes(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    welcome = await alice.wait_for("欢迎", strict=True)
    # the pop-up is tap's answer; the edit of the pressed message answers the press
    assert await alice.tap("认领", welcome) == "已认领"
    await alice.send("/double")
    await alice.wait_for("好的", strict=True)
    await alice.wait_for("好的", strict=True)  # the test expects both: fine
    await alice.send("/draft")
    await alice.edited(await alice.wait_for("草稿"), "定稿")
    await alice.expect_no_more()
    assert alice.unseen == []
    assert welcome.text == "已由 Alice 认领"


@pytest.mark.usefixtures("app")
async def test_one_extra_message_fails_expect_no_more(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/double")
    first = await alice.wait_for("好的")
    with pytest.raises(AssertionError) as failure:
        await alice.expect_no_more()
    report = str(failure.value)
    assert "1 bot message(s)/edit(s) no step expected in chat 1001 (FakeUser(1001, 'Alice'))" in (
        report
    )
    assert f"#{first.message_id + 1} text: '好的'" in report
    assert "Recent transcript:" in report and "Alice text #1: /double" in report
    assert [m.message_id for m in alice.unseen] == [first.message_id + 1]
    # accounting for it makes the check pass
    await alice.wait_for("好的")
    await alice.expect_no_more()


@pytest.mark.usefixtures("app")
async def test_a_message_skipped_by_wait_for_is_reported(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/oops")
    await alice.wait_for("好的")  # not strict: skips "出错了" ...
    with pytest.raises(AssertionError, match=r"#2 text: '出错了'"):
        await alice.expect_no_more()  # ... but the end of the transcript notices
    alice.mark_all_seen()
    await alice.expect_no_more()


@pytest.mark.usefixtures("app")
async def test_strict_wait_for_fails_at_once_on_another_message(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/oops")
    started = time.monotonic()
    with pytest.raises(
        AssertionError,
        match=r"(?s)expected a bot message containing '好的' in chat 1001 .*, got:\n  #2 text: '出错了'",
    ):
        await alice.wait_for("好的", timeout=5.0, strict=True)
    assert time.monotonic() - started < 2.0, "it waited for the timeout"
    # the strict default of a view
    bob = server.user(1002, "Bob")
    bob.strict = True
    await bob.send("/oops")
    with pytest.raises(AssertionError, match="出错了"):
        await bob.wait_for("好的")
    assert (await bob.wait_for("好的", strict=False)).text == "好的"


@pytest.mark.usefixtures("app")
async def test_strict_wait_for_passes_over_messages_already_seen(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/oops")
    await alice.wait_for("好的")
    await alice.sees("出错了")  # seen out of order: a strict wait_for no longer trips on it
    await alice.send("/double")
    await alice.wait_for("好的", strict=True)
    await alice.wait_for("好的", strict=True)
    await alice.expect_no_more()


@pytest.mark.usefixtures("app")
async def test_an_edit_nobody_looked_at_is_reported(server: FakeBotApi) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/draft")
    message = await alice.wait_for("草稿")
    await server.wait_idle()
    with pytest.raises(AssertionError, match=r"#2 text seen, then edited 1 time\(s\), now: '定稿'"):
        await alice.expect_no_more()
    assert (await alice.sees("定稿")) is message
    await alice.expect_no_more()


async def test_tolerate_ignore_and_mark_seen(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    updates = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)  # confirm: idle
    await bot.send_message(alice.id, "📅 接待日提醒")
    await bot.send_photo(alice.id, b"\xff\xd8fake-photo")
    await bot.send_message(alice.id, "好的")
    with pytest.raises(AssertionError, match="3 bot message"):
        await alice.expect_no_more(quiet=0.05)
    photo = alice.messages[1]
    assert photo.kind == "photo"
    alice.mark_seen(photo)  # checked through .messages
    await alice.expect_no_more(quiet=0.05, ignore=["接待日提醒", "好的"])
    alice.tolerate("接待日提醒")
    with pytest.raises(AssertionError, match=r"got:\n  #4 text: '好的'"):
        await alice.wait_for("别的", strict=True)  # the reminder is passed over, 好的 is not
    assert (await alice.wait_for("好的", strict=True)).text == "好的"
    await alice.expect_no_more(quiet=0.05)  # the tolerated reminder is not reported

    group = server.group(-100123, "Some group")
    await bot.send_message(group.id, "群消息")
    with pytest.raises(AssertionError, match="not in chat 1001"):
        alice.mark_seen(group.messages[-1])


async def test_a_tap_in_a_group_accounts_for_the_group_message(
    server: FakeBotApi, bot: Bot
) -> None:
    alice = server.user(1001, "Alice")
    group = server.group(-100123, "Some group")
    await bot.send_message(group.id, "问题 #5", reply_markup=CLAIM)
    message = group.messages[0]

    async def answer() -> None:
        updates = await bot.get_updates(timeout=2)
        query = updates[-1].callback_query
        assert query is not None
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        await query.answer()
        await bot.edit_message_text("问题 #5 已认领", group.id, message.message_id)

    answering = asyncio.create_task(answer())
    assert await alice.tap("认领", message) is None
    await answering
    await group.expect_no_more(quiet=0.05)  # tapped, and edited in answer to the tap
    await alice.expect_no_more(quiet=0.05)  # nothing in alice's private chat
