"""Printable QR posters: one A5 PNG per station, in Chinese or English, for Telegram (the
bot's deep link) or WeChat (the service account's parametric code).

What a resident reads, top to bottom: the station's name and address, what the station is
for, the QR code, how to start (and that Telegram is needed), the reception days (when the
station has slots) and that the assistant speaks both languages. `poster_text` builds those
texts as data (tested); `render` lays them out so that they fill the page: the QR code takes
the room the texts leave, up to a size, and what remains is spread between the blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from bot.charts import cjk_font_path
from bot.models import Lang, Reception, Station
from bot.texts import plain

WIDTH, HEIGHT = 1240, 1754  # A5 at 150 dpi, portrait
MARGIN = 80
INNER = WIDTH - 2 * MARGIN
QR_MIN, QR_MAX = 420, 720  # the code's side in pixels (about 7 to 12 cm)
QR_BORDER = 2  # quiet zone, in modules

RED = "#c0262d"
INK = "#1a1a1a"
GREY = "#4d4d4d"
FAINT = "#808080"
PANEL = "#f6f2ef"
WHITE = "#ffffff"


def station_link(bot_username: str, station_key: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start=st_{station_key}"


# -- the texts -----------------------------------------------------------------------------

CJK_END = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]$")


def address_line(station: Station) -> str:
    """The district and the address, the district only once: a seed address often starts
    with it already (东湖区玉泉路 18 号)."""
    address = (station.address or "").strip()
    district = station.district.strip()
    if not address:
        return district
    if not district or address.startswith(district):
        return address
    joint = "" if CJK_END.search(district) else ", "
    return f"{district}{joint}{address}"


@dataclass(frozen=True)
class PosterText:
    """Everything a poster says, top to bottom."""

    title: str
    address: str
    purpose: str
    steps_head: str
    steps: tuple[str, ...]
    needs: str | None  # the app one must have (Telegram)
    reception_head: str | None  # None: the station has no reception slots
    reception_note: str | None
    reception: tuple[tuple[str, str], ...]  # (days, time): the days only on their first row
    reception_more: str | None  # where to see them all, when not all fit on the poster
    languages: str
    link: str | None  # printed under the code (a Telegram link one can type)

    def lines(self) -> list[str]:
        """Every text on the poster, in reading order."""
        out = [self.title, self.address, self.purpose, self.steps_head, *self.steps]
        out += [self.needs] if self.needs else []
        if self.reception_head:
            out += [self.reception_head, self.reception_note or ""]
            out += [f"{day} {time}".strip() for day, time in self.reception]
        out += [self.languages] + ([self.link] if self.link else [])
        return [line for line in out if line]


def reception_rows(slots: list[Reception], lang: Lang) -> tuple[tuple[str, str], ...]:
    """The slots as (days, "09:00–11:30") rows, by weekday: consecutive weekdays with the
    same times are one row ("Monday to Friday"), and a day's later times leave the
    days empty so that they are read once."""
    times: dict[int, list[str]] = {}
    for slot in sorted(slots, key=lambda s: (s.weekday, s.start)):
        times.setdefault(slot.weekday, []).append(f"{slot.start}–{slot.end}")
    runs: list[list[int]] = []
    for weekday in sorted(times):
        if runs and runs[-1][-1] == weekday - 1 and times[runs[-1][-1]] == times[weekday]:
            runs[-1].append(weekday)
        else:
            runs.append([weekday])
    rows: list[tuple[str, str]] = []
    for run in runs:
        first = plain(lang, f"weekday.{run[0]}")
        if len(run) == 1:
            days = plain(lang, "poster.weekday", weekday=first)
        else:
            last = plain(lang, f"weekday.{run[-1]}")
            days = plain(lang, "poster.weekdays", first=first, last=last)
        rows += [(days if i == 0 else "", time) for i, time in enumerate(times[run[0]])]
    return tuple(rows)


def poster_text(
    station: Station, slots: list[Reception], lang: Lang, link: str, wechat: bool = False
) -> PosterText:
    if wechat:
        steps = ("poster.wechat_scan", "poster.wechat_follow", "poster.wechat_report")
    else:
        steps = ("poster.telegram_scan", "poster.telegram_open", "poster.telegram_start")
    rows = reception_rows(slots, lang)
    return PosterText(
        title=station.name,
        address=plain(lang, "poster.address", address=address_line(station)),
        purpose=plain(lang, "poster.purpose"),
        steps_head=plain(lang, "poster.steps_head"),
        steps=tuple(plain(lang, key) for key in steps),
        needs=None if wechat else plain(lang, "poster.telegram_needed"),
        reception_head=plain(lang, "poster.reception_head") if rows else None,
        reception_note=plain(lang, "poster.reception_note") if rows else None,
        reception=rows,
        reception_more=plain(lang, "poster.reception_more") if rows else None,
        languages=plain(lang, "poster.languages"),
        link=None if wechat else link.removeprefix("https://"),
    )


# -- drawing -------------------------------------------------------------------------------


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), size)


# A run of non-CJK, non-space characters (a word, with what sticks to it) and the spaces
# after it; or spaces; or one character (a CJK character is a word of its own).
_TOKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+\s*|\s+|.", re.S)
# Punctuation a line must not start with (it stays at the end of the line before), and
# punctuation it must not end with (it goes to the next line with what it opens).
_NO_START = set("，。、；：！？）」』”’》〉】,.;:!?)")
_NO_END = set("（「『“‘《〈【(")


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """`text` in lines no wider than `width` pixels: English breaks between words, Chinese
    between characters, closing punctuation never starts a line nor opening punctuation
    ends one, a word longer than the line is cut."""
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        if not current and token.isspace():
            continue
        trial = current + token
        if current and (font.getlength(trial.rstrip()) <= width or token in _NO_START):
            current = trial
            continue
        carried = ""
        while len(current) > 1 and current.rstrip()[-1] in _NO_END:
            carried = current.rstrip()[-1] + carried
            current = current.rstrip()[:-1]
        if current:
            lines.append(current.rstrip())
        current = carried + token.lstrip()
        while font.getlength(current.rstrip()) > width and len(current) > 1:  # a long word
            cut = len(current) - 1
            while cut > 1 and font.getlength(current[:cut]) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _fit(text: str, sizes: tuple[int, ...], width: int, max_lines: int) -> tuple[int, list[str]]:
    """The largest size at which `text` takes at most `max_lines` lines (else the smallest)."""
    for size in sizes:
        lines = wrap(text, _font(size), width)
        if len(lines) <= max_lines:
            return size, lines
    return sizes[-1], wrap(text, _font(sizes[-1]), width)


@dataclass
class _Block:
    """Centred lines of one size; `height` is what they take."""

    lines: list[str]
    size: int
    fill: str
    leading: float = 1.45
    bold: bool = False

    @property
    def step(self) -> int:
        return round(self.size * self.leading)

    @property
    def height(self) -> int:
        return self.step * len(self.lines)

    def draw(self, draw: ImageDraw.ImageDraw, y: int) -> int:
        """Drawn from `y` down; returns the `y` under the block."""
        font = _font(self.size)
        stroke = 1 if self.bold else 0  # the font has one weight: bold is a thin outline
        for line in self.lines:
            draw.text(
                (WIDTH // 2, y),
                line,
                font=font,
                fill=self.fill,
                anchor="ma",
                stroke_width=stroke,
                stroke_fill=self.fill,
            )
            y += self.step
        return y


@dataclass
class _Panel:
    """A tinted box: a heading, numbered steps or a table of rows, and a note."""

    width: int
    head: str
    size: int = 32
    items: list[list[str]] = field(default_factory=list)  # numbered steps, each wrapped
    rows: list[tuple[str, str]] = field(default_factory=list)  # a table (days, time)
    note: list[str] = field(default_factory=list)  # under the steps, in red
    intro: list[str] = field(default_factory=list)  # under the heading, in grey
    head_size: int = 40
    pad: int = 34

    @property
    def step(self) -> int:
        return round(self.size * 1.4)

    @property
    def inside(self) -> int:
        """The width of the text inside the panel."""
        return self.width - 2 * self.pad - 6

    def table(self) -> list[list[tuple[int, str]]]:
        """The rows as drawn lines of (x offset, text): day and time side by side, or when
        that is too wide, the day on a line of its own and its times indented under it."""
        font = _font(self.size)
        day_width = max((font.getlength(day) for day, _ in self.rows), default=0)
        time_width = max((font.getlength(time) for _, time in self.rows), default=0)
        column = round(day_width) + 24
        if column + time_width <= self.inside:
            return [[(0, day), (column, time)] for day, time in self.rows]
        lines: list[list[tuple[int, str]]] = []
        for day, time in self.rows:
            if day:
                lines.append([(0, day)])
            lines.append([(28, time)])
        return lines

    @property
    def height(self) -> int:
        h = self.pad + round(self.head_size * 1.65)
        h += self.step * len(self.intro) + (12 if self.intro else 0)
        h += sum(self.step * len(lines) + 14 for lines in self.items)
        h += self.step * len(self.table())
        h += (12 + self.step * len(self.note)) if self.note else 0
        return h + self.pad - 8

    def draw(self, image: Image.Image, x: int, y: int, height: int) -> None:
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle([(x, y), (x + self.width, y + height)], radius=24, fill=PANEL)
        draw.rectangle([(x, y + 24), (x + 8, y + height - 24)], fill=RED)
        font, head = _font(self.size), _font(self.head_size)
        left = x + self.pad + 6
        cy = y + self.pad
        draw.text((left, cy), self.head, font=head, fill=RED, stroke_width=1, stroke_fill=RED)
        cy += round(self.head_size * 1.65)
        for line in self.intro:
            draw.text((left, cy), line, font=font, fill=GREY)
            cy += self.step
        cy += 12 if self.intro else 0
        badge = round(self.size * 1.1)
        for number, lines in enumerate(self.items, start=1):
            centre = (left + badge // 2, cy + round(self.size * 0.8))  # on the text's middle
            draw.ellipse(
                [
                    (centre[0] - badge // 2, centre[1] - badge // 2),
                    (centre[0] + badge // 2, centre[1] + badge // 2),
                ],
                fill=RED,
            )
            draw.text(centre, str(number), font=_font(self.size - 6), fill=WHITE, anchor="mm")
            for line in lines:
                draw.text((left + badge + 16, cy), line, font=font, fill=INK)
                cy += self.step
            cy += 14
        for cells in self.table():
            for offset, cell in cells:
                draw.text((left + offset, cy), cell, font=font, fill=INK)
            cy += self.step
        if self.note:
            cy += 12
            for line in self.note:
                draw.text((left, cy), line, font=font, fill=RED)
                cy += self.step


def qr_matrix(link: str) -> list[list[bool]]:
    """The code's modules, quiet zone included (True: dark)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER)
    qr.add_data(link)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def _qr_image(link: str, side: int) -> Image.Image:
    """The code at most `side` pixels wide, every module the same whole number of pixels."""
    matrix = qr_matrix(link)
    box = max(1, side // len(matrix))
    small = Image.new("1", (len(matrix), len(matrix)), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    size = box * len(matrix)
    return small.resize((size, size), Image.Resampling.NEAREST).convert("RGB")


@dataclass(frozen=True)
class Rendered:
    image: Image.Image
    qr_box: tuple[int, int, int]  # left, top, side: where the code is
    bottom: int  # the y under the last text (the footer's band starts lower)


FOOTER = 96  # the red band at the bottom, at least
TOP = 24 + 56  # the red band at the top and the room under it
GUTTER = 36  # between the two panels
QR_FLOOR = 320  # a code smaller than this is still read (about 5 cm), only when it must


def _panels(text: PosterText, size: int, shown: int | None = None) -> list[_Panel]:
    """How to start, and the reception days beside it (when there are any): the first
    `shown` rows of them, and then where to find the rest."""
    two = text.reception_head is not None
    steps_width = round((INNER - GUTTER) * 0.55) if two else INNER
    steps = _Panel(width=steps_width, head=text.steps_head, size=size)
    badge = round(size * 1.1) + 16
    steps.items = [wrap(line, _font(size), steps.inside - badge) for line in text.steps]
    steps.note = wrap(text.needs, _font(size), steps.inside) if text.needs else []
    if text.reception_head is None:
        return [steps]
    reception = _Panel(
        width=INNER - GUTTER - steps_width,
        head=text.reception_head,
        size=size,
        rows=list(text.reception[:shown]),
    )
    reception.intro = wrap(text.reception_note or "", _font(size), reception.inside)
    if len(reception.rows) < len(text.reception):
        reception.rows.append(("…", ""))
        reception.note = wrap(text.reception_more or "", _font(size), reception.inside)
    return [steps, reception]


def render(text: PosterText, link: str) -> Rendered:
    """The poster of `text` with the QR code of `link`.

    Everything but the code is measured first; the code takes the height that is left (up
    to QR_MAX) and what still remains is spread over the gaps, so the page is full. When
    the texts leave less than QR_MIN (a long name, many reception times), the panels' type
    gets smaller first."""
    size, title_lines = _fit(text.title, (66, 60, 54, 48, 42), INNER, 2)
    title = _Block(title_lines, size, RED, leading=1.3, bold=True)
    address_size, address_lines = _fit(text.address, (34, 30, 26), INNER, 2)
    address = _Block(address_lines, address_size, GREY)
    purpose = _Block(wrap(text.purpose, _font(34), INNER - 40), 34, INK, leading=1.5)
    link_block = _Block(wrap(text.link, _font(26), INNER), 26, FAINT) if text.link else None
    languages = _Block(wrap(text.languages, _font(28), INNER), 28, WHITE, leading=1.35)
    footer = max(FOOTER, languages.height + 40)
    # the room after the title, address, purpose, code and link (before the panels)
    gaps = [18, 40, 40, 10 if link_block else 0, 44]
    weights = [1, 2, 2, 1 if link_block else 0, 2]
    fixed = TOP + title.height + address.height + purpose.height + sum(gaps) + 48 + footer
    fixed += link_block.height if link_block else 0
    sizes = (30, 28, 26, 24) if text.reception_head is not None else (34, 30, 28, 26, 24)
    for panel_size in sizes:
        panels = _panels(text, panel_size)
        panel_height = max(p.height for p in panels)
        free = HEIGHT - fixed - panel_height
        if free >= QR_MIN:
            break
    shown = len(text.reception)
    while free < QR_MIN and shown > 1:  # many reception times: the first ones, then "…"
        shown -= 1
        panels = _panels(text, panel_size, shown)
        panel_height = max(p.height for p in panels)
        free = HEIGHT - fixed - panel_height
    side = max(QR_FLOOR, min(QR_MAX, free))
    spare = max(0, free - side)
    extra = [spare * w // (sum(weights) + 1) for w in weights]

    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle([(0, 0), (WIDTH, 24)], fill=RED)
    y = title.draw(draw, TOP) + gaps[0] + extra[0]
    y = address.draw(draw, y)
    rule = y + (gaps[1] + extra[1] + 10) // 2  # glyphs start about 10 px below a line's top
    draw.line([(MARGIN + 200, rule), (WIDTH - MARGIN - 200, rule)], fill="#e3c5c6", width=3)
    y += gaps[1] + extra[1]
    y = purpose.draw(draw, y) + gaps[2] + extra[2]
    code = _qr_image(link, side)
    left, shift = (WIDTH - code.width) // 2, (side - code.width) // 2
    image.paste(code, (left, y + shift))
    qr_box = (left, y + shift, code.width)
    y += side + gaps[3] + extra[3]
    if link_block:
        y = link_block.draw(draw, y)
    y += gaps[4] + extra[4]
    x = MARGIN
    for panel in panels:
        panel.draw(image, x, y, panel_height)
        x += panel.width + GUTTER
    draw.rectangle([(0, HEIGHT - footer), (WIDTH, HEIGHT)], fill=RED)
    languages.draw(draw, HEIGHT - footer + (footer - languages.height) // 2 + 4)
    return Rendered(image, qr_box, y + panel_height)


def poster(
    station: Station,
    slots: list[Reception],
    link: str,
    lang: Lang = Lang.ZH,
    wechat: bool = False,
) -> Image.Image:
    """The poster image for one station."""
    return render(poster_text(station, slots, lang, link, wechat), link).image


def file_name(station: Station) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", station.key) + ".png"


def write_posters(
    out: Path,
    stations: list[tuple[Station, list[Reception]]],
    bot_username: str = "",
    wechat_links: dict[str, str] | None = None,
    lang: Lang = Lang.ZH,
) -> list[Path]:
    """One poster per station: the Telegram deep link, or (`wechat_links`: station key →
    the content of the service account's parametric QR code) the WeChat code."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for station, slots in stations:
        path = out / file_name(station)
        if wechat_links is not None:
            image = poster(station, slots, wechat_links[station.key], lang, wechat=True)
        else:
            image = poster(station, slots, station_link(bot_username, station.key), lang)
        image.save(path, dpi=(150, 150))
        written.append(path)
    return written
