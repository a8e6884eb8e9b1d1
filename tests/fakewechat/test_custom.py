"""message/custom/send: message types, sizes, media, msgmenu rules."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fakewechat import FakeResident, FakeWeChat

from .conftest import JPEG, Api, Clock, Receiver


@pytest.fixture
async def alice(server: FakeWeChat, receiver: Receiver) -> FakeResident:
    resident = server.resident("o_alice", "Alice")
    await resident.follow()
    await resident.say("你好")  # 3 + 5 sends
    return resident


async def test_text_is_delivered(server: FakeWeChat, api: Api, alice: FakeResident) -> None:
    assert await api.text("o_alice", "您好，联络站") == {"errcode": 0, "errmsg": "ok"}
    item = await alice.next_message()
    assert (item.msgtype, item.via, item.content, item.text) == (
        "text",
        "custom",
        "您好，联络站",
        "您好，联络站",
    )
    assert item.msgid is None
    assert alice.last is item
    assert server.violations == []


async def test_text_limits(server: FakeWeChat, api: Api, alice: FakeResident) -> None:
    assert (await api.text("o_alice", "字" * 682 + "ab"))["errcode"] == 0  # 2048 bytes
    assert (await api.text("o_alice", "字" * 683))["errcode"] == 45002
    assert (await api.text("o_alice", ""))["errcode"] == 44004
    assert len(alice.messages) == 1
    assert server.window("o_alice").left == 7  # refused sends use no quota
    assert [v.call.errcode for v in server.violations if v.call] == [45002, 44004]


async def test_msgtype_and_shape(server: FakeWeChat, api: Api, alice: FakeResident) -> None:
    voice = {"touser": "o_alice", "msgtype": "voice", "voice": {"media_id": "m"}}
    assert (await api.custom(voice))["errcode"] == 40008
    assert (await api.custom({"touser": "o_alice", "msgtype": "text"}))["errcode"] == 47001
    async with api.session.post(
        api.url("message/custom/send"), params={"access_token": api.token}, data=b"{not json"
    ) as response:
        assert (await response.json())["errcode"] == 47001
    typo = {"touser": "o_alice", "msgtype": "text", "text": {"content": "x"}, "to_user": "y"}
    assert (await api.custom(typo))["errcode"] == 0
    assert "unknown key(s) ['to_user']" in server.violations[-1].description
    assert len(server.violations) == 4


async def test_image_needs_a_live_media_id(
    server: FakeWeChat, api: Api, alice: FakeResident, clock: Clock
) -> None:
    media_id = (await api.upload(JPEG))["media_id"]

    def image(mid: str) -> dict[str, Any]:
        return {"touser": "o_alice", "msgtype": "image", "image": {"media_id": mid}}

    assert (await api.custom(image(media_id)))["errcode"] == 0
    assert alice.messages[-1].media_id == media_id
    assert (await api.custom(image("unknown")))["errcode"] == 40007
    clock.advance(3 * 24 * 3600)
    await api.fetch_token()
    await alice.say("again")
    assert (await api.custom(image(media_id)))["errcode"] == 40007


async def test_news_holds_one_article(server: FakeWeChat, api: Api, alice: FakeResident) -> None:
    article = {"title": "议题", "description": "说明", "url": "https://example.org/a"}

    def news(articles: list[Any]) -> dict[str, Any]:
        return {"touser": "o_alice", "msgtype": "news", "news": {"articles": articles}}

    assert (await api.custom(news([article])))["errcode"] == 0
    assert (await alice.next_message()).text == "议题\n说明"
    assert (await api.custom(news([article, article])))["errcode"] == 45008
    assert (await api.custom(news([])))["errcode"] == 44003
    assert (await api.custom(news([{"title": "无链接"}])))["errcode"] == 47001
    assert len(server.violations) == 3


async def test_msgmenu(server: FakeWeChat, api: Api, alice: FakeResident) -> None:
    answer = await api.menu_message(
        "o_alice", ("y", "满意"), ("n", "不满意"), head_content="您满意吗？", tail_content="谢谢"
    )
    assert answer["errcode"] == 0
    item = await alice.next_message()
    assert item.msgtype == "msgmenu"
    assert item.options == [("y", "满意"), ("n", "不满意")]
    assert item.labels == ["满意", "不满意"]
    assert item.text == "您满意吗？\n满意\n不满意\n谢谢"
    assert server.violations == []


@pytest.mark.parametrize(
    ("msgmenu", "errcode"),
    [
        ({"list": []}, 40058),
        ({"list": [{"id": str(i), "content": "x"} for i in range(11)]}, 40058),
        ({"list": [{"id": "1", "content": "a"}, {"id": "1", "content": "b"}]}, 40058),
        ({"list": [{"id": "", "content": "a"}]}, 40058),
        ({"list": [{"id": "1", "content": ""}]}, 40058),
        ({"list": [{"id": 1, "content": "a"}]}, 40058),
        ({"list": "1,2"}, 47001),
        ({"list": [{"id": "1", "content": "a"}], "head_content": 5}, 47001),
    ],
)
async def test_msgmenu_rules(
    server: FakeWeChat, api: Api, alice: FakeResident, msgmenu: dict[str, Any], errcode: int
) -> None:
    body = {"touser": "o_alice", "msgtype": "msgmenu", "msgmenu": msgmenu}
    assert (await api.custom(body))["errcode"] == errcode
    assert len(server.violations) == 1
    assert alice.messages == []


async def test_long_menu_options_are_accepted_but_violations(
    server: FakeWeChat, api: Api, alice: FakeResident
) -> None:
    answer = await api.menu_message("o_alice", ("i" * 65, "选项"), ("2", "长" * 101))
    assert answer["errcode"] == 0
    assert len(alice.messages) == 1
    assert [v.description for v in server.violations] == [
        "msgmenu.list[0].id is longer than 64 bytes",
        "msgmenu.list[1].content is longer than 100 characters",
    ]


async def test_waiting_for_messages(server: FakeWeChat, api: Api, alice: FakeResident) -> None:
    waiting = asyncio.create_task(alice.next_message(timeout=2))
    await asyncio.sleep(0)
    await api.text("o_alice", "第一条")
    assert (await waiting).content == "第一条"
    await api.text("o_alice", "第二条")
    await api.text("o_alice", "第三条 办结")
    assert (await alice.sees("第二条")).content == "第二条"  # the cursor stays
    assert (await alice.wait_for("办结")).content == "第三条 办结"  # skips the second
    with pytest.raises(AssertionError, match=r"no new message for o_alice within 0\.05s"):
        await alice.next_message(timeout=0.05)
    with pytest.raises(AssertionError, match="第三条 办结"):  # recent messages are listed
        await alice.wait_for("没有", timeout=0.05)
