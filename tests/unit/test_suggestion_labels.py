"""The 代表建议 buttons carry the names SPEC.md gives them, in both languages."""

from __future__ import annotations

import pytest

from bot.models import Lang
from bot.texts import plain

NAMED = [
    ("btn.make_suggestion", "转为建议线索", "Make a suggestion lead"),
    ("sg.btn_draft", "起草建议", "Draft a suggestion"),
    ("sg.btn_join", "联名", "Co-sign"),
    ("sg.btn_submit", "提交", "Submit"),
    ("sg.btn_return", "退回修改", "Return for revision"),
    ("sg.btn_hand_over", "交办", "Hand over"),
    ("btn.satisfied", "满意", "Satisfied"),
    ("btn.unsatisfied", "不满意", "Not satisfied"),
]


@pytest.mark.parametrize(("key", "zh", "en"), NAMED)
def test_buttons_carry_the_spec_names(key: str, zh: str, en: str) -> None:
    assert zh in plain(Lang.ZH, key)
    assert en in plain(Lang.EN, key)


@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
def test_grades_start_with_their_letter_in_both_languages(grade: str) -> None:
    assert plain(Lang.ZH, f"sg.grade_{grade}").startswith(f"{grade} ")
    assert plain(Lang.EN, f"sg.grade_{grade}").startswith(f"{grade} ")
