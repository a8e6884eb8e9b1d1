"""Temporary media (``media/upload``, ``media/get``): type and size rules, the 3-day life."""

from __future__ import annotations

import secrets

from fakewecom.models import WeComError
from fakewecom.state import Media

# type -> (largest size in bytes, accepted leading bytes or None for any)
LIMITS: dict[str, tuple[int, tuple[bytes, ...] | None]] = {
    "image": (2 * 1024 * 1024, (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")),
    "voice": (2 * 1024 * 1024, (b"#!AMR",)),
    "video": (10 * 1024 * 1024, None),
    "file": (20 * 1024 * 1024, None),
}
CONTENT_TYPES = {"image": "image/jpeg", "voice": "audio/amr", "video": "video/mp4"}


def new_media_id() -> str:
    """A media id in WeCom's shape (a long opaque string)."""
    return "3" + secrets.token_urlsafe(40)


def check_upload(kind: str | None, data: bytes | None) -> None:
    """Raise what WeCom answers for a bad ``type`` (40005), no/empty file (44001), a file of
    5 bytes or less (40006), an image over 2 MB (40009), another type over its limit (40006)
    or an image that is neither JPG nor PNG (40004)."""
    if kind not in LIMITS:
        raise WeComError(40005, f"type {kind!r} is not one of {sorted(LIMITS)}")
    if not data:
        raise WeComError(44001, 'no multipart field "media" or an empty file')
    if len(data) <= 5:
        raise WeComError(40006, "media must be larger than 5 bytes")
    limit, magic = LIMITS[kind]
    if len(data) > limit:
        raise WeComError(40009 if kind == "image" else 40006, f"{kind} larger than {limit} bytes")
    if magic is not None and not data.startswith(magic):
        raise WeComError(40004, f"{kind} content is not an accepted format")


def make_media(
    kind: str, data: bytes, now: float, *, filename: str = "", source: str = "upload"
) -> Media:
    content_type = CONTENT_TYPES.get(kind, "application/octet-stream")
    if kind == "image" and data.startswith(b"\x89PNG"):
        content_type = "image/png"
    return Media(new_media_id(), kind, data, now, filename, content_type, source)
