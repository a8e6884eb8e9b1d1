"""A call the client gave up on (it timed out during an injected delay) is still handled, as
Telegram would, but no injected fault is spent on it: nobody would see that answer."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from fakebot import FakeBotApi


async def test_a_timed_out_call_is_handled_and_keeps_the_injected_failure_for_the_next(
    server: FakeBotApi, bot: Bot
) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    server.faults.delay("sendMessage", 0.5)
    server.faults.fail_next("sendMessage", 502)
    with pytest.raises(TimedOut):
        await bot.send_message(alice.id, "slow", read_timeout=0.1)
    await alice.wait_for("slow")  # Telegram acted although the bot stopped waiting
    await asyncio.sleep(0.1)
    (call,) = server.calls_to("sendMessage")
    assert (call.abandoned, call.ok, call.injected) == (True, True, False)

    # the next call that is answered gets the failure
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(alice.id, "fails", read_timeout=3)
    server.faults.clear()
    assert [c.injected for c in server.calls_to("sendMessage")] == [False, True]
    assert not any(c.abandoned for c in server.calls_to("sendMessage")[1:])
