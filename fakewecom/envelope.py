"""The XML of WeCom callbacks: building inner messages and envelopes, parsing replies."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

XmlValue = str | int | float | Mapping[str, Any]


def cdata(value: str) -> str:
    """``value`` as a CDATA section (a ``]]>`` inside is split, as XML requires)."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _element(name: str, value: XmlValue) -> str:
    if isinstance(value, Mapping):
        inner = "".join(_element(key, item) for key, item in value.items())
    elif isinstance(value, bool):
        raise TypeError(f"{name}: booleans have no XML form here")
    elif isinstance(value, int | float):
        inner = str(value)
    else:
        inner = cdata(value)
    return f"<{name}>{inner}</{name}>"


def build_xml(fields: Mapping[str, XmlValue]) -> str:
    """``<xml>`` with one child per field: strings as CDATA, numbers bare, mappings nested."""
    return "<xml>" + "".join(_element(k, v) for k, v in fields.items()) + "</xml>"


def _read(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    return {child.tag: _read(child) for child in children}


def parse_xml(text: str | bytes) -> dict[str, Any]:
    """The children of an ``<xml>`` root as a dict (nested elements as dicts).

    :class:`ValueError` if the text is not well-formed XML with an ``<xml>`` root."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise ValueError(f"not well-formed XML: {error}") from None
    if root.tag != "xml":
        raise ValueError(f"root element is <{root.tag}>, not <xml>")
    value = _read(root)
    return value if isinstance(value, dict) else {}


def callback_body(corp_id: str, agent_id: int | str, encrypted: str) -> str:
    """The POST body WeCom sends to the callback URL."""
    return build_xml({"ToUserName": corp_id, "AgentID": str(agent_id), "Encrypt": encrypted})
