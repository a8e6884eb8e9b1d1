"""Decrypted WeChat push XML → one flat, frozen ``WeChatEvent``.

Field names are WeChat's (Receiving_standard_messages, Receiving_event_pushes): common
``ToUserName`` (the account's gh_ id), ``FromUserName`` (the resident's openid), ``CreateTime``,
``MsgType``; text ``Content, MsgId`` (a tap on a msgmenu option is a text message whose
``Content`` is the option's text, plus ``bizmsgmenuid`` = the option's id); image
``PicUrl, MediaId, MsgId``; location ``Location_X`` (latitude), ``Location_Y`` (longitude),
``Scale, Label, MsgId``; events ``Event`` (case as WeChat sends it: ``subscribe``,
``unsubscribe``, ``SCAN``, ``CLICK``, ``TEMPLATESENDJOBFINISH``…), ``EventKey``, and for a
template notice's outcome ``MsgID`` (sic) and ``Status``.

A follow through a parametric QR code is a ``subscribe`` whose EventKey is ``qrscene_<scene>``;
a scan by someone who already follows is ``SCAN`` with the bare scene. Both yield ``scene``
without the prefix (as wechatpy's SubscribeScanEvent / ScanEvent do), so one code serves both.

ElementTree rather than wechatpy's parse_message: that goes through xmltodict, which strips
the whitespace a resident typed around their words and hides ``bizmsgmenuid`` in ``_data``;
one code path for every kind is simpler. The XML has passed the signature check, so it is
WeChat's. Event names are compared case-insensitively, as wechatpy does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal[
    "text",
    "image",
    "location",
    "follow",
    "scan",
    "click",
    "unfollow",
    "template_done",
    "other",
]

SCENE_PREFIX = "qrscene_"

_EVENT_KINDS: dict[str, Kind] = {
    "subscribe": "follow",
    "unsubscribe": "unfollow",
    "scan": "scan",
    "click": "click",
    "templatesendjobfinish": "template_done",
}


class Malformed(ValueError):
    """Signed by WeChat but not a message we can read (no sender, no type)."""


@dataclass(frozen=True)
class WeChatEvent:
    # Plain types only (str, int, float): the receiver stores it as JSON via asdict() and
    # rebuilds it with WeChatEvent(**d).
    kind: str  # one of Kind
    openid: str
    create_time: int
    # Dedup key: WeChat re-pushes a callback it got no answer to (3 attempts), identically;
    # messages carry a MsgId, events do not (the docs say dedup them by FromUserName +
    # CreateTime; the event name keeps a follow and a scan of the same second apart).
    key: str
    text: str = ""  # text Content as typed (for a msgmenu tap: the option's content)
    menu_id: str = ""  # bizmsgmenuid of a msgmenu tap
    media_id: str = ""
    pic_url: str = ""
    lat: float = 0.0
    lon: float = 0.0
    label: str = ""
    scene: str = ""  # a parametric QR code's scene, without "qrscene_"
    event_key: str = ""  # CLICK: the menu key
    status: str = ""  # TEMPLATESENDJOBFINISH: success / failed:user block / failed: system failed
    ref: str = ""  # TEMPLATESENDJOBFINISH: the MsgID template/send returned


def parse(xml: str) -> WeChatEvent:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise Malformed("not XML") from exc

    def field(name: str) -> str:
        return (root.findtext(name) or "").strip()

    openid = field("FromUserName")
    msg_type = field("MsgType").lower()
    if not openid or not msg_type:
        raise Malformed("no FromUserName or MsgType")
    try:
        create_time = int(field("CreateTime") or 0)
    except ValueError as exc:
        raise Malformed("CreateTime is not a number") from exc

    if msg_type == "event":
        event = field("Event")
        kind = _EVENT_KINDS.get(event.lower(), "other")
        base = WeChatEvent(
            kind=kind,
            openid=openid,
            create_time=create_time,
            key=f"ev:{openid}:{create_time}:{event}",
        )
        event_key = field("EventKey")
        if kind == "follow":
            # A plain follow has no EventKey (or an empty one); only a parametric code's
            # carries the prefix. Other prefixes (scanbarcode|…) are no scene of ours.
            scene = event_key[len(SCENE_PREFIX) :] if event_key.startswith(SCENE_PREFIX) else ""
            return replace(base, scene=scene)
        if kind == "scan":
            return replace(base, scene=event_key)
        if kind == "click":
            return replace(base, event_key=event_key)
        if kind == "template_done":
            return replace(base, status=field("Status"), ref=field("MsgID"))
        return base

    msg_id = field("MsgId")
    # Every message type carries MsgId; the fallback only keeps a malformed one deduplicable.
    key = f"msg:{msg_id}" if msg_id else f"ev:{openid}:{create_time}:{msg_type}"
    base = WeChatEvent(kind="other", openid=openid, create_time=create_time, key=key)
    if msg_type == "text":
        return replace(base, kind="text", text=_raw(root, "Content"), menu_id=field("bizmsgmenuid"))
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
    # The resident's own text is kept as typed (leading spaces and newlines included).
    return root.findtext(name) or ""


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise Malformed("location is not a number") from exc
