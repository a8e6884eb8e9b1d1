"""update_template_card: response codes (single use, 72 h), targets, per-member card state."""

from __future__ import annotations

from typing import Any

from fakewecom import FakeWeCom

from .conftest import Api, Clock, button_card


async def send_card(api: Api, touser: str, task_id: str) -> str:
    answer = await api.send(
        {"touser": touser, "msgtype": "template_card", "template_card": button_card(task_id)}
    )
    assert answer["errcode"] == 0, answer
    return str(answer["response_code"])


def update(code: str, **fields: Any) -> dict[str, Any]:
    return {"agentid": 1000002, "response_code": code, **fields}


async def test_button_update_greys_only_the_targets_card(server: FakeWeCom, api: Api) -> None:
    alice, bob = server.member("alice", "Alice"), server.member("bob", "Bob")
    code = await send_card(api, "alice|bob", "t1")
    answer = await api.post(
        "message/update_template_card",
        update(code, userids=["alice"], button={"replace_name": "已认领"}),
    )
    assert answer == {"errcode": 0, "errmsg": "ok", "invaliduser": []}
    assert alice.card("t1").replace_name == "已认领"
    assert alice.card("t1").labels == []
    assert (await alice.sees("已认领")).task_id == "t1"
    assert bob.card("t1").replace_name is None
    assert bob.card("t1").labels == ["按钮0", "按钮1"]
    again = await api.post(
        "message/update_template_card", update(code, userids=["bob"], button={"replace_name": "x"})
    )
    assert again["errcode"] == 40029  # single use
    assert server.violations[-1].call is not None
    assert "already used" in server.violations[-1].description


async def test_atall_and_template_card_update(server: FakeWeCom, api: Api) -> None:
    alice, bob = server.member("alice", "Alice"), server.member("bob", "Bob")
    code = await send_card(api, "alice|bob", "t2")
    new_card = button_card("t2", buttons=1, main_title={"title": "已处理"})
    answer = await api.post(
        "message/update_template_card", update(code, atall=1, template_card=new_card)
    )
    assert answer["errcode"] == 0
    for member in (alice, bob):
        card = member.card("t2")
        assert (card.title, card.labels, card.updates) == ("已处理", ["按钮0"], 1)
    assert server.violations == []


async def test_update_rules(server: FakeWeCom, api: Api, clock: Clock) -> None:
    server.member("alice", "Alice")
    server.member("bob", "Bob")
    code = await send_card(api, "alice", "t3")
    path = "message/update_template_card"
    both = update(code, userids=["alice"], button={"replace_name": "x"}, template_card={})
    assert (await api.post(path, both))["errcode"] == 40058
    assert (await api.post(path, update(code, userids=["alice"])))["errcode"] == 40058
    assert (await api.post(path, update("", userids=["alice"], button={})))["errcode"] == 40058
    assert (await api.post(path, update("nope", userids=["alice"], button={"replace_name": "x"})))[
        "errcode"
    ] == 40029
    stranger = await api.post(path, update(code, userids=["bob"], button={"replace_name": "x"}))
    assert (stranger["errcode"], stranger["invaliduser"]) == (81013, ["bob"])
    other_task = update(code, atall=1, template_card=button_card("other"))
    assert (await api.post(path, other_task))["errcode"] == 40058
    clock.advance(72 * 3600)
    await api.fetch_token()
    expired = await api.post(path, update(code, atall=1, button={"replace_name": "x"}))
    assert expired["errcode"] == 40029
    assert "72 hours" in expired["errmsg"]
    assert len(server.violations) == 7


async def test_code_just_under_72_hours_still_works(
    server: FakeWeCom, api: Api, clock: Clock
) -> None:
    server.member("alice", "Alice")
    code = await send_card(api, "alice", "t4")
    clock.advance(72 * 3600 - 1)
    await api.fetch_token()
    answer = await api.post(
        "message/update_template_card", update(code, atall=1, button={"replace_name": "ok"})
    )
    assert answer["errcode"] == 0
