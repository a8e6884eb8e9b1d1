"""Reception days as transcripts on the fake Telegram, on an injected clock: a resident who
asks for reminders on Tuesday for Thursday's slot gets its notice at once (the start-up
sweep had settled it with nobody to tell); five days before, only the date now and the
usual notice 3 days before; at 23:30, the notice after quiet hours; off and on again, no
second copy."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import LiaisonBot
from bot.clock import ManualClock
from bot.services import Services
from fakebot import BotMessage, FakeBotApi, FakeUser
from tests.e2e.conftest import TOKEN, World, world_settings
from tests.e2e.helpers import bind

ZONE = ZoneInfo("Asia/Shanghai")
CITY = textwrap.dedent(
    """
    city: 接待市
    categories:
      - {key: misc, name: {zh: 杂项, en: Misc}, accept_within: 1d, reply_within: 5d}
    stations:
      - key: hub
        name: 枢纽联络站
        district: 中区
        address: 中路 8 号
        reception: [{weekday: 4, start: "14:00", end: "17:00"}]
        deputies:
          - {key: dep-x, name: 接待代表, telegram_id: 701}
    """
)
THURSDAY = "2026-12-03（周四）14:00–17:00"
NOTICE = "举行人大代表接待"  # the notice itself (not the confirmation)
ON, OFF = "🔔 接待日前提醒我", "🔕 不再提醒接待日"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the first week of December 2026 (or of late November, day > 20)."""
    month = 11 if day > 20 else 12
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


@asynccontextmanager
async def running(tmp_path: Path, start: datetime) -> AsyncIterator[tuple[World, ManualClock]]:
    """The bot started at `start` (quiet hours 22:00–08:00); its start-up sweep has run."""
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(CITY, encoding="utf-8")
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    settings = world_settings(tmp_path, api, seed_path, LIAISON_QUIET_HOURS="22:00-08:00")
    clock = ManualClock(start)
    world = World(api, LiaisonBot(settings, clock, poll_timeout=1), settings, seed_path)
    try:
        await world.bot.start()
        await services(world).deadlines.sweep()  # whether or not the start-up one came first
        yield world, clock
    finally:
        await world.bot.stop()
        await api.stop()


def services(world: World) -> Services:
    assert world.bot.services is not None
    return world.bot.services


async def opt_in(resident: FakeUser) -> BotMessage:
    """/reception, then 🔔: the listing becomes the confirmation (returned)."""
    await resident.send("/reception")
    listing = await resident.wait_for("枢纽联络站 接待日")
    assert "每周四 14:00–17:00" in listing.text
    assert listing.labels == [ON]
    assert await resident.tap(ON, listing) == "已开启接待日提醒"
    return await resident.edited(listing, "已开启接待日提醒")


def notices(resident: FakeUser) -> list[BotMessage]:
    return [m for m in resident.messages if NOTICE in m.text]


async def residents_notice(world: World) -> list[tuple[object, ...]]:
    return await world.rows(
        "SELECT slot_date, recipients FROM reception_notices WHERE audience = 'residents'"
    )


async def test_opting_in_on_tuesday_for_thursday_sends_the_notice_once(tmp_path: Path) -> None:
    async with running(tmp_path, local(1, 10)) as (world, _clock):  # Tuesday 10:00
        # the start-up sweep settled Thursday's notice: nobody had asked yet
        assert await residents_notice(world) == [("2026-12-03", 0)]
        resident = world.user(11, "居民甲")
        await bind(resident, "hub")
        resident.mark_all_seen()

        confirmation = await opt_in(resident)
        assert f"最近一次接待日是 {THURSDAY}，提醒已发给您" in confirmation.text
        assert "3 天" not in confirmation.text  # no promise of a reminder that cannot come
        assert confirmation.labels == [OFF]
        notice = await resident.wait_for(NOTICE)
        assert "枢纽联络站" in notice.text and "2026-12-03（周四）14:00–17:00" in notice.text
        assert "中路 8 号" in notice.text and "接待代表" in notice.text
        assert notice.labels == [OFF]
        await resident.expect_no_more()
        assert await residents_notice(world) == [("2026-12-03", 1)]

        # off and on again: told the same, but no second copy
        await resident.tap(OFF, confirmation)
        await resident.edited(confirmation, "已取消接待日提醒")
        assert confirmation.labels == [ON]
        await resident.tap(ON, confirmation)
        await resident.edited(confirmation, "提醒已发给您")
        await resident.expect_no_more()
        assert len(notices(resident)) == 1
        assert await residents_notice(world) == [("2026-12-03", 1)]
        told = await world.rows("SELECT slot_date, start FROM reception_notice_people")
        assert told == [("2026-12-03", "14:00")]
        assert world.api.violations == []


async def test_opting_in_five_days_before_waits_for_the_usual_notice(tmp_path: Path) -> None:
    async with running(tmp_path, local(28, 10)) as (world, clock):  # Saturday 10:00
        resident = world.user(12, "居民乙")
        await bind(resident, "hub")
        resident.mark_all_seen()
        confirmation = await opt_in(resident)
        assert f"最近一次接待日是 {THURSDAY}，接待日前 3 天会提醒您" in confirmation.text
        await resident.expect_no_more()
        assert notices(resident) == []
        assert await residents_notice(world) == []

        clock.set(local(30, 14))  # Monday 14:00: 3 days before
        await services(world).deadlines.sweep()
        notice = await resident.wait_for(NOTICE)
        assert "2026-12-03（周四）14:00–17:00" in notice.text
        await resident.expect_no_more()
        assert await residents_notice(world) == [("2026-12-03", 1)]
        assert world.api.violations == []


async def test_opting_in_at_night_brings_the_notice_after_quiet_hours(tmp_path: Path) -> None:
    async with running(tmp_path, local(1, 23, 30)) as (world, clock):  # Tuesday 23:30
        resident = world.user(13, "居民丙")
        await bind(resident, "hub")
        resident.mark_all_seen()
        confirmation = await opt_in(resident)
        assert f"最近一次接待日是 {THURSDAY}，提醒将于 2026-12-02 08:00 发给您" in (
            confirmation.text
        )
        await resident.expect_no_more()
        assert notices(resident) == []
        # off and on again in the night: the one copy still waits
        await resident.tap(OFF, confirmation)
        await resident.edited(confirmation, "已取消接待日提醒")
        await resident.tap(ON, confirmation)
        await resident.edited(confirmation, "提醒将于 2026-12-02 08:00 发给您")
        await resident.expect_no_more()

        clock.set(local(2, 8))  # Wednesday 08:00: quiet hours are over
        notice = await resident.wait_for(NOTICE)
        assert "2026-12-03（周四）14:00–17:00" in notice.text
        await resident.expect_no_more()
        assert len(notices(resident)) == 1
        assert await residents_notice(world) == [("2026-12-03", 1)]
        assert world.api.violations == []
