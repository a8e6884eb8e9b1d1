"""The HTTP endpoint WeChat calls: server URL verification (GET) and encrypted pushes (POST).

WeChat's rules (Passive_user_reply_message): GET must answer ``echostr`` verbatim; a POST
unanswered in 5 s is pushed again identically, 3 attempts in all; ``success`` (or an empty
body) acknowledges it without a reply, while anything else that is not XML makes WeChat show
the resident "该公众号暂时无法提供服务". So a POST is decrypted, parsed, handed to ``receive``
(which records it durably and returns at once; replies go out later as customer-service
messages) and acknowledged with ``success``. ``receive`` failing → 500, so WeChat tries again.
An identical request seen in the last ``max_age`` seconds is acknowledged without a second
``receive`` (the receiver also dedups by ``WeChatEvent.key``; this is the cheap first line).

Log lines carry reasons, kinds and ids, never what a resident wrote.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web

from wechat.crypto import CallbackCrypto, Forged
from wechat.inbound import Malformed, WeChatEvent, parse

log = logging.getLogger(__name__)

Receiver = Callable[[WeChatEvent], Awaitable[None]]

# More distinct callbacks than this within max_age would be ~30/s for 5 min: far above a
# liaison station's traffic. Past it the oldest are forgotten (the receiver's dedup remains).
MAX_SEEN = 10_000
# A body far larger than any push (they carry ids and short texts) is refused unread.
MAX_BODY = 256 * 1024
ACK = b"success"


class CallbackEndpoint:
    def __init__(
        self, crypto: CallbackCrypto, receive: Receiver, *, path: str = "/wechat/callback"
    ) -> None:
        self._crypto = crypto
        self._receive = receive
        self.path = path
        # (msg_signature, nonce) → when it was acknowledged, oldest first.
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        # Requests being received now: a retry arriving meanwhile waits for the first's outcome
        # instead of acknowledging something that may yet fail.
        self._inflight: dict[tuple[str, str], asyncio.Future[bool]] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0

    # -- wiring ---------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        return [web.get(self.path, self._verify), web.post(self.path, self._callback)]

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.add_routes(self.routes())
        return app

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port (port 0 = any free port; read it back from ``port``)."""
        runner = web.AppRunner(self.app())
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        return self._port

    # -- handlers -------------------------------------------------------------------------

    async def _verify(self, request: web.Request) -> web.Response:
        try:
            echostr = self._crypto.verify_url(request.query)
        except Forged as exc:
            log.warning("refused URL verification from %s: %s", request.remote, exc.reason)
            return web.Response(status=403)
        # Bare text: no quotes, newline or BOM, or WeChat rejects the URL.
        return web.Response(body=echostr.encode(), content_type="text/plain")

    async def _callback(self, request: web.Request) -> web.Response:
        body = await _read(request)
        if body is None:
            log.warning("refused callback from %s: body over %d bytes", request.remote, MAX_BODY)
            return web.Response(status=413)
        q = request.query
        try:
            inner = self._crypto.open(q, body)
        except Forged as exc:
            log.warning("refused callback from %s: %s", request.remote, exc.reason)
            return web.Response(status=403)

        request_id = (q.get("msg_signature", "").lower(), q.get("nonce", ""))
        self._forget_old()
        if request_id in self._seen:
            log.info("replayed callback acknowledged without processing")
            return _ack()
        pending = self._inflight.get(request_id)
        if pending is not None:
            ok = await asyncio.shield(pending)
            return _ack() if ok else web.Response(status=500)

        try:
            event = parse(inner)
        except Malformed as exc:
            # Signed by WeChat, so a retry would bring the same bytes: acknowledge, do not loop.
            log.warning("unreadable callback acknowledged and dropped: %s", exc)
            return _ack()

        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._inflight[request_id] = done
        try:
            await self._receive(event)
        except Exception:
            # The receiver is our own storage code; its tracebacks name no resident's words.
            log.exception(
                "receiving %s %s failed; answering 500 so WeChat retries", event.kind, event.key
            )
            return web.Response(status=500)
        else:
            done.set_result(True)
            self._remember(request_id)
            return _ack()
        finally:
            del self._inflight[request_id]
            if not done.done():  # failed or cancelled: a waiting retry answers 500 too
                done.set_result(False)

    # -- replay memory --------------------------------------------------------------------

    def _remember(self, request_id: tuple[str, str]) -> None:
        self._seen[request_id] = self._crypto.clock()
        while len(self._seen) > MAX_SEEN:
            self._seen.popitem(last=False)

    def _forget_old(self) -> None:
        # Beyond max_age the crypto refuses the timestamp anyway, so the entry is useless.
        horizon = self._crypto.clock() - self._crypto.max_age
        while self._seen:
            oldest = next(iter(self._seen.values()))
            if oldest >= horizon:
                break
            self._seen.popitem(last=False)


def _ack() -> web.Response:
    # "success": acknowledged, no passive reply (replies are sent as customer-service messages).
    return web.Response(body=ACK, content_type="text/plain")


async def _read(request: web.Request) -> bytes | None:
    """The body, or None past MAX_BODY, whatever application the routes are mounted in (its
    client_max_size may be larger)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
