"""The pure rules of delivery: the one retry policy (bot/retrying.py) and how a text too
long for Telegram is shortened (handlers/render.py `fit`)."""

from __future__ import annotations

import bot.services  # noqa: F401  (handlers import the services; load them in order)
from bot import retrying
from bot.models import Lang
from bot.ports import RetryLater, Uncertain
from bot.units import utf16_len
from handlers.render import TEXT_LIMIT, fit, fit_plain, visible_text

CARD = (
    "🆕 <b>新的群众反映</b>\n<b>#12</b> · 坑洼\n联络站：北关\n内容：{text}\n"
    "<i>状态：待受理</i>\n签收时限：2026-12-02 08:27"
)


def test_a_timeout_allows_one_more_copy_then_counts_as_delivered_unconfirmed() -> None:
    timeout = Uncertain(2.0, "timed out")
    first = retrying.after(timeout, attempts=0, uncertain=0)
    assert first.retry and not first.unconfirmed and first.delay == 2.0
    second = retrying.after(timeout, attempts=0, uncertain=1)
    assert (second.retry, second.unconfirmed) == (False, True)
    # certain failures before do not spend the timeout's budget, nor the other way round
    assert retrying.after(timeout, attempts=retrying.MAX_ATTEMPTS - 1, uncertain=0).retry


def test_certain_failures_back_off_within_a_budget_and_flood_control_waits_as_told() -> None:
    network = RetryLater(2.0, "network: Bad Gateway")
    delays = [retrying.after(network, n, 0).delay for n in range(retrying.MAX_ATTEMPTS - 1)]
    assert delays[:4] == [2.0, 4.0, 8.0, 16.0] and max(delays) == retrying.BACKOFF_CAP
    assert not retrying.after(network, retrying.MAX_ATTEMPTS - 1, 0).retry  # failed for good
    flood = RetryLater(7.0, "flood control")
    assert retrying.after(flood, 5, 0).delay == 7.0


def test_a_long_card_keeps_its_lines_and_the_description_gives_way() -> None:
    card = CARD.format(text="😀" * 2100)  # 4,200 units in the description alone
    out = fit(card, lang=Lang.ZH)
    shown = visible_text(out)
    assert utf16_len(shown.strip()) <= TEXT_LIMIT
    assert out.startswith("🆕 <b>新的群众反映</b>\n<b>#12</b>") and "<i>状态：待受理</i>" in out
    assert "😀…\n<i>状态" in out  # cut inside the description, never half an emoji
    assert out.endswith(
        "（内容过长，已截断。#12 的全文已完整保存，联络站工作人员可用 /export 导出）"
    )
    english = fit(card, lang=Lang.EN)
    assert english.endswith("#12 is kept in full; station staff can /export it.)")
    assert fit(CARD.format(text="短")) == CARD.format(text="短")  # what fits is untouched


def test_without_one_long_line_the_text_is_cut_from_its_start_as_plain_text() -> None:
    many = "\n".join(f"<b>第{i}行</b> " + "长" * 200 for i in range(40))  # no line dominates
    out = fit(many, lang=Lang.EN)
    assert utf16_len(visible_text(out).strip()) <= TEXT_LIMIT
    assert "<b>" not in out and out.startswith("第0行 长长")
    assert out.endswith("…\n(Too long for one message: shortened.)")
    broken = "<b>" + "&amp;<" * 3000  # even HTML that would not parse comes out escaped
    assert "<" not in fit(broken).replace("&lt;", "")


def test_plain_text_is_cut_the_same_way() -> None:
    text = "#7 " + "a" * 5000
    out = fit_plain(text, lang=Lang.EN)
    assert utf16_len(out) <= TEXT_LIMIT and out.endswith(
        "#7 is kept in full; station staff can /export it.)"
    )
    assert fit_plain("short") == "short"
