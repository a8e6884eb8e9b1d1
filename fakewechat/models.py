"""Plain records of the fake WeChat service account: errors, API calls, violations, what a
resident received, callback deliveries and the per-user customer-service window."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# errmsg texts as WeChat writes them (the real ones append " rid: ...").
ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid media size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40010: "invalid voice size",
    40011: "invalid video size",
    40012: "invalid thumb size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub button level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40037: "invalid template_id",
    40052: "invalid action name",
    40053: "invalid action info, please check document",
    40054: "invalid sub button url domain",
    40055: "invalid button url domain",
    40058: "invalid parameter",
    40125: "invalid appsecret",
    40164: "invalid ip, not in whitelist",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    41006: "media_id missing",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43004: "require subscribe",
    44001: "empty media data",
    44003: "empty news data",
    44004: "empty content",
    45002: "content size out of limit",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    46003: "menu no exist",
    47001: "data format error",
    47003: "argument invalid!",
}


class WeChatError(Exception):
    """An error answer ``{"errcode": errcode, "errmsg": ...}``; ``detail`` says what was wrong."""

    def __init__(self, errcode: int, detail: str = "", *, runtime: bool = False) -> None:
        self.errcode = errcode
        self.detail = detail
        # a normal condition rather than the bot's mistake (no violation is recorded)
        self.runtime = runtime
        base = ERRMSG.get(errcode, "error")
        self.errmsg = f"{base} hint: [{detail}]" if detail else base
        super().__init__(f"{errcode} {self.errmsg}")


@dataclass
class ApiCall:
    """One request the bot made and how the fake answered it."""

    path: str  # e.g. "message/custom/send" (without "/cgi-bin/")
    params: dict[str, str]  # the query string
    body: Any  # the JSON body, a summary of a multipart upload, or None
    errcode: int = 0
    errmsg: str = "ok"
    time: float = 0.0  # the server's clock
    injected: bool = False
    response: Any = None  # the JSON answer (None for media bytes)
    method: str = "GET"

    def __str__(self) -> str:
        return f"{self.path}({self.body!r}) -> {self.errcode} {self.errmsg}"


@dataclass
class Violation:
    """Something the bot did wrong: a malformed request, a late or bad callback answer."""

    where: str  # an API path, "callback" or "verify_url"
    description: str
    call: ApiCall | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.description}"


@dataclass
class Received:
    """A message as one resident sees it in the chat with the service account."""

    msgtype: str  # text, image, news, msgmenu, template (or "system")
    openid: str
    time: float
    via: str = "custom"  # "custom", "template", "passive" (callback reply) or "system"
    msgid: int | None = None  # template messages only
    content: str | None = None  # text (and the system notice)
    media_id: str | None = None  # image
    articles: list[dict[str, Any]] = field(default_factory=list)  # news
    head: str = ""  # msgmenu head_content
    options: list[tuple[str, str]] = field(default_factory=list)  # msgmenu (id, content)
    tail: str = ""  # msgmenu tail_content
    template_id: str | None = None
    data: dict[str, str] = field(default_factory=dict)  # template: key -> shown value
    cut: list[str] = field(default_factory=list)  # template keys whose value was cut to 20
    url: str | None = None  # template link
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # the send body / reply

    @property
    def text(self) -> str:
        """Everything a person can read: text, menu head/options/tail, news title and
        description, template values (in the template's order)."""
        parts: list[str] = []
        if self.content:
            parts.append(self.content)
        if self.head:
            parts.append(self.head)
        parts.extend(content for _, content in self.options)
        if self.tail:
            parts.append(self.tail)
        for article in self.articles:
            parts.extend(str(article.get(k) or "") for k in ("title", "description"))
        parts.extend(self.data.values())
        return "\n".join(p for p in parts if p)

    @property
    def labels(self) -> list[str]:
        """The msgmenu option texts."""
        return [content for _, content in self.options]


@dataclass
class Attempt:
    """One HTTP attempt of a callback delivery."""

    status: int | None  # None: timed out or the connection failed
    body: bytes = b""
    error: str | None = None
    elapsed: float = 0.0


@dataclass
class CallbackRequest:
    """A callback POST exactly as sent (``replay`` reposts it verbatim)."""

    url: str
    query: dict[str, str]
    body: str
    inner: dict[str, Any]  # the plaintext message fields
    openid: str
    attempts: list[Attempt] = field(default_factory=list)
    reply: dict[str, Any] | None = None  # the (decrypted) passive reply, if any
    forged: bool = False

    @property
    def status(self) -> int | None:
        """The status of the last attempt (None: no answer)."""
        return self.attempts[-1].status if self.attempts else None

    @property
    def event(self) -> str | None:
        """The ``Event`` of an event push (None for user messages)."""
        value = self.inner.get("Event")
        return None if value is None else str(value)


@dataclass(frozen=True)
class Window:
    """A snapshot of one user's customer-service windows at ``now``.

    A user message opens (or resets) the *message* window: 48 h, 5 sends; an event
    (subscribe, SCAN, CLICK) opens (or resets) the *event* window: 60 s, 3 sends."""

    openid: str
    now: float
    message_until: float | None
    message_left: int
    event_until: float | None
    event_left: int

    @property
    def message_open(self) -> bool:
        return self.message_until is not None and self.now < self.message_until

    @property
    def event_open(self) -> bool:
        return self.event_until is not None and self.now < self.event_until

    @property
    def open(self) -> bool:
        """True while either window is open (with or without quota left)."""
        return self.message_open or self.event_open

    @property
    def left(self) -> int:
        """Sends still allowed now (both open windows together)."""
        return (self.event_left if self.event_open else 0) + (
            self.message_left if self.message_open else 0
        )

    @property
    def until(self) -> float | None:
        """When the later of the open windows closes (None if none is open)."""
        ends = [
            end
            for end, is_open in (
                (self.message_until, self.message_open),
                (self.event_until, self.event_open),
            )
            if is_open and end is not None
        ]
        return max(ends) if ends else None
