"""Loading seeds: everything lands, a second load changes nothing, edits update by key."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import ManualClock
from bot.services.seeding import seed_database
from storage.db import Database
from tests.conftest import DEMO_SEED


async def _count(db: Database, sql: str) -> int:
    async with db.read() as repos, repos.conn.execute(sql) as cur:
        row = await cur.fetchone()
        assert row is not None
        return int(row[0])


async def test_demo_seed_loads_and_reloading_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        first = await seed_database(db, DEMO_SEED, ManualClock())
        assert first.total > 0
        stations = await _count(db, "SELECT COUNT(*) FROM stations")
        deputies = await _count(db, "SELECT COUNT(*) FROM memberships WHERE role = 'deputy'")
        assert stations >= 8
        assert deputies >= 20
        assert await _count(db, "SELECT COUNT(*) FROM categories") >= 11
        assert await _count(db, "SELECT COUNT(*) FROM patrols") >= 2
        second = await seed_database(db, DEMO_SEED, ManualClock())
        assert second.total == 0, second.changed
        assert await _count(db, "SELECT COUNT(*) FROM stations") == stations
    finally:
        await db.close()


SMALL = """
city: X
categories:
  - {key: roads, name: 道路, accept_within: 1h, reply_within: 1d}
stations:
  - key: s1
    name: 一号站
    district: 甲区
    deputies: [{key: d1, name: 张三, telegram_id: 11}]
    staff: [{key: w1, name: 李四, telegram_id: 12}]
"""


async def test_editing_a_name_updates_it_and_removed_people_lose_the_station(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    db = await Database.open(tmp_path / "x.db")
    try:
        await seed_database(db, path, ManualClock())
        path.write_text(
            SMALL.replace("一号站", "第一站").replace(
                "staff: [{key: w1, name: 李四, telegram_id: 12}]", ""
            ),
            encoding="utf-8",
        )
        report = await seed_database(db, path, ManualClock())
        assert report.changed["stations"] == 1
        assert report.changed["memberships"] == 1
        async with db.read() as repos:
            station = await repos.stations.by_key("s1")
            assert station is not None
            assert station.name == "第一站"
            assert await repos.people.of_station(station.id, "staff") == []
            deputies = await repos.people.of_station(station.id, "deputy")
            assert [d.name for d in deputies] == ["张三"]
    finally:
        await db.close()


async def test_a_resident_named_later_in_the_seed_keeps_their_row(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    db = await Database.open(tmp_path / "x.db")
    try:
        async with db.transaction() as repos:
            before = await repos.people.touch(11, "Zhang", "zh", 1)
        await seed_database(db, path, ManualClock())
        async with db.read() as repos:
            after = await repos.people.by_telegram(11)
            assert after is not None
            assert after.id == before.id
            assert after.key == "d1"
            assert after.name == "张三"
    finally:
        await db.close()


def test_seed_command_checks_and_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LIAISON_DB", str(tmp_path / "cli.db"))
    monkeypatch.chdir(tmp_path)
    assert main(["seed", str(DEMO_SEED), "--check"]) == 0
    assert "valid" in capsys.readouterr().out
    assert not (tmp_path / "cli.db").exists()
    assert main(["seed", str(DEMO_SEED)]) == 0
    assert "loaded" in capsys.readouterr().out
    assert main(["seed", str(DEMO_SEED)]) == 0
    assert "changes: none" in capsys.readouterr().out


def test_invalid_seed_lists_every_problem_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LIAISON_DB", str(tmp_path / "cli.db"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SMALL.replace("accept_within: 1h", "accept_within: soon").replace(
            "telegram_id: 12", "telegram_id: -5"
        ),
        encoding="utf-8",
    )
    assert main(["seed", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "categories.0.accept_within:" in err
    assert "stations.0.staff.0.telegram_id:" in err
    assert "nothing was written" in err
    assert not (tmp_path / "cli.db").exists()


async def test_a_wecom_account_in_the_seed_is_bound_and_the_seed_governs_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.yaml"
    with_wecom = SMALL.replace("telegram_id: 11}", "telegram_id: 11, wecom_userid: zhang.san}")
    path.write_text(with_wecom, encoding="utf-8")
    db = await Database.open(tmp_path / "x.db")
    try:
        await seed_database(db, path, ManualClock())
        again = await seed_database(db, path, ManualClock())
        assert again.total == 0, again.changed
        # the account moves to another person: the first one loses it
        path.write_text(
            with_wecom.replace(", wecom_userid: zhang.san}", "}").replace(
                "telegram_id: 12}", "telegram_id: 12, wecom_userid: zhang.san}"
            ),
            encoding="utf-8",
        )
        moved = await seed_database(db, path, ManualClock())
        assert moved.changed["people"] == 1
        async with db.read() as repos:
            assert (await repos.people.by_wecom("zhang.san")) == await repos.people.by_key("w1")
            d1 = await repos.people.by_key("d1")
            assert d1 is not None and d1.wecom_userid is None
    finally:
        await db.close()


async def _bound(db: Database, key: str) -> tuple[object, object]:
    async with db.read() as repos:
        person = await repos.people.by_key(key)
        assert person is not None
        return person.telegram_id, person.wecom_userid


async def test_an_account_bound_to_another_person_never_fails_the_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The seed is the operator's word: the account goes to the person it names, the other
    person is unbound, and the load reports it (one log line, keys only) and goes on."""
    path = tmp_path / "s.yaml"
    path.write_text(
        SMALL.replace("telegram_id: 11}", "telegram_id: 11, wecom_userid: zs}"), "utf-8"
    )
    db = await Database.open(tmp_path / "x.db")
    try:
        await seed_database(db, path, ManualClock())
        # w1 took d1's accounts (an invite or a shared number did, before they were checked)
        async with db.transaction() as repos:
            await repos.conn.execute("UPDATE people SET telegram_id = NULL WHERE key = 'd1'")
            await repos.conn.execute("UPDATE people SET wecom_userid = NULL WHERE key = 'd1'")
            await repos.conn.execute(
                "UPDATE people SET telegram_id = 11, wecom_userid = 'zs' WHERE key = 'w1'"
            )
        caplog.set_level(logging.INFO, logger="bot.services.seeding")
        report = await seed_database(db, path, ManualClock())  # before: IntegrityError
        assert report.conflicts == [
            'telegram_id of "d1" was bound to "w1": the seed gives it to "d1", "w1" is unbound',
            'wecom_userid of "d1" was bound to "w1": the seed gives it to "d1", "w1" is unbound',
        ]
        assert report.changed["conflicts"] == 2
        assert await _bound(db, "d1") == (11, "zs")
        assert await _bound(db, "w1") == (12, None)  # the seed's own id for w1
        logged = [r.getMessage() for r in caplog.records if r.name == "bot.services.seeding"]
        assert logged == [f"seed conflict: {line}" for line in report.conflicts]
        again = await seed_database(db, path, ManualClock())
        assert again.total == 0 and again.conflicts == [], again
    finally:
        await db.close()


async def test_a_new_person_gets_an_account_a_dropped_person_still_holds(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    db = await Database.open(tmp_path / "x.db")
    try:
        await seed_database(db, path, ManualClock())
        # d1 leaves the seed (their row stays, bound to 11); d2 arrives with account 11
        path.write_text(SMALL.replace("{key: d1, name: 张三", "{key: d2, name: 王五"), "utf-8")
        report = await seed_database(db, path, ManualClock())  # before: IntegrityError
        assert report.conflicts == [
            'telegram_id of "d2" was bound to "d1": the seed gives it to "d2", "d1" is unbound'
        ]
        assert await _bound(db, "d2") == (11, None)
        assert await _bound(db, "d1") == (None, None)
    finally:
        await db.close()


async def test_the_seed_governs_memberships_an_invite_made(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    db = await Database.open(tmp_path / "x.db")
    try:
        await seed_database(db, path, ManualClock())
        async with db.transaction() as repos:
            d1 = await repos.people.by_key("d1")
            station = await repos.stations.by_key("s1")
            assert d1 is not None and station is not None
            # rows redeeming an invite made: one the seed lists, one it never did
            await repos.conn.execute("UPDATE memberships SET source = 'invite'")
            await repos.people.add_membership(d1.id, station.id, "staff", "invite")
        report = await seed_database(db, path, ManualClock())
        rows = await _rows(db, "SELECT role, source FROM memberships ORDER BY role")
        assert rows == [("deputy", "seed"), ("staff", "seed")], (
            f"the seed does not govern memberships an invite made: {rows}"
        )
        assert report.changed["memberships"] == 3  # two became the seed's, one went
        async with db.read() as repos:
            assert await repos.people.memberships(d1.id) == [(station.id, "deputy")]
        # and a person the seed drops loses the station, whatever made the membership
        async with db.transaction() as repos:
            await repos.conn.execute("UPDATE memberships SET source = 'invite'")
        path.write_text(
            SMALL.replace("staff: [{key: w1, name: 李四, telegram_id: 12}]", ""), "utf-8"
        )
        await seed_database(db, path, ManualClock())
        rows = await _rows(
            db, "SELECT p.key, m.role FROM memberships m JOIN people p ON p.id = m.person_id"
        )
        assert rows == [("d1", "deputy")], f"w1, dropped from the seed, kept a station: {rows}"
    finally:
        await db.close()


async def _rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    async with db.read() as repos, repos.conn.execute(sql) as cur:
        return [tuple(r) for r in await cur.fetchall()]
