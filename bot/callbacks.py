"""Callback data: short, structured, and never trusted (`iss:acc:12`, ≤ 64 bytes).

Parsing only checks the shape; every press is re-checked against the database by the
service that handles it.
"""

from __future__ import annotations

from typing import NamedTuple

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
