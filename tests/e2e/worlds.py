"""A `World` with non-default settings (or another city than the `world` fixture's)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import LiaisonBot
from bot.clock import SystemClock
from fakebot import FakeBotApi
from fakewecom import FakeWeCom
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


@asynccontextmanager
async def telegram_and_wecom(
    tmp_path: Path, seed: str
) -> AsyncIterator[tuple[FakeBotApi, FakeWeCom, LiaisonBot]]:
    """The bot on the fake Telegram and the fake WeCom at once, on `seed`'s city; both fakes
    must end without protocol violations."""
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(seed, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    wecom = FakeWeCom(clock=time.time)
    await api.start()
    await wecom.start()
    settings = world_settings(tmp_path, api, seed_path, **wecom.bot_env())
    bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
    await bot.start()
    assert bot.wecom is not None
    wecom.callback_url = f"http://127.0.0.1:{bot.wecom.endpoint.port}/wecom/callback"
    try:
        yield api, wecom, bot
    finally:
        await bot.stop()
        await wecom.stop()
        await api.stop()
    assert wecom.violations == []
    assert api.violations == []
