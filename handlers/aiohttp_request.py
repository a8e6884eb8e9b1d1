"""python-telegram-bot's networking backend on aiohttp instead of httpx.

Profiling the bot under load showed most of its CPU in httpx's request machinery; aiohttp's
client does the same work at a fraction of the cost. PTB supports custom backends through
`BaseRequest`; this one keeps PTB's behaviour: same timeouts, TimedOut / NetworkError.
"""

from __future__ import annotations

import asyncio
import functools
import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else {}
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        write = self._write_timeout if isinstance(write_timeout, DefaultValue) else write_timeout
        if files and isinstance(write_timeout, DefaultValue):
            write = self._media_write_timeout
        body: aiohttp.FormData | bytes | None
        headers = None
        if files:
            body = aiohttp.FormData()
            for name, value in fields.items():
                body.add_field(name, value)
            for name, part in files.items():
                filename, content, mimetype = _part(part)
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif fields:
            # as JSON, like RequestData.json_payload: aiohttp's FormData and even urlencode
            # (percent-encoding Chinese text byte by byte) cost several times more
            body = json.dumps(fields, ensure_ascii=False).encode()
            headers = _JSON
        else:
            body = None
        try:
            async with self._session.request(
                method,
                _url(url),
                data=body,
                headers=headers,
                timeout=_timeout(read, write, connect),
            ) as resp:
                return resp.status, await resp.read()
        except TimeoutError as err:
            raise TimedOut from err
        except (aiohttp.ClientError, asyncio.CancelledError) as err:
            if isinstance(err, asyncio.CancelledError):
                raise
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


_JSON = {"Content-Type": "application/json"}


@functools.lru_cache(maxsize=256)
def _url(url: str) -> URL:
    """Parsed once per Bot API method, not on every call."""
    return URL(url)


@functools.lru_cache(maxsize=64)
def _timeout(
    read: float | None, write: float | None, connect: float | None
) -> aiohttp.ClientTimeout:
    total = None
    if read is not None and write is not None:
        total = read + write + (connect or 0)
    return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


def _part(part: object) -> tuple[str | None, bytes, str | None]:
    """PTB's multipart values are (filename, content, mimetype) tuples or raw bytes."""
    if isinstance(part, tuple):
        filename = part[0] if len(part) > 0 else None
        content = part[1] if len(part) > 1 else b""
        mimetype = part[2] if len(part) > 2 else None
        return filename, content, mimetype
    return None, part if isinstance(part, bytes) else str(part).encode(), None
