"""The customer-service windows: 5 sends within 48 h of a user message, 3 within a minute
of an event; 45015 outside, 45047 when used up; runtime conditions, never violations."""

from __future__ import annotations

from typing import Any

import pytest

from fakewechat import FakeWeChat

from .conftest import Api, Clock, Receiver


async def sends(api: Api, openid: str, count: int) -> list[int]:
    return [(await api.text(openid, f"m{i}"))["errcode"] for i in range(count)]


async def test_no_follower_no_window(server: FakeWeChat, receiver: Receiver, api: Api) -> None:
    alice = server.resident("o_alice", "Alice")
    answer = await api.text("o_alice", "hi")
    assert answer["errcode"] == 45015
    assert answer["errmsg"].startswith("response out of time limit or subscription is canceled")
    assert server.window("o_alice").left == 0
    assert alice.messages == []
    assert server.violations == []
    assert (await api.text("o_nobody", "hi"))["errcode"] == 40003
    assert len(server.violations) == 1  # an openid WeChat never gave the bot


async def test_event_window_three_sends_in_a_minute(
    server: FakeWeChat, receiver: Receiver, api: Api, clock: Clock
) -> None:
    alice = server.resident("o_alice")
    assert await alice.follow() == 200
    window = server.window("o_alice")
    assert (window.event_open, window.event_left, window.message_open) == (True, 3, False)
    assert window.until == clock.now + 60
    assert await sends(api, "o_alice", 4) == [0, 0, 0, 45047]
    assert len(alice.messages) == 3
    clock.advance(60)
    assert await sends(api, "o_alice", 1) == [45015]
    assert server.violations == []


async def test_event_window_first_then_message_window(
    server: FakeWeChat, receiver: Receiver, api: Api, clock: Clock
) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    await alice.say("你好")
    assert server.window("o_alice").left == 8
    assert await sends(api, "o_alice", 3) == [0, 0, 0]
    window = server.window("o_alice")
    assert (window.event_left, window.message_left) == (0, 5)  # the event window went first
    clock.advance(61)
    assert await sends(api, "o_alice", 6) == [0, 0, 0, 0, 0, 45047]
    assert server.window("o_alice").open
    clock.advance(48 * 3600)
    await api.fetch_token()
    assert await sends(api, "o_alice", 1) == [45015]
    assert not server.window("o_alice").open


async def test_a_new_message_resets_the_message_window(
    server: FakeWeChat, receiver: Receiver, api: Api, clock: Clock
) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    clock.advance(61)
    await alice.say("one")
    assert await sends(api, "o_alice", 5) == [0, 0, 0, 0, 0]
    assert await sends(api, "o_alice", 1) == [45047]
    clock.advance(47 * 3600)
    await api.fetch_token()
    await alice.say("two")
    window = server.window("o_alice")
    assert (window.message_left, window.message_until) == (5, clock.now + 48 * 3600)
    assert await sends(api, "o_alice", 6) == [0, 0, 0, 0, 0, 45047]
    assert server.violations == []


@pytest.mark.parametrize("action", ["tap", "image", "location", "voice", "link"])
async def test_every_user_message_opens_the_message_window(
    server: FakeWeChat, receiver: Receiver, api: Api, clock: Clock, action: str
) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    await api.menu_message("o_alice", ("1", "是"))
    clock.advance(61)
    assert not server.window("o_alice").open
    acts: dict[str, Any] = {
        "tap": lambda: alice.tap("是"),
        "image": lambda: alice.send_image(b"\xff\xd8\xff..."),
        "location": lambda: alice.send_location(45.7, 126.6),
        "voice": lambda: alice.send_voice(b"#!AMR\n..."),
        "link": lambda: alice.send_link("标题", "说明", "https://example.org"),
    }
    assert await acts[action]() == 200
    assert server.window("o_alice").message_left == 5


async def test_scan_and_click_open_event_windows_location_events_do_not(
    server: FakeWeChat, receiver: Receiver, api: Api, clock: Clock
) -> None:
    alice = server.resident("o_alice")
    qr = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "st_1"}}}
    assert "ticket" in await api.post("qrcode/create", qr)
    menu = {"button": [{"type": "click", "name": "反映", "key": "report"}]}
    assert (await api.post("menu/create", menu))["errcode"] == 0
    await alice.scan("st_1")
    assert server.window("o_alice").event_left == 3
    clock.advance(61)
    await alice.report_location(45.7, 126.6)
    assert not server.window("o_alice").open
    await alice.scan("st_1")  # SCAN as a follower
    assert server.window("o_alice").event_left == 3
    clock.advance(61)
    await alice.click_menu("report")
    assert server.window("o_alice").event_left == 3
    assert [r["Event"] for r in receiver.received] == ["subscribe", "LOCATION", "SCAN", "CLICK"]


async def test_unfollow_closes_the_windows(
    server: FakeWeChat, receiver: Receiver, api: Api
) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    await alice.say("hi")
    await alice.unfollow()
    assert not alice.follower
    assert await sends(api, "o_alice", 1) == [45015]
    assert server.violations == []
