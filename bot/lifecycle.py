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
    REASSIGN = "reassign"  # 改派: staff give any open issue to a (new) deputy, with a reason
    RELEASE = "release"  # its deputy left the station: back to the station, told to staff
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
    UNIT_SIGN = "unit_sign"  # 签收: the department's liaison takes the transferred issue
    UNIT_RETURN = "unit_return"  # 退回: the department hands it back to the deputy
    UNIT_EXTEND = "unit_extend"  # 申请延期: the department asks for more time
    UNIT_ANSWER = "unit_answer"  # the department's answer (it goes to the deputy)
    DECIDE_EXTENSION = "decide_extension"  # staff approve or refuse a 申请延期
    # 回访 and 重办 (re-handling is `accepted` again with reopen_count + 1)
    REVISIT = "revisit"  # 问题解决了吗: 已解决 / 部分解决 (then the rating)
    UNRESOLVED = "unresolved"  # 未解决: 重办 at once
    RATE_AFTER = "rate_after"  # the rating that follows a 未解决 (the issue is open again)
    PHONE = "phone"  # staff record a phone 回访 of an issue closed unrated
    PHONE_REOPEN = "phone_reopen"  # 未解决 / 不满意 by phone: 重办
    PHONE_AFTER = "phone_after"  # the phone rating that follows a phone 未解决
    RECHECK = "recheck"  # 14 days after 已解决, 问题有没有反复: 没有
    RECURRED = "recurred"  # 又出现了: 重办


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
        (S.SUBMITTED, Action.REASSIGN): Cell(S.ACCEPTED, frozenset({R.STAFF, R.ADMIN})),
        (S.SUBMITTED, Action.REJECT): Cell(S.REJECTED, frozenset({R.DEPUTY, R.STAFF, R.ADMIN})),
        (S.ACCEPTED, Action.TRANSFER): Cell(S.TRANSFERRED, frozenset({R.OWNER})),
        (S.TRANSFERRED, Action.TRANSFER): Cell(S.TRANSFERRED, frozenset({R.OWNER})),
        (S.TRANSFERRED, Action.UNIT_SIGN): Cell(S.TRANSFERRED, frozenset({R.LIAISON})),
        (S.TRANSFERRED, Action.UNIT_RETURN): Cell(S.ACCEPTED, frozenset({R.LIAISON})),
        (S.TRANSFERRED, Action.UNIT_EXTEND): Cell(S.TRANSFERRED, frozenset({R.LIAISON})),
        (S.TRANSFERRED, Action.UNIT_ANSWER): Cell(S.TRANSFERRED, frozenset({R.LIAISON})),
        (S.TRANSFERRED, Action.DECIDE_EXTENSION): Cell(
            S.TRANSFERRED, frozenset({R.STAFF, R.ADMIN})
        ),
        (S.REPLIED, Action.RATE_OK): Cell(S.CLOSED, frozenset({R.RESIDENT})),
        (S.REPLIED, Action.RATE_BAD): Cell(S.ACCEPTED, frozenset({R.RESIDENT})),
        (S.REPLIED, Action.AUTO_CLOSE): Cell(S.CLOSED, frozenset({R.SYSTEM})),
        (S.REPLIED, Action.REVISIT): Cell(S.REPLIED, frozenset({R.RESIDENT})),
        (S.REPLIED, Action.UNRESOLVED): Cell(S.ACCEPTED, frozenset({R.RESIDENT})),
        (S.CLOSED, Action.PHONE): Cell(S.CLOSED, frozenset({R.STAFF, R.ADMIN})),
        (S.CLOSED, Action.PHONE_REOPEN): Cell(S.ACCEPTED, frozenset({R.STAFF, R.ADMIN})),
        (S.CLOSED, Action.RECHECK): Cell(S.CLOSED, frozenset({R.RESIDENT})),
        (S.CLOSED, Action.RECURRED): Cell(S.ACCEPTED, frozenset({R.RESIDENT})),
    }
    for state in _WORKING:  # a 未解决 reopened it a moment ago: the rating is still taken
        table[(state, Action.RATE_AFTER)] = Cell(state, frozenset({R.RESIDENT}))
        table[(state, Action.PHONE_AFTER)] = Cell(state, frozenset({R.STAFF, R.ADMIN}))
    table[(S.ACCEPTED, Action.RELEASE)] = Cell(S.SUBMITTED, frozenset({R.SYSTEM}))
    table[(S.TRANSFERRED, Action.RELEASE)] = Cell(S.TRANSFERRED, frozenset({R.SYSTEM}))
    for state in _WORKING:
        table[(state, Action.REASSIGN)] = Cell(state, frozenset({R.STAFF, R.ADMIN}))
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
