"""The guarantees against a misbehaving Bot API: 429 with retry_after, 500/502, connection resets
and answers slower than the request timeout on a share of the calls. The issue loop still
completes, nothing is lost, nothing arrives more than twice, and every retry is logged as
one line without a stack trace (by the request layer for direct replies, by the outbox's
policy for notices). Faults aimed at one chat, refusals and too long texts:
tests/e2e/test_delivery.py.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, open_bot, revisit, send_official
from tests.e2e.worlds import running_world

REQUEST_TIMEOUT = 1.0
SLOW = 1.6  # beyond the request timeout
SLOW_SHARE = 0.08


def spaced_seed(share: float, gap: int = 6, draws: int = 150, first_within: int = 5) -> int:
    """A seed whose slow calls are never close together: a direct reply that timed out is
    repeated once by the request layer, and a repeat that is slow too would give up (the
    reply's handler would stop there); an outbox notice that timed out is tried once more
    by the outbox's policy. The first slow call comes early, so even a short loop exercises
    the timeout path."""
    for seed in range(1000):
        rng = random.Random(seed)
        hits = [i for i in range(draws) if rng.random() < share]
        if (
            len(hits) >= 3
            and hits[0] < first_within
            and all(b - a >= gap for a, b in itertools.pairwise(hits))
        ):
            return seed
    raise AssertionError("no suitable seed")


def slow_positions(seed: int, share: float, count: int) -> int:
    rng = random.Random(seed)
    return sum(1 for _ in range(count) if rng.random() < share)


async def drained(world: World, seconds: float = 30.0) -> None:
    """Wait until the outbox has nothing left to deliver (a retry may wait its back-off)."""
    deadline = time.monotonic() + seconds
    while await world.rows(
        "SELECT id FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND held_at IS NULL"
    ):
        assert time.monotonic() < deadline, "the outbox never drained"
        await asyncio.sleep(0.2)
    await world.api.wait_idle(quiet=0.3, timeout=15)


@pytest.fixture
async def flaky(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, request_timeout=REQUEST_TIMEOUT) as world:
        yield world


async def test_the_loop_completes_through_429_5xx_resets_and_slow_answers(
    flaky: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    world = flaky
    api = world.api
    a, b = world.user(501, "甲"), world.user(502, "乙")
    alice = world.user(1, "Alice")
    await open_bot(a, b)
    await bind(alice, "north")
    await world.settle()
    calls_before = len(api.calls)
    sends_before = len(api.calls_to("sendMessage"))
    slow_seed = spaced_seed(SLOW_SHARE)

    faults = api.faults
    faults.fail_rate(None, 429, 0.06, retry_after=1, seed=11)
    faults.fail_rate(None, 500, 0.03, seed=12)
    faults.fail_rate(None, 502, 0.03, seed=13)
    faults.reset(None, share=0.03, seed=14)
    faults.delay("sendMessage", SLOW, share=SLOW_SHARE, seed=slow_seed)

    number = await file_issue(alice, "北关路口的下水道井盖丢了，很危险", photos=1)
    await a.wait_for("新的群众反映", timeout=10)
    await a.tap("认领", timeout=10)
    card = await a.wait_for("办理中", timeout=10)
    await b.sees("已由 甲代表 认领", timeout=10)
    await alice.wait_for("认领办理", timeout=10)
    await a.tap("答复", card, timeout=10)
    await a.wait_for("请输入给群众的答复", timeout=10)
    await send_official(a, "已联系市政工程处，井盖今天补上。", timeout=10)
    reply = await alice.wait_for("的答复", timeout=10)
    await revisit(alice, reply, timeout=10)
    await alice.wait_for("已办结", timeout=10)
    await a.wait_for("群众评价：满意", timeout=10)
    await api.wait_idle(quiet=0.5, timeout=30)
    faults.clear()
    await drained(world)

    # nothing lost: the issue went all the way, every event once, the outbox is empty
    assert await world.rows("SELECT state, rating FROM issues WHERE id = ?", number) == [
        ("closed", "satisfied")
    ], "the issue did not reach closed/satisfied"
    kinds = [
        r[0]
        for r in await world.rows("SELECT kind FROM events WHERE issue_id = ? ORDER BY id", number)
    ]
    assert kinds == ["submitted", "accepted", "replied", "resolved", "rated"], f"events: {kinds}"
    assert (
        await world.rows(
            "SELECT id, failed FROM outbox WHERE sent_at IS NULL OR failed IS NOT NULL"
        )
        == []
    ), "an outbox row was not delivered"
    # nothing delivered more than twice (a send that timed out may arrive twice)
    for who, head in (
        (a, "新的群众反映"),
        (b, "新的群众反映"),
        (alice, "已提交"),
        (alice, "认领办理"),
        (alice, "的答复"),
        (a, "群众评价"),
    ):
        copies = [
            e
            for e in api.transcript
            if e.who == "bot"
            and e.chat_id == who.chat_id
            and (e.kind != "edit" or head == "已提交")  # the summary is edited into it
            and head in e.text
            and re.search(rf"#{number}\b", e.text)
        ]
        assert 1 <= len(copies) <= 2, f"{who.name}: {len(copies)} copies of {head!r} for #{number}"
    assert api.violations == [], [str(v) for v in api.violations]

    # the logs: one line per retry, no stack traces, no errors. A direct reply is retried
    # by the request layer (handlers.retry, PTB's rate limiter); the outbox's notices by
    # the outbox's policy (bot.services.delivery), after the request layer's quick retries
    injected = [c for c in api.calls[calls_before:] if c.injected]
    assert injected, "the faults never fired: the test proves nothing"
    retry_lines = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if (r.name == "handlers.retry" and "timed out" not in r.getMessage())
        or "Rate limit hit" in r.getMessage()
        or (r.name == "bot.services.delivery" and "; retry in" in r.getMessage())
    ]
    retry_lines = [line for line in retry_lines if "may have arrived" not in line]
    assert len(retry_lines) == len(injected), (
        f"{len(injected)} injected failures but {len(retry_lines)} retry log lines:\n"
        + "\n".join(retry_lines)
    )
    sends = len(api.calls_to("sendMessage")) - sends_before
    slow = slow_positions(slow_seed, SLOW_SHARE, sends)
    timeout_lines = [
        r
        for r in caplog.records
        if (r.name == "handlers.retry" and "timed out" in r.getMessage())
        or (r.name == "bot.services.delivery" and "may have arrived" in r.getMessage())
        or (r.name == "bot.services.delivery" and "delivered, unconfirmed" in r.getMessage())
    ]
    assert slow >= 1, "no send was slow: the timeout path was not exercised"
    assert len(timeout_lines) == slow, f"{slow} slow sends, {len(timeout_lines)} timeout lines"
    noisy = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.exc_info or r.levelno >= logging.ERROR
    ]
    assert noisy == [], "errors or stack traces in the logs:\n" + "\n".join(noisy)
