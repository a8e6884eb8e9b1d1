"""The XML of WeChat callbacks: inner messages, the safe-mode envelope, passive replies."""

from __future__ import annotations

from typing import Any

from fakewecom.envelope import XmlValue, build_xml, cdata, parse_xml

__all__ = ["XmlValue", "build_xml", "callback_body", "cdata", "parse_xml", "reply_envelope"]


def callback_body(original_id: str, encrypted: str) -> str:
    """The safe-mode POST body WeChat sends to the callback URL."""
    return build_xml({"ToUserName": original_id, "Encrypt": encrypted})


def reply_envelope(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """An encrypted passive reply as the bot must answer it in safe mode."""
    fields: dict[str, Any] = {
        "Encrypt": encrypted,
        "MsgSignature": msg_signature,
        "TimeStamp": timestamp,
        "Nonce": nonce,
    }
    return build_xml(fields)
