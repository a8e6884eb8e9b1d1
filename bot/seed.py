"""Seed file (YAML) schema and parser: cities, categories, departments (with their liaisons),
stations, people, patrols and corrections to the holiday calendar.

Pure: no database, no Telegram. `parse_seed` / `read_seed` return a validated `SeedFile` or
raise `SeedError` listing every problem as ``path.to.field: reason``.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from bot.scheduling import cron_trigger

__all__ = [
    "Duration",
    "Key",
    "LocalizedText",
    "SeedAdmin",
    "SeedCalendar",
    "SeedCategory",
    "SeedDepartment",
    "SeedError",
    "SeedFile",
    "SeedLocation",
    "SeedPatrol",
    "SeedPerson",
    "SeedReception",
    "SeedSpan",
    "SeedStation",
    "Span",
    "format_duration",
    "parse_seed",
    "read_seed",
]


class SeedError(Exception):
    """An invalid seed file; `problems` lists every ``path.to.field: reason``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid seed file:\n" + "\n".join(f"  {p}" for p in self.problems))


# ---------------------------------------------------------------------------------------------
# Scalar types

_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
_DURATION_RE = re.compile(r"(\d+)\s*([smhd])")
_SPAN_RE = re.compile(r"(\d+)\s*(wd|[smhd])")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")


def _error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_key(value: object) -> str:
    if _is_int(value):  # YAML reads `key: 101` as a number
        value = str(value)
    if not isinstance(value, str):
        raise _error("key", "must be a string")
    if not _KEY_RE.fullmatch(value):
        raise _error(
            "key",
            f'invalid key "{value}" (letters, digits, _ and -, up to 48 characters, '
            "starting with a letter or digit)",
        )
    return value


def _parse_duration(value: object) -> int:
    if _is_int(value):
        seconds = int(str(value))
    elif isinstance(value, str) and (match := _DURATION_RE.fullmatch(value.strip())):
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
    else:
        raise _error("duration", f'invalid duration "{value}" (use <number><s|m|h|d>, e.g. 24h)')
    if seconds <= 0:
        raise _error("duration", "must be longer than zero")
    return seconds


class SeedSpan(BaseModel):
    """A deadline's length: seconds, or a count of working days ("3wd"). For working days
    `seconds` holds the same count of calendar days, a rough figure where a calendar is not
    at hand (the database keeps both, see migration 0009)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seconds: int
    workdays: int | None = None

    def __str__(self) -> str:
        return f"{self.workdays}wd" if self.workdays else format_duration(self.seconds)


def _parse_span(value: object) -> SeedSpan:
    if isinstance(value, SeedSpan):
        return value
    match = _SPAN_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None and match.group(2) == "wd":
        count = int(match.group(1))
        if count <= 0:
            raise _error("duration", "must be longer than zero")
        return SeedSpan(seconds=count * _UNITS["d"], workdays=count)
    if _is_int(value) or match is not None:
        return SeedSpan(seconds=_parse_duration(value))
    raise _error(
        "duration",
        f'invalid duration "{value}" (use <number><s|m|h|d> or <number>wd, e.g. 24h or 3wd)',
    )


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_day(value: object) -> datetime.date:
    # YAML reads an unquoted 2026-10-01 as a date already; a datetime is not a day
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        with contextlib.suppress(ValueError):
            return datetime.date.fromisoformat(value.strip())
    raise _error("date", f'invalid date "{value}" (use YYYY-MM-DD, e.g. 2026-10-01)')


def _parse_time(value: object) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    match = _TIME_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _error("time", 'must be a time "HH:MM", e.g. "09:30"')
    return datetime.time(int(match.group(1)), int(match.group(2)))


def _parse_telegram_id(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not _is_int(value) or int(str(value)) <= 0:
        raise _error("telegram_id", "must be a positive integer")
    return int(str(value))


WECOM_USERID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")


def _parse_wecom_userid(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not WECOM_USERID.fullmatch(value.strip()):
        raise _error("wecom_userid", "must be 1–64 letters, digits or _ . @ -")
    return value.strip()


def _parse_phone(value: object) -> str | None:
    """Normalise to ``+<digits>``: strip separators, 00 → +, 11-digit Chinese mobiles get +86."""
    if value is None:
        return None
    if not isinstance(value, str) and not _is_int(value):
        raise _error("phone", "must be a string")
    text = re.sub(r"[\s\-().]", "", str(value))
    if text.startswith("00"):
        text = "+" + text[2:]
    if re.fullmatch(r"1\d{10}", text):
        text = "+86" + text
    if not re.fullmatch(r"\+[1-9]\d{6,14}", text):
        raise _error("phone", f'invalid phone "{value}" (use "+<country code><number>", quoted)')
    return text


Key = Annotated[str, BeforeValidator(_parse_key)]
"""A seed key: ``^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$`` (it goes into deep links ``st_<key>``)."""

Duration = Annotated[int, BeforeValidator(_parse_duration)]
"""Seconds (> 0), written ``<number><s|m|h|d>`` (``24h``, ``7d``) or as a plain integer."""

Span = Annotated[SeedSpan, BeforeValidator(_parse_span)]
"""A `Duration`, or working days written ``<number>wd`` (``3wd``): a deadline's length."""

Day = Annotated[datetime.date, BeforeValidator(_parse_day)]

ClockTime = Annotated[datetime.time, BeforeValidator(_parse_time)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def format_duration(seconds: int) -> str:
    """Inverse of `Duration` for display, in the largest exact unit: 86400 → "1d", 5400 → "90m"."""
    for unit, size in _UNITS.items():
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# ---------------------------------------------------------------------------------------------
# Models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalizedText(_Model):
    """Chinese and English text; a plain string means the same text in both."""

    zh: Text
    en: Text

    @model_validator(mode="before")
    @classmethod
    def _from_plain(cls, data: Any) -> Any:
        if isinstance(data, str):
            if not data.strip():
                raise _error("text", "must not be empty")
            return {"zh": data, "en": data}
        if not isinstance(data, dict):
            raise _error("text", "must be a string or {zh: …, en: …}")
        en = data.get("en")
        if en is None or (isinstance(en, str) and not en.strip()):
            zh = data.get("zh")
            # a blank or missing zh is reported on zh alone
            return {**data, "en": zh if isinstance(zh, str) and zh.strip() else "-"}
        return data


class SeedCategory(_Model):
    key: Key
    name: LocalizedText
    accept_within: Span
    reply_within: Span
    escalate_after: Duration = 86400
    urgent: bool = False  # notices go out even in quiet hours (a gas leak, a collapsed road)


class SeedLocation(_Model):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class SeedReception(_Model):
    """One reception slot (接待日); weekday 1 = Monday .. 7 = Sunday."""

    weekday: int = Field(ge=1, le=7)
    start: ClockTime
    end: ClockTime

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: datetime.time, info: ValidationInfo) -> datetime.time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise _error("time_order", "must be after start")
        return end


class SeedPerson(_Model):
    key: Key
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    level: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    telegram_id: Annotated[int | None, BeforeValidator(_parse_telegram_id)] = None
    phone: Annotated[str | None, BeforeValidator(_parse_phone)] = None
    # the member's account in the office's WeCom (企业微信) app
    wecom_userid: Annotated[str | None, BeforeValidator(_parse_wecom_userid)] = None


class SeedAdmin(SeedPerson):
    pass


class SeedDepartment(_Model):
    key: Key
    name: LocalizedText
    # the unit's own deadlines for a transferred issue: to sign for it (签收), to answer it
    sign_within: Span = SeedSpan(seconds=86400, workdays=1)
    answer_within: Span = SeedSpan(seconds=10 * 86400, workdays=10)
    # its 联络员, who act for it in the bot (bound like deputies: by phone or invite)
    liaisons: list[SeedPerson] = []


class SeedStation(_Model):
    key: Key
    name: Text
    district: Text
    address: Text | None = None
    location: SeedLocation | None = None
    reception: list[SeedReception] = []
    deputies: list[SeedPerson] = []
    staff: list[SeedPerson] = []


class SeedPatrol(_Model):
    """A 走街串巷 checklist walked on a cron schedule."""

    key: Key
    station: Key
    name: LocalizedText
    schedule: str
    category: Key | None = None
    items: list[LocalizedText] = Field(min_length=1, max_length=30)

    @field_validator("schedule")
    @classmethod
    def _valid_cron(cls, schedule: str) -> str:
        schedule = " ".join(schedule.split())
        if len(schedule.split()) != 5:
            raise _error("cron", f'invalid cron "{schedule}" (needs 5 fields: m h dom mon dow)')
        try:
            # standard cron meaning (0 and 7 = Sunday), as the scheduler runs it
            cron_trigger(schedule, ZoneInfo("UTC"))
        except ValueError as exc:
            raise _error("cron", f'invalid cron "{schedule}" ({exc})') from None
        return schedule


class SeedCalendar(_Model):
    """Corrections to the holiday calendar (chinesecalendar): days off and 调休 working days
    it lacks, e.g. for a year whose State Council notice came after the package's release."""

    holidays: list[Day] = []
    workdays: list[Day] = []

    def days(self) -> dict[datetime.date, bool]:
        """Each listed date: whether it is a working day."""
        return {**dict.fromkeys(self.holidays, False), **dict.fromkeys(self.workdays, True)}


class SeedFile(_Model):
    """A whole seed file. Validating it also runs the cross-checks (raising `SeedError`)."""

    city: Text
    categories: list[SeedCategory] = Field(min_length=1, max_length=20)
    departments: list[SeedDepartment] = []
    stations: list[SeedStation] = []
    admins: list[SeedAdmin] = []
    patrols: list[SeedPatrol] = []
    calendar: SeedCalendar = SeedCalendar()

    @model_validator(mode="after")
    def _cross_checked(self) -> Self:
        problems = _cross_check(self.model_dump())
        if problems:
            raise SeedError(problems)
        return self

    def people(self) -> dict[str, SeedPerson]:
        """Every distinct person (deputies, staff, liaisons, admins) by key, first occurrence
        wins."""
        found: dict[str, SeedPerson] = {}
        for station in self.stations:
            for person in [*station.deputies, *station.staff]:
                found.setdefault(person.key, person)
        for department in self.departments:
            for person in department.liaisons:
                found.setdefault(person.key, person)
        for admin in self.admins:
            found.setdefault(admin.key, admin)
        return found


# ---------------------------------------------------------------------------------------------
# Cross-checks: run on the raw data, over whichever entries are valid on their own, so that an
# invalid file still gets every problem reported at once.

_M = TypeVar("_M", bound=BaseModel)
_KEYED = ("categories", "departments", "stations", "patrols")


def _list(raw: object) -> list[Any]:
    return raw if isinstance(raw, list) else []


def _valid(raw: object, model: type[_M]) -> list[tuple[int, _M]]:
    """The items of a list that are valid on their own, with their indices."""
    kept = []
    for index, item in enumerate(_list(raw)):
        with contextlib.suppress(ValidationError):
            kept.append((index, model.model_validate(item)))
    return kept


def _keys(raw: object) -> list[tuple[int, str]]:
    return [
        (index, str(item["key"]))
        for index, item in enumerate(_list(raw))
        if isinstance(item, dict) and (isinstance(item.get("key"), str) or _is_int(item.get("key")))
    ]


def _cross_check(data: dict[str, Any]) -> list[str]:
    """Duplicate keys, inconsistent people, unknown references and overlapping receptions."""
    problems: list[str] = []
    keys = {name: _keys(data.get(name)) for name in _KEYED}
    for name, found in keys.items():
        first: dict[str, int] = {}
        for index, key in found:
            if key in first:
                problems.append(
                    f'{name}.{index}.key: duplicate key "{key}" (also {name}.{first[key]})'
                )
            first.setdefault(key, index)

    groups: list[tuple[str, list[tuple[int, SeedPerson]]]] = []
    overlaps: list[str] = []
    for index, station in enumerate(_list(data.get("stations"))):
        if isinstance(station, dict):
            for role in ("deputies", "staff"):
                groups.append((f"stations.{index}.{role}", _valid(station.get(role), SeedPerson)))
            slots = _valid(station.get("reception"), SeedReception)
            overlaps += _overlaps(f"stations.{index}.reception", slots)
    for index, department in enumerate(_list(data.get("departments"))):
        if isinstance(department, dict):
            path = f"departments.{index}.liaisons"
            groups.append((path, _valid(department.get("liaisons"), SeedPerson)))
    groups.append(("admins", list(_valid(data.get("admins"), SeedAdmin))))
    problems += _people_problems(groups) + overlaps + _calendar_problems(data.get("calendar"))

    stations = {key for _, key in keys["stations"]}
    categories = {key for _, key in keys["categories"]}
    for index, patrol in _valid(data.get("patrols"), SeedPatrol):
        if patrol.station not in stations:
            problems.append(f'patrols.{index}.station: unknown station "{patrol.station}"')
        if patrol.category is not None and patrol.category not in categories:
            problems.append(f'patrols.{index}.category: unknown category "{patrol.category}"')
    return problems


def _people_problems(groups: list[tuple[str, list[tuple[int, SeedPerson]]]]) -> list[str]:
    """One key is one person everywhere; one telegram_id or phone is one key; no repeats."""
    problems: list[str] = []
    seen: dict[str, tuple[str, SeedPerson]] = {}
    owners: dict[tuple[str, object], tuple[str, str]] = {}  # (field, value) → (key, path)
    for group, people in groups:
        listed: set[str] = set()
        for index, person in people:
            path = f"{group}.{index}"
            if person.key in listed:
                problems.append(f'{path}.key: "{person.key}" is listed twice in {group}')
            listed.add(person.key)
            if person.key in seen:
                first_path, first = seen[person.key]
                for name in ("name", "telegram_id", "phone", "wecom_userid"):
                    if getattr(person, name) != getattr(first, name):
                        problems.append(
                            f"{path}.{name}: differs from {first_path} for the same person "
                            f'"{person.key}"'
                        )
                continue
            seen[person.key] = (path, person)
            for name in ("telegram_id", "phone", "wecom_userid"):
                value = getattr(person, name)
                if value is not None:
                    owner = owners.setdefault((name, value), (person.key, path))
                    if owner[0] != person.key:
                        problems.append(
                            f'{path}.{name}: {value} already belongs to "{owner[0]}" ({owner[1]})'
                        )
    return problems


def _calendar_problems(raw: object) -> list[str]:
    """A day cannot be both a holiday and a working day."""
    if not isinstance(raw, dict):
        return []
    days: dict[str, list[tuple[int, datetime.date]]] = {"holidays": [], "workdays": []}
    for name, found in days.items():
        for index, item in enumerate(_list(raw.get(name))):
            with contextlib.suppress(ValueError):  # a bad date is reported by validation
                found.append((index, _parse_day(item)))
    holidays = {day for _, day in days["holidays"]}
    return [
        f"calendar.workdays.{index}: {day} is also listed as a holiday"
        for index, day in days["workdays"]
        if day in holidays
    ]


def _overlaps(path: str, slots: list[tuple[int, SeedReception]]) -> list[str]:
    problems: list[str] = []
    for position, (j, slot) in enumerate(slots):
        for k, other in slots[:position]:
            if slot.weekday == other.weekday and slot.start < other.end and other.start < slot.end:
                problems.append(f"{path}.{j}: overlaps {path}.{k} on weekday {slot.weekday}")
    return problems


# ---------------------------------------------------------------------------------------------
# Parsing

_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps ``10:30`` a string (not YAML 1.1 base-60) and rejects duplicate keys."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0] and _SEXAGESIMAL.fullmatch(value):
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f'duplicate key "{key_node.value}"', key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


_PLAIN_REASONS = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "string_too_short": "must not be empty",
}


def _reason(error: ErrorDetails) -> str:
    """A short plain-English reason for one pydantic error."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in _PLAIN_REASONS:
        return _PLAIN_REASONS[kind]
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "too_short":
        return f"must have at least {ctx['min_length']} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx['max_length']} items"
    if kind in {"greater_than_equal", "less_than_equal"}:
        return f"must be between {_RANGES.get(str(error['loc'][-1]), 'the allowed limits')}"
    return error["msg"].removeprefix("Value error, ")


_RANGES = {"lat": "-90 and 90", "lon": "-180 and 180", "weekday": "1 (Monday) and 7 (Sunday)"}


def _path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_seed(text: str) -> SeedFile:
    """Parse and validate seed YAML, raising `SeedError` with every problem found."""
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else "yaml"
        raise SeedError([f"{where}: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise SeedError([f"yaml: {exc}"]) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise SeedError([f"(top level): must be a mapping with city, categories, …; got {got}"])
    try:
        return SeedFile.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_path(e['loc'])}: {_reason(e)}" for e in exc.errors()]
    problems += _cross_check(data)
    raise SeedError(problems)


def read_seed(path: str | Path) -> SeedFile:
    """Read and validate a seed file; a missing or unreadable file is a `SeedError` too."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except FileNotFoundError:
        raise SeedError([f"{path}: file not found"]) from None
    except UnicodeDecodeError:
        raise SeedError([f"{path}: not UTF-8 text"]) from None
    except OSError as exc:
        raise SeedError([f"{path}: cannot read ({exc.strerror or exc})"]) from None
    return parse_seed(text)
