"""Callback data: short, structured, and never trusted (`iss:acc:12`, ≤ 64 bytes).

Parsing only checks the shape; every press is re-checked against the database by the
service that handles it.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, ValidationError

MAX_BYTES = 64


class Callback(NamedTuple):
    scope: str  # iss, rep, st, lang, pr
    verb: str
    args: tuple[int, ...]


def encode(scope: str, verb: str, *args: int) -> str:
    data = ":".join([scope, verb, *(str(int(a)) for a in args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data}")
    return data


def decode(data: str | None) -> Callback | None:
    """The parts of `data`, or None when it is not ours or malformed."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or not parts[0].isalpha() or not parts[1].replace("_", "").isalnum():
        return None
    try:
        args = tuple(int(p) for p in parts[2:])
    except ValueError:
        return None
    if any(a < 0 or a > 2**53 for a in args):
        return None
    return Callback(parts[0], parts[1], args)


class CallbackData(BaseModel):
    """A button kind's data, defined once: `pack()` writes it and `unpack()` reads it back
    (None for anything else), so the encoder and the matcher cannot drift apart.

        class ReportPress(CallbackData, prefix="rep"):
            verb: str
            draft: int

    Trailing fields that default to None are left out when None (``iss:acc:12``).
    """

    model_config = ConfigDict(frozen=True)
    prefix: ClassVar[str]

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix:
            cls.prefix = prefix

    def pack(self) -> str:
        values = [getattr(self, name) for name in type(self).model_fields]
        while values and values[-1] is None:  # optional trailing fields are left out
            values.pop()
        parts = [self.prefix, *(str(v) for v in values)]
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES or any(":" in p for p in parts[1:]):
            raise ValueError(f"bad callback data: {data}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        parts = data.split(":")
        names = list(cls.model_fields)
        required = sum(1 for f in cls.model_fields.values() if f.is_required())
        if parts[0] != cls.prefix or not required <= len(parts) - 1 <= len(names):
            return None
        try:
            found = cls.model_validate(dict(zip(names, parts[1:], strict=False)))
        except ValidationError:
            return None
        if any(isinstance(v, int) and not 0 <= v <= 2**53 for v in found.__dict__.values()):
            return None
        return found

    @classmethod
    def pattern(cls, verb: str | None = None) -> str:
        """A regular expression matching this kind's data (for the adapters' routing), or
        only its presses with the first field `verb`."""
        if verb is None:
            return rf"^{re.escape(cls.prefix)}:"
        return rf"^{re.escape(cls.prefix)}:{re.escape(verb)}:"


class IssuePress(CallbackData, prefix="iss"):
    """A button on an issue (``iss:acc:12``): the verb, the issue and, for some verbs, one
    more number: the rating (rate), the unit (dep) or the deputy (asg)."""

    verb: str
    issue: int
    arg: int | None = None


class ReportPress(CallbackData, prefix="rep"):
    """A button of one draft report: cat (arg = category), skip, submit, cancel, me2 (arg =
    the issue supported), phone, nophone, resume, new."""

    verb: str
    draft: int
    arg: int = 0


class PromptPress(CallbackData, prefix="pr"):
    """send / edit / cancel / skip on what the bot waits for, at one version of it."""

    verb: str
    version: int
