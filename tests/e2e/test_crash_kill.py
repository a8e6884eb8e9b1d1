"""The guarantees under kill -9: the bot runs as a real process and is SIGKILLed at random moments
while 50 residents file issues concurrently; it is restarted on the same database each time.

What must hold afterwards:
- every `#<number>` a resident was shown is an issue that exists, filed by that resident;
- no resident has two issues with the same text (no double processing of one submit);
- every such issue's deputies got the new-issue notice at least once and at most twice;
- no outbox row is left unsent, and none failed (nobody here blocks the bot, so not even
  as 'unreachable'); `PRAGMA integrity_check` is ok.

Residents whose step times out because the bot is dead start their report again after the
restart: /report then offers the unfinished draft, and they choose 重新开始 (step-by-step
continuation after a kill is tests/e2e/test_crash_steps.py).

`LIAISON_KILL_ROUNDS` (default 5) and `LIAISON_KILL_SEED` (default 20240606) change the run.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sqlite3
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fakebot import FakeBotApi, FakeUser
from tests.conftest import ROOT

TOKEN = "123456:TEST-TOKEN"
RESIDENTS = 50
STEP = 4.0  # seconds a resident waits for one answer before assuming the bot is down
NEW_ISSUE = "新的群众反映"

SEED = textwrap.dedent(
    """
    city: 崩溃市
    categories:
      - {key: roads, name: {zh: 道路, en: Roads}, accept_within: 1d, reply_within: 3d}
    stations:
      - key: east
        name: 东站联络站
        district: 东区
        deputies:
          - {key: d1, name: 东一代表, telegram_id: 701}
          - {key: d2, name: 东二代表, telegram_id: 702}
      - key: west
        name: 西站联络站
        district: 西区
        deputies:
          - {key: d3, name: 西代表, telegram_id: 703}
    """
)
DEPUTIES = {"east": (701, 702), "west": (703,)}


@dataclass
class BotProcess:
    env: dict[str, str]
    log: Path
    api: FakeBotApi
    up: asyncio.Event = field(default_factory=asyncio.Event)
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0

    async def start(self) -> None:
        before = len(self.api.calls_to("setMyCommands"))
        with self.log.open("ab") as out:
            out.write(f"\n===== start {self.starts + 1} =====\n".encode())
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=self.env, cwd=ROOT, stdout=out, stderr=out
            )
        self.starts += 1
        deadline = time.monotonic() + 20
        # LiaisonBot sets the command menus right before it starts polling
        while len(self.api.calls_to("setMyCommands")) < before + 2 or not self.api.polling:
            if self.proc.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"bot did not start:\n{self.tail()}")
            await asyncio.sleep(0.05)
        self.up.set()

    async def kill(self) -> None:
        self.up.clear()
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int:
        self.up.clear()
        if self.proc is None or self.proc.returncode is not None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout=20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(f"bot did not stop on SIGTERM:\n{self.tail()}") from None

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def process_env(api: FakeBotApi, db: Path, seed: Path, **extra: str) -> dict[str, str]:
    """The environment of a `python -m bot run` process against the fake Telegram."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")},
        "LIAISON_BOT_TOKEN": TOKEN,
        "LIAISON_API_BASE_URL": api.base_url,
        "LIAISON_API_FILE_URL": api.file_url,
        "LIAISON_DB": str(db),
        "LIAISON_SEED": str(seed),
        "LIAISON_QUIET_HOURS": "",
        "LIAISON_LOG_LEVEL": "WARNING",
        **extra,
    }


def skip_seen(user: FakeUser) -> None:
    """Forget older bot messages: the next wait_for only looks at new ones."""
    user._cursor = len(user.messages)


async def file_with_retries(bot: BotProcess, resident: FakeUser, station: str) -> list[int]:
    """Try to file one issue until the resident is shown a #number; returns the numbers seen."""
    bound = False
    for attempt in range(1, 12):
        await bot.up.wait()
        skip_seen(resident)
        text = f"居民{resident.id}第{attempt}次反映：路口的井盖坏了"
        try:
            if not bound:
                await resident.send(f"/start st_{station}")
                await resident.wait_for("已为您绑定联络站", timeout=STEP)
                bound = True
            await resident.send("/report")
            first = await resident.next_message(timeout=STEP)
            if "继续写完" in first.text:  # the draft the kill interrupted: start over
                await resident.tap("重新开始", first, timeout=STEP)
                first = await resident.wait_for("请选择问题类别", timeout=STEP)
            if await resident.tap("道路", first, timeout=STEP) is not None:
                continue  # refused: start over
            await resident.send(text)
            extras = await resident.wait_for("跳过", timeout=STEP)
            if await resident.tap("跳过", extras, timeout=STEP) is not None:
                continue
            # the summary (the extras prompt edited, or a new message after similar issues)
            summary = await resident.sees(f"描述：{text}", timeout=STEP)
            if await resident.tap("提交", summary, timeout=STEP) is not None:
                continue
            await resident.edited(summary, "已提交", timeout=STEP)
            return shown_numbers(resident)
        except AssertionError:
            continue  # the bot died under us: wait for it and start over
    return shown_numbers(resident)


def shown_numbers(resident: FakeUser) -> list[int]:
    numbers = []
    for message in resident.messages:
        if "已提交" in message.text:
            match = re.search(r"#(\d+)", message.text)
            if match:
                numbers.append(int(match.group(1)))
    return numbers


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


@pytest.mark.slow
async def test_kill_minus_nine_loses_no_shown_issue(tmp_path: Path) -> None:
    rounds = int(os.environ.get("LIAISON_KILL_ROUNDS", "5"))
    rng = random.Random(int(os.environ.get("LIAISON_KILL_SEED", "20240606")))
    seed_path = tmp_path / "city.yaml"
    seed_path.write_text(SEED, encoding="utf-8")
    db = tmp_path / "liaison.db"
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    env = process_env(api, db, seed_path, LIAISON_MAX_REPORTS_PER_DAY="100", PTB_TIMEDELTA="1")
    bot = BotProcess(env, tmp_path / "bot.log", api)
    residents: list[tuple[FakeUser, str]] = [
        (api.user(20000 + i, f"居民{i}"), "east" if i % 2 else "west") for i in range(RESIDENTS)
    ]
    deputies = {tid: api.user(tid, f"代表{tid}") for ids in DEPUTIES.values() for tid in ids}
    try:
        await bot.start()
        for deputy in deputies.values():
            await deputy.send("/start")
            await deputy.wait_for("代表", timeout=10)

        work = [asyncio.create_task(file_with_retries(bot, r, s)) for r, s in residents]
        kills = []
        for _ in range(rounds):
            await asyncio.sleep(rng.uniform(0.3, 2.5))
            kills.append(round(time.monotonic(), 2))
            await bot.kill()
            await asyncio.sleep(rng.uniform(0.0, 0.5))
            await bot.start()
        results = await asyncio.wait_for(asyncio.gather(*work), timeout=90)

        # let the last run deliver everything it owes
        deadline = time.monotonic() + 20
        pending: list[tuple[object, ...]] = []
        while time.monotonic() < deadline:
            pending = query(
                db, "SELECT id, chat_id FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
            )
            if not pending:
                break
            await asyncio.sleep(0.2)
        await api.wait_idle(quiet=0.3, timeout=15)
        failed = query(db, "SELECT id, chat_id, failed FROM outbox WHERE failed IS NOT NULL")
        assert await bot.stop() == 0, bot.tail()
    finally:
        if bot.proc is not None and bot.proc.returncode is None:
            bot.proc.kill()
            await bot.proc.wait()
        await api.stop()

    assert len(kills) == rounds
    assert pending == [], f"outbox rows never delivered after the last restart: {pending}"
    assert failed == [], f"outbox rows that failed (id, chat, why): {failed}"
    lost: list[str] = []
    for (resident, station), numbers in zip(residents, results, strict=True):
        if not numbers:
            lost.append(f"resident {resident.id} was never shown a number")
        for number in numbers:
            rows = query(db, "SELECT p.telegram_id, i.station_id, s.key FROM issues i "
                         "JOIN people p ON p.id = i.resident_id "
                         "JOIN stations s ON s.id = i.station_id WHERE i.id = ?", number)  # fmt: skip
            if not rows:
                lost.append(f"#{number} shown to resident {resident.id} does not exist")
                continue
            if rows[0][0] != resident.id or rows[0][2] != station:
                lost.append(f"#{number} shown to {resident.id} belongs to {rows[0]}")
            for tid in DEPUTIES[station]:
                notices = [
                    m
                    for m in deputies[tid].messages
                    if NEW_ISSUE in m.text and re.search(rf"#{number}\b", m.text)
                ]
                if not 1 <= len(notices) <= 2:
                    lost.append(
                        f"#{number}: deputy {tid} got the new-issue notice {len(notices)} times"
                    )
    duplicates = query(
        db,
        "SELECT resident_id, description, COUNT(*) FROM issues "
        "GROUP BY resident_id, description HAVING COUNT(*) > 1",
    )
    if duplicates:
        lost.append(f"one submit created several issues: {duplicates}")
    integrity = query(db, "PRAGMA integrity_check")
    if integrity != [("ok",)]:
        lost.append(f"integrity_check: {integrity}")
    assert not lost, (
        f"after {rounds} kills (seed {os.environ.get('LIAISON_KILL_SEED', '20240606')}):\n"
        + "\n".join(lost)
        + f"\n--- bot log ---\n{bot.tail()}"
    )
    assert api.violations == [], [str(v) for v in api.violations]
