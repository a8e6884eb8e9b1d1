"""Typed callback data: one class packs and unpacks each button kind; anything else is None."""

from __future__ import annotations

import re

import pytest

from bot.callbacks import (
    BroadcastPress,
    CallbackData,
    ExportPress,
    InvitePress,
    IssuePress,
    LangPress,
    MyPage,
    OverduePage,
    PatrolPress,
    PhoneAsk,
    PromptPress,
    ReceptionPress,
    ReportPress,
    RevisitPress,
    StationPress,
    StatsPeriod,
)
from bot.models import Lang


def test_a_press_packs_and_unpacks_to_the_same_value() -> None:
    for press in (
        IssuePress(verb="acc", issue=12),
        IssuePress(verb="rate", issue=12, arg=3),
        ReportPress(verb="me2", draft=7, arg=41),
        PromptPress(verb="send", version=5),
    ):
        assert type(press).unpack(press.pack()) == press


def test_optional_trailing_fields_are_left_out() -> None:
    assert IssuePress(verb="acc", issue=12).pack() == "iss:acc:12"
    assert IssuePress(verb="asg", issue=12, arg=5).pack() == "iss:asg:12:5"
    assert ReportPress(verb="submit", draft=7).pack() == "rep:submit:7:0"


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "rep:submit:7:0",  # another kind
        "iss:acc",  # the issue is missing
        "iss:acc:12:1:2",  # one field too many
        "iss:acc:twelve",
        "iss:acc:-3",
        f"iss:acc:{2**60}",
        "iss:acc:" + "1" * 70,  # longer than Telegram's 64 bytes
    ],
)
def test_anything_else_unpacks_to_none(data: str | None) -> None:
    assert IssuePress.unpack(data) is None


def test_the_routing_pattern_matches_one_verb() -> None:
    pattern = re.compile(IssuePress.pattern("acc"))
    assert pattern.match(IssuePress(verb="acc", issue=3).pack())
    assert not pattern.match(IssuePress(verb="ask", issue=3).pack())
    assert re.match(PromptPress.pattern(), "pr:send:4")


# -- every other button kind: the same strings on the wire as before they were typed ----------
WIRE: list[tuple[CallbackData, str]] = [
    (StationPress(verb="dist", station=0), "st:dist:0"),
    (StationPress(verb="pick", station=3), "st:pick:3"),
    (MyPage(offset=10), "my:page:10"),
    (OverduePage(offset=20), "ovd:page:20"),
    (LangPress(lang=Lang.ZH), "lang:zh"),
    (LangPress(lang=Lang.EN), "lang:en"),
    (BroadcastPress(verb="st", id=3), "bc:st:3"),
    (BroadcastPress(verb="dep", id=3), "bc:dep:3"),
    (BroadcastPress(verb="dist", id=4), "bc:dist:4"),
    (BroadcastPress(verb="dall", id=4), "bc:dall:4"),
    (BroadcastPress(verb="all"), "bc:all"),
    (BroadcastPress(verb="send", id=9), "bc:send:9"),
    (BroadcastPress(verb="cancel", id=9), "bc:cancel:9"),
    (BroadcastPress(verb="mute", id=0), "bc:mute:0"),
    (BroadcastPress(verb="unmute", id=3), "bc:unmute:3"),
    (StatsPeriod(period=2), "stats:p:2"),
    (ExportPress(fmt="csv"), "exp:csv"),
    (ExportPress(fmt="xlsx"), "exp:xlsx"),
    (InvitePress(verb="dist", station=4), "inv:dist:4"),
    (InvitePress(verb="st", station=5), "inv:st:5"),
    (InvitePress(verb="role", station=5, role=0), "inv:role:5:0"),
    (InvitePress(verb="who", station=5, role=1, person=12), "inv:who:5:1:12"),
    (PhoneAsk(), "phone:ask"),
    (PatrolPress(verb="start", id=2), "pat:start:2"),
    (PatrolPress(verb="item", id=4, item=2), "pat:item:4:2"),
    (PatrolPress(verb="ok", id=4, item=0), "pat:ok:4:0"),
    (PatrolPress(verb="bad", id=4, item=1), "pat:bad:4:1"),
    (PatrolPress(verb="done", id=4), "pat:done:4"),
    (ReceptionPress(verb="on", station=7), "rcp:on:7"),
    (ReceptionPress(verb="off", station=7), "rcp:off:7"),
    (RevisitPress(verb="res", issue=12, code=3), "rv:res:12:3"),
    (RevisitPress(verb="sat", issue=12, code=1, cycle=0, rating=2), "rv:sat:12:1:0:2"),
    (RevisitPress(verb="chk", issue=12, code=2), "rv:chk:12:2"),
    (RevisitPress(verb="ph", issue=12), "rv:ph:12"),
    (RevisitPress(verb="pres", issue=12, code=1), "rv:pres:12:1"),
    (RevisitPress(verb="psat", issue=12, code=3, cycle=1, rating=3), "rv:psat:12:3:1:3"),
]


@pytest.mark.parametrize(("press", "data"), WIRE, ids=[data for _, data in WIRE])
def test_each_kind_packs_to_its_wire_form_and_back(press: CallbackData, data: str) -> None:
    assert press.pack() == data
    assert type(press).unpack(data) == press
    assert re.match(type(press).pattern(), data)
    verb = data.split(":")[1]
    assert re.match(type(press).pattern(verb), data)
    # no other kind reads it
    kinds = {type(p) for p, _ in WIRE} | {IssuePress, ReportPress, PromptPress}
    assert [k for k in kinds if k.unpack(data) is not None] == [type(press)]


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (StationPress, "st:pick"),  # the station is missing
        (StationPress, "st:pick:x"),
        (StationPress, "st:pick:-1"),
        (StationPress, "st:pick:03"),  # one spelling per number
        (StationPress, "st:pick: 3"),
        (StationPress, "st:pick:+3"),
        (StationPress, "st:pick:1_0"),
        (StationPress, "st:pick:3.0"),
        (StationPress, f"st:pick:{2**60}"),
        (StationPress, "st:pick:3:4"),
        (StationPress, "st:take:3"),
        (StationPress, "st:pick:" + "1" * 70),
        (MyPage, "my:page"),
        (MyPage, "my:10"),
        (MyPage, "my:next:10"),
        (OverduePage, "ovd:page:ten"),
        (OverduePage, "my:page:10"),  # another kind
        (LangPress, "lang:fr"),
        (LangPress, "lang:ZH"),
        (LangPress, "lang"),
        (LangPress, "lang:"),
        (LangPress, "lang:zh:1"),
        (BroadcastPress, "bc:all:3"),  # all names no station
        (BroadcastPress, "bc:st"),  # the others name one
        (BroadcastPress, "bc:send"),
        (BroadcastPress, "bc:mute:1:2"),
        (BroadcastPress, "bc:everyone"),
        (StatsPeriod, "stats:p"),
        (StatsPeriod, "stats:q:1"),
        (ExportPress, "exp:pdf"),
        (ExportPress, "exp:csv:1"),
        (ExportPress, "exp:"),
        (InvitePress, "inv:st"),
        (InvitePress, "inv:st:5:1"),
        (InvitePress, "inv:role:5"),
        (InvitePress, "inv:who:5:1"),
        (InvitePress, "inv:who:5:1:2:3"),
        (PhoneAsk, "phone"),
        (PhoneAsk, "phone:tell"),
        (PhoneAsk, "phone:ask:1"),
        (PatrolPress, "pat:start"),
        (PatrolPress, "pat:start:2:1"),
        (PatrolPress, "pat:item:4"),
        (PatrolPress, "pat:ok:4"),
        (PatrolPress, "pat:done:4:1"),
        (PatrolPress, "pat:skip:4:1"),
        (ReceptionPress, "rcp:on"),
        (ReceptionPress, "rcp:maybe:7"),
        (ReceptionPress, "rcp:off:7:1"),
        (RevisitPress, "rv:res:12"),  # the answer is missing
        (RevisitPress, "rv:sat:12:1:0"),  # so is the rating
        (RevisitPress, "rv:ph:12:1"),
        (RevisitPress, "rv:chk:12:2:1"),
        (RevisitPress, "rv:rate:12:1"),
    ],
)
def test_malformed_presses_unpack_to_none(kind: type[CallbackData], data: str) -> None:
    assert kind.unpack(data) is None


def test_a_press_of_the_wrong_shape_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="values expected"):
        BroadcastPress(verb="st")
    with pytest.raises(ValueError, match="values expected"):
        BroadcastPress(verb="all", id=3)
    with pytest.raises(ValueError, match="values expected"):
        InvitePress(verb="who", station=5, role=1)
    with pytest.raises(ValueError, match="values expected"):
        PatrolPress(verb="done", id=4, item=1)


def test_the_routing_pattern_takes_several_verbs() -> None:
    audience = re.compile(BroadcastPress.pattern("st", "dep", "dall", "all"))
    assert audience.pattern == "^bc:(st|dep|dall|all)(:|$)"
    assert audience.match("bc:all")
    assert audience.match("bc:st:3")
    assert not audience.match("bc:send:3")
    assert not audience.match("bc:stop:3")  # a verb is matched whole
    assert not audience.match("bc:allx")
    assert re.match(LangPress.pattern(), "lang:zh")
    assert re.match(PhoneAsk.pattern("ask"), "phone:ask")
    assert not re.match(PhoneAsk.pattern("ask"), "phone:asked")
