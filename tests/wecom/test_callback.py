"""The callback endpoint over real HTTP; WeCom's side of the crypto is done by wechatpy."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from wecom.callback import CallbackEndpoint
from wecom.crypto import CallbackCrypto, signature
from wecom.inbound import WeComEvent

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"
NOW = 1_700_000_000
SECRET_WORDS = "我家楼下的井盖丢了"


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


class Receiver:
    def __init__(self) -> None:
        self.events: list[WeComEvent] = []
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def __call__(self, event: WeComEvent) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("database is locked")
        self.events.append(event)


def inner(msg_id: int = 1, text: str = SECRET_WORDS) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        "<FromUserName><![CDATA[lisi]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId>"
        "<AgentID>1000002</AgentID></xml>"
    )


def wecom_post(xml: str, nonce: str = "1372623149", ts: int = NOW) -> tuple[str, str]:
    """The query string and body WeCom would POST for ``xml``."""
    reply = WeChatCrypto(TOKEN, AES_KEY, CORP_ID).encrypt_message(xml, nonce, str(ts))
    encrypt = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    sig = signature(TOKEN, str(ts), nonce, encrypt)
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
    )
    return f"msg_signature={sig}&timestamp={ts}&nonce={nonce}", body


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def endpoint(clock: Clock, receiver: Receiver) -> AsyncIterator[CallbackEndpoint]:
    crypto = CallbackCrypto(TOKEN, AES_KEY, CORP_ID, clock=clock)
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
    return f"http://127.0.0.1:{endpoint.port}/wecom/callback?{query}"


async def post(
    http: aiohttp.ClientSession, endpoint: CallbackEndpoint, query: str, body: str
) -> tuple[int, bytes]:
    async with http.post(url(endpoint, query), data=body.encode()) as response:
        return response.status, await response.read()


async def test_url_verification_echoes_bare_plaintext(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession
) -> None:
    reply = WeChatCrypto(TOKEN, AES_KEY, CORP_ID).encrypt_message(
        "1616140317555161061", "n1", str(NOW)
    )
    echostr = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    sig = signature(TOKEN, str(NOW), "n1", echostr)
    query = f"msg_signature={sig}&timestamp={NOW}&nonce=n1&echostr={quote(echostr, safe='')}"
    async with http.get(url(endpoint, query)) as response:
        assert response.status == 200
        assert await response.read() == b"1616140317555161061"


async def test_url_verification_forged(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession
) -> None:
    query = f"msg_signature={'0' * 40}&timestamp={NOW}&nonce=n1&echostr=abcd"
    async with http.get(url(endpoint, query)) as response:
        assert response.status == 403


async def test_good_post_is_received_once_and_acknowledged_empty(
    endpoint: CallbackEndpoint,
    http: aiohttp.ClientSession,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    query, body = wecom_post(inner(msg_id=77))
    assert await post(http, endpoint, query, body) == (200, b"")
    assert [(e.kind, e.userid, e.text, e.key) for e in receiver.events] == [
        ("text", "lisi", SECRET_WORDS, "m:77")
    ]
    assert SECRET_WORDS not in caplog.text


async def test_forged_post_is_403_and_not_received(
    endpoint: CallbackEndpoint,
    http: aiohttp.ClientSession,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    query, body = wecom_post(inner())
    tampered = query.replace("nonce=1372623149", "nonce=1")
    with caplog.at_level(logging.WARNING, logger="wecom.callback"):
        assert (await post(http, endpoint, tampered, body))[0] == 403
    assert receiver.events == []
    assert "bad signature" in caplog.text
    assert SECRET_WORDS not in caplog.text


async def test_foreign_corp_is_403(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    reply = WeChatCrypto(TOKEN, AES_KEY, "wwother").encrypt_message(inner(), "n2", str(NOW))
    encrypt = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    query = f"msg_signature={signature(TOKEN, str(NOW), 'n2', encrypt)}&timestamp={NOW}&nonce=n2"
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    assert (await post(http, endpoint, query, body))[0] == 403
    assert receiver.events == []


async def test_stale_post_is_403(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wecom_post(inner(), ts=NOW - 301)
    assert (await post(http, endpoint, query, body))[0] == 403
    assert receiver.events == []


async def test_replay_is_acknowledged_without_a_second_receive(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wecom_post(inner(msg_id=5))
    for _ in range(4):  # the original and WeCom's three identical retries
        assert await post(http, endpoint, query, body) == (200, b"")
    assert len(receiver.events) == 1
    # A different request (new nonce) for another message is received.
    query, body = wecom_post(inner(msg_id=6), nonce="99")
    assert await post(http, endpoint, query, body) == (200, b"")
    assert [e.key for e in receiver.events] == ["m:5", "m:6"]


async def test_replay_memory_forgets_after_max_age(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver, clock: Clock
) -> None:
    query, body = wecom_post(inner())
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
    query, body = wecom_post(inner(msg_id=8))
    receiver.fail = True
    with caplog.at_level(logging.ERROR, logger="wecom.callback"):
        assert (await post(http, endpoint, query, body))[0] == 500
    assert SECRET_WORDS not in caplog.text
    receiver.fail = False
    assert await post(http, endpoint, query, body) == (200, b"")  # WeCom's retry
    assert [e.key for e in receiver.events] == ["m:8"]


async def test_retry_during_a_slow_receive_waits_for_its_outcome(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wecom_post(inner(msg_id=9))
    receiver.gate = asyncio.Event()
    first = asyncio.create_task(post(http, endpoint, query, body))
    retry = asyncio.create_task(post(http, endpoint, query, body))
    await asyncio.sleep(0.05)
    assert not first.done() and not retry.done()
    receiver.gate.set()
    assert await first == (200, b"")
    assert await retry == (200, b"")
    assert len(receiver.events) == 1


async def test_retry_during_a_failing_receive_is_also_500(
    endpoint: CallbackEndpoint, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    query, body = wecom_post(inner(msg_id=10))
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
    query, body = wecom_post("<xml><ToUserName>x</ToUserName></xml>")
    assert await post(http, endpoint, query, body) == (200, b"")
    assert receiver.events == []


async def test_app_and_routes_can_be_mounted_elsewhere(
    clock: Clock, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    from aiohttp import web

    crypto = CallbackCrypto(TOKEN, AES_KEY, CORP_ID, clock=clock)
    endpoint = CallbackEndpoint(crypto, receiver, path="/hook")
    app = web.Application()
    app.add_routes(endpoint.routes())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        query, body = wecom_post(inner(msg_id=3))
        async with http.post(f"http://127.0.0.1:{port}/hook?{query}", data=body) as response:
            assert response.status == 200
        assert [e.key for e in receiver.events] == ["m:3"]
    finally:
        await runner.cleanup()


# -- against the project's fake WeCom (fakewecom), when it is importable --------------------


async def test_fake_members_callbacks_reach_the_receiver(clock: Clock, receiver: Receiver) -> None:
    server_module = pytest.importorskip("fakewecom.server")
    fake = server_module.FakeWeCom(clock=clock)
    await fake.start()
    crypto = CallbackCrypto(fake.token, fake.aes_key, fake.corp_id, clock=clock)
    endpoint = CallbackEndpoint(crypto, receiver)
    await endpoint.start("127.0.0.1", 0)
    try:
        fake.callback_url = f"http://127.0.0.1:{endpoint.port}/wecom/callback"
        assert await fake.verify_url()
        member = fake.member("wangwu")
        assert await member.say(SECRET_WORDS) == 200
        assert await member.send_location(31.23, 121.47, "外滩") == 200
        await member.enter_agent()
        assert [e.kind for e in receiver.events] == ["text", "location", "enter"]
        assert receiver.events[0].text == SECRET_WORDS
        assert (receiver.events[1].lat, receiver.events[1].lon) == (31.23, 121.47)
        assert await fake.replay(fake.callbacks[0]) == 200
        assert len(receiver.events) == 3
        assert await fake.post_forged(member, "x", bad_signature=True) == 403
        assert await fake.post_forged(member, "x", corp_id="wwother") == 403
        assert await fake.post_forged(member, "x", timestamp=NOW - 3600) == 403
        assert len(receiver.events) == 3
        assert fake.violations == []
    finally:
        await endpoint.stop()
        await fake.stop()
