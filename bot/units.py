"""Lengths as Telegram counts them: in UTF-16 code units (an emoji outside the Basic
Multilingual Plane is two), so a limit we check is the limit the platform enforces."""

from __future__ import annotations


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
