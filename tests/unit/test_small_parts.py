"""Similarity, language choice, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.models import Lang, language_from_code
from bot.similarity import similar, similarity


def test_chinese_similarity_uses_bigrams() -> None:
    a = "新阳路100号门前路面塌陷，有个大坑"
    b = "新阳路一百号门前的路面塌陷了"
    c = "小区里晚上广场舞噪音太大"
    assert similar(a, b)
    assert not similar(a, c)
    assert similarity("", a) == 0.0
    assert similarity(a, a) == 1.0


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("zh-hans", Lang.ZH),
        ("zh-TW", Lang.ZH),
        ("en", Lang.EN),
        ("en-GB", Lang.EN),
        ("ru", Lang.ZH),
        (None, Lang.ZH),
    ],
)
def test_language_from_telegram(code: str | None, lang: Lang) -> None:
    assert language_from_code(code) is lang


def test_defaults() -> None:
    s = load_settings({})
    assert s.db == Path("./data/liaison.db")
    assert s.timezone == "Asia/Shanghai"
    assert s.sweep_seconds == 60
    assert str(s.quiet) == "22:00-08:00"
    assert s.broadcast_rate == 25
    assert s.bot_token is None
    assert s.admin_telegram_ids == frozenset()


def test_values_and_secret_token() -> None:
    s = load_settings(
        {"LIAISON_BOT_TOKEN": "1:SECRET", "LIAISON_ADMIN_IDS": "1, 2,3", "LIAISON_QUIET_HOURS": ""}
    )
    assert s.admin_telegram_ids == frozenset({1, 2, 3})
    assert s.quiet is None
    assert "SECRET" not in repr(s)
    assert "SECRET" not in str(s.model_dump())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LIAISON_TIMEZONE", "Mars/Base"),
        ("LIAISON_SWEEP_SECONDS", "often"),
        ("LIAISON_SWEEP_SECONDS", "0"),
        ("LIAISON_QUIET_HOURS", "22-08"),
        ("LIAISON_BROADCAST_RATE", "-1"),
        ("LIAISON_ADMIN_IDS", "12,abc"),
        ("LIAISON_LOG_LEVEL", "LOUD"),
        ("LIAISON_API_BASE_URL", "not a url"),
    ],
)
def test_bad_value_names_the_variable_in_one_line(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({name: value})
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message
