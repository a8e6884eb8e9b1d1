"""Telegram-subset HTML → plain text, and cutting text into parts of a byte limit: what
platforms without HTML (WeCom, WeChat) show."""

from __future__ import annotations

from html.parser import HTMLParser

from bot.models import Lang
from bot.texts import plain

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


def amap(lat: float, lon: float) -> str:
    """A map link for platforms that show no location pin (Amap: common in China)."""
    return f"https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}"


def location_line(lang: Lang, lat: float, lon: float) -> str:
    """A location as text: coordinates and a map link."""
    return plain(lang, "plain.location", lat=f"{lat:.5f}", lon=f"{lon:.5f}", url=amap(lat, lon))


def plain_text(html: str) -> str:
    """Telegram-subset HTML → WeCom plain text: tags dropped, entities unescaped,
    ``<a href=u>x</a>`` → ``x（u）`` (just ``x`` when x is u), ``<br>`` and newlines kept."""
    parser = _PlainText()
    parser.feed(html)
    return parser.finish()


# -- splitting -----------------------------------------------------------------------------


def split_bytes(text: str, limit: int = 2048) -> list[str]:
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
