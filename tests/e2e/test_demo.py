"""The README's first command: the offline demo plays the whole workflow and exits 0."""

from __future__ import annotations

import asyncio

import pytest

from bot.__main__ import main
from bot.demo import run_demo


async def test_demo_plays_everything_without_violations(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_demo() == 0
    out = capsys.readouterr().out
    for step in ("认领", "转办", "满意", "附议", "不满意", "提醒", "督办", "走街串巷完成", "进展"):
        assert step in out, step
    assert "0 protocol violations" in out


async def test_demo_wecom_plays_the_mixed_platform_loop(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m bot demo --wecom` (SPEC): a deputy in WeCom, residents on Telegram and in
    WeChat, the WeChat answer announced by a template message after the window closed."""
    assert await asyncio.to_thread(main, ["demo", "--wecom"]) == 0
    out = capsys.readouterr().out
    for seen in (
        "[企业微信·卡片]",
        "[微信·模板消息]",
        "已答复，回复任意内容查看并评价",
        "感谢评价",
    ):
        assert seen in out, seen
    assert "1. 代表和工作人员" not in out  # only the mixed-platform loop
    assert "0 protocol violations" in out
