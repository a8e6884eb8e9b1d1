"""The HTTP endpoint WeCom calls: URL verification (GET) and encrypted callbacks (POST).

WeCom's rules (path/90930): GET must echo the decrypted ``echostr`` as bare text within 1 s; a
POST unanswered in 5 s, or answered with anything but 200, is re-pushed identically up to 3
times; an empty 200 acknowledges it. So a POST is decrypted, parsed, handed to ``receive`` (which
records it durably and returns at once; processing happens elsewhere) and acknowledged.
``receive`` failing → 500, so WeCom tries again. An identical request seen in the last
``max_age`` seconds is acknowledged without a second ``receive`` (the receiver also dedups by
``WeComEvent.key``; this is the cheap first line).

Log lines carry reasons, kinds and ids, never what a member wrote.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web

from wecom.crypto import CallbackCrypto, Forged
from wecom.inbound import Malformed, WeComEvent, parse

log = logging.getLogger(__name__)

Receiver = Callable[[WeComEvent], Awaitable[None]]

# More distinct callbacks than this within max_age would be ~30/s for 5 min: far above a
# liaison station's traffic. Past it the oldest are forgotten (the receiver's dedup remains).
MAX_SEEN = 10_000
# A body far larger than any callback (they carry ids and short texts) is refused unread.
MAX_BODY = 256 * 1024


class CallbackEndpoint:
    def __init__(
        self, crypto: CallbackCrypto, receive: Receiver, *, path: str = "/wecom/callback"
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
        q = request.query
        # echostr is base64, which has no spaces: a "+" sent unescaped arrives as " ".
        echostr = q.get("echostr", "").replace(" ", "+")
        try:
            plain = self._crypto.verify_url(
                q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), echostr
            )
        except Forged as exc:
            log.warning("refused URL verification from %s: %s", request.remote, exc.reason)
            return web.Response(status=403)
        # Bare plaintext: no quotes, newline or BOM, or WeCom rejects the URL.
        return web.Response(body=plain.encode(), content_type="text/plain")

    async def _callback(self, request: web.Request) -> web.Response:
        q = request.query
        signature, nonce = q.get("msg_signature", ""), q.get("nonce", "")
        body = await request.text()
        try:
            inner = self._crypto.decrypt(signature, q.get("timestamp", ""), nonce, body)
        except Forged as exc:
            log.warning("refused callback from %s: %s", request.remote, exc.reason)
            return web.Response(status=403)

        request_id = (signature.lower(), nonce)
        self._forget_old()
        if request_id in self._seen:
            log.info("replayed callback acknowledged without processing")
            return web.Response()
        pending = self._inflight.get(request_id)
        if pending is not None:
            ok = await asyncio.shield(pending)
            return web.Response() if ok else web.Response(status=500)

        try:
            event = parse(inner)
        except Malformed as exc:
            # Signed by WeCom, so a retry would bring the same bytes: acknowledge, do not loop.
            log.warning("unreadable callback acknowledged and dropped: %s", exc)
            return web.Response()

        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._inflight[request_id] = done
        try:
            await self._receive(event)
        except Exception:
            # The receiver is our own storage code; its tracebacks name no member's words.
            log.exception(
                "receiving %s %s failed; answering 500 so WeCom retries", event.kind, event.key
            )
            return web.Response(status=500)
        else:
            done.set_result(True)
            self._remember(request_id)
            return web.Response()
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
