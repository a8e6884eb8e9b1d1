"""Fault injection for the fake Bot API: forced errors, slow answers, dropped connections."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fakebot.models import ApiError

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def _matches(
    rule_method: str | None, method: str, rule_chat: int | None = None, chat: object = None
) -> bool:
    """Whether a rule for `rule_method` (None: any but getUpdates) and `rule_chat` (None:
    any chat) applies to a call of `method` to `chat` (its ``chat_id`` parameter)."""
    if rule_chat is not None and str(rule_chat) != str(chat):
        return False
    if rule_method is None:
        return method.lower() != "getupdates"
    return rule_method.lower() == method.lower()


@dataclass
class _Failure:
    method: str | None
    code: int
    retry_after: int | None
    description: str | None
    remaining: int | None = None  # None = rate based
    share: float = 1.0
    rng: random.Random = field(default_factory=random.Random)
    chat_id: int | None = None  # only calls to this chat

    def error(self) -> ApiError:
        retry_after = self.retry_after
        if self.code == 429 and retry_after is None:
            retry_after = 1
        template = self.description or _DEFAULT_DESCRIPTIONS.get(self.code, f"Error {self.code}")
        text = template.format(retry_after=retry_after)
        return ApiError(self.code, text, retry_after=retry_after if self.code == 429 else None)


@dataclass
class _Slow:
    method: str | None
    seconds: float
    share: float
    rng: random.Random
    chat_id: int | None = None


@dataclass
class _Reset:
    method: str | None
    share: float
    rng: random.Random
    chat_id: int | None = None


class Faults:
    """Configured faults; the server consults it before answering each call."""

    def __init__(self) -> None:
        self._failures: list[_Failure] = []
        self._delays: list[_Slow] = []
        self._resets: list[_Reset] = []

    def fail_next(
        self,
        method: str | None,
        code: int,
        *,
        retry_after: int | None = None,
        count: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail the next ``count`` calls of ``method`` (None = any but getUpdates); with
        ``chat_id``, only calls to that chat count."""
        self._failures.append(
            _Failure(method, code, retry_after, description, remaining=count, chat_id=chat_id)
        )

    def fail_rate(
        self,
        method: str | None,
        code: int,
        share: float,
        *,
        retry_after: int | None = None,
        seed: int = 0,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail a reproducible random ``share`` (0..1) of the calls of ``method`` (to
        ``chat_id`` only, when given)."""
        self._failures.append(
            _Failure(
                method,
                code,
                retry_after,
                description,
                share=share,
                rng=random.Random(seed),
                chat_id=chat_id,
            )
        )

    def delay(
        self,
        method: str | None,
        seconds: float,
        share: float = 1.0,
        *,
        seed: int = 0,
        chat_id: int | None = None,
    ) -> None:
        """Answer a ``share`` of the calls of ``method`` (to ``chat_id`` only, when given)
        only after ``seconds``."""
        self._delays.append(_Slow(method, seconds, share, random.Random(seed), chat_id))

    def reset(
        self, method: str | None, share: float = 1.0, *, seed: int = 0, chat_id: int | None = None
    ) -> None:
        """Drop the connection without answering for a ``share`` of the calls of ``method``
        (to ``chat_id`` only, when given)."""
        self._resets.append(_Reset(method, share, random.Random(seed), chat_id))

    def clear(self) -> None:
        """Remove every configured fault."""
        self._failures.clear()
        self._delays.clear()
        self._resets.clear()

    @property
    def active(self) -> bool:
        return bool(self._failures or self._delays or self._resets)

    # -- used by the server ------------------------------------------------------------

    def delay_for(self, method: str, chat_id: object = None) -> float:
        """Seconds to wait before answering this call (to `chat_id`, if it names a chat)."""
        total = 0.0
        for slow in self._delays:
            matched = _matches(slow.method, method, slow.chat_id, chat_id)
            if matched and slow.rng.random() < slow.share:
                total += slow.seconds
        return total

    def should_reset(self, method: str, chat_id: object = None) -> bool:
        """Whether to close the connection instead of answering this call."""
        return any(
            _matches(r.method, method, r.chat_id, chat_id) and r.rng.random() < r.share
            for r in self._resets
        )

    def failure_for(
        self, method: str, *, seen: bool = True, chat_id: object = None
    ) -> ApiError | None:
        """The injected error for this call, if any (consumes ``fail_next`` budget).

        ``seen=False``: the client will not see the answer (it gave up waiting); nothing is
        injected, ``fail_next`` keeps its budget for a later call, and ``fail_rate`` still
        draws, so the calls after this one fail as they would have."""
        for failure in list(self._failures):
            if not _matches(failure.method, method, failure.chat_id, chat_id):
                continue
            if failure.remaining is not None:
                if not seen:
                    continue
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure.error()
            if failure.rng.random() < failure.share and seen:
                return failure.error()
        return None
