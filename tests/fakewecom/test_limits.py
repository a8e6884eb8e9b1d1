"""Per-member rate limits (dropped, not delivered), the daily quota, duplicate checks."""

from __future__ import annotations

from fakewecom import FakeWeCom

from .conftest import Api, Clock, button_card


async def test_31st_message_in_a_minute_is_dropped(
    server: FakeWeCom, api: Api, clock: Clock
) -> None:
    alice, bob = server.member("alice", "Alice"), server.member("bob", "Bob")
    for i in range(30):
        assert (await api.text("alice", f"m{i}"))["errcode"] == 0
        clock.advance(1)
    answer = await api.text("alice|bob", "m30")
    assert answer["errcode"] == 45009
    assert "msgid" not in answer
    assert len(alice.messages) == 30
    assert [m.content for m in bob.messages] == ["m30"]  # bob is under his limit
    assert [(d.userid, d.reason) for d in server.dropped] == [("alice", "30/min")]
    assert server.violations == []
    clock.advance(31)  # the first message is now older than a minute
    assert (await api.text("alice", "m31"))["errcode"] == 0
    assert len(alice.messages) == 31


async def test_rate_limit_errcode_is_configurable(
    server: FakeWeCom, api: Api, clock: Clock
) -> None:
    server.rate_limit_errcode = 0
    server.rate_per_hour = 3
    alice = server.member("alice", "Alice")
    for i in range(4):
        clock.advance(120)
        answer = await api.text("alice", f"m{i}")
        assert answer["errcode"] == 0
        assert answer["msgid"]
    assert len(alice.messages) == 3
    assert server.dropped[0].reason == "3/h"


async def test_daily_quota(server: FakeWeCom, api: Api, clock: Clock) -> None:
    server.daily_quota = 2
    server.member("alice", "Alice")
    server.member("bob", "Bob")
    assert (await api.text("alice|bob", "a"))["errcode"] == 0
    assert (await api.text("alice", "b"))["errcode"] == 45009
    assert server.dropped[0].reason == "daily quota"
    clock.advance(24 * 3600)
    await api.fetch_token()
    assert (await api.text("alice", "c"))["errcode"] == 0


async def test_duplicate_check(server: FakeWeCom, api: Api, clock: Clock) -> None:
    alice = server.member("alice", "Alice")
    body = {
        "touser": "alice",
        "msgtype": "text",
        "text": {"content": "same"},
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 600,
    }
    assert (await api.send(dict(body)))["errcode"] == 0
    assert (await api.send(dict(body)))["errcode"] == 0
    assert len(alice.messages) == 1
    assert len(server.duplicates) == 1
    clock.advance(600)
    assert (await api.send(dict(body)))["errcode"] == 0
    assert len(alice.messages) == 2


async def test_duplicate_card_is_not_a_task_id_reuse(server: FakeWeCom, api: Api) -> None:
    alice = server.member("alice", "Alice")
    body = {
        "touser": "alice",
        "msgtype": "template_card",
        "template_card": button_card("dup1"),
        "enable_duplicate_check": 1,
    }
    assert (await api.send(dict(body)))["errcode"] == 0
    assert (await api.send(dict(body)))["errcode"] == 0
    assert len(alice.cards()) == 1
    assert server.violations == []
