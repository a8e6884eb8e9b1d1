"""Callback data: short, structured, and never trusted (`iss:acc:12`, ≤ 64 bytes).

Every button kind is one class below: it packs the data when the button is built, gives the
adapter its routing pattern, and unpacks a press (None for anything else). Parsing only
checks the shape; every press is re-checked against the database by the service that
handles it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.models import Channel, Lang

MAX_BYTES = 64
MAX_NUMBER = 2**53


class CallbackData(BaseModel):
    """A button kind's data, defined once: `pack()` writes it and `unpack()` reads it back
    (None for anything else), so the encoder and the matcher cannot drift apart.

        class ReportPress(CallbackData, prefix="rep"):
            verb: str
            draft: int

    Trailing fields that default to None are left out when None (``iss:acc:12``). A kind
    whose verbs carry different numbers of values says how many follow each verb in
    `shapes` (the first field is the verb); a press of another shape is refused.
    Only the canonical form unpacks (``iss:acc:012`` or ``iss:acc: 12`` do not).
    """

    model_config = ConfigDict(frozen=True)
    prefix: ClassVar[str]
    shapes: ClassVar[Mapping[str, int]] = {}

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix:
            cls.prefix = prefix

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        shapes = type(self).shapes
        if shapes:
            verb, *rest = (getattr(self, name) for name in type(self).model_fields)
            count = shapes.get(verb)
            if count is None or any(v is None for v in rest[:count]):
                raise ValueError(f"{verb}: {count} values expected")
            if any(v is not None for v in rest[count:]):
                raise ValueError(f"{verb}: only {count} values expected")
        return self

    def pack(self) -> str:
        values = [getattr(self, name) for name in type(self).model_fields]
        while values and values[-1] is None:  # optional trailing fields are left out
            values.pop()
        parts = [self.prefix, *(str(v) for v in values)]
        data = ":".join(parts)
        if (
            len(data.encode()) > MAX_BYTES
            or any(v is None for v in values)
            or any(":" in p for p in parts[1:])
        ):
            raise ValueError(f"bad callback data: {data}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        parts = data.split(":")
        names = list(cls.model_fields)
        required = sum(1 for f in cls.model_fields.values() if f.is_required())
        if parts[0] != cls.prefix or not max(required, 1) <= len(parts) - 1 <= len(names):
            return None
        given = dict(zip(names, parts[1:], strict=False))
        try:
            found = cls.model_validate(given)
        except ValidationError:
            return None
        # one spelling per value: no "012", " 12", "+12" or "1_2"
        if any(str(getattr(found, name)) != raw for name, raw in given.items()):
            return None
        values = [getattr(found, name) for name in names]
        if any(isinstance(v, int) and not 0 <= v <= MAX_NUMBER for v in values):
            return None
        return found

    @classmethod
    def pattern(cls, *verbs: str) -> str:
        """A regular expression matching this kind's data (for the adapters' routing), or
        only its presses whose first field is one of `verbs`: ``^bc:(st|all)(:|$)``."""
        if not verbs:
            return rf"^{re.escape(cls.prefix)}:"
        alternatives = "|".join(re.escape(v) for v in verbs)
        return rf"^{re.escape(cls.prefix)}:({alternatives})(:|$)"


class IssuePress(CallbackData, prefix="iss"):
    """A button on an issue (``iss:acc:12``): the verb, the issue and, for some verbs, one
    more number: the rating (rate), the unit (dep) or the deputy (asg)."""

    verb: str
    issue: int
    arg: int | None = None


class ReportPress(CallbackData, prefix="rep"):
    """A button of one draft report: cat (arg = category), skip, submit, cancel, me2 (arg =
    the issue supported), phone, nophone, resume, new."""

    verb: str
    draft: int
    arg: int = 0


class PromptPress(CallbackData, prefix="pr"):
    """send / edit / cancel / skip on what the bot waits for, at one version of it."""

    verb: str
    version: int


class StationPress(CallbackData, prefix="st"):
    """Choosing a station: ``st:dist:<station>`` lists the stations of that station's
    district (any station of a district stands for it), ``st:pick:<station>`` binds it."""

    verb: Literal["dist", "pick"]
    station: int


class MyPage(CallbackData, prefix="my"):
    """更多 under /my: ``my:page:<offset>``, offset = how many issues come before the page."""

    verb: Literal["page"] = "page"
    offset: int


class OverduePage(CallbackData, prefix="ovd"):
    """更多 under /overdue: ``ovd:page:<offset>``, offset = how many issues come before."""

    verb: Literal["page"] = "page"
    offset: int


class LangPress(CallbackData, prefix="lang"):
    """/lang: ``lang:zh`` or ``lang:en``, the language chosen."""

    lang: Lang


class ChannelPress(CallbackData, prefix="chan"):
    """/channel: ``chan:wecom``, the platform the person's notices go to."""

    channel: Channel


class BroadcastPress(CallbackData, prefix="bc"):
    """/broadcast and its notices; what `id` is depends on the verb:

    - ``bc:st:<station>`` / ``bc:dep:<station>``: the audience is that station's residents /
      its deputies;
    - ``bc:dist:<station>``: show the district of that station (admins);
      ``bc:dall:<station>``: the audience is that whole district;
    - ``bc:all``: every resident (no id);
    - ``bc:send:<broadcast>`` / ``bc:cancel:<broadcast>``: under the author's preview;
    - ``bc:mute:<station>`` / ``bc:unmute:<station>``: that station's notices for the
      presser, under a notice (0 under a notice that came from no one station);
    - ``bc:off:<station>`` / ``bc:on:<station>``: the same switch in /station.
    """

    shapes: ClassVar[Mapping[str, int]] = {
        "st": 1,
        "dep": 1,
        "dist": 1,
        "dall": 1,
        "all": 0,
        "send": 1,
        "cancel": 1,
        "mute": 1,
        "unmute": 1,
        "off": 1,
        "on": 1,
    }
    verb: Literal[
        "st", "dep", "dist", "dall", "all", "send", "cancel", "mute", "unmute", "off", "on"
    ]
    id: int | None = None


class StatsPeriod(CallbackData, prefix="stats"):
    """Under /stats: ``stats:p:<period>``, the period's index in `bot.services.stats.PERIODS`."""

    verb: Literal["p"] = "p"
    period: int


class ExportPress(CallbackData, prefix="exp"):
    """/export: ``exp:csv`` or ``exp:xlsx``, the file format."""

    fmt: Literal["csv", "xlsx"]


class InvitePress(CallbackData, prefix="inv"):
    """/invite, one step per press (admins only, every step):

    - ``inv:dist:<station>``: the stations of that station's district;
    - ``inv:st:<station>``: the roles at that station;
    - ``inv:role:<station>:<role>``: the people who may get it (role = index in
      `bot.services.invites.ROLES`);
    - ``inv:who:<station>:<role>:<person>``: the one-time link for that person.
    """

    shapes: ClassVar[Mapping[str, int]] = {"dist": 1, "st": 1, "role": 2, "who": 3}
    verb: Literal["dist", "st", "role", "who"]
    station: int
    role: int | None = None
    person: int | None = None


class PhoneAsk(CallbackData, prefix="phone"):
    """我是代表/工作人员 under /help: ``phone:ask`` asks for the person's contact."""

    verb: Literal["ask"] = "ask"


class IdentityPress(CallbackData, prefix="idn"):
    """Under "您当前登记为 A。确认改为 B 吗？", shown to an account bound to one seeded person
    that opened an invite for another:

    - ``idn:ok:<person>:<token>``: 确认: rebind the account to the invite's person, only
      while it is still bound to `person` (the one the question named) and the invite
      `token` (the secret of the link the presser opened) still holds;
    - ``idn:no``: 取消: nothing changes.
    """

    shapes: ClassVar[Mapping[str, int]] = {"ok": 2, "no": 0}
    verb: Literal["ok", "no"]
    person: int | None = None
    token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,40}$")] | None = None


class PatrolPress(CallbackData, prefix="pat"):
    """走街串巷 patrols; what `id` is depends on the verb:

    - ``pat:start:<patrol>``: staff start that patrol now;
    - ``pat:item:<run>:<item>``: on the deputy's checklist, choose an item (its index in the
      patrol's list); ``pat:ok:<run>:<item>`` / ``pat:bad:<run>:<item>`` mark it;
    - ``pat:done:<run>``: the checklist is finished.
    """

    shapes: ClassVar[Mapping[str, int]] = {"start": 1, "item": 2, "ok": 2, "bad": 2, "done": 1}
    verb: Literal["start", "item", "ok", "bad", "done"]
    id: int
    item: int | None = None


class ReceptionPress(CallbackData, prefix="rcp"):
    """接待日 reminders: ``rcp:on:<station>`` / ``rcp:off:<station>`` opts the resident in to
    or out of that station's."""

    verb: Literal["on", "off"]
    station: int


class UnitPress(CallbackData, prefix="un"):
    """承办单位 buttons; `id` is the issue, except for yes/no where it is the extension
    request: sign (签收), ret (退回: offer the reasons), rr (arg = the reason's index),
    ext (申请延期: offer new deadlines), ed (arg = extra working days), ans (答复),
    fwd (the deputy forwards the unit's answer as is), edit (the deputy edits it first),
    yes / no (staff approve or refuse an extension)."""

    verb: Literal["sign", "ret", "rr", "ext", "ed", "ans", "fwd", "edit", "yes", "no"]
    id: int
    arg: int | None = None
    shapes: ClassVar[Mapping[str, int]] = {
        "sign": 1,
        "ret": 1,
        "rr": 2,
        "ext": 1,
        "ed": 2,
        "ans": 1,
        "fwd": 1,
        "edit": 1,
        "yes": 1,
        "no": 1,
    }


class RevisitPress(CallbackData, prefix="rv"):
    """回访 after an answer. `code` is a resolution's or an answer's index (1 已解决 / 2 部分解决 /
    3 未解决; for chk 1 没有 / 2 又出现了), `cycle` the issue's reopen_count when the question
    was shown, `rating` 1 满意 / 2 基本满意 / 3 不满意:

    - the resident: ``rv:res:<issue>:<code>`` (问题解决了吗), ``rv:sat:<issue>:<code>:<cycle>:
      <rating>`` (then the rating), ``rv:chk:<issue>:<code>`` (问题有没有反复, 14 days on);
    - staff, for a phone 回访: ``rv:ph:<issue>`` (from the list: ask it), ``rv:pres:<issue>:
      <code>`` and ``rv:psat:<issue>:<code>:<cycle>:<rating>``.
    """

    shapes: ClassVar[Mapping[str, int]] = {
        "res": 2,
        "sat": 4,
        "chk": 2,
        "ph": 1,
        "pres": 2,
        "psat": 4,
    }
    verb: Literal["res", "sat", "chk", "ph", "pres", "psat"]
    issue: int
    code: int | None = None
    cycle: int | None = None
    rating: int | None = None


class SuggestionPress(CallbackData, prefix="sg"):
    """代表建议 buttons; `id` is the suggestion, `arg` depends on the verb:

    - anyone who may see it: ``view`` (the card), ``iss`` (its linked issues), ``docx``;
    - the lead deputy while drafting: ``part`` (arg: 0 标题 / 1 问题与理由 / 2 建议办法),
      ``inv`` (offer deputies), ``iv`` (arg: the person invited), ``sub`` (提交);
    - an invited deputy: ``join`` (联名);
    - the office (admins): ``acc`` (受理), ``ret`` (退回修改), ``lu`` / ``cu`` (arg: the
      department chosen as 主办 / toggled as 协办), ``go`` (交办), ``ey`` / ``en`` (the
      extension approved or not);
    - a unit's liaison: ``ans`` (offer the grades), ``gr`` (arg: the grade, 1 = A … 4 = D),
      ``op`` (协办意见), ``ext`` (ask for 6 months);
    - a signer: ``rate`` (arg: 1 满意 / 2 基本满意 / 3 不满意).
    """

    shapes: ClassVar[Mapping[str, int]] = {
        "view": 1,
        "iss": 1,
        "docx": 1,
        "part": 2,
        "inv": 1,
        "iv": 2,
        "sub": 1,
        "join": 1,
        "acc": 1,
        "ret": 1,
        "lu": 2,
        "cu": 2,
        "go": 1,
        "ey": 1,
        "en": 1,
        "ans": 1,
        "gr": 2,
        "op": 1,
        "ext": 1,
        "rate": 2,
    }
    verb: Literal[
        "view",
        "iss",
        "docx",
        "part",
        "inv",
        "iv",
        "sub",
        "join",
        "acc",
        "ret",
        "lu",
        "cu",
        "go",
        "ey",
        "en",
        "ans",
        "gr",
        "op",
        "ext",
        "rate",
    ]
    id: int
    arg: int | None = None


class HotspotPress(CallbackData, prefix="hs"):
    """/hotspots: ``hs:p:<period>`` lists another period (index in the service's periods);
    ``hs:view:<issue>:<period>`` / ``hs:draft:<issue>:<period>`` show, or draft a suggestion
    from, the hotspot that holds that issue now (hotspots are found anew each time)."""

    shapes: ClassVar[Mapping[str, int]] = {"p": 1, "view": 2, "draft": 2}
    verb: Literal["p", "view", "draft"]
    key: int
    period: int | None = None
