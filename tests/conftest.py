"""Shared fixtures: settings for a temporary database, and the demo seed path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_SEED = ROOT / "seeds" / "demo.yaml"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "LIAISON_DB": str(tmp_path / "liaison.db"),
            "LIAISON_BOT_TOKEN": "123456:TEST-TOKEN",
            "LIAISON_QUIET_HOURS": "",
        }
    )


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-telegram-bot 22 warns about RetryAfter.retry_after's type unless opted in."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
