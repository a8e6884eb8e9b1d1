"""Decrypted WeCom callback XML → one flat, frozen ``WeComEvent``.

Field names are WeCom's (receive-message and event pages, path/90239, 90240, 90930): common
``ToUserName`` (CorpID), ``FromUserName`` (userid), ``CreateTime``, ``MsgType``, ``AgentID``;
text ``Content, MsgId``; image ``PicUrl, MediaId, MsgId``; location ``Location_X`` (latitude),
``Location_Y`` (longitude), ``Scale, Label, MsgId``; events ``Event, EventKey`` and, for a
template-card button, ``TaskId, CardType, ResponseCode``.

ElementTree rather than wechatpy's parse_message: wechatpy knows no template_card_event (it
returns UnknownMessage), and one code path for every kind is simpler. The XML has passed the
signature check, so it is WeCom's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal["text", "image", "location", "press", "menu", "enter", "other"]

# Event names WeCom sends in lower case (all but LOCATION); compared case-insensitively.
_EVENT_KINDS: dict[str, Kind] = {
    "template_card_event": "press",
    "click": "menu",
    "enter_agent": "enter",
}


class Malformed(ValueError):
    """Signed by WeCom but not a message we can read (no sender, no type)."""


@dataclass(frozen=True)
class WeComEvent:
    kind: Kind
    userid: str
    create_time: int
    # Dedup key: WeCom re-pushes a callback it got no answer to, identically; messages carry a
    # MsgId, events do not (the docs say dedup them by FromUserName + CreateTime).
    key: str
    text: str = ""
    media_id: str = ""
    pic_url: str = ""
    lat: float = 0.0
    lon: float = 0.0
    label: str = ""
    event_key: str = ""  # the button key (press) or the menu key (click)
    task_id: str = ""
    response_code: str = ""
    agent_id: str = ""


def parse(xml: str) -> WeComEvent:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise Malformed("not XML") from exc

    def field(name: str) -> str:
        return (root.findtext(name) or "").strip()

    userid = field("FromUserName")
    msg_type = field("MsgType").lower()
    if not userid or not msg_type:
        raise Malformed("no FromUserName or MsgType")
    try:
        create_time = int(field("CreateTime") or 0)
    except ValueError as exc:
        raise Malformed("CreateTime is not a number") from exc
    agent_id = field("AgentID")

    if msg_type == "event":
        event = field("Event")
        event_key = field("EventKey")
        task_id = field("TaskId")
        return WeComEvent(
            kind=_EVENT_KINDS.get(event.lower(), "other"),
            userid=userid,
            create_time=create_time,
            key=f"e:{userid}:{create_time}:{event}:{event_key}:{task_id}",
            event_key=event_key,
            task_id=task_id,
            response_code=field("ResponseCode"),
            agent_id=agent_id,
        )

    msg_id = field("MsgId")
    # Every message type carries MsgId; the fallback only keeps a malformed one deduplicable.
    key = f"m:{msg_id}" if msg_id else f"e:{userid}:{create_time}:{msg_type}::"
    base = WeComEvent(
        kind="other", userid=userid, create_time=create_time, key=key, agent_id=agent_id
    )
    if msg_type == "text":
        return replace(base, kind="text", text=_raw(root, "Content"))
    if msg_type == "image":
        return replace(base, kind="image", media_id=field("MediaId"), pic_url=field("PicUrl"))
    if msg_type == "location":
        return replace(
            base,
            kind="location",
            lat=_float(field("Location_X")),
            lon=_float(field("Location_Y")),
            label=field("Label"),
        )
    return base


def _raw(root: ET.Element, name: str) -> str:
    # The member's own text is kept as typed (leading spaces and newlines included).
    return root.findtext(name) or ""


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise Malformed("location is not a number") from exc
