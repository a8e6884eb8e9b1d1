"""Fault injection, wrong HTTP methods and unknown paths."""

from __future__ import annotations

import asyncio

from fakewechat import FakeWeChat

from .conftest import Api, Receiver


async def test_fail_next(server: FakeWeChat, receiver: Receiver, api: Api) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    server.fail_next("message/custom/send", 45009, times=2)
    assert (await api.text("o_alice", "a"))["errcode"] == 45009
    assert (await api.text("o_alice", "a"))["errcode"] == 45009
    assert (await api.text("o_alice", "a"))["errcode"] == 0
    assert len(alice.messages) == 1
    assert server.window("o_alice").event_left == 2  # injected failures use no quota
    assert [c.injected for c in server.calls_to("custom/send")] == [True, True, False]
    server.fail_next("custom/send", 40001)
    assert (await api.text("o_alice", "a"))["errcode"] == 40001
    assert server.violations == []


async def test_slow_send(server: FakeWeChat, receiver: Receiver, api: Api) -> None:
    await server.resident("o_alice").follow()
    server.slow("custom/send", 0.1, times=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await api.text("o_alice", "a"))["errcode"] == 0
    assert loop.time() - started >= 0.1
    started = loop.time()
    assert (await api.text("o_alice", "b"))["errcode"] == 0
    assert loop.time() - started < 0.1


async def test_wrong_method_and_unknown_path(server: FakeWeChat, api: Api) -> None:
    assert (await api.get("message/custom/send", access_token=api.token))["errcode"] == 43002
    assert (await api.post("token", {}))["errcode"] == 43001
    async with api.session.get(f"{server.base_url}/cgi-bin/message/send") as response:
        assert response.status == 404
    assert [v.where for v in server.violations] == ["message/custom/send", "token", "message/send"]
    assert [c.method for c in server.calls[-3:]] == ["GET", "POST", "GET"]
