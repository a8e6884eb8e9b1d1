"""Plain records of the fake WeCom: errors, API calls, violations, delivered messages,
dropped messages and callback deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# errmsg texts, in WeCom's style (the real ones add ", hint: [...], from ip: ..., more info at ...").
ERRMSG: dict[int, str] = {
    -1: "system busy",
    40001: "invalid credential",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid file size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40013: "invalid corpid",
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
    40029: "invalid response_code",
    40056: "invalid agentid",
    40058: "invalid parameter",
    41001: "access_token missing",
    41002: "corpid missing",
    41004: "corpsecret missing",
    41006: "media_id missing",
    41011: "agentid missing",
    41016: "title missing",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    44001: "empty media data",
    44004: "empty content",
    45002: "content size out of limit",
    45008: "article size out of limit",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    46003: "menu no exist",
    47001: "data format error",
    60020: "not allow to access from your ip",
    81013: "user & party & tag all invalid",
}


class WeComError(Exception):
    """An error answer ``{"errcode": errcode, "errmsg": ...}``; ``detail`` says what was wrong."""

    def __init__(
        self,
        errcode: int,
        detail: str = "",
        *,
        runtime: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.errcode = errcode
        self.detail = detail
        # a normal condition rather than the bot's mistake (no violation is recorded)
        self.runtime = runtime
        self.extra = extra or {}  # more fields of the answer (e.g. invaliduser)
        base = ERRMSG.get(errcode, "error")
        self.errmsg = f"{base}, hint: [{detail}]" if detail else base
        super().__init__(f"{errcode} {self.errmsg}")


@dataclass
class ApiCall:
    """One request the bot made and how the fake answered it."""

    path: str  # e.g. "message/send" (without "/cgi-bin/")
    params: dict[str, str]  # the query string
    body: Any  # the JSON body, a summary of a multipart upload, or None
    errcode: int = 0
    errmsg: str = "ok"
    time: float = 0.0  # the server's clock
    injected: bool = False
    response: Any = None  # the JSON answer (None for media bytes)

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
    """A message as one member sees it (cards in their *current* state)."""

    msgtype: str  # text, markdown, image, file, news, template_card
    userid: str
    time: float
    msgid: str | None = None  # None for passive replies
    content: str | None = None  # text / markdown
    media_id: str | None = None  # image, file
    articles: list[dict[str, Any]] = field(default_factory=list)  # news
    card: dict[str, Any] | None = None  # template_card, current state
    task_id: str | None = None
    response_code: str | None = None  # the send reply's code (interactive cards)
    replace_name: str | None = None  # set when the card's buttons were replaced (greyed)
    updates: int = 0  # how often the card was changed
    via: str = "api"  # "api" (message/send) or "passive" (callback reply)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # the send body

    @property
    def card_type(self) -> str | None:
        return None if self.card is None else str(self.card.get("card_type"))

    @property
    def title(self) -> str:
        """The card's main title ("" if none)."""
        main = (self.card or {}).get("main_title") or {}
        return str(main.get("title") or "") if isinstance(main, dict) else ""

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The card's buttons (empty once replaced by ``replace_name``)."""
        if self.card is None or self.replace_name is not None:
            return []
        return [b for b in self.card.get("button_list") or [] if isinstance(b, dict)]

    @property
    def labels(self) -> list[str]:
        return [str(b.get("text", "")) for b in self.buttons]

    @property
    def text(self) -> str:
        """Everything a person can read: content, titles, sub title, buttons, news titles."""
        parts: list[str] = []
        if self.content:
            parts.append(self.content)
        for article in self.articles:
            parts.extend(str(article.get(k) or "") for k in ("title", "description"))
        if self.card is not None:
            main = self.card.get("main_title") or {}
            if isinstance(main, dict):
                parts.extend(str(main.get(k) or "") for k in ("title", "desc"))
            parts.append(str(self.card.get("sub_title_text") or ""))
            for item in self.card.get("horizontal_content_list") or []:
                if isinstance(item, dict):
                    parts.append(f"{item.get('keyname', '')} {item.get('value', '')}")
            parts.extend(self.labels)
            if self.replace_name is not None:
                parts.append(self.replace_name)
        return "\n".join(p for p in parts if p)


@dataclass
class Dropped:
    """A message WeCom accepted but did not deliver to one member (over a limit)."""

    userid: str
    reason: str  # "30/min", "1000/h" or "daily quota"
    body: dict[str, Any]
    time: float


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
    userid: str
    attempts: list[Attempt] = field(default_factory=list)
    reply: dict[str, Any] | None = None  # the decrypted passive reply, if any
    forged: bool = False

    @property
    def status(self) -> int | None:
        """The status of the last attempt (None: no answer)."""
        return self.attempts[-1].status if self.attempts else None
