"""Server-side records: access tokens, media, QR codes, templates and the per-user
customer-service windows."""

from __future__ import annotations

from dataclasses import dataclass

from fakewechat.models import Window

TOKEN_LIFETIME = 7200.0
TOKEN_OVERLAP = 300.0  # a superseded /token token keeps working this long
MEDIA_LIFETIME = 3 * 24 * 3600.0
MESSAGE_WINDOW = 48 * 3600.0
MESSAGE_QUOTA = 5
EVENT_WINDOW = 60.0
EVENT_QUOTA = 3
DEFAULT_TEMPLATE_KEYS = ("character_string1", "thing2", "phrase3", "time4")
DEFAULT_TEMPLATES: dict[str, list[str]] = {
    "tpl_progress_0001": list(DEFAULT_TEMPLATE_KEYS),
    "tpl_reply_0001": list(DEFAULT_TEMPLATE_KEYS),
    "tpl_broadcast_0001": list(DEFAULT_TEMPLATE_KEYS),
}


@dataclass
class AccessToken:
    value: str
    kind: str  # "token" (/cgi-bin/token) or "stable" (/cgi-bin/stable_token)
    issued_at: float
    expires_at: float
    superseded_at: float | None = None  # a newer token of the same kind was issued
    overlap: float = TOKEN_OVERLAP  # how long it keeps working after being superseded
    expired: bool = False  # forced by ``expire_tokens``

    def problem(self, now: float) -> tuple[int, str] | None:
        """Why the token does not work now, as (errcode, detail), or None."""
        if self.expired:
            return 42001, "access_token expired (expire_tokens)"
        if now >= self.expires_at:
            return 42001, "access_token older than 7200 s"
        if self.superseded_at is not None and now >= self.superseded_at + self.overlap:
            return 40001, "a newer access_token was issued; this one is no longer valid"
        return None

    def valid(self, now: float) -> bool:
        return self.problem(now) is None


@dataclass
class Media:
    """An uploaded (or resident-sent) temporary media file."""

    media_id: str
    type: str  # image, voice, video, thumb
    data: bytes
    created_at: float
    filename: str = ""
    content_type: str = "application/octet-stream"
    source: str = "upload"  # "upload" (the bot) or a resident's openid

    def alive(self, now: float) -> bool:
        return now - self.created_at < MEDIA_LIFETIME


@dataclass
class QrCode:
    """A parametric QR code made by ``qrcode/create``."""

    scene: str  # scene_str, or str(scene_id)
    action_name: str
    ticket: str
    url: str
    created_at: float
    expire_seconds: int | None  # None: permanent

    @property
    def permanent(self) -> bool:
        return self.expire_seconds is None

    def alive(self, now: float) -> bool:
        return self.expire_seconds is None or now < self.created_at + self.expire_seconds


@dataclass
class Windows:
    """One user's customer-service windows (mutable; ``snapshot`` gives a :class:`Window`)."""

    message_until: float | None = None
    message_left: int = 0
    event_until: float | None = None
    event_left: int = 0

    def user_message(self, now: float) -> None:
        self.message_until = now + MESSAGE_WINDOW
        self.message_left = MESSAGE_QUOTA

    def user_event(self, now: float) -> None:
        self.event_until = now + EVENT_WINDOW
        self.event_left = EVENT_QUOTA

    def close(self) -> None:
        self.message_until = self.event_until = None
        self.message_left = self.event_left = 0

    def snapshot(self, openid: str, now: float) -> Window:
        return Window(
            openid, now, self.message_until, self.message_left, self.event_until, self.event_left
        )

    def use(self, now: float) -> str | None:
        """Use one send: "event" or "message" for the window used, None if none is open
        with quota left (the caller tells 45015 from 45047 with ``snapshot``)."""
        window = self.snapshot("", now)
        if window.event_open and self.event_left > 0:
            self.event_left -= 1
            return "event"
        if window.message_open and self.message_left > 0:
            self.message_left -= 1
            return "message"
        return None
