"""The labels the product names, checked on the buttons people actually get (both languages)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot import views
from bot.models import Awaiting, Draft, Lang, Resolution
from bot.views import issues as issue_views
from bot.views import prompts as prompt_views
from bot.views import report as report_views
from bot.views import revisit as revisit_views

EN, ZH = Lang.EN, Lang.ZH


def labels(rows: tuple[tuple[object, ...], ...]) -> list[str]:
    return [button.text for row in rows for button in row]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [(ZH, ["认领", "退回", "不予受理"]), (EN, ["Accept", "Decline", "Out of scope"])],
)
def test_a_new_issue_offers_accept_decline_out_of_scope(lang: Lang, expected: list[str]) -> None:
    assert labels(views.pending_buttons(lang, 7)) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [(ZH, ["答复", "转办", "不予受理"]), (EN, ["Reply", "Transfer", "Out of scope"])],
)
def test_the_working_card_offers_reply_transfer_out_of_scope(
    lang: Lang, expected: list[str]
) -> None:
    shown = labels(views.working_buttons(lang, 7))
    assert [label for label in shown if label in expected] == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (ZH, ["满意", "基本满意", "不满意"]),
        (EN, ["Satisfied", "Mostly satisfied", "Not satisfied"]),
    ],
)
def test_an_answer_is_rated_with_the_three_ratings(lang: Lang, expected: list[str]) -> None:
    assert labels(views.rating_buttons(lang, 7)) == expected
    # 回访: the rating follows 问题解决了吗, on the answer's own message
    for phone in (False, True):
        rows = revisit_views.rating_buttons(lang, 7, Resolution.PARTLY, 0, phone=phone)
        assert labels(rows) == expected


@pytest.mark.parametrize(
    ("lang", "expected", "again"),
    [
        (ZH, ["已解决", "部分解决", "未解决"], ["没有", "又出现了"]),
        (EN, ["Resolved", "Partly resolved", "Not resolved"], ["No", "It came back"]),
    ],
)
def test_an_answer_asks_whether_it_is_solved_and_two_weeks_on_whether_it_came_back(
    lang: Lang, expected: list[str], again: list[str]
) -> None:
    answer = issue_views.replied_notice(lang, 7, "甲", "已修好")
    assert labels(answer.buttons) == expected
    assert labels(revisit_views.resolution_buttons(lang, 7, phone=True)) == expected
    assert labels(revisit_views.recheck_notice(lang, 7, "路灯坏了").buttons) == again


@pytest.mark.parametrize(
    ("lang", "submit", "cancel", "skip", "done"),
    [(ZH, "提交", "取消", "跳过", "完成"), (EN, "Submit", "Cancel", "Skip", "Done")],
)
def test_a_report_offers_skip_done_submit_cancel(
    lang: Lang, submit: str, cancel: str, skip: str, done: str
) -> None:
    draft = Draft(id=3, person_id=1, station_id=1, category_id=1, description="路灯坏了很久")
    assert labels(report_views.extras(lang, draft).buttons) == [skip]
    with_photo = draft.model_copy(update={"photos": ("f1",)})
    assert labels(report_views.extras(lang, with_photo).buttons) == [done]
    summary = labels(report_views.summary(lang, draft, None, None, None).buttons)
    assert summary[:2] == [submit, cancel]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [(ZH, ["发送", "修改", "取消"]), (EN, ["Send", "Edit", "Cancel"])],
)
def test_an_official_text_is_previewed_with_send_edit_cancel(
    lang: Lang, expected: list[str]
) -> None:
    preview = prompt_views.preview(lang, Awaiting.REPLY, 7, "已修好", version=2)
    assert labels(preview.buttons) == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [(ZH, ["继续", "重新开始"]), (EN, ["Continue", "Start over"])]
)
def test_an_unfinished_draft_offers_continue_or_start_over(lang: Lang, expected: list[str]) -> None:
    draft = Draft(id=3, person_id=1, station_id=1, category_id=1, updated_at=0)
    offer = report_views.resume_offer(lang, draft, None, ZoneInfo("Asia/Shanghai"))
    assert labels(offer.buttons) == expected
