"""Every user-visible string, by key, in Chinese and English.

Catalog files are `bot/texts/*.yaml`; each key maps to `{zh: …, en: …}`. Texts are
HTML (Telegram's subset): parameters are HTML-escaped when filled in, unless wrapped
in `Markup` (already-safe HTML built from other catalog texts).
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from bot.models import Lang

_DIR = Path(__file__).parent


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""

    __slots__ = ()


class CatalogError(Exception):
    pass


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All keys from all catalog files; a duplicate key or a missing language is an error."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if key in merged:
                raise CatalogError(f"{path.name}: key {key!r} is defined twice")
            if not isinstance(value, dict):
                raise CatalogError(f"{path.name}: {key} must map zh/en to text")
            merged[key] = {str(k): str(v) for k, v in value.items()}
    return merged


def problems() -> list[str]:
    """Keys lacking a language, or whose languages use different placeholders."""
    found = []
    for key, texts in catalog().items():
        for lang in Lang:
            if not texts.get(lang.value, "").strip():
                found.append(f"{key}: missing {lang.value}")
        fields = {
            lang: {f for _, f, _, _ in Formatter().parse(texts.get(lang.value, "")) if f}
            for lang in Lang
        }
        if fields[Lang.ZH] != fields[Lang.EN]:
            found.append(f"{key}: placeholders differ between zh and en")
    return found


def escape(value: object) -> str:
    if isinstance(value, Markup):
        return str(value)
    return html.escape(str(value), quote=False)


def t(lang: Lang, key: str, **params: Any) -> Markup:
    """The text `key` in `lang`, with every parameter HTML-escaped."""
    try:
        template = catalog()[key][lang.value]
    except KeyError:
        raise CatalogError(f"unknown text key {key!r}") from None
    return Markup(template.format(**{k: escape(v) for k, v in params.items()}))


def plain(lang: Lang, key: str, **params: Any) -> str:
    """The text `key` for places that are not HTML (button labels, pop-up alerts)."""
    try:
        template = catalog()[key][lang.value]
    except KeyError:
        raise CatalogError(f"unknown text key {key!r}") from None
    return template.format(**{k: str(v) for k, v in params.items()})
