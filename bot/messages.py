"""Platform-neutral outgoing messages: text (HTML), buttons, photos, a location."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.models import Channel


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    data: str | None = None  # callback data (≤ 64 bytes)
    url: str | None = None


class Keyboard(BaseModel):
    """A keyboard under the text field: labels that send themselves when tapped, optionally
    led by one button that shares the person's own contact or location."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[tuple[str, ...], ...] = ()
    request: Literal["contact", "location"] | None = None
    request_label: str = ""
    remove: bool = False  # take the keyboard away


class Summary(BaseModel):
    """A notice in a few words, for a platform that reaches people outside a conversation
    only with a short form (a WeChat template message: the full notice waits until they
    write). Each value is short: the platform cuts at 20 characters."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["progress", "reply", "broadcast"]
    subject: str  # what it concerns: "#12", or the station's name for a notice
    what: str  # what happened, in the person's language
    state: str  # the state name, or the kind of notice


class Document(BaseModel):
    """A file sent in reply to the person who asked for it (never queued in the outbox)."""

    model_config = ConfigDict(frozen=True)

    name: str
    data: bytes


class Outgoing(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photos: tuple[str, ...] = ()
    location: tuple[float, float] | None = None
    keyboard: Keyboard | None = None
    summary: Summary | None = None
    document: Document | None = None  # `text` is its caption


class Reply(BaseModel):
    """What the person who acted sees next, in order: a new message (`send`), the pressed
    message changed (`replace`; sent anew when nothing was pressed), a pop-up on the
    pressed button (`popup`), the pressed message's buttons removed (`drop`), or its
    buttons changed to `message.buttons`, its text kept (`buttons`; where a sent message
    cannot change, or nothing was pressed, `message` is sent anew)."""

    model_config = ConfigDict(frozen=True)

    op: Literal["send", "replace", "popup", "drop", "edit", "buttons"]
    message: Outgoing | None = None
    text: str = ""
    alert: bool = True  # popup: a dialog to dismiss (False: a passing note)
    target: int | None = None  # edit: the id of an earlier message of this chat
    broadcast_control: int | None = None  # this message controls broadcast N (its id is kept)


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
    channel: Channel = Channel.TELEGRAM
    held_at: int | None = None  # waiting for the person to open a reply window again
