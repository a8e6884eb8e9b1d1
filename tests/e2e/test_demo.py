"""The README's first command: the offline demo plays the whole workflow and exits 0."""

from __future__ import annotations

import pytest

from bot.demo import run_demo


async def test_demo_plays_everything_without_violations(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_demo() == 0
    out = capsys.readouterr().out
    for step in ("认领", "转办", "满意", "附议", "不满意", "提醒", "督办", "走街串巷完成", "进展"):
        assert step in out, step
    assert "0 protocol violations" in out
