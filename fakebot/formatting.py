"""Telegram-style text formatting: HTML and MarkdownV2 parsing, UTF-16 lengths.

The parsers follow the rules of the Bot API ("Formatting options") and produce the plain
text a person sees plus ``MessageEntity`` dicts (offsets in UTF-16 code units). Malformed
input raises :class:`ParseError` with a message close to Telegram's
``can't parse entities: ...`` descriptions.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

# Tag name -> entity type. ``span`` and ``tg-*`` need attributes and are handled below.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_ALL_TAGS = {*_SIMPLE_TAGS, "span", "a", "tg-emoji", "tg-time"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);")
_ATTR_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class ParseError(ValueError):
    """The text cannot be parsed; ``str(err)`` is the part after ``can't parse entities:``."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (how Telegram counts characters)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(match: re.Match[str]) -> str | None:
    body = match.group(1)
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code)
    return _NAMED_ENTITIES.get(body)


class _Builder:
    """Accumulates plain text and tracks UTF-16 offsets for entities."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0  # UTF-16 units so far
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.offset += utf16_len(text)

    def text(self) -> str:
        return "".join(self.parts)


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML; return ``(plain_text, entities)`` or raise :class:`ParseError`."""
    out = _Builder()
    # Each open tag: (tag name, entity dict or None, start offset, byte offset in source)
    stack: list[tuple[str, Entity | None, int, int]] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            match = _ENTITY_RE.match(source, i)
            decoded = _decode_entity(match) if match else None
            if match and decoded is not None:
                out.add(decoded)
                i = match.end()
            else:  # Telegram keeps an unrecognised '&' as a literal character
                out.add("&")
                i += 1
            continue
        if ch != "<":
            j = i
            while j < n and source[j] not in "<&":
                j += 1
            out.add(source[i:j])
            i = j
            continue
        begin = i
        if source.startswith("</", i):
            end = source.find(">", i)
            if end < 0:
                raise ParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
            open_name, entity, start, _ = stack.pop()
            if name and name != open_name:
                raise ParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(source, begin)}, expected "</'
                    f'{open_name}>", found "</{name}>"'
                )
            if entity is not None and out.offset > start:
                entity["offset"] = start
                entity["length"] = out.offset - start
                out.entities.append(entity)
            i = end + 1
            continue
        # start tag
        j = i + 1
        while j < n and not source[j].isspace() and source[j] not in ">/":
            j += 1
        name = source[i + 1 : j].lower()
        if name not in _ALL_TAGS:
            raise ParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, begin)}'
            )
        attrs, j = _parse_attributes(source, j, name, begin)
        entity = _tag_entity(name, attrs, source, begin)
        if name == "code" and stack and stack[-1][0] == "pre" and stack[-1][1] is not None:
            language = attrs.get("class", "")
            if language.startswith("language-"):
                stack[-1][1]["language"] = language[len("language-") :]
        stack.append((name, entity, out.offset, _byte_offset(source, begin)))
        i = j
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    out.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), out.entities


def _parse_attributes(source: str, j: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(source)
    where = f'the tag "{tag}" at byte offset {_byte_offset(source, begin)}'
    while True:
        while j < n and source[j].isspace():
            j += 1
        if j >= n:
            raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        if source[j] == ">":
            return attrs, j + 1
        if source.startswith("/>", j):
            raise ParseError(f"Self-closing tags are not supported: {where}")
        match = _ATTR_NAME_RE.match(source, j)
        if not match:
            raise ParseError(f"Empty attribute name in {where}")
        attr = match.group(0).lower()
        j = match.end()
        while j < n and source[j].isspace():
            j += 1
        if j < n and source[j] == "=":
            j += 1
            while j < n and source[j].isspace():
                j += 1
            if j < n and source[j] in "\"'":
                quote = source[j]
                end = source.find(quote, j + 1)
                if end < 0:
                    raise ParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                    )
                raw = source[j + 1 : end]
                j = end + 1
            else:
                end = j
                while end < n and not source[end].isspace() and source[end] != ">":
                    end += 1
                raw = source[j:end]
                j = end
            attrs[attr] = _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), raw)
        elif attr in ("expandable",):
            attrs[attr] = ""
        else:
            raise ParseError(f"Expected equal sign in declaration of an attribute of {where}")


def _tag_entity(name: str, attrs: dict[str, str], source: str, begin: int) -> Entity | None:
    where = f"at byte offset {_byte_offset(source, begin)}"
    if name in _SIMPLE_TAGS:
        kind = _SIMPLE_TAGS[name]
        if name == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        if name == "pre":
            return {"type": "pre"}
        return {"type": kind}
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise ParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        return {"type": "spoiler"}
    if name == "a":
        href = attrs.get("href", "")
        if not href:
            return None  # Telegram silently ignores links without a URL
        if href.startswith("tg://user?id="):
            return {"type": "text_mention", "user": {"id": int(href[13:] or 0)}}
        return {"type": "text_link", "url": href}
    if name == "tg-emoji":
        if "emoji-id" not in attrs:
            raise ParseError(f'Custom emoji tag must have "emoji-id" attribute {where}')
        return {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    # tg-time
    if "unix" not in attrs or not attrs["unix"].lstrip("-").isdigit():
        raise ParseError(f'Tag "tg-time" must have a valid "unix" attribute {where}')
    entity: Entity = {"type": "date_time", "unix_time": int(attrs["unix"])}
    if "format" in attrs:
        entity["date_time_format"] = attrs["format"]
    return entity


# --------------------------------------------------------------------------- MarkdownV2

_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD2_MARKERS = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 (without nested-quote subtleties) or raise :class:`ParseError`."""
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # (entity type, start offset, byte offset)
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            if i + 1 >= n or not 1 <= ord(source[i + 1]) <= 126:
                raise ParseError(
                    f"Character '\\' is reserved and must be escaped with the preceding '\\'"
                    f" at byte offset {_byte_offset(source, i)}"
                )
            out.add(source[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = "```" if source.startswith("```", i) else "`"
            end = _find_unescaped(source, fence, i + len(fence))
            if end < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise ParseError(
                    f"Can't find end of {kind} entity at byte offset {_byte_offset(source, i)}"
                )
            body = source[i + len(fence) : end]
            entity: Entity = {"type": "pre" if fence == "```" else "code"}
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    entity["language"] = first
                    body = rest
            body = re.sub(r"\\([`\\])", r"\1", body)
            start = out.offset
            out.add(body)
            entity.update(offset=start, length=out.offset - start)
            if entity["length"]:
                out.entities.append(entity)
            i = end + len(fence)
            continue
        if ch == "[":
            stack.append(("text_link", out.offset, _byte_offset(source, i)))
            i += 1
            continue
        if ch == "]" and stack and stack[-1][0] == "text_link":
            _, start, _ = stack.pop()
            if not source.startswith("(", i + 1):
                raise ParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(source, i + 1)}"
                )
            end = _find_unescaped(source, ")", i + 2)
            if end < 0:
                raise ParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(source, i + 1)}"
                )
            url = re.sub(r"\\([)\\])", r"\1", source[i + 2 : end])
            if out.offset > start:
                out.entities.append(
                    {"type": "text_link", "url": url, "offset": start, "length": out.offset - start}
                )
            i = end + 1
            continue
        if ch == ">" and (i == 0 or source[i - 1] == "\n"):
            i += 1  # block quotation marker: accepted, not turned into an entity
            continue
        for marker, kind in _MD2_MARKERS:
            if source.startswith(marker, i):
                if stack and stack[-1][0] == kind:
                    _, start, _ = stack.pop()
                    if out.offset > start:
                        out.entities.append(
                            {"type": kind, "offset": start, "length": out.offset - start}
                        )
                else:
                    stack.append((kind, out.offset, _byte_offset(source, i)))
                i += len(marker)
                break
        else:
            if ch in _MD2_RESERVED:
                raise ParseError(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            out.add(ch)
            i += 1
    if stack:
        kind, _, byte_offset = stack[-1]
        raise ParseError(
            f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset {byte_offset}"
        )
    out.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), out.entities


def _find_unescaped(source: str, needle: str, start: int) -> int:
    i = start
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source.startswith(needle, i):
            return i
        i += 1
    return -1


# --------------------------------------------------------------------------- legacy Markdown

_LEGACY = {"*": "bold", "_": "italic"}


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    """Parse legacy ``Markdown`` (bold, italic, code, pre, links)."""
    out = _Builder()
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch in _LEGACY or ch == "`" or ch == "[":
            fence = "```" if source.startswith("```", i) else ch
            closer = "]" if ch == "[" else fence
            end = source.find(closer, i + len(fence))
            if end < 0:
                raise ParseError(
                    "Can't find end of the entity starting at byte offset "
                    f"{_byte_offset(source, i)}"
                )
            body = source[i + len(fence) : end]
            start = out.offset
            out.add(body)
            kind = {"```": "pre", "`": "code", "[": "text_link"}.get(fence) or _LEGACY[ch]
            entity: Entity = {"type": kind, "offset": start, "length": out.offset - start}
            i = end + len(closer)
            if kind == "text_link":
                if not source.startswith("(", i) or source.find(")", i) < 0:
                    raise ParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(source, i)}"
                    )
                close = source.find(")", i)
                entity["url"] = source[i + 1 : close]
                i = close + 1
            if entity["length"]:
                out.entities.append(entity)
            continue
        out.add(ch)
        i += 1
    return out.text(), out.entities


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Parse ``text`` according to ``parse_mode`` (None/'' = plain text)."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ParseError(f'Unsupported parse_mode "{parse_mode}"')


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace like Telegram does, shifting and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept
