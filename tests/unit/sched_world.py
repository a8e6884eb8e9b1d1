"""A small city on a real temporary SQLite database, driven by a ManualClock (scheduler tests)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.actor import Actor
from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.models import Issue
from bot.services.deadlines import Sweeper
from bot.services.patrols import PatrolService
from bot.services.people import PeopleService
from bot.services.reception import ReceptionService
from bot.services.reporting import ReportService
from bot.services.seeding import seed_database
from bot.services.workflow import Workflow
from storage.db import Database

ZONE = ZoneInfo("Asia/Shanghai")
HOUR = 3600
DAY = 86400

CITY = textwrap.dedent(
    """
    city: 测试市
    categories:
      - {key: roads, name: {zh: 道路, en: Roads}, accept_within: 10h, reply_within: 5d, escalate_after: 1d}
      - {key: other, name: {zh: 其他, en: Other}, accept_within: 1d, reply_within: 7d}
    stations:
      - key: east
        name: 东站
        district: 东区
        address: 东路 1 号
        reception: [{weekday: 3, start: "14:00", end: "16:00"}]
        deputies:
          - {key: d1, name: 一号代表, telegram_id: 101}
          - {key: d2, name: 二号代表, telegram_id: 102}
        staff:
          - {key: s1, name: 东站员, telegram_id: 201}
      - key: west
        name: 西站
        district: 西区
        deputies: [{key: d3, name: 三号代表, telegram_id: 103}]
    admins:
      - {key: boss, name: 工委, telegram_id: 301}
    patrols:
      - key: walk
        station: east
        name: {zh: 每周走街, en: Weekly walk}
        schedule: "0 9 * * 2"
        items: [路灯照明, 楼道小广告, {zh: 无障碍设施, en: Accessibility}]
    """
)

# Monday 2 March 2026, 10:00 in Shanghai
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=ZONE)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).timestamp()


@dataclass
class City:
    path: Path
    db: Database
    clock: ManualClock
    settings: Settings

    @property
    def people(self) -> PeopleService:
        return PeopleService(self.db, self.clock, self.settings)

    @property
    def workflow(self) -> Workflow:
        return Workflow(self.db, self.clock, self.settings)

    @property
    def reports(self) -> ReportService:
        return ReportService(self.db, self.clock, self.settings)

    @property
    def patrols(self) -> PatrolService:
        return PatrolService(self.db, self.clock, self.settings)

    @property
    def reception(self) -> ReceptionService:
        return ReceptionService(self.db, self.clock, self.settings)

    def sweeper(self) -> Sweeper:
        return Sweeper(self.db, self.clock, self.settings)

    async def person(self, telegram_id: int, name: str = "", lang: str = "zh-hans") -> Actor:
        """Someone who has sent /start (reachable)."""
        actor = await self.people.identify(telegram_id, name or f"居民{telegram_id}", lang)
        return await self.people.start(actor)

    async def resident(self, telegram_id: int, station: str = "east") -> Actor:
        actor = await self.person(telegram_id)
        found = await self.people.station_by_key(station)
        assert found is not None
        await self.people.bind_station(actor, found.id)
        return await self.people.refresh(actor)

    async def report(
        self, actor: Actor, text: str = "路灯坏了好几天了", category: str = "roads"
    ) -> Issue:
        reports = self.reports
        draft, _ = await reports.begin(actor)
        cat = next(c for c in await reports.categories() if c.key == category)
        await reports.choose_category(actor, draft.id, cat.id)
        await reports.describe(actor, draft.id, text)
        return await reports.submit(actor, draft.id)

    async def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        async with self.db.read() as repos, repos.conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def outbox(self, chat_id: int, since_id: int = 0) -> list[dict[str, Any]]:
        """What a chat was sent (op 'send'), as dicts with text, buttons (data), not_before."""
        rows = await self.rows(
            "SELECT id, payload, not_before, created_at FROM outbox "
            "WHERE chat_id = ? AND op = 'send' AND id > ? ORDER BY id",
            chat_id,
            since_id,
        )
        found = []
        for row_id, payload, not_before, created_at in rows:
            message = json.loads(payload)
            found.append(
                {
                    "id": row_id,
                    "text": message["text"],
                    "data": [b.get("data") for row in message["buttons"] for b in row],
                    "labels": [b["text"] for row in message["buttons"] for b in row],
                    "not_before": not_before,
                    "created_at": created_at,
                }
            )
        return found

    async def last_outbox_id(self) -> int:
        rows = await self.rows("SELECT COALESCE(MAX(id), 0) FROM outbox")
        return int(rows[0][0])

    async def reopen(self) -> None:
        """Close the database and open it again (a restart)."""
        await self.db.close()
        self.db = await Database.open(self.path / "liaison.db")


def city_settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings(
        {
            "LIAISON_DB": str(tmp_path / "liaison.db"),
            "LIAISON_QUIET_HOURS": "",
            "LIAISON_TIMEZONE": "Asia/Shanghai",
            **env,
        }
    )


@asynccontextmanager
async def open_city(
    tmp_path: Path, *, start: float | datetime = MONDAY_10, seed: str = CITY, **env: str
) -> AsyncIterator[City]:
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(seed, encoding="utf-8")
    clock = ManualClock(start)
    db = await Database.open(tmp_path / "liaison.db")
    await seed_database(db, seed_path, clock)
    city = City(tmp_path, db, clock, city_settings(tmp_path, **env))
    for telegram_id in (101, 102, 103, 201, 301):  # seeded people open the bot
        await city.person(telegram_id)
    try:
        yield city
    finally:
        await city.db.close()
