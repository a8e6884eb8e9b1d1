"""What a person sends, as any chat platform delivers it (the adapters build these).

`seq` is the platform's increasing number for the update, when it has one: an input whose
`seq` is not newer than the last one applied for that person is a redelivery.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Input(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int | None = None


class Text(Input):
    text: str


class Photo(Input):
    file_id: str
    caption: str | None = None
    album: str | None = None  # photos sent together arrive one by one: one answer for all


class Location(Input):
    lat: float
    lon: float


class Contact(Input):
    phone: str
    own: bool  # the contact card is the sender's own (the platform says whose it is)


class Other(Input):
    """Anything else (a sticker, a voice note, a file): the step says what it needs."""


Message = Text | Photo | Location | Contact | Other
