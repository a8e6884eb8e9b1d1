"""Seed file schema and parser (bot/seed.py) and the demo seed (seeds/demo.yaml)."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.seed import (
    LocalizedText,
    SeedError,
    SeedFile,
    SeedPerson,
    SeedSpan,
    format_duration,
    parse_seed,
    read_seed,
)

DEMO = Path(__file__).resolve().parents[2] / "seeds" / "demo.yaml"

BASE: dict[str, Any] = {
    "city": "哈尔滨市",
    "categories": [
        {"key": "roads", "name": "道路交通", "accept_within": "24h", "reply_within": "7d"},
        {"key": "other", "name": "其他", "accept_within": "2d", "reply_within": "15d"},
    ],
    "departments": [{"key": "housing", "name": {"zh": "区住建局", "en": "Housing bureau"}}],
    "stations": [
        {
            "key": "a",
            "name": "A 站",
            "district": "道里区",
            "reception": [{"weekday": 2, "start": "09:00", "end": "11:30"}],
            "deputies": [{"key": "zhang", "name": "张宇晖", "telegram_id": 1001}],
            "staff": [{"key": "wang", "name": "王晓", "telegram_id": 2001}],
        },
        {"key": "b", "name": "B 站", "district": "南岗区"},
    ],
    "admins": [{"key": "office", "name": "人事代表工委", "telegram_id": 3001}],
    "patrols": [
        {
            "key": "walk",
            "station": "a",
            "name": "每周走街串巷",
            "schedule": "0 9 * * 2",
            "items": ["路灯照明"],
        }
    ],
}


def seed_text(**changes: Any) -> str:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def problems_of(text: str) -> list[str]:
    with pytest.raises(SeedError) as caught:
        parse_seed(text)
    return caught.value.problems


def station(key: str = "s", **fields: Any) -> dict[str, Any]:
    return {"key": key, "name": f"{key} 站", "district": "道里区", **fields}


# --- the demo seed ----------------------------------------------------------------------------


def test_demo_seed_meets_the_minimums() -> None:
    seed = read_seed(DEMO)
    deputies = {p.key for s in seed.stations for p in s.deputies}
    staff = {p.key for s in seed.stations for p in s.staff}
    assert seed.city == "哈尔滨市"
    assert len({s.district for s in seed.stations}) >= 4
    assert len(seed.stations) >= 8
    assert len(deputies) >= 20
    assert len(staff) >= 6
    assert len(seed.departments) >= 10
    assert len(seed.patrols) >= 2
    assert 1 <= len(seed.admins) <= 2
    assert {c.key for c in seed.categories} >= {
        "roads",
        "heating",
        "property",
        "renovation",
        "food-safety",
        "bus-stops",
        "accessible-parking",
        "elderly-meals",
        "noise",
        "signal",
        "other",
    }


def test_demo_seed_shows_the_edge_cases() -> None:
    seed = read_seed(DEMO)
    people = seed.people()
    stations_of: dict[str, int] = {}
    for s in seed.stations:
        assert 1 <= len(s.reception) <= 2
        assert s.location is not None
        assert 45 < s.location.lat < 46.5
        assert 126 < s.location.lon < 128
        for p in s.deputies:
            stations_of[p.key] = stations_of.get(p.key, 0) + 1
            assert p.level in {"市人大代表", "区人大代表", "县人大代表"}
            assert p.telegram_id is None or 1001 <= p.telegram_id <= 1099
        for p in s.staff:
            assert p.telegram_id is not None
            assert 2001 <= p.telegram_id <= 2099
    assert any(count > 1 for count in stations_of.values())
    assert any(not s.staff for s in seed.stations)
    phone_only = [p for p in people.values() if p.telegram_id is None]
    assert phone_only
    assert all(p.phone and p.phone.startswith("+86") for p in phone_only)
    assert all(a.telegram_id is not None and a.telegram_id >= 3001 for a in seed.admins)
    for patrol in seed.patrols:
        assert len(patrol.items) >= 5
    items = [i for p in seed.patrols for i in p.items]
    assert any(i.zh == i.en for i in items)
    assert any(i.zh != i.en for i in items)


# --- scalar types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("30s", 30), ("90m", 5400), ("24h", 86400), ("7d", 604800), (" 2h ", 7200), (3600, 3600)],
)
def test_durations(written: object, seconds: int) -> None:
    categories = [{"key": "c", "name": "C", "accept_within": written, "reply_within": "1d"}]
    seed = parse_seed(seed_text(categories=categories, patrols=[]))
    assert seed.categories[0].accept_within == SeedSpan(seconds=seconds, workdays=None)
    assert seed.categories[0].escalate_after == 86400


SPAN_HINT = "(use <number><s|m|h|d> or <number>wd, e.g. 24h or 3wd)"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("3x", f'invalid duration "3x" {SPAN_HINT}'),
        ("1.5h", f'invalid duration "1.5h" {SPAN_HINT}'),
        ("-1h", f'invalid duration "-1h" {SPAN_HINT}'),
        ("h", f'invalid duration "h" {SPAN_HINT}'),
        (True, f'invalid duration "True" {SPAN_HINT}'),
        ("0h", "must be longer than zero"),
        (0, "must be longer than zero"),
    ],
)
def test_bad_durations(written: object, reason: str) -> None:
    categories = [{"key": "c", "name": "C", "accept_within": "1h", "reply_within": written}]
    assert problems_of(seed_text(categories=categories, patrols=[])) == [
        f"categories.0.reply_within: {reason}"
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(86400, "1d"), (5400, "90m"), (7200, "2h"), (30, "30s"), (90, "90s"), (604800, "7d")],
)
def test_format_duration(seconds: int, shown: str) -> None:
    assert format_duration(seconds) == shown


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        ("道路交通", "道路交通", "道路交通"),
        ({"zh": "道路交通", "en": "Roads"}, "道路交通", "Roads"),
        ({"zh": "道路交通"}, "道路交通", "道路交通"),
        ({"zh": " 供暖 ", "en": ""}, "供暖", "供暖"),
    ],
)
def test_localized_text_forms(written: object, zh: str, en: str) -> None:
    text = LocalizedText.model_validate(written)
    assert (text.zh, text.en) == (zh, en)


def test_localized_text_problems() -> None:
    departments = [
        {"key": "a", "name": ""},
        {"key": "b", "name": {"en": "Housing"}},
        {"key": "c", "name": ["x"]},
        {"key": "d", "name": {"zh": "区", "fr": "x"}},
    ]
    assert problems_of(seed_text(departments=departments)) == [
        "departments.0.name: must not be empty",
        "departments.1.name.zh: required",
        "departments.2.name: must be a string or {zh: …, en: …}",
        "departments.3.name.fr: unknown field",
    ]


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("+8613800000002", "+8613800000002"),
        ("138 0000-0002", "+8613800000002"),
        (13800000002, "+8613800000002"),
        ("0086 138 0000 0002", "+8613800000002"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_normalisation(written: object, normalised: str) -> None:
    assert SeedPerson(key="p", name="P", phone=written).phone == normalised  # type: ignore[arg-type]


@pytest.mark.parametrize("written", ["12345", "abc", "+0123456789", "038000000002", "+86 138 x"])
def test_bad_phones(written: str) -> None:
    deputies = [{"key": "p", "name": "P", "phone": written}]
    assert problems_of(seed_text(stations=[station(deputies=deputies)], patrols=[])) == [
        f'stations.0.deputies.0.phone: invalid phone "{written}" '
        '(use "+<country code><number>", quoted)'
    ]


def test_keys() -> None:
    good = "A" + "b_-9" * 11 + "xyz"  # 48 characters
    parse_seed(seed_text(stations=[station(good)], patrols=[]))
    problems = problems_of(seed_text(stations=[station(good + "z"), station("st key")], patrols=[]))
    assert [p.split(":")[0] for p in problems] == ["stations.0.key", "stations.1.key"]
    assert problems[1].startswith('stations.1.key: invalid key "st key"')


def test_reception_times() -> None:
    # unquoted, 11:30 must not become YAML 1.1's base-60 number 690
    text = seed_text(patrols=[]).replace("'09:00'", "09:00").replace("'11:30'", "11:30")
    assert "end: 11:30" in text
    slot = parse_seed(text).stations[0].reception[0]
    assert (slot.start, slot.end) == (datetime.time(9, 0), datetime.time(11, 30))
    slots = [
        {"weekday": 1, "start": "09:00", "end": "10:00"},
        {"weekday": 1, "start": "10:00", "end": "11:00"},  # touching is fine
        {"weekday": 1, "start": "10:30", "end": "12:00"},  # overlaps the one above
        {"weekday": 2, "start": "12:00", "end": "09:00"},
        {"weekday": 8, "start": "9", "end": "25:00"},
    ]
    assert problems_of(seed_text(stations=[station(reception=slots)], patrols=[])) == [
        "stations.0.reception.3.end: must be after start",
        "stations.0.reception.4.weekday: must be between 1 (Monday) and 7 (Sunday)",
        'stations.0.reception.4.start: must be a time "HH:MM", e.g. "09:30"',
        'stations.0.reception.4.end: must be a time "HH:MM", e.g. "09:30"',
        "stations.0.reception.2: overlaps stations.0.reception.1 on weekday 1",
    ]


# --- whole files ------------------------------------------------------------------------------


def test_valid_file_and_people() -> None:
    stations = copy.deepcopy(BASE["stations"])
    stations[1]["deputies"] = [{"key": "zhang", "name": "张宇晖", "telegram_id": 1001}]
    admins = [{"key": "zhang", "name": "张宇晖", "telegram_id": 1001}, *BASE["admins"]]
    seed = parse_seed(seed_text(stations=stations, admins=admins))
    assert isinstance(seed, SeedFile)
    assert sorted(seed.people()) == ["office", "wang", "zhang"]
    assert seed.patrols[0].items[0] == LocalizedText(zh="路灯照明", en="路灯照明")


def test_many_problems_are_reported_at_once() -> None:
    text = """
city: 哈尔滨市
categories:
  - {key: roads, name: 道路交通, accept_within: 3x, reply_within: 7d}
  - {key: roads, name: 其他, accept_within: 1d, reply_within: 7d}
stations:
  - key: a
    name: A 站
    district: 道里区
    location: {lat: 95, lon: 126.6}
    deputies:
      - {key: zhang, name: 张宇晖, telegram_id: 1001}
  - key: b
    name: B 站
    district: 南岗区
    deputies:
      - {key: li, name: 李秀梅, telegram_id: -5}
      - {key: zhang, name: 张宇晖, telegram_id: 1009}
patrols:
  - {key: walk, station: nope, name: 走访, schedule: "0 9 * * 2", category: roadz, items: [路灯]}
"""
    assert problems_of(text) == [
        f'categories.0.accept_within: invalid duration "3x" {SPAN_HINT}',
        "stations.0.location.lat: must be between -90 and 90",
        "stations.1.deputies.0.telegram_id: must be a positive integer",
        'categories.1.key: duplicate key "roads" (also categories.0)',
        'stations.1.deputies.1.telegram_id: differs from stations.0.deputies.0 for the same person "zhang"',
        'patrols.0.station: unknown station "nope"',
        'patrols.0.category: unknown category "roadz"',
    ]


def test_unknown_and_missing_fields() -> None:
    categories = [{"key": "c", "name": "C", "accept_within": "1h", "reply_withn": "1d"}]
    assert problems_of(seed_text(categories=categories, patrols=[], colour="red")) == [
        "categories.0.reply_within: required",
        "categories.0.reply_withn: unknown field",
        "colour: unknown field",
    ]


def test_category_count_limits() -> None:
    one = {"name": "C", "accept_within": "1h", "reply_within": "1d"}
    too_many = [{"key": f"c{i}", **one} for i in range(21)]
    assert problems_of(seed_text(categories=too_many, patrols=[])) == [
        "categories: must have at most 20 items"
    ]
    assert problems_of(seed_text(categories=[], patrols=[])) == [
        "categories: must have at least 1 item(s)"
    ]


def test_duplicate_keys() -> None:
    departments = [{"key": "d", "name": "区住建局"}, {"key": "d", "name": "区城管局"}]
    stations = [*BASE["stations"], station("a")]
    patrols = [*BASE["patrols"], *BASE["patrols"]]
    assert problems_of(seed_text(departments=departments, stations=stations, patrols=patrols)) == [
        'departments.1.key: duplicate key "d" (also departments.0)',
        'stations.2.key: duplicate key "a" (also stations.0)',
        'patrols.1.key: duplicate key "walk" (also patrols.0)',
    ]


def test_patrol_references() -> None:
    patrol = {**BASE["patrols"][0], "station": "nope", "category": "roadz"}
    assert problems_of(seed_text(patrols=[patrol])) == [
        'patrols.0.station: unknown station "nope"',
        'patrols.0.category: unknown category "roadz"',
    ]


def test_patrol_items_and_cron() -> None:
    patrols = [
        {**BASE["patrols"][0], "schedule": "0 25 * * 2"},
        {**BASE["patrols"][0], "key": "w2", "schedule": "0 9 * *"},
        {**BASE["patrols"][0], "key": "w3", "items": []},
        {**BASE["patrols"][0], "key": "w4", "items": ["x"] * 31},
    ]
    problems = problems_of(seed_text(patrols=patrols))
    assert [p.split(": ")[0] for p in problems] == [
        "patrols.0.schedule",
        "patrols.1.schedule",
        "patrols.2.items",
        "patrols.3.items",
    ]
    assert problems[0].startswith('patrols.0.schedule: invalid cron "0 25 * * 2" (')
    assert problems[1].startswith('patrols.1.schedule: invalid cron "0 9 * *" (')
    assert problems[2:] == [
        "patrols.2.items: must have at least 1 item(s)",
        "patrols.3.items: must have at most 30 items",
    ]


def test_person_reused_with_different_details() -> None:
    stations = copy.deepcopy(BASE["stations"])
    stations[1]["deputies"] = [{"key": "zhang", "name": "张宇辉", "telegram_id": 1002}]
    assert problems_of(seed_text(stations=stations)) == [
        'stations.1.deputies.0.name: differs from stations.0.deputies.0 for the same person "zhang"',
        'stations.1.deputies.0.telegram_id: differs from stations.0.deputies.0 for the same person "zhang"',
    ]


def test_one_telegram_id_or_phone_per_person() -> None:
    stations = copy.deepcopy(BASE["stations"])
    stations[1]["deputies"] = [
        {"key": "li", "name": "李秀梅", "telegram_id": 1001},
        {"key": "lu", "name": "卢士明", "phone": "13800000002"},
        {"key": "lu2", "name": "卢士明", "phone": "+86 138 0000 0002"},
    ]
    assert problems_of(seed_text(stations=stations)) == [
        'stations.1.deputies.0.telegram_id: 1001 already belongs to "zhang" (stations.0.deputies.0)',
        'stations.1.deputies.2.phone: +8613800000002 already belongs to "lu" (stations.1.deputies.1)',
    ]


def test_person_listed_twice_at_one_station() -> None:
    stations = copy.deepcopy(BASE["stations"])
    stations[0]["deputies"] *= 2
    stations[0]["staff"].append(stations[0]["deputies"][0])  # deputy and staff: allowed
    assert problems_of(seed_text(stations=stations)) == [
        'stations.0.deputies.1.key: "zhang" is listed twice in stations.0.deputies'
    ]


def test_cross_checks_also_guard_direct_validation() -> None:
    data = yaml.safe_load(seed_text(patrols=[{**BASE["patrols"][0], "station": "nope"}]))
    with pytest.raises(SeedError) as caught:
        SeedFile.model_validate(data)
    assert caught.value.problems == ['patrols.0.station: unknown station "nope"']


# --- YAML and files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("city: x\ncategories: [1\n", "line 3: expected ',' or ']', but got '<stream end>'"),
        ("city: x\ncity: y\n", 'line 2: duplicate key "city"'),
        ("- city\n", "(top level): must be a mapping with city, categories, …; got a list"),
        ("", "(top level): must be a mapping with city, categories, …; got an empty file"),
    ],
)
def test_bad_yaml(text: str, problem: str) -> None:
    assert problems_of(text) == [problem]


def test_read_seed_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SeedError) as caught:
        read_seed(missing)
    assert caught.value.problems == [f"{missing}: file not found"]
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SeedError) as caught:
        read_seed(binary)
    assert caught.value.problems == [f"{binary}: not UTF-8 text"]
    with_bom = tmp_path / "bom.yaml"
    with_bom.write_bytes(b"\xef\xbb\xbf" + seed_text().encode())
    assert read_seed(with_bom).city == "哈尔滨市"


def test_seed_error_message_lists_every_problem() -> None:
    error = SeedError(["a.b: one", "c: two"])
    assert str(error) == "invalid seed file:\n  a.b: one\n  c: two"


def test_patrol_cron_uses_standard_weekdays() -> None:
    """`* * 2` is Tuesday and 7 is Sunday, as in crontab(5) (APScheduler alone differs)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.scheduling import cron_trigger

    zone = ZoneInfo("Asia/Shanghai")
    monday = datetime(2026, 11, 23, 12, 0, tzinfo=zone)
    tuesday = cron_trigger("0 9 * * 2", zone).get_next_fire_time(None, monday)
    sunday = cron_trigger("0 9 * * 7", zone).get_next_fire_time(None, monday)
    assert (tuesday.isoweekday(), tuesday.hour) == (2, 9)
    assert sunday.isoweekday() == 7
