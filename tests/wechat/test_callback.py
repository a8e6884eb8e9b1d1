"""The callback endpoint over real HTTP; WeChat's side of the crypto is done by wechatpy."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from tests.wechat.conftest import NOW, Clock, Receiver
from wechat.callback import MAX_BODY, CallbackEndpoint
from wechat.crypto import CallbackCrypto, signature

TOKEN = "liaisonToken2024"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
APP_ID = "wx5823bf96d3bd56c7"
OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8"
SECRET_WORDS = "我家楼下的井盖丢了"


def inner(msg_id: int = 1, text: str = SECRET_WORDS) -> str:
    return (
        "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def wechat_post(
    xml: str, nonce: str = "1372623149", ts: int = NOW, app_id: str = APP_ID
) -> tuple[str, str]:
    """The query string and body WeChat would POST in safe mode for ``xml``."""
    reply = WeChatCrypto(TOKEN, AES_KEY, app_id).encrypt_message(xml, nonce, str(ts))
    encrypt = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    query = urlencode(
        {
            "signature": signature(TOKEN, str(ts), nonce),
            "timestamp": str(ts),
            "nonce": nonce,
            "openid": OPENID,
            "encrypt_type": "aes",
            "msg_signature": signature(TOKEN, str(ts), nonce, encrypt),
        }
    )
    body = (
        "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
    return query, body


@pytest.fixture
async def endpoint(clock: Clock, receiver: Receiver) -> AsyncIterator[CallbackEndpoint]:
    crypto = CallbackCrypto(TOKEN, AES_KEY, APP_ID, clock=clock)
    server = CallbackEndpoint(crypto, receiver)
    await server.start("127.0.0.1", 0)
    assert server.port > 0
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def url(endpoint: CallbackEndpoint, query: str) -> str:
    return f"http://127.0.0.1:{endpoint.port}/wechat/callback?{query}"


async def post(
    http: aiohttp.ClientSession, endpoint: CallbackEndpoint, query: str, body: str | bytes
) -> tuple[int, bytes]:
    data = body.encode() if isinstance(body, str) else body
    async with http.post(url(endpoint, query), data=data) as response:
        return response.status, await response.read()


# -- GET -----------------------------------------------------------------------------------


async def test_url_verification_echoes_echostr_bare(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession
) -> None:
    query = urlencode(
        {
            "signature": signature(TOKEN, str(NOW), "n1"),
            "timestamp": str(NOW),
            "nonce": "n1",
            "echostr": "1616140317555161061",
        }
    )
    async with http.get(url(endpoint, query)) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        assert await response.read() == b"1616140317555161061"


async def test_url_verification_forged(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession
) -> None:
    query = f"signature={'0' * 40}&timestamp={NOW}&nonce=n1&echostr=abcd"
    async with http.get(url(endpoint, query)) as response:
        assert response.status == 403
        assert await response.read() != b"abcd"


# -- POST ----------------------------------------------------------------------------------


async def test_good_post_is_received_once_and_acknowledged_with_success(
    endpoint: CallbackEndpoint,
    http: aiohttp.ClientSession,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    query, body = wechat_post(inner(msg_id=77))
    assert await post(http, endpoint, query, body) == (200, b"success")
    assert [(e.kind, e.openid, e.text, e.key) for e in receiver.events] == [
        ("text", OPENID, SECRET_WORDS, "msg:77")
    ]
    assert SECRET_WORDS not in caplog.text


async def test_forged_post_is_403_and_not_received(
    endpoint: CallbackEndpoint,
    http: aiohttp.ClientSession,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    query, body = wechat_post(inner())
    tampered = query.replace("nonce=1372623149", "nonce=1")
    with caplog.at_level(logging.WARNING, logger="wechat.callback"):
        assert (await post(http, endpoint, tampered, body))[0] == 403
    assert receiver.events == []
    assert "bad signature" in caplog.text
    assert SECRET_WORDS not in caplog.text


async def test_plaintext_post_is_403(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    # Correctly signed for plaintext mode, whose signature leaves the body open to anyone.
    query = urlencode(
        {
            "signature": signature(TOKEN, str(NOW), "n3"),
            "timestamp": str(NOW),
            "nonce": "n3",
            "openid": OPENID,
        }
    )
    assert (await post(http, endpoint, query, inner()))[0] == 403
    assert receiver.events == []


async def test_foreign_app_is_403(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wechat_post(inner(), app_id="wx0000000000000000")
    assert (await post(http, endpoint, query, body))[0] == 403
    assert receiver.events == []


async def test_stale_post_is_403(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wechat_post(inner(), ts=NOW - 301)
    assert (await post(http, endpoint, query, body))[0] == 403
    assert receiver.events == []


async def test_oversized_body_is_refused_unread(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, _ = wechat_post(inner())
    status, _ = await post(http, endpoint, query, b"<xml>" + b" " * MAX_BODY + b"</xml>")
    assert status == 413
    assert receiver.events == []


async def test_replay_is_acknowledged_without_a_second_receive(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wechat_post(inner(msg_id=5))
    for _ in range(3):  # the original and WeChat's two identical retries
        assert await post(http, endpoint, query, body) == (200, b"success")
    assert len(receiver.events) == 1
    # A different request (new nonce) for another message is received.
    query, body = wechat_post(inner(msg_id=6), nonce="99")
    assert await post(http, endpoint, query, body) == (200, b"success")
    assert [e.key for e in receiver.events] == ["msg:5", "msg:6"]


async def test_replay_memory_forgets_after_max_age(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver, clock: Clock
) -> None:
    query, body = wechat_post(inner())
    assert (await post(http, endpoint, query, body))[0] == 200
    clock.now += 301  # the timestamp is stale now: refused by the crypto, not the memory
    assert (await post(http, endpoint, query, body))[0] == 403
    assert len(receiver.events) == 1


async def test_receive_raising_answers_500_and_the_retry_is_processed(
    endpoint: CallbackEndpoint,
    http: aiohttp.ClientSession,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    query, body = wechat_post(inner(msg_id=8))
    receiver.fail = True
    with caplog.at_level(logging.ERROR, logger="wechat.callback"):
        assert (await post(http, endpoint, query, body))[0] == 500
    assert "msg:8" in caplog.text
    assert SECRET_WORDS not in caplog.text
    receiver.fail = False
    assert await post(http, endpoint, query, body) == (200, b"success")  # WeChat's retry
    assert [e.key for e in receiver.events] == ["msg:8"]


async def test_retry_during_a_slow_receive_waits_for_its_outcome(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wechat_post(inner(msg_id=9))
    receiver.gate = asyncio.Event()
    first = asyncio.create_task(post(http, endpoint, query, body))
    retry = asyncio.create_task(post(http, endpoint, query, body))
    await asyncio.sleep(0.05)
    assert not first.done() and not retry.done()
    receiver.gate.set()
    assert await first == (200, b"success")
    assert await retry == (200, b"success")
    assert len(receiver.events) == 1


async def test_retry_during_a_failing_receive_is_also_500(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wechat_post(inner(msg_id=10))
    receiver.gate = asyncio.Event()
    receiver.fail = True
    first = asyncio.create_task(post(http, endpoint, query, body))
    retry = asyncio.create_task(post(http, endpoint, query, body))
    await asyncio.sleep(0.05)
    receiver.gate.set()
    assert (await first)[0] == 500
    assert (await retry)[0] == 500
    assert receiver.events == []


async def test_signed_but_unreadable_is_acknowledged(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wechat_post("<xml><ToUserName>x</ToUserName></xml>")
    assert await post(http, endpoint, query, body) == (200, b"success")
    assert receiver.events == []


async def test_routes_mounted_elsewhere_keep_the_body_limit(
    clock: Clock, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    crypto = CallbackCrypto(TOKEN, AES_KEY, APP_ID, clock=clock)
    endpoint = CallbackEndpoint(crypto, receiver, path="/hook")
    app = web.Application(client_max_size=8 * MAX_BODY)  # a larger limit of its own
    app.add_routes(endpoint.routes())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        base = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        query, body = wechat_post(inner(msg_id=3))
        async with http.post(f"{base}?{query}", data=body) as response:
            assert (response.status, await response.read()) == (200, b"success")
        assert [e.key for e in receiver.events] == ["msg:3"]
        big = b"x" * (MAX_BODY + 1)
        async with http.post(f"{base}?{query}", data=big) as response:
            assert response.status == 413
    finally:
        await runner.cleanup()


# -- against the project's fake WeChat (fakewechat): its residents, forgeries and replays ----


async def test_fake_residents_pushes_reach_the_receiver(clock: Clock, receiver: Receiver) -> None:
    from fakewechat import FakeWeChat

    fake = FakeWeChat(clock=clock)
    await fake.start()
    crypto = CallbackCrypto(fake.token, fake.aes_key, fake.app_id, clock=clock)
    endpoint = CallbackEndpoint(crypto, receiver)
    await endpoint.start("127.0.0.1", 0)
    try:
        fake.callback_url = f"http://127.0.0.1:{endpoint.port}/wechat/callback"
        assert await fake.verify_url()
        resident = fake.resident("o_wangwu", "王五")
        assert await resident.follow() == 200
        assert await resident.say(SECRET_WORDS) == 200
        assert await resident.send_location(31.23, 121.47, "外滩") == 200
        assert await resident.report_location(31.2, 121.4) == 200
        assert await resident.unfollow() == 200
        assert receiver.kinds() == ["follow", "text", "location", "other", "unfollow"]
        assert receiver.events[1].text == SECRET_WORDS
        assert (receiver.events[2].lat, receiver.events[2].lon) == (31.23, 121.47)
        assert all(e.openid == "o_wangwu" for e in receiver.events)
        # Replays are acknowledged, not received again; forgeries are refused.
        assert await fake.replay(fake.callbacks[1]) == 200
        assert len(receiver.events) == 5
        assert await resident.follow() == 200
        assert await fake.post_forged(resident, "x", bad_signature=True) == 403
        assert await fake.post_forged(resident, "x", app_id="wx0000000000000000") == 403
        assert await fake.post_forged(resident, "x", timestamp=NOW - 3600) == 403
        assert receiver.kinds()[-1] == "follow" and len(receiver.events) == 6
        assert all(c.attempts[-1].body == b"success" for c in fake.callbacks if c.status == 200)
        assert fake.violations == []
    finally:
        await endpoint.stop()
        await fake.stop()


async def test_fake_retries_after_a_failed_receive(clock: Clock, receiver: Receiver) -> None:
    from fakewechat import FakeWeChat

    fake = FakeWeChat(clock=clock)
    await fake.start()
    endpoint = CallbackEndpoint(
        CallbackCrypto(fake.token, fake.aes_key, fake.app_id, clock=clock), receiver
    )
    await endpoint.start("127.0.0.1", 0)
    try:
        fake.callback_url = f"http://127.0.0.1:{endpoint.port}/wechat/callback"
        resident = fake.resident("o_zhaoliu")
        assert await resident.follow() == 200
        receiver.fail = True
        assert await resident.say("第一次") == 500  # all three attempts answered 500
        assert [a.status for a in fake.callbacks[-1].attempts] == [500, 500, 500]
        assert resident.last is not None and resident.last.via == "system"
        receiver.fail = False
        assert await resident.say("第二次") == 200
        assert [e.text for e in receiver.events if e.kind == "text"] == ["第二次"]
        # The failed pushes are WeChat's record of our failure, as they should be.
        assert len(fake.violations) == 3
    finally:
        await endpoint.stop()
        await fake.stop()
