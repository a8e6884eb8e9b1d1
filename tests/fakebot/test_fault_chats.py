"""Faults aimed at one chat: `chat_id=` on fail_next, fail_rate, delay and reset leaves the
calls to every other chat alone (a test can break one recipient's delivery only)."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from fakebot import FakeBotApi


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB warns when it builds RetryAfter otherwise


async def test_fail_next_for_one_chat_spares_the_others(server: FakeBotApi, bot: Bot) -> None:
    alice, bob = server.user(1001, "Alice"), server.user(1002, "Bob")
    await alice.send("/start")
    await bob.send("/start")
    server.faults.fail_next("sendMessage", 400, count=2, chat_id=bob.id)
    await bot.send_message(alice.id, "to alice")  # not counted: another chat
    with pytest.raises(BadRequest, match="Injected failure"):
        await bot.send_message(bob.id, "to bob")
    await bot.send_message(alice.id, "again to alice")
    with pytest.raises(BadRequest):
        await bot.send_message(bob.id, "to bob")
    await bot.send_message(bob.id, "to bob at last")  # the budget is spent
    assert [m.text for m in bob.messages] == ["to bob at last"]
    assert [m.text for m in alice.messages] == ["to alice", "again to alice"]
    assert [c.injected for c in server.calls_to("sendMessage")] == [
        False,
        True,
        False,
        True,
        False,
    ]
    assert server.violations == []


async def test_delay_reset_and_rate_for_one_chat(server: FakeBotApi, bot: Bot) -> None:
    alice, bob = server.user(1001, "Alice"), server.user(1002, "Bob")
    await alice.send("/start")
    await bob.send("/start")
    server.faults.delay("sendMessage", 0.5, chat_id=bob.id)
    server.faults.reset("sendLocation", chat_id=bob.id)
    server.faults.fail_rate("sendChatAction", 429, 1.0, chat_id=bob.id)
    await bot.send_message(alice.id, "quick", read_timeout=0.2)  # alice is not slowed
    with pytest.raises(TimedOut):
        await bot.send_message(bob.id, "slow", read_timeout=0.2)
    await bob.wait_for("slow")  # handled although the client gave up
    await bot.send_location(alice.id, 30.0, 120.0)
    with pytest.raises(NetworkError):
        await bot.send_location(bob.id, 30.0, 120.0)
    await bot.send_chat_action(alice.id, "typing")
    with pytest.raises(RetryAfter):
        await bot.send_chat_action(bob.id, "typing")
    assert [m.kind for m in bob.messages] == ["text"]  # no pin from the dropped call
    assert server.violations == []
