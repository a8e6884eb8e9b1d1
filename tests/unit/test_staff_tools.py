"""Staff tools without the bot: chart fonts, posters, phone numbers, message splitting, the
command line's plain-text /stats."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from bot.__main__ import main
from bot.charts import cjk_font_path, stats_chart, stats_figure
from bot.models import Figures, Lang, Reception, Station
from bot.posters import station_link, write_posters
from bot.services.invites import normalize_phone
from bot.tools_cli import stats_text
from handlers.reports_admin import chunks
from tests.unit.sched_world import open_city

CJK = re.compile(r"[\u4e00-\u9fff]")
ZONE = ZoneInfo("Asia/Shanghai")


def sample() -> Figures:
    return Figures(
        scope="北关街道联络站",
        city=False,
        since=1_790_000_000,
        until=1_791_000_000,
        total=4,
        accepted=3,
        accepted_on_time=2,
        replied=2,
        replied_on_time=2,
        rated=1,
        satisfied=1,
        bins=[
            ("2026-09-14", "2026-09-20", {"submitted": 1, "closed": 2}),
            ("2026-09-21", "2026-09-23", {"accepted": 1}),
        ],
    )


def test_the_cjk_font_comes_from_mplfonts() -> None:
    path = cjk_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in path.parts


def test_chinese_chart_labels_resolve_to_the_bundled_font() -> None:
    fig = stats_figure(sample(), Lang.ZH, ZONE)
    fig.canvas.draw()
    font = FT2Font(str(cjk_font_path()))
    chinese = [a for a in fig.findobj(Text) if CJK.search(a.get_text())]
    assert len(chinese) >= 6  # titles, legend, rate names, suptitle
    for artist in chinese:
        assert Path(os.fsdecode(artist.get_fontproperties().get_file() or "")) == cjk_font_path()
        for char in CJK.findall(artist.get_text()):
            assert font.get_char_index(ord(char)) != 0, char


def test_chart_is_a_png_in_both_languages() -> None:
    for lang in Lang:
        png = stats_chart(sample(), lang, ZONE)
        assert png.startswith(b"\x89PNG")
    empty = Figures(scope="", city=True, since=0, until=1)
    assert stats_chart(empty, Lang.ZH, ZONE).startswith(b"\x89PNG")


def test_posters_one_png_per_station(tmp_path: Path) -> None:
    station = Station(
        id=1,
        key="daoli-xinyang",
        name="道里区新阳路街道人大代表联络站",
        district="道里区",
        address="新阳路 100 号",
    )
    bare = Station(id=2, key="b", name="B", district="南岗区")
    paths = write_posters(
        tmp_path,
        [(station, [Reception(weekday=2, start="09:00", end="11:30")]), (bare, [])],
        "@liaison_bot",
    )
    assert [p.name for p in paths] == ["daoli-xinyang.png", "b.png"]
    with Image.open(paths[0]) as image:
        assert image.size == (1240, 1754)
    assert station_link("@liaison_bot", "b") == "https://t.me/liaison_bot?start=st_b"


def test_phone_numbers_compare_by_digits() -> None:
    assert normalize_phone("+86 138-0000-0002") == "13800000002"
    assert normalize_phone("8613800000002") == "13800000002"
    assert normalize_phone("13800000002") == "13800000002"
    assert normalize_phone("+1 555 0100") == "15550100"


def test_long_reports_are_split_between_lines() -> None:
    lines = [f"line {i} " + "x" * 50 for i in range(200)]
    parts = chunks(lines, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n".join(parts).split("\n") == lines


def test_stats_for_the_terminal_are_plain_text_in_either_language() -> None:
    figures = Figures(
        scope="北关 <A&B>",
        city=False,
        since=1_790_000_000,
        until=1_791_000_000,
        total=3,
        by_state={"submitted": 1, "closed": 2},
        by_category=[("道路", "Roads", 2), ("其他", "Other", 1)],
        supporters=1,
        supported_issues=1,
    )
    english = "\n".join(stats_text(figures, Lang.EN, ZONE))
    for markup in ("<b>", "</b>", "&lt;", "&gt;", "&amp;"):
        assert markup not in english
    assert "📊 北关 <A&B> statistics" in english
    assert "By state: Pending 1, Closed 2" in english
    assert "By category: Roads 2, Other 1" in english
    assert "Me-too support: 1 (on 1 issue)" in english
    assert not CJK.search(english.replace("北关", ""))  # English but the station's name
    chinese = "\n".join(stats_text(figures, Lang.ZH, ZONE))
    assert "<b>" not in chinese and "北关 <A&B> 统计" in chinese
    assert "按状态：待受理 1，已办结 2" in chinese
    assert "附议：1 人次，涉及 1 件" in chinese


def test_cli_stats_prints_no_tags_and_qr_takes_a_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def city() -> None:
        async with open_city(tmp_path) as town, town.db.transaction() as repos:
            await repos.conn.execute("UPDATE stations SET name = '东站 <A&B>' WHERE key = 'east'")

    asyncio.run(city())
    monkeypatch.setenv("LIAISON_DB", str(tmp_path / "liaison.db"))
    for lang, title in (("en", "📊 东站 <A&B> statistics"), ("zh", "📊 东站 <A&B> 统计")):
        assert main(["stats", "--station", "east", "--lang", lang]) == 0
        out = capsys.readouterr().out
        assert title in out
        assert "<b>" not in out and "&lt;" not in out and "&amp;" not in out
    posters = tmp_path / "posters"
    assert main(["qr", "--out", str(posters), "--bot-username", "x_bot", "--lang", "en"]) == 0
    assert sorted(path.name for path in posters.iterdir()) == ["east.png", "west.png"]
