"""Departments in the seed: deadlines in working days ("3wd"), liaisons (联络员) and the holiday
calendar's corrections; loading them, who a liaison is to the bot, and how they bind."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.errors import DomainError, NotFound
from bot.models import Issue, Role, State
from bot.seed import SeedError, SeedSpan, parse_seed
from bot.services.invites import InviteService
from bot.services.people import actor_of
from bot.services.seeding import seed_database
from storage.db import Database

BASE: dict[str, Any] = {
    "city": "哈尔滨市",
    "categories": [
        {"key": "roads", "name": "道路交通", "accept_within": "1wd", "reply_within": "10wd"},
        {"key": "other", "name": "其他", "accept_within": "24h", "reply_within": "7d"},
    ],
    "departments": [
        {
            "key": "housing",
            "name": {"zh": "区住建局", "en": "Housing bureau"},
            "sign_within": "2wd",
            "answer_within": "15wd",
            "liaisons": [
                {"key": "liu", "name": "刘建国", "phone": "13900000001"},
                {"key": "chen", "name": "陈丽", "wecom_userid": "chen.li"},
            ],
        },
        {"key": "police", "name": {"zh": "区交警大队", "en": "Traffic police"}},
    ],
    "stations": [
        {
            "key": "a",
            "name": "A 站",
            "district": "道里区",
            "deputies": [{"key": "zhang", "name": "张宇晖", "telegram_id": 1001}],
        }
    ],
    "calendar": {"holidays": ["2027-01-01"], "workdays": ["2027-02-06"]},
}


def seed_text(**changes: Any) -> str:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def problems_of(text: str) -> list[str]:
    with pytest.raises(SeedError) as caught:
        parse_seed(text)
    return caught.value.problems


def departments(**first: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = copy.deepcopy(BASE["departments"])
    found[0].update(first)
    return found


HINT = "(use <number><s|m|h|d> or <number>wd, e.g. 24h or 3wd)"


# --- parsing ----------------------------------------------------------------------------------


def test_working_days_and_plain_durations() -> None:
    seed = parse_seed(seed_text())
    roads, other = seed.categories
    assert roads.accept_within == SeedSpan(seconds=86400, workdays=1)
    assert roads.reply_within == SeedSpan(seconds=10 * 86400, workdays=10)
    assert other.accept_within == SeedSpan(seconds=86400, workdays=None)
    housing, police = seed.departments
    assert (housing.sign_within, housing.answer_within) == (
        SeedSpan(seconds=2 * 86400, workdays=2),
        SeedSpan(seconds=15 * 86400, workdays=15),
    )
    # a unit's defaults: 1 working day to sign for an issue, 10 to answer it
    assert (str(police.sign_within), str(police.answer_within)) == ("1wd", "10wd")
    assert str(other.reply_within) == "7d"


@pytest.mark.parametrize(("written", "workdays"), [("3wd", 3), (" 3 wd ", 3), ("1wd", 1)])
def test_working_day_forms(written: str, workdays: int) -> None:
    seed = parse_seed(seed_text(departments=departments(sign_within=written)))
    assert seed.departments[0].sign_within == SeedSpan(seconds=workdays * 86400, workdays=workdays)


def test_bad_spans_are_listed_with_their_paths() -> None:
    categories = copy.deepcopy(BASE["categories"])
    categories[0]["reply_within"] = "2weeks"
    categories[1]["escalate_after"] = "1wd"  # escalation is counted in plain time
    problems = problems_of(
        seed_text(
            categories=categories, departments=departments(sign_within="0wd", answer_within="1.5wd")
        )
    )
    assert problems == [
        f'categories.0.reply_within: invalid duration "2weeks" {HINT}',
        'categories.1.escalate_after: invalid duration "1wd" (use <number><s|m|h|d>, e.g. 24h)',
        "departments.0.sign_within: must be longer than zero",
        f'departments.0.answer_within: invalid duration "1.5wd" {HINT}',
    ]


def test_liaisons_are_people() -> None:
    seed = parse_seed(seed_text())
    people = seed.people()
    assert sorted(people) == ["chen", "liu", "zhang"]
    assert people["liu"].phone == "+8613900000001"
    assert people["chen"].wecom_userid == "chen.li"


def test_liaisons_are_checked_like_deputies() -> None:
    liaisons = [
        {"key": "liu", "name": "刘建国", "phone": "12345"},
        {"key": "chen", "name": "陈丽"},
        {"key": "chen", "name": "陈丽"},
        {"key": "zhang", "name": "张宇辉"},  # the deputy's key with other details
        {"key": "wu", "name": "吴", "telegram_id": 1001},  # the deputy's account
    ]
    assert problems_of(seed_text(departments=departments(liaisons=liaisons))) == [
        'departments.0.liaisons.0.phone: invalid phone "12345" (use "+<country code><number>", '
        "quoted)",
        'departments.0.liaisons.2.key: "chen" is listed twice in departments.0.liaisons',
        'departments.0.liaisons.3.name: differs from stations.0.deputies.0 for the same person "zhang"',
        "departments.0.liaisons.3.telegram_id: differs from stations.0.deputies.0 for the same "
        'person "zhang"',
        'departments.0.liaisons.4.telegram_id: 1001 already belongs to "zhang" '
        "(stations.0.deputies.0)",
    ]


def test_one_person_may_act_for_two_departments_and_be_a_deputy() -> None:
    found = departments()
    found[1]["liaisons"] = [
        {"key": "liu", "name": "刘建国", "phone": "13900000001"},
        {"key": "zhang", "name": "张宇晖", "telegram_id": 1001},
    ]
    seed = parse_seed(seed_text(departments=found))
    assert sorted(seed.people()) == ["chen", "liu", "zhang"]


def test_calendar() -> None:
    # unquoted dates come from YAML as dates, quoted ones as strings: both are fine
    text = seed_text().replace("'2027-01-01'", "2027-01-01")
    assert "- 2027-01-01" in text
    seed = parse_seed(text)
    assert seed.calendar.days() == {date(2027, 1, 1): False, date(2027, 2, 6): True}
    assert parse_seed(seed_text(calendar={})).calendar.days() == {}
    without = copy.deepcopy(BASE)
    del without["calendar"]
    assert parse_seed(yaml.safe_dump(without, allow_unicode=True)).calendar.days() == {}


def test_calendar_problems() -> None:
    calendar = {
        "holidays": ["2027-01-01", "2027-02-30", "next friday"],
        "workdays": ["2027-02-06", "2027-01-01"],
        "weekends": [],
    }
    assert problems_of(seed_text(calendar=calendar)) == [
        'calendar.holidays.1: invalid date "2027-02-30" (use YYYY-MM-DD, e.g. 2026-10-01)',
        'calendar.holidays.2: invalid date "next friday" (use YYYY-MM-DD, e.g. 2026-10-01)',
        "calendar.weekends: unknown field",
        "calendar.workdays.1: 2027-01-01 is also listed as a holiday",
    ]


# --- loading ----------------------------------------------------------------------------------


async def _load(db: Database, tmp_path: Path, text: str) -> dict[str, int]:
    path = tmp_path / "seed.yaml"
    path.write_text(text, encoding="utf-8")
    return (await seed_database(db, path, ManualClock())).changed


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    database = await Database.open(tmp_path / "x.db")
    yield database
    await database.close()


async def test_the_loader_writes_spans_liaisons_and_the_calendar(
    db: Database, tmp_path: Path
) -> None:
    first = await _load(db, tmp_path, seed_text())
    assert first["liaisons"] == 2
    assert first["calendar"] == 1
    async with db.read() as repos:
        roads = await repos.stations.category_by_key("roads")
        other = await repos.stations.category_by_key("other")
        assert roads is not None and other is not None
        assert (roads.accept_within, roads.accept_workdays) == (86400, 1)
        assert (roads.reply_within, roads.reply_workdays) == (864000, 10)
        assert (other.accept_workdays, other.reply_workdays) == (None, None)
        housing, police = await repos.stations.departments()
        assert (housing.sign_within, housing.sign_workdays) == (2 * 86400, 2)
        assert (housing.answer_within, housing.answer_workdays) == (15 * 86400, 15)
        assert (police.sign_workdays, police.answer_workdays) == (1, 10)
        assert [p.key for p in await repos.people.liaisons_of(housing.id)] == ["liu", "chen"]
        assert await repos.people.liaisons_of(police.id) == []
        liu = await repos.people.by_key("liu")
        assert liu is not None and liu.phone == "+8613900000001"
        assert await repos.people.departments_of(liu.id) == [housing.id]
        chen = await repos.people.by_wecom("chen.li")
        assert chen is not None and chen.key == "chen"
        assert await repos.calendar.overrides() == {
            date(2027, 1, 1): False,
            date(2027, 2, 6): True,
        }
    second = await _load(db, tmp_path, seed_text())
    assert sum(second.values()) == 0, second


async def test_reloading_moves_liaisons_and_the_calendar_with_the_file(
    db: Database, tmp_path: Path
) -> None:
    await _load(db, tmp_path, seed_text())
    async with db.transaction() as repos:
        housing, police = await repos.stations.departments()
        liu = await repos.people.by_key("liu")
        chen = await repos.people.by_key("chen")
        assert liu is not None and chen is not None
        # an invite-made row for a pair the seed does not list
        await repos.people.add_liaison(police.id, chen.id, "invite")
    moved = departments(liaisons=[BASE["departments"][0]["liaisons"][0]])
    moved[1]["liaisons"] = [BASE["departments"][0]["liaisons"][1]]  # chen moves to police
    changed = await _load(db, tmp_path, seed_text(departments=moved, calendar={}))
    assert changed["liaisons"] == 1  # chen's housing row went; the police row was there
    assert changed["calendar"] == 1
    async with db.read() as repos:
        assert await repos.people.departments_of(liu.id) == [housing.id]
        assert await repos.people.departments_of(chen.id) == [police.id]
        assert await repos.calendar.overrides() == {}
    changed = await _load(db, tmp_path, seed_text(departments=departments(liaisons=[])))
    assert changed["liaisons"] == 2
    async with db.read() as repos:
        assert await repos.people.departments_of(chen.id) == []
        assert await repos.people.liaisons_of(housing.id) == []


async def test_a_liaison_is_an_actor_with_the_liaison_role(
    db: Database, tmp_path: Path, settings: Settings
) -> None:
    await _load(db, tmp_path, seed_text())
    async with db.read() as repos:
        housing, police = await repos.stations.departments()
        liu = await repos.people.by_key("liu")
        zhang = await repos.people.by_key("zhang")
        assert liu is not None and zhang is not None
        found = await repos.people.with_memberships(person_id=liu.id)
        assert found is not None and found.departments == [housing.id]
        actor = await actor_of(repos, liu.id, settings)
        deputy = await actor_of(repos, zhang.id, settings)
    assert actor.liaison_of == frozenset({housing.id})
    assert actor.is_liaison and not actor.is_resident_only
    assert not actor.is_deputy and not actor.is_staff
    assert not deputy.is_liaison and deputy.liaison_of == frozenset()
    issue = Issue(
        id=1,
        station_id=1,
        category_id=1,
        resident_id=999,
        source="resident",
        description="路灯不亮已经一周",
        state=State.TRANSFERRED,
        department_id=housing.id,
        created_at=0,
        accept_due=1,
        reply_due=2,
        updated_at=0,
    )
    assert actor.roles_for(issue) == {Role.LIAISON}
    assert actor.roles_for(issue.model_copy(update={"department_id": police.id})) == set()
    assert actor.roles_for(issue.model_copy(update={"department_id": None})) == set()


# --- binding ----------------------------------------------------------------------------------


async def test_a_liaison_in_no_station_binds_by_phone(
    db: Database, tmp_path: Path, settings: Settings
) -> None:
    await _load(db, tmp_path, seed_text())
    invites = InviteService(db, ManualClock(), settings)
    bound = await invites.bind_phone(5001, 5001, "+86 139 0000 0001")
    assert bound.person.key == "liu"
    async with db.read() as repos:
        found = await repos.people.with_memberships(5001)
        assert found is not None
        assert found.person.key == "liu" and found.departments and found.memberships == []


async def test_a_liaison_binds_by_invite_on_telegram_or_wecom(
    db: Database, tmp_path: Path, settings: Settings
) -> None:
    await _load(db, tmp_path, seed_text())
    invites = InviteService(db, ManualClock(), settings)
    person, department, token = await invites.create_liaison("liu")
    assert (person.key, department.key) == ("liu", "housing")
    bound = await invites.redeem(5001, token)
    assert (bound.person.key, bound.role, bound.station) == ("liu", "liaison", None)
    assert bound.place == "区住建局"
    with pytest.raises(DomainError) as used:
        await invites.redeem(5002, token)
    assert used.value.key == "inv.bad"
    _, _, token = await invites.create_liaison("liu")
    bound = await invites.redeem_wecom("liu.jg", token)  # the same person, on WeCom too
    assert bound.person.wecom_userid == "liu.jg"
    # the seed bound chen to chen.li: another member cannot take chen's place
    _, _, token = await invites.create_liaison("chen", "housing")
    with pytest.raises(DomainError) as taken:
        await invites.redeem_wecom("chen.li2", token)
    assert taken.value.key == "identity.taken"
    async with db.read() as repos:
        found = await repos.people.with_memberships(5001)
        assert found is not None and found.person.key == "liu"
        assert found.memberships == []  # an invite makes no station member of a liaison
        assert await repos.people.by_wecom("liu.jg") == found.person
        assert await repos.people.by_wecom("chen.li2") is None


async def test_a_liaison_invite_binds_only_while_the_seed_lists_them(
    db: Database, tmp_path: Path, settings: Settings
) -> None:
    await _load(db, tmp_path, seed_text())
    invites = InviteService(db, ManualClock(), settings)
    _, _, token = await invites.create_liaison("liu")
    await _load(db, tmp_path, seed_text(departments=departments(liaisons=[])))
    with pytest.raises(DomainError) as refused:
        await invites.redeem(5001, token)
    assert refused.value.key == "inv.bad"
    async with db.read() as repos:
        assert await repos.people.by_telegram(5001) is None


async def test_who_can_get_a_liaison_invite(
    db: Database, tmp_path: Path, settings: Settings
) -> None:
    found = departments()
    found[1]["liaisons"] = [BASE["departments"][0]["liaisons"][0]]  # liu acts for both
    await _load(db, tmp_path, seed_text(departments=found))
    invites = InviteService(db, ManualClock(), settings)
    with pytest.raises(NotFound, match="housing, police: name one"):
        await invites.create_liaison("liu")
    _, department, _ = await invites.create_liaison("liu", "police")
    assert department.key == "police"
    with pytest.raises(NotFound, match="not a liaison of any department"):
        await invites.create_liaison("zhang")
    with pytest.raises(NotFound, match='not a liaison of "police"'):
        await invites.create_liaison("chen", "police")
    with pytest.raises(NotFound, match="no seeded person"):
        await invites.create_liaison("nobody")


def test_invite_command_prints_the_link_and_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LIAISON_DB", str(tmp_path / "cli.db"))
    monkeypatch.delenv("LIAISON_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    seed = tmp_path / "seed.yaml"
    seed.write_text(seed_text(), encoding="utf-8")
    assert main(["seed", str(seed)]) == 0
    capsys.readouterr()
    assert main(["invite", "liu", "--bot-username", "@liaison_bot"]) == 0
    out = capsys.readouterr().out
    assert "刘建国" in out and "区住建局" in out
    assert "https://t.me/liaison_bot?start=inv_" in out
    assert "WeCom: send inv_" in out
    assert main(["invite", "zhang"]) == 1
    assert 'invite: "zhang" is not a liaison of any department' in capsys.readouterr().err
