"""Domain models returned by storage and used by services (platform-neutral)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class State(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    REPLIED = "replied"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# a report's description and photos
MIN_DESCRIPTION = 5
MAX_DESCRIPTION = 2000
MAX_PHOTOS = 5

OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.TRANSFERRED)
FINAL_STATES = (State.CLOSED, State.REJECTED, State.WITHDRAWN)


class Role(StrEnum):
    """A person's standing towards one issue (or station)."""

    RESIDENT = "resident"  # the issue's reporter
    DEPUTY = "deputy"  # a deputy of the issue's station
    OWNER = "owner"  # the deputy who accepted the issue
    STAFF = "staff"  # staff of the issue's station
    ADMIN = "admin"
    SYSTEM = "system"  # the scheduler


class Rating(StrEnum):
    SATISFIED = "satisfied"
    MOSTLY = "mostly"
    UNSATISFIED = "unsatisfied"


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


class Person(_Model):
    id: int
    key: str | None = None
    name: str
    level: str | None = None
    telegram_id: int | None = None
    phone: str | None = None
    tg_language: str | None = None
    lang: Lang | None = None
    is_admin: bool = False
    started_at: int | None = None
    blocked_at: int | None = None
    station_id: int | None = None

    @property
    def reachable(self) -> bool:
        """Telegram lets the bot write only to people who opened it and did not block it."""
        return (
            self.telegram_id is not None and self.started_at is not None and self.blocked_at is None
        )

    @property
    def language(self) -> Lang:
        if self.lang is not None:
            return self.lang
        return language_from_code(self.tg_language)


def language_from_code(code: str | None) -> Lang:
    """zh* → Chinese, en* → English, anything else → Chinese."""
    if code and code.lower().startswith("en"):
        return Lang.EN
    return Lang.ZH


class Reception(_Model):
    weekday: int
    start: str
    end: str


class Station(_Model):
    id: int
    key: str
    name: str
    district: str
    address: str | None = None
    lat: float | None = None
    lon: float | None = None


class Named(_Model):
    """Something seeded with a Chinese and an English name."""

    name_zh: str
    name_en: str

    def name(self, lang: Lang) -> str:
        return self.name_en if lang is Lang.EN else self.name_zh


class Category(Named):
    id: int
    key: str
    accept_within: int
    reply_within: int
    escalate_after: int


class Department(Named):
    id: int
    key: str


class Issue(_Model):
    id: int
    station_id: int
    category_id: int
    resident_id: int
    source: str
    description: str
    lat: float | None = None
    lon: float | None = None
    share_phone: bool = False
    state: State
    owner_id: int | None = None
    department_id: int | None = None
    supervised: bool = False
    reopen_count: int = 0
    rating: Rating | None = None
    close_reason: str | None = None
    reply_text: str | None = None
    reject_reason: str | None = None
    created_at: int
    accepted_at: int | None = None
    transferred_at: int | None = None
    replied_at: int | None = None
    closed_at: int | None = None
    accept_due: int
    reply_due: int
    updated_at: int
    photos: tuple[str, ...] = ()
    supporters: int = 0


class Event(_Model):
    id: int
    issue_id: int
    at: int
    actor_id: int | None
    actor_name: str | None = None
    kind: str
    from_state: State | None = None
    to_state: State | None = None
    note: str | None = None


class DraftStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"  # became issue `issue_id`
    SUPPORTED = "supported"  # the resident chose 附议 on issue `issue_id` instead
    CANCELLED = "cancelled"
    REPLACED = "replaced"  # the resident started over, or it expired


class Draft(_Model):
    """A /report in progress (or what became of one)."""

    id: int
    person_id: int
    status: DraftStatus = DraftStatus.OPEN
    issue_id: int | None = None
    station_id: int | None = None
    category_id: int | None = None
    description: str | None = None
    photos: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    share_phone: bool = False  # the handling deputy may see the resident's phone
    updated_at: int = 0


class Awaiting(StrEnum):
    """What the bot waits for from a person (one at a time)."""

    IDLE = "idle"
    REPORT = "report"  # steps: Step
    FOLLOW_UP = "follow_up"  # the resident's 补充说明
    ANSWER = "answer"  # the resident's answer to a deputy's question
    UNSATISFIED = "unsatisfied"  # the optional reason after 不满意
    REPLY = "reply"  # the deputy's 答复
    DECLINE = "decline"  # the reason for 退回
    REJECT = "reject"  # the reason for 不予受理
    TRANSFER_NOTE = "transfer_note"  # the optional note after 转办
    ASK = "ask"  # the deputy's question to the resident
    BROADCAST = "broadcast"  # the notice of a /broadcast
    PATROL_NOTE = "patrol_note"  # the note for a 走街串巷 problem item


class Step(StrEnum):
    """Steps of a conversation: the report's, and write → preview for official texts."""

    NONE = ""
    STATION = "station"
    CATEGORY = "category"
    DESCRIPTION = "description"
    EXTRAS = "extras"
    CONFIRM = "confirm"
    RESUME = "resume"  # /report found an unfinished draft: 继续 or 重新开始
    WRITE = "write"
    PREVIEW = "preview"


class Pending(_Model):
    """The one record of what the bot is waiting for from a person."""

    person_id: int
    kind: Awaiting = Awaiting.IDLE
    step: Step = Step.NONE
    issue_id: int | None = None
    ref: int | None = None  # the draft, patrol run or broadcast it concerns
    data: dict[str, str | int | float | None] = {}
    version: int = 0
    last_seq: int | None = None
    seq_at: int | None = None
    updated_at: int = 0

    @property
    def active(self) -> bool:
        return self.kind is not Awaiting.IDLE
