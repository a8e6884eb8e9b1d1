"""Fixtures for the fake Bot API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from fakebot import FakeBotApi


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(token="123456:TEST-TOKEN", bot_username="liaison_test_bot")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    """A PTB ``Bot`` talking to the fake server (no Application, no polling)."""
    client = Bot(server.token, base_url=server.base_url, base_file_url=server.file_url)
    await client.initialize()
    try:
        yield client
    finally:
        await client.shutdown()
