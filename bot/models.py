"""Domain models returned by storage and used by services (platform-neutral)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.hotspots import Hotspot


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
    LIAISON = "liaison"  # a liaison of the department the issue is transferred to
    STAFF = "staff"  # staff of the issue's station
    ADMIN = "admin"
    SYSTEM = "system"  # the scheduler


class Rating(StrEnum):
    SATISFIED = "satisfied"
    MOSTLY = "mostly"
    UNSATISFIED = "unsatisfied"


class Resolution(StrEnum):
    """回访's first question, 问题解决了吗？"""

    RESOLVED = "resolved"  # 已解决
    PARTLY = "partly"  # 部分解决
    UNRESOLVED = "unresolved"  # 未解决: 重办


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


class Channel(StrEnum):
    """A chat platform the bot speaks on."""

    TELEGRAM = "telegram"
    WECOM = "wecom"  # 企业微信: deputies, staff and department liaisons
    WECHAT = "wechat"  # 微信服务号: residents


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
    wecom_userid: str | None = None
    wecom_gone_at: int | None = None
    last_channel: Channel | None = None
    channel_pref: Channel | None = None
    wechat_openid: str | None = None
    wechat_gone_at: int | None = None

    @property
    def on_telegram(self) -> bool:
        """Telegram lets the bot write only to people who opened it and did not block it."""
        return (
            self.telegram_id is not None and self.started_at is not None and self.blocked_at is None
        )

    @property
    def on_wecom(self) -> bool:
        """A member of the WeCom app can be written to until WeCom says they are gone."""
        return self.wecom_userid is not None and self.wecom_gone_at is None

    @property
    def on_wechat(self) -> bool:
        """A follower of the service account, until they unfollow. (Whether a message can go
        now depends on their reply window: held notices wait for it.)"""
        return self.wechat_openid is not None and self.wechat_gone_at is None

    def reaches(self, channel: Channel) -> bool:
        if channel is Channel.TELEGRAM:
            return self.on_telegram
        if channel is Channel.WECOM:
            return self.on_wecom
        return self.on_wechat

    @property
    def channel(self) -> Channel | None:
        """Where notices go: the platform they chose, else the one they last wrote from,
        else any that reaches them (never two)."""
        everywhere: list[Channel] = list(Channel)
        for wanted in (self.channel_pref, self.last_channel, *everywhere):
            if wanted is not None and self.reaches(wanted):
                return wanted
        return None

    @property
    def reachable(self) -> bool:
        return self.channel is not None

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
    accept_workdays: int | None = None  # set when the seed said "<n>wd"
    reply_workdays: int | None = None
    urgent: bool = False  # its notices to deputies and staff ignore quiet hours


class Department(Named):
    id: int
    key: str
    sign_within: int = 86400
    sign_workdays: int | None = 1
    answer_within: int = 864000
    answer_workdays: int | None = 10


class HandoverState(StrEnum):
    SENT = "sent"  # waits for a liaison to 签收
    SIGNED = "signed"
    RETURNED = "returned"  # 退回 to the deputy
    ANSWERED = "answered"  # the unit's answer went to the deputy


RETURN_REASONS = ("not_ours", "wrong_unit", "duplicate", "more_facts")


class Handover(_Model):
    """One 转办 to a department that has liaisons in the bot."""

    id: int
    issue_id: int
    department_id: int
    deputy_id: int | None = None
    state: HandoverState
    sent_at: int
    sign_due: int
    answer_due: int
    liaison_id: int | None = None
    signed_at: int | None = None
    returned_at: int | None = None
    return_reason: str | None = None
    return_note: str | None = None
    answered_at: int | None = None
    answer_text: str | None = None
    answer_photos: tuple[str, ...] = ()
    extensions: int = 0
    next_nudge_at: int | None = None
    ended_at: int | None = None

    @property
    def open(self) -> bool:
        return self.ended_at is None

    @property
    def due(self) -> int:
        """The deadline the unit runs against now."""
        return self.sign_due if self.state is HandoverState.SENT else self.answer_due


class ExtensionRequest(_Model):
    id: int
    handover_id: int
    asked_by: int
    asked_at: int
    new_due: int
    reason: str
    state: str = "asked"  # asked | approved | refused
    decided_by: int | None = None
    decided_at: int | None = None


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
    # 回访 (migration 0011): the latest answer to 问题解决了吗, who gave it (the resident, or
    # staff recording a phone call) and when; the 14-day re-check: asked, holds or recurred
    resolution: Resolution | None = None
    revisit_by: str | None = None  # 'resident' | 'phone'
    revisited_at: int | None = None
    recheck: str | None = None  # 'asked' | 'holds' | 'recurred'

    @property
    def filer_id(self) -> int | None:
        """Who raised it as a resident (None for a patrol finding): never its handler."""
        return self.resident_id if self.source == "resident" else None


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
    UNIT_ANSWER = "unit_answer"  # a department liaison's 答复 (photos may come with it)
    UNIT_RETURN = "unit_return"  # the optional note after a liaison's 退回
    UNIT_EXTEND = "unit_extend"  # the reason for a liaison's 申请延期
    REASSIGN = "reassign"  # the reason for staff's 改派 (data: the deputy chosen)
    SUGGESTION = "suggestion"  # a text for a 代表建议 (ref: the suggestion, data: the part)


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
    seq_channel: Channel = Channel.TELEGRAM  # update numbers compare within one platform
    updated_at: int = 0

    @property
    def active(self) -> bool:
        return self.kind is not Awaiting.IDLE


class Identity(_Model):
    """A person as read for every update: their (station, role) memberships, the departments
    they are a liaison of and what the bot waits for from them, in one statement."""

    person: Person
    memberships: list[tuple[int, str]]
    pending: Pending | None  # None: no row yet, nothing was ever awaited
    departments: list[int] = []


class Invite(_Model):
    """A one-time link that makes a seeded person a deputy or staff of a station, or binds a
    department's liaison (role "liaison": `department_id` instead of `station_id`)."""

    token: str
    person_id: int
    station_id: int | None
    role: str
    department_id: int | None = None
    created_by: int | None = None
    created_at: int
    expires_at: int
    used_at: int | None = None
    used_by: int | None = None


# -- broadcasts ------------------------------------------------------------------------------
class Broadcast(_Model):
    id: int
    author_id: int
    audience: str
    station_id: int | None = None
    district: str | None = None
    body: str | None = None
    photo: str | None = None
    state: str
    chat_id: int
    control_id: int | None = None
    created_at: int
    started_at: int | None = None
    finished_at: int | None = None


class Recipient(_Model):
    """One row of a broadcast's send queue."""

    id: int
    person_id: int
    chat_id: int
    lang: str
    station_id: int | None = None
    attempts: int


class Tally(_Model):
    """A broadcast's queue rows by status."""

    total: int = 0
    pending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0


# -- the scheduler: patrols and reception days -----------------------------------------------
class PatrolItem(_Model):
    zh: str
    en: str

    def label(self, lang: Lang) -> str:
        return self.en if lang is Lang.EN else self.zh


class Patrol(Named):
    """A 走街串巷 checklist template from the seed."""

    id: int
    key: str
    station_id: int
    schedule: str
    category_id: int | None = None
    items: tuple[PatrolItem, ...]
    last_run_at: int | None = None


class PatrolRun(_Model):
    """One deputy's checklist of one patrol run."""

    id: int
    patrol_id: int
    deputy_id: int
    started_at: int
    started_by: int | None = None
    finished_at: int | None = None
    reminded_at: int | None = None


class PatrolMark(_Model):
    item: int
    mark: str  # 'ok' | 'problem'
    issue_id: int | None = None


class RunView(_Model):
    """A patrol run with what is needed to show or act on it."""

    run: PatrolRun
    patrol: Patrol
    station: Station
    deputy: Person
    marks: dict[int, PatrolMark]

    @property
    def checked(self) -> int:
        return len(self.marks)

    @property
    def problems(self) -> list[PatrolMark]:
        return [m for m in self.marks.values() if m.mark == "problem"]

    def item(self, index: int, lang: Lang) -> str:
        return self.patrol.items[index].label(lang)


class Slot(_Model):
    """A station's weekly reception slot."""

    station_id: int
    weekday: int  # 1 = Monday .. 7 = Sunday
    start: str  # HH:MM
    end: str


class Overdue(_Model):
    """One line of /overdue."""

    issue: Issue
    station: Station
    owner: Person | None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    """A period's figures for /stats, the CLI and the chart (built up by the stats service)."""

    scope: str  # a station's name, several joined, or '' for the city
    city: bool
    since: int
    until: int
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    accepted: int = 0
    accepted_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    median_accept: float | None = None  # seconds
    median_reply: float | None = None
    overdue_now: int = 0
    supporters: int = 0
    supported_issues: int = 0
    patrol_problems: int = 0
    answered: int = 0  # answered at least once (replied now, or re-handled since)
    revisited: int = 0  # with an answer to 问题解决了吗 (the resident's or a phone 回访's)
    resolved: int = 0  # 已解决, and it did not come back
    revisited_by_phone: int = 0
    rehandled: int = 0  # 重办 at least once
    recurred: int = 0  # 又出现了 at the 14-day re-check
    workload: list[tuple[str, int, int, int]] = field(default_factory=list)
    not_started: list[tuple[str, str, str]] = field(default_factory=list)
    # new issues over time, by state: a continuous run of bins from the period's start
    # (first day, last day as ISO dates inside the period, counts by state), empty bins
    # included; weeks (Monday to Sunday) or calendar months, as `granularity` says
    bins: list[tuple[str, str, dict[str, int]]] = field(default_factory=list)
    granularity: str = "week"  # 'week' or 'month'
    by_district: list[tuple[str, int, int, int]] = field(default_factory=list)
    by_station: list[tuple[str, int, int, int]] = field(default_factory=list)
    # per department (承办单位): name zh, name en, received, signed on time, returned,
    # extensions, answered on time, median answer time (seconds)
    departments: list[tuple[str, str, int, int, int, int, int, float | None]] = field(
        default_factory=list
    )
    suggestions: SuggestionFigures | None = None
    undelivered: int = 0  # outbox rows of the period that failed for good

    @property
    def response_rate(self) -> float | None:
        return _rate(self.accepted_on_time, self.accepted)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.replied_on_time, self.replied)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: resolved / revisited."""
        return _rate(self.resolved, self.revisited)

    @property
    def rehandling_rate(self) -> float | None:
        """重办率: re-handled at least once / answered."""
        return _rate(self.rehandled, self.answered)


class SuggestionState(StrEnum):
    """A 代表建议 from the first draft to the signers' ratings."""

    DRAFT = "draft"  # the lead deputy writes it; others are invited to co-sign
    SUBMITTED = "submitted"  # with the people's congress office (the admins) for checking
    RETURNED = "returned"  # 退回修改: back with the lead deputy, with the office's reason
    ACCEPTED = "accepted"  # the office accepted it and chooses the units
    HANDLING = "handling"  # 交办: with the units (a second round after 不满意)
    ANSWERED = "answered"  # the lead unit answered; the signers rate it
    CLOSED = "closed"  # every signer rated the final answer


# 答复 grades: A 已解决或采纳, B 正在解决或列入计划, C 因条件限制暂时无法解决, D 留作参考
GRADES = ("A", "B", "C", "D")


class Suggestion(_Model):
    id: int
    lead_id: int
    station_id: int | None = None
    category_id: int | None = None
    state: SuggestionState
    title: str
    reasons: str
    proposal: str
    created_at: int
    updated_at: int
    submitted_at: int | None = None
    return_reason: str | None = None
    handed_over_at: int | None = None
    due_at: int | None = None
    extension_asked: str | None = None
    extension_reason: str | None = None
    round: int = 1
    answered_at: int | None = None
    grade: str | None = None
    answer: str | None = None
    closed_at: int | None = None

    @property
    def editable(self) -> bool:
        return self.state in (SuggestionState.DRAFT, SuggestionState.RETURNED)


class Signer(_Model):
    """The lead deputy or a deputy invited to co-sign (joined once they accepted)."""

    person_id: int
    name: str
    lead: bool = False
    invited_at: int
    joined_at: int | None = None
    rating: Rating | None = None
    rated_round: int | None = None

    @property
    def joined(self) -> bool:
        return self.lead or self.joined_at is not None


class SuggestionUnit(_Model):
    """A unit a suggestion is handed to (主办 when `lead`, else 协办), in one round."""

    id: int
    suggestion_id: int
    department_id: int
    lead: bool = False
    round: int = 1
    due_at: int | None = None
    answered_at: int | None = None
    answer: str | None = None
    grade: str | None = None
    answered_by: int | None = None
    next_nudge_at: int | None = None


class SuggestionEvent(_Model):
    at: int
    person_id: int | None = None
    name: str | None = None
    kind: str
    note: str | None = None


class IssueGist(_Model):
    """What grouping issues into hotspots needs of one issue."""

    id: int
    category_id: int
    station_id: int
    description: str
    created_at: int
    resident_id: int
    lat: float | None = None
    lon: float | None = None
    supporter_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Dossier:
    """A suggestion with everything needed to show it (built by the suggestions service)."""

    suggestion: Suggestion
    lead: Person
    signers: list[Signer]
    units: list[tuple[SuggestionUnit, Department]]  # every round, lead unit first
    issues: list[Issue]
    stations: dict[int, Station]
    category: Category | None

    @property
    def id(self) -> int:
        return self.suggestion.id

    def signer(self, person_id: int) -> Signer | None:
        return next((s for s in self.signers if s.person_id == person_id), None)

    @property
    def joined(self) -> list[Signer]:
        return [s for s in self.signers if s.joined]

    @property
    def current(self) -> list[tuple[SuggestionUnit, Department]]:
        return [(u, d) for u, d in self.units if u.round == self.suggestion.round]

    @property
    def lead_unit(self) -> tuple[SuggestionUnit, Department] | None:
        return next(((u, d) for u, d in self.current if u.lead), None)


@dataclass(frozen=True)
class HotspotView:
    hotspot: Hotspot
    category: Category
    stations: list[Station]
    period: int  # index into HOTSPOT_DAYS


@dataclass
class SuggestionFigures:
    """/stats: the suggestions of a period (city-wide or of the stations in scope)."""

    filed: int = 0  # submitted to the office
    handed_over: int = 0
    answered: int = 0
    answered_on_time: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    rated: int = 0  # signers' ratings of final answers
    satisfied: int = 0  # 满意 or 基本满意

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.answered_on_time, self.answered)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)


class Inbound(_Model):
    """A platform's callback, recorded before it was acknowledged; `id` orders one person's
    inputs on that platform."""

    id: int
    channel: Channel
    address: str  # the account on that platform (a WeCom userid)
    payload: str  # the adapter's own record of what arrived (JSON)
    received_at: int


class PlatformMessage(_Model):
    """An interactive message a platform lets us change later: `handle` names it there
    (a WeCom card's task id); `code` allows one change (a WeCom response code)."""

    id: int
    channel: Channel
    address: str
    handle: str
    code: str | None
    code_at: int | None
    sent_at: int


# An issue's photo kept in the database (its platform's own reference would expire): "db:7".
PHOTO_PREFIX = "db:"


# WeChat's customer-service windows: a follower's message lets the account answer with 5
# messages within 48 hours; a menu tap, a follow or a scan, 3 within a minute. A new message
# renews its window (the allowance resets, it does not add up).
MESSAGE_WINDOW = 48 * 3600
MESSAGE_SENDS = 5
EVENT_WINDOW = 60
EVENT_SENDS = 3


class Window(_Model):
    """A follower's reply windows: until when each is open and the sends it has left."""

    message_until: int = 0
    message_left: int = 0
    event_until: int = 0
    event_left: int = 0

    def opened(self, now: int, *, by_message: bool) -> Window:
        if by_message:
            return self.model_copy(
                update={"message_until": now + MESSAGE_WINDOW, "message_left": MESSAGE_SENDS}
            )
        return self.model_copy(
            update={"event_until": now + EVENT_WINDOW, "event_left": EVENT_SENDS}
        )

    def room(self, now: int) -> int:
        """How many messages may go now."""
        event = self.event_left if now < self.event_until else 0
        message = self.message_left if now < self.message_until else 0
        return event + message

    def closed(self, now: int) -> bool:
        """No window is open at all (not merely used up)."""
        return now >= self.event_until and now >= self.message_until

    def taken(self, now: int, count: int) -> Window:
        """After `count` sends: the event window's first (it closes sooner), as WeChat counts."""
        event_left = self.event_left if now < self.event_until else 0
        from_event = min(event_left, count)
        return self.model_copy(
            update={
                "event_left": event_left - from_event,
                "message_left": max(0, self.message_left - (count - from_event)),
            }
        )
