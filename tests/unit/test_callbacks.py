"""Typed callback data: one class packs and unpacks each button kind; anything else is None."""

from __future__ import annotations

import re

import pytest

from bot.callbacks import IssuePress, PromptPress, ReportPress


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
