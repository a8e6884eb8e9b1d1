"""Callbacks to the bot as WeCom sends them: encrypted POSTs with retries, the GET URL
verification, passive replies (decrypted and applied), forgeries and replays."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from fakewecom.crypto import CryptoError, decrypt, encrypt, nonce, signature
from fakewecom.envelope import build_xml, callback_body, parse_xml
from fakewecom.models import Attempt, CallbackRequest, Received

if TYPE_CHECKING:
    from fakewecom.server import FakeWeCom

_PASSIVE_TEXT_LIMIT = 2048


class Callbacks:
    """Posts callbacks for one fake app; keeps an HTTP session to the bot."""

    def __init__(self, server: FakeWeCom) -> None:
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
        userid: str,
        inner: dict[str, Any],
        *,
        corp_id: str | None = None,
        timestamp: int | None = None,
        bad_signature: bool = False,
    ) -> CallbackRequest:
        """Encrypt ``inner`` (already holding every field) into a callback request."""
        server = self.server
        corp = corp_id or server.corp_id
        encrypted = encrypt(server.aes_key, build_xml(inner), corp)
        stamp = str(int(server.clock()) if timestamp is None else timestamp)
        once = nonce()
        sig = signature(server.token, stamp, once, encrypted)
        if bad_signature:
            sig = signature(server.token + "-forged", stamp, once, encrypted)
        query = {"msg_signature": sig, "timestamp": stamp, "nonce": once}
        body = callback_body(corp, server.agent_id, encrypted)
        return CallbackRequest(self._url(), query, body, dict(inner), userid)

    async def _attempt(self, request: CallbackRequest, timeout: float) -> Attempt:  # noqa: ASYNC109
        started = time.monotonic()
        try:
            async with self._client().post(
                request.url,
                params=request.query,
                data=request.body.encode("utf-8"),
                headers={"Content-Type": "text/xml; charset=utf-8"},
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
        self, userid: str, inner: dict[str, Any], *, card_msgid: str | None = None
    ) -> CallbackRequest:
        """Post like WeCom: up to ``callback_attempts`` identical tries, each answered within
        ``callback_timeout`` with HTTP 200; a non-empty body must be a valid passive reply."""
        server = self.server
        request = self.build(userid, inner)
        server.callbacks.append(request)
        for number in range(1, max(1, server.callback_attempts) + 1):
            if number > 1 and server.callback_retry_delay > 0:
                await asyncio.sleep(server.callback_retry_delay)
            attempt = await self._attempt(request, server.callback_timeout)
            request.attempts.append(attempt)
            if attempt.status == 200:
                if attempt.body.strip():
                    self._passive(request, attempt.body, card_msgid)
                return request
            reason = attempt.error or f"HTTP {attempt.status}"
            server.violate(
                "callback",
                f"{inner.get('MsgType')}/{inner.get('Event', '')} from {userid}: "
                f"attempt {number} failed ({reason})",
            )
        return request

    def _passive(self, request: CallbackRequest, body: bytes, card_msgid: str | None) -> None:
        """Decrypt, check and apply a passive reply; anything wrong is a violation."""
        server = self.server
        try:
            reply = self.open_reply(body)
        except ValueError as error:
            server.violate("callback", f"bad passive reply: {error}")
            return
        request.reply = reply
        member = server.members.get(request.userid.lower())
        problem = self._reply_problem(request, reply, card_msgid)
        if problem is not None or member is None:
            server.violate("callback", f"bad passive reply: {problem}: {reply}")
            return
        kind = reply["MsgType"]
        if kind == "update_button":
            assert card_msgid is not None
            member.apply_update(card_msgid, str(reply["Button"]["ReplaceName"]), None)
        else:
            member.deliver(
                Received(
                    "text", member.userid, server.clock(), content=reply["Content"], via="passive"
                )
            )

    def _reply_problem(
        self, request: CallbackRequest, reply: dict[str, Any], card_msgid: str | None
    ) -> str | None:
        server = self.server
        if str(reply.get("ToUserName", "")).lower() != request.userid.lower():
            return "ToUserName must be the member's userid"
        if reply.get("FromUserName") != server.corp_id:
            return "FromUserName must be the CorpID"
        if not str(reply.get("CreateTime", "")).isdigit():
            return "CreateTime must be an integer"
        kind = reply.get("MsgType")
        if kind == "update_button":
            button = reply.get("Button")
            if request.inner.get("Event") != "template_card_event" or card_msgid is None:
                return "update_button only answers a template_card_event"
            if not isinstance(button, dict) or not button.get("ReplaceName"):
                return "update_button needs <Button><ReplaceName>"
            return None
        if kind == "text":
            content = reply.get("Content")
            if not isinstance(content, str) or not content:
                return "text reply needs Content"
            if len(content.encode("utf-8")) > _PASSIVE_TEXT_LIMIT:
                return f"text reply longer than {_PASSIVE_TEXT_LIMIT} bytes"
            return None
        return f"MsgType {kind!r} is not a passive reply the fake models (text, update_button)"

    def open_reply(self, body: bytes) -> dict[str, Any]:
        """The inner fields of an encrypted passive reply; ValueError says what is wrong."""
        server = self.server
        outer = parse_xml(body)
        missing = [k for k in ("Encrypt", "MsgSignature", "TimeStamp", "Nonce") if not outer.get(k)]
        if missing:
            raise ValueError(f"reply envelope lacks {missing}")
        expected = signature(server.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
        if outer["MsgSignature"] != expected:
            raise ValueError("reply MsgSignature does not match")
        try:
            message, receive_id = decrypt(server.aes_key, outer["Encrypt"])
        except CryptoError as error:
            raise ValueError(f"reply does not decrypt: {error}") from None
        if receive_id != server.corp_id:
            raise ValueError(f"reply receiveid {receive_id!r} is not the CorpID")
        return parse_xml(message)

    # ------------------------------------------------------------------ URL verification

    async def verify_url(self) -> bool:
        server = self.server
        plain = str(secrets.randbits(63))
        echostr = encrypt(server.aes_key, plain, server.corp_id)
        stamp, once = str(int(server.clock())), nonce()
        params = {
            "msg_signature": signature(server.token, stamp, once, echostr),
            "timestamp": stamp,
            "nonce": once,
            "echostr": echostr,
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
        if status != 200 or body != plain.encode():
            server.violate("verify_url", f"expected 200 {plain!r}, got {status} {body[:100]!r}")
            return False
        return True

    # ------------------------------------------------------------------ forgeries

    async def forged(
        self,
        userid: str,
        text: str,
        *,
        bad_signature: bool,
        timestamp: int | None,
        corp_id: str | None,
    ) -> CallbackRequest:
        server = self.server
        corp = corp_id or server.corp_id
        inner = text_message(corp, userid, int(server.clock()), text, server.agent_id)
        request = self.build(
            userid, inner, corp_id=corp, timestamp=timestamp, bad_signature=bad_signature
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
            original.userid,
            forged=True,
        )
        self.server.callbacks.append(again)
        again.attempts.append(await self._attempt(again, self.server.callback_timeout))
        return again


def text_message(corp_id: str, userid: str, now: int, text: str, agent_id: int) -> dict[str, Any]:
    """The inner fields of a text message callback."""
    return {
        "ToUserName": corp_id,
        "FromUserName": userid,
        "CreateTime": now,
        "MsgType": "text",
        "Content": text,
        "MsgId": new_callback_msgid(),
        "AgentID": agent_id,
    }


def new_callback_msgid() -> int:
    """A 64-bit numeric MsgId like WeCom's."""
    return secrets.randbits(63)
