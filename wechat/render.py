"""The core's ``Outgoing`` (Telegram-style HTML, inline buttons, a reply keyboard) → WeChat
customer-service message parts.

Facts that shape it (wechat.md §4):

- The account may send a resident only **5** customer-service messages per window (48 h after
  the resident's last message; 3 within a minute after a menu click, follow or scan). Every
  part counts, so a message becomes as few parts as possible: at best one ``msgmenu``.
- A ``msgmenu`` is a text (``head_content``) with tappable options (``list`` of ``{id,
  content}``) and a closing line (``tail_content``). A tap comes back as a text message whose
  ``Content`` is the option's text and whose ``bizmsgmenuid`` is its id, so an option id is
  the button's callback data, and ids are unique per menu. WeChat publishes no limits for it
  here; we keep WeCom's customer-service limits (≤ 10 options, head ≤ 1024 bytes) with a
  margin: head ≤ 1000 UTF-8 bytes, option text ≤ 30 characters (cut with "…").
- ``text`` content is plain (we send no HTML) and kept ≤ 2048 UTF-8 bytes per message (the
  real limit is unpublished).
- There is no URL button, no reply keyboard, no location or contact sharing button.

So:

- HTML → plain text; URL buttons → lines "label：url" under the text.
- Press buttons (data, no url), ≤ 10: ONE msgmenu. Its head is the whole text when that fits
  in 1000 bytes; otherwise the text goes first as text parts and the head is its first line,
  cut short. The tail is ``tap_hint`` (say, "点击选项即可").
- A reply keyboard's labels send themselves when tapped (Telegram): each label not in
  ``skip_labels`` (those the account's own menu already offers) becomes an option with id
  ``"say:" + label``, so a tap reads as that text. ``request="location"`` adds
  ``location_hint`` as a line (the resident sends a location via ＋ → 位置); ``"contact"`` is
  dropped (WeChat shares no phone numbers); ``remove`` adds nothing.
- More than 10 options: no menu; the text ends with a numbered list "1. label" and
  ``choose_hint``, and ``choices`` says what each number means (the resident replies with it).
- No options: text parts only. Photos pass through; ``location`` is left to the messenger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.messages import Button, Outgoing
from bot.plaintext import plain_text, split_bytes

TEXT_LIMIT = 2048  # bytes per text message
MAX_OPTIONS = 10  # per msgmenu
HEAD_LIMIT = 1000  # bytes of head_content
HEAD_LINE_CHARS = 60  # the head line above the options when the text went first
OPTION_CHARS = 30  # content of one option
SAY = "say:"  # option id prefix of a keyboard label: tapping it is saying it


@dataclass(frozen=True)
class Choice:
    """A numbered option the resident answers by replying with its number."""

    number: int
    label: str
    data: str


@dataclass(frozen=True)
class Rendered:
    texts: tuple[str, ...]  # plain-text messages, each ≤ 2048 UTF-8 bytes, sent first, in order
    menu: dict[str, Any] | None  # a msgmenu {"head_content", "list", "tail_content"}, sent last
    choices: tuple[Choice, ...]  # non-empty when the options were too many for a msgmenu
    photos: tuple[str, ...]


@dataclass(frozen=True)
class _Option:
    label: str
    data: str


def render(
    message: Outgoing,
    *,
    choose_hint: str,
    tap_hint: str,
    location_hint: str,
    skip_labels: frozenset[str] = frozenset(),
) -> Rendered:
    buttons = [b for row in message.buttons for b in row]
    links = [b for b in buttons if b.url]
    options = _options(buttons, message, skip_labels)
    lines = [_link_line(b) for b in links]
    keyboard = message.keyboard
    if keyboard is not None and not keyboard.remove and keyboard.request == "location":
        lines.append(location_hint)
    body = _join(plain_text(message.text), "\n".join(lines))
    photos = tuple(message.photos)

    if not options:
        return Rendered(tuple(split_bytes(body, TEXT_LIMIT)), None, (), photos)

    if len(options) > MAX_OPTIONS:
        choices = tuple(
            Choice(number=n, label=o.label, data=o.data) for n, o in enumerate(options, start=1)
        )
        listing = "\n".join(f"{c.number}. {c.label}" for c in choices)
        full = _join(_join(body, listing), choose_hint)
        return Rendered(tuple(split_bytes(full, TEXT_LIMIT)), None, choices, photos)

    texts: tuple[str, ...] = ()
    head = body
    if len(body.encode()) > HEAD_LIMIT:
        # The whole text goes first; the menu repeats just its first line above the options.
        texts = tuple(split_bytes(body, TEXT_LIMIT))
        first = next((line.strip() for line in body.split("\n") if line.strip()), "")
        head = _cut(first, HEAD_LINE_CHARS)
    menu: dict[str, Any] = {
        "head_content": head or "…",
        "list": [{"id": o.data, "content": _cut(o.label, OPTION_CHARS)} for o in options],
        "tail_content": tap_hint,
    }
    return Rendered(texts, menu, (), photos)


def parts(rendered: Rendered) -> int:
    """How many customer-service messages ``rendered`` costs (of the 5 a window allows)."""
    return len(rendered.texts) + len(rendered.photos) + (rendered.menu is not None)


def _options(
    buttons: list[Button], message: Outgoing, skip_labels: frozenset[str]
) -> list[_Option]:
    """Press buttons, then the keyboard's labels; ids unique (a repeat is dropped, as are
    buttons that would do nothing: neither url nor data)."""
    candidates = [_Option(b.text, b.data) for b in buttons if not b.url and b.data]
    keyboard = message.keyboard
    if keyboard is not None and not keyboard.remove:
        candidates += [
            _Option(label, SAY + label)
            for row in keyboard.rows
            for label in row
            if label and label not in skip_labels
        ]
    seen: set[str] = set()
    kept = []
    for option in candidates:
        if option.data not in seen:
            seen.add(option.data)
            kept.append(option)
    return kept


def _link_line(b: Button) -> str:
    return f"{b.text}：{b.url}"


def _join(head: str, tail: str) -> str:
    return f"{head}\n\n{tail}" if head and tail else head or tail


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
