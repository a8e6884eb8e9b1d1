"""Validation of a ``message/send`` body (everything but the recipients' existence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fakewecom.cards import validate_card
from fakewecom.models import WeComError

SUPPORTED_MSGTYPES = frozenset({"text", "markdown", "image", "file", "news", "template_card"})
TEXT_LIMIT = 2048  # bytes, text and markdown (app messages)
_TOP_KEYS = frozenset(
    {
        "touser",
        "toparty",
        "totag",
        "msgtype",
        "agentid",
        "safe",
        "enable_id_trans",
        "enable_duplicate_check",
        "duplicate_check_interval",
    }
)


def _size(value: str) -> int:
    return len(value.encode("utf-8"))


def check_agentid(body: dict[str, Any], agent_id: int) -> None:
    """``agentid`` present (41011), an int, and this app's (40056)."""
    if "agentid" not in body:
        raise WeComError(41011, "agentid is required")
    value = body["agentid"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise WeComError(40056, f"agentid must be an integer, got {value!r}")
    if value != agent_id:
        raise WeComError(40056, f"agentid {value} is not this app ({agent_id})")


def split_ids(value: Any, name: str) -> list[str]:
    """``"a|b"`` as a list (empty for a missing field)."""
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        raise WeComError(40058, f'{name} must be a "|"-separated string')
    return [part for part in value.split("|") if part]


def _check_recipients(body: dict[str, Any]) -> None:
    users = split_ids(body.get("touser"), "touser")
    parties = split_ids(body.get("toparty"), "toparty")
    tags = split_ids(body.get("totag"), "totag")
    if not (users or parties or tags):
        raise WeComError(40058, "touser, toparty and totag are all empty")
    if len(users) > 1000:
        raise WeComError(40058, "more than 1000 userids in touser")
    if len(parties) > 100 or len(tags) > 100:
        raise WeComError(40058, "more than 100 ids in toparty or totag")


def _flag(body: dict[str, Any], key: str) -> None:
    if key in body and body[key] not in (0, 1):
        raise WeComError(40058, f"{key} must be 0 or 1")


def _content(obj: dict[str, Any], msgtype: str) -> None:
    content = obj.get("content")
    if not isinstance(content, str) or not content:
        raise WeComError(44004, f"{msgtype}.content is empty")
    if _size(content) > TEXT_LIMIT:
        raise WeComError(
            45002, f"{msgtype}.content is {_size(content)} bytes, more than {TEXT_LIMIT}"
        )


def _news(obj: dict[str, Any]) -> None:
    articles = obj.get("articles")
    if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
        raise WeComError(45008, "news.articles must hold 1-8 articles")
    for index, article in enumerate(articles):
        if not isinstance(article, dict):
            raise WeComError(40058, f"news.articles[{index}] must be an object")
        title = article.get("title")
        if not isinstance(title, str) or not title:
            raise WeComError(41016, f"news.articles[{index}].title is required")
        for key, limit in (("title", 128), ("description", 512), ("url", 2048), ("picurl", 2048)):
            value = article.get(key)
            if value is not None and (not isinstance(value, str) or _size(value) > limit):
                raise WeComError(45002, f"news.articles[{index}].{key} longer than {limit} bytes")
        if not article.get("url") and not article.get("appid"):
            raise WeComError(40058, f"news.articles[{index}] needs url (or appid)")


def validate_message(
    body: dict[str, Any], agent_id: int, media_ok: Callable[[str], bool]
) -> list[str]:
    """Raise the first error WeCom would answer; return warnings (ignored unknown keys)."""
    check_agentid(body, agent_id)
    _check_recipients(body)
    msgtype = body.get("msgtype")
    if not isinstance(msgtype, str) or msgtype not in SUPPORTED_MSGTYPES:
        raise WeComError(40008, f"msgtype {msgtype!r} is not one of {sorted(SUPPORTED_MSGTYPES)}")
    for key in ("safe", "enable_id_trans", "enable_duplicate_check"):
        _flag(body, key)
    interval = body.get("duplicate_check_interval")
    if interval is not None and (
        not isinstance(interval, int) or isinstance(interval, bool) or not 0 < interval <= 14400
    ):
        raise WeComError(40058, "duplicate_check_interval must be 1-14400 seconds")
    obj = body.get(msgtype)
    if not isinstance(obj, dict):
        raise WeComError(40058, f'msgtype is "{msgtype}" but there is no "{msgtype}" object')
    warnings: list[str] = []
    if msgtype in ("text", "markdown"):
        _content(obj, msgtype)
    elif msgtype in ("image", "file"):
        media_id = obj.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeComError(41006, f"{msgtype}.media_id is required")
        if not media_ok(media_id):
            raise WeComError(40007, f"media_id {media_id!r} unknown or older than 3 days")
    elif msgtype == "news":
        _news(obj)
    else:
        warnings.extend(validate_card(obj))
    unknown = sorted(set(body) - _TOP_KEYS - {msgtype})
    if unknown:
        warnings.append(f"message/send has unknown key(s) {unknown} (WeCom ignores them)")
    return warnings
