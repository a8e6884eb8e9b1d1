"""Callbacks: fields and encryption, plaintext mode, events, retries, timeouts, answers
(success / passive replies / wrong bodies), URL check, forgeries and replays."""

from __future__ import annotations

from typing import Any

import pytest
from wechatpy import create_reply, parse_message
from wechatpy.events import ScanEvent, SubscribeEvent, SubscribeScanEvent, UnsubscribeEvent

from fakewechat import FakeWeChat, build_xml, parse_xml

from .conftest import Api, Clock, Receiver, running_receiver, text_reply

SERVICE_UNAVAILABLE = "该公众号暂时无法提供服务，请稍后再试"


async def qr(api: Api, scene: str) -> dict[str, Any]:
    body = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
    return await api.post("qrcode/create", body)


async def test_say_is_a_signed_encrypted_text_callback(
    server: FakeWeChat, receiver: Receiver, clock: Clock
) -> None:
    alice = server.resident("o_alice", "Alice")
    await alice.follow()
    assert await alice.say("路灯不亮了 <b> & ]]>") == 200
    inner = receiver.received[-1]
    assert inner["ToUserName"] == server.original_id
    assert inner["FromUserName"] == "o_alice"
    assert inner["CreateTime"] == str(int(clock.now))
    assert inner["MsgType"] == "text"
    assert inner["Content"] == "路灯不亮了 <b> & ]]>"
    assert inner["MsgId"].isdigit() and int(inner["MsgId"]) >= 2**62
    query, body = receiver.raw[-1]
    assert list(query) == [
        "signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"
    ]  # fmt: skip
    assert query["timestamp"] == str(int(clock.now))
    assert query["openid"] == "o_alice"
    assert body.startswith(b"<xml><ToUserName><![CDATA[gh_fake00000001]]></ToUserName><Encrypt>")
    message = parse_message(receiver.crypto.decrypt_message(
        body, query["msg_signature"], query["timestamp"], query["nonce"]
    ))  # fmt: skip
    assert (message.type, message.content, message.source) == ("text", inner["Content"], "o_alice")
    assert receiver.problems == []
    assert server.violations == []
    assert alice.last_delivery is not None and alice.last_delivery.status == 200


async def test_plaintext_mode(clock: Clock) -> None:
    async with FakeWeChat(clock=clock, safe_mode=False) as server, running_receiver(server) as bot:
        alice = server.resident("o_alice")
        await alice.follow()
        bot.reply = lambda inner: text_reply(server, inner, "收到")
        assert await alice.say("你好") == 200
        query, body = bot.raw[-1]
        assert list(query) == ["signature", "timestamp", "nonce", "openid"]
        assert parse_xml(body)["Content"] == "你好"
        assert (await alice.wait_for("收到")).via == "passive"
        assert bot.problems == []
        assert server.violations == []


async def test_each_callback_has_a_fresh_nonce(server: FakeWeChat, receiver: Receiver) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    await alice.say("a")
    await alice.say("a")
    assert receiver.raw[-1][0]["nonce"] != receiver.raw[-2][0]["nonce"]
    assert receiver.raw[-1][1] != receiver.raw[-2][1]


async def test_follow_scan_unfollow_events(
    server: FakeWeChat, receiver: Receiver, api: Api
) -> None:
    alice = server.resident("o_alice")
    code = await qr(api, "st_12")
    assert server.qr_codes == {"st_12": code["ticket"]}
    with pytest.raises(AssertionError, match="qrcode/create"):
        await alice.scan("st_nope")
    with pytest.raises(AssertionError, match="not a follower"):
        await alice.say("hi")
    assert await alice.scan("st_12") == 200
    assert alice.follower
    sub = receiver.received[-1]
    assert (sub["MsgType"], sub["Event"], sub["EventKey"], sub["Ticket"]) == (
        "event", "subscribe", "qrscene_st_12", code["ticket"]
    )  # fmt: skip
    assert "MsgId" not in sub
    parsed = parse_message(build_xml(sub))
    assert isinstance(parsed, SubscribeScanEvent)
    assert parsed.scene_id == "st_12"
    assert await alice.scan("st_12") == 200
    scan = receiver.received[-1]
    assert (scan["Event"], scan["EventKey"], scan["Ticket"]) == ("SCAN", "st_12", code["ticket"])
    assert isinstance(parse_message(build_xml(scan)), ScanEvent)
    assert await alice.unfollow() == 200
    assert isinstance(parse_message(build_xml(receiver.received[-1])), UnsubscribeEvent)
    assert await alice.follow() == 200
    plain = receiver.received[-1]
    assert (plain["Event"], "EventKey" in plain) == ("subscribe", False)
    assert isinstance(parse_message(build_xml(plain)), SubscribeEvent)
    with pytest.raises(AssertionError, match="already follows"):
        await alice.follow()
    assert server.violations == []


async def test_other_messages(server: FakeWeChat, receiver: Receiver, api: Api) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    assert await alice.send_image(b"\xff\xd8\xff photo") == 200
    assert await alice.send_location(45.77, 126.6, "哈尔滨") == 200
    assert await alice.send_voice(b"#!AMR\nvoice") == 200
    assert await alice.send_link("标题", "说明", "https://example.org") == 200
    image, location, voice, link = receiver.received[-4:]
    assert image["MsgType"] == "image" and image["MsgId"].isdigit()
    assert image["PicUrl"].startswith(server.base_url)
    async with api.session.get(image["PicUrl"]) as response:
        assert await response.read() == b"\xff\xd8\xff photo"
    async with api.session.get(
        api.url("media/get"), params={"access_token": api.token, "media_id": image["MediaId"]}
    ) as response:
        assert await response.read() == b"\xff\xd8\xff photo"
    assert (location["Location_X"], location["Location_Y"]) == ("45.77", "126.6")
    assert (location["Scale"], location["Label"]) == ("15", "哈尔滨")
    assert (voice["MsgType"], voice["Format"]) == ("voice", "amr")
    assert (link["Title"], link["Url"]) == ("标题", "https://example.org")
    menu = {"button": [{"type": "click", "name": "反映", "key": "report"}]}
    await api.post("menu/create", menu)
    with pytest.raises(AssertionError, match="no click item"):
        await alice.click_menu("nope")
    assert await alice.click_menu("report") == 200
    click = receiver.received[-1]
    assert (click["Event"], click["EventKey"]) == ("CLICK", "report")
    assert parse_message(build_xml(click)).key == "report"
    await alice.report_location(45.7, 126.6, 30.0)
    assert receiver.received[-1]["Event"] == "LOCATION"
    assert receiver.received[-1]["Latitude"] == "45.7"
    assert receiver.problems == []


async def test_retries_on_500_with_the_identical_request(
    server: FakeWeChat, receiver: Receiver
) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    receiver.statuses = [500, 502]
    assert await alice.say("hi") == 200
    assert receiver.raw[-1] == receiver.raw[-2] == receiver.raw[-3]
    delivery = alice.last_delivery
    assert delivery is not None
    assert [a.status for a in delivery.attempts] == [500, 502, 200]
    assert len(server.violations) == 2
    assert alice.messages == []


async def test_gives_up_after_three_attempts(server: FakeWeChat, receiver: Receiver) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    receiver.statuses = [503] * 5
    assert await alice.say("hi") == 503
    assert len(receiver.raw) == 1 + 3
    assert (await alice.next_message()).text == SERVICE_UNAVAILABLE
    assert alice.last is not None and alice.last.via == "system"
    server.callback_attempts = 1
    receiver.statuses = [403]
    assert await alice.say("again") == 403
    assert len(receiver.raw) == 5


async def test_slow_answer_is_a_timeout(server: FakeWeChat, receiver: Receiver) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    server.callback_timeout = 0.05
    server.callback_attempts = 2
    receiver.delay = 0.2
    assert await alice.say("hi") is None
    delivery = alice.last_delivery
    assert delivery is not None
    assert [a.status for a in delivery.attempts] == [None, None]
    assert "no answer within 0.05s" in str(server.violations[0])
    assert len(server.violations) == 2


@pytest.mark.parametrize("body", ["", "success", "success\n"])
async def test_acknowledgements(server: FakeWeChat, receiver: Receiver, body: str) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    receiver.body_override = body
    assert await alice.say("hi") == 200
    assert alice.messages == []
    assert server.violations == []


@pytest.mark.parametrize("body", ["ok", '{"errcode": 0}', "SUCCESS", "<xml><broken"])
async def test_wrong_answers_are_violations(
    server: FakeWeChat, receiver: Receiver, body: str
) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    receiver.body_override = body
    assert await alice.say("hi") == 200
    assert len(receiver.raw) == 2  # no retry after a 200
    assert len(server.violations) == 1
    assert server.violations[0].where == "callback"
    assert (await alice.next_message()).text == SERVICE_UNAVAILABLE


async def test_passive_text_reply(server: FakeWeChat, receiver: Receiver) -> None:
    alice = server.resident("o_alice")
    receiver.reply = lambda inner: text_reply(server, inner, "欢迎关注")
    assert await alice.follow() == 200
    item = await alice.next_message()
    assert (item.msgtype, item.via, item.content) == ("text", "passive", "欢迎关注")
    delivery = alice.last_delivery
    assert delivery is not None and delivery.reply is not None
    assert delivery.reply["Content"] == "欢迎关注"
    assert server.window("o_alice").event_left == 3  # passive replies use no quota
    assert server.violations == []


async def test_passive_news_and_bad_replies(server: FakeWeChat, receiver: Receiver) -> None:
    alice = server.resident("o_alice")
    await alice.follow()

    def news(inner: dict[str, Any]) -> str:
        item = {"Title": "议题", "Description": "说明", "PicUrl": "", "Url": "https://e.org"}
        fields = {
            "ToUserName": inner["FromUserName"],
            "FromUserName": server.original_id,
            "CreateTime": 1,
            "MsgType": "news",
            "ArticleCount": 1,
            "Articles": {"item": item},
        }
        return build_xml(fields)

    receiver.reply = news
    assert await alice.say("hi") == 200
    assert (await alice.next_message()).text == "议题\n说明"
    assert server.violations == []
    receiver.reply = lambda inner: build_xml(
        {"ToUserName": inner["FromUserName"], "FromUserName": server.app_id, "CreateTime": 1,
         "MsgType": "text", "Content": "x"}
    )  # fmt: skip
    assert await alice.say("hi") == 200
    assert "FromUserName must be the original id" in str(server.violations[-1])
    receiver.reply = None
    receiver.body_override = text_reply(server, {"FromUserName": "o_alice"}, "明文")
    assert await alice.say("hi") == 200  # plaintext in safe mode
    assert "lacks ['Encrypt'" in str(server.violations[-1])
    assert len(server.violations) == 2
    assert [m.via for m in alice.messages] == ["passive", "system", "system"]


async def test_verify_url(server: FakeWeChat, receiver: Receiver) -> None:
    assert await server.verify_url()
    receiver.echo_override = '"quoted"'
    assert not await server.verify_url()
    assert "expected 200" in str(server.violations[-1])


async def test_forgeries_and_replays(server: FakeWeChat, receiver: Receiver, clock: Clock) -> None:
    alice = server.resident("o_alice")
    await alice.follow()
    assert await server.post_forged(alice, "x", bad_signature=True) == 403
    assert receiver.problems == ["bad signature"]
    assert await server.post_forged("o_alice", "x", app_id="wxsomeoneelse") == 403
    assert receiver.problems[-1] == "foreign appid"
    assert await server.post_forged(alice, "stale", timestamp=int(clock.now) - 3600) == 200
    assert receiver.raw[-1][0]["timestamp"] == str(int(clock.now) - 3600)
    assert server.window("o_alice").message_left == 0  # forgeries open no window
    assert await alice.say("once") == 200
    delivery = alice.last_delivery
    assert delivery is not None
    assert await server.replay(delivery) == 200  # this receiver does not dedup
    assert receiver.raw[-1] == receiver.raw[-2]
    assert server.callbacks[-1].forged
    assert server.violations == []


async def test_wechatpy_replies_are_accepted(server: FakeWeChat, receiver: Receiver) -> None:
    alice = server.resident("o_alice")
    await alice.follow()

    def reply(inner: dict[str, Any]) -> str:
        return str(create_reply("已收到您的反映", parse_message(build_xml(inner))).render())

    receiver.reply = reply
    assert await alice.say("路灯") == 200
    assert (await alice.next_message()).content == "已收到您的反映"
    assert server.violations == []
