"""A real PTB Application against the fake server: /start, button, edit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from fakebot import FakeBotApi
from tests.fakebot.conftest import polling_app


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    args = " ".join(context.args or [])
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("认领", callback_data="claim:1")]])
    await context.bot.send_message(
        update.effective_chat.id,
        f"<b>欢迎</b> &lt;{args}&gt;",
        parse_mode="HTML",
        reply_markup=keyboard,
    )


async def claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("已认领")
    await query.edit_message_text(f"已认领 {query.data}")


@pytest.fixture
async def app(server: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    handlers = [CommandHandler("start", start), CallbackQueryHandler(claim)]
    async with polling_app(server, handlers) as application:
        yield application


async def test_start_tap_edit(server: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    alice = server.user(1001, "Alice")
    await alice.send("/start st_abc")
    msg = await alice.next_message()
    assert msg.text == "欢迎 <st_abc>"
    assert msg.html == "<b>欢迎</b> &lt;st_abc&gt;"
    assert msg.labels == ["认领"]
    assert msg.raw["entities"] == [{"type": "bold", "offset": 0, "length": 2}]

    answer = await alice.tap("认领")
    assert answer == "已认领"
    assert alice.alerts == ["已认领"]
    await server.wait_idle()
    assert msg.text == "已认领 claim:1"
    assert msg.edits == 1
    assert msg.labels == []  # edit without reply_markup removes the keyboard
    kinds = [(e.who, e.kind) for e in server.transcript]
    assert kinds == [
        ("Alice", "text"),
        ("bot", "text"),
        ("Alice", "tap"),
        ("bot", "toast"),
        ("bot", "edit"),
    ]
    assert server.violations == []
    assert app.bot.username == "liaison_test_bot"


async def test_group_command_with_username(server: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
    alice = server.user(1001, "Alice")
    group = server.group(-100123, "Some group")
    await group.send(alice, "/start@liaison_test_bot x")
    msg = await group.next_message()
    assert msg.chat_id == -100123
    assert msg.text == "欢迎 <x>"
    # Writing in a group does not open the private chat.
    with pytest.raises(AssertionError):
        await alice.next_message(timeout=0.05)
