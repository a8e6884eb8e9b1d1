"""Platform-neutral outgoing messages: text (HTML), buttons, photos, a location."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    data: str | None = None  # callback data (≤ 64 bytes)
    url: str | None = None


class Outgoing(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photos: tuple[str, ...] = ()
    location: tuple[float, float] | None = None


class OutboxItem(BaseModel):
    """One queued delivery: send a message, or edit one sent earlier under `edit_ref`."""

    model_config = ConfigDict(frozen=True)

    id: int
    chat_id: int
    person_id: int | None
    op: str
    message: Outgoing
    ref: str | None
    edit_ref: str | None
    attempts: int
