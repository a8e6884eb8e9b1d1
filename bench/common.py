"""Shared bench helpers: percentiles, a bot subprocess against the fake server, a table."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from fakebot import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-TOKEN"


def pct(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spawn(
    module: str, api: FakeBotApi, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `python -m module` as a bot process talking to the fake server."""
    env = {
        **os.environ,
        "LIAISON_BOT_TOKEN": TOKEN,
        "LIAISON_API_BASE_URL": api.base_url,
        "LIAISON_API_FILE_URL": api.file_url,
        "LIAISON_QUIET_HOURS": "",
        "LIAISON_LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "1",
        **(extra or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", module, *(["run"] if module == "bot" else [])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_polling(
    api: FakeBotApi,
    proc: subprocess.Popen[bytes],
    timeout: float = 60,  # noqa: ASYNC109
) -> float:
    """Seconds until the process makes its first getUpdates call."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not (api.polling or api.calls_to("getUpdates")):
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"bot exited with {proc.returncode}: {err[-2000:]}")
        if loop.time() - start > timeout:
            raise TimeoutError("bot did not start polling")
        await asyncio.sleep(0.01)
    return loop.time() - start


async def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:  # noqa: ASYNC109
    """SIGTERM, then wait without blocking the loop: the fake server in this process must
    keep answering the bot's shutdown calls (a blocking wait used to stall it into a kill)."""
    proc.terminate()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while proc.poll() is None:
        if loop.time() > deadline:
            proc.kill()
            proc.wait()
            return
        await asyncio.sleep(0.02)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def table(rows: list[tuple[str, str, str, str]]) -> str:
    head = ("benchmark", "result", "target / baseline", "verdict")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)
