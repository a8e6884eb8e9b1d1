"""Broadcast delivery: 10,000 residents at the platform limit (30/s) and at 1,000/s."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import TOKEN, spawn, stop, wait_polling
from fakebot import FakeBotApi
from storage.db import Database

SEED = """
city: 基准市
categories:
  - {key: other, name: 其他, accept_within: 1d, reply_within: 7d}
stations:
  - key: big
    name: 大站
    district: 一区
    staff:
      - {key: w, name: 工作人员, telegram_id: 7000}
"""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(recipients: int, rate: float) -> dict[str, float]:
    """Send one notice to `recipients` residents at `rate`; achieved rate and CPU per message."""
    with tempfile.TemporaryDirectory(prefix="liaison-bc-") as tmp:
        db_path = Path(tmp) / "bc.db"
        seed = Path(tmp) / "seed.yaml"
        seed.write_text(SEED, encoding="utf-8")
        db = await Database.open(db_path)
        await db.close()
        now = int(time.time())
        with sqlite3.connect(db_path) as conn:
            conn.execute(
                "INSERT INTO stations (id, key, name, district) VALUES (1, 'big', '大站', '一区')"
            )
            conn.executemany(
                "INSERT INTO people (telegram_id, name, started_at, station_id, created_at) "
                "VALUES (?, ?, ?, 1, ?)",
                [(500_000 + i, f"居民{i}", now, now) for i in range(recipients)],
            )
        api = FakeBotApi(token=TOKEN, bot_username="bc_bot")
        await api.start()
        for i in range(recipients):
            api.user(500_000 + i, f"居民{i}").has_written = True
        proc = spawn(
            "bot",
            api,
            {
                "LIAISON_DB": str(db_path),
                "LIAISON_SEED": str(seed),
                "LIAISON_BROADCAST_RATE": str(rate),
            },
        )
        try:
            await wait_polling(api, proc)
            staff = api.user(7000, "工作人员")
            await staff.send("/start")
            await staff.next_message(timeout=30)
            await staff.send("/broadcast")
            await staff.wait_for("请选择通知对象", timeout=30)
            await staff.tap("大站 的群众")
            await staff.sees("请发送通知内容", timeout=30)
            await staff.send("本周三下午接待日，欢迎来站反映问题。")
            await staff.wait_for("将发送给", timeout=60)
            cpu0 = _cpu_seconds(proc.pid)
            start = time.perf_counter()
            await staff.tap("发送", timeout=60)
            await staff.sees("通知发送完毕", timeout=recipients / rate * 3 + 120)
            seconds = time.perf_counter() - start
            cpu = _cpu_seconds(proc.pid) - cpu0
            delivered = sum(
                1
                for c in api.calls
                if c.method == "sendMessage"
                and c.ok
                and str(c.params.get("chat_id")) != "7000"
                and "接待日" in str(c.params.get("text", ""))
            )
            return {
                "delivered": delivered,
                "seconds": seconds,
                "rate": delivered / seconds,
                "cpu_per_message": cpu / max(delivered, 1),
            }
        finally:
            await stop(proc)
            await api.stop()


if __name__ == "__main__":
    print(asyncio.run(run(300, 30)))
