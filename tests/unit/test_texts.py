"""The text catalog: every key in both languages, parameters escaped, the labels the product names."""

from __future__ import annotations

import pytest

from bot import texts
from bot.models import Lang
from bot.texts import Markup, plain, t


def test_every_key_has_both_languages_and_the_same_placeholders() -> None:
    assert texts.problems() == []
    assert len(texts.catalog()) > 100


def test_missing_language_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {"x.only_zh": {"zh": "只有中文 {n}"}, "x.diff": {"zh": "{a}", "en": "{b}"}}
    monkeypatch.setattr(texts, "catalog", lambda: broken)
    assert texts.problems() == [
        "x.only_zh: missing en",
        "x.only_zh: placeholders differ between zh and en",
        "x.diff: placeholders differ between zh and en",
    ]


def test_parameters_are_html_escaped_but_markup_is_not() -> None:
    text = t(Lang.ZH, "card.description", text="<b>坏</b> & <script>")
    assert "&lt;b&gt;坏&lt;/b&gt; &amp; &lt;script&gt;" in text
    inner = Markup("<b>ok</b>")
    assert "<b>ok</b>" in t(Lang.EN, "deputy.new_issue", body=inner)


SPEC_LABELS = {
    "btn.submit": ("提交", "Submit"),
    "btn.cancel": ("取消", "Cancel"),
    "btn.skip": ("跳过", "Skip"),
    "btn.accept": ("认领", "Accept"),
    "btn.reply": ("答复", "Reply"),
    "btn.transfer": ("转办", "Transfer"),
    "btn.decline": ("退回", "Decline"),
    "btn.reject": ("不予受理", "Out of scope"),
    "btn.satisfied": ("满意", "Satisfied"),
    "btn.mostly": ("基本满意", "Mostly satisfied"),
    "btn.unsatisfied": ("不满意", "Not satisfied"),
    "btn.send": ("发送", "Send"),
    "btn.ok": ("正常", "OK"),
    "btn.problem": ("有问题", "Problem"),
    "btn.done": ("完成", "Done"),
    "btn.supervise": ("督办", "Supervise"),
    "btn.resolved": ("已解决", "Resolved"),
    "btn.partly": ("部分解决", "Partly resolved"),
    "btn.unresolved": ("未解决", "Not resolved"),
    "btn.recheck_no": ("没有", "No"),
    "btn.recheck_back": ("又出现了", "It came back"),
    "state.submitted": ("待受理", "Pending"),
    "state.accepted": ("办理中", "In progress"),
    "state.transferred": ("已转办", "Transferred"),
    "state.replied": ("已答复", "Replied"),
    "state.closed": ("已办结", "Closed"),
    "state.rejected": ("不予受理", "Out of scope"),
    "state.withdrawn": ("已撤回", "Withdrawn"),
}


@pytest.mark.parametrize(("key", "names"), SPEC_LABELS.items())
def test_spec_labels(key: str, names: tuple[str, str]) -> None:
    assert (plain(Lang.ZH, key), plain(Lang.EN, key)) == names
