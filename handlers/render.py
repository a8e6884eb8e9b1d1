"""Platform-neutral messages → Telegram objects; the only place that builds keyboards."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode

from bot.messages import Button, Keyboard, Outgoing
from bot.models import Lang
from bot.plaintext import plain_text
from bot.texts import plain, t
from bot.units import utf16_len
from bot.views import report as report_views

HTML = ParseMode.HTML


def inline(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in rows
            if row
        ]
    )


def markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    return inline(message.buttons)


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def any_markup(message: Outgoing) -> Markup | None:
    """Inline buttons, else the keyboard under the text field (one per message)."""
    if message.buttons:
        return inline(message.buttons)
    if message.keyboard is not None:
        return keyboard(message.keyboard)
    return None


def keyboard(board: Keyboard) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    if board.remove:
        return ReplyKeyboardRemove()
    rows: list[list[KeyboardButton | str]] = [list(row) for row in board.rows]
    if board.request is not None:
        button = KeyboardButton(
            board.request_label,
            request_contact=board.request == "contact",
            request_location=board.request == "location",
        )
        return ReplyKeyboardMarkup([[button], *rows], resize_keyboard=True, one_time_keyboard=True)
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def resident_menu(lang: Lang) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """The resident's persistent menu (我要反映 …), as the core describes it."""
    return keyboard(report_views.menu_keyboard(lang))


def contact_request(lang: Lang, label_key: str) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """A button that sends the person's own contact, above the resident menu."""
    return keyboard(report_views.contact_keyboard(lang, label_key))


def menu_labels(key: str) -> list[str]:
    """A menu button's label in every language (for matching what the user tapped)."""
    return [plain(lang, key) for lang in Lang]


# -- captions and texts ----------------------------------------------------------------------
# Telegram counts a caption's length (≤ 1024) and a text's (≤ 4096) in UTF-16 units of what a
# person sees: after the HTML is parsed (tags gone, entities decoded) and surrounding
# whitespace stripped.

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")
# the named entities Telegram knows; numeric ones are all decoded; others stay literal
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#[xX][0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _NAMED:
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)  # Telegram refuses it anyway
    return chr(code)


def visible_text(text: str) -> str:
    """What a person sees of Telegram HTML: tags dropped, entities decoded (not stripped)."""
    return _ENTITY.sub(_entity, _TAG.sub("", text))


def caption_fits(text: str, limit: int = CAPTION_LIMIT) -> bool:
    """Whether Telegram accepts `text` (HTML) as a caption."""
    return utf16_len(visible_text(text).strip()) <= limit


def _cut(text: str, units: int) -> str:
    """The longest start of `text` of at most `units` UTF-16 units (never half a character)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index]
    return text


def shorten(text: str, limit: int = CAPTION_LIMIT) -> str:
    """`text` (HTML) cut to `limit` visible UTF-16 units, ending with "…" when cut; the tags
    left open at the cut are closed, so the result is still valid Telegram HTML."""
    if caption_fits(text, limit):
        return text
    budget = limit - 1  # the ellipsis
    out: list[str] = []
    open_tags: list[str] = []
    used = 0
    for token in _TOKEN.split(text.strip()):
        if not token:
            continue
        if token.startswith("<"):
            name = _TAG_NAME.match(token)
            if token.startswith("</"):
                if open_tags:
                    open_tags.pop()
            elif name is not None:
                open_tags.append(name.group(1).lower())
            out.append(token)
            continue
        shown = visible_text(token)
        size = utf16_len(shown)
        if used + size <= budget:
            out.append(token)
            used += size
            continue
        out.append(html.escape(_cut(shown, budget - used), quote=False))
        break
    out.append("…")
    out.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(out)


def _balanced(text: str) -> bool:
    depth: list[str] = []
    for tag in _TAG.findall(text):
        name = _TAG_NAME.match(tag)
        if name is None:
            return False
        if tag.startswith("</"):
            if not depth or depth.pop() != name.group(1).lower():
                return False
        else:
            depth.append(name.group(1).lower())
    return not depth


def heading(text: str, limit: int = 200) -> str:
    """The first line of `text` (HTML) that shows something, without a trailing colon: what
    a message carrying the buttons of a captioned album says (the card's own heading, in the
    recipient's language). Its formatting is kept when the line's tags are balanced."""
    for line in text.split("\n"):
        shown = visible_text(line).strip()
        if not shown:
            continue
        line = line.strip() if _balanced(line) else html.escape(shown, quote=False)
        line = line.rstrip(":：").rstrip() or line
        return shorten(line, limit)
    return "☝️"


# -- texts too long for Telegram ---------------------------------------------------------------

_NUMBER = re.compile(r"#(\d+)")
KEEP_AT_LEAST = 80  # units a shortened line keeps; with less, the text is cut from its start


def _note(lang: Lang, text: str, *, html_out: bool) -> str:
    """The line under a shortened text: it was shortened, and where the whole is (the
    issue it names, when it names one)."""
    found = _NUMBER.search(visible_text(text) if html_out else text)
    key = "delivery.cut_issue" if found else "delivery.cut"
    params = {"number": int(found.group(1))} if found else {}
    return str(t(lang, key, **params)) if html_out else plain(lang, key, **params)


def fit(text: str, limit: int = TEXT_LIMIT, lang: Lang = Lang.ZH) -> str:
    """`text` (Telegram HTML) as Telegram takes it: unchanged when what it shows fits in
    `limit` UTF-16 units; else shortened with "…" and a line saying so (`_note`). The
    longest line is what gets shorter (a card keeps its number, facts and deadlines) when
    it alone can make the room; else the text is cut from its start as plain visible text.
    The result is always valid HTML of at most `limit` units."""
    if caption_fits(text, limit):
        return text
    note = _note(lang, text, html_out=True)
    room = limit - utf16_len(visible_text(note)) - 1  # the line break before the note
    if room < KEEP_AT_LEAST:  # no room for a note: the text alone, cut
        return html.escape(_cut(visible_text(text).strip(), limit - 1), quote=False) + "…"
    lines = text.strip().split("\n")
    sizes = [utf16_len(visible_text(line)) for line in lines]
    longest = max(range(len(lines)), key=sizes.__getitem__)
    excess = utf16_len(visible_text(text).strip()) - room
    keep = sizes[longest] - excess
    if keep >= KEEP_AT_LEAST and _balanced(text) and _balanced(lines[longest]):
        lines[longest] = shorten(lines[longest], keep)
        body = "\n".join(lines)
        shortened = f"{body}\n{note}"
        if caption_fits(shortened, limit) and _balanced(shortened):
            return shortened
    # plain visible text, cut: never a tag left open
    shown = visible_text(text).strip()
    return html.escape(_cut(shown, room - 1), quote=False) + "…\n" + note


def fit_plain(text: str, limit: int = TEXT_LIMIT, lang: Lang = Lang.ZH) -> str:
    """`fit` for a text sent without formatting (no parse mode): cut from its start."""
    shown = text.strip()
    if utf16_len(shown) <= limit:
        return text
    note = _note(lang, shown, html_out=False)
    room = limit - utf16_len(note) - 1
    if room < KEEP_AT_LEAST:
        return _cut(shown, limit - 1) + "…"
    return _cut(shown, room - 1) + "…\n" + note


def shorten_plain(text: str, limit: int = CAPTION_LIMIT) -> str:
    """`shorten` for plain text: cut to `limit` UTF-16 units, ending with "…" when cut."""
    shown = text.strip()
    return shown if utf16_len(shown) <= limit else _cut(shown, limit - 1) + "…"


def as_plain(text: str) -> str:
    """Telegram HTML as the plain text to send without a parse mode: what it shows (links
    with their address), from a lenient parser that takes broken HTML too."""
    return plain_text(text)
