"""Fixtures for the fake Bot API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, BaseHandler

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


@asynccontextmanager
async def polling_app(
    server: FakeBotApi, handlers: list[BaseHandler[Any, Any, Any]]
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A small real PTB application with `handlers`, polling the fake server."""
    application = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.file_url)
        .build()
    )
    application.add_handlers(handlers)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
