"""The conversation engine: what the bot waits for from each person, and every input."""

from bot.conversation.engine import Conversations
from bot.conversation.inputs import Contact, Input, Location, Message, Other, Photo, Text

__all__ = [
    "Contact",
    "Conversations",
    "Input",
    "Location",
    "Message",
    "Other",
    "Photo",
    "Text",
]
