"""Retrying Bot API calls that failed for transient reasons, within the call itself.

What the bot sends on its own (the outbox, broadcasts) follows one policy,
`bot/retrying.py`, which counts every failure against the message's budget and resumes a
message from the part that failed. Those calls are made under `owned_by_policy()`: this
layer then only repeats, a few times within the call, a failure that happened before
Telegram acted (5xx, a dropped connection: it cannot duplicate anything); a timeout, a 429
or a refusal goes to the policy as it came, so that the layers never multiply a message (a
timeout repeated here and again by the outbox used to make up to 24 copies).

Every other call — a direct reply to the person who acted, an answer to a button press —
has no outbox behind it, so this layer retries it a little: PTB's AIORateLimiter waits out
a 429 (`retry_after`); 5xx answers and dropped connections, which happen before Telegram
acted, are retried `QUICK_RETRIES` times with a short back-off (one log line per retry, no
stack trace). A *timeout* is different: Telegram may have acted after all. A timed-out send
(`send*`) is repeated once — a reply may then arrive twice, never zero times; other calls
(answers to presses, edits, deletes) are not repeated after a timeout, since repeating them
would only produce an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

from bot.retrying import QUICK_BACKOFF, QUICK_RETRIES, TIMEOUT_RETRIES

log = logging.getLogger(__name__)

NETWORK_RETRIES = QUICK_RETRIES
BACKOFF = QUICK_BACKOFF

_OWNED: ContextVar[bool] = ContextVar("owned_by_policy", default=False)


@contextlib.contextmanager
def owned_by_policy() -> Iterator[None]:
    """Bot API calls made inside are retried by the caller's policy (bot/retrying.py): here
    only the quick retries of certain failures (`QUICK_RETRIES`)."""
    token = _OWNED.set(True)
    try:
        yield
    finally:
        _OWNED.reset(token)


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, max_retries: int = 2, network_retries: int = NETWORK_RETRIES) -> None:
        # No overall 30/s throttle for interactive replies: bulk sends pace themselves.
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.network_retries = network_retries

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if _OWNED.get():
            return await self._once(callback, args, kwargs, endpoint)
        failures = timeouts = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except TimedOut as exc:
                timeouts += 1
                if not endpoint.startswith("send") or timeouts > TIMEOUT_RETRIES:
                    raise
                log.warning("Bot API %s timed out (%s); retry %d", endpoint, exc, timeouts)
            except NetworkError as exc:
                failures += 1
                await self._back_off(endpoint, exc, failures)

    async def _back_off(self, endpoint: str, exc: NetworkError, failures: int) -> None:
        """A 5xx or a dropped connection (Telegram did not act): wait a little and try again,
        a few times; then the failure goes on up."""
        if failures > self.network_retries:
            raise exc
        log.warning(
            "Bot API %s failed (%s); retry %d of %d", endpoint, exc, failures, self.network_retries
        )
        await asyncio.sleep(BACKOFF * failures)

    async def _once(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """A call under the outbox's or the broadcasts' policy: only the quick retries of
        certain failures (5xx, a dropped connection: Telegram did not act) happen here; a
        refusal, a timeout (Telegram may have acted) or flood control goes to the policy at
        once (the outbox pauses itself on a 429; it does not wait behind other chats')."""
        failures = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                failures += 1
                await self._back_off(endpoint, exc, failures)
