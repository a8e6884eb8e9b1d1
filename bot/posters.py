"""Printable QR posters: one PNG per station with its deep link, name and reception times."""

from __future__ import annotations

import re
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from bot.charts import cjk_font_path
from bot.models import Lang, Reception, Station
from bot.texts import plain

WIDTH, HEIGHT = 1240, 1754  # A5 at 150 dpi, portrait
MARGIN = 90


def station_link(bot_username: str, station_key: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start=st_{station_key}"


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), size)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    """Break CJK (or any) text into lines no wider than `width` pixels."""
    lines: list[str] = []
    current = ""
    for char in text:
        trial = current + char
        if current and draw.textlength(trial, font=font) > width:
            lines.append(current)
            current = char
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


TELEGRAM_HINT = "扫码进入联络站助手，向人大代表反映身边的问题"
WECHAT_HINT = "微信扫码关注，向人大代表反映身边的问题"


def poster(
    station: Station, slots: list[Reception], link: str, hint_text: str = TELEGRAM_HINT
) -> Image.Image:
    """The poster image for one station (Chinese; the bot itself speaks both languages)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    y = MARGIN
    draw.rectangle([(0, 0), (WIDTH, 24)], fill="#c0262d")
    title = _font(64)
    for line in _wrap(draw, station.name, title, inner):
        draw.text((WIDTH // 2, y), line, font=title, fill="#c0262d", anchor="ma")
        y += 84
    sub = _font(38)
    facts = [station.district] + ([station.address] if station.address else [])
    draw.text((WIDTH // 2, y + 10), " · ".join(facts), font=sub, fill="#333333", anchor="ma")
    y += 90
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    qr.add_data(link)
    qr.make(fit=True)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    size = 760
    code = code.resize((size, size), Image.Resampling.NEAREST)
    image.paste(code, ((WIDTH - size) // 2, y))
    y += size + 30
    hint = _font(40)
    for line in _wrap(draw, hint_text, hint, inner):
        draw.text((WIDTH // 2, y), line, font=hint, fill="#111111", anchor="ma")
        y += 58
    y += 20
    body = _font(36)
    draw.text((WIDTH // 2, y), "接待日", font=_font(44), fill="#c0262d", anchor="ma")
    y += 66
    if not slots:
        draw.text(
            (WIDTH // 2, y),
            plain(Lang.ZH, "reception.none"),
            font=body,
            fill="#333333",
            anchor="ma",
        )
    for slot in slots:
        text = f"每{plain(Lang.ZH, f'weekday.{slot.weekday}')} {slot.start}–{slot.end}"
        draw.text((WIDTH // 2, y), text, font=body, fill="#333333", anchor="ma")
        y += 52
    small = _font(24)
    draw.text((WIDTH // 2, HEIGHT - MARGIN), link, font=small, fill="#777777", anchor="md")
    return image


def file_name(station: Station) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", station.key) + ".png"


def write_posters(
    out: Path,
    stations: list[tuple[Station, list[Reception]]],
    bot_username: str = "",
    wechat_links: dict[str, str] | None = None,
) -> list[Path]:
    """One poster per station: the Telegram deep link, or (`wechat_links`: station key →
    the content of the service account's parametric QR code) the WeChat code."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for station, slots in stations:
        path = out / file_name(station)
        if wechat_links is not None:
            image = poster(station, slots, wechat_links[station.key], WECHAT_HINT)
        else:
            image = poster(station, slots, station_link(bot_username, station.key))
        image.save(path, dpi=(150, 150))
        written.append(path)
    return written
