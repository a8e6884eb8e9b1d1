"""Temporary media (``media/upload``, ``media/get``): type, format and size rules, 3 days."""

from __future__ import annotations

import secrets

from fakewechat.models import WeChatError
from fakewechat.state import Media

JPEG = b"\xff\xd8\xff"
PNG = b"\x89PNG\r\n\x1a\n"
# type -> (largest size in bytes, errcode when larger, accepted leading bytes or None for any)
LIMITS: dict[str, tuple[int, int, tuple[bytes, ...] | None]] = {
    "image": (2 * 1024 * 1024, 40009, (JPEG, PNG)),
    "voice": (2 * 1024 * 1024, 40010, (b"#!AMR", b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "video": (10 * 1024 * 1024, 40011, None),
    "thumb": (64 * 1024, 40012, (JPEG,)),
}
CONTENT_TYPES = {
    "image": "image/jpeg",
    "voice": "audio/amr",
    "video": "video/mp4",
    "thumb": "image/jpeg",
}


def new_media_id() -> str:
    """A media id in WeChat's shape (a long opaque string)."""
    return secrets.token_urlsafe(48)


def check_upload(kind: str | None, data: bytes | None) -> None:
    """Raise what WeChat answers for a bad ``type`` (40004), no multipart ``media`` field
    (41005), an empty file (44001), a file over the type's limit (40009 image > 2 MB, 40010
    voice > 2 MB, 40011 video > 10 MB, 40012 thumb > 64 KB) or a file of the wrong format
    (40005: image not JPG/PNG, thumb not JPG, voice not AMR/MP3)."""
    if kind not in LIMITS:
        raise WeChatError(40004, f"type {kind!r} is not one of {sorted(LIMITS)}")
    if data is None:
        raise WeChatError(41005, 'no multipart file field named "media"')
    if not data:
        raise WeChatError(44001, "the media file is empty")
    limit, errcode, magic = LIMITS[kind]
    if len(data) > limit:
        raise WeChatError(errcode, f"{kind} is {len(data)} bytes, more than {limit}")
    if magic is not None and not data.startswith(magic):
        raise WeChatError(40005, f"{kind} content is not an accepted format")


def make_media(
    kind: str, data: bytes, now: float, *, filename: str = "", source: str = "upload"
) -> Media:
    content_type = CONTENT_TYPES.get(kind, "application/octet-stream")
    if data.startswith(PNG):
        content_type = "image/png"
    elif kind == "voice" and not data.startswith(b"#!AMR"):
        content_type = "audio/mpeg"
    return Media(new_media_id(), kind, data, now, filename, content_type, source)
