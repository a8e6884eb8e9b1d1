"""The text catalog: every key in both languages, parameters escaped, the labels the product names."""

from __future__ import annotations

import re
from string import Formatter

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


# -- plural forms ----------------------------------------------------------------------------


def test_en_one_is_the_english_text_when_count_is_1() -> None:
    assert plain(Lang.EN, "export.done", count=1, scope="City") == "Exported 1 issue (City)."
    assert plain(Lang.EN, "export.done", count=2, scope="City") == "Exported 2 issues (City)."
    assert plain(Lang.EN, "export.done", count=0, scope="City") == "Exported 0 issues (City)."
    assert plain(Lang.EN, "export.done", count="1", scope="City") == "Exported 1 issue (City)."
    assert plain(Lang.ZH, "export.done", count=1, scope="全市") == "已导出 1 件事项（全市）。"
    supported = t(Lang.EN, "report.supported", number=7, count=1)
    assert "1 person supports it now" in supported and "<b>#7</b>" in supported
    assert "3 people support it now" in t(Lang.EN, "report.supported", number=7, count=3)


def test_a_choice_picks_a_word_by_its_own_number() -> None:
    one = plain(Lang.EN, "patrol.done_ack", checked=1, total=1, problems=1)
    assert one == "Submitted: 1/1 item checked, 1 problem."
    many = plain(Lang.EN, "patrol.done_ack", checked=2, total=5, problems=0)
    assert many == "Submitted: 2/5 items checked, 0 problems."
    line = t(
        Lang.EN,
        "sg.hotspot_line",
        index=1,
        category="<Roads>",
        count=2,
        people=1,
        supporters=1,
        stations="A",
        span="x",
        text="y",
    )
    assert "2 issues · 1 person (1 supporter)" in line and "&lt;Roads&gt;" in line
    assert plain(Lang.EN, "stats.supporters", count=1, issues=1) == "Me-too support: 1 (on 1 issue)"
    assert plain(Lang.ZH, "stats.supporters", count=1, issues=1) == "附议：1 人次，涉及 1 件"


# A number then a plural noun: what English must not say of one.
ONE_PLURAL = re.compile(
    r"(?<![\d.])1 (?:working )?(issues|photos|people|supporters|days|residents|deputies|"
    r"problems|items|reports|messages|recipients|stations|times|persons)\b"
)


# Parameters that are words, not numbers, though a plural noun follows them ("{category}
# problems").
WORDS = {"category": "Roads", "place": "Main Street"}


def test_no_english_text_says_one_with_a_plural() -> None:
    """Every key with 1 for every parameter (but the words): no "1 issues" anywhere."""
    wrong = []
    for key, texts_ in texts.catalog().items():
        names = {name for _, name, _, _ in Formatter().parse(texts_["en"]) if name}
        text = plain(Lang.EN, key, **{name: WORDS.get(name, 1) for name in names})
        if ONE_PLURAL.search(text):
            wrong.append(f"{key}: {text}")
    assert wrong == []


def test_plural_forms_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {
        "x.ok": {"zh": "{count} 件", "en": "{count} issues", "en_one": "{count} issue"},
        "x.one_differs": {"zh": "{count} 件", "en": "{count} issues", "en_one": "one issue"},
        "x.one_without_count": {"zh": "{n} 件", "en": "{n} issues", "en_one": "{n} issue"},
        "x.unknown": {"zh": "好", "en": "good", "fr": "bon"},
        "x.bad_spec": {"zh": "{n}", "en": "{n:>5}"},
        "x.choice": {"zh": "{n} 件", "en": "{n} {n:issue|issues}"},
        "x.bad_choice": {"zh": "{n} 件", "en": "{n} {n:a|b|c}"},
    }
    monkeypatch.setattr(texts, "catalog", lambda: broken)
    assert texts.problems() == [
        "x.one_differs: placeholders differ between en and en_one",
        "x.one_differs: en_one needs a {count} placeholder to be chosen",
        "x.one_without_count: en_one needs a {count} placeholder to be chosen",
        "x.unknown: unknown field 'fr' (use zh, en, en_one)",
        "x.bad_spec: en has a bad placeholder {n:>5}",
        "x.bad_choice: en has a bad placeholder {n:a|b|c}",
    ]


# -- English is English ----------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]+")

# Chinese that English texts show on purpose: key → the words, and why.
CJK_IN_ENGLISH = {
    # The language switch names each language in itself, so that a reader of either finds it.
    "cmd.lang": {"语言"},
    "lang.zh": {"中文"},
    "wecom.help": {"中文"},
    "poster.languages": {"中文", "发送"},
    # The WeChat account's top-level menu and the words a resident may type are Chinese
    # only (WeChat allows one menu, 16 bytes a button): the English text names them.
    "wechat.help": {"我要反映", "我的事项", "联络站", "接待日", "语言", "取消", "中文"},
    "wechat.no_photo_now": {"我要反映"},
    "poster.wechat_report": {"我要反映"},
}


def test_english_texts_hold_no_chinese_but_the_allowed_names() -> None:
    found = {}
    for key, texts_ in texts.catalog().items():
        for field in ("en", "en_one"):
            words = set(CJK.findall(texts_.get(field, ""))) - CJK_IN_ENGLISH.get(key, set())
            if words:
                found[f"{key}.{field}"] = sorted(words)
    assert found == {}
    unused = {k for k in CJK_IN_ENGLISH if not CJK.search(texts.catalog()[k]["en"])}
    assert unused == set()
