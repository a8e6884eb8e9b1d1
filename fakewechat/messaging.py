"""``message/custom/send`` (customer-service messages inside the 48-hour window) and
``message/template/send`` (template notices, any time, values cut to 20 characters)."""

from __future__ import annotations

import copy
import re
import secrets
from typing import TYPE_CHECKING, Any

from fakewechat.models import Received, WeChatError

if TYPE_CHECKING:
    from fakewechat.residents import FakeResident
    from fakewechat.server import FakeWeChat

CUSTOM_MSGTYPES = frozenset({"text", "image", "news", "msgmenu"})
TEXT_LIMIT = 2048  # bytes (unconfirmed for custom/send; WeChat documents no number)
MENU_OPTIONS = (1, 10)
MENU_ID_LIMIT = 64  # bytes
MENU_CONTENT_LIMIT = 100  # characters
TEMPLATE_VALUE_LIMIT = 20  # characters shown since 2023-05
CLIENT_MSG_ID_TTL = 600.0  # seconds: the same (openid, client_msg_id) is sent once
_CUSTOM_TOP = frozenset({"touser", "msgtype", "customservice"})
_TEMPLATE_TOP = frozenset({"touser", "template_id", "url", "miniprogram", "client_msg_id", "data"})
# emoji and pictographs: dropped from template values since 2023-05
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]"
)


def new_template_msgid() -> int:
    """A 64-bit numeric msgid like WeChat's."""
    return (1 << 61) | secrets.randbits(61)


def _size(value: str) -> int:
    return len(value.encode("utf-8"))


def _string(obj: dict[str, Any], key: str, where: str, *, required: bool, errcode: int) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise WeChatError(errcode, f"{where}.{key} must be a non-empty string")
    return value


class Messaging:
    """The message endpoints of one fake service account (state lives on the server)."""

    def __init__(self, server: FakeWeChat) -> None:
        self.server = server
        self._client_msg_ids: dict[tuple[str, str], tuple[float, int]] = {}

    def _resident(self, body: dict[str, Any]) -> FakeResident:
        touser = body.get("touser")
        if not isinstance(touser, str) or not touser:
            raise WeChatError(40003, "touser (an openid) is required")
        resident = self.server.residents.get(touser)
        if resident is None:
            raise WeChatError(40003, f"openid {touser!r} is not a user of this account")
        return resident

    # ------------------------------------------------------------------ custom/send

    def custom(self, body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Validate, check the window, deliver. Returns (answer, warnings)."""
        server = self.server
        resident = self._resident(body)
        msgtype = body.get("msgtype")
        if not isinstance(msgtype, str) or msgtype not in CUSTOM_MSGTYPES:
            raise WeChatError(40008, f"msgtype {msgtype!r} is not one of {sorted(CUSTOM_MSGTYPES)}")
        obj = body.get(msgtype)
        if not isinstance(obj, dict):
            raise WeChatError(47001, f'msgtype is "{msgtype}" but there is no "{msgtype}" object')
        warnings: list[str] = []
        now = server.clock()
        item = Received(msgtype, resident.openid, now, via="custom", raw=copy.deepcopy(body))
        if msgtype == "text":
            item.content = self._text(obj)
        elif msgtype == "image":
            item.media_id = self._image(obj)
        elif msgtype == "news":
            item.articles = self._news(obj)
        else:
            self._msgmenu(obj, item, warnings)
        service = body.get("customservice")
        if service is not None and not (
            isinstance(service, dict) and isinstance(service.get("kf_account"), str)
        ):
            raise WeChatError(47001, 'customservice must be {"kf_account": "..."}')
        unknown = sorted(set(body) - _CUSTOM_TOP - {msgtype})
        if unknown:
            warnings.append(f"custom/send has unknown key(s) {unknown} (WeChat ignores them)")
        if not resident.follower:
            raise WeChatError(45015, f"{resident.openid} does not follow the account", runtime=True)
        windows = server.windows_of(resident.openid)
        if windows.use(now) is None:
            if windows.snapshot(resident.openid, now).open:
                raise WeChatError(45047, "the open windows' quotas are used up", runtime=True)
            raise WeChatError(
                45015, "no message in the last 48 h and no event in the last minute", runtime=True
            )
        resident.deliver(item)
        return {"errcode": 0, "errmsg": "ok"}, warnings

    @staticmethod
    def _text(obj: dict[str, Any]) -> str:
        content = obj.get("content")
        if not isinstance(content, str) or not content:
            raise WeChatError(44004, "text.content is empty")
        if _size(content) > TEXT_LIMIT:
            raise WeChatError(
                45002, f"text.content is {_size(content)} bytes, more than {TEXT_LIMIT}"
            )
        return content

    def _image(self, obj: dict[str, Any]) -> str:
        media_id = obj.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeChatError(41006, "image.media_id is required")
        media = self.server.media.get(media_id)
        if media is None or not media.alive(self.server.clock()):
            raise WeChatError(40007, f"media_id {media_id!r} unknown or older than 3 days")
        if media.type not in ("image", "thumb"):
            raise WeChatError(40007, f"media_id {media_id!r} is a {media.type}, not an image")
        return media_id

    @staticmethod
    def _news(obj: dict[str, Any]) -> list[dict[str, Any]]:
        articles = obj.get("articles")
        if not isinstance(articles, list) or not articles:
            raise WeChatError(44003, "news.articles must hold one article")
        if len(articles) > 1:
            raise WeChatError(45008, f"news.articles holds {len(articles)} articles; at most 1")
        article = articles[0]
        if not isinstance(article, dict):
            raise WeChatError(47001, "news.articles[0] must be an object")
        _string(article, "title", "news.articles[0]", required=True, errcode=47001)
        _string(article, "url", "news.articles[0]", required=True, errcode=47001)
        for key in ("description", "picurl"):
            _string(article, key, "news.articles[0]", required=False, errcode=47001)
        return [copy.deepcopy(article)]

    @staticmethod
    def _msgmenu(obj: dict[str, Any], item: Received, warnings: list[str]) -> None:
        item.head = _string(obj, "head_content", "msgmenu", required=False, errcode=47001)
        item.tail = _string(obj, "tail_content", "msgmenu", required=False, errcode=47001)
        options = obj.get("list")
        if not isinstance(options, list):
            raise WeChatError(47001, "msgmenu.list must be a list")
        low, high = MENU_OPTIONS
        if not low <= len(options) <= high:
            raise WeChatError(40058, f"msgmenu.list holds {len(options)} options; {low}-{high}")
        seen: set[str] = set()
        for index, option in enumerate(options):
            where = f"msgmenu.list[{index}]"
            if not isinstance(option, dict):
                raise WeChatError(47001, f"{where} must be an object")
            option_id = _string(option, "id", where, required=True, errcode=40058)
            content = _string(option, "content", where, required=True, errcode=40058)
            if option_id in seen:
                raise WeChatError(40058, f"{where}.id {option_id!r} is used twice")
            seen.add(option_id)
            if _size(option_id) > MENU_ID_LIMIT:
                warnings.append(f"{where}.id is longer than {MENU_ID_LIMIT} bytes")
            if len(content) > MENU_CONTENT_LIMIT:
                warnings.append(f"{where}.content is longer than {MENU_CONTENT_LIMIT} characters")
            item.options.append((option_id, content))

    # ------------------------------------------------------------------ template/send

    def template(self, body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Validate, cut the values, deliver, schedule TEMPLATESENDJOBFINISH."""
        server = self.server
        template_id = body.get("template_id")
        if not isinstance(template_id, str) or template_id not in server.templates:
            raise WeChatError(
                40037, f"template_id {template_id!r} is not a template of this account"
            )
        keys = server.templates[template_id]
        resident = self._resident(body)
        data = self._data(body.get("data"), keys)
        warnings: list[str] = []
        url = body.get("url")
        if url is not None and not isinstance(url, str):
            raise WeChatError(47001, "url must be a string")
        mini = body.get("miniprogram")
        if mini is not None and not (
            isinstance(mini, dict) and isinstance(mini.get("appid"), str) and mini["appid"]
        ):
            raise WeChatError(47001, 'miniprogram must be {"appid": ..., "pagepath": ...}')
        client_msg_id = body.get("client_msg_id")
        if client_msg_id is not None and (
            not isinstance(client_msg_id, str) or not client_msg_id or len(client_msg_id) > 32
        ):
            raise WeChatError(47001, "client_msg_id must be a string of 1-32 characters")
        unknown = sorted(set(body) - _TEMPLATE_TOP)
        if unknown:
            warnings.append(f"template/send has unknown key(s) {unknown} (WeChat ignores them)")
        if not resident.follower:
            raise WeChatError(43004, f"{resident.openid} does not follow the account", runtime=True)
        now = server.clock()
        if client_msg_id is not None:
            seen = self._client_msg_ids.get((resident.openid, client_msg_id))
            if seen is not None and now - seen[0] < CLIENT_MSG_ID_TTL:
                server.duplicates.append(copy.deepcopy(body))
                return {"errcode": 0, "errmsg": "ok", "msgid": seen[1]}, warnings
        msgid = new_template_msgid()
        if client_msg_id is not None:
            self._client_msg_ids[(resident.openid, client_msg_id)] = (now, msgid)
        item = Received(
            "template",
            resident.openid,
            now,
            via="template",
            msgid=msgid,
            template_id=template_id,
            url=url or None,
            raw=copy.deepcopy(body),
        )
        for key in keys:
            shown, was_cut, problems = show_value(data[key])
            item.data[key] = shown
            if was_cut:
                item.cut.append(key)
            warnings.extend(f"data.{key}.value {problem}" for problem in problems)
        blocked = resident.blocks_templates
        if not blocked:
            resident.deliver(item)
            server.templates_sent.append(item)
        server.template_job_finished(
            resident.openid, msgid, "failed:user block" if blocked else server.template_status
        )
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}, warnings

    @staticmethod
    def _data(data: Any, keys: list[str]) -> dict[str, str]:
        if not isinstance(data, dict):
            raise WeChatError(47003, "data must be an object of {key: {value}}")
        missing = [k for k in keys if k not in data]
        extra = sorted(set(data) - set(keys))
        if missing or extra:
            raise WeChatError(
                47003, f"data keys differ from the template: missing {missing}, extra {extra}"
            )
        values: dict[str, str] = {}
        for key in keys:
            entry = data[key]
            if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
                raise WeChatError(47003, f'data.{key} must be {{"value": "<string>"}}')
            values[key] = entry["value"]
        return values


def show_value(value: str) -> tuple[str, bool, list[str]]:
    """What a template value looks like since 2023-05: line breaks and emoji dropped, cut
    to 20 characters. Returns (shown, cut, problems) — problems are the bot's mistakes."""
    problems: list[str] = []
    if "\n" in value or "\r" in value:
        problems.append("contains a line break (WeChat drops line breaks)")
        value = value.replace("\r", "").replace("\n", "")
    value = _EMOJI.sub("", value)
    if not value.strip():
        problems.append("is empty (the field shows nothing)")
    if len(value) > TEMPLATE_VALUE_LIMIT:
        return value[:TEMPLATE_VALUE_LIMIT], True, problems
    return value, False, problems
