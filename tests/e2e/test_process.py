"""`python -m bot run` as a real process: it polls the fake server, answers, and stops
cleanly on SIGTERM; a bad setting stops it with one line naming the variable."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from fakebot import FakeBotApi
from tests.conftest import ROOT
from tests.e2e.conftest import CITY, TOKEN


def _env(api: FakeBotApi, tmp_path: Path, **extra: str) -> dict[str, str]:
    seed = tmp_path / "city.yaml"
    seed.write_text(CITY, encoding="utf-8")
    return {
        **os.environ,
        "LIAISON_BOT_TOKEN": TOKEN,
        "LIAISON_API_BASE_URL": api.base_url,
        "LIAISON_API_FILE_URL": api.file_url,
        "LIAISON_DB": str(tmp_path / "p.db"),
        "LIAISON_SEED": str(seed),
        "PTB_TIMEDELTA": "1",
        **extra,
    }


async def test_run_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        proc = subprocess.Popen(  # noqa: ASYNC220 - the bot under test is a real process
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=_env(api, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            alice = api.user(1, "Alice")
            await alice.send("/start st_north")
            await alice.wait_for("已为您绑定联络站", timeout=30)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.to_thread(proc.communicate, timeout=30)
        assert proc.returncode == 0, err.decode()
        log = err.decode()
        assert "Traceback" not in log
        assert TOKEN not in log  # the token is never logged
        assert "TEST-TOKEN" not in log


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "LIAISON_TIMEZONE": "Mars/Olympus", "LIAISON_DB": str(tmp_path / "x.db")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("configuration error: LIAISON_TIMEZONE: ")


def test_run_without_a_token_points_to_the_demo(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_BOT_TOKEN"}
    env["LIAISON_DB"] = str(tmp_path / "x.db")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 2
    assert "LIAISON_BOT_TOKEN" in done.stderr.decode()
    assert "demo" in done.stderr.decode()
