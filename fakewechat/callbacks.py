"""Callbacks to the bot as WeChat sends them: signed (and in safe mode encrypted) POSTs with
retries, the GET URL check, passive replies (opened, checked, shown to the resident),
forgeries and replays."""

from __future__ import annotations

import asyncio
import secrets
import time
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import aiohttp

from fakewechat.crypto import CryptoError, decrypt, encrypt, nonce, signature, url_signature
from fakewechat.envelope import build_xml, callback_body, parse_xml
from fakewechat.models import Attempt, CallbackRequest, Received

if TYPE_CHECKING:
    from fakewechat.server import FakeWeChat

SERVICE_UNAVAILABLE = "该公众号暂时无法提供服务，请稍后再试"
PASSIVE_TEXT_LIMIT = 2048  # bytes
# events whose passive reply nobody sees
_NO_REPLY_EVENTS = frozenset({"TEMPLATESENDJOBFINISH", "unsubscribe"})


class Callbacks:
    """Posts callbacks for one fake account; keeps an HTTP session to the bot."""

    def __init__(self, server: FakeWeChat) -> None:
        self.server = server
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    def _url(self) -> str:
        if not self.server.callback_url:
            raise AssertionError("set server.callback_url to the bot's callback endpoint first")
        return self.server.callback_url

    # ------------------------------------------------------------------ building requests

    def build(
        self,
        openid: str,
        inner: dict[str, Any],
        *,
        app_id: str | None = None,
        timestamp: int | None = None,
        bad_signature: bool = False,
    ) -> CallbackRequest:
        """Sign (and in safe mode encrypt) ``inner`` (already holding every field)."""
        server = self.server
        stamp = str(int(server.clock()) if timestamp is None else timestamp)
        once = nonce()
        token = server.token + "-forged" if bad_signature else server.token
        query = {
            "signature": url_signature(token, stamp, once),
            "timestamp": stamp,
            "nonce": once,
            "openid": openid,
        }
        plain = build_xml(inner)
        if server.safe_mode:
            encrypted = encrypt(server.aes_key, plain, app_id or server.app_id)
            query["encrypt_type"] = "aes"
            query["msg_signature"] = signature(token, stamp, once, encrypted)
            body = callback_body(server.original_id, encrypted)
        else:
            body = plain
        return CallbackRequest(self._url(), query, body, dict(inner), openid)

    async def _attempt(self, request: CallbackRequest, timeout: float) -> Attempt:  # noqa: ASYNC109
        started = time.monotonic()
        try:
            async with self._client().post(
                request.url,
                params=request.query,
                data=request.body.encode("utf-8"),
                headers={"Content-Type": "text/xml"},
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                body = await response.read()
                return Attempt(response.status, body, None, time.monotonic() - started)
        except TimeoutError:
            return Attempt(None, b"", f"no answer within {timeout}s", time.monotonic() - started)
        except aiohttp.ClientError as error:
            return Attempt(None, b"", f"connection failed: {error}", time.monotonic() - started)

    # ------------------------------------------------------------------ genuine deliveries

    async def deliver(
        self, openid: str, inner: dict[str, Any], *, job: bool = False
    ) -> CallbackRequest:
        """Post like WeChat: up to ``callback_attempts`` identical tries while the bot answers
        non-200 or not within ``callback_timeout``. Failed attempts are violations, except
        for TEMPLATESENDJOBFINISH pushes (``job``); a wrong answer body always is one."""
        server = self.server
        request = self.build(openid, inner)
        server.callbacks.append(request)
        what = f"{inner.get('MsgType')}/{inner.get('Event', '')} for {openid}"
        for number in range(1, max(1, server.callback_attempts) + 1):
            if number > 1 and server.callback_retry_delay > 0:
                await asyncio.sleep(server.callback_retry_delay)
            attempt = await self._attempt(request, server.callback_timeout)
            request.attempts.append(attempt)
            if attempt.status == 200:
                self._answered(request, attempt.body, job)
                return request
            if not job:
                reason = attempt.error or f"HTTP {attempt.status}"
                server.violate("callback", f"{what}: attempt {number} failed ({reason})")
        if not job:
            self._unavailable(openid)
        return request

    def _unavailable(self, openid: str) -> None:
        """What WeChat shows the user when the account did not answer properly."""
        resident = self.server.residents.get(openid)
        if resident is not None:
            resident.deliver(
                Received(
                    "text", openid, self.server.clock(), via="system", content=SERVICE_UNAVAILABLE
                )
            )

    def _answered(self, request: CallbackRequest, body: bytes, job: bool) -> None:
        """``success`` or an empty body acknowledge; XML is a passive reply; else a violation."""
        server = self.server
        what = f"{request.inner.get('MsgType')}/{request.inner.get('Event', '')}"
        text = body.strip()
        if not text or text == b"success":
            return
        if not text.startswith(b"<"):
            server.violate(
                "callback",
                f"{what}: answer {body[:100]!r} is neither 'success', empty nor a passive XML reply",
            )
            if not job:
                self._unavailable(request.openid)
            return
        try:
            reply, items = self.open_reply(body)
        except ValueError as error:
            server.violate("callback", f"{what}: bad passive reply: {error}")
            if not job:
                self._unavailable(request.openid)
            return
        request.reply = reply
        problem = self._reply_problem(request, reply, items)
        if problem is not None:
            server.violate("callback", f"{what}: bad passive reply: {problem}: {reply}")
            if not job and request.event not in _NO_REPLY_EVENTS:
                self._unavailable(request.openid)
            return
        item = self._received(request.openid, reply)
        resident = server.residents.get(request.openid)
        if item is not None and resident is not None:
            resident.deliver(item)

    def open_reply(self, body: bytes) -> tuple[dict[str, Any], int]:
        """The inner fields of a passive reply (decrypted in safe mode) and the number of
        news ``<item>``s; ValueError says what is wrong."""
        server = self.server
        outer = parse_xml(body)
        if not server.safe_mode:
            if "Encrypt" in outer:
                raise ValueError("the account is in plaintext mode; the reply is encrypted")
            return outer, _items(body)
        missing = [k for k in ("Encrypt", "MsgSignature", "TimeStamp", "Nonce") if not outer.get(k)]
        if missing:
            raise ValueError(f"safe mode: the reply envelope lacks {missing}")
        expected = signature(server.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
        if outer["MsgSignature"] != expected:
            raise ValueError("reply MsgSignature does not match")
        try:
            message, receive_id = decrypt(server.aes_key, outer["Encrypt"])
        except CryptoError as error:
            raise ValueError(f"reply does not decrypt: {error}") from None
        if receive_id != server.app_id:
            raise ValueError(f"reply receiveid {receive_id!r} is not the AppID")
        return parse_xml(message), _items(message)

    def _reply_problem(
        self, request: CallbackRequest, reply: dict[str, Any], items: int
    ) -> str | None:
        server = self.server
        if request.event in _NO_REPLY_EVENTS:
            return f"WeChat discards a reply to {request.event}"
        if reply.get("ToUserName") != request.openid:
            return "ToUserName must be the user's openid"
        if reply.get("FromUserName") != server.original_id:
            return f"FromUserName must be the original id {server.original_id}"
        if not str(reply.get("CreateTime", "")).isdigit():
            return "CreateTime must be an integer"
        kind = reply.get("MsgType")
        if kind == "text":
            content = reply.get("Content")
            if not isinstance(content, str) or not content:
                return "text reply needs Content"
            if len(content.encode("utf-8")) > PASSIVE_TEXT_LIMIT:
                return f"text reply longer than {PASSIVE_TEXT_LIMIT} bytes"
            return None
        if kind == "image":
            image = reply.get("Image")
            media_id = image.get("MediaId") if isinstance(image, dict) else None
            media = server.media.get(str(media_id))
            if media is None or not media.alive(server.clock()):
                return "image reply needs <Image><MediaId> of live media"
            return None
        if kind == "news":
            if reply.get("ArticleCount") != "1" or items != 1:
                return "a news reply holds exactly one article (ArticleCount 1, one <item>)"
            articles = reply.get("Articles")
            item = articles.get("item") if isinstance(articles, dict) else None
            if not isinstance(item, dict) or not item.get("Title") or not item.get("Url"):
                return "the news <item> needs Title and Url"
            return None
        if kind == "transfer_customer_service":
            return None
        return f"MsgType {kind!r} is not a passive reply the fake models (text, image, news)"

    def _received(self, openid: str, reply: dict[str, Any]) -> Received | None:
        now = self.server.clock()
        kind = reply["MsgType"]
        if kind == "text":
            return Received("text", openid, now, via="passive", content=reply["Content"], raw=reply)
        if kind == "image":
            return Received(
                "image", openid, now, via="passive", media_id=reply["Image"]["MediaId"], raw=reply
            )
        if kind == "news":
            item = reply["Articles"]["item"]
            article = {
                "title": item.get("Title", ""),
                "description": item.get("Description", ""),
                "url": item.get("Url", ""),
                "picurl": item.get("PicUrl", ""),
            }
            return Received("news", openid, now, via="passive", articles=[article], raw=reply)
        return None  # transfer_customer_service: nothing shown

    # ------------------------------------------------------------------ URL verification

    async def verify_url(self) -> bool:
        server = self.server
        echostr = str(secrets.randbits(63))
        stamp, once = str(int(server.clock())), nonce()
        params = {
            "signature": url_signature(server.token, stamp, once),
            "echostr": echostr,
            "timestamp": stamp,
            "nonce": once,
        }
        try:
            async with self._client().get(
                self._url(),
                params=params,
                timeout=aiohttp.ClientTimeout(total=server.verify_timeout),
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError:
            server.violate("verify_url", f"no answer within {server.verify_timeout}s")
            return False
        except aiohttp.ClientError as error:
            server.violate("verify_url", f"connection failed: {error}")
            return False
        if status != 200 or body != echostr.encode():
            server.violate("verify_url", f"expected 200 {echostr!r}, got {status} {body[:100]!r}")
            return False
        return True

    # ------------------------------------------------------------------ forgeries

    async def forged(
        self,
        openid: str,
        text: str,
        *,
        bad_signature: bool,
        timestamp: int | None,
        app_id: str | None,
    ) -> CallbackRequest:
        server = self.server
        inner = text_message(server.original_id, openid, int(server.clock()), text)
        request = self.build(
            openid, inner, app_id=app_id, timestamp=timestamp, bad_signature=bad_signature
        )
        request.forged = True
        server.callbacks.append(request)
        request.attempts.append(await self._attempt(request, server.callback_timeout))
        return request

    async def replay(self, original: CallbackRequest) -> CallbackRequest:
        again = CallbackRequest(
            original.url,
            dict(original.query),
            original.body,
            dict(original.inner),
            original.openid,
            forged=True,
        )
        self.server.callbacks.append(again)
        again.attempts.append(await self._attempt(again, self.server.callback_timeout))
        return again


def _items(xml: bytes) -> int:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return 0
    return len(root.findall("./Articles/item"))


def new_callback_msgid() -> int:
    """A 64-bit numeric MsgId like WeChat's."""
    return (1 << 62) | secrets.randbits(62)


def text_message(original_id: str, openid: str, now: int, text: str) -> dict[str, Any]:
    """The inner fields of a text message callback."""
    return {
        "ToUserName": original_id,
        "FromUserName": openid,
        "CreateTime": now,
        "MsgType": "text",
        "Content": text,
        "MsgId": new_callback_msgid(),
    }
