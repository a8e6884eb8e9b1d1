"""message/template/send: template ids and keys, cutting to 20 characters, followers,
client_msg_id, and the TEMPLATESENDJOBFINISH push."""

from __future__ import annotations

import aiohttp
import pytest

from fakewechat import FakeResident, FakeWeChat

from .conftest import KEYS, Api, Clock, Receiver, running_receiver, values


@pytest.fixture
async def alice(server: FakeWeChat, receiver: Receiver) -> FakeResident:
    resident = server.resident("o_alice", "Alice")
    await resident.follow()
    return resident


async def test_template_is_delivered_and_the_job_finishes(
    server: FakeWeChat, receiver: Receiver, api: Api, alice: FakeResident, clock: Clock
) -> None:
    clock.advance(3600)  # no window needed
    await api.fetch_token()
    data = values(
        character_string1="R-2024-001",
        thing2="路灯已修复",
        phrase3="已办结",
        time4="2024-05-01 10:00",
    )
    answer = await api.template("o_alice", data, url="https://example.org/r/1")
    assert (answer["errcode"], answer["errmsg"]) == (0, "ok")
    assert isinstance(answer["msgid"], int)
    item = await alice.next_message()
    assert (item.msgtype, item.via, item.template_id, item.msgid) == (
        "template",
        "template",
        "tpl_progress_0001",
        answer["msgid"],
    )
    assert item.data == {
        "character_string1": "R-2024-001",
        "thing2": "路灯已修复",
        "phrase3": "已办结",
        "time4": "2024-05-01 10:00",
    }
    assert item.text == "R-2024-001\n路灯已修复\n已办结\n2024-05-01 10:00"
    assert item.url == "https://example.org/r/1"
    assert item.cut == []
    assert alice.templates == [item]
    assert server.templates_sent == [item]
    finish = await receiver.wait_event("TEMPLATESENDJOBFINISH")
    assert (finish["MsgID"], finish["Status"]) == (str(answer["msgid"]), "success")
    assert (finish["FromUserName"], finish["ToUserName"]) == ("o_alice", server.original_id)
    assert finish["CreateTime"] == str(int(clock.now))
    assert server.window("o_alice").event_left == 3  # template sends use no window quota
    assert server.violations == []
    assert receiver.problems == []


async def test_values_are_cut_to_20_characters_emoji_dropped(
    server: FakeWeChat, api: Api, alice: FakeResident
) -> None:
    long = "小区东门路灯不亮已经一周了请尽快修理谢谢大家"  # 22 characters
    answer = await api.template("o_alice", values(thing2=long, phrase3="已办结🎉"))
    assert answer["errcode"] == 0
    item = await alice.next_message()
    assert item.data["thing2"] == long[:20]
    assert item.data["phrase3"] == "已办结"
    assert item.cut == ["thing2"]
    assert server.violations == []  # cutting is reported in ``cut``, not a violation


async def test_line_breaks_and_empty_values_are_violations(
    server: FakeWeChat, api: Api, alice: FakeResident
) -> None:
    answer = await api.template("o_alice", values(thing2="第一行\n第二行", phrase3=""))
    assert answer["errcode"] == 0
    assert alice.messages[-1].data["thing2"] == "第一行第二行"
    assert [v.description for v in server.violations] == [
        "data.thing2.value contains a line break (WeChat drops line breaks)",
        "data.phrase3.value is empty (the field shows nothing)",
    ]


async def test_template_errors(server: FakeWeChat, api: Api, alice: FakeResident) -> None:
    assert (await api.template("o_alice", values(), template_id="tpl_nope"))["errcode"] == 40037
    assert (await api.template("o_ghost", values()))["errcode"] == 40003
    missing = values()
    del missing["time4"]
    assert (await api.template("o_alice", missing))["errcode"] == 47003
    extra = {**values(), "first": {"value": "您好"}}
    assert (await api.template("o_alice", extra))["errcode"] == 47003
    assert (await api.template("o_alice", {**values(), "thing2": "裸字符串"}))["errcode"] == 47003
    assert (await api.template("o_alice", {**values(), "thing2": {"value": 5}}))["errcode"] == 47003
    assert (await api.template("o_alice", values(), colour="#f00"))["errcode"] == 0
    assert [v.call.errcode for v in server.violations if v.call] == [
        40037,
        40003,
        47003,
        47003,
        47003,
        47003,
        0,
    ]
    assert "unknown key(s) ['colour']" in server.violations[-1].description


async def test_not_a_follower_is_43004(server: FakeWeChat, receiver: Receiver, api: Api) -> None:
    bob = server.resident("o_bob")
    assert (await api.template("o_bob", values()))["errcode"] == 43004
    assert bob.messages == []
    assert server.violations == []


async def test_client_msg_id_sends_once(
    server: FakeWeChat, api: Api, alice: FakeResident, clock: Clock
) -> None:
    first = await api.template("o_alice", values(), client_msg_id="notice-1")
    again = await api.template("o_alice", values(), client_msg_id="notice-1")
    assert first["msgid"] == again["msgid"]
    assert len(alice.templates) == 1
    assert len(server.duplicates) == 1
    clock.advance(600)
    await api.fetch_token()
    later = await api.template("o_alice", values(), client_msg_id="notice-1")
    assert later["msgid"] != first["msgid"]
    assert len(alice.templates) == 2


async def test_blocked_user_and_failing_job_pushes(
    server: FakeWeChat, receiver: Receiver, api: Api, alice: FakeResident
) -> None:
    alice.blocks_templates = True
    answer = await api.template("o_alice", values())
    assert answer["errcode"] == 0
    assert alice.templates == []
    finish = await receiver.wait_event("TEMPLATESENDJOBFINISH")
    assert (finish["MsgID"], finish["Status"]) == (str(answer["msgid"]), "failed:user block")
    # a bot that fails the push is not in violation (WeChat retries, nobody sees it) ...
    receiver.statuses = [500, 500, 500]
    await api.template("o_alice", values())
    await server.drain()
    assert server.callbacks[-1].status == 500
    assert len(server.callbacks[-1].attempts) == 3
    assert server.violations == []
    # ... but a passive reply to it is: nobody would see it
    receiver.reply = lambda inner: "<xml><MsgType>text</MsgType></xml>"
    await api.template("o_alice", values())
    await server.drain()
    assert "WeChat discards a reply to TEMPLATESENDJOBFINISH" in server.violations[-1].description


async def test_custom_templates_and_bot_env(clock: Clock) -> None:
    templates = {"tpl_a": ["keyword1", "keyword2"], "tpl_b": ["thing1"]}
    async with FakeWeChat(clock=clock, templates=templates) as server:
        env = server.bot_env()
        assert (
            env["LIAISON_WECHAT_TEMPLATE_PROGRESS"],
            env["LIAISON_WECHAT_TEMPLATE_REPLY"],
            env["LIAISON_WECHAT_TEMPLATE_BROADCAST"],
        ) == ("tpl_a", "tpl_b", "tpl_a")
        assert server.templates == {"tpl_a": ["keyword1", "keyword2"], "tpl_b": ["thing1"]}
        server.template_job_events = False
        async with running_receiver(server), aiohttp.ClientSession() as session:
            alice = server.resident("o_alice")
            await alice.follow()
            api = Api(server, session)
            await api.fetch_token()
            data = {"thing1": {"value": "x", "color": "#173177"}}
            answer = await api.template("o_alice", data, template_id="tpl_b")
            assert answer["errcode"] == 0
            assert (await api.template("o_alice", values()))["errcode"] == 40037
        assert [c.event for c in server.callbacks] == ["subscribe"]


async def test_default_bot_env(server: FakeWeChat) -> None:
    env = server.bot_env()
    assert env == {
        "LIAISON_WECHAT_APP_ID": "wxfake0000000001",
        "LIAISON_WECHAT_SECRET": "fake-wechat-secret",
        "LIAISON_WECHAT_TOKEN": "fake-wechat-token",
        "LIAISON_WECHAT_AES_KEY": server.aes_key,
        "LIAISON_WECHAT_API_BASE_URL": server.base_url,
        "LIAISON_WECHAT_LISTEN": "127.0.0.1",
        "LIAISON_WECHAT_PORT": "0",
        "LIAISON_WECHAT_PATH": "/wechat/callback",
        "LIAISON_WECHAT_TEMPLATE_PROGRESS": "tpl_progress_0001",
        "LIAISON_WECHAT_TEMPLATE_REPLY": "tpl_reply_0001",
        "LIAISON_WECHAT_TEMPLATE_BROADCAST": "tpl_broadcast_0001",
    }
    assert server.base_url.startswith("http://127.0.0.1:")
    assert list(server.templates["tpl_reply_0001"]) == list(KEYS)
