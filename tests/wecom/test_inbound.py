"""Decrypted callback XML (WeCom's field names) → WeComEvent."""

from __future__ import annotations

import pytest

from wecom.inbound import Malformed, WeComEvent, parse

HEAD = (
    "<xml><ToUserName><![CDATA[ww1234567890abcdef]]></ToUserName>"
    "<FromUserName><![CDATA[ZhangSan]]></FromUserName>"
    "<CreateTime>1700000000</CreateTime>"
)
TAIL = "<AgentID>1000002</AgentID></xml>"


def xml(body: str) -> str:
    return HEAD + body + TAIL


def test_text() -> None:
    event = parse(
        xml(
            "<MsgType><![CDATA[text]]></MsgType>"
            "<Content><![CDATA[ 小区路灯坏了\n请尽快修 ]]></Content>"
            "<MsgId>7319874563210987654</MsgId>"
        )
    )
    assert event == WeComEvent(
        kind="text",
        userid="ZhangSan",
        create_time=1700000000,
        key="m:7319874563210987654",
        text=" 小区路灯坏了\n请尽快修 ",  # as typed
        agent_id="1000002",
    )


def test_image() -> None:
    event = parse(
        xml(
            "<MsgType><![CDATA[image]]></MsgType>"
            "<PicUrl><![CDATA[https://wework.qpic.cn/abc/0]]></PicUrl>"
            "<MediaId><![CDATA[3Xh8aPCbM_media]]></MediaId>"
            "<MsgId>1234567890</MsgId>"
        )
    )
    assert (event.kind, event.media_id, event.pic_url, event.key) == (
        "image",
        "3Xh8aPCbM_media",
        "https://wework.qpic.cn/abc/0",
        "m:1234567890",
    )


def test_location_x_is_latitude() -> None:
    event = parse(
        xml(
            "<MsgType><![CDATA[location]]></MsgType>"
            "<Location_X>39.9042</Location_X><Location_Y>116.4074</Location_Y>"
            "<Scale>15</Scale><Label><![CDATA[北京市东城区]]></Label>"
            "<MsgId>42</MsgId>"
        )
    )
    assert (event.kind, event.lat, event.lon, event.label) == (
        "location",
        39.9042,
        116.4074,
        "北京市东城区",
    )


def test_template_card_button_press() -> None:
    event = parse(
        xml(
            "<MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[template_card_event]]></Event>"
            "<EventKey><![CDATA[i:17:take]]></EventKey>"
            "<TaskId><![CDATA[t_42_abc]]></TaskId>"
            "<CardType><![CDATA[button_interaction]]></CardType>"
            "<ResponseCode><![CDATA[resp-code-1]]></ResponseCode>"
        )
    )
    assert event == WeComEvent(
        kind="press",
        userid="ZhangSan",
        create_time=1700000000,
        key="e:ZhangSan:1700000000:template_card_event:i:17:take:t_42_abc",
        event_key="i:17:take",
        task_id="t_42_abc",
        response_code="resp-code-1",
        agent_id="1000002",
    )


def test_menu_click() -> None:
    event = parse(
        xml(
            "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[click]]></Event>"
            "<EventKey><![CDATA[menu:report]]></EventKey>"
        )
    )
    assert (event.kind, event.event_key, event.key) == (
        "menu",
        "menu:report",
        "e:ZhangSan:1700000000:click:menu:report:",
    )


def test_enter_agent() -> None:
    event = parse(
        xml(
            "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event>"
            "<EventKey><![CDATA[]]></EventKey>"
        )
    )
    assert (event.kind, event.userid, event.key) == (
        "enter",
        "ZhangSan",
        "e:ZhangSan:1700000000:enter_agent::",
    )


@pytest.mark.parametrize(
    "body",
    [
        "<MsgType><![CDATA[voice]]></MsgType><MediaId>m</MediaId><Format>amr</Format>"
        "<MsgId>9</MsgId>",
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>",
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[LOCATION]]></Event>"
        "<Latitude>23.1</Latitude><Longitude>113.3</Longitude><Precision>30</Precision>",
        "<MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[template_card_menu_event]]></Event><EventKey>k</EventKey>",
    ],
)
def test_other_kinds(body: str) -> None:
    event = parse(xml(body))
    assert event.kind == "other"
    assert event.userid == "ZhangSan"


def test_same_event_same_key_different_press_different_key() -> None:
    press = (
        "<MsgType>event</MsgType><Event>template_card_event</Event>"
        "<EventKey>{}</EventKey><TaskId>t1</TaskId><ResponseCode>{}</ResponseCode>"
    )
    first = parse(xml(press.format("a", "r1")))
    assert parse(xml(press.format("a", "r1"))).key == first.key
    assert parse(xml(press.format("b", "r2"))).key != first.key


@pytest.mark.parametrize(
    "text",
    [
        "not xml",
        "<xml><MsgType>text</MsgType></xml>",  # no sender
        xml("<Content>x</Content>"),  # no type
        HEAD.replace("1700000000", "soon") + "<MsgType>text</MsgType>" + TAIL,
        xml("<MsgType>location</MsgType><Location_X>north</Location_X>"),
    ],
)
def test_malformed(text: str) -> None:
    with pytest.raises(Malformed):
        parse(text)
