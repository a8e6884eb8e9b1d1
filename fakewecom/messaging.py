"""``message/send`` and ``message/update_template_card``: recipients, limits, delivery and
the card state each member sees."""

from __future__ import annotations

import copy
import json
import secrets
from typing import TYPE_CHECKING, Any

from fakewecom.cards import INTERACTIVE, validate_card
from fakewecom.models import Dropped, Received, WeComError
from fakewecom.payloads import check_agentid, split_ids, validate_message
from fakewecom.state import ResponseCode, SendCounter, beijing_day

if TYPE_CHECKING:
    from fakewecom.members import FakeMember
    from fakewecom.server import FakeWeCom


def new_msgid() -> str:
    return secrets.token_urlsafe(30)


def new_response_code() -> str:
    return secrets.token_urlsafe(48)


class Messaging:
    """The message endpoints of one fake app (state lives on the server)."""

    def __init__(self, server: FakeWeCom) -> None:
        self.server = server
        self.counters: dict[str, SendCounter] = {}
        self.daily: dict[int, int] = {}  # Beijing day -> person-messages delivered
        self._recent: dict[str, float] = {}  # duplicate check: canonical body -> time

    # ------------------------------------------------------------------ message/send

    def _resolve(self, body: dict[str, Any]) -> tuple[list[FakeMember], list[str], list[str]]:
        """(members to deliver to, invalid userids, warnings)."""
        server = self.server
        raw = split_ids(body.get("touser"), "touser")
        if raw == ["@all"]:
            return [m for m in server.members.values() if m.visible], [], []
        targets: list[FakeMember] = []
        invalid: list[str] = []
        warnings: list[str] = []
        for userid in raw:
            member = server.members.get(userid.lower())
            if member is None or not member.visible:
                invalid.append(userid.lower())
                if member is None:
                    warnings.append(f"touser {userid!r} is not a member of the corp")
            elif member not in targets:
                targets.append(member)
        return targets, invalid, warnings

    def _limit(self, member: FakeMember, now: float) -> str | None:
        server = self.server
        counter = self.counters.setdefault(member.userid.lower(), SendCounter())
        over = counter.over(now, server.rate_per_minute, server.rate_per_hour)
        if over is not None:
            return over
        if self.daily.get(beijing_day(now), 0) >= server.daily_quota:
            return "daily quota"
        return None

    def _duplicate(self, body: dict[str, Any], now: float) -> bool:
        if body.get("enable_duplicate_check") != 1:
            return False
        interval = body.get("duplicate_check_interval", 1800)
        key = json.dumps(body, sort_keys=True, ensure_ascii=False)
        seen = self._recent.get(key)
        if seen is not None and now - seen < interval:
            return True
        self._recent[key] = now
        return False

    def send(self, body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Validate, deliver, answer. Returns (answer, warnings); raises :class:`WeComError`."""
        server = self.server
        warnings = validate_message(body, server.agent_id, server.media_alive)
        msgtype = str(body["msgtype"])
        card = body.get("template_card") if msgtype == "template_card" else None
        task_id = str(card["task_id"]) if card and card.get("task_id") else None
        targets, invalid, unknown = self._resolve(body)
        warnings.extend(unknown)
        parties = split_ids(body.get("toparty"), "toparty")
        tags = split_ids(body.get("totag"), "totag")
        if parties or tags:
            warnings.append("toparty/totag given, but the fake corp has no departments or tags")
        answer: dict[str, Any] = {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(invalid),
            "invalidparty": "|".join(parties),
            "invalidtag": "|".join(tags),
            "unlicenseduser": "",
        }
        if not targets:
            raise WeComError(
                81013,
                "no valid recipient; " + "; ".join(unknown) if unknown else "no valid recipient",
                runtime=not unknown and not parties and not tags,
                extra={k: v for k, v in answer.items() if k.startswith(("invalid", "unl"))},
            )
        now = server.clock()
        msgid = new_msgid()
        if self._duplicate(body, now):  # identical JSON within the interval: not re-delivered
            server.duplicates.append(copy.deepcopy(body))
            answer["msgid"] = msgid
            return answer, warnings
        if task_id is not None:
            if task_id in server.task_ids:
                raise WeComError(40058, f"task_id {task_id!r} was already used by this app")
            server.task_ids[task_id] = msgid
        delivered: list[str] = []
        dropped: list[str] = []
        code = new_response_code() if card and card.get("card_type") in INTERACTIVE else None
        for member in targets:
            reason = self._limit(member, now)
            if reason is not None:
                server.dropped.append(Dropped(member.userid, reason, copy.deepcopy(body), now))
                dropped.append(member.userid)
                continue
            self.counters[member.userid.lower()].times.append(now)
            day = beijing_day(now)
            self.daily[day] = self.daily.get(day, 0) + 1
            member.deliver(self._item(body, member.userid, msgid, code, now))
            delivered.append(member.userid.lower())
        if code is not None and card is not None and delivered:
            server.response_codes[code] = ResponseCode(
                code, msgid, task_id, str(card["card_type"]), tuple(delivered), now, "send"
            )
        if dropped and server.rate_limit_errcode:
            raise WeComError(
                server.rate_limit_errcode,
                f"message dropped for {'|'.join(dropped)} (per-member or daily limit)",
                runtime=True,
                extra={k: v for k, v in answer.items() if k.startswith(("invalid", "unl"))},
            )
        answer["msgid"] = msgid
        if code is not None and delivered:
            answer["response_code"] = code
        return answer, warnings

    @staticmethod
    def _item(
        body: dict[str, Any], userid: str, msgid: str, code: str | None, now: float
    ) -> Received:
        msgtype = str(body["msgtype"])
        obj = copy.deepcopy(body[msgtype])
        item = Received(msgtype, userid, now, msgid=msgid, raw=copy.deepcopy(body))
        if msgtype in ("text", "markdown"):
            item.content = str(obj["content"])
        elif msgtype in ("image", "file"):
            item.media_id = str(obj["media_id"])
        elif msgtype == "news":
            item.articles = list(obj["articles"])
        else:
            item.card = obj
            item.task_id = obj.get("task_id")
            item.response_code = code
        return item

    # ------------------------------------------------------------------ update_template_card

    def _code(self, value: Any) -> ResponseCode:
        if not isinstance(value, str) or not value:
            raise WeComError(40058, "response_code is required")
        now = self.server.clock()
        code = self.server.response_codes.get(value)
        if code is None:
            raise WeComError(40029, "response_code unknown")
        if code.used:
            raise WeComError(40029, "response_code already used")
        if not code.fresh(now):
            raise WeComError(40029, "response_code older than 72 hours")
        return code

    def _targets(self, body: dict[str, Any], code: ResponseCode) -> tuple[list[str], list[str]]:
        atall = body.get("atall", 0)
        if atall not in (0, 1):
            raise WeComError(40058, "atall must be 0 or 1")
        if atall == 1:
            return list(code.recipients), []
        userids = body.get("userids", [])
        if not isinstance(userids, list) or not all(isinstance(u, str) for u in userids):
            raise WeComError(40058, "userids must be a list of strings")
        if len(userids) > 1000:
            raise WeComError(40058, "more than 1000 userids")
        if not userids and not body.get("partyids") and not body.get("tagids"):
            raise WeComError(40058, "no userids, partyids, tagids and atall is not 1")
        valid = [u.lower() for u in userids if u.lower() in code.recipients]
        invalid = [u.lower() for u in userids if u.lower() not in code.recipients]
        return valid, invalid

    def update_card(self, body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Apply an update to the targeted members' copies; mark the code used."""
        server = self.server
        check_agentid(body, server.agent_id)
        code = self._code(body.get("response_code"))
        has_button, has_card = "button" in body, "template_card" in body
        if has_button == has_card:
            raise WeComError(40058, "exactly one of button and template_card is required")
        warnings: list[str] = []
        new_card: dict[str, Any] | None = None
        replace_name: str | None = None
        if has_button:
            if code.card_type not in INTERACTIVE:
                raise WeComError(40058, f"button update is not allowed for a {code.card_type}")
            button = body["button"]
            name = button.get("replace_name") if isinstance(button, dict) else None
            if not isinstance(name, str) or not name:
                raise WeComError(40058, "button.replace_name is required")
            replace_name = name
        else:
            warnings.extend(validate_card(body["template_card"], need_task_id=False))
            new_card = copy.deepcopy(body["template_card"])
            if "task_id" in new_card and new_card["task_id"] != code.task_id:
                raise WeComError(40058, "template_card.task_id differs from the card's task_id")
        valid, invalid = self._targets(body, code)
        if invalid:
            warnings.append(f"userids {invalid} did not receive this card (or this code)")
        if body.get("partyids") or body.get("tagids"):
            warnings.append("partyids/tagids given, but the fake corp has no departments or tags")
        if not valid:
            raise WeComError(81013, "no valid target", extra={"invaliduser": invalid})
        for userid in valid:
            server.members[userid].apply_update(code.msgid, replace_name, new_card)
        code.used = True
        return {"errcode": 0, "errmsg": "ok", "invaliduser": invalid}, warnings
