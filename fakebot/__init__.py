"""A strict fake Telegram Bot API server for tests and the offline demo.

See docs/FAKE_BOT_API.md. Typical use::

    server = FakeBotApi(token="123456:TEST-TOKEN", bot_username="liaison_test_bot")
    await server.start()
    # ApplicationBuilder().token(server.token).base_url(server.base_url)
    #     .base_file_url(server.file_url) ...
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    reply = await alice.next_message()
"""

from fakebot.faults import Faults
from fakebot.models import ApiCall, BotMessage, Button, TranscriptEntry, Upload
from fakebot.server import FakeBotApi
from fakebot.users import FakeGroup, FakeUser

__all__ = [
    "ApiCall",
    "BotMessage",
    "Button",
    "FakeBotApi",
    "FakeGroup",
    "FakeUser",
    "Faults",
    "TranscriptEntry",
    "Upload",
]
