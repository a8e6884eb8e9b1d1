"""Callbacks: encryption and fields, retries, timeouts, passive replies, URL verification,
forgeries and replays — against a tiny receiver that decrypts with fakewecom's functions."""

from __future__ import annotations

from typing import Any

import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from fakewecom import FakeWeCom, build_xml, parse_xml

from .conftest import Api, Clock, Receiver, button_card


async def test_say_is_an_encrypted_text_callback(
    server: FakeWeCom, receiver: Receiver, clock: Clock
) -> None:
    alice = server.member("alice", "Alice")
    assert await alice.say("路灯不亮了 <b> & ]]>") == 200
    (inner,) = receiver.received
    assert inner["ToUserName"] == server.corp_id
    assert inner["FromUserName"] == "alice"
    assert inner["CreateTime"] == str(int(clock.now))
    assert inner["MsgType"] == "text"
    assert inner["Content"] == "路灯不亮了 <b> & ]]>"
    assert inner["MsgId"].isdigit()
    assert inner["AgentID"] == str(server.agent_id)
    query, body = receiver.raw[0]
    outer = parse_xml(body)
    assert outer["AgentID"] == str(server.agent_id)
    assert query["timestamp"] == str(int(clock.now))
    # wechatpy (the adapter's library) decrypts what the fake sends
    crypto = WeChatCrypto(server.token, server.aes_key, server.corp_id)
    plain = crypto.decrypt_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
    assert parse_xml(plain)["Content"] == "路灯不亮了 <b> & ]]>"
    assert receiver.problems == []
    assert server.violations == []


async def test_each_callback_has_a_fresh_nonce(server: FakeWeCom, receiver: Receiver) -> None:
    alice = server.member("alice", "Alice")
    await alice.say("a")
    await alice.say("a")
    assert receiver.raw[0][0]["nonce"] != receiver.raw[1][0]["nonce"]
    assert receiver.raw[0][1] != receiver.raw[1][1]


async def test_other_messages_and_events(server: FakeWeCom, receiver: Receiver, api: Api) -> None:
    alice = server.member("alice", "Alice")
    assert await alice.send_image(b"\xff\xd8\xff photo") == 200
    assert await alice.send_location(45.77, 126.6, "哈尔滨") == 200
    assert await alice.enter_agent() == 200
    await api.post(
        "menu/create",
        {"button": [{"type": "click", "name": "反映", "key": "report"}]},
        agentid=server.agent_id,
    )
    assert await alice.click_menu("report") == 200
    image, location, enter, click = receiver.received
    assert image["MsgType"] == "image"
    assert image["PicUrl"].startswith(server.base_url)
    fetched = await api.get("media/get", access_token=api.token, media_id="x")
    assert fetched["errcode"] == 40007
    async with api.session.get(
        f"{server.base_url}/cgi-bin/media/get",
        params={"access_token": api.token, "media_id": image["MediaId"]},
    ) as response:
        assert await response.read() == b"\xff\xd8\xff photo"
    assert (location["Location_X"], location["Location_Y"]) == ("45.77", "126.6")
    assert location["Label"] == "哈尔滨"
    assert (enter["MsgType"], enter["Event"]) == ("event", "enter_agent")
    assert (click["Event"], click["EventKey"]) == ("click", "report")
    assert "MsgId" not in click


async def test_retries_on_500_with_the_identical_request(
    server: FakeWeCom, receiver: Receiver
) -> None:
    alice = server.member("alice", "Alice")
    receiver.statuses = [500, 502]
    assert await alice.say("hi") == 200
    assert len(receiver.raw) == 3
    assert receiver.raw[0] == receiver.raw[1] == receiver.raw[2]
    delivery = alice.last_delivery
    assert delivery is not None
    assert [a.status for a in delivery.attempts] == [500, 502, 200]
    assert len(server.violations) == 2


async def test_gives_up_after_three_attempts(server: FakeWeCom, receiver: Receiver) -> None:
    alice = server.member("alice", "Alice")
    receiver.statuses = [503] * 5
    assert await alice.say("hi") == 503
    assert len(receiver.raw) == 3
    server.callback_attempts = 1  # retries off
    receiver.statuses = [403]
    assert await alice.say("again") == 403
    assert len(receiver.raw) == 4


async def test_slow_answer_is_a_timeout(server: FakeWeCom, receiver: Receiver) -> None:
    alice = server.member("alice", "Alice")
    server.callback_timeout = 0.1
    server.callback_attempts = 2
    receiver.delay = 0.3
    assert await alice.say("hi") is None
    delivery = alice.last_delivery
    assert delivery is not None
    assert [a.status for a in delivery.attempts] == [None, None]
    assert "no answer within 0.1s" in str(server.violations[0])


async def test_press_and_passive_update_button(
    server: FakeWeCom, receiver: Receiver, api: Api
) -> None:
    alice, bob = server.member("alice", "Alice"), server.member("bob", "Bob")
    card = {"touser": "alice|bob", "msgtype": "template_card", "template_card": button_card("t9")}
    assert (await api.send(card))["errcode"] == 0

    def grey(inner: dict[str, Any]) -> str:
        return build_xml(
            {
                "ToUserName": inner["FromUserName"],
                "FromUserName": inner["ToUserName"],
                "CreateTime": 1,
                "MsgType": "update_button",
                "Button": {"ReplaceName": "已认领"},
            }
        )

    receiver.reply = grey
    assert await alice.press("t9", "按钮1") == 200
    event = receiver.received[-1]
    assert (event["MsgType"], event["Event"]) == ("event", "template_card_event")
    assert (event["EventKey"], event["TaskId"], event["CardType"]) == (
        "k1",
        "t9",
        "button_interaction",
    )
    assert alice.card("t9").replace_name == "已认领"
    assert bob.card("t9").replace_name is None
    with pytest.raises(AssertionError, match="replaced"):
        await alice.press("t9", "k0")
    # the event's ResponseCode updates the presser's card once (API)
    answer = await api.post(
        "message/update_template_card",
        {
            "agentid": server.agent_id,
            "response_code": event["ResponseCode"],
            "userids": ["alice"],
            "button": {"replace_name": "已办结"},
        },
    )
    assert answer["errcode"] == 0
    assert alice.card("t9").replace_name == "已办结"
    assert server.violations == []


async def test_passive_text_reply_and_bad_replies(server: FakeWeCom, receiver: Receiver) -> None:
    alice = server.member("alice", "Alice")

    def text(inner: dict[str, Any]) -> str:
        return build_xml(
            {
                "ToUserName": inner["FromUserName"],
                "FromUserName": server.corp_id,
                "CreateTime": 1,
                "MsgType": "text",
                "Content": "收到",
            }
        )

    receiver.reply = text
    assert await alice.say("hi") == 200
    assert (await alice.next_message()).content == "收到"
    assert alice.messages[-1].via == "passive"
    receiver.reply = lambda inner: build_xml({"MsgType": "update_button"})
    assert await alice.say("hi") == 200
    assert "ToUserName" in str(server.violations[-1])
    receiver.body_override = "success"  # WeChat MP's ack word is no WeCom reply
    assert await alice.say("hi") == 200
    assert "bad passive reply" in str(server.violations[-1])
    assert len(server.violations) == 2


async def test_verify_url(server: FakeWeCom, receiver: Receiver) -> None:
    assert await server.verify_url()
    receiver.echo_override = '"quoted"'
    assert not await server.verify_url()
    assert "expected 200" in str(server.violations[-1])


async def test_forgeries_and_replays(server: FakeWeCom, receiver: Receiver, clock: Clock) -> None:
    alice = server.member("alice", "Alice")
    assert await server.post_forged(alice, "x", bad_signature=True) == 403
    assert receiver.problems == ["bad signature"]
    assert await server.post_forged("alice", "x", corp_id="wwsomeoneelse") == 403
    assert receiver.problems[-1] == "foreign corp"
    assert await server.post_forged(alice, "stale", timestamp=int(clock.now) - 3600) == 200
    assert receiver.raw[-1][0]["timestamp"] == str(int(clock.now) - 3600)
    assert await alice.say("once") == 200
    delivery = alice.last_delivery
    assert delivery is not None
    assert await server.replay(delivery) == 200  # this receiver does not dedup
    assert receiver.raw[-1] == receiver.raw[-2]
    assert server.violations == []
