"""The fake WeChat service-account API server (aiohttp) and its shared state.

``FakeWeChat`` listens on 127.0.0.1 (random port) in the caller's event loop. The adapter is
pointed at ``base_url`` and appends ``/cgi-bin/...``. Requests are checked strictly, answered
with WeChat's ``errcode``/``errmsg`` (HTTP 200, as WeChat does) and logged in ``calls``;
the bot's mistakes are also logged in ``violations``. Residents (see residents.py) receive
what the account sends and post callbacks to ``callback_url``.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any

import qrcode
from aiohttp import web

from fakewechat.callbacks import Callbacks
from fakewechat.crypto import aes_key_bytes
from fakewechat.media import check_upload, make_media
from fakewechat.menu import validate_menu
from fakewechat.messaging import Messaging
from fakewechat.models import ApiCall, CallbackRequest, Received, Violation, WeChatError, Window
from fakewechat.qr import PERMANENT, make_code, parse_request
from fakewechat.qr import answer as qr_answer
from fakewechat.residents import FakeResident
from fakewechat.state import (
    DEFAULT_TEMPLATES,
    TOKEN_LIFETIME,
    AccessToken,
    Media,
    QrCode,
    Windows,
)
from fakewecom.faults import Faults

log = logging.getLogger(__name__)

DEFAULT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# errcodes that are normal runtime conditions, not the bot's mistakes
_RUNTIME = frozenset({42001, 40164, 45009})
REFRESH_GRACE = 60.0  # a /token fetch within this long of a still-valid one is a violation
STABLE_EARLY = 300.0  # stable_token issues a new token in the last 5 minutes
STABLE_FORCE_GAP = 30.0  # force_refresh within 30 s of the last one does not refresh

Handler = Callable[[web.Request, ApiCall], Awaitable[Any]]


class FakeWeChat:
    """A strict in-process stand-in for ``api.weixin.qq.com`` (a verified service account);
    see docs/FAKE_WECHAT.md."""

    def __init__(
        self,
        *,
        app_id: str = "wxfake0000000001",
        secret: str = "fake-wechat-secret",
        token: str = "fake-wechat-token",
        aes_key: str = DEFAULT_AES_KEY,
        original_id: str = "gh_fake00000001",
        clock: Callable[[], float] = time.time,
        safe_mode: bool = True,
        trusted_ips: Collection[str] | None = None,
        templates: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        aes_key_bytes(aes_key)  # ValueError for a malformed EncodingAESKey
        self.app_id = app_id
        self.secret = secret
        self.token = token
        self.aes_key = aes_key
        self.original_id = original_id
        self.clock = clock
        self.safe_mode = safe_mode
        self.trusted_ips = trusted_ips
        source = DEFAULT_TEMPLATES if templates is None else templates
        self.templates: dict[str, list[str]] = {k: list(v) for k, v in source.items()}
        # callbacks
        self.callback_url = ""
        self.callback_timeout = 5.0
        self.callback_attempts = 3
        self.callback_retry_delay = 0.0
        self.verify_timeout = 5.0
        self.template_status = "success"  # Status of TEMPLATESENDJOBFINISH
        self.template_job_events = True  # post TEMPLATESENDJOBFINISH at all
        # records
        self.calls: list[ApiCall] = []
        self.violations: list[Violation] = []
        self.callbacks: list[CallbackRequest] = []
        self.templates_sent: list[Received] = []
        self.duplicates: list[dict[str, Any]] = []  # template sends dropped by client_msg_id
        self.token_fetches = 0
        self.faults = Faults(WeChatError)
        # state
        self.residents: dict[str, FakeResident] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.media: dict[str, Media] = {}
        self.qr_records: dict[str, QrCode] = {}  # scene -> newest code for it
        self.qr_codes: dict[str, str] = {}  # scene -> ticket
        self.menu: list[dict[str, Any]] | None = None
        self.base_url = ""
        self.port = 0
        self._windows: dict[str, Windows] = {}
        self._last_force_refresh: float | None = None
        self._runner: web.AppRunner | None = None
        self._jobs: set[asyncio.Task[None]] = set()
        self._messaging = Messaging(self)
        self._callbacks = Callbacks(self)
        self._routes: dict[str, tuple[str, bool, Handler]] = {
            "token": ("GET", False, self._token),
            "stable_token": ("POST", False, self._stable_token),
            "message/custom/send": ("POST", True, self._custom_send),
            "message/template/send": ("POST", True, self._template_send),
            "qrcode/create": ("POST", True, self._qrcode_create),
            "showqrcode": ("GET", False, self._showqrcode),
            "menu/create": ("POST", True, self._menu_create),
            "menu/get": ("GET", True, self._menu_get),
            "menu/delete": ("GET", True, self._menu_delete),
            "media/upload": ("POST", True, self._upload),
            "media/get": ("GET", True, self._media_get),
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
        for job in list(self._jobs):
            job.cancel()
        if self._jobs:
            await asyncio.gather(*self._jobs, return_exceptions=True)
        await self._callbacks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeWeChat:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ residents and callbacks

    def resident(self, openid: str, name: str = "") -> FakeResident:
        """Create (or return the existing) WeChat user with this openid; not a follower yet."""
        existing = self.residents.get(openid)
        if existing is not None:
            return existing
        created = FakeResident(self, openid, name or openid)
        self.residents[openid] = created
        return created

    def windows_of(self, openid: str) -> Windows:
        return self._windows.setdefault(openid, Windows())

    def window(self, openid: str) -> Window:
        """A snapshot of ``openid``'s customer-service windows now (quota left, expiry)."""
        return self.windows_of(openid).snapshot(openid, self.clock())

    async def verify_url(self) -> bool:
        """The GET URL check of the console (``signature, timestamp, nonce, echostr``); True
        if the bot answered 200 with exactly ``echostr`` within ``verify_timeout`` (else a
        violation says why)."""
        return await self._callbacks.verify_url()

    async def post_forged(
        self,
        resident: FakeResident | str,
        text: str,
        *,
        bad_signature: bool = False,
        timestamp: int | None = None,
        app_id: str | None = None,
    ) -> int | None:
        """Post a text callback with wrong signatures, a chosen (stale) timestamp or (safe
        mode) encrypted for a foreign AppID; one attempt, opens no window, never a
        violation. Returns the HTTP status (None: no answer)."""
        openid = resident.openid if isinstance(resident, FakeResident) else resident
        request = await self._callbacks.forged(
            openid, text, bad_signature=bad_signature, timestamp=timestamp, app_id=app_id
        )
        return request.status

    async def replay(self, request: CallbackRequest) -> int | None:
        """Post an earlier callback request again, byte for byte (one attempt); returns the
        HTTP status."""
        again = await self._callbacks.replay(request)
        return again.status

    def template_job_finished(self, openid: str, msgid: int, status: str) -> None:
        """Schedule the TEMPLATESENDJOBFINISH push for an accepted template send."""
        if not self.template_job_events or not self.callback_url:
            return
        inner = {
            "ToUserName": self.original_id,
            "FromUserName": openid,
            "CreateTime": int(self.clock()),
            "MsgType": "event",
            "Event": "TEMPLATESENDJOBFINISH",
            "MsgID": msgid,
            "Status": status,
        }
        job = asyncio.get_running_loop().create_task(
            self._push_job(openid, inner), name=f"TEMPLATESENDJOBFINISH {msgid}"
        )
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)

    async def _push_job(self, openid: str, inner: dict[str, Any]) -> None:
        await asyncio.sleep(0)  # after the template/send answer
        await self._callbacks.deliver(openid, inner, job=True)

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the pending TEMPLATESENDJOBFINISH pushes are done."""
        async with asyncio.timeout(timeout):
            while self._jobs:
                await asyncio.gather(*list(self._jobs), return_exceptions=True)

    # ------------------------------------------------------------------ test helpers

    def expire_tokens(self) -> None:
        """Make every issued access token expired (42001 on use); the next fetch issues a
        new one (not a violation)."""
        for token in self.tokens.values():
            token.expired = True

    def fail_next(self, path_suffix: str, errcode: int, times: int = 1) -> None:
        """Answer the next ``times`` calls whose path ends with ``path_suffix`` with ``errcode``."""
        self.faults.fail_next(path_suffix, errcode, times)

    def slow(self, path_suffix: str, seconds: float, times: int | None = None) -> None:
        """Answer calls whose path ends with ``path_suffix`` after ``seconds``."""
        self.faults.delay(path_suffix, seconds, times)

    def resident_media(self, openid: str, data: bytes, kind: str = "image") -> Media:
        """Store media a resident sent; ``media/get`` serves it for 3 days."""
        media = make_media(kind, data, self.clock(), source=openid)
        self.media[media.media_id] = media
        return media

    def media_alive(self, media_id: str) -> bool:
        media = self.media.get(media_id)
        return media is not None and media.alive(self.clock())

    def template_ids(self) -> tuple[str, str, str]:
        """The template ids for progress, reply and broadcast notices: the default ids, or
        with custom ``templates`` their first three ids (repeated if fewer)."""
        if all(k in self.templates for k in DEFAULT_TEMPLATES):
            progress, reply, broadcast = DEFAULT_TEMPLATES
            return progress, reply, broadcast
        ids = list(self.templates) or [""]
        return ids[0], ids[1 % len(ids)], ids[2 % len(ids)]

    def bot_env(self) -> dict[str, str]:
        """The liaison bot's LIAISON_WECHAT_* settings for this account (callback on any port)."""
        progress, reply, broadcast = self.template_ids()
        return {
            "LIAISON_WECHAT_APP_ID": self.app_id,
            "LIAISON_WECHAT_SECRET": self.secret,
            "LIAISON_WECHAT_TOKEN": self.token,
            "LIAISON_WECHAT_AES_KEY": self.aes_key,
            "LIAISON_WECHAT_API_BASE_URL": self.base_url,
            "LIAISON_WECHAT_LISTEN": "127.0.0.1",
            "LIAISON_WECHAT_PORT": "0",
            "LIAISON_WECHAT_PATH": "/wechat/callback",
            "LIAISON_WECHAT_TEMPLATE_PROGRESS": progress,
            "LIAISON_WECHAT_TEMPLATE_REPLY": reply,
            "LIAISON_WECHAT_TEMPLATE_BROADCAST": broadcast,
        }

    def calls_to(self, path_suffix: str) -> list[ApiCall]:
        """The calls whose path ends with ``path_suffix``, oldest first."""
        return [c for c in self.calls if c.path.endswith(path_suffix.strip("/"))]

    def violate(self, where: str, description: str, call: ApiCall | None = None) -> None:
        self.violations.append(Violation(where, description, call))
        log.warning("fakewechat violation: %s: %s", where, description)

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        call = ApiCall(path, dict(request.query), None, time=self.clock(), method=request.method)
        self.calls.append(call)
        try:
            route = self._routes.get(path)
            if route is None:
                self.violate(path, "unknown API path", call)
                call.errcode, call.errmsg = 404, "not found"
                return web.Response(status=404, text="404 Not Found")
            method, needs_token, handler = route
            if request.method != method:
                raise WeChatError(43002 if method == "POST" else 43001, f"use {method}")
            if path != "showqrcode":
                self._check_ip(request)
            if needs_token:
                self._check_token(request.query, call)
            seconds = self.faults.delay_for(path)
            if seconds > 0:
                await asyncio.sleep(seconds)
            injected = self.faults.failure_for(path)
            if injected is not None:
                call.injected = True
                raise injected
            result = await handler(request, call)
        except WeChatError as error:
            reply = {"errcode": error.errcode, "errmsg": error.errmsg}
            call.errcode, call.errmsg, call.response = error.errcode, error.errmsg, reply
            if not (call.injected or error.runtime or error.errcode in _RUNTIME):
                self.violate(path, f"{error.errcode} {error.errmsg}", call)
            return web.json_response(reply, dumps=_dumps)
        if isinstance(result, web.StreamResponse):
            return result
        call.response = result
        return web.json_response(result, dumps=_dumps)

    def _check_ip(self, request: web.Request) -> None:
        if self.trusted_ips is not None and request.remote not in self.trusted_ips:
            ip = request.remote
            raise WeChatError(40164, f"invalid ip {ip} ipv6 ::ffff:{ip}, not in whitelist")

    def _check_token(self, query: Any, call: ApiCall) -> None:
        value = query.get("access_token")
        if not value:
            raise WeChatError(41001, "access_token missing")
        token = self.tokens.get(value)
        if token is None:
            raise WeChatError(40014, "access_token was never issued")
        problem = token.problem(self.clock())
        if problem is not None:
            raise WeChatError(*problem)

    async def _json(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            call.body = raw[:200]
            raise WeChatError(47001, "body is not JSON") from None
        call.body = body
        if not isinstance(body, dict):
            raise WeChatError(47001, "body must be a JSON object")
        return body

    def _warn(self, call: ApiCall, warnings: list[str]) -> None:
        for warning in warnings:
            self.violate(call.path, warning, call)

    # ------------------------------------------------------------------ tokens

    def _credentials(self, grant_type: Any, appid: Any, secret: Any, bad_secret: int) -> None:
        if not appid:
            raise WeChatError(41002, "appid missing")
        if not secret:
            raise WeChatError(41004, "secret missing")
        if grant_type != "client_credential":
            raise WeChatError(40002, "grant_type must be client_credential")
        if appid != self.app_id:
            raise WeChatError(40013, f"appid {appid!r} is not this account")
        if secret != self.secret:
            raise WeChatError(bad_secret, "wrong AppSecret")

    def _issue(self, kind: str, now: float) -> AccessToken:
        value = secrets.token_urlsafe(102)  # WeChat's tokens are ~136 characters
        token = AccessToken(value, kind, now, now + TOKEN_LIFETIME)
        self.tokens[value] = token
        return token

    def _current(self, kind: str, now: float) -> list[AccessToken]:
        """Valid, not superseded tokens of this kind, newest first."""
        found = [
            t
            for t in self.tokens.values()
            if t.kind == kind and t.superseded_at is None and t.valid(now)
        ]
        return sorted(found, key=lambda t: t.issued_at, reverse=True)

    async def _token(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        self.token_fetches += 1
        q = request.query
        self._credentials(q.get("grant_type"), q.get("appid"), q.get("secret"), 40001)
        now = self.clock()
        current = self._current("token", now)
        recent = [t for t in current if now - t.issued_at < REFRESH_GRACE]
        if recent:
            self.violate(
                call.path,
                f"token refreshed while valid: the token fetched {now - recent[0].issued_at:.0f} s "
                "ago still works (more than one refresher?)",
                call,
            )
        for token in self.tokens.values():
            if token.kind == "token" and token.superseded_at is None:
                token.superseded_at = now
        fresh = self._issue("token", now)
        return {"access_token": fresh.value, "expires_in": int(TOKEN_LIFETIME)}

    async def _stable_token(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        self.token_fetches += 1
        body = await self._json(request, call)
        self._credentials(body.get("grant_type"), body.get("appid"), body.get("secret"), 40125)
        force = body.get("force_refresh", False)
        if not isinstance(force, bool):
            raise WeChatError(47001, "force_refresh must be a JSON boolean")
        now = self.clock()
        current = self._current("stable", now)
        newest = current[0] if current else None
        if force:
            recent = self._last_force_refresh
            if newest is not None and recent is not None and now - recent < STABLE_FORCE_GAP:
                return {"access_token": newest.value, "expires_in": int(newest.expires_at - now)}
            if newest is not None and now - newest.issued_at < REFRESH_GRACE:
                self.violate(
                    call.path, "force_refresh while the stable token is valid and fresh", call
                )
            for token in self.tokens.values():
                if token.kind == "stable" and token.superseded_at is None:
                    token.superseded_at, token.overlap = now, 0.0
            self._last_force_refresh = now
            fresh = self._issue("stable", now)
            return {"access_token": fresh.value, "expires_in": int(TOKEN_LIFETIME)}
        if newest is not None and newest.expires_at - now > STABLE_EARLY:
            return {"access_token": newest.value, "expires_in": int(newest.expires_at - now)}
        if newest is not None:  # last 5 minutes: a new token, the old one lives on to its end
            newest.superseded_at, newest.overlap = now, newest.expires_at - now
        fresh = self._issue("stable", now)
        return {"access_token": fresh.value, "expires_in": int(TOKEN_LIFETIME)}

    # ------------------------------------------------------------------ messages

    async def _custom_send(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        body = await self._json(request, call)
        answer, warnings = self._messaging.custom(body)
        self._warn(call, warnings)
        return answer

    async def _template_send(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        body = await self._json(request, call)
        answer, warnings = self._messaging.template(body)
        self._warn(call, warnings)
        return answer

    # ------------------------------------------------------------------ QR codes and menu

    async def _qrcode_create(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        body = await self._json(request, call)
        action, scene, expire = parse_request(body)
        now = self.clock()
        if action in PERMANENT and "expire_seconds" in body:
            self.violate(call.path, "expire_seconds is ignored for permanent codes", call)
        existing = self.qr_records.get(scene)
        if expire is None and existing is not None and existing.permanent:
            return qr_answer(existing)
        code = make_code(action, scene, expire, now)
        self.qr_records[scene] = code
        self.qr_codes[scene] = code.ticket
        return qr_answer(code)

    async def _showqrcode(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        now = self.clock()
        code = next(
            (c for c in self.qr_records.values() if c.ticket == ticket and c.alive(now)), None
        )
        if code is None:
            self.violate(call.path, "showqrcode: unknown or expired ticket", call)
            call.errcode, call.errmsg = 404, "not found"
            return web.Response(status=404)
        image = qrcode.make(code.url)
        buffer = io.BytesIO()
        image.save(buffer)
        return web.Response(body=buffer.getvalue(), content_type="image/png")

    async def _menu_create(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        body = await self._json(request, call)
        self.menu = validate_menu(body)
        unknown = sorted(set(body) - {"button"})
        if unknown:
            self.violate(call.path, f"menu/create has unknown key(s) {unknown}", call)
        return _ok()

    async def _menu_get(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        if self.menu is None:
            raise WeChatError(46003, "no menu", runtime=True)
        return {"menu": {"button": self.menu}}

    async def _menu_delete(self, request: web.Request, call: ApiCall) -> dict[str, Any]:
        self.menu = None
        return _ok()

    # ------------------------------------------------------------------ media

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
        call.body = {
            "type": kind,
            "filename": filename,
            "size": None if data is None else len(data),
        }
        check_upload(kind, data)
        assert kind is not None and data is not None
        media = make_media(kind, data, self.clock(), filename=filename)
        self.media[media.media_id] = media
        return {"type": kind, "media_id": media.media_id, "created_at": int(media.created_at)}

    async def _media_get(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        media_id = request.query.get("media_id")
        if not media_id:
            raise WeChatError(41006, "media_id missing")
        if not self.media_alive(media_id):
            raise WeChatError(40007, "media_id unknown or older than 3 days")
        media = self.media[media_id]
        name = media.filename or f"{media.media_id[:12]}.{media.content_type.split('/')[-1]}"
        return web.Response(
            body=media.data,
            content_type=media.content_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def _serve_pic(self, request: web.Request) -> web.StreamResponse:
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404)
        return web.Response(body=media.data, content_type=media.content_type)


def _ok(**fields: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **fields}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
