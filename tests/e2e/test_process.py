"""`python -m bot run` as a real process: it polls the fake server, answers, and stops
cleanly on SIGTERM; a bad setting stops it with one line naming the variable."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
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


def _failed_start(env: dict[str, str]) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    return done.returncode, done.stderr.decode(), time.monotonic() - started


def _last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def test_an_unreachable_api_at_start_exits_after_the_retry_time(tmp_path: Path) -> None:
    """Retried with backoff for LIAISON_STARTUP_RETRY_SECONDS, then one line and exit 1: a
    supervisor can restart it (the process used to hang on its database threads)."""
    seed = tmp_path / "city.yaml"
    seed.write_text(CITY, encoding="utf-8")
    env = {
        **os.environ,
        "LIAISON_BOT_TOKEN": TOKEN,
        "LIAISON_API_BASE_URL": "http://127.0.0.1:9/bot",  # nothing listens on port 9
        "LIAISON_DB": str(tmp_path / "x.db"),
        "LIAISON_SEED": str(seed),
        "LIAISON_STARTUP_RETRY_SECONDS": "2",
    }
    code, err, seconds = _failed_start(env)
    assert code == 1, err
    assert seconds < 30
    line = _last_line(err)
    assert line.startswith("start-up failed: LIAISON_API_BASE_URL: cannot reach the Bot API")
    assert "Traceback" not in err and "Unclosed" not in err
    assert TOKEN not in err and "TEST-TOKEN" not in err


async def test_a_rejected_token_exits_at_once_without_printing_it(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        env = _env(api, tmp_path, LIAISON_BOT_TOKEN="999999:REVOKED-SECRET")
        code, err, seconds = await asyncio.to_thread(_failed_start, env)
    assert code == 1, err
    assert _last_line(err) == "start-up failed: LIAISON_BOT_TOKEN: the Bot API rejected the token"
    assert "REVOKED-SECRET" not in err and "999999" not in err
    assert seconds < 30


def test_an_invalid_seed_stops_start_up_with_one_line(tmp_path: Path) -> None:
    seed = tmp_path / "city.yaml"
    seed.write_text(CITY.replace("accept_within: 2h", "accept_within: soon"), encoding="utf-8")
    env = {
        **os.environ,
        "LIAISON_BOT_TOKEN": TOKEN,
        "LIAISON_API_BASE_URL": "http://127.0.0.1:9/bot",  # the seed is read before any call
        "LIAISON_DB": str(tmp_path / "x.db"),
        "LIAISON_SEED": str(seed),
    }
    code, err, seconds = _failed_start(env)
    assert code == 1, err
    line = _last_line(err)
    assert line.startswith("start-up failed: LIAISON_SEED: "), line
    assert "accept_within" in line
    assert "Traceback" not in err
    assert seconds < 30
