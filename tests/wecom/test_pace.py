"""The per-member pace keeps WeCom from dropping messages (30 a minute, 1,000 an hour)."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.ports import RetryLater
from wecom.messenger import PER_HOUR, PER_MINUTE, Pace


def test_a_member_gets_at_most_the_minute_limit_then_waits() -> None:
    clock = ManualClock(1_000_000.0)
    pace = Pace(clock.now)
    for _ in range(PER_MINUTE):
        pace.take("wang")
    with pytest.raises(RetryLater) as refused:
        pace.take("wang")
    assert 1 <= refused.value.seconds <= 60
    assert not refused.value.flood  # one member's pace never pauses everybody's delivery
    pace.take("li")  # other members are not held
    clock.advance(60)
    pace.take("wang")


def test_the_hour_limit_holds_across_minutes() -> None:
    clock = ManualClock(1_000_000.0)
    pace = Pace(clock.now)
    sent = 0
    while sent < PER_HOUR:  # as fast as the minute limit allows
        try:
            pace.take("wang")
            sent += 1
        except RetryLater as exc:
            clock.advance(exc.seconds)
    clock.advance(61)  # the minute is free again, the hour is not
    with pytest.raises(RetryLater) as refused:
        pace.take("wang")
    assert refused.value.seconds > 60
    clock.advance(refused.value.seconds)
    pace.take("wang")


def test_a_message_in_several_parts_counts_each_part() -> None:
    clock = ManualClock(1_000_000.0)
    pace = Pace(clock.now)
    pace.take("wang", PER_MINUTE - 2)
    with pytest.raises(RetryLater):
        pace.take("wang", 3)
    pace.take("wang", 2)
