"""Template cards: structure, buttons, task_id rules, response codes."""

from __future__ import annotations

from typing import Any

import pytest

from fakewecom import FakeWeCom

from .conftest import Api, button_card


def card_message(card: dict[str, Any], touser: str = "alice") -> dict[str, Any]:
    return {"touser": touser, "msgtype": "template_card", "template_card": card}


async def test_button_card_is_delivered_with_a_response_code(server: FakeWeCom, api: Api) -> None:
    alice = server.member("alice", "Alice")
    answer = await api.send(card_message(button_card("issue_1-a@b")))
    assert answer["errcode"] == 0
    assert answer["response_code"]
    card = await alice.wait_for("新的反映")
    assert card.task_id == "issue_1-a@b"
    assert card.response_code == answer["response_code"]
    assert card.labels == ["按钮0", "按钮1"]
    assert alice.cards() == [card]
    assert server.violations == []


@pytest.mark.parametrize(
    ("change", "hint"),
    [
        ({"button_list": []}, "button_list must hold 1-6"),
        ({"button_list": [{"text": f"b{i}", "key": f"k{i}"} for i in range(7)]}, "1-6"),
        ({"button_list": [{"text": "a", "key": "k"}, {"text": "b", "key": "k"}]}, "not unique"),
        ({"button_list": [{"text": "a"}]}, "key is required"),
        ({"button_list": [{"text": "a", "key": "k" * 1025}]}, "longer than 1024"),
        ({"button_list": [{"key": "k"}]}, "text is required"),
        ({"button_list": [{"type": 1, "text": "open"}]}, "url is required"),
        ({"button_list": [{"text": "a", "key": "k", "style": 5}]}, "style"),
        ({"task_id": None}, "task_id is required"),
        ({"task_id": "has space"}, "task_id must be"),
        ({"task_id": "t" * 129}, "task_id must be"),
        ({"main_title": {"desc": "x"}}, "main_title.title"),
        ({"card_type": "fancy"}, "card_type"),
    ],
)
async def test_bad_cards_get_40058(
    server: FakeWeCom, api: Api, change: dict[str, Any], hint: str
) -> None:
    server.member("alice", "Alice")
    card = {k: v for k, v in {**button_card("t1"), **change}.items() if v is not None}
    answer = await api.send(card_message(card))
    assert answer["errcode"] == 40058
    assert hint in answer["errmsg"]
    assert len(server.violations) == 1


async def test_notice_cards_need_card_action(server: FakeWeCom, api: Api) -> None:
    alice = server.member("alice", "Alice")
    notice: dict[str, Any] = {"card_type": "text_notice", "main_title": {"title": "通知"}}
    assert (await api.send(card_message(notice)))["errcode"] == 40058
    notice["card_action"] = {"type": 1, "url": "https://example.org"}
    answer = await api.send(card_message(notice))
    assert answer["errcode"] == 0
    assert "response_code" not in answer  # only interactive cards get one
    assert alice.last is not None and alice.last.title == "通知"


async def test_task_id_is_never_reused(server: FakeWeCom, api: Api) -> None:
    server.member("alice", "Alice")
    assert (await api.send(card_message(button_card("once"))))["errcode"] == 0
    again = await api.send(card_message(button_card("once")))
    assert again["errcode"] == 40058
    assert "already used" in again["errmsg"]
    # a send refused for its recipients does not use up the task_id
    assert (await api.send(card_message(button_card("later"), touser="ghost")))["errcode"] == 81013
    assert (await api.send(card_message(button_card("later"))))["errcode"] == 0
