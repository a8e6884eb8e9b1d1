"""Nothing sent is silently dropped or multiplied (docs/RELIABILITY.md), end to end: the real
bot against the fake Telegram over HTTP, with faults aimed at one deputy's chat.

- A text longer than Telegram takes (4096 UTF-16 units) is shortened with "…" and a line
  saying so, instead of being refused and lost.
- A message Telegram refuses is tried once more as plain text; refused again, the station's
  staff are told once, /stats counts it and the outbox's health line says so.
- A send that times out (Telegram may have delivered it) goes out at most twice; a message
  of several parts resumes from the part that failed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.units import utf16_len
from fakebot import BotMessage, FakeUser
from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, open_bot, send_official
from tests.e2e.worlds import running_world

REMINDER = "接待日提醒"  # the deputies' reception reminder may come at any time
PARSE_ERROR = 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 4'

# one station with six deputies: a long description and six long reasons for 退回 make the
# card the staff get a text Telegram would refuse (over 4096 UTF-16 units)
DEPUTIES = [(511 + i, f"第{i + 1}代表") for i in range(6)]
CROWDED = (
    textwrap.dedent(
        """
    city: 测试市
    categories:
      - {key: potholes, name: {zh: 坑洼, en: Potholes}, accept_within: 2h, reply_within: 3d}
    stations:
      - key: north
        name: 北关街道联络站
        district: 北关区
        deputies:
    """
    )
    + "".join(
        f"      - {{key: d{i}, name: {name}, telegram_id: {tid}}}\n"
        for i, (tid, name) in enumerate(DEPUTIES)
    )
    + textwrap.dedent(
        """\
        staff:
          - {key: staff-n, name: 北站工作人员, telegram_id: 611}
    admins:
      - {key: boss, name: 代表工委, telegram_id: 901}
    """
    )
)


@pytest.fixture
async def crowded(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, seed=CROWDED) as world:
        yield world


@pytest.fixture
async def slow_world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, request_timeout=1.0) as world:
        yield world


async def outbox_trouble(world: World) -> str:
    """What went wrong in the outbox and the fake, for a failure message."""
    failed = await world.rows("SELECT id, chat_id, failed FROM outbox WHERE failed IS NOT NULL")
    refused = [f"{v.method} -> {v.error_code} {v.description}" for v in world.api.violations]
    return f"failed outbox rows: {failed}; Bot API violations: {refused}"


async def arrives(world: World, person: FakeUser, text: str, timeout: float = 10.0) -> BotMessage:  # noqa: ASYNC109
    """The next message of `person` holding `text`, or a failure naming what the outbox did."""
    try:
        return await person.wait_for(text, timeout=timeout)
    except AssertionError:
        raise AssertionError(
            f"{person.name} never got {text!r}: {await outbox_trouble(world)}"
        ) from None


def calls_to_chat(world: World, method: str, chat_id: int) -> list[object]:
    return [c for c in world.api.calls_to(method) if str(c.params.get("chat_id")) == str(chat_id)]


def copies(person: FakeUser, head: str, number: int) -> list[BotMessage]:
    return [m for m in person.messages if head in m.text and re.search(rf"#{number}\b", m.text)]


async def settled(world: World, chat_id: int, seconds: float = 25.0) -> None:
    """Until the outbox rows to `chat_id` are no longer waiting (sent or failed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waiting = await world.rows(
            "SELECT id FROM outbox WHERE chat_id = ? AND sent_at IS NULL AND failed IS NULL",
            chat_id,
        )
        if not waiting:
            return
        await asyncio.sleep(0.2)


# -- 1. too long for Telegram ------------------------------------------------------------------


async def test_a_card_too_long_for_telegram_arrives_shortened_with_a_pointer(
    crowded: World,
) -> None:
    world = crowded
    deputies = [world.user(tid, name) for tid, name in DEPUTIES]
    staff, alice = world.user(611, "北站工作人员"), world.user(1, "Alice")
    await open_bot(*deputies, staff)
    for person in (*deputies, staff):
        person.tolerate(REMINDER)
    await bind(alice, "north")
    description = "😀" * 1000  # 2,000 UTF-16 units: the most a description may have
    number = await file_issue(alice, description)
    for i, deputy in enumerate(deputies):  # every deputy declines, each with a long reason
        await deputy.tap("退回", await arrives(world, deputy, "新的群众反映"))
        await deputy.wait_for("请说明退回")
        await send_official(deputy, f"{i}号理由" + "😀" * 300)
        await deputy.wait_for(f"已退回 #{number}")

    card = await arrives(world, staff, "所有代表都已退回")
    shown = card.text
    assert utf16_len(shown) <= 4096, f"the card has {utf16_len(shown)} units"
    assert shown.endswith(
        f"（内容过长，已截断。#{number} 的全文已完整保存，联络站工作人员可用 /export 导出）"
    ), shown[-200:]
    assert "😀…" in shown, "the description was not cut with an ellipsis"
    for _, name in DEPUTIES:  # the facts and every reason are kept: the description gave way
        assert f"{name}：" in shown, f"{name}'s reason is missing"
    assert card.labels[-1] == "不予受理" and len(card.labels) == 7, card.labels
    assert card.parse_mode == "HTML" and card.html is not None and "<b>" in card.html
    # staff act on the shortened card: its buttons work, the edits of it fit too
    await staff.tap(f"指派给 {DEPUTIES[0][1]}（在办 0 件）", card)
    await deputies[0].wait_for("指派给您")
    await world.settle()
    assert await world.rows("SELECT id, failed FROM outbox WHERE failed IS NOT NULL") == [], (
        await outbox_trouble(world)
    )
    assert world.api.violations == [], [str(v) for v in world.api.violations]


# -- 2. refused: once more as plain text, then the staff are told -------------------------------


async def test_a_refused_card_is_sent_again_as_plain_text(world: World) -> None:
    a, b, alice = world.user(501, "甲代表"), world.user(502, "乙代表"), world.user(1, "Alice")
    await open_bot(a, b)
    await bind(alice, "north")
    await world.settle()  # a reception reminder (by the wall clock) is out of the way
    world.api.faults.fail_next("sendMessage", 400, chat_id=a.id, description=PARSE_ERROR)
    number = await file_issue(alice, "北关路口的井盖丢了")
    card = await arrives(world, a, "新的群众反映")
    assert f"#{number}" in card.text and card.labels == ["认领", "退回", "不予受理"]
    sends = calls_to_chat(world, "sendMessage", a.id)
    at = next(i for i, c in enumerate(sends) if c.injected)  # type: ignore[attr-defined]
    refused, plain = sends[at : at + 2]
    assert (refused.injected, refused.params.get("parse_mode")) == (True, "HTML")  # type: ignore[attr-defined]
    assert plain.ok and "parse_mode" not in plain.params, plain  # type: ignore[attr-defined]
    assert card.parse_mode is None and "<b>" not in (card.html or ""), card.html
    await b.wait_for("新的群众反映")
    await world.settle()
    assert await world.rows("SELECT id FROM outbox WHERE failed IS NOT NULL") == [], (
        await outbox_trouble(world)
    )


async def test_a_message_refused_for_good_reaches_the_staff_stats_and_the_log(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    a, b, staff = world.user(501, "甲代表"), world.user(502, "乙代表"), world.user(601)
    admin, alice = world.user(901), world.user(1, "Alice")
    await open_bot(a, b, staff, admin)
    await bind(alice, "north")
    await world.settle()  # a reception reminder (by the wall clock) is out of the way
    world.api.faults.fail_next("sendMessage", 400, count=2, chat_id=a.id, description=PARSE_ERROR)
    number = await file_issue(alice, "北关路口的井盖丢了")
    await b.wait_for("新的群众反映")
    told = await arrives(world, staff, "未能送达")
    assert told.text == (
        f"⚠️ 一条发给 甲代表 的关于 #{number} 的消息未能送达：消息格式被拒收，"
        "改为纯文本后仍被拒收。请通过其他方式联系对方。"
    ), told.text
    await world.settle()
    failed = await world.rows(
        "SELECT chat_id, failed, station_id FROM outbox WHERE failed IS NOT NULL"
    )
    assert len(failed) == 1 and failed[0][0] == a.id and str(failed[0][1]).startswith("rejected")
    assert copies(a, "新的群众反映", number) == [], "the refused card arrived after all"
    refused = [c for c in calls_to_chat(world, "sendMessage", a.id) if not c.ok]  # type: ignore[attr-defined]
    assert len(refused) == 2, f"refused {len(refused)} times, not once formatted and once plain"
    assert [m for m in admin.messages if "未能送达" in m.text] == [], "admins told too"
    # /stats of the station says so; the health line of the log too
    await staff.send("/stats")
    await staff.wait_for("本期未送达的消息：1 条")
    deadline = time.monotonic() + 5
    health: list[str] = []
    while not health and time.monotonic() < deadline:
        health = [
            r.getMessage()
            for r in caplog.records
            if r.name == "bot.services.delivery" and "failed_24h=1" in r.getMessage()
        ]
        await asyncio.sleep(0.1)
    assert health and health[0].startswith("outbox health: queued="), health
    assert "北关" not in health[0] and "甲代表" not in health[0]


async def test_a_notice_about_an_undelivered_message_that_fails_is_only_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    a, staff, admin = world.user(501, "甲代表"), world.user(601), world.user(901)
    alice = world.user(1, "Alice")
    await open_bot(a, staff, admin)
    await bind(alice, "north")
    await world.settle()  # a reception reminder (by the wall clock) is out of the way
    for chat in (a.id, staff.id):
        world.api.faults.fail_next(
            "sendMessage", 400, count=2, chat_id=chat, description=PARSE_ERROR
        )
    await file_issue(alice, "北关路口的井盖丢了")
    await settled(world, staff.id)
    await world.settle()
    rows = await world.rows("SELECT chat_id, ref FROM outbox WHERE failed IS NOT NULL ORDER BY id")
    assert [r[0] for r in rows] == [a.id, staff.id], rows
    assert str(rows[1][1]).startswith("undelivered:"), rows
    assert await world.rows("SELECT COUNT(*) FROM outbox WHERE ref LIKE 'undelivered:%'") == [(1,)]
    assert [m for m in admin.messages if "未能送达" in m.text] == [], "a notice about the notice"
    assert any("failed too" in r.getMessage() for r in caplog.records)


# -- 3. timeouts and resumed parts ---------------------------------------------------------------


async def test_a_card_answered_slower_than_the_timeout_arrives_at_most_twice(
    slow_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world = slow_world
    a, b, alice = world.user(501, "甲代表"), world.user(502, "乙代表"), world.user(1, "Alice")
    await open_bot(a, b)
    await bind(alice, "north")
    await world.settle()  # a reception reminder (by the wall clock) is out of the way
    world.api.faults.delay("sendMessage", 1.6, chat_id=a.id)  # beyond the 1 s timeout
    number = await file_issue(alice, "北关路口的井盖丢了")
    await b.wait_for("新的群众反映")
    await settled(world, a.id)  # as long as the deputy's sends stay slow
    world.api.faults.clear()
    await world.settle()
    got = copies(a, "新的群众反映", number)
    sends = calls_to_chat(world, "sendMessage", a.id)
    assert 1 <= len(got) <= 2, (
        f"甲代表 got {len(got)} copies of the card for #{number} ({len(sends)} sendMessage calls)"
    )
    assert len(copies(b, "新的群众反映", number)) == 1
    rows = await world.rows(
        "SELECT sent_at IS NOT NULL, unconfirmed_at IS NOT NULL, failed FROM outbox "
        "WHERE chat_id = ? AND ref = ?",
        a.id,
        f"new:{number}",
    )
    assert rows == [(1, 1, None)], f"the card's row (sent, unconfirmed, failed): {rows}"
    assert any("delivered, unconfirmed" in r.getMessage() for r in caplog.records)
    assert world.api.violations == []


async def test_three_429s_on_the_location_resend_only_the_location(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB builds RetryAfter without a warning
    a, b, alice = world.user(501, "甲代表"), world.user(502, "乙代表"), world.user(1, "Alice")
    await open_bot(a, b)
    await bind(alice, "north")
    await world.settle()
    world.api.faults.fail_next("sendLocation", 429, count=3, retry_after=1, chat_id=a.id)
    number = await file_issue(alice, "北关路口的井盖丢了", photos=2, location=(30.01, 120.01))
    first = await arrives(world, a, "新的群众反映")
    assert len(a.album(first)) == 2
    await settled(world, a.id)
    await world.settle()
    albums = calls_to_chat(world, "sendMediaGroup", a.id)
    cards = [m for m in a.messages if m.text == "🆕 新的群众反映" and m.labels]
    pins = [m for m in a.messages if m.kind == "location"]
    locations = calls_to_chat(world, "sendLocation", a.id)
    assert len(albums) == 1, f"the album went out {len(albums)} times"
    assert len(cards) == 1, f"the card's buttons went out {len(cards)} times"
    assert len(pins) == 1, f"{len(pins)} location pins"
    assert [c.injected for c in locations] == [True, True, True, False]  # type: ignore[attr-defined]
    assert await world.rows(
        "SELECT sent_at IS NOT NULL, failed, parts_sent FROM outbox WHERE chat_id = ? AND ref = ?",
        a.id,
        f"new:{number}",
    ) == [(1, None, 2)]
    # the card is remembered: a later change edits it in place
    await b.tap("认领")
    await a.sees(f"#{number} 已由 乙代表 认领")
    assert world.api.violations == [], [str(v) for v in world.api.violations]
