"""Abuse limits: a daily report quota per resident, and one flooding user does not hold up
everybody else's updates."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.e2e.helpers import bind, file_issue
from tests.e2e.worlds import running_world


async def test_daily_report_limit_is_enforced_and_explained(tmp_path: Path) -> None:
    async with running_world(tmp_path, LIAISON_MAX_REPORTS_PER_DAY="2") as world:
        alice, bob = world.user(1), world.user(2)
        await bind(alice, "north")
        await bind(bob, "north")
        await file_issue(alice, "今天的第一件事：路灯坏了")
        await file_issue(alice, "今天的第二件事：井盖松了")
        await alice.send("/report")
        refused = await alice.wait_for("上限")
        assert "2" in refused.text, refused.text
        await world.settle()
        assert await world.rows("SELECT COUNT(*) FROM issues") == [(2,)], "a third issue slipped in"
        assert await world.rows("SELECT COUNT(*) FROM drafts WHERE status = 'open'") == [(0,)]
        # the limit is per resident: bob still may
        await file_issue(bob, "别人的限额不影响我")
        assert world.api.violations == []


async def test_a_flooding_user_does_not_block_others(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        mallory, bob = world.user(66), world.user(2)
        await bob.send("/help")
        await bob.next_message()
        flood = 300
        for i in range(flood):
            await mallory.send(f"刷屏消息 {i}")
        started = time.monotonic()
        await bob.send("/help")
        await bob.next_message(timeout=5)
        waited = time.monotonic() - started
        answered = len(mallory.messages)
        assert answered < flood, "the flood was already over: the test measured nothing"
        assert waited < 2.0, f"bob waited {waited:.2f}s behind {flood - answered} flood messages"
        await world.api.wait_idle(quiet=0.3, timeout=60)
        assert len(mallory.messages) == flood, "flood messages were dropped instead of answered"
        assert world.api.violations == []
        await asyncio.sleep(0)
