"""Every user-visible string, by key, in Chinese and English.

Catalog files are `bot/texts/*.yaml`; each key maps to `{zh: …, en: …}`. Texts are
HTML (Telegram's subset): parameters are HTML-escaped when filled in, unless wrapped
in `Markup` (already-safe HTML built from other catalog texts).

Plural forms (Chinese has none; English needs them):

- `en_one:` — the whole English text used instead of `en` when the parameter `count` is 1
  (``{count} people support it`` / ``{count} person supports it``). It must use the same
  placeholders as `en`, and only a text with a `{count}` placeholder may have one.
- `{name:one|other}` — inside any text, a word chosen by the parameter `name`: `one` when
  it is 1, else `other`. For a text with several numbers, or one not called `count`:
  ``{problems} {problems:problem|problems} found``. The number itself is written as a plain
  ``{problems}``; the choice only picks the word. No other format specs are used.

`problems()` (a unit test keeps it empty) checks both languages, the same placeholders in
every form of a text, and well-formed choices.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from bot.models import Lang

_DIR = Path(__file__).parent

ONE = "_one"  # suffix of a language's singular form: `en_one`
FIELDS = {lang.value for lang in Lang} | {f"{lang.value}{ONE}" for lang in Lang}


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


def _is_one(value: object) -> bool:
    return str(value).strip() == "1"


class _Choosing(Formatter):
    """str.format, plus `{name:one|other}`: a word chosen by whether `name` is 1."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            return one if _is_one(value) else other
        return str(super().format_field(value, format_spec))


_FORMATTER = _Choosing()


def _fill(text: str, values: dict[str, str]) -> str:
    # str.format is faster; only a text with a choice needs the Formatter.
    return _FORMATTER.vformat(text, (), values) if "|" in text else text.format(**values)


def _placeholders(template: str) -> tuple[set[str], list[str]]:
    """The parameter names of a template, and its format specs that are not a choice."""
    names: set[str] = set()
    bad: list[str] = []
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as exc:
        return names, [f"unparsable ({exc})"]
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        names.add(name)
        if conversion or (spec and spec.count("|") != 1):
            bad.append(f"{{{name}:{spec}}}")
    return names, bad


def problems() -> list[str]:
    """Keys lacking a language, whose forms use different placeholders, with an unknown
    field, a singular form without `{count}`, or a malformed `{name:one|other}`."""
    found = []
    for key, texts in catalog().items():
        for lang in Lang:
            if not texts.get(lang.value, "").strip():
                found.append(f"{key}: missing {lang.value}")
        for field in sorted(set(texts) - FIELDS):
            found.append(f"{key}: unknown field {field!r} (use zh, en, en_one)")
        fields: dict[str, set[str]] = {}
        for field in sorted(set(texts) & FIELDS):
            fields[field], bad = _placeholders(texts[field])
            found.extend(f"{key}: {field} has a bad placeholder {b}" for b in bad)
        if fields.get(Lang.ZH.value, set()) != fields.get(Lang.EN.value, set()):
            found.append(f"{key}: placeholders differ between zh and en")
        for lang in Lang:
            one = f"{lang.value}{ONE}"
            if one not in fields:
                continue
            if fields[one] != fields.get(lang.value, set()):
                found.append(f"{key}: placeholders differ between {lang.value} and {one}")
            if "count" not in fields[one]:
                found.append(f"{key}: {one} needs a {{count}} placeholder to be chosen")
    return found


def escape(value: object) -> str:
    if isinstance(value, Markup):
        return str(value)
    return html.escape(str(value), quote=False)


def template(lang: Lang, key: str, params: Mapping[str, Any]) -> str:
    """The text `key` in `lang`: its singular form when there is one and `count` is 1."""
    try:
        texts = catalog()[key]
        chosen = texts[lang.value]
    except KeyError:
        raise CatalogError(f"unknown text key {key!r}") from None
    singular = texts.get(f"{lang.value}{ONE}")
    if singular is not None and "count" in params and _is_one(params["count"]):
        return singular
    return chosen


def t(lang: Lang, key: str, **params: Any) -> Markup:
    """The text `key` in `lang`, with every parameter HTML-escaped."""
    text = template(lang, key, params)
    return Markup(_fill(text, {k: escape(v) for k, v in params.items()}))


def plain(lang: Lang, key: str, **params: Any) -> str:
    """The text `key` for places that are not HTML (button labels, pop-up alerts)."""
    text = template(lang, key, params)
    return _fill(text, {k: str(v) for k, v in params.items()})
