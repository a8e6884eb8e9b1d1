"""Fixtures for the fake WeCom tests: an injectable clock, the server, a plain aiohttp client
and a tiny callback receiver (a stand-in bot) that decrypts with fakewecom's own crypto."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from fakewecom import FakeWeCom, build_xml, decrypt, encrypt, parse_xml, signature


class Clock:
    """A settable clock for token, media and response-code expiry."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def server(clock: Clock) -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom(clock=clock)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


class Api:
    """A plain HTTP client for the fake's API (what an adapter would do by hand)."""

    def __init__(self, server: FakeWeCom, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session
        self.token = ""

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        async with self.session.get(f"{self.server.base_url}/cgi-bin/{path}", params=params) as r:
            assert r.status == 200
            body: dict[str, Any] = await r.json(content_type=None)
            return body

    async def post(self, path: str, body: Any, **params: Any) -> dict[str, Any]:
        params.setdefault("access_token", self.token)
        url = f"{self.server.base_url}/cgi-bin/{path}"
        async with self.session.post(url, params=params, json=body) as r:
            assert r.status == 200
            answer: dict[str, Any] = await r.json(content_type=None)
            return answer

    async def fetch_token(self) -> str:
        answer = await self.get(
            "gettoken", corpid=self.server.corp_id, corpsecret=self.server.secret
        )
        assert answer["errcode"] == 0, answer
        self.token = str(answer["access_token"])
        return self.token

    async def send(self, body: dict[str, Any]) -> dict[str, Any]:
        body.setdefault("agentid", self.server.agent_id)
        return await self.post("message/send", body)

    async def text(self, touser: str, content: str) -> dict[str, Any]:
        return await self.send({"touser": touser, "msgtype": "text", "text": {"content": content}})


@pytest.fixture
async def api(server: FakeWeCom) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        client = Api(server, session)
        await client.fetch_token()
        yield client


def button_card(task_id: str, buttons: int = 2, **extra: Any) -> dict[str, Any]:
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": "新的反映", "desc": "路灯不亮"},
        "task_id": task_id,
        "button_list": [{"text": f"按钮{i}", "style": 1, "key": f"k{i}"} for i in range(buttons)],
    }
    card.update(extra)
    return card


@dataclass
class Receiver:
    """A stand-in bot at ``url``: verifies and decrypts callbacks, answers as configured."""

    server: FakeWeCom
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)  # decrypted inner fields
    raw: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to use first (then 200)
    delay: float = 0.0
    reply: Callable[[dict[str, Any]], str | None] | None = None  # inner reply XML
    echo_override: str | None = None
    body_override: str | None = None  # answer this body (200) instead of an encrypted reply
    problems: list[str] = field(default_factory=list)

    def encrypt_reply(self, inner_xml: str) -> str:
        encrypted = encrypt(self.server.aes_key, inner_xml, self.server.corp_id)
        timestamp, nonce = "1700000000", "4242"
        sig = signature(self.server.token, timestamp, nonce, encrypted)
        return build_xml(
            {"Encrypt": encrypted, "MsgSignature": sig, "TimeStamp": timestamp, "Nonce": nonce}
        )

    async def handle_get(self, request: web.Request) -> web.Response:
        q = request.query
        if (
            signature(self.server.token, q["timestamp"], q["nonce"], q["echostr"])
            != q["msg_signature"]
        ):
            self.problems.append("bad GET signature")
            return web.Response(status=403)
        plain, receive_id = decrypt(self.server.aes_key, q["echostr"])
        assert receive_id == self.server.corp_id
        return web.Response(text=self.echo_override or plain.decode())

    async def handle_post(self, request: web.Request) -> web.Response:
        body = await request.read()
        query = dict(request.query)
        self.raw.append((query, body))
        outer = parse_xml(body)
        expected = signature(
            self.server.token, query["timestamp"], query["nonce"], outer["Encrypt"]
        )
        if expected != query["msg_signature"]:
            self.problems.append("bad signature")
            return web.Response(status=403)
        plain, receive_id = decrypt(self.server.aes_key, outer["Encrypt"])
        if receive_id != self.server.corp_id or outer["ToUserName"] != self.server.corp_id:
            self.problems.append("foreign corp")
            return web.Response(status=403)
        inner = parse_xml(plain)
        self.received.append(inner)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.statuses:
            return web.Response(status=self.statuses.pop(0))
        if self.body_override is not None:
            return web.Response(text=self.body_override)
        answer = self.reply(inner) if self.reply else None
        return web.Response(text=self.encrypt_reply(answer) if answer else "")


@pytest.fixture
async def receiver(server: FakeWeCom) -> AsyncIterator[Receiver]:
    bot = Receiver(server)
    app = web.Application()
    app.router.add_get("/wecom/callback", bot.handle_get)
    app.router.add_post("/wecom/callback", bot.handle_post)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    bot.url = server.callback_url = f"http://{host}:{port}/wecom/callback"
    try:
        yield bot
    finally:
        await runner.cleanup()
