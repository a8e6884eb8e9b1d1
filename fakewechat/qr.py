"""Parametric QR codes (``qrcode/create``): action names, scenes, expiry, tickets."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from fakewechat.models import WeChatError
from fakewechat.state import QrCode

TEMPORARY = frozenset({"QR_SCENE", "QR_STR_SCENE"})
PERMANENT = frozenset({"QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"})
STRING_SCENES = frozenset({"QR_STR_SCENE", "QR_LIMIT_STR_SCENE"})
DEFAULT_EXPIRE = 60
MAX_EXPIRE = 2_592_000  # 30 days
MAX_PERMANENT_SCENE_ID = 100_000
SCENE_STR_LIMIT = 64


def new_ticket() -> str:
    """A ticket in WeChat's shape (base64 of opaque bytes)."""
    return base64.b64encode(b"\x81\x01" + secrets.token_bytes(70)).decode("ascii")


def new_url() -> str:
    """The URL the QR code encodes (draw it yourself, or use showqrcode with the ticket)."""
    return "http://weixin.qq.com/q/" + secrets.token_urlsafe(16)


def parse_request(body: dict[str, Any]) -> tuple[str, str, int | None]:
    """(action_name, scene, expire_seconds or None for permanent codes); raises 40052
    for an unknown action_name, 40053 for a bad action_info/scene/expire_seconds."""
    action = body.get("action_name")
    if action not in TEMPORARY | PERMANENT:
        raise WeChatError(
            40052, f"action_name {action!r} is not one of {sorted(TEMPORARY | PERMANENT)}"
        )
    info = body.get("action_info")
    scene = info.get("scene") if isinstance(info, dict) else None
    if not isinstance(scene, dict):
        raise WeChatError(40053, 'action_info must be {"scene": {...}}')
    if action in STRING_SCENES:
        value = scene.get("scene_str")
        if not isinstance(value, str) or not 1 <= len(value) <= SCENE_STR_LIMIT:
            raise WeChatError(40053, f"scene.scene_str must be 1-{SCENE_STR_LIMIT} characters")
        key = value
    else:
        number = scene.get("scene_id")
        high = MAX_PERMANENT_SCENE_ID if action in PERMANENT else 2**32 - 1
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= high:
            raise WeChatError(40053, f"scene.scene_id must be an integer 1-{high}")
        key = str(number)
    if action in PERMANENT:
        return str(action), key, None
    expire = body.get("expire_seconds", DEFAULT_EXPIRE)
    if not isinstance(expire, int) or isinstance(expire, bool) or not 1 <= expire <= MAX_EXPIRE:
        raise WeChatError(40053, f"expire_seconds must be an integer 1-{MAX_EXPIRE}")
    return str(action), key, expire


def make_code(action: str, scene: str, expire: int | None, now: float) -> QrCode:
    return QrCode(scene, action, new_ticket(), new_url(), now, expire)


def answer(code: QrCode) -> dict[str, Any]:
    """The reply of qrcode/create (no errcode, as WeChat answers)."""
    reply: dict[str, Any] = {"ticket": code.ticket}
    if code.expire_seconds is not None:
        reply["expire_seconds"] = code.expire_seconds
    reply["url"] = code.url
    return reply
