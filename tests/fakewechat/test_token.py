"""/cgi-bin/token and /cgi-bin/stable_token on the injectable clock."""

from __future__ import annotations

import aiohttp

from fakewechat import FakeWeChat

from .conftest import Api, Clock


def creds(server: FakeWeChat, **override: str) -> dict[str, str]:
    params = {"grant_type": "client_credential", "appid": server.app_id, "secret": server.secret}
    params.update(override)
    return params


async def test_token_errors(server: FakeWeChat, api: Api) -> None:
    assert (await api.get("token", grant_type="client_credential", secret="x"))["errcode"] == 41002
    assert (await api.get("token", **creds(server, appid="wxother")))["errcode"] == 40013
    assert (await api.get("token", **creds(server, grant_type="password")))["errcode"] == 40002
    bad = await api.get("token", **creds(server, secret="wrong"))
    assert bad["errcode"] == 40001
    assert "access_token" not in bad
    assert [v.call.errcode for v in server.violations if v.call] == [41002, 40013, 40002, 40001]
    assert server.token_fetches == 5  # the fixture's fetch and these four


async def test_each_fetch_issues_a_new_token_the_old_one_lives_5_minutes(
    server: FakeWeChat, api: Api, clock: Clock
) -> None:
    server.resident("o1")
    first = api.token
    answer = await api.get("token", **creds(server))
    assert answer == {"access_token": answer["access_token"], "expires_in": 7200}
    assert answer["access_token"] != first
    assert server.violations[0].description.startswith("token refreshed while valid")
    server.violations.clear()
    clock.advance(299)
    assert (await api.text("o1", "x"))["errcode"] == 45015  # the old token still works
    clock.advance(1)
    stale = await api.text("o1", "x")
    assert stale["errcode"] == 40001
    assert stale["errmsg"].startswith("invalid credential, access_token is invalid or not latest")
    assert len(server.violations) == 1  # using a superseded token is the bot's mistake
    api.token = answer["access_token"]
    assert (await api.text("o1", "x"))["errcode"] == 45015


async def test_refresh_after_a_minute_is_no_violation(
    server: FakeWeChat, api: Api, clock: Clock
) -> None:
    clock.advance(61)
    await api.fetch_token()
    assert server.violations == []


async def test_tokens_expire_after_7200_seconds(server: FakeWeChat, api: Api, clock: Clock) -> None:
    server.resident("o1")
    clock.advance(7199)
    assert (await api.text("o1", "x"))["errcode"] == 45015
    clock.advance(1)
    assert (await api.text("o1", "x"))["errcode"] == 42001
    assert server.violations == []  # an expired token is a normal condition
    await api.fetch_token()
    assert (await api.text("o1", "x"))["errcode"] == 45015


async def test_expire_tokens_and_bad_tokens(server: FakeWeChat, api: Api) -> None:
    server.resident("o1")
    server.expire_tokens()
    assert (await api.text("o1", "x"))["errcode"] == 42001
    await api.fetch_token()  # no "refreshed while valid": the old one is dead
    assert server.violations == []
    assert (await api.text("o1", "x"))["errcode"] == 45015
    api.token = "forged"
    assert (await api.text("o1", "x"))["errcode"] == 40014
    async with aiohttp.ClientSession() as session:
        url = f"{server.base_url}/cgi-bin/message/custom/send"
        async with session.post(url, json={}) as response:
            assert (await response.json())["errcode"] == 41001
    assert [v.call.errcode for v in server.violations if v.call] == [40014, 41001]


async def test_stable_token(server: FakeWeChat, api: Api, clock: Clock) -> None:
    server.resident("o1")
    body = {"grant_type": "client_credential", "appid": server.app_id, "secret": server.secret}
    first = await api.post("stable_token", body)
    assert first["expires_in"] == 7200
    clock.advance(100)
    again = await api.post("stable_token", {**body, "force_refresh": False})
    assert again == {"access_token": first["access_token"], "expires_in": 7100}
    assert again["access_token"] != api.token  # isolated from /cgi-bin/token
    assert server.violations == []
    # the last five minutes: a new token, the old one lives to its end
    clock.advance(6800)
    fresh = await api.post("stable_token", body)
    assert (fresh["access_token"], fresh["expires_in"]) != (first["access_token"], 7200)
    api.token = first["access_token"]
    assert (await api.text("o1", "x"))["errcode"] == 45015
    clock.advance(300)
    assert (await api.text("o1", "x"))["errcode"] == 42001
    # force_refresh: a new token at once, the previous one dies
    api.token = fresh["access_token"]
    forced = await api.post("stable_token", {**body, "force_refresh": True})
    assert forced["access_token"] != fresh["access_token"]
    assert (await api.text("o1", "x"))["errcode"] == 40001
    clock.advance(10)  # forced again within 30 s: no refresh
    assert (await api.post("stable_token", {**body, "force_refresh": True}))[
        "access_token"
    ] == forced["access_token"]
    wrong = await api.post("stable_token", {**body, "secret": "nope"})
    assert wrong["errcode"] == 40125
    assert (await api.post("stable_token", {**body, "force_refresh": "yes"}))["errcode"] == 47001
    assert [v.call.errcode for v in server.violations if v.call] == [40001, 40125, 47001]


async def test_trusted_ips(clock: Clock) -> None:
    server = FakeWeChat(clock=clock, trusted_ips={"10.0.0.1"})
    async with server, aiohttp.ClientSession() as session:
        api = Api(server, session)
        answer = await api.get("token", **creds(server))
        assert answer["errcode"] == 40164
        assert "not in whitelist" in answer["errmsg"]
        assert server.violations == []
