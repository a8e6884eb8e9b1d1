"""An async client for the WeChat service-account API (the calls the adapter needs), over
aiohttp.

Not wechatpy's client: it is synchronous, hard-codes api.weixin.qq.com for the token and
mp.weixin.qq.com for QR codes, and retries 40001/40014/42001 by unbounded recursion. Here every
call, the token and media included, goes to ``{base_url}/cgi-bin/…`` (a fake server in tests, a
proxy where the server has no direct way out), and every WeChat answer is mapped onto the
outbox's delivery exceptions in one place, ``_raise_for``.

The access token lives 7200 s. Every ``/token`` fetch issues a new one and retires the old
one 5 minutes later, so a second process (a CLI command, a restart, another tool) would break
the running bot's; it comes from ``stable_token`` instead (normal mode), which returns the
same token while it is valid and a new one only in its last 5 minutes. It is cached,
refreshed 5 minutes early, and fetched by one call however many senders need it at once.
WeChat may refuse it early (40001 after someone forced a refresh, 40014, 42001): the call is
retried once with a fresh token, never more.

Errors (Global_Return_Code, Service_Center_messages, Template_Message_Interface):
45015/45047 mean the customer-service window is closed or used up → ``OutsideWindow`` (the
messenger falls back to a template notice); 43004 (not a follower) and 40003 (bad openid) →
``Unreachable``; 45009 (daily API quota), 45011 (per-minute quota), -1 (system busy), HTTP 5xx
and network errors → ``RetryLater``; settings that are wrong → ``Misconfigured`` naming the
setting; anything else → ``Rejected`` with errcode and errmsg.

Neither the secret nor a token is ever logged or put into an exception message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.ports import Rejected, RetryLater, Unreachable

log = logging.getLogger(__name__)

REFRESH_MARGIN = 300  # seconds before expires_in runs out
NETWORK_RETRY = 5.0  # seconds: network errors, timeouts, 5xx, -1 system busy
MINUTE_RETRY = 60.0  # seconds: 45011, the per-minute API quota
QUOTA_RETRY = 600.0  # seconds: 45009, the daily API quota (reset at midnight or by an admin)
TOKEN_RETRY = 60.0  # seconds: a token refused again right after a refresh

# Errcodes (Global_Return_Code).
SYSTEM_BUSY = -1
TOKEN_INVALID = frozenset({40001, 40014, 42001})  # on API calls: invalid/not latest/expired
BAD_SECRET = 40001  # at the token fetch: the AppSecret is wrong
BAD_APP_ID = 40013
BAD_SECRET_FORMAT = 40125  # "invalid appsecret"
IP_NOT_WHITELISTED = 40164
UNKNOWN_TEMPLATE = 40037
UNAUTHORIZED = 48001  # the API is not granted to this account (not verified, wrong type)
NOT_FOLLOWER = 43004
BAD_OPENID = 40003
WINDOW_CLOSED = 45015  # "response out of time limit or subscription is canceled"
WINDOW_USED_UP = 45047  # "out of response count limit"
DAILY_QUOTA = 45009
MINUTE_QUOTA = 45011

SCENE_CHARS = 64  # scene_str of a permanent string-scene QR code: 1–64 characters


class OutsideWindow(Rejected):
    """The customer-service window is closed (45015) or its messages are used up (45047):
    nothing more reaches this resident until they write again."""

    def __init__(self, reason: str, *, used_up: bool = False) -> None:
        super().__init__(reason)
        self.used_up = used_up


class Misconfigured(Rejected):
    """A setting is wrong (AppID, AppSecret, IP whitelist, template id, account type):
    nothing of the kind will work until it is fixed."""


class _TokenRefused(Exception):
    """40001/40014/42001 on a media download (handled inside the client)."""


class WeChatClient:
    def __init__(
        self,
        base_url: str,
        app_id: str,
        secret: str,
        clock: Callable[[], float],
        *,
        timeout: float = 10.0,
    ) -> None:
        self._base = base_url.rstrip("/") + "/cgi-bin/"
        self._app_id = app_id
        self._secret = secret
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._refresh_at = 0.0
        self._fetching: asyncio.Future[str] | None = None
        self._logged: set[str] = set()  # misconfigurations already logged

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- token ----------------------------------------------------------------------------

    async def token(self) -> str:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        if self._fetching is None:
            # Single flight: concurrent callers share one fetch, and its failure.
            self._fetching = asyncio.ensure_future(self._fetch_token())
            self._fetching.add_done_callback(self._fetched)
        return await asyncio.shield(self._fetching)

    def _fetched(self, fetch: asyncio.Future[str]) -> None:
        self._fetching = None
        if not fetch.cancelled():
            fetch.exception()  # retrieved: its waiters may all have been cancelled meanwhile

    async def _fetch_token(self) -> str:
        # stable_token, not token: every /token fetch replaces the account's token (the old
        # one dies 5 minutes later), so a second process (`qr --wechat`, a restart) would
        # silently break the running bot's; stable_token returns the same token while valid.
        payload = {
            "grant_type": "client_credential",
            "appid": self._app_id,
            "secret": self._secret,
            "force_refresh": False,
        }
        body = await self._json("POST", "stable_token", params={}, payload=payload)
        errcode = body.get("errcode", 0)
        if errcode == BAD_APP_ID:
            raise self._misconfigured(
                "appid", "WeChat rejects the AppID (40013): check the AppID setting"
            )
        if errcode in (BAD_SECRET, BAD_SECRET_FORMAT):
            raise self._misconfigured(
                "secret",
                f"WeChat rejects the AppSecret ({errcode}): check the AppSecret setting "
                "(it changes when reset in the console)",
            )
        self._raise_for(body, "token")
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise RetryLater(NETWORK_RETRY, "token answered without a token")
        now = self._clock()
        # Refresh 5 min early; a token living under 10 min is refreshed at half its life.
        self._refresh_at = now + max(expires_in - REFRESH_MARGIN, expires_in / 2)
        self._token = token
        return token

    def _misconfigured(self, what: str, reason: str) -> Misconfigured:
        if what not in self._logged:  # once: every call fails the same way until it is fixed
            self._logged.add(what)
            log.error("%s", reason)
        return Misconfigured(reason)

    def _drop_token(self, token: str) -> None:
        # Only the token that failed: concurrent callers may have fetched a fresh one already.
        if self._token == token:
            self._token = None

    # -- API calls ------------------------------------------------------------------------

    async def send(self, openid: str, message: dict[str, Any]) -> None:
        """A customer-service message: ``message`` is ``{"msgtype": t, t: {...}}``; the
        recipient is added here."""
        await self._call("POST", "message/custom/send", payload={"touser": openid, **message})

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> str:
        """A template notice (reaches a follower outside the window) → its msgid, which the
        outcome (TEMPLATESENDJOBFINISH) names again."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            payload["url"] = url
        body = await self._call(
            "POST", "message/template/send", payload=payload, template_id=template_id
        )
        return str(body.get("msgid", ""))

    async def upload_image(self, data: bytes, filename: str = "photo.jpg") -> str:
        """A temporary image (kept 3 days by WeChat) → its media_id."""
        form = aiohttp.FormData()
        kind = "image/png" if filename.lower().endswith(".png") else "image/jpeg"
        form.add_field("media", data, filename=filename, content_type=kind)
        body = await self._call("POST", "media/upload", params={"type": "image"}, data=form)
        media_id = body.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise Rejected("media/upload answered without a media_id")
        return media_id

    async def download(self, media_id: str) -> bytes:
        """A resident's image (MediaId of an image message) → its bytes."""
        for attempt in range(2):
            token = await self.token()
            try:
                return await self._bytes("media/get", {"media_id": media_id, "access_token": token})
            except _TokenRefused:
                self._drop_token(token)
                if attempt:
                    break
        raise RetryLater(TOKEN_RETRY, "access token refused right after a refresh")

    async def create_qr(self, scene: str) -> str:
        """A permanent QR code (QR_LIMIT_STR_SCENE) for ``scene`` → the ``url`` to draw as the
        code's content (drawn locally: showqrcode lives on another host)."""
        if not 1 <= len(scene) <= SCENE_CHARS:
            raise ValueError(f"scene must be 1–{SCENE_CHARS} characters")
        payload = {
            "action_name": "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}},
        }
        body = await self._call("POST", "qrcode/create", payload=payload)
        url = body.get("url")
        if not isinstance(url, str) or not url:
            raise Rejected("qrcode/create answered without a url")
        return url

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self._call("POST", "menu/create", payload=menu)

    # -- plumbing -------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        payload: Any = None,
        data: aiohttp.FormData | None = None,
        template_id: str = "",
    ) -> dict[str, Any]:
        """One API call with the token; a refused token is replaced and the call made once
        more, never in a loop."""
        for attempt in range(2):
            token = await self.token()
            query = {**(params or {}), "access_token": token}
            body = await self._json(method, path, params=query, payload=payload, data=data)
            errcode = body.get("errcode", 0)
            if errcode in TOKEN_INVALID:
                self._drop_token(token)
                if attempt == 0:
                    log.info("WeChat refused the access token (%s); fetching a new one", errcode)
                    continue
                raise RetryLater(TOKEN_RETRY, f"{errcode}: access token refused after a refresh")
            self._raise_for(body, path, template_id=template_id)
            return body
        raise AssertionError("unreachable")  # the loop returns or raises

    def _raise_for(self, body: dict[str, Any], path: str, *, template_id: str = "") -> None:
        """Map a nonzero errcode onto the outbox's delivery exceptions."""
        errcode = body.get("errcode", 0)
        if not errcode:
            return
        errmsg = str(body.get("errmsg", ""))
        what = f"{errcode} {errmsg}"
        if errcode == WINDOW_CLOSED:
            raise OutsideWindow(f"window closed: {what}")
        if errcode == WINDOW_USED_UP:
            raise OutsideWindow(f"window used up: {what}", used_up=True)
        if errcode in (NOT_FOLLOWER, BAD_OPENID):
            raise Unreachable(what)
        if errcode == DAILY_QUOTA:
            raise RetryLater(QUOTA_RETRY, f"flood: {what}")
        if errcode == MINUTE_QUOTA:
            raise RetryLater(MINUTE_RETRY, f"flood: {what}")
        if errcode == SYSTEM_BUSY:
            raise RetryLater(NETWORK_RETRY, f"{path}: {what}")
        if errcode == IP_NOT_WHITELISTED:
            raise self._misconfigured(
                "ip",
                "this server's IP is not in the account's IP whitelist (40164): add it under "
                "设置与开发 → 基本配置 → IP白名单",
            )
        if errcode == UNKNOWN_TEMPLATE:
            raise self._misconfigured(
                f"template {template_id}",
                f"WeChat does not know the template id {template_id!r} (40037): check the "
                "template id setting against 模板消息 → 我的模板",
            )
        if errcode == UNAUTHORIZED:
            raise self._misconfigured(
                f"unauthorized {path}",
                f"the account may not call {path} (48001): it needs to be a verified "
                "service account (微信认证), or the API is not granted",
            )
        if errcode == BAD_APP_ID:
            raise self._misconfigured(
                "appid", "WeChat rejects the AppID (40013): check the AppID setting"
            )
        raise Rejected(what)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str],
        payload: Any = None,
        data: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        try:
            async with self._http().request(
                method, self._base + path, params=params, json=payload, data=data
            ) as response:
                _check_status(response.status, path)
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            # from None: aiohttp's exceptions may carry the URL, and the URL carries the token
            # (or, for the token fetch, the secret).
            raise RetryLater(NETWORK_RETRY, f"{path}: {type(exc).__name__}") from None
        if not isinstance(body, dict):
            raise RetryLater(NETWORK_RETRY, f"{path}: answer is not a JSON object")
        return body

    async def _bytes(self, path: str, params: dict[str, str]) -> bytes:
        try:
            async with self._http().get(self._base + path, params=params) as response:
                _check_status(response.status, path)
                content = await response.read()
                kind = response.content_type
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(NETWORK_RETRY, f"{path}: {type(exc).__name__}") from None
        # A file comes as its own type; an error as a JSON object (errcode 40007: bad id).
        if "json" in kind or kind.startswith("text/"):
            try:
                body = json.loads(content)
            except ValueError:
                return content
            if isinstance(body, dict) and "errcode" in body:
                if body["errcode"] in TOKEN_INVALID:
                    raise _TokenRefused
                self._raise_for(body, path)
        return content


def _check_status(status: int, path: str) -> None:
    if status >= 500 or status == 429:
        raise RetryLater(NETWORK_RETRY, f"{path}: HTTP {status}")
    if status != 200:
        raise Rejected(f"{path}: HTTP {status}")
