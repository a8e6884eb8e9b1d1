"""Retrying Bot API calls that failed for transient reasons.

PTB's AIORateLimiter throttles and retries 429 (flood control). This subclass also retries
the failures a flaky network or a struggling Telegram produce — 5xx answers and dropped
connections — a few times with a short back-off, logging one line per retry (no stack
trace). Those failures happen before Telegram acted, so a retry cannot duplicate anything.

A *timeout* is different: Telegram may have acted on the request after all. Sending calls
(`send*`) are retried once after a timeout — a message may then arrive twice, never zero
times; other calls (answers to button presses, edits, deletes) are not retried after a
timeout, since repeating them would only produce an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

NETWORK_RETRIES = 3
TIMEOUT_RETRIES = 1
BACKOFF = 0.25  # seconds, times the attempt number


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
                if failures > self.network_retries:
                    raise
                log.warning(
                    "Bot API %s failed (%s); retry %d of %d",
                    endpoint,
                    exc,
                    failures,
                    self.network_retries,
                )
                await asyncio.sleep(BACKOFF * failures)
