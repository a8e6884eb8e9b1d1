"""The core's ``Outgoing`` (Telegram-style HTML + inline buttons) → WeCom message parts.

WeCom app messages: ``text`` content is plain (no HTML) and at most 2048 UTF-8 bytes (≈680
Chinese characters; 45002 when larger). Buttons exist only on a ``button_interaction`` template
card: at most 6, each callback key unique in the card; main_title.title ~36 characters and
sub_title_text ~160 are display advice (WeCom cuts, it does not refuse). So: short text + few
buttons → one card; long text → texts, then a card titled by its first line; more than 6
buttons → a numbered list the member answers by typing the number.

markdown messages are not used: the WeChat plugin does not show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from bot.messages import Button, Outgoing

TEXT_LIMIT = 2048  # bytes per text message
MAX_BUTTONS = 6  # per button_interaction card
TITLE_CHARS = 36  # main_title.title
SUB_TITLE_CHARS = 160  # sub_title_text


@dataclass(frozen=True)
class Choice:
    """A numbered option the member answers by replying with its number."""

    number: int
    label: str
    data: str


@dataclass(frozen=True)
class Rendered:
    texts: tuple[str, ...]  # plain-text messages, each ≤ 2048 UTF-8 bytes, in order
    # A button_interaction template_card WITHOUT task_id (the messenger adds a fresh one),
    # sent after the texts.
    card: dict[str, Any] | None
    choices: tuple[Choice, ...]  # non-empty when the buttons were too many for a card
    photos: tuple[str, ...]


def render(message: Outgoing, *, choose_hint: str) -> Rendered:
    text = plain_text(message.text)
    buttons = _unique([b for row in message.buttons for b in row])
    links = [b for b in buttons if b.url]
    presses = [b for b in buttons if not b.url and b.data is not None]
    photos = tuple(message.photos)

    if not presses:
        body = _join(text, "\n".join(_link_line(b) for b in links))
        return Rendered(tuple(split_bytes(body)), None, (), photos)

    if len(buttons) > MAX_BUTTONS:
        choices = tuple(
            Choice(number=n, label=b.text, data=b.data or "")
            for n, b in enumerate(presses, start=1)
        )
        listing = "\n".join(
            [f"{c.number}. {c.label}" for c in choices] + [_link_line(b) for b in links]
        )
        body = _join(_join(text, listing), choose_hint)
        return Rendered(tuple(split_bytes(body)), None, choices, photos)

    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    title_line = lines[first].strip() if first is not None else ""
    rest = "\n".join(lines[first + 1 :]).strip() if first is not None else ""
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": _cut(title_line, TITLE_CHARS) or "…"},
        "button_list": [_card_button(b) for b in buttons],
    }
    # Everything fits on the card only if nothing would be cut; otherwise the whole text goes
    # first as ordinary messages and the card just carries the buttons under its first line.
    fits = len(text) <= SUB_TITLE_CHARS and len(title_line) <= TITLE_CHARS
    if fits:
        if rest:
            card["sub_title_text"] = rest
        return Rendered((), card, (), photos)
    return Rendered(tuple(split_bytes(text)), card, (), photos)


def _unique(buttons: list[Button]) -> list[Button]:
    """Drop buttons whose callback key repeats (WeCom wants keys unique per card) and
    buttons that would do nothing (neither url nor data)."""
    seen: set[str] = set()
    kept = []
    for b in buttons:
        if not b.url:
            if b.data is None or b.data in seen:
                continue
            seen.add(b.data)
        kept.append(b)
    return kept


def _card_button(b: Button) -> dict[str, Any]:
    # A url wins over data, as in the Telegram renderer.
    if b.url:
        return {"type": 1, "text": b.text, "url": b.url}
    return {"type": 0, "text": b.text, "style": 1, "key": b.data}


def _link_line(b: Button) -> str:
    return f"{b.text}：{b.url}"


def _join(head: str, tail: str) -> str:
    return f"{head}\n\n{tail}" if head and tail else head or tail


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- HTML → plain text ---------------------------------------------------------------------


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.out: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("\n")
        elif tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._link_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            label, href = "".join(self._link_text), self._href
            self._href = None
            self.out.append(label if not href or label == href else f"{label}（{href}）")

    def finish(self) -> str:
        self.close()
        if self._href is not None:  # an unclosed <a>: keep its text
            self.handle_endtag("a")
        return "".join(self.out)

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def _emit(self, text: str) -> None:
        (self._link_text if self._href is not None else self.out).append(text)


def plain_text(html: str) -> str:
    """Telegram-subset HTML → WeCom plain text: tags dropped, entities unescaped,
    ``<a href=u>x</a>`` → ``x（u）`` (just ``x`` when x is u), ``<br>`` and newlines kept."""
    parser = _PlainText()
    parser.feed(html)
    return parser.finish()


# -- splitting -----------------------------------------------------------------------------


def split_bytes(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` UTF-8 bytes: at line breaks when possible
    (the break itself is dropped), else inside the line but never inside a character."""
    if limit < 4:
        raise ValueError("limit must hold any UTF-8 character (4 bytes)")
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        # The line alone may still be too long: cut it at character boundaries.
        while _size(line) > limit:
            head = _prefix(line, limit)
            parts.append(head)
            line = line[len(head) :]
        current = line
    if current.strip():
        parts.append(current)
    return [p for p in parts if p.strip()]


def _size(text: str) -> int:
    return len(text.encode())


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that fits in ``limit`` bytes."""
    # Cutting the bytes may split the last character; "ignore" drops its partial bytes.
    return text.encode()[:limit].decode(errors="ignore")
