"""The fake WeCom API server (aiohttp) and its shared state.

``FakeWeCom`` listens on 127.0.0.1 (random port) in the caller's event loop. The adapter is
pointed at ``base_url`` and appends ``/cgi-bin/...``. Requests are checked strictly, answered
with WeCom's ``errcode``/``errmsg`` (HTTP 200, as WeCom does) and logged in ``calls``;
malformed requests (the bot's bugs) are also logged in ``violations``. Members (see
members.py) receive what the app sends and post encrypted callbacks to ``callback_url``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from aiohttp import web

from fakewecom.callbacks import Callbacks
from fakewecom.crypto import aes_key_bytes
from fakewecom.faults import Faults
from fakewecom.media import check_upload, make_media
from fakewecom.members import FakeMember
from fakewecom.menu import validate_menu
from fakewecom.messaging import Messaging
from fakewecom.models import ApiCall, CallbackRequest, Dropped, Violation, WeComError
from fakewecom.state import TOKEN_LIFETIME, AccessToken, Media, ResponseCode

log = logging.getLogger(__name__)

DEFAULT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# errcodes that are normal runtime conditions, not the bot's mistakes
_RUNTIME = frozenset({42001, 45009, 45033, 60020})

Handler = Callable[[web.Request, ApiCall], Awaitable[Any]]


class FakeWeCom:
    """A strict in-process stand-in for ``qyapi.weixin.qq.com``; see docs/FAKE_WECOM.md."""

    def __init__(
        self,
        *,
        corp_id: str = "wwfakecorp0001",
        agent_id: int = 1000002,
        secret: str = "fake-secret",
        token: str = "fake-callback-token",
        aes_key: str = DEFAULT_AES_KEY,
        clock: Callable[[], float] = time.time,
        trusted_ips: Collection[str] | None = None,
    ) -> None:
        aes_key_bytes(aes_key)  # ValueError for a malformed EncodingAESKey
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.secret = secret
        self.token = token
        self.aes_key = aes_key
        self.clock = clock
        self.trusted_ips = trusted_ips
        # limits (per app)
        self.rate_per_minute = 30
        self.rate_per_hour = 1000
        self.rate_limit_errcode = 45009
        self.daily_quota = 10**9
        # callbacks
        self.callback_url = ""
        self.callback_timeout = 5.0
        self.callback_attempts = 3
        self.callback_retry_delay = 0.0
        self.verify_timeout = 1.0
        # records
        self.calls: list[ApiCall] = []
        self.violations: list[Violation] = []
        self.dropped: list[Dropped] = []
        self.duplicates: list[dict[str, Any]] = []
        self.callbacks: list[CallbackRequest] = []
        self.token_fetches = 0
        self.faults = Faults(WeComError)
        # state
        self.members: dict[str, FakeMember] = {}  # by lower-case userid
        self.tokens: dict[str, AccessToken] = {}
        self.media: dict[str, Media] = {}
        self.task_ids: dict[str, str] = {}  # task_id -> msgid
        self.response_codes: dict[str, ResponseCode] = {}
        self.menu: list[dict[str, Any]] | None = None
        self.base_url = ""
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._messaging = Messaging(self)
        self._callbacks = Callbacks(self)
        self._routes: dict[str, tuple[str, bool, Handler]] = {
            "gettoken": ("GET", False, self._gettoken),
            "message/send": ("POST", True, self._send),
            "message/update_template_card": ("POST", True, self._update_card),
            "media/upload": ("POST", True, self._upload),
            "media/get": ("GET", True, self._media_get),
            "menu/create": ("POST", True, self._menu_create),
            "menu/get": ("GET", True, self._menu_get),
            "menu/delete": ("GET", True, self._menu_delete),
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start listening on 127.0.0.1 with a random free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/cgi-bin/{path:.+}", self._handle)
        app.router.add_get("/fake/pic/{media_id}", self._serve_pic)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.port = int(port)
        self.base_url = f"http://{host}:{self.port}"

    async def stop(self) -> None:
        await self._callbacks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeWeCom:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ members and callbacks

    def member(self, userid: str, name: str = "") -> FakeMember:
        """Register (or return the existing) member of the corp, in the app's visible range."""
        existing = self.members.get(userid.lower())
        if existing is not None:
            return existing
        created = FakeMember(self, userid, name or userid)
        self.members[userid.lower()] = created
        return created

    async def verify_url(self) -> bool:
        """The GET URL verification; True if the bot echoed the exact plaintext within
        ``verify_timeout`` (else a violation says why)."""
        return await self._callbacks.verify_url()

    async def post_forged(
        self,
        member: FakeMember | str,
        text: str,
        *,
        bad_signature: bool = False,
        timestamp: int | None = None,
        corp_id: str | None = None,
    ) -> int | None:
        """Post a text callback with a wrong signature, a chosen (stale) timestamp or a
        foreign CorpID; one attempt, never a violation. Returns the HTTP status."""
        userid = member.userid if isinstance(member, FakeMember) else member
        request = await self._callbacks.forged(
            userid, text, bad_signature=bad_signature, timestamp=timestamp, corp_id=corp_id
        )
        return request.status

    async def replay(self, request: CallbackRequest) -> int | None:
        """Post an earlier callback request again, byte for byte; returns the HTTP status."""
        again = await self._callbacks.replay(request)
        return again.status

    # ------------------------------------------------------------------ test helpers

    def expire_tokens(self) -> None:
        """Make every issued access token expired (42001 on use); gettoken issues a new one."""
        for token in self.tokens.values():
            token.expired = True

    def fail_next(self, path_suffix: str, errcode: int, times: int = 1) -> None:
        """Answer the next ``times`` calls whose path ends with ``path_suffix`` with ``errcode``."""
        self.faults.fail_next(path_suffix, errcode, times)

    def slow(self, path_suffix: str, seconds: float, times: int | None = None) -> None:
        """Answer calls whose path ends with ``path_suffix`` after ``seconds``."""
        self.faults.delay(path_suffix, seconds, times)

    def member_media(self, userid: str, data: bytes, kind: str = "image") -> Media:
        """Store media a member sent (for image callbacks); media/get serves it for 3 days."""
        media = make_media(kind, data, self.clock(), source=userid)
        self.media[media.media_id] = media
        return media

    def media_alive(self, media_id: str) -> bool:
        media = self.media.get(media_id)
        return media is not None and media.alive(self.clock())

    def bot_env(self) -> dict[str, str]:
        """The liaison bot's LIAISON_WECOM_* settings for this app (callback on any port)."""
        return {
            "LIAISON_WECOM_CORP_ID": self.corp_id,
            "LIAISON_WECOM_AGENT_ID": str(self.agent_id),
            "LIAISON_WECOM_SECRET": self.secret,
            "LIAISON_WECOM_TOKEN": self.token,
            "LIAISON_WECOM_AES_KEY": self.aes_key,
            "LIAISON_WECOM_PORT": "0",
            "LIAISON_WECOM_API_BASE_URL": self.base_url,
        }

    def calls_to(self, path_suffix: str) -> list[ApiCall]:
        """The calls whose path ends with ``path_suffix``, oldest first."""
        return [c for c in self.calls if c.path.endswith(path_suffix.strip("/"))]

    def violate(self, where: str, description: str, call: ApiCall | None = None) -> None:
        self.violations.append(Violation(where, description, call))
        log.warning("fakewecom violation: %s: %s", where, description)

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        call = ApiCall(path, dict(request.query), None, time=self.clock())
        self.calls.append(call)
        try:
            route = self._routes.get(path)
            if route is None:
                self.violate(path, "unknown API path", call)
                call.errcode, call.errmsg = 404, "not found"
                return web.Response(status=404, text="404 Not Found")
            method, needs_token, handler = route
            if request.method != method:
                raise WeComError(43002 if method == "POST" else 43001, f"use {method}")
            if needs_token:
                self._check_ip(request)
                self._check_token(request.query)
            seconds = self.faults.delay_for(path)
            if seconds > 0:
                await asyncio.sleep(seconds)
            injected = self.faults.failure_for(path)
            if injected is not None:
                call.injected = True
                raise injected
            result = await handler(request, call)
        except WeComError as error:
            answer = {"errcode": error.errcode, "errmsg": error.errmsg, **error.extra}
            call.errcode, call.errmsg, call.response = error.errcode, error.errmsg, answer
            if not (call.injected or error.runtime or error.errcode in _RUNTIME):
                self.violate(path, f"{error.errcode} {error.errmsg}", call)
            return web.json_response(answer, dumps=_dumps)
        if isinstance(result, web.StreamResponse):
            return result
        call.response = result
        return web.json_response(result, dumps=_dumps)

    def _check_ip(self, request: web.Request) -> None:
        if self.trusted_ips is not None and request.remote not in self.trusted_ips:
            raise WeComError(60020, f"from ip: {request.remote}")

    def _check_token(self, query: Any) -> None:
        value = query.get("access_token")
        if not value:
            raise WeComError(41001, "access_token missing")
        token = self.tokens.get(value)
        if token is None:
            raise WeComError(40014, "invalid access_token")
        if token.expired or self.clock() >= token.expires_at:
            raise WeComError(42001, "access_token expired")

    async def _json(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            call.body = raw[:200]
            raise WeComError(47001, "body is not JSON") from None
        call.body = body
        if not isinstance(body, dict):
            raise WeComError(47001, "body must be a JSON object")
        return body

    def _warn(self, call: ApiCall, warnings: list[str]) -> None:
        for warning in warnings:
            self.violate(call.path, warning, call)

    # ------------------------------------------------------------------ endpoints

    async def _gettoken(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        self.token_fetches += 1
        corpid = request.query.get("corpid")
        secret = request.query.get("corpsecret")
        if not corpid:
            raise WeComError(41002, "corpid missing")
        if not secret:
            raise WeComError(41004, "corpsecret missing")
        if corpid != self.corp_id:
            raise WeComError(40013, "invalid corpid")
        if secret != self.secret:
            raise WeComError(40001, "invalid secret")
        now = self.clock()
        for token in self.tokens.values():
            if not token.expired and now < token.expires_at:
                remaining = int(token.expires_at - now)
                return _ok(access_token=token.value, expires_in=remaining)
        value = secrets.token_urlsafe(96)
        self.tokens[value] = AccessToken(value, now, now + TOKEN_LIFETIME)
        return _ok(access_token=value, expires_in=int(TOKEN_LIFETIME))

    async def _send(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        body = await self._json(request, call)
        answer, warnings = self._messaging.send(body)
        self._warn(call, warnings)
        return answer

    async def _update_card(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        body = await self._json(request, call)
        answer, warnings = self._messaging.update_card(body)
        self._warn(call, warnings)
        return answer

    async def _upload(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        kind = request.query.get("type")
        data: bytes | None = None
        filename = ""
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            field = form.get("media")
            if isinstance(field, web.FileField):
                data = field.file.read()
                filename = field.filename or ""
        call.body = {"type": kind, "filename": filename, "size": len(data or b"")}
        check_upload(kind, data)
        assert kind is not None and data is not None
        media = make_media(kind, data, self.clock(), filename=filename)
        self.media[media.media_id] = media
        return {
            "errcode": 0,
            "errmsg": "",
            "type": kind,
            "media_id": media.media_id,
            "created_at": str(int(media.created_at)),
        }

    async def _media_get(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        media_id = request.query.get("media_id")
        if not media_id:
            raise WeComError(41006, "media_id missing")
        if not self.media_alive(media_id):
            raise WeComError(40007, "media_id unknown or older than 3 days")
        media = self.media[media_id]
        name = media.filename or f"{media.media_id[:12]}.{media.content_type.split('/')[-1]}"
        return web.Response(
            body=media.data,
            content_type=media.content_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def _check_agent_param(self, request: web.Request) -> None:
        agentid = request.query.get("agentid")
        if not agentid:
            raise WeComError(41011, "agentid missing")
        if agentid != str(self.agent_id):
            raise WeComError(40056, f"agentid {agentid} is not this app")

    async def _menu_create(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        self._check_agent_param(request)
        body = await self._json(request, call)
        self.menu = validate_menu(body)
        return _ok()

    async def _menu_get(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        self._check_agent_param(request)
        if self.menu is None:
            raise WeComError(46003, "menu not set", runtime=True)
        return _ok(button=self.menu)

    async def _menu_delete(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        self._check_agent_param(request)
        self.menu = None
        return _ok()

    async def _serve_pic(self, request: web.Request) -> web.StreamResponse:
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404)
        return web.Response(body=media.data, content_type=media.content_type)


def _ok(**fields: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **fields}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
