"""Fault injection, wrong HTTP methods and unknown paths."""

from __future__ import annotations

import asyncio

from fakewecom import FakeWeCom

from .conftest import Api


async def test_fail_next(server: FakeWeCom, api: Api) -> None:
    alice = server.member("alice", "Alice")
    server.fail_next("message/send", 45033, times=2)
    assert (await api.text("alice", "a"))["errcode"] == 45033
    assert (await api.text("alice", "a"))["errcode"] == 45033
    assert (await api.text("alice", "a"))["errcode"] == 0
    assert len(alice.messages) == 1
    assert [c.injected for c in server.calls_to("message/send")] == [True, True, False]
    assert server.violations == []


async def test_slow_send(server: FakeWeCom, api: Api) -> None:
    server.member("alice", "Alice")
    server.slow("message/send", 0.2, times=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await api.text("alice", "a"))["errcode"] == 0
    assert loop.time() - started >= 0.2
    started = loop.time()
    assert (await api.text("alice", "b"))["errcode"] == 0
    assert loop.time() - started < 0.2


async def test_wrong_method_and_unknown_path(server: FakeWeCom, api: Api) -> None:
    answer = await api.get("message/send", access_token=api.token)
    assert answer["errcode"] == 43002
    async with api.session.get(f"{server.base_url}/cgi-bin/no/such") as response:
        assert response.status == 404
    assert [v.where for v in server.violations] == ["message/send", "no/such"]
