"""QR posters: what they say (as data), in both languages and for both platforms, and that
the drawn page holds a code of the link, fills the page and keeps long texts inside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.models import Lang, Reception, Station
from bot.posters import (
    FOOTER,
    HEIGHT,
    WIDTH,
    _font,
    address_line,
    poster_text,
    qr_matrix,
    reception_rows,
    render,
    station_link,
    wrap,
    write_posters,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
LINK = station_link("liaison_bot", "donghu")
WECHAT = "http://weixin.qq.com/q/02abcDEFghiJKL00000000"

DONGHU = Station(
    id=1,
    key="donghu",
    name="东湖区玉泉街道人大代表联络站",
    district="东湖区",
    address="东湖区玉泉路 18 号",
)
SLOTS = [
    Reception(weekday=4, start="14:00", end="16:30"),
    Reception(weekday=2, start="14:00", end="16:00"),
    Reception(weekday=2, start="09:00", end="11:30"),
]
LONG = Station(
    id=3,
    key="long",
    name="哈尔滨市道里区新阳路街道办事处安静社区居民委员会人大代表联络站（第二分站）",
    district="道里区",
    address="新阳路与安静街交叉口东北角安静小区 3 号楼 1 单元一楼社区服务中心 102 室（近地铁 2 号线新阳路站 B 口）",
)


def test_the_address_names_the_district_once() -> None:
    assert address_line(DONGHU) == "东湖区玉泉路 18 号"
    assert (
        address_line(DONGHU.model_copy(update={"address": "玉泉路 18 号"})) == "东湖区玉泉路 18 号"
    )
    assert address_line(DONGHU.model_copy(update={"address": None})) == "东湖区"
    latin = Station(id=9, key="x", name="X", district="Donghu", address="18 Yuquan Road")
    assert address_line(latin) == "Donghu, 18 Yuquan Road"


def test_chinese_telegram_poster_says_what_a_resident_needs() -> None:
    text = poster_text(DONGHU, SLOTS, Lang.ZH, LINK)
    assert text.title == "东湖区玉泉街道人大代表联络站"
    assert text.address == "地址：东湖区玉泉路 18 号"
    assert "人大代表反映" in text.purpose and "答复" in text.purpose
    assert text.steps_head == "怎样开始"
    assert text.steps == (
        "用手机相机扫描上方二维码",
        "在 Telegram 中打开链接",
        "点「开始」（Start），再点「我要反映」写下问题",
    )
    assert text.needs == "需要手机上已安装 Telegram 应用。"
    assert text.reception_head == "接待日"
    assert text.reception == (
        ("每周二", "09:00–11:30"),
        ("", "14:00–16:00"),
        ("每周四", "14:00–16:30"),
    )
    assert text.link == "t.me/liaison_bot?start=st_donghu"
    assert "/lang" in text.languages
    lines = text.lines()
    assert lines[:2] == [text.title, text.address]
    assert "每周二 09:00–11:30" in lines and "14:00–16:00" in lines
    assert sum(line.count("东湖区") for line in lines[1:]) == 1  # the district once


def test_english_telegram_poster_is_english() -> None:
    text = poster_text(DONGHU, SLOTS, Lang.EN, LINK)
    assert text.address == "Address: 东湖区玉泉路 18 号"
    assert "people's congress deputies" in text.purpose and "chat" in text.purpose
    assert text.steps == (
        "Scan the QR code above with your phone camera",
        "Open the link in Telegram",
        'Press Start, then "Report a problem", and describe it',
    )
    assert text.needs == "You need the Telegram app on your phone."
    assert text.reception_head == "Reception days"
    assert text.reception[0] == ("Tuesdays", "09:00–11:30")
    # Chinese only in the proper names, and where the switch to Chinese is named in Chinese
    names = {text.title, text.address, text.languages}
    assert [line for line in text.lines() if CJK.search(line) and line not in names] == []


def test_wechat_poster_says_how_to_follow_the_account() -> None:
    zh = poster_text(DONGHU, SLOTS, Lang.ZH, WECHAT, wechat=True)
    assert zh.steps == (
        "打开微信，用「扫一扫」扫描上方二维码",
        "关注联络站服务号",
        "点菜单「我要反映」，写下问题",
    )
    assert zh.needs is None and zh.link is None  # WeChat's code content is no link to type
    en = poster_text(DONGHU, [], Lang.EN, WECHAT, wechat=True)
    assert en.steps[0] == 'Open WeChat, choose "Scan" and scan the QR code above'
    assert en.steps[1] == "Follow the liaison station's service account"
    assert "Telegram" not in " ".join(en.lines())


def test_a_station_without_reception_slots_has_no_reception_block() -> None:
    for lang in Lang:
        text = poster_text(DONGHU, [], lang, LINK)
        assert text.reception_head is None and text.reception == ()
        assert not any("接待" in line or "Reception" in line for line in text.lines())


def test_reception_days_read_as_runs_of_weekdays() -> None:
    weekdays = [Reception(weekday=d, start="09:00", end="11:30") for d in range(1, 6)]
    saturday = [Reception(weekday=6, start="09:00", end="12:00")]
    assert reception_rows(weekdays + saturday, Lang.ZH) == (
        ("每周一至周五", "09:00–11:30"),
        ("每周六", "09:00–12:00"),
    )
    assert reception_rows(weekdays, Lang.EN) == (("Monday to Friday", "09:00–11:30"),)
    # the same times on days apart stay apart
    apart = [Reception(weekday=d, start="14:00", end="16:00") for d in (2, 4)]
    assert [day for day, _ in reception_rows(apart, Lang.EN)] == ["Tuesdays", "Thursdays"]


def test_wrapping_keeps_words_and_punctuation_and_the_width() -> None:
    font = _font(34)
    english = "Raise it here with your people's congress deputies; they answer you in the chat."
    lines = wrap(english, font, 400)
    assert len(lines) > 1 and all(font.getlength(line) <= 400 for line in lines)
    assert " ".join(lines) == english  # broken between words only
    chinese = "代表在联络站当面听取意见，并在对话中答复您。"
    lines = wrap(chinese, font, 34 * 11)
    assert "".join(lines) == chinese
    assert not any(line[0] in "，。" for line in lines)
    step = "点「开始」（Start），再点「我要反映」写下问题"
    for width in range(200, 700, 10):
        lines = wrap(step, font, width)
        assert "".join(lines) == step
        assert not any(line[-1] in "「（" or line[0] in "，」）" for line in lines), lines
    long_word = "t.me/a_very_long_bot_username_bot?start=st_a_very_long_station_key"
    assert all(font.getlength(line) <= 300 for line in wrap(long_word, font, 300))


def _reads_as(image: Image.Image, box: tuple[int, int, int], link: str) -> bool:
    """Every module of the code of `link`, sampled at its centre, has the right colour."""
    left, top, side = box
    matrix = qr_matrix(link)
    module = side / len(matrix)
    grey = image.convert("L")
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            x, y = int(left + (c + 0.5) * module), int(top + (r + 0.5) * module)
            if (grey.getpixel((x, y)) < 128) != dark:  # type: ignore[operator]
                return False
    return True


def _largest_blank_band(image: Image.Image) -> int:
    """The most pixel rows in a row, between the top band and the footer, that are blank
    white from margin to margin."""
    grey = image.convert("L")
    longest = run = 0
    for y in range(30, HEIGHT - FOOTER):
        row = grey.crop((0, y, WIDTH, y + 1))
        blank = row.getextrema()[0] >= 250  # type: ignore[operator]
        run = run + 1 if blank else 0
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize("wechat", [False, True])
@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("slots", [SLOTS, []], ids=["slots", "no-slots"])
def test_the_poster_holds_the_code_and_fills_the_page(
    lang: Lang, wechat: bool, slots: list[Reception]
) -> None:
    link = WECHAT if wechat else LINK
    drawn = render(poster_text(DONGHU, slots, lang, link, wechat), link)
    assert drawn.image.size == (WIDTH, HEIGHT)
    assert drawn.qr_box[2] >= 480  # a short text leaves a big code (8 cm)
    assert _reads_as(drawn.image, drawn.qr_box, link)
    assert _largest_blank_band(drawn.image) < 130  # no empty stretch (it was a third)
    assert drawn.bottom <= HEIGHT - FOOTER - 20


@pytest.mark.parametrize("lang", list(Lang))
def test_long_names_and_many_slots_stay_on_the_page(lang: Lang) -> None:
    many = [Reception(weekday=d, start=f"{7 + d:02d}:00", end="12:00") for d in range(1, 8)]
    many += [Reception(weekday=d, start="18:00", end="20:00") for d in range(1, 8)]
    drawn = render(poster_text(LONG, many, lang, LINK), LINK)
    assert drawn.bottom <= HEIGHT - FOOTER - 20
    assert drawn.qr_box[2] >= 320
    assert _reads_as(drawn.image, drawn.qr_box, LINK)


@pytest.mark.parametrize("lang", list(Lang))
def test_a_phone_camera_reads_the_link_on_the_printed_page(lang: Lang) -> None:
    """A real decoder (zxing) reads the whole page, as a camera would."""
    drawn = render(poster_text(DONGHU, SLOTS, lang, LINK), LINK)
    found = zxingcpp.read_barcodes(drawn.image.convert("L"))
    assert [code.text for code in found] == [LINK]


def test_posters_are_written_in_the_asked_language(tmp_path: Path) -> None:
    paths = write_posters(tmp_path / "en", [(DONGHU, SLOTS)], "@liaison_bot", lang=Lang.EN)
    wechat = write_posters(tmp_path / "wx", [(DONGHU, [])], wechat_links={"donghu": WECHAT})
    for path in paths + wechat:
        with Image.open(path) as image:
            assert image.size == (WIDTH, HEIGHT)
            assert image.info["dpi"] == pytest.approx((150, 150), abs=0.1)
