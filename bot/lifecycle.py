"""The issue lifecycle as one pure table: who may do what, from which state.

No I/O here. `transition()` either returns the next state or raises a DomainError.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from bot.errors import NotAllowed, WrongState
from bot.models import Role as R
from bot.models import State


class Action(StrEnum):
    ACCEPT = "accept"  # 认领
    DECLINE = "decline"  # 退回 (the issue stays pending for the other deputies)
    ASSIGN = "assign"  # staff hand a pending issue to a deputy
    TRANSFER = "transfer"  # 转办 to a department
    REPLY = "reply"  # 答复
    REJECT = "reject"  # 不予受理
    WITHDRAW = "withdraw"  # 撤回 by the resident
    RATE_OK = "rate_ok"  # 满意 / 基本满意
    RATE_BAD = "rate_bad"  # 不满意: reopens
    AUTO_CLOSE = "auto_close"  # no rating in time: 未评价
    SUPERVISE = "supervise"  # 督办
    ASK = "ask"  # the deputy asks the resident a question
    FOLLOW_UP = "follow_up"  # the resident adds a message (or answers a question)


class Cell(NamedTuple):
    to: State
    who: frozenset[R]


S = State
_OPEN = (S.SUBMITTED, S.ACCEPTED, S.TRANSFERRED)
_WORKING = (S.ACCEPTED, S.TRANSFERRED)


def _cells() -> dict[tuple[State, Action], Cell]:
    table: dict[tuple[State, Action], Cell] = {
        (S.SUBMITTED, Action.ACCEPT): Cell(S.ACCEPTED, frozenset({R.DEPUTY})),
        (S.SUBMITTED, Action.DECLINE): Cell(S.SUBMITTED, frozenset({R.DEPUTY})),
        (S.SUBMITTED, Action.ASSIGN): Cell(S.ACCEPTED, frozenset({R.STAFF, R.ADMIN})),
        (S.SUBMITTED, Action.REJECT): Cell(S.REJECTED, frozenset({R.DEPUTY, R.STAFF, R.ADMIN})),
        (S.ACCEPTED, Action.TRANSFER): Cell(S.TRANSFERRED, frozenset({R.OWNER})),
        (S.TRANSFERRED, Action.TRANSFER): Cell(S.TRANSFERRED, frozenset({R.OWNER})),
        (S.REPLIED, Action.RATE_OK): Cell(S.CLOSED, frozenset({R.RESIDENT})),
        (S.REPLIED, Action.RATE_BAD): Cell(S.ACCEPTED, frozenset({R.RESIDENT})),
        (S.REPLIED, Action.AUTO_CLOSE): Cell(S.CLOSED, frozenset({R.SYSTEM})),
    }
    for state in _WORKING:
        table[(state, Action.REPLY)] = Cell(S.REPLIED, frozenset({R.OWNER}))
        table[(state, Action.REJECT)] = Cell(S.REJECTED, frozenset({R.OWNER, R.STAFF, R.ADMIN}))
        table[(state, Action.ASK)] = Cell(state, frozenset({R.OWNER}))
    for state in _OPEN:
        table[(state, Action.WITHDRAW)] = Cell(S.WITHDRAWN, frozenset({R.RESIDENT}))
        table[(state, Action.SUPERVISE)] = Cell(state, frozenset({R.STAFF, R.ADMIN}))
        table[(state, Action.FOLLOW_UP)] = Cell(state, frozenset({R.RESIDENT}))
    return table


TABLE: dict[tuple[State, Action], Cell] = _cells()


def allowed_states(action: Action) -> list[State]:
    return [state for (state, act) in TABLE if act is action]


def transition(state: State, action: Action, roles: Iterable[R]) -> State:
    """The state after `action` by someone holding `roles`, or raise WrongState / NotAllowed."""
    cell = TABLE.get((state, action))
    if cell is None:
        raise WrongState(f"cannot {action} an issue that is {state}", action=action, state=state)
    if not cell.who.intersection(roles):
        raise NotAllowed(f"{action} is not allowed for {sorted(roles)}", action=action)
    return cell.to


def can(state: State, action: Action, roles: Iterable[R]) -> bool:
    cell = TABLE.get((state, action))
    return cell is not None and bool(cell.who.intersection(roles))
