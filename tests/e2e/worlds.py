"""A `World` with non-default settings (or another city than the `world` fixture's)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import LiaisonBot
from bot.clock import SystemClock
from fakebot import FakeBotApi
from tests.e2e.conftest import CITY, TOKEN, World, world_settings


@asynccontextmanager
async def running_world(
    tmp_path: Path, *, request_timeout: float | None = None, seed: str = CITY, **env: str
) -> AsyncIterator[World]:
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(seed, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    settings = world_settings(tmp_path, api, seed_path, **env)
    bot = LiaisonBot(settings, SystemClock(), poll_timeout=1, request_timeout=request_timeout)
    world = World(api, bot, settings, seed_path)
    try:
        await bot.start()
        yield world
    finally:
        api.faults.clear()
        await world.bot.stop()
        await api.stop()
