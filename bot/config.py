"""Settings from environment variables (and a .env file)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILES = "https://api.telegram.org/file/bot"


WECHAT_REQUIRED = ("app_id", "secret", "token", "aes_key")
# a template message per kind of notice that may find the reply window closed
WECHAT_TEMPLATES = ("template_progress", "template_reply", "template_broadcast")


class ConfigError(Exception):
    """A bad setting: the message is one line naming the variable."""


class QuietHours:
    """A daily local-time window such as 22:00-08:00 (may cross midnight)."""

    def __init__(self, start: time, end: time) -> None:
        self.start = start
        self.end = end

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_quiet_hours(value: str) -> QuietHours | None:
    """'22:00-08:00' → QuietHours; '' → None (disabled)."""
    if not value.strip():
        return None
    match = _QUIET.match(value)
    if not match:
        raise ValueError("expected HH:MM-HH:MM, e.g. 22:00-08:00, or empty to disable")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"not a time of day: {exc}") from None
    if start == end:
        raise ValueError("start and end are the same; use an empty value to disable")
    return QuietHours(start, end)


class Settings(BaseSettings):
    """Every LIAISON_* variable."""

    model_config = SettingsConfigDict(
        env_prefix="LIAISON_", env_file=".env", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = None
    api_base_url: str = TELEGRAM_API
    api_file_url: str = TELEGRAM_FILES
    db: Path = Path("./data/liaison.db")
    seed: Path | None = None
    timezone: str = "Asia/Shanghai"
    sweep_seconds: float = Field(default=60, gt=0, le=86400)
    quiet_hours: str = "22:00-08:00"
    broadcast_rate: float = Field(default=25, gt=0, le=10000)
    admin_ids: str = ""
    log_level: str = "INFO"
    max_reports_per_day: int = Field(default=10, ge=1, le=10000)
    concurrent_chats: int = Field(default=64, ge=1, le=10000)
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # how long `run` keeps retrying an unreachable Bot API at start-up before it gives up
    startup_retry_seconds: float = Field(default=60, ge=0, le=86400)
    # WeCom (企业微信) self-built app: deputies, staff and liaisons; all of these or none
    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: SecretStr | None = None
    wecom_token: SecretStr | None = None  # the callback's Token
    wecom_aes_key: SecretStr | None = None  # the callback's EncodingAESKey (43 characters)
    wecom_listen: str = "127.0.0.1"
    wecom_port: int = Field(default=8444, ge=0, le=65535)
    wecom_path: str = "/wecom/callback"
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"
    # WeChat service account (微信服务号) for residents
    wechat_app_id: str | None = None
    wechat_secret: SecretStr | None = None
    wechat_token: SecretStr | None = None  # the callback's Token
    wechat_aes_key: SecretStr | None = None  # EncodingAESKey: callbacks in safe mode
    wechat_listen: str = "127.0.0.1"
    wechat_port: int = Field(default=8445, ge=0, le=65535)
    wechat_path: str = "/wechat/callback"
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    # template messages (outside the 48-hour window): fields character_string1, thing2,
    # phrase3, time4 — chosen by the operator from the platform's template library
    wechat_template_progress: str | None = None
    wechat_template_reply: str | None = None
    wechat_template_broadcast: str | None = None
    # department liaisons: the share of a unit's time after which its task turns 🟡, and the
    # local time of the morning digest of its open tasks (None: no digest)
    yellow_at: float = 0.7
    digest_at: time | None = time(8, 30)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @field_validator("yellow_at")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 < value < 1:  # also refuses nan
            raise ValueError("must be more than 0 and less than 1 (a share of the time, e.g. 0.7)")
        return value

    @field_validator("digest_at", mode="before")
    @classmethod
    def _digest_time(cls, value: Any) -> Any:
        if value is None or isinstance(value, time):
            return value
        text = str(value).strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError("expected a local time HH:MM, e.g. 08:30, or empty to disable")
        return time(int(match.group(1)), int(match.group(2)))

    @field_validator("admin_ids")
    @classmethod
    def _ids(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip() and not part.strip().lstrip("-").isdigit():
                raise ValueError(f"{part.strip()!r} is not a numeric Telegram user id")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        levels = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
        if value.upper() not in levels:
            raise ValueError(f"use one of {', '.join(sorted(levels))}")
        return value.upper()

    @field_validator(
        "wecom_corp_id",
        "wecom_agent_id",
        "wecom_secret",
        "wecom_token",
        "wecom_aes_key",
        "wechat_app_id",
        "wechat_secret",
        "wechat_token",
        "wechat_aes_key",
        "wechat_template_progress",
        "wechat_template_reply",
        "wechat_template_broadcast",
        mode="before",
    )
    @classmethod
    def _empty_platform(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("wecom_aes_key", "wechat_aes_key")
    @classmethod
    def _aes_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9]{43}", value.get_secret_value()):
            raise ValueError("must be the 43 letters and digits of the app's EncodingAESKey")
        return value

    @field_validator("wecom_path", "wechat_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @model_validator(mode="after")
    def _wecom_complete(self) -> Settings:
        names = ("corp_id", "agent_id", "secret", "token", "aes_key")
        given = [n for n in names if getattr(self, f"wecom_{n}") is not None]
        if given and len(given) != len(names):
            missing = [n for n in names if n not in given]
            raise ValueError(
                f"WeCom needs all of its settings; missing LIAISON_WECOM_{missing[0].upper()}"
            )
        return self

    @model_validator(mode="after")
    def _wechat_complete(self) -> Settings:
        names = (*WECHAT_REQUIRED, *WECHAT_TEMPLATES)
        given = [n for n in names if getattr(self, f"wechat_{n}") is not None]
        if given and len(given) != len(names):
            missing = [n for n in names if n not in given]
            raise ValueError(
                f"WeChat needs all of its settings; missing LIAISON_WECHAT_{missing[0].upper()}"
            )
        return self

    @property
    def any_platform(self) -> bool:
        """Telegram, WeCom or WeChat: `run` needs at least one."""
        return self.bot_token is not None or self.wecom or self.wechat

    @property
    def wechat(self) -> bool:
        """Whether the WeChat service account is configured."""
        return self.wechat_app_id is not None

    @property
    def wecom(self) -> bool:
        """Whether the WeCom app is configured."""
        return self.wecom_corp_id is not None

    @field_validator(
        "api_base_url", "api_file_url", "webhook_url", "wecom_api_base_url", "wechat_api_base_url"
    )
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_token(cls, value: Any) -> Any:
        return None if value == "" else value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> QuietHours | None:
        return parse_quiet_hours(self.quiet_hours)

    @property
    def admin_telegram_ids(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.admin_ids.split(",") if p.strip())


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from `environ` (the process environment and .env when None).

    Raises ConfigError whose message is one line naming the bad variable.
    """
    try:
        if environ is None:
            return Settings(**overrides)
        values: dict[str, Any] = {
            k[len("LIAISON_") :].lower(): v for k, v in environ.items() if k.startswith("LIAISON_")
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]
    except ValidationError as exc:
        err = exc.errors()[0]
        reason = str(err["msg"]).removeprefix("Value error, ")
        if not err["loc"]:  # a rule about several variables names them itself
            raise ConfigError(reason) from None
        raise ConfigError(f"LIAISON_{str(err['loc'][0]).upper()}: {reason}") from None
