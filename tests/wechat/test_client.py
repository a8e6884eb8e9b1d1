"""The WeChat API client over real HTTP against the project's strict fake (fakewechat), with
the adapter's own callback endpoint receiving what the fake's residents do."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.messages import Button, Outgoing
from bot.ports import Rejected, RetryLater, Unreachable
from fakewechat import FakeResident, FakeWeChat
from tests.wechat.conftest import Clock, Receiver
from wechat.callback import CallbackEndpoint
from wechat.client import Misconfigured, OutsideWindow, WeChatClient
from wechat.crypto import CallbackCrypto
from wechat.render import render

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEXT = {"msgtype": "text", "text": {"content": "您的问题已受理"}}
TEMPLATE = "tpl_progress_0001"
VALUES = {
    "character_string1": "#17",
    "thing2": "幸福路路灯不亮",
    "phrase3": "已办结",
    "time4": "2024-05-01 10:00",
}


@pytest.fixture
async def server(clock: Clock, receiver: Receiver) -> AsyncIterator[FakeWeChat]:
    fake = FakeWeChat(clock=clock)
    await fake.start()
    endpoint = CallbackEndpoint(
        CallbackCrypto(fake.token, fake.aes_key, fake.app_id, clock=clock), receiver
    )
    await endpoint.start("127.0.0.1", 0)
    fake.callback_url = f"http://127.0.0.1:{endpoint.port}/wechat/callback"
    try:
        yield fake
    finally:
        await endpoint.stop()
        await fake.stop()


@pytest.fixture
async def client(server: FakeWeChat, clock: Clock) -> AsyncIterator[WeChatClient]:
    c = WeChatClient(server.base_url, server.app_id, server.secret, clock, timeout=2.0)
    yield c
    await c.close()


async def writer(server: FakeWeChat, openid: str = "o_alice") -> FakeResident:
    """A follower who just wrote: the 48-hour window is open."""
    resident = server.resident(openid)
    assert await resident.follow() == 200
    assert await resident.say("你好") == 200
    return resident


def token_calls(server: FakeWeChat) -> int:
    # Counted from the calls: an injected failure never reaches the fake's own counter.
    return len(server.calls_to("/token"))


# -- customer-service messages ---------------------------------------------------------------


async def test_send_adds_the_recipient(client: WeChatClient, server: FakeWeChat) -> None:
    alice = await writer(server)
    await client.send("o_alice", TEXT)
    assert server.calls_to("message/custom/send")[-1].body == {"touser": "o_alice", **TEXT}
    assert (await alice.next_message()).content == "您的问题已受理"
    assert server.violations == []


async def test_a_rendered_msgmenu_is_tapped_back(
    client: WeChatClient, server: FakeWeChat, receiver: Receiver
) -> None:
    alice = await writer(server)
    message = Outgoing(
        text="<b>问题 #17 已办结</b>\n请评价",
        buttons=((Button(text="满意", data="r:17:5"), Button(text="不满意", data="r:17:1")),),
    )
    rendered = render(message, choose_hint="回复数字", tap_hint="点击选项即可", location_hint="")
    assert rendered.texts == () and rendered.menu is not None
    await client.send("o_alice", {"msgtype": "msgmenu", "msgmenu": rendered.menu})
    seen = await alice.next_message()
    assert (seen.head, seen.options, seen.tail) == (
        "问题 #17 已办结\n请评价",
        [("r:17:5", "满意"), ("r:17:1", "不满意")],
        "点击选项即可",
    )
    assert await alice.tap("不满意") == 200
    tap = receiver.events[-1]
    assert (tap.kind, tap.text, tap.menu_id) == ("text", "不满意", "r:17:1")
    assert server.violations == []


async def test_window_closed_is_outside_window(
    client: WeChatClient, server: FakeWeChat, clock: Clock
) -> None:
    bob = server.resident("o_bob")
    assert await bob.follow() == 200  # 3 messages within a minute of the follow
    clock.now += 61
    with pytest.raises(OutsideWindow) as raised:
        await client.send("o_bob", TEXT)
    assert isinstance(raised.value, Rejected)
    assert not raised.value.used_up
    assert "45015" in str(raised.value)
    assert server.violations == []


async def test_five_per_window_then_used_up(
    client: WeChatClient, server: FakeWeChat, clock: Clock
) -> None:
    await writer(server)
    clock.now += 61  # the follow's own short window is over; the message window remains
    for _ in range(5):
        await client.send("o_alice", TEXT)
    with pytest.raises(OutsideWindow) as raised:
        await client.send("o_alice", TEXT)
    assert raised.value.used_up
    assert "45047" in str(raised.value)
    assert server.violations == []


async def test_not_a_follower_any_more_is_outside_window(
    client: WeChatClient, server: FakeWeChat
) -> None:
    alice = await writer(server)
    assert await alice.unfollow() == 200
    with pytest.raises(OutsideWindow):
        await client.send("o_alice", TEXT)


async def test_unknown_openid_is_unreachable(client: WeChatClient) -> None:
    with pytest.raises(Unreachable, match="40003"):
        await client.send("o_nobody", TEXT)


async def test_too_long_text_is_rejected(client: WeChatClient, server: FakeWeChat) -> None:
    await writer(server)
    with pytest.raises(Rejected, match="45002") as raised:
        await client.send("o_alice", {"msgtype": "text", "text": {"content": "字" * 700}})
    assert not isinstance(raised.value, OutsideWindow | Misconfigured)


async def test_bad_msgmenu_is_rejected(client: WeChatClient, server: FakeWeChat) -> None:
    await writer(server)
    menu = {"list": [{"id": "a", "content": "甲"}, {"id": "a", "content": "乙"}]}
    with pytest.raises(Rejected, match="40058"):
        await client.send("o_alice", {"msgtype": "msgmenu", "msgmenu": menu})


async def test_unknown_media_is_rejected(client: WeChatClient, server: FakeWeChat) -> None:
    await writer(server)
    with pytest.raises(Rejected, match="40007"):
        await client.send("o_alice", {"msgtype": "image", "image": {"media_id": "nope"}})


# -- template notices ----------------------------------------------------------------------


async def test_template_values_are_wrapped_and_the_outcome_comes_back(
    client: WeChatClient, server: FakeWeChat, receiver: Receiver, clock: Clock
) -> None:
    alice = await writer(server)
    clock.now += 3 * 86_400  # long outside the window: templates do not need one
    msgid = await client.send_template("o_alice", TEMPLATE, VALUES, url="https://a.cn/17")
    assert msgid.isdigit()
    body = server.calls_to("message/template/send")[-1].body
    assert body == {
        "touser": "o_alice",
        "template_id": TEMPLATE,
        "url": "https://a.cn/17",
        "data": {key: {"value": value} for key, value in VALUES.items()},
    }
    shown = await alice.wait_for("幸福路路灯不亮")
    assert (shown.via, shown.data) == ("template", VALUES)
    await server.drain()
    done = receiver.events[-1]
    assert (done.kind, done.ref, done.status) == ("template_done", msgid, "success")
    assert server.violations == []


async def test_template_without_url(client: WeChatClient, server: FakeWeChat) -> None:
    await writer(server)
    await client.send_template("o_alice", TEMPLATE, VALUES)
    assert "url" not in server.calls_to("message/template/send")[-1].body


async def test_template_to_a_non_follower_is_unreachable(
    client: WeChatClient, server: FakeWeChat
) -> None:
    server.resident("o_carol")
    with pytest.raises(Unreachable, match="43004"):
        await client.send_template("o_carol", TEMPLATE, VALUES)


async def test_unknown_template_is_misconfigured(
    client: WeChatClient, server: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    await writer(server)
    with caplog.at_level(logging.ERROR, logger="wechat.client"):
        for _ in range(2):
            with pytest.raises(Misconfigured, match=r"tpl_gone.*template id setting"):
                await client.send_template("o_alice", "tpl_gone", VALUES)
    assert len([r for r in caplog.records if "tpl_gone" in r.getMessage()]) == 1


async def test_wrong_template_data_is_rejected(client: WeChatClient, server: FakeWeChat) -> None:
    await writer(server)
    with pytest.raises(Rejected, match="47003") as raised:
        await client.send_template("o_alice", TEMPLATE, {"first": "x", **VALUES})
    assert not isinstance(raised.value, Misconfigured)


# -- media, QR codes, menu -----------------------------------------------------------------


async def test_upload_send_and_download(client: WeChatClient, server: FakeWeChat) -> None:
    alice = await writer(server)
    media_id = await client.upload_image(JPEG, "street.jpg")
    assert server.calls_to("media/upload")[-1].params["type"] == "image"
    await client.send("o_alice", {"msgtype": "image", "image": {"media_id": media_id}})
    assert (await alice.next_message()).media_id == media_id
    assert await client.download(media_id) == JPEG
    assert server.violations == []


async def test_download_a_residents_photo(
    client: WeChatClient, server: FakeWeChat, receiver: Receiver
) -> None:
    alice = await writer(server)
    assert await alice.send_image(PNG) == 200
    photo = receiver.events[-1]
    assert photo.kind == "image" and photo.pic_url
    assert await client.download(photo.media_id) == PNG


async def test_download_unknown_media_is_rejected(client: WeChatClient) -> None:
    with pytest.raises(Rejected, match="40007"):
        await client.download("nope")


async def test_download_refreshes_an_expired_token_once(
    client: WeChatClient, server: FakeWeChat
) -> None:
    media_id = await client.upload_image(PNG, "a.png")
    server.expire_tokens()
    assert await client.download(media_id) == PNG
    assert token_calls(server) == 2
    server.fail_next("media/get", 42001, times=5)
    server.expire_tokens()
    with pytest.raises(RetryLater):
        await client.download(media_id)
    assert len(server.calls_to("media/get")) == 4  # 2 before, 2 now: never a loop
    assert server.violations == []


async def test_qr_code_then_follow_and_scan_carry_the_scene(
    client: WeChatClient, server: FakeWeChat, receiver: Receiver
) -> None:
    url = await client.create_qr("st_xinfu")
    assert url.startswith("http://weixin.qq.com/q/")
    assert server.calls_to("qrcode/create")[-1].body == {
        "action_name": "QR_LIMIT_STR_SCENE",
        "action_info": {"scene": {"scene_str": "st_xinfu"}},
    }
    assert await client.create_qr("st_xinfu") == url  # permanent: the same code
    dan = server.resident("o_dan")
    assert await dan.scan("st_xinfu") == 200  # not yet a follower: subscribe + qrscene_
    assert await dan.scan("st_xinfu") == 200  # a follower now: SCAN
    assert [(e.kind, e.scene) for e in receiver.events] == [
        ("follow", "st_xinfu"),
        ("scan", "st_xinfu"),
    ]
    assert server.violations == []


@pytest.mark.parametrize("scene", ["", "x" * 65])
async def test_qr_scene_length_is_checked_here(client: WeChatClient, scene: str) -> None:
    with pytest.raises(ValueError, match="1–64"):
        await client.create_qr(scene)


async def test_menu_then_a_click(
    client: WeChatClient, server: FakeWeChat, receiver: Receiver
) -> None:
    menu: dict[str, Any] = {
        "button": [
            {"type": "click", "name": "反映问题", "key": "menu:report"},
            {"type": "view", "name": "办事指南", "url": "https://a.cn/guide"},
        ]
    }
    await client.create_menu(menu)
    assert server.menu == menu["button"]
    alice = await writer(server)
    assert await alice.click_menu("menu:report") == 200
    assert (receiver.events[-1].kind, receiver.events[-1].event_key) == ("click", "menu:report")
    assert server.violations == []


async def test_menu_not_granted_is_misconfigured(client: WeChatClient, server: FakeWeChat) -> None:
    server.fail_next("menu/create", 48001)
    with pytest.raises(Misconfigured, match="verified"):
        await client.create_menu({"button": [{"type": "click", "name": "x", "key": "k"}]})


# -- the access token ----------------------------------------------------------------------


async def test_token_is_fetched_once_and_cached(client: WeChatClient, server: FakeWeChat) -> None:
    for n in range(3):
        await client.create_qr(f"st_{n}")
    assert token_calls(server) == 1
    call = server.calls_to("stable_token")[0]
    assert call.method == "POST" and call.params == {}  # the secret stays out of the URL
    assert call.body == {
        "grant_type": "client_credential",
        "appid": server.app_id,
        "secret": server.secret,
        "force_refresh": False,
    }


async def test_concurrent_callers_share_one_fetch(client: WeChatClient, server: FakeWeChat) -> None:
    server.slow("/token", 0.05, times=1)
    urls = await asyncio.gather(*(client.create_qr(f"st_{n}") for n in range(20)))
    assert len(set(urls)) == 20
    assert token_calls(server) == 1
    assert server.violations == []


async def test_concurrent_callers_share_a_failed_fetch(
    client: WeChatClient, server: FakeWeChat
) -> None:
    server.slow("/token", 0.05, times=1)
    server.fail_next("/token", 45009)
    results = await asyncio.gather(*(client.token() for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, RetryLater) for r in results)
    assert token_calls(server) == 1
    await client.token()  # the next caller fetches afresh
    assert token_calls(server) == 2


async def test_refreshed_five_minutes_before_expiry(
    client: WeChatClient, server: FakeWeChat, clock: Clock
) -> None:
    first = await client.token()
    clock.now += 7200 - 300 - 1
    assert await client.token() == first
    clock.now += 2
    assert await client.token() != first
    assert token_calls(server) == 2
    assert server.violations == []


async def test_expired_token_refreshed_once_and_the_call_retried(
    client: WeChatClient, server: FakeWeChat
) -> None:
    alice = await writer(server)
    first = await client.token()
    server.expire_tokens()  # 42001 from now on
    await client.send("o_alice", TEXT)
    assert [c.errcode for c in server.calls_to("message/custom/send")] == [42001, 0]
    assert token_calls(server) == 2
    assert await client.token() != first
    assert (await alice.next_message()).content == "您的问题已受理"
    assert server.violations == []


async def test_a_refused_token_is_no_loop(client: WeChatClient, server: FakeWeChat) -> None:
    await client.token()
    server.expire_tokens()
    server.fail_next("qrcode/create", 42001, times=10)
    with pytest.raises(RetryLater) as raised:
        await client.create_qr("st_1")
    assert raised.value.seconds == 60
    assert len(server.calls_to("qrcode/create")) == 2
    assert token_calls(server) == 2


async def test_concurrent_42001_refetches_once(client: WeChatClient, server: FakeWeChat) -> None:
    await client.token()
    server.expire_tokens()
    server.slow("/token", 0.05, times=1)
    await asyncio.gather(*(client.create_qr(f"st_{n}") for n in range(10)))
    assert token_calls(server) == 2
    assert server.violations == []


async def test_a_second_process_shares_the_token(
    client: WeChatClient, server: FakeWeChat, clock: Clock
) -> None:
    first = await client.token()
    clock.now += 100
    other = WeChatClient(server.base_url, server.app_id, server.secret, clock)
    try:
        assert await other.token() == first  # a CLI command or a restart: no new token
    finally:
        await other.close()
    clock.now += 400  # past the 5 minutes a replaced token would have lived on
    await client.create_qr("st_1")
    assert [c.errcode for c in server.calls_to("qrcode/create")] == [0]
    assert server.violations == []


async def test_a_forced_refresh_elsewhere_40001_is_recovered_once(
    client: WeChatClient, server: FakeWeChat, clock: Clock
) -> None:
    first = await client.token()
    clock.now += 120
    # Someone forces a new stable token (an admin tool): ours dies at once.
    async with aiohttp.ClientSession() as http:
        body = {
            "grant_type": "client_credential",
            "appid": server.app_id,
            "secret": server.secret,
            "force_refresh": True,
        }
        async with http.post(f"{server.base_url}/cgi-bin/stable_token", json=body) as response:
            forced = (await response.json())["access_token"]
    await client.create_qr("st_1")
    assert [c.errcode for c in server.calls_to("qrcode/create")] == [40001, 0]
    assert await client.token() == forced != first
    # The fake counts any use of a superseded token; here the forced refresh caused it.
    assert [v.description[:5] for v in server.violations] == ["40001"]


@pytest.mark.parametrize(
    ("app_id", "secret", "setting"),
    [("wx_wrong", None, "AppID setting"), (None, "wrong", "AppSecret setting")],
)
async def test_bad_credentials_are_misconfigured(
    server: FakeWeChat, clock: Clock, app_id: str | None, secret: str | None, setting: str
) -> None:
    client = WeChatClient(server.base_url, app_id or server.app_id, secret or server.secret, clock)
    try:
        with pytest.raises(Misconfigured, match=setting) as raised:
            await client.create_qr("st_1")
        assert isinstance(raised.value, Rejected)
        assert server.calls_to("qrcode/create") == []
    finally:
        await client.close()


async def test_invalid_appsecret_40125_is_misconfigured(
    client: WeChatClient, server: FakeWeChat
) -> None:
    server.fail_next("/token", 40125)
    with pytest.raises(Misconfigured, match="AppSecret"):
        await client.token()


async def test_ip_not_whitelisted_is_misconfigured_and_logged_once(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeWeChat(clock=clock, trusted_ips={"203.0.113.7"}) as fake:
        client = WeChatClient(fake.base_url, fake.app_id, fake.secret, clock)
        try:
            with caplog.at_level(logging.ERROR, logger="wechat.client"):
                for _ in range(3):
                    with pytest.raises(Misconfigured, match="IP whitelist"):
                        await client.token()
        finally:
            await client.close()
    assert len([r for r in caplog.records if "40164" in r.getMessage()]) == 1


async def test_ip_refused_on_a_call(client: WeChatClient, server: FakeWeChat) -> None:
    server.fail_next("qrcode/create", 40164)
    with pytest.raises(Misconfigured, match="40164"):
        await client.create_qr("st_1")


# -- transient failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("errcode", "seconds", "flood"), [(45009, 600, True), (45011, 60, True), (-1, 5, False)]
)
async def test_quota_and_busy_are_retry_later(
    client: WeChatClient, server: FakeWeChat, errcode: int, seconds: float, flood: bool
) -> None:
    await writer(server)
    server.fail_next("message/custom/send", errcode)
    with pytest.raises(RetryLater) as raised:
        await client.send("o_alice", TEXT)
    assert (raised.value.seconds, raised.value.flood) == (seconds, flood)


async def test_other_errcodes_are_rejected_with_code_and_message(
    client: WeChatClient, server: FakeWeChat
) -> None:
    server.fail_next("menu/create", 40017)
    with pytest.raises(Rejected, match="40017 invalid button type") as raised:
        await client.create_menu({"button": [{"type": "click", "name": "x", "key": "k"}]})
    assert not isinstance(raised.value, OutsideWindow | Misconfigured)


async def test_timeout_is_retry_later(server: FakeWeChat, clock: Clock) -> None:
    client = WeChatClient(server.base_url, server.app_id, server.secret, clock, timeout=0.1)
    server.slow("qrcode/create", 0.4, times=1)
    try:
        with pytest.raises(RetryLater) as raised:
            await client.create_qr("st_1")
        assert raised.value.seconds == 5
    finally:
        await client.close()


async def test_unreachable_server_is_retry_later(clock: Clock) -> None:
    client = WeChatClient("http://127.0.0.1:9", "wx1", "s3cr3t", clock, timeout=2)
    try:
        with pytest.raises(RetryLater) as raised:
            await client.token()
        assert raised.value.__cause__ is None and raised.value.__suppress_context__
    finally:
        await client.close()


async def test_5xx_from_a_proxy_is_retry_later(clock: Clock) -> None:
    # Not a WeChat stand-in: a gateway in front of it that fails (WeChat itself answers 200).
    async def bad_gateway(request: web.Request) -> web.Response:
        return web.Response(status=502, text="bad gateway")

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", bad_gateway)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    client = WeChatClient(f"http://127.0.0.1:{runner.addresses[0][1]}", "wx1", "s", clock)
    try:
        with pytest.raises(RetryLater, match="HTTP 502") as raised:
            await client.token()
        assert raised.value.seconds == 5
    finally:
        await client.close()
        await runner.cleanup()


async def test_base_url_path_is_used_for_every_call(
    client: WeChatClient, server: FakeWeChat
) -> None:
    await writer(server)
    await client.send("o_alice", TEXT)
    media_id = await client.upload_image(JPEG)
    await client.download(media_id)
    await client.create_qr("st_1")
    paths = [c.path for c in server.calls]
    assert paths == [
        "stable_token",
        "message/custom/send",
        "media/upload",
        "media/get",
        "qrcode/create",
    ]


async def test_secret_and_token_never_logged_or_in_errors(
    client: WeChatClient, server: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await writer(server)
    errors: list[Exception] = []
    server.fail_next("message/custom/send", 42001)
    server.fail_next("message/custom/send", 40014)
    server.fail_next("qrcode/create", 40164)
    server.slow("menu/create", 0.5, times=1)
    short = WeChatClient(server.base_url, server.app_id, server.secret, lambda: 0.0, timeout=0.2)
    for call in (
        client.send("o_alice", TEXT),
        client.create_qr("st_1"),
        short.create_menu({"button": [{"type": "click", "name": "x", "key": "k"}]}),
    ):
        try:
            await call
        except Exception as exc:
            errors.append(exc)
    await short.close()
    assert len(errors) == 3
    # aiohttp.access and fakewechat are the fake server's own logs, not ours.
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("wechat")]
    text = " ".join(ours + [repr(e) for e in errors] + [str(e) for e in errors])
    assert server.secret not in text
    assert not any(token in text for token in server.tokens)
