"""Fixtures for the fake WeChat tests: an injectable clock, the server, a plain aiohttp client
and a tiny callback receiver (a stand-in bot) that checks and decrypts callbacks with
fakewechat's own crypto *and* with wechatpy, and encrypts its passive replies with wechatpy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from fakewechat import FakeWeChat, build_xml, decrypt, parse_xml, signature, url_signature

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEYS = ("character_string1", "thing2", "phrase3", "time4")


class Clock:
    """A settable clock for token, media, window and QR-code expiry."""

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
async def server(clock: Clock) -> AsyncIterator[FakeWeChat]:
    fake = FakeWeChat(clock=clock)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


class Api:
    """A plain HTTP client for the fake's API (what an adapter does by hand)."""

    def __init__(self, server: FakeWeChat, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session
        self.token = ""

    def url(self, path: str) -> str:
        return f"{self.server.base_url}/cgi-bin/{path}"

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        async with self.session.get(self.url(path), params=params) as r:
            assert r.status == 200
            body: dict[str, Any] = await r.json(content_type=None)
            return body

    async def post(self, path: str, body: Any, **params: Any) -> dict[str, Any]:
        params.setdefault("access_token", self.token)
        async with self.session.post(self.url(path), params=params, json=body) as r:
            assert r.status == 200
            answer: dict[str, Any] = await r.json(content_type=None)
            return answer

    async def fetch_token(self) -> str:
        answer = await self.get(
            "token",
            grant_type="client_credential",
            appid=self.server.app_id,
            secret=self.server.secret,
        )
        assert "access_token" in answer, answer
        self.token = str(answer["access_token"])
        return self.token

    async def custom(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.post("message/custom/send", body)

    async def text(self, openid: str, content: str) -> dict[str, Any]:
        return await self.custom(
            {"touser": openid, "msgtype": "text", "text": {"content": content}}
        )

    async def menu_message(
        self, openid: str, *options: tuple[str, str], **extra: Any
    ) -> dict[str, Any]:
        msgmenu = {"list": [{"id": i, "content": c} for i, c in options], **extra}
        return await self.custom({"touser": openid, "msgtype": "msgmenu", "msgmenu": msgmenu})

    async def template(
        self,
        openid: str,
        data: dict[str, Any],
        template_id: str = "tpl_progress_0001",
        **extra: Any,
    ) -> dict[str, Any]:
        body = {"touser": openid, "template_id": template_id, "data": data, **extra}
        return await self.post("message/template/send", body)

    async def upload(
        self, data: bytes, kind: str | None = "image", field: str = "media"
    ) -> dict[str, Any]:
        form = aiohttp.FormData()
        form.add_field(field, data, filename="photo.jpg", content_type="image/jpeg")
        params = {"access_token": self.token}
        if kind is not None:
            params["type"] = kind
        async with self.session.post(self.url("media/upload"), params=params, data=form) as r:
            answer: dict[str, Any] = await r.json(content_type=None)
            return answer


def values(**shown: str) -> dict[str, dict[str, str]]:
    """Template data for the default templates: every key, overridden by ``shown``."""
    data = {key: {"value": f"v-{key}"} for key in KEYS}
    data.update({key: {"value": value} for key, value in shown.items()})
    return data


@pytest.fixture
async def api(server: FakeWeChat) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        client = Api(server, session)
        await client.fetch_token()
        yield client


@dataclass
class Receiver:
    """A stand-in bot at ``url``: checks signatures, decrypts callbacks, answers as configured."""

    server: FakeWeChat
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)  # the inner fields
    raw: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to use first (then 200)
    delay: float = 0.0
    reply: Callable[[dict[str, Any]], str | None] | None = None  # inner reply XML
    echo_override: str | None = None
    body_override: str | None = None  # answer this body (200) instead of a reply
    problems: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def crypto(self) -> WeChatCrypto:
        return WeChatCrypto(self.server.token, self.server.aes_key, self.server.app_id)

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.received if r.get("Event") == name]

    async def wait_event(self, name: str, timeout: float = 2.0) -> dict[str, Any]:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not self.events(name):
                self.arrived.clear()
                await self.arrived.wait()
        return self.events(name)[-1]

    def encrypt_reply(self, inner_xml: str) -> str:
        """Encrypt a passive reply with wechatpy (the adapter's library)."""
        return str(self.crypto.encrypt_message(inner_xml, "4242", "1700000000"))

    async def handle_get(self, request: web.Request) -> web.Response:
        q = request.query
        if url_signature(self.server.token, q["timestamp"], q["nonce"]) != q["signature"]:
            self.problems.append("bad GET signature")
            return web.Response(status=403)
        return web.Response(text=self.echo_override or q["echostr"])

    def _open(self, query: dict[str, str], body: bytes) -> dict[str, Any] | None:
        server = self.server
        if url_signature(server.token, query["timestamp"], query["nonce"]) != query["signature"]:
            self.problems.append("bad signature")
            return None
        if not server.safe_mode:
            assert "encrypt_type" not in query and "msg_signature" not in query
            return parse_xml(body)
        assert query["encrypt_type"] == "aes"
        outer = parse_xml(body)
        assert set(outer) == {"ToUserName", "Encrypt"}
        expected = signature(server.token, query["timestamp"], query["nonce"], outer["Encrypt"])
        if expected != query["msg_signature"]:
            self.problems.append("bad msg_signature")
            return None
        plain, receive_id = decrypt(server.aes_key, outer["Encrypt"])
        if receive_id != server.app_id or outer["ToUserName"] != server.original_id:
            self.problems.append("foreign appid")
            return None
        try:  # the second implementation must agree
            again = self.crypto.decrypt_message(
                body, query["msg_signature"], query["timestamp"], query["nonce"]
            )
        except (InvalidSignatureException, InvalidAppIdException) as error:
            self.problems.append(f"wechatpy refused the envelope: {error!r}")
            return None
        if again.encode() != plain:
            self.problems.append("wechatpy decrypted something else")
        return parse_xml(plain)

    async def handle_post(self, request: web.Request) -> web.Response:
        body = await request.read()
        query = dict(request.query)
        self.raw.append((query, body))
        inner = self._open(query, body)
        if inner is None:
            return web.Response(status=403)
        if query["openid"] != inner["FromUserName"]:
            self.problems.append("openid query differs from FromUserName")
        self.received.append(inner)
        self.arrived.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.statuses:
            return web.Response(status=self.statuses.pop(0))
        if self.body_override is not None:
            return web.Response(text=self.body_override)
        answer = self.reply(inner) if self.reply else None
        if answer is None:
            return web.Response(text="success")
        return web.Response(text=self.encrypt_reply(answer) if self.server.safe_mode else answer)


def text_reply(server: FakeWeChat, inner: dict[str, Any], content: str) -> str:
    """A passive text reply to ``inner``."""
    return build_xml(
        {
            "ToUserName": inner["FromUserName"],
            "FromUserName": server.original_id,
            "CreateTime": 1_700_000_000,
            "MsgType": "text",
            "Content": content,
        }
    )


@asynccontextmanager
async def running_receiver(server: FakeWeChat) -> AsyncIterator[Receiver]:
    bot = Receiver(server)
    app = web.Application()
    app.router.add_get("/wechat/callback", bot.handle_get)
    app.router.add_post("/wechat/callback", bot.handle_post)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    bot.url = server.callback_url = f"http://{host}:{port}/wechat/callback"
    try:
        yield bot
    finally:
        await runner.cleanup()


@pytest.fixture
async def receiver(server: FakeWeChat) -> AsyncIterator[Receiver]:
    async with running_receiver(server) as bot:
        yield bot
