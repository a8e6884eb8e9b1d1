"""The WeCom API client over real HTTP against a small stand-in for WeCom's API.

(The project's full fake, ``fakewecom``, was not ready when these were written; the stand-in
answers the tested calls the way wecom.md describes them.)
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.ports import Rejected, RetryLater, Unreachable
from wecom.client import CodeExpired, Misconfigured, Sent, WeComClient

CORP_ID = "ww0123456789abcdef"
SECRET = "s3cr3t-app-secret-value"
AGENT_ID = 1000002


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class MiniWeCom:
    """Tokens expire on the shared clock; ``script[path]`` queues canned answers."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.tokens: dict[str, float] = {}
        self.counter = itertools.count(1)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.script: dict[str, list[dict[str, Any]]] = {}
        self.token_delay = 0.0
        self.codes: dict[str, bool] = {}  # response_code → used
        self.media: dict[str, bytes] = {}
        self.members = {"zhangsan", "lisi"}
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/cgi-bin/{path:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.calls if p == path)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        body: dict[str, Any] = {}
        if request.content_type == "application/json":
            body = await request.json()
        self.calls.append((path, body))
        if self.script.get(path):
            answer = self.script[path].pop(0)
            if "status" in answer:
                return web.Response(status=answer["status"], text="bad gateway")
            if "sleep" in answer:
                await asyncio.sleep(answer["sleep"])
            return web.json_response(answer)
        if path == "gettoken":
            return web.json_response(await self.gettoken(request))
        token_error = self.check_token(request.query.get("access_token", ""))
        if token_error:
            return web.json_response(token_error)
        if path == "message/send":
            return web.json_response(self.send(body))
        if path == "message/update_template_card":
            code = body.get("response_code", "")
            if self.codes.get(code, True):  # unknown or used
                return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
            self.codes[code] = True
            return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})
        if path == "media/upload":
            form = await request.post()
            media = form["media"]
            assert isinstance(media, web.FileField)
            media_id = f"media-{next(self.counter)}"
            self.media[media_id] = media.file.read()
            return web.json_response(
                {"errcode": 0, "errmsg": "ok", "type": "image", "media_id": media_id}
            )
        if path == "media/get":
            data = self.media.get(request.query.get("media_id", ""))
            if data is None:
                return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
            return web.Response(body=data, content_type="image/jpeg")
        if path == "menu/create":
            assert request.query["agentid"] == str(AGENT_ID)
            return web.json_response({"errcode": 0, "errmsg": "ok"})
        return web.json_response({"errcode": 404, "errmsg": "unknown path"})

    async def gettoken(self, request: web.Request) -> dict[str, Any]:
        await asyncio.sleep(self.token_delay)
        if request.query.get("corpid") != CORP_ID:
            return {"errcode": 40013, "errmsg": "invalid corpid"}
        if request.query.get("corpsecret") != SECRET:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        token = f"tok-{next(self.counter)}"
        self.tokens[token] = self.clock() + 7200
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def check_token(self, token: str) -> dict[str, Any] | None:
        if token not in self.tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if self.clock() >= self.tokens[token]:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        assert body["agentid"] == AGENT_ID
        wanted = body["touser"].split("|")
        bad = [u.lower() for u in wanted if u not in self.members]
        if len(bad) == len(wanted):
            return {"errcode": 81013, "errmsg": "user & party & tag all invalid"}
        answer: dict[str, Any] = {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(bad),
            "msgid": f"msg-{next(self.counter)}",
        }
        if body["msgtype"] == "template_card":
            code = f"code-{next(self.counter)}"
            self.codes[code] = False
            answer["response_code"] = code
        return answer


TEXT = {"msgtype": "text", "text": {"content": "您的问题已受理"}}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def wecom(clock: Clock) -> AsyncIterator[MiniWeCom]:
    server = MiniWeCom(clock)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(wecom: MiniWeCom, clock: Clock) -> AsyncIterator[WeComClient]:
    c = WeComClient(wecom.base_url, CORP_ID, SECRET, AGENT_ID, clock, timeout=2.0)
    yield c
    await c.close()


# -- token ---------------------------------------------------------------------------------


async def test_send_adds_recipient_and_agent(client: WeComClient, wecom: MiniWeCom) -> None:
    sent = await client.send("zhangsan", TEXT)
    assert isinstance(sent, Sent) and sent.msgid.startswith("msg-")
    assert sent.response_code is None
    assert wecom.calls[-1] == (
        "message/send",
        {"touser": "zhangsan", "agentid": AGENT_ID, **TEXT},
    )


async def test_token_is_cached(client: WeComClient, wecom: MiniWeCom) -> None:
    for _ in range(3):
        await client.send("zhangsan", TEXT)
    assert wecom.count("gettoken") == 1


async def test_single_flight_token_under_20_concurrent_sends(
    client: WeComClient, wecom: MiniWeCom
) -> None:
    wecom.token_delay = 0.05
    sent = await asyncio.gather(*(client.send("lisi", TEXT) for _ in range(20)))
    assert len({s.msgid for s in sent}) == 20
    assert wecom.count("gettoken") == 1


async def test_concurrent_callers_share_a_failed_fetch(
    client: WeComClient, wecom: MiniWeCom
) -> None:
    wecom.script["gettoken"] = [{"sleep": 0.05, "errcode": 45009, "errmsg": "freq"}]
    results = await asyncio.gather(
        *(client.send("lisi", TEXT) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, RetryLater) for r in results)
    assert wecom.count("gettoken") == 1
    await client.send("lisi", TEXT)  # the next caller fetches afresh
    assert wecom.count("gettoken") == 2


async def test_refreshed_five_minutes_before_expiry(
    client: WeComClient, wecom: MiniWeCom, clock: Clock
) -> None:
    await client.send("zhangsan", TEXT)
    clock.now += 7200 - 300 - 1
    await client.send("zhangsan", TEXT)
    assert wecom.count("gettoken") == 1
    clock.now += 2
    await client.send("zhangsan", TEXT)
    assert wecom.count("gettoken") == 2


async def test_expired_token_refreshed_once_and_the_call_retried(
    client: WeComClient, wecom: MiniWeCom
) -> None:
    first = await client.token()
    wecom.tokens[first] = 0  # WeCom expired it early: 42001
    await client.send("zhangsan", TEXT)
    assert wecom.count("gettoken") == 2
    assert wecom.count("message/send") == 2
    assert await client.token() != first


async def test_every_call_refusing_the_token_is_no_loop(
    client: WeComClient, wecom: MiniWeCom
) -> None:
    wecom.script["message/send"] = [{"errcode": 40014, "errmsg": "invalid access_token"}] * 10
    with pytest.raises(RetryLater):
        await client.send("zhangsan", TEXT)
    assert wecom.count("message/send") == 2
    assert wecom.count("gettoken") == 2


async def test_concurrent_42001_refetches_once(client: WeComClient, wecom: MiniWeCom) -> None:
    first = await client.token()
    wecom.tokens[first] = 0
    wecom.token_delay = 0.05
    await asyncio.gather(*(client.send("lisi", TEXT) for _ in range(10)))
    assert wecom.count("gettoken") == 2


@pytest.mark.parametrize(("errcode", "setting"), [(40013, "CorpID"), (40001, "Secret")])
async def test_bad_settings_are_misconfigured(
    wecom: MiniWeCom, clock: Clock, errcode: int, setting: str
) -> None:
    corp, secret = (CORP_ID + "x", SECRET) if errcode == 40013 else (CORP_ID, "wrong")
    client = WeComClient(wecom.base_url, corp, secret, AGENT_ID, clock)
    try:
        with pytest.raises(Misconfigured, match=setting) as raised:
            await client.send("zhangsan", TEXT)
        assert isinstance(raised.value, Rejected)
        assert wecom.count("message/send") == 0
    finally:
        await client.close()


# -- error mapping -------------------------------------------------------------------------


async def test_45009_is_retry_later_60s_flood(client: WeComClient, wecom: MiniWeCom) -> None:
    wecom.script["message/send"] = [{"errcode": 45009, "errmsg": "api freq out of limit"}]
    with pytest.raises(RetryLater) as raised:
        await client.send("zhangsan", TEXT)
    assert raised.value.seconds == 60 and raised.value.flood


async def test_45033_is_retry_later(client: WeComClient, wecom: MiniWeCom) -> None:
    wecom.script["message/send"] = [{"errcode": 45033, "errmsg": "api concurrent out of limit"}]
    with pytest.raises(RetryLater):
        await client.send("zhangsan", TEXT)


async def test_all_recipients_invalid_81013_is_unreachable(client: WeComClient) -> None:
    with pytest.raises(Unreachable):
        await client.send("wangwu", TEXT)


async def test_userid_in_invaliduser_is_unreachable(client: WeComClient, wecom: MiniWeCom) -> None:
    wecom.script["message/send"] = [
        {"errcode": 0, "errmsg": "ok", "invaliduser": "wangwu", "msgid": "m1"}
    ]
    with pytest.raises(Unreachable):
        await client.send("WangWu", TEXT)  # WeCom lower-cases the userids it lists


async def test_unlicensed_user_is_unreachable(client: WeComClient, wecom: MiniWeCom) -> None:
    wecom.script["message/send"] = [
        {"errcode": 0, "errmsg": "ok", "unlicenseduser": "zhangsan", "msgid": "m1"}
    ]
    with pytest.raises(Unreachable):
        await client.send("zhangsan", TEXT)


async def test_untrusted_ip_is_rejected_and_logged_once(
    client: WeComClient, wecom: MiniWeCom, caplog: pytest.LogCaptureFixture
) -> None:
    wecom.script["message/send"] = [
        {"errcode": 60020, "errmsg": "not allow to access from your ip"}
    ] * 3
    with caplog.at_level(logging.ERROR, logger="wecom.client"):
        for _ in range(3):
            with pytest.raises(Rejected, match="server IP not in the app's trusted IPs"):
                await client.send("zhangsan", TEXT)
    assert len([r for r in caplog.records if "trusted IPs" in r.getMessage()]) == 1


async def test_untrusted_ip_at_gettoken(client: WeComClient, wecom: MiniWeCom) -> None:
    wecom.script["gettoken"] = [{"errcode": 60020, "errmsg": "not allow"}]
    with pytest.raises(Rejected, match="trusted IPs"):
        await client.token()


async def test_other_errcodes_are_rejected(client: WeComClient, wecom: MiniWeCom) -> None:
    wecom.script["message/send"] = [{"errcode": 40058, "errmsg": "invalid button_list"}]
    with pytest.raises(Rejected, match="40058 invalid button_list") as raised:
        await client.send("zhangsan", TEXT)
    assert not isinstance(raised.value, CodeExpired | Misconfigured)


async def test_5xx_is_retry_later(client: WeComClient, wecom: MiniWeCom) -> None:
    wecom.script["message/send"] = [{"status": 502}]
    with pytest.raises(RetryLater) as raised:
        await client.send("zhangsan", TEXT)
    assert raised.value.seconds == 5


async def test_timeout_is_retry_later(wecom: MiniWeCom, clock: Clock) -> None:
    client = WeComClient(wecom.base_url, CORP_ID, SECRET, AGENT_ID, clock, timeout=0.1)
    wecom.script["message/send"] = [{"sleep": 0.5, "errcode": 0}]
    try:
        with pytest.raises(RetryLater) as raised:
            await client.send("zhangsan", TEXT)
        assert raised.value.seconds == 5
    finally:
        await client.close()


async def test_unreachable_server_is_retry_later(clock: Clock) -> None:
    client = WeComClient("http://127.0.0.1:9", CORP_ID, SECRET, AGENT_ID, clock, timeout=2)
    try:
        with pytest.raises(RetryLater) as raised:
            await client.send("zhangsan", TEXT)
        assert raised.value.__cause__ is None and raised.value.__suppress_context__
    finally:
        await client.close()


async def test_secret_and_token_never_logged_or_in_errors(
    client: WeComClient, wecom: MiniWeCom, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = await client.token()
    errors: list[Exception] = []
    wecom.script["message/send"] = [
        {"errcode": 42001, "errmsg": "expired"},
        {"errcode": 40014, "errmsg": "invalid"},
        {"errcode": 60020, "errmsg": "ip"},
        {"status": 500},
    ]
    for _ in range(3):
        try:
            await client.send("zhangsan", TEXT)
        except Exception as exc:
            errors.append(exc)
    assert len(errors) == 3
    # aiohttp.access is the stand-in server's own log of what it received, not ours.
    ours = [r.getMessage() for r in caplog.records if r.name != "aiohttp.access"]
    text = " ".join(ours + [repr(e) for e in errors])
    assert SECRET not in text
    assert token not in text and "tok-" not in text


# -- cards, media, menu --------------------------------------------------------------------

CARD_BODY: dict[str, Any] = {
    "card_type": "button_interaction",
    "main_title": {"title": "新问题"},
    "task_id": "t1",
    "button_list": [{"type": 0, "text": "受理", "style": 1, "key": "i:1:take"}],
}
CARD = {"msgtype": "template_card", "template_card": CARD_BODY}


async def test_update_card_replace_name(client: WeComClient, wecom: MiniWeCom) -> None:
    sent = await client.send("zhangsan", CARD)
    assert sent.response_code is not None
    await client.update_card(sent.response_code, ["zhangsan"], replace_name="已受理")
    assert wecom.calls[-1] == (
        "message/update_template_card",
        {
            "userids": ["zhangsan"],
            "agentid": AGENT_ID,
            "response_code": sent.response_code,
            "button": {"replace_name": "已受理"},
        },
    )


async def test_update_card_whole_card_then_code_used(client: WeComClient, wecom: MiniWeCom) -> None:
    sent = await client.send("zhangsan", CARD)
    assert sent.response_code is not None
    card = {**CARD_BODY, "main_title": {"title": "已办结"}}
    await client.update_card(sent.response_code, ["zhangsan"], card=card)
    assert wecom.calls[-1][1]["template_card"] == card
    with pytest.raises(CodeExpired) as raised:  # single use
        await client.update_card(sent.response_code, ["zhangsan"], replace_name="x")
    assert isinstance(raised.value, Rejected)


async def test_update_card_needs_exactly_one_change(client: WeComClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        await client.update_card("c", ["zhangsan"])
    with pytest.raises(ValueError, match="exactly one"):
        await client.update_card("c", ["zhangsan"], card={}, replace_name="x")


async def test_update_card_all_targets_invalid_is_unreachable(
    client: WeComClient, wecom: MiniWeCom
) -> None:
    wecom.script["message/update_template_card"] = [
        {"errcode": 0, "errmsg": "ok", "invaliduser": ["gone"]}
    ]
    with pytest.raises(Unreachable):
        await client.update_card("c", ["Gone"], replace_name="x")


async def test_upload_then_download(client: WeComClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    media_id = await client.upload_image(jpeg, "street.jpg")
    assert await client.download(media_id) == jpeg


async def test_download_unknown_media_is_rejected(client: WeComClient) -> None:
    with pytest.raises(Rejected, match="40007"):
        await client.download("nope")


async def test_download_refreshes_a_refused_token_once(
    client: WeComClient, wecom: MiniWeCom
) -> None:
    media_id = await client.upload_image(b"\x89PNG" + b"0" * 64, "a.png")
    wecom.tokens[await client.token()] = 0
    assert (await client.download(media_id)).startswith(b"\x89PNG")
    assert wecom.count("gettoken") == 2
    wecom.script["media/get"] = [{"errcode": 40014, "errmsg": "invalid"}] * 5
    with pytest.raises(RetryLater):
        await client.download(media_id)
    assert wecom.count("media/get") == 4  # 2 before, 2 now: never a loop


async def test_create_menu(client: WeComClient, wecom: MiniWeCom) -> None:
    menu = {"button": [{"type": "click", "name": "反映问题", "key": "menu:report"}]}
    await client.create_menu(menu)
    assert wecom.calls[-1] == ("menu/create", menu)


# -- against the project's fake WeCom (fakewecom), when it is importable --------------------


@pytest.fixture
async def fake(clock: Clock) -> AsyncIterator[Any]:
    server_module = pytest.importorskip("fakewecom.server")
    server = server_module.FakeWeCom(clock=clock)
    await server.start()
    server.member("zhangsan")
    server.member("lisi")
    yield server
    await server.stop()


@pytest.fixture
async def fake_client(fake: Any, clock: Clock) -> AsyncIterator[WeComClient]:
    c = WeComClient(fake.base_url, fake.corp_id, fake.secret, fake.agent_id, clock, timeout=2.0)
    yield c
    await c.close()


async def test_fake_send_card_and_update_it_once(fake: Any, fake_client: WeComClient) -> None:
    await fake_client.send("zhangsan", TEXT)
    card = {**CARD_BODY, "task_id": "t_fake_1"}
    sent = await fake_client.send("zhangsan", {"msgtype": "template_card", "template_card": card})
    assert sent.response_code
    await fake_client.update_card(sent.response_code, ["zhangsan"], replace_name="已受理")
    assert fake.violations == []
    # Reusing the code is our mistake, which the strict fake records as a violation.
    with pytest.raises(CodeExpired):
        await fake_client.update_card(sent.response_code, ["zhangsan"], replace_name="再次")


async def test_fake_single_flight_and_one_refresh(fake: Any, fake_client: WeComClient) -> None:
    fake.slow("gettoken", 0.05, times=1)
    await asyncio.gather(*(fake_client.send("lisi", TEXT) for _ in range(20)))
    assert fake.token_fetches == 1
    fake.expire_tokens()
    await fake_client.send("lisi", TEXT)
    assert fake.token_fetches == 2


async def test_fake_token_refused_forever_is_no_loop(fake: Any, fake_client: WeComClient) -> None:
    fake.fail_next("message/send", 40014, times=10)
    with pytest.raises(RetryLater):
        await fake_client.send("zhangsan", TEXT)
    assert len(fake.calls_to("message/send")) == 2
    assert fake.token_fetches == 2


async def test_fake_error_mapping(fake: Any, fake_client: WeComClient) -> None:
    fake.fail_next("message/send", 45009)
    with pytest.raises(RetryLater) as raised:
        await fake_client.send("zhangsan", TEXT)
    assert raised.value.seconds == 60
    with pytest.raises(Unreachable):
        await fake_client.send("nobody", TEXT)
    fake.trusted_ips = ["10.9.9.9"]
    with pytest.raises(Rejected, match="trusted IPs"):
        await fake_client.send("zhangsan", TEXT)


async def test_fake_media_and_menu(fake: Any, fake_client: WeComClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    media_id = await fake_client.upload_image(jpeg)
    assert await fake_client.download(media_id) == jpeg
    await fake_client.create_menu(
        {"button": [{"type": "click", "name": "反映问题", "key": "menu:report"}]}
    )
    assert fake.menu is not None
    assert fake.violations == []
    with pytest.raises(Rejected, match="40007"):  # a violation in the fake's eyes
        await fake_client.download("3unknown")
