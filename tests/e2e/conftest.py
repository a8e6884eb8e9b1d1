"""End-to-end harness: the real Application against the fake Bot API server over HTTP."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import LiaisonBot
from bot.clock import SystemClock
from bot.config import Settings, load_settings
from fakebot import FakeBotApi, FakeUser
from storage.db import Database

TOKEN = "123456:TEST-TOKEN"

# A small city nobody has seen before: two stations, odd names, no relation to the demo seed.
CITY = textwrap.dedent(
    """
    city: 测试市
    categories:
      - {key: potholes, name: {zh: 坑洼, en: Potholes}, accept_within: 2h, reply_within: 3d}
      - {key: misc, name: {zh: 杂项, en: Misc}, accept_within: 1d, reply_within: 5d}
    departments:
      - {key: works, name: {zh: 市政工程处, en: Public works}}
      - {key: water, name: {zh: 自来水公司, en: Water company}}
    stations:
      - key: north
        name: 北关街道联络站
        district: 北关区
        address: 北关路 1 号
        location: {lat: 30.0, lon: 120.0}
        reception: [{weekday: 3, start: "14:00", end: "16:00"}]
        deputies:
          - {key: dep-a, name: 甲代表, level: 区人大代表, telegram_id: 501}
          - {key: dep-b, name: 乙代表, telegram_id: 502}
        staff:
          - {key: staff-n, name: 北站工作人员, telegram_id: 601}
      - key: south
        name: 南湖社区联络站
        district: 南湖区
        location: {lat: 30.5, lon: 120.5}
        deputies:
          - {key: dep-c, name: 丙代表, telegram_id: 503}
        staff:
          - {key: staff-s, name: 南站工作人员, telegram_id: 602}
    admins:
      - {key: boss, name: 代表工委, telegram_id: 901}
    """
)


@dataclass
class World:
    """The running bot, the fake Telegram, and the database underneath."""

    api: FakeBotApi
    bot: LiaisonBot
    settings: Settings
    seed_path: Path

    @property
    def db(self) -> Database:
        assert self.bot.db is not None
        return self.bot.db

    def user(self, user_id: int, name: str = "", language_code: str = "zh-hans") -> FakeUser:
        return self.api.user(user_id, name or f"用户{user_id}", language_code=language_code)

    async def restart(self) -> None:
        """Stop the bot gracefully and start it again on the same database."""
        await self.bot.stop()
        self.bot = LiaisonBot(self.settings, SystemClock(), poll_timeout=1)
        await self.bot.start()

    async def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        async with self.db.read() as repos, repos.conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def settle(self) -> None:
        """Wait until the bot has processed everything and the outbox is empty."""
        await self.api.wait_idle(quiet=0.25, timeout=15)


def world_settings(tmp_path: Path, api: FakeBotApi, seed_path: Path, **extra: str) -> Settings:
    env = {
        "LIAISON_BOT_TOKEN": TOKEN,
        "LIAISON_API_BASE_URL": api.base_url,
        "LIAISON_API_FILE_URL": api.file_url,
        "LIAISON_DB": str(tmp_path / "liaison.db"),
        "LIAISON_SEED": str(seed_path),
        "LIAISON_QUIET_HOURS": "",
        "LIAISON_ADMIN_IDS": "",
        **extra,
    }
    return load_settings(env)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(CITY, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    settings = world_settings(tmp_path, api, seed_path)
    bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
    await bot.start()
    w = World(api, bot, settings, seed_path)
    try:
        yield w
    finally:
        await w.bot.stop()
        await api.stop()
