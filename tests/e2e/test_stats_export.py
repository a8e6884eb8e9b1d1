"""/stats figures and chart, /export files, and the same from the command line."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot.__main__ import main
from bot.services.stats import month_start
from tests.e2e.conftest import World

H = 3600


async def cli(argv: list[str]) -> int:
    """`python -m bot ...` in a thread (it runs its own event loop)."""
    return await asyncio.to_thread(main, argv)


async def known_city(world: World) -> dict[str, int]:
    """Six issues with known times (5 at the north station, 1 at the south one)."""
    zone = world.settings.zone
    now = int(time.time())
    base = int(month_start(datetime.fromtimestamp(now, zone)).timestamp()) + 60
    async with world.db.transaction() as repos:
        conn = repos.conn
        ids: dict[str, int] = {}
        for key in ("north", "south"):
            station = await repos.stations.by_key(key)
            assert station is not None
            ids[key] = station.id
        for key in ("potholes", "misc"):
            category = await repos.stations.category_by_key(key)
            assert category is not None
            ids[key] = category.id
        for key in ("dep-a", "dep-b"):
            person = await repos.people.by_key(key)
            assert person is not None
            ids[key] = person.id
        resident = await repos.people.touch(7001, "王<居民>", "zh-hans", now)
        await conn.execute(
            "UPDATE people SET phone = '+8613911112222' WHERE id = ?", (resident.id,)
        )
        rows = [
            # station, category, source, state, accepted, replied, rating, owner, accept_due, reply_due
            (
                "north",
                "potholes",
                "resident",
                "closed",
                0.5 * H,
                10 * H,
                "satisfied",
                "dep-a",
                2 * H,
                72 * H,
            ),
            (
                "north",
                "potholes",
                "resident",
                "closed",
                3 * H,
                96 * H,
                "mostly",
                "dep-a",
                2 * H,
                72 * H,
            ),
            ("north", "misc", "resident", "closed", 1 * H, 48 * H, None, "dep-b", 24 * H, 120 * H),
            ("north", "misc", "resident", "submitted", None, None, None, None, None, 120 * H),
            ("north", "potholes", "patrol", "accepted", 0, None, None, "dep-b", 0, 10_000 * H),
            (
                "south",
                "misc",
                "resident",
                "submitted",
                None,
                None,
                None,
                None,
                10_000 * H,
                10_000 * H,
            ),
        ]
        numbers = []
        for n, (st, cat, source, state, acc, rep, rating, owner, acc_due, rep_due) in enumerate(
            rows
        ):
            created = base + n
            cur = await conn.execute(
                "INSERT INTO issues (station_id, category_id, resident_id, source, description, "
                "state, owner_id, rating, created_at, accepted_at, replied_at, closed_at, "
                "accept_due, reply_due, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    ids[st],
                    ids[cat],
                    resident.id,
                    source,
                    f"第{n + 1}件：路面<坑洼>",
                    state,
                    ids[owner] if owner else None,
                    rating,
                    created,
                    created + acc if acc is not None else None,
                    created + rep if rep is not None else None,
                    created + rep + H if state == "closed" and rep is not None else None,
                    now - 10 if acc_due is None else created + acc_due,
                    created + rep_due,
                    created,
                ),
            )
            numbers.append(int(cur.lastrowid or 0))
        for supporter, issue in ((7002, 0), (7003, 0), (7002, 3)):
            person = await repos.people.touch(supporter, "附议人", "zh-hans", now)
            await repos.issues.add_supporter(numbers[issue], person.id, now)
    return ids


async def test_stats_for_staff_with_figures_and_chart(world: World) -> None:
    ids = await known_city(world)
    staff = world.user(601, "北站工作人员")
    await staff.send("/start")
    await staff.wait_for("工作人员")
    await world.settle()
    await staff.send("/stats")
    photo = await staff.next_message(timeout=20)
    while photo.kind != "photo":
        photo = await staff.next_message(timeout=20)
    assert isinstance(photo.photo, bytes) and photo.photo.startswith(b"\x89PNG")
    text = (await staff.wait_for("新增事项")).text
    for expected in (
        "北关街道联络站 统计",
        "新增事项：5",
        "按状态：待受理 1，办理中 1，已办结 3",
        "响应率（按时签收）：2/3 = 66.7%",
        "按时办结率（按时答复）：2/3 = 66.7%",
        "满意率（满意+基本满意）：2/2 = 100.0%",
        "签收用时中位数：1.0 小时；答复用时中位数：48.0 小时",
        "当前超期：1 件",
        "附议：3 人次，涉及 2 件",
        "走街串巷发现问题：1 件",
        "· 乙代表：1 / 2 / 1",
        "· 甲代表：0 / 2 / 2",
        "尚未打开本助手的代表和工作人员（2 人",
        "· 甲代表（代表，北关街道联络站）",
    ):
        assert expected in text, (expected, text)
    assert "南湖" not in text
    figures = await world.bot.services.stats.figures([ids["north"]], 0)  # type: ignore[union-attr]
    assert (figures.accepted, figures.replied, figures.rated) == (3, 3, 2)
    # since 0: by month from the first issue's month on (this one), and by week for this month
    this_month = month_start(datetime.now(world.settings.zone)).date()
    assert figures.granularity == "month"
    assert [(a, sum(c.values())) for a, _, c in figures.bins] == [(this_month.isoformat(), 5)]
    stats = world.bot.services.stats  # type: ignore[union-attr]
    weekly = await stats.figures([ids["north"]], stats.period("month").since)
    assert weekly.granularity == "week"
    assert weekly.bins[0][0] == this_month.isoformat()
    assert sum(sum(c.values()) for _, _, c in weekly.bins) == 5
    # another period from the buttons under the figures
    await staff.tap("今年")
    await staff.wait_for("新增事项：5", timeout=20)
    assert world.api.violations == []


async def test_stats_for_admin_by_district_and_refused_to_residents(world: World) -> None:
    await known_city(world)
    admin = world.user(901, "代表工委")
    await admin.send("/stats")
    text = (await admin.wait_for("新增事项", timeout=20)).text
    assert "全市 统计" in text
    assert "新增事项：6" in text
    assert "· 北关区：5 / 2 / 1" in text
    assert "· 南湖区：1 / 1 / 0" in text
    assert "· 南湖社区联络站：1 / 1 / 0" in text
    resident = world.user(7001)
    await resident.send("/stats")
    await resident.wait_for("您没有使用这个命令的权限")
    await resident.send("/export")
    await resident.wait_for("您没有使用这个命令的权限")


async def test_export_in_chat_csv_for_staff_and_xlsx_for_admin(world: World) -> None:
    await known_city(world)
    staff = world.user(601, "北站工作人员")
    await staff.send("/export")
    await staff.wait_for("导出哪种文件")
    await staff.tap("CSV")
    doc = await staff.wait_for("已导出 5 件事项")
    assert doc.kind == "document" and doc.filename and doc.filename.endswith(".csv")
    assert doc.document is not None and doc.document.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(doc.document.decode("utf-8-sig"))))
    assert rows[0][:5] == ["编号", "联络站", "区", "类别", "状态"]
    assert len(rows) == 6
    assert {r[1] for r in rows[1:]} == {"北关街道联络站"}
    assert "群众电话" not in rows[0]  # no contacts in chat exports
    by_number = {r[0]: r for r in rows[1:]}
    first = by_number[min(by_number, key=int)]
    header = rows[0]
    assert first[header.index("评价")] == "满意"
    assert first[header.index("附议")] == "2"
    assert first[header.index("描述")] == "第1件：路面<坑洼>"
    assert first[header.index("承办代表")] == "甲代表"
    overdue = [r for r in rows[1:] if r[header.index("签收超期")] == "是"]
    assert len(overdue) == 2  # the late acceptance, and the pending one past its deadline
    admin = world.user(901, "代表工委")
    await admin.send("/export")
    await admin.wait_for("全市")
    await admin.tap("Excel (XLSX)")
    doc = await admin.wait_for("已导出 6 件事项")
    assert doc.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(doc.document)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 7
    assert {v[1] for v in values[1:]} == {"北关街道联络站", "南湖社区联络站"}


async def test_export_in_chat_follows_the_language_of_who_asks(world: World) -> None:
    ids = await known_city(world)
    async with world.db.transaction() as repos:  # one issue went to a department
        works = await repos.conn.execute("SELECT id FROM departments WHERE key = 'works'")
        row = await works.fetchone()
        assert row is not None
        await repos.conn.execute(
            "UPDATE issues SET department_id = ?, supervised = 1 WHERE id = "
            "(SELECT MIN(id) FROM issues WHERE station_id = ?)",
            (row[0], ids["north"]),
        )
    staff = world.user(601, "North staff", language_code="en")
    await staff.send("/export")
    await staff.wait_for("Which file?")
    await staff.tap("Excel (XLSX)")
    doc = await staff.wait_for("Exported 5 issues")
    assert doc.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(doc.document)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[:5] == ["Number", "Station", "District", "Category", "State"]
    assert "Resident's phone" not in header  # no contacts in chat exports
    first = dict(zip(header, values[1], strict=True))
    assert first["State"] == "Closed"
    assert first["Category"] == "Potholes"
    assert first["Transferred to"] == "Public works"
    assert first["Rating"] == "Satisfied"
    assert first["Supervised"] == "Yes"
    assert first["Source"] == "Resident"
    assert first["Station"] == "北关街道联络站"  # a proper name stays as it is
    states = {row[header.index("State")] for row in values[1:]}
    assert states == {"Closed", "Pending", "In progress"}
    assert {row[header.index("Source")] for row in values[1:]} == {"Resident", "Street walk"}


async def test_cli_stats_and_export(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await known_city(world)
    monkeypatch.setenv("LIAISON_DB", str(world.settings.db))
    monkeypatch.setenv("LIAISON_TIMEZONE", world.settings.timezone)
    assert await cli(["stats", "--station", "north"]) == 0
    out = capsys.readouterr().out
    assert "新增事项：5" in out
    assert "响应率（按时签收）：2/3 = 66.7%" in out
    assert await cli(["stats", "--since", "2000-01-01"]) == 0
    assert "新增事项：6" in capsys.readouterr().out
    assert await cli(["stats", "--station", "nope"]) == 1
    target = tmp_path / "out" / "issues.xlsx"
    assert await cli(["export", "--format", "xlsx", "--out", str(target), "--with-contacts"]) == 0
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[-2:] == ["群众姓名", "群众电话"]
    assert values[1][-2:] == ("王<居民>", "+8613911112222")
    target = tmp_path / "north.csv"
    assert await cli(["export", "--format", "csv", "--out", str(target), "--station", "south"]) == 0
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "南湖社区联络站"
    assert (
        await cli(["export", "--format", "csv", "--out", str(target), "--since", "2999-01-01"]) == 0
    )
    assert len(list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))) == 1
    english = tmp_path / "en.csv"
    assert await cli(["export", "--format", "csv", "--out", str(english), "--lang", "en"]) == 0
    en_rows = list(csv.reader(io.StringIO(english.read_bytes().decode("utf-8-sig"))))
    en_header = en_rows[0]
    assert en_header[:5] == ["Number", "Station", "District", "Category", "State"]
    assert {r[en_header.index("Category")] for r in en_rows[1:]} == {"Potholes", "Misc"}
    assert {r[en_header.index("Acceptance overdue")] for r in en_rows[1:]} == {"Yes", ""}
    assert en_rows[1][en_header.index("Description")] == "第1件：路面<坑洼>"  # as written


async def test_cli_qr_posters_ask_telegram_for_the_bot_name(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LIAISON_DB", str(world.settings.db))
    monkeypatch.setenv("LIAISON_BOT_TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("LIAISON_API_BASE_URL", world.api.base_url)
    assert await cli(["qr", "--out", str(tmp_path / "posters")]) == 0
    assert sorted(p.name for p in (tmp_path / "posters").iterdir()) == ["north.png", "south.png"]
    monkeypatch.setenv("LIAISON_BOT_TOKEN", "")
    assert await cli(["qr", "--out", str(tmp_path / "p2")]) == 2
    assert await cli(["qr", "--out", str(tmp_path / "p2"), "--bot-username", "x_bot"]) == 0
