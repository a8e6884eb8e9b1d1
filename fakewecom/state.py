"""Server-side records: access tokens, media, response codes, per-member send counters."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

TOKEN_LIFETIME = 7200.0
MEDIA_LIFETIME = 3 * 24 * 3600.0
RESPONSE_CODE_LIFETIME = 72 * 3600.0
BEIJING_OFFSET = 8 * 3600.0


@dataclass
class AccessToken:
    value: str
    issued_at: float
    expires_at: float
    expired: bool = False  # forced by ``expire_tokens``


@dataclass
class Media:
    """An uploaded (or member-sent) temporary media file."""

    media_id: str
    type: str  # image, voice, video, file
    data: bytes
    created_at: float
    filename: str = ""
    content_type: str = "application/octet-stream"
    source: str = "upload"  # "upload" (the bot) or a member's userid

    def alive(self, now: float) -> bool:
        return now - self.created_at < MEDIA_LIFETIME


@dataclass
class ResponseCode:
    """A code that allows one ``update_template_card`` for some members' copies of a card."""

    code: str
    msgid: str
    task_id: str | None
    card_type: str
    recipients: tuple[str, ...]  # lower-case userids it may update
    issued_at: float
    source: str  # "send" or "event"
    used: bool = False

    def fresh(self, now: float) -> bool:
        return now - self.issued_at < RESPONSE_CODE_LIFETIME


@dataclass
class SendCounter:
    """Delivery times to one member, for the 30/min and 1000/h limits."""

    times: deque[float] = field(default_factory=deque)

    def over(self, now: float, per_minute: int, per_hour: int) -> str | None:
        while self.times and now - self.times[0] >= 3600:
            self.times.popleft()
        if len(self.times) >= per_hour:
            return f"{per_hour}/h"
        if sum(1 for t in self.times if now - t < 60) >= per_minute:
            return f"{per_minute}/min"
        return None


def beijing_day(now: float) -> int:
    """The day number in China Standard Time (daily quotas reset at midnight there)."""
    return int((now + BEIJING_OFFSET) // 86400)
