"""Decoding request parameters the way the Bot API does, driven by :mod:`fakebot.api_schema`.

PTB sends every value as a form string (objects JSON-encoded); JSON bodies arrive typed.
Values are converted according to the field's declared types; unknown fields are kept as is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fakebot.api_schema import FieldSpec
from fakebot.models import ApiError, Upload, bad_request

_SCALARS = {"Integer", "Float", "Boolean", "String", "InputFile"}
_INT_RE = re.compile(r"-?\d+")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def _convert(name: str, value: Any, types: tuple[str, ...]) -> Any:
    if isinstance(value, Upload):
        if "InputFile" in types or not set(types) <= _SCALARS:
            return value
        raise bad_request(f'field "{name}" must be of type {" or ".join(types)}')
    if not isinstance(value, str):
        if "Integer" in types and isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if "Integer" in types and _INT_RE.fullmatch(value.strip()):
        return int(value.strip())
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            if "String" not in types:
                raise bad_request(f'field "{name}" must be of type Float') from None
    if "Boolean" in types:
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')
    if "String" in types:
        return value
    if "Integer" in types:
        raise bad_request(f'field "{name}" must be of type Integer')
    # An object or array type, JSON-encoded.
    try:
        return json.loads(value)
    except ValueError:
        if name == "reply_markup":
            raise bad_request("can't parse reply keyboard markup JSON object") from None
        raise bad_request(f"can't parse {name} JSON object") from None


def decode(fields: dict[str, FieldSpec], raw: dict[str, Any]) -> dict[str, Any]:
    """Convert raw request values by the method's field types and check required ones."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        spec = fields.get(name)
        params[name] = value if spec is None else _convert(name, value, spec[0])
    for name, (_, required) in fields.items():
        if required and (name not in params or params[name] is None or params[name] == ""):
            raise missing(name)
    return params


def missing(name: str) -> ApiError:
    """The error for a missing required parameter."""
    if name == "text":
        return bad_request("message text is empty")
    if name == "chat_id":
        return bad_request("chat_id is empty")
    return bad_request(f"{name} is required")
