"""Fault injection, files and media through a PTB ``Bot``."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from fakebot import FakeBotApi


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under filterwarnings=error) when it builds RetryAfter unless
    # the timedelta behaviour is opted into.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def alice_id(server: FakeBotApi) -> int:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    return alice.id


async def test_429_surfaces_as_retry_after(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    server.faults.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(alice_id, "hi")
    assert info.value.retry_after == dt.timedelta(seconds=7)
    await bot.send_message(alice_id, "hi")  # only the next call failed
    failed = server.calls_to("sendMessage")[0]
    assert (failed.ok, failed.error_code, failed.injected) == (False, 429, True)
    assert server.violations == []


async def test_fail_next_any_method_and_count(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    server.faults.fail_next(None, 502, count=2)
    with pytest.raises(NetworkError, match=r"Bad Gateway"):
        await bot.send_message(alice_id, "a")
    with pytest.raises(NetworkError):
        await bot.get_me()
    assert (await bot.get_me()).username == "liaison_test_bot"
    server.faults.fail_next("deleteMessage", 400, description="Bad Request: custom")
    with pytest.raises(BadRequest, match=r"Custom"):
        await bot.delete_message(alice_id, 1)
    assert server.violations == []


async def test_fail_rate_is_reproducible(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    async def outcomes() -> list[bool]:
        result = []
        for _ in range(20):
            try:
                await bot.send_chat_action(alice_id, "typing")
                result.append(True)
            except RetryAfter:
                result.append(False)
        return result

    server.faults.fail_rate("sendChatAction", 429, 0.5, retry_after=1, seed=3)
    first = await outcomes()
    server.faults.clear()
    server.faults.fail_rate("sendChatAction", 429, 0.5, retry_after=1, seed=3)
    assert await outcomes() == first
    assert 3 < first.count(False) < 17


async def test_reset_and_delay(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    server.faults.reset("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(alice_id, "lost")
    server.faults.clear()
    server.faults.delay("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(alice_id, "slow", read_timeout=0.1)
    server.faults.clear()
    await bot.send_message(alice_id, "fine")
    assert server.calls_to("sendMessage")[0].injected


async def test_photos_documents_and_files(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    alice = server.user(1001, "Alice")
    sent = await bot.send_photo(
        alice_id, b"\xff\xd8photo", caption="<i>现场</i>", parse_mode="HTML"
    )
    shown = await alice.next_message()
    assert (shown.kind, shown.photo, shown.text) == ("photo", b"\xff\xd8photo", "现场")
    file = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8photo"

    user_msg = await alice.send_photo(caption="路面塌陷", photo=b"user-photo")
    file_id = user_msg["photo"][-1]["file_id"]
    await bot.send_photo(alice_id, file_id)
    assert (await alice.next_message()).photo == file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(alice_id, "not-a-file-id")

    doc = await bot.send_document(alice_id, b"a,b\n1,2\n", filename="export.csv")
    shown_doc = await alice.next_message()
    assert (shown_doc.document, shown_doc.filename) == (b"a,b\n1,2\n", "export.csv")
    assert doc.document is not None and doc.document.file_name == "export.csv"
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await bot.send_photo(alice_id, doc.document.file_id)

    group = await bot.send_media_group(
        alice_id, [InputMediaPhoto(b"one", caption="1"), InputMediaPhoto(file_id)]
    )
    assert len(group) == 2 and group[0].media_group_id == group[1].media_group_id
    assert [m.photo for m in alice.messages[-2:]] == [b"one", file_id]

    await bot.send_location(alice_id, 45.77, 126.60)
    assert alice.last_message is not None and alice.last_message.kind == "location"

    copied = await bot.copy_message(alice_id, alice_id, user_msg["message_id"], caption="转发")
    assert alice.last_message.message_id == copied.message_id
    assert (alice.last_message.kind, alice.last_message.text) == ("photo", "转发")
    forwarded = await bot.forward_message(alice_id, alice_id, user_msg["message_id"])
    assert forwarded.forward_origin is not None
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(alice_id, alice_id, 9999)
    assert len(server.violations) == 3


async def test_commands_menu_and_descriptions(server: FakeBotApi, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats, MenuButtonCommands

    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")])
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("report", "反映问题")], scope=scope, language_code="zh")
    assert server.commands[('{"type":"default"}', "")][0] == {
        "command": "start",
        "description": "开始",
    }
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="zh")] == [
        "report"
    ]
    await bot.delete_my_commands(scope=scope, language_code="zh")
    assert await bot.get_my_commands(scope=scope, language_code="zh") == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "bad")])
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button()).type == "commands"
    await bot.set_my_description("联络站")
    await bot.set_my_short_description("短")
    assert (await bot.get_my_description()).description == "联络站"
    assert server.short_descriptions == {"": "短"}


async def test_webhook_blocks_polling(server: FakeBotApi, bot: Bot) -> None:
    from telegram.error import Conflict

    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_long_polling_semantics(server: FakeBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    async with asyncio.timeout(2):  # let the poll reach the server before the user writes
        while not server.polling:  # noqa: ASYNC110 - a bounded yield-loop, no real sleeping
            await asyncio.sleep(0)
    await alice.send("hello")
    updates = await poll
    assert loop.time() - started < 2
    assert [u.message.text for u in updates if u.message] == ["hello"]
    # Not confirmed yet: delivered again; confirmed by offset.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    await alice.send("second")
    updates = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert [u.message.text for u in updates if u.message] == ["second"]
    # allowed_updates filters (and drops) other kinds.
    alice.block()
    updates = await bot.get_updates(
        offset=updates[-1].update_id + 1, timeout=0, allowed_updates=["message"]
    )
    assert updates == ()
    assert server.pending_updates == 0
    await server.wait_idle(quiet=0.05)
