"""Intake throughput: N residents file an issue through /report at once, against a bare
python-telegram-bot echo bot answering the same number of messages (the baseline)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import TOKEN, cpu_seconds, spawn, stop, wait_polling
from fakebot import FakeBotApi, FakeUser

STATIONS = 25
ACTIONS = 6  # /start st_…, /report, category, description, 跳过, 提交


def city_seed() -> str:
    lines = [
        "city: 基准市",
        "categories:",
        "  - {key: roads, name: {zh: 道路, en: Roads}, accept_within: 1d, reply_within: 7d}",
        "  - {key: other, name: {zh: 其他, en: Other}, accept_within: 1d, reply_within: 7d}",
        "stations:",
    ]
    for s in range(STATIONS):
        lines += [
            f"  - key: st{s}",
            f"    name: 第{s}联络站",
            f"    district: 区{s % 5}",
            "    deputies:",
            f"      - {{key: d{s}a, name: 代表{s}甲, telegram_id: {5000 + 2 * s}}}",
            f"      - {{key: d{s}b, name: 代表{s}乙, telegram_id: {5001 + 2 * s}}}",
            "    staff:",
            f"      - {{key: w{s}, name: 工作人员{s}, telegram_id: {7000 + s}}}",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Result:
    users: int
    actions: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    calls: int = 0
    bot_cpu: float = float("nan")  # CPU seconds the bot process used while the users acted

    @property
    def actions_per_second(self) -> float:
        return self.actions / self.seconds

    @property
    def cpu_per_action(self) -> float:
        return self.bot_cpu / self.actions


async def _timed(latencies: list[float], action: object) -> object:
    start = time.perf_counter()
    result = await action  # type: ignore[misc]
    latencies.append(time.perf_counter() - start)
    return result


async def _file(user: FakeUser, station: int, latencies: list[float]) -> None:
    async def act_and_wait(send: object, expect: str, *, edited: bool = False) -> None:
        start = time.perf_counter()
        await send  # type: ignore[misc]
        if edited:
            await user.sees(expect, timeout=120)
        else:
            await user.wait_for(expect, timeout=120)
        latencies.append(time.perf_counter() - start)

    await act_and_wait(user.send(f"/start st_st{station}"), "已为您绑定联络站")
    await act_and_wait(user.send("/report"), "请选择问题类别")
    await act_and_wait(user.tap("道路", timeout=120), "请描述问题", edited=True)
    await act_and_wait(user.send(f"第{user.id}号居民反映：路灯不亮，晚上很黑"), "跳过")
    start = time.perf_counter()
    await user.tap("跳过", timeout=120)
    # the prompt becomes the summary, or (similar issues found) a new summary follows
    summary = await user.sees("请确认", timeout=120)
    latencies.append(time.perf_counter() - start)
    start = time.perf_counter()
    await user.tap("提交", summary, timeout=120)
    await user.edited(summary, "已提交", timeout=120)
    latencies.append(time.perf_counter() - start)


async def ours(n: int, concurrent_chats: int = 64) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "city.yaml"
        seed.write_text(city_seed(), encoding="utf-8")
        api = FakeBotApi(token=TOKEN, bot_username="bench_bot")
        await api.start()
        proc = spawn(
            "bot",
            api,
            {
                "LIAISON_DB": str(Path(tmp) / "bench.db"),
                "LIAISON_SEED": str(seed),
                "LIAISON_MAX_REPORTS_PER_DAY": "10000",
                "LIAISON_CONCURRENT_CHATS": str(concurrent_chats),
            },
        )
        try:
            await wait_polling(api, proc)
            deputies = [api.user(5000 + i, f"代表{i}") for i in range(2 * STATIONS)]
            for deputy in deputies:
                await deputy.send("/start")
                await deputy.next_message(timeout=30)
            await api.wait_idle(quiet=0.3, timeout=60)
            before = len(api.calls)
            residents = [api.user(100_000 + i, f"居民{i}") for i in range(n)]
            latencies: list[float] = []
            cpu = cpu_seconds(proc.pid)
            start = time.perf_counter()
            await asyncio.gather(
                *(_file(u, i % STATIONS, latencies) for i, u in enumerate(residents))
            )
            seconds = time.perf_counter() - start
            cpu = cpu_seconds(proc.pid) - cpu
            await api.wait_idle(quiet=0.5, timeout=120)
            return Result(n, n * ACTIONS, seconds, latencies, len(api.calls) - before, cpu)
        finally:
            await stop(proc)
            await api.stop()


async def echo(n: int) -> Result:
    api = FakeBotApi(token=TOKEN, bot_username="echo_bot")
    await api.start()
    proc = spawn("bench.echo_bot", api)
    try:
        await wait_polling(api, proc)
        users = [api.user(100_000 + i, f"u{i}") for i in range(n)]
        latencies: list[float] = []

        async def chat(user: FakeUser) -> None:
            for k in range(ACTIONS):
                start = time.perf_counter()
                await user.send(f"message {k}")
                await user.next_message(timeout=120)
                latencies.append(time.perf_counter() - start)

        cpu = cpu_seconds(proc.pid)
        start = time.perf_counter()
        await asyncio.gather(*(chat(u) for u in users))
        seconds = time.perf_counter() - start
        cpu = cpu_seconds(proc.pid) - cpu
        return Result(n, n * ACTIONS, seconds, latencies, len(api.calls), cpu)
    finally:
        await stop(proc)
        await api.stop()
