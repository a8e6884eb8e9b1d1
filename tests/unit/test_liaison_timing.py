"""How late a unit's task is (bot/scheduling.tier) and the two settings behind it."""

from __future__ import annotations

from datetime import time

import pytest

from bot.config import ConfigError, load_settings
from bot.scheduling import TIER_MARK, Tier, tier

START, DUE = 1_000, 2_000  # 1,000 seconds to do it


@pytest.mark.parametrize(
    ("now", "share", "expected"),
    [
        (START, 0.7, None),
        (1_699, 0.7, None),
        (1_700, 0.7, Tier.YELLOW),  # 70% of the time gone
        (1_999, 0.7, Tier.YELLOW),
        (2_000, 0.7, Tier.RED),  # due: overdue from this moment
        (9_000, 0.7, Tier.RED),
        (1_499, 0.5, None),
        (1_500, 0.5, Tier.YELLOW),
        (1_999, 0.999, Tier.YELLOW),
    ],
)
def test_tier(now: int, share: float, expected: Tier | None) -> None:
    assert tier(START, DUE, now, share) is expected


def test_tier_marks() -> None:
    assert TIER_MARK == {Tier.YELLOW: "🟡", Tier.RED: "🔴"}
    assert [str(t) for t in Tier] == ["yellow", "red"]


def test_liaison_settings_defaults() -> None:
    settings = load_settings({})
    assert settings.yellow_at == 0.7
    assert settings.digest_at == time(8, 30)


@pytest.mark.parametrize(
    ("env", "yellow_at", "digest_at"),
    [
        ({"LIAISON_YELLOW_AT": "0.5", "LIAISON_DIGEST_AT": "07:05"}, 0.5, time(7, 5)),
        ({"LIAISON_YELLOW_AT": "0.95", "LIAISON_DIGEST_AT": "9:00"}, 0.95, time(9, 0)),
        ({"LIAISON_DIGEST_AT": ""}, 0.7, None),  # empty: no morning digest
        ({"LIAISON_DIGEST_AT": "  "}, 0.7, None),
    ],
)
def test_liaison_settings(env: dict[str, str], yellow_at: float, digest_at: time | None) -> None:
    settings = load_settings(env)
    assert (settings.yellow_at, settings.digest_at) == (yellow_at, digest_at)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LIAISON_YELLOW_AT", "0"),
        ("LIAISON_YELLOW_AT", "1"),
        ("LIAISON_YELLOW_AT", "1.5"),
        ("LIAISON_YELLOW_AT", "-0.2"),
        ("LIAISON_YELLOW_AT", "nan"),
        ("LIAISON_YELLOW_AT", "most"),
        ("LIAISON_DIGEST_AT", "24:00"),
        ("LIAISON_DIGEST_AT", "08:60"),
        ("LIAISON_DIGEST_AT", "8am"),
        ("LIAISON_DIGEST_AT", "08:30:00"),
    ],
)
def test_a_bad_liaison_setting_names_the_variable_in_one_line(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({name: value})
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message
