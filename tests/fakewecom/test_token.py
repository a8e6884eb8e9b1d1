"""gettoken and the access token lifecycle on the injectable clock."""

from __future__ import annotations

import aiohttp

from fakewecom import FakeWeCom

from .conftest import Api, Clock


async def test_gettoken_errors(server: FakeWeCom, api: Api) -> None:
    assert (await api.get("gettoken", corpsecret="x"))["errcode"] == 41002
    assert (await api.get("gettoken", corpid=server.corp_id))["errcode"] == 41004
    assert (await api.get("gettoken", corpid="wwother", corpsecret="x"))["errcode"] == 40013
    bad = await api.get("gettoken", corpid=server.corp_id, corpsecret="wrong")
    assert bad["errcode"] == 40001
    assert "access_token" not in bad
    assert [v.call.errcode for v in server.violations if v.call] == [41002, 41004, 40013, 40001]


async def test_token_is_reused_until_it_expires(server: FakeWeCom, api: Api, clock: Clock) -> None:
    first = api.token
    again = await api.get("gettoken", corpid=server.corp_id, corpsecret=server.secret)
    assert again["access_token"] == first
    assert again["errmsg"] == "ok"
    assert again["expires_in"] == 7200
    clock.advance(7000)
    assert (await api.text("alice", "x"))["errcode"] != 42001  # (81013: nobody registered)
    later = await api.get("gettoken", corpid=server.corp_id, corpsecret=server.secret)
    assert (later["access_token"], later["expires_in"]) == (first, 200)
    clock.advance(200)
    server.member("alice", "Alice")
    assert (await api.text("alice", "x"))["errcode"] == 42001
    assert await api.fetch_token() != first
    assert (await api.text("alice", "x"))["errcode"] == 0
    assert server.token_fetches == 4


async def test_expire_tokens_and_bad_tokens(server: FakeWeCom, api: Api) -> None:
    server.member("alice", "Alice")
    server.expire_tokens()
    assert (await api.text("alice", "x"))["errcode"] == 42001
    assert server.violations == []  # an expired token is a normal condition
    await api.fetch_token()
    assert (await api.text("alice", "x"))["errcode"] == 0
    api.token = "forged"
    assert (await api.text("alice", "x"))["errcode"] == 40014
    async with aiohttp.ClientSession() as session:
        url = f"{server.base_url}/cgi-bin/message/send"
        async with session.post(url, json={}) as response:
            assert (await response.json())["errcode"] == 41001
    assert [v.call.errcode for v in server.violations if v.call] == [40014, 41001]


async def test_trusted_ips(clock: Clock) -> None:
    async with FakeWeCom(clock=clock, trusted_ips={"10.0.0.1"}) as server:
        server.member("alice", "Alice")
        async with aiohttp.ClientSession() as session:
            api = Api(server, session)
            await api.fetch_token()
            answer = await api.text("alice", "x")
            assert answer["errcode"] == 60020
            assert server.violations == []
