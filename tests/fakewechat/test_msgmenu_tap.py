"""msgmenu round trip: a tap comes back as a text message with ``bizmsgmenuid``, only for
menus that resident received."""

from __future__ import annotations

import pytest
from wechatpy import parse_message
from wechatpy.messages import TextMessage

from fakewechat import FakeWeChat, build_xml

from .conftest import Api, Clock, Receiver


async def test_tap_round_trip(server: FakeWeChat, receiver: Receiver, api: Api) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    await api.menu_message(
        "o_alice", ("claim:17", "认领"), ("skip:17", "跳过"), head_content="新反映"
    )
    await api.menu_message("o_alice", ("claim:18", "认领"), ("done:18", "办结"))
    assert await alice.tap("认领") == 200  # the newest menu with that option
    tap = receiver.received[-1]
    assert (tap["MsgType"], tap["Content"], tap["bizmsgmenuid"]) == ("text", "认领", "claim:18")
    assert tap["MsgId"].isdigit()
    message = parse_message(build_xml(tap))
    assert isinstance(message, TextMessage)
    assert message.content == "认领"
    assert message._data["bizmsgmenuid"] == "claim:18"
    assert await alice.tap("skip:17") == 200  # by id, from the older menu
    assert (receiver.received[-1]["Content"], receiver.received[-1]["bizmsgmenuid"]) == (
        "跳过",
        "skip:17",
    )
    assert server.violations == []


async def test_only_menus_sent_to_that_resident_can_be_tapped(
    server: FakeWeChat, receiver: Receiver, api: Api
) -> None:
    alice, bob = server.resident("o_alice"), server.resident("o_bob")
    await alice.follow()
    await bob.follow()
    await api.menu_message("o_alice", ("1", "是"))
    with pytest.raises(AssertionError, match="never received a msgmenu"):
        await bob.tap("是")
    with pytest.raises(AssertionError, match="never received a msgmenu"):
        await alice.tap("否")
    await api.text("o_alice", "是")  # a text that looks like an option is no menu
    with pytest.raises(AssertionError, match="never received a msgmenu"):
        await bob.tap("是")


async def test_a_tap_reopens_the_message_window(
    server: FakeWeChat, receiver: Receiver, api: Api, clock: Clock
) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    await api.menu_message("o_alice", ("1", "是"))
    clock.advance(61)
    await api.fetch_token()
    assert (await api.text("o_alice", "x"))["errcode"] == 45015
    await alice.tap("是")
    assert (await api.text("o_alice", "x"))["errcode"] == 0
