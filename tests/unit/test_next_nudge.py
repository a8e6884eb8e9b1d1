"""When the deadline sweep first looks at an issue: the 80% reminder of its current deadline."""

from __future__ import annotations

import pytest

from bot.models import State
from bot.scheduling import next_nudge

START = 1_000_000


def test_a_new_report_is_first_nudged_at_80_percent_of_the_accept_deadline() -> None:
    at = next_nudge(State.SUBMITTED, START, accept_due=START + 100, reply_due=START + 1000)
    assert at == START + 80


@pytest.mark.parametrize("state", [State.ACCEPTED, State.TRANSFERRED])
def test_in_progress_it_is_the_reply_deadline_from_when_it_started(state: State) -> None:
    at = next_nudge(state, START, accept_due=START + 100, reply_due=START + 1000)
    assert at == START + 800


@pytest.mark.parametrize("state", [State.REPLIED, State.CLOSED, State.REJECTED, State.WITHDRAWN])
def test_an_issue_that_waits_for_nobody_is_not_nudged(state: State) -> None:
    assert next_nudge(state, START, accept_due=START + 100, reply_due=START + 1000) is None


def test_a_deadline_already_past_is_looked_at_from_its_start() -> None:
    assert next_nudge(State.ACCEPTED, START, accept_due=START, reply_due=START - 50) == START
