"""An async client for the WeCom server API (the calls the adapter needs), over aiohttp.

Not wechatpy's client: it is synchronous, hard-codes qyapi.weixin.qq.com for gettoken and media
downloads, and retries 40001/40014/42001 by unbounded recursion. Here every call goes to
``{base_url}/cgi-bin/…`` (a fake server in tests, a proxy in odd deployments) and every WeCom
answer is mapped onto the outbox's delivery exceptions in one place, ``_raise_for``.

The access token (path/91039) lives 7200 s, one per app secret, and WeCom throttles frequent
gettoken calls, so it is cached, refreshed 5 minutes early, and fetched by one call however many
senders need it at once. WeCom may revoke it early (40014/42001): the call is retried once with
a fresh token, never more.

Neither the secret nor a token is ever logged or put into an exception message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.ports import Rejected, RetryLater, Unreachable

log = logging.getLogger(__name__)

REFRESH_MARGIN = 300  # seconds before expires_in runs out
NETWORK_RETRY = 5.0  # seconds: network errors, timeouts, 5xx
FLOOD_RETRY = 60.0  # seconds: 45009, WeCom's generic frequency limit
TOKEN_RETRY = 60.0  # seconds: a token refused again right after a refresh

# Errcodes (path/90313).
TOKEN_INVALID = frozenset({40014, 42001})  # invalid / expired access_token
BAD_CORP_ID = 40013
BAD_SECRET = 40001  # also: the app is disabled
IP_NOT_TRUSTED = 60020
FREQUENCY = 45009
CONCURRENCY = 45033
ALL_RECIPIENTS_INVALID = 81013
# update_template_card with a used or expired response_code. WeCom's real code is unconfirmed;
# 40029 ("invalid code") is what the project's fake server answers.
CODE_EXPIRED = 40029


class CodeExpired(Rejected):
    """The response_code was used or is too old: send a new message instead of updating."""


class Misconfigured(Rejected):
    """A setting is wrong (corp id, app secret): nothing will work until it is fixed."""


@dataclass(frozen=True)
class Sent:
    msgid: str
    response_code: str | None  # for update_template_card; only template cards get one


class _TokenRefused(Exception):
    """40014/42001: the cached token is no good (handled inside the client)."""


class WeComClient:
    def __init__(
        self,
        base_url: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        clock: Callable[[], float],
        *,
        timeout: float = 10.0,
    ) -> None:
        self._base = base_url.rstrip("/") + "/cgi-bin/"
        self._corp_id = corp_id
        self._secret = secret
        self.agent_id = agent_id
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._refresh_at = 0.0
        self._fetching: asyncio.Future[str] | None = None
        self._ip_logged = False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- token ----------------------------------------------------------------------------

    async def token(self) -> str:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        if self._fetching is None:
            # Single flight: concurrent callers share one gettoken, and its failure.
            self._fetching = asyncio.ensure_future(self._fetch_token())
            self._fetching.add_done_callback(self._fetched)
        return await asyncio.shield(self._fetching)

    def _fetched(self, fetch: asyncio.Future[str]) -> None:
        self._fetching = None
        if not fetch.cancelled():
            fetch.exception()  # retrieved: its waiters may all have been cancelled meanwhile

    async def _fetch_token(self) -> str:
        params = {"corpid": self._corp_id, "corpsecret": self._secret}
        body = await self._json("GET", "gettoken", params=params)
        errcode = body.get("errcode", 0)
        if errcode == BAD_CORP_ID:
            raise self._misconfigured("WeCom rejects the corp id (40013): check the CorpID setting")
        if errcode == BAD_SECRET:
            raise self._misconfigured(
                "WeCom rejects the app secret (40001): check the app Secret setting "
                "(or the app was disabled)"
            )
        self._raise_for(body)
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise RetryLater(NETWORK_RETRY, "gettoken answered without a token")
        now = self._clock()
        # Refresh 5 min early; a token living under 10 min is refreshed at half its life.
        self._refresh_at = now + max(expires_in - REFRESH_MARGIN, expires_in / 2)
        self._token = token
        return token

    def _misconfigured(self, reason: str) -> Misconfigured:
        log.error("%s", reason)
        return Misconfigured(reason)

    def _drop_token(self, token: str) -> None:
        # Only the token that failed: concurrent callers may have fetched a fresh one already.
        if self._token == token:
            self._token = None

    # -- API calls ------------------------------------------------------------------------

    async def send(self, userid: str, message: dict[str, Any]) -> Sent:
        """``message`` is ``{"msgtype": t, t: {...}}``; recipient and agentid are added here."""
        payload = {"touser": userid, "agentid": self.agent_id, **message}
        body = await self._call("POST", "message/send", payload=payload)
        # A partly bad recipient list still succeeds (errcode 0) and names the bad ones,
        # "|"-joined and lower-cased; with one recipient, being named means "not delivered".
        # unlicenseduser: members without an API licence do not get the message either.
        for field in ("invaliduser", "unlicenseduser"):
            named = str(body.get(field) or "").lower().split("|")
            if userid.lower() in named:
                raise Unreachable(f"{field} {userid}")
        code = body.get("response_code")
        return Sent(msgid=str(body.get("msgid", "")), response_code=str(code) if code else None)

    async def update_card(
        self,
        response_code: str,
        userids: list[str],
        *,
        card: dict[str, Any] | None = None,
        replace_name: str | None = None,
    ) -> None:
        """Change sent cards: the whole card, or just the pressed button's label."""
        if (card is None) == (replace_name is None):
            raise ValueError("exactly one of card and replace_name")
        payload: dict[str, Any] = {
            "userids": userids,
            "agentid": self.agent_id,
            "response_code": response_code,
        }
        if card is not None:
            payload["template_card"] = card
        else:
            payload["button"] = {"replace_name": replace_name}
        body = await self._call(
            "POST", "message/update_template_card", payload=payload, expired=CodeExpired
        )
        invalid = {str(u).lower() for u in body.get("invaliduser") or []}  # an array here
        if userids and all(u.lower() in invalid for u in userids):
            raise Unreachable("invaliduser " + "|".join(userids))

    async def upload_image(self, data: bytes, filename: str = "photo.jpg") -> str:
        """A temporary image (kept 3 days by WeCom) → its media_id."""
        form = aiohttp.FormData()
        kind = "image/png" if filename.lower().endswith(".png") else "image/jpeg"
        form.add_field("media", data, filename=filename, content_type=kind)
        body = await self._call("POST", "media/upload", params={"type": "image"}, data=form)
        media_id = body.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise Rejected("media/upload answered without a media_id")
        return media_id

    async def upload_file(self, data: bytes, filename: str) -> str:
        """A temporary file (kept 3 days by WeCom) → its media_id."""
        form = aiohttp.FormData()
        form.add_field("media", data, filename=filename, content_type="application/octet-stream")
        body = await self._call("POST", "media/upload", params={"type": "file"}, data=form)
        media_id = body.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise Rejected("media/upload answered without a media_id")
        return media_id

    async def download(self, media_id: str) -> bytes:
        """A member's image (MediaId of an image message) → its bytes."""
        for attempt in range(2):
            token = await self.token()
            try:
                return await self._bytes("media/get", {"media_id": media_id, "access_token": token})
            except _TokenRefused:
                self._drop_token(token)
                if attempt:
                    break
        raise RetryLater(TOKEN_RETRY, "access token refused right after a refresh")

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self._call(
            "POST", "menu/create", params={"agentid": str(self.agent_id)}, payload=menu
        )

    # -- plumbing -------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        payload: Any = None,
        data: aiohttp.FormData | None = None,
        expired: type[Rejected] | None = None,
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
                    log.info("WeCom refused the access token (%s); fetching a new one", errcode)
                    continue
                raise RetryLater(TOKEN_RETRY, f"{errcode}: access token refused after a refresh")
            if errcode == CODE_EXPIRED and expired is not None:
                raise expired(f"{errcode} {body.get('errmsg', '')}")
            self._raise_for(body)
            return body
        raise AssertionError("unreachable")  # the loop returns or raises

    def _raise_for(self, body: dict[str, Any]) -> None:
        """Map a nonzero errcode onto the outbox's delivery exceptions."""
        errcode = body.get("errcode", 0)
        if not errcode:
            return
        errmsg = str(body.get("errmsg", ""))
        if errcode == FREQUENCY:
            raise RetryLater(FLOOD_RETRY, f"flood: {errcode} {errmsg}")
        if errcode == CONCURRENCY:
            raise RetryLater(NETWORK_RETRY, f"flood: {errcode} {errmsg}")
        if errcode == ALL_RECIPIENTS_INVALID:
            raise Unreachable(f"{errcode} {errmsg}")
        if errcode == IP_NOT_TRUSTED:
            reason = "server IP not in the app's trusted IPs (企业可信IP)"
            if not self._ip_logged:  # once: every call fails the same way until it is fixed
                self._ip_logged = True
                log.error("WeCom: %s (60020); add it in the app's settings", reason)
            raise Rejected(reason)
        raise Rejected(f"{errcode} {errmsg}")

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
            # from None: aiohttp's exceptions may carry the URL, and the URL carries the token.
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
                self._raise_for(body)
        return content


def _check_status(status: int, path: str) -> None:
    if status >= 500 or status == 429:
        raise RetryLater(NETWORK_RETRY, f"{path}: HTTP {status}")
    if status != 200:
        raise Rejected(f"{path}: HTTP {status}")
