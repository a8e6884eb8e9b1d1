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
from typing import Any

from bot.messages import Button, Outgoing
from bot.plaintext import plain_text, split_bytes

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
