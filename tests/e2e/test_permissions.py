"""The guarantee "nobody acts outside their role", as a table: every command and every button kind,
pressed by every kind of person. Only the allowed cells change anything; every failure
names its cell (role × action)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
from telegram.ext import CommandHandler, ConversationHandler

from fakebot import BotMessage, FakeUser
from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, open_bot, send_official
from tests.e2e.worlds import running_world

ROLES = (
    "reporter",
    "other_resident",
    "deputy_here",
    "deputy_there",
    "staff_here",
    "staff_there",
    "admin",
    "unknown",
)
IDS = {
    "reporter": 1,
    "other_resident": 66,
    "deputy_here": 501,
    "deputy_there": 503,
    "staff_here": 601,
    "staff_there": 602,
    "admin": 901,
}
EVERYONE = frozenset(ROLES)
MANAGERS = frozenset({"staff_here", "staff_there", "admin"})
REFUSED = ("没有使用这个命令的权限", "只供")  # not_allowed.command, overdue/patrol.not_allowed

# Who may use each command (the product's command table). Everybody is a resident too (/report, /my, /station).
COMMANDS: dict[str, frozenset[str]] = {
    "start": EVERYONE,
    "help": EVERYONE,
    "lang": EVERYONE,
    "cancel": EVERYONE,
    "report": EVERYONE,
    "my": EVERYONE,
    "station": EVERYONE,
    "reception": EVERYONE,
    "tasks": frozenset({"deputy_here", "deputy_there"}),
    "overdue": MANAGERS,
    "broadcast": MANAGERS,
    "stats": MANAGERS,
    "export": MANAGERS,
    "patrol": frozenset({"staff_here", "staff_there"}),
    "invite": frozenset({"admin"}),
}

TABLES = (
    "issues",
    "events",
    "pending WHERE kind <> 'idle'",
    "issue_declines",
    "issue_supporters",
    "outbox WHERE op = 'send'",
)


@dataclass
class Matrix:
    world: World
    people: dict[str, FakeUser]
    unknown_ids: count[int]

    def who(self, role: str) -> FakeUser:
        if role == "unknown":
            return self.world.user(next(self.unknown_ids), "陌生人")
        return self.people[role]

    async def snapshot(self) -> list[list[tuple[object, ...]]]:
        await self.world.api.wait_idle(quiet=0.05, timeout=10)
        return [await self.world.rows(f"SELECT * FROM {table}") for table in TABLES]

    async def issue(self, state: str) -> int:
        """A fresh issue of the reporter at station north, in `state`."""
        reporter, deputy = self.people["reporter"], self.people["deputy_here"]
        number = await file_issue(
            reporter, f"楼道灯坏了，状态 {state}，编号 {next(self.unknown_ids)}"
        )
        await self.world.api.wait_idle(quiet=0.05, timeout=10)
        if state == "submitted":
            return number
        await deputy.tap_data(f"iss:acc:{number}", deputy.messages[-1])
        if state == "accepted":
            await self.world.api.wait_idle(quiet=0.05, timeout=10)
            return number
        await deputy.tap_data(f"iss:rep:{number}", deputy.messages[-1])
        await deputy.wait_for("请输入给群众的答复")
        await send_official(deputy, "已经修好了")
        await reporter.wait_for("的答复")
        await self.world.api.wait_idle(quiet=0.05, timeout=10)
        return number


@pytest.fixture
async def matrix(tmp_path: Path) -> AsyncIterator[Matrix]:
    async with running_world(
        tmp_path, LIAISON_MAX_REPORTS_PER_DAY="1000", LIAISON_ADMIN_IDS="901"
    ) as world:
        people = {role: world.user(uid, role) for role, uid in IDS.items()}
        await open_bot(*(people[r] for r in ROLES if r in IDS and "resident" not in r))
        await bind(people["reporter"], "north")
        await bind(people["other_resident"], "north")
        yield Matrix(world, people, count(70000))


def registered_commands(world: World) -> set[str]:
    app = world.bot.app
    assert app is not None
    found: set[str] = set()
    for group in app.handlers.values():
        for handler in group:
            inner = handler.entry_points if isinstance(handler, ConversationHandler) else [handler]
            for each in inner:
                if isinstance(each, CommandHandler):
                    found |= set(each.commands)
    return found


async def test_every_command_for_every_role(matrix: Matrix) -> None:
    world = matrix.world
    commands = {c: roles for c, roles in COMMANDS.items() if c in registered_commands(world)}
    assert {"start", "help", "report", "my", "tasks"} <= set(commands)
    number = await matrix.issue("submitted")
    wrong: list[str] = []
    for command, allowed in commands.items():
        for role in ROLES:
            user = matrix.who(role)
            before = await matrix.snapshot()
            seen = len(user.messages)
            await user.send(f"/{command}")
            await world.api.wait_idle(quiet=0.05, timeout=10)
            replies = [m.text for m in user.messages[seen:]]
            refused = any(marker in text for text in replies for marker in REFUSED)
            if role in allowed and refused:
                wrong.append(f"{role} × /{command}: refused but allowed by the command table")
            if role not in allowed and not refused:
                wrong.append(f"{role} × /{command}: not refused; got {replies[-1:]}")
            after = await matrix.snapshot()
            if before[:2] != after[:2]:
                wrong.append(f"{role} × /{command}: changed issues/events")
            await user.send("/cancel")
    assert await world.rows("SELECT state FROM issues WHERE id = ?", number) == [("submitted",)]
    assert not wrong, "\n".join(wrong)
    assert world.api.violations == []


# button kind → (state the issue must be in, roles allowed, callback data for issue n)
BUTTONS: dict[str, tuple[str, frozenset[str], Callable[[int, int], str]]] = {
    "iss:acc": ("submitted", frozenset({"deputy_here"}), lambda n, d: f"iss:acc:{n}"),
    "iss:dec": ("submitted", frozenset({"deputy_here"}), lambda n, d: f"iss:dec:{n}"),
    "iss:rej": (
        "submitted",
        frozenset({"deputy_here", "staff_here", "admin"}),
        lambda n, d: f"iss:rej:{n}",
    ),
    "iss:asg": ("submitted", frozenset({"staff_here", "admin"}), lambda n, d: f"iss:asg:{n}:{d}"),
    "iss:sup": ("submitted", frozenset({"staff_here", "admin"}), lambda n, d: f"iss:sup:{n}"),
    "iss:wd": ("submitted", frozenset({"reporter"}), lambda n, d: f"iss:wd:{n}"),
    "iss:fu": ("submitted", frozenset({"reporter"}), lambda n, d: f"iss:fu:{n}"),
    "iss:rea": ("accepted", frozenset({"staff_here", "admin"}), lambda n, d: f"iss:rea:{n}:{d}"),
    "iss:unsup": ("submitted", frozenset(), lambda n, d: f"iss:unsup:{n}"),
    "iss:rep": ("accepted", frozenset({"deputy_here"}), lambda n, d: f"iss:rep:{n}"),
    "iss:tra": ("accepted", frozenset({"deputy_here"}), lambda n, d: f"iss:tra:{n}"),
    "iss:dep": ("accepted", frozenset({"deputy_here"}), lambda n, d: f"iss:dep:{n}:1"),
    "iss:ask": ("accepted", frozenset({"deputy_here"}), lambda n, d: f"iss:ask:{n}"),
    "iss:ans": ("accepted", frozenset({"reporter"}), lambda n, d: f"iss:ans:{n}"),
    "iss:rate": ("replied", frozenset({"reporter"}), lambda n, d: f"iss:rate:{n}:1"),
    "rv:res": ("replied", frozenset({"reporter"}), lambda n, d: f"rv:res:{n}:3"),
    "rv:sat": ("replied", frozenset({"reporter"}), lambda n, d: f"rv:sat:{n}:2:0:1"),
    "iss:view": (
        "submitted",
        frozenset({"reporter", "deputy_here", "staff_here", "admin"}),
        lambda n, d: f"iss:view:{n}",
    ),
}
# the view and the transfer menu only show something; everything else changes the DB
SHOW_ONLY = {"iss:view", "iss:tra"}


async def own_message(user: FakeUser) -> BotMessage:
    """The newest message in the user's own chat; a user who never wrote has none, so the
    press comes from a message Telegram no longer shows (an InaccessibleMessage)."""
    if not user.messages:
        return BotMessage(message_id=1, chat_id=user.id)
    return user.messages[-1]


@pytest.mark.parametrize("kind", list(BUTTONS))
async def test_every_issue_button_for_every_role(matrix: Matrix, kind: str) -> None:
    world = matrix.world
    state, allowed, data = BUTTONS[kind]
    deputy_id = (await world.rows("SELECT id FROM people WHERE telegram_id = 502"))[0][0]
    assert isinstance(deputy_id, int)
    wrong: list[str] = []
    number = await matrix.issue(state)
    for role in ROLES:
        if role in allowed:
            continue
        user = matrix.who(role)
        before = await matrix.snapshot()
        alert = await user.tap_data(data(number, deputy_id), await own_message(user))
        after = await matrix.snapshot()
        if alert is None:
            wrong.append(f"{role} × {kind}: no refusal pop-up")
        if before != after:
            wrong.append(f"{role} × {kind}: changed the database")
    for role in sorted(allowed):
        number = await matrix.issue(state)
        user = matrix.who(role)
        # first the press on somebody else's message: refused, nothing changes
        other = matrix.people["other_resident" if role == "reporter" else "reporter"]
        before = await matrix.snapshot()
        alert = await user.tap_data(data(number, deputy_id), await own_message(other))
        if alert is None or "失效" not in alert:
            wrong.append(f"{role} × {kind} on another user's message: not refused ({alert})")
        if before != await matrix.snapshot():
            wrong.append(f"{role} × {kind} on another user's message: changed the database")
        # then the same press on their own message: it does what it should
        before = await matrix.snapshot()
        alert = await user.tap_data(data(number, deputy_id), await own_message(user))
        await matrix.world.settle()
        after = await matrix.snapshot()
        if alert is not None and ("无权" in alert or "失效" in alert):
            wrong.append(f"{role} × {kind}: refused ({alert}) but allowed")
        if kind not in SHOW_ONLY and before == after:
            wrong.append(f"{role} × {kind}: allowed but changed nothing")
        await user.send("/cancel")
    assert not wrong, "\n".join(wrong)
    assert world.api.violations == []


# presses that act on the presser's own things only: never on anybody's issue
OWN_BUTTONS = (
    "rep:submit:1:0",
    "rep:cancel:1:0",
    "rep:skip:1:0",
    "rep:cat:1:1",
    "rep:me2:1:{n}",
    "rep:resume:1:0",
    "pr:send:1",
    "pr:cancel:1",
    "st:dist:0",
    "st:pick:1",
    "my:page:10",
    "pr:skip:1",
    "lang:en",
    "lang:zh",
    # 确认 / 取消 of "您当前登记为 A。确认改为 B 吗？" (person 1, a token nobody was given)
    "idn:ok:1:" + "A" * 32,
    "idn:no",
)


async def test_own_buttons_never_touch_someone_elses_issue(matrix: Matrix) -> None:
    world = matrix.world
    number = await matrix.issue("submitted")
    wrong: list[str] = []
    for template in OWN_BUTTONS:
        data = template.format(n=number)
        for role in ROLES:
            user = matrix.who(role)
            before = await matrix.snapshot()
            await user.tap_data(data, await own_message(user))
            after = await matrix.snapshot()
            # a button names the draft it acts on: nobody's press touches the reporter's
            if before[:2] != after[:2]:
                wrong.append(f"{role} × {data}: changed issues/events")
            # on somebody else's message: refused, nothing changes at all
            other = matrix.people["other_resident" if role == "reporter" else "reporter"]
            before = await matrix.snapshot()
            alert = await user.tap_data(data, await own_message(other))
            if alert is None or "失效" not in alert:
                wrong.append(f"{role} × {data} on another user's message: not refused ({alert})")
            if before != await matrix.snapshot():
                wrong.append(f"{role} × {data} on another user's message: changed the database")
    rows = await world.rows("SELECT state, owner_id FROM issues WHERE id = ?", number)
    assert rows == [("submitted", None)], rows
    assert not wrong, "\n".join(wrong)
    assert world.api.violations == []


# what only the station's deputies (or the one in charge) may press, by the state it needs
HANDLER_BUTTONS = {
    kind: (state, data)
    for kind, (state, allowed, data) in BUTTONS.items()
    if "deputy_here" in allowed and kind not in SHOW_ONLY
}


async def test_the_filer_and_a_deputy_the_seed_removed_hold_no_handler_button(
    matrix: Matrix,
) -> None:
    """Two more people: a deputy who files at their own station (a resident for that issue),
    and a deputy the seed took off the station (nobody's handler there any more)."""
    world = matrix.world
    filer = matrix.people["deputy_here"]
    other_deputy = world.user(502, "deputy_b")
    await open_bot(other_deputy)
    await bind(filer, "north")
    wrong: list[str] = []
    own = await file_issue(filer, "我家楼下的井盖丢了，晚上很危险")
    for kind, (state, data) in HANDLER_BUTTONS.items():
        if state != "submitted":
            continue
        before = await matrix.snapshot()
        alert = await filer.tap_data(data(own, 0), await own_message(filer))
        if alert is None or before != await matrix.snapshot():
            wrong.append(f"filer × {kind} on their own issue: not refused ({alert})")

    # issues the deputy had in hand, then the seed takes the deputy off the station
    held = {state: await matrix.issue(state) for state in ("submitted", "accepted")}
    seed = world.seed_path.read_text(encoding="utf-8")
    line = next(x for x in seed.splitlines(keepends=True) if "telegram_id: 501" in x)
    world.seed_path.write_text(seed.replace(line, ""), encoding="utf-8")
    await world.restart()
    assert world.bot.services is not None
    await world.bot.services.deadlines.sweep()  # the issue in hand goes back to the station
    await world.settle()
    for kind, (state, data) in HANDLER_BUTTONS.items():
        before = await matrix.snapshot()
        alert = await filer.tap_data(data(held[state], 0), await own_message(filer))
        if alert is None or before != await matrix.snapshot():
            wrong.append(f"removed deputy × {kind}: not refused ({alert})")
    assert not wrong, "\n".join(wrong)
    assert world.api.violations == []
