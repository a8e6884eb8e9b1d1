"""Every cell of the lifecycle table: each (state, action, role) is allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from bot.errors import NotAllowed, WrongState
from bot.lifecycle import TABLE, Action, can, transition
from bot.models import Role, State

S, A, R = State, Action, Role

# The contract, written out by hand: (state, action) → (next state, who may).
EXPECTED: dict[tuple[State, Action], tuple[State, set[Role]]] = {
    (S.SUBMITTED, A.ACCEPT): (S.ACCEPTED, {R.DEPUTY}),
    (S.SUBMITTED, A.DECLINE): (S.SUBMITTED, {R.DEPUTY}),
    (S.SUBMITTED, A.ASSIGN): (S.ACCEPTED, {R.STAFF, R.ADMIN}),
    (S.SUBMITTED, A.REASSIGN): (S.ACCEPTED, {R.STAFF, R.ADMIN}),
    (S.ACCEPTED, A.REASSIGN): (S.ACCEPTED, {R.STAFF, R.ADMIN}),
    (S.TRANSFERRED, A.REASSIGN): (S.TRANSFERRED, {R.STAFF, R.ADMIN}),
    (S.ACCEPTED, A.RELEASE): (S.SUBMITTED, {R.SYSTEM}),
    (S.TRANSFERRED, A.RELEASE): (S.TRANSFERRED, {R.SYSTEM}),
    (S.SUBMITTED, A.REJECT): (S.REJECTED, {R.DEPUTY, R.STAFF, R.ADMIN}),
    (S.SUBMITTED, A.WITHDRAW): (S.WITHDRAWN, {R.RESIDENT}),
    (S.SUBMITTED, A.SUPERVISE): (S.SUBMITTED, {R.STAFF, R.ADMIN}),
    (S.SUBMITTED, A.FOLLOW_UP): (S.SUBMITTED, {R.RESIDENT}),
    (S.ACCEPTED, A.TRANSFER): (S.TRANSFERRED, {R.OWNER}),
    (S.ACCEPTED, A.REPLY): (S.REPLIED, {R.OWNER}),
    (S.ACCEPTED, A.REJECT): (S.REJECTED, {R.OWNER, R.STAFF, R.ADMIN}),
    (S.ACCEPTED, A.ASK): (S.ACCEPTED, {R.OWNER}),
    (S.ACCEPTED, A.WITHDRAW): (S.WITHDRAWN, {R.RESIDENT}),
    (S.ACCEPTED, A.SUPERVISE): (S.ACCEPTED, {R.STAFF, R.ADMIN}),
    (S.ACCEPTED, A.FOLLOW_UP): (S.ACCEPTED, {R.RESIDENT}),
    (S.TRANSFERRED, A.TRANSFER): (S.TRANSFERRED, {R.OWNER}),
    (S.TRANSFERRED, A.REPLY): (S.REPLIED, {R.OWNER}),
    (S.TRANSFERRED, A.REJECT): (S.REJECTED, {R.OWNER, R.STAFF, R.ADMIN}),
    (S.TRANSFERRED, A.ASK): (S.TRANSFERRED, {R.OWNER}),
    (S.TRANSFERRED, A.WITHDRAW): (S.WITHDRAWN, {R.RESIDENT}),
    (S.TRANSFERRED, A.SUPERVISE): (S.TRANSFERRED, {R.STAFF, R.ADMIN}),
    (S.TRANSFERRED, A.FOLLOW_UP): (S.TRANSFERRED, {R.RESIDENT}),
    # a department's liaison on an issue transferred to their unit; staff decide extensions
    (S.TRANSFERRED, A.UNIT_SIGN): (S.TRANSFERRED, {R.LIAISON}),
    (S.TRANSFERRED, A.UNIT_RETURN): (S.ACCEPTED, {R.LIAISON}),
    (S.TRANSFERRED, A.UNIT_EXTEND): (S.TRANSFERRED, {R.LIAISON}),
    (S.TRANSFERRED, A.UNIT_ANSWER): (S.TRANSFERRED, {R.LIAISON}),
    (S.TRANSFERRED, A.DECIDE_EXTENSION): (S.TRANSFERRED, {R.STAFF, R.ADMIN}),
    (S.REPLIED, A.RATE_OK): (S.CLOSED, {R.RESIDENT}),
    (S.REPLIED, A.RATE_BAD): (S.ACCEPTED, {R.RESIDENT}),
    (S.REPLIED, A.AUTO_CLOSE): (S.CLOSED, {R.SYSTEM}),
    # 回访 and 重办
    (S.REPLIED, A.REVISIT): (S.REPLIED, {R.RESIDENT}),
    (S.REPLIED, A.UNRESOLVED): (S.ACCEPTED, {R.RESIDENT}),
    (S.ACCEPTED, A.RATE_AFTER): (S.ACCEPTED, {R.RESIDENT}),
    (S.TRANSFERRED, A.RATE_AFTER): (S.TRANSFERRED, {R.RESIDENT}),
    (S.CLOSED, A.PHONE): (S.CLOSED, {R.STAFF, R.ADMIN}),
    (S.CLOSED, A.PHONE_REOPEN): (S.ACCEPTED, {R.STAFF, R.ADMIN}),
    (S.ACCEPTED, A.PHONE_AFTER): (S.ACCEPTED, {R.STAFF, R.ADMIN}),
    (S.TRANSFERRED, A.PHONE_AFTER): (S.TRANSFERRED, {R.STAFF, R.ADMIN}),
    (S.CLOSED, A.RECHECK): (S.CLOSED, {R.RESIDENT}),
    (S.CLOSED, A.RECURRED): (S.ACCEPTED, {R.RESIDENT}),
}
# what a closed issue still allows: a phone 回访 of an unrated answer, the 14-day re-check
REVISITS = {A.PHONE, A.PHONE_REOPEN, A.RECHECK, A.RECURRED}

CELLS = list(itertools.product(State, Action, Role))


def test_table_is_exactly_the_contract() -> None:
    assert {k: (v.to, set(v.who)) for k, v in TABLE.items()} == EXPECTED


@pytest.mark.parametrize(("state", "action", "role"), CELLS, ids=lambda x: str(x))
def test_every_cell(state: State, action: Action, role: Role) -> None:
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(WrongState):
            transition(state, action, {role})
        assert not can(state, action, {role})
    elif role in expected[1]:
        assert transition(state, action, {role}) is expected[0]
        assert can(state, action, {role})
    else:
        with pytest.raises(NotAllowed):
            transition(state, action, {role})
        assert not can(state, action, {role})


@pytest.mark.parametrize("state", [S.CLOSED, S.REJECTED, S.WITHDRAWN])
def test_final_states_allow_nothing(state: State) -> None:
    for action in Action:
        if state is S.CLOSED and action in REVISITS:
            continue
        with pytest.raises(WrongState):
            transition(state, action, set(Role))


def test_an_owner_is_also_a_deputy_and_either_role_counts() -> None:
    assert transition(S.ACCEPTED, A.REPLY, {R.DEPUTY, R.OWNER}) is S.REPLIED
    with pytest.raises(NotAllowed):
        transition(S.ACCEPTED, A.REPLY, {R.DEPUTY})
    with pytest.raises(NotAllowed):
        transition(S.SUBMITTED, A.ACCEPT, set())
