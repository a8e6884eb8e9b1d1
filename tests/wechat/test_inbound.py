"""Decrypted push XML, as WeChat sends it (the samples of Receiving_standard_messages and
Receiving_event_pushes, with realistic ids) → WeChatEvent."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from wechatpy import parse_message

from wechat.inbound import Malformed, WeChatEvent, parse

OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8"


def xml(body: str, created: str = "1700000000") -> str:
    return (
        "<xml>\n"
        "  <ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>\n"
        f"  <FromUserName><![CDATA[{OPENID}]]></FromUserName>\n"
        f"  <CreateTime>{created}</CreateTime>\n"
        f"{body}"
        "</xml>"
    )


def event(name: str, extra: str = "") -> str:
    return xml(
        f"  <MsgType><![CDATA[event]]></MsgType>\n  <Event><![CDATA[{name}]]></Event>\n{extra}"
    )


TEXT = xml(
    "  <MsgType><![CDATA[text]]></MsgType>\n"
    "  <Content><![CDATA[ 小区路灯坏了\n请尽快修 ]]></Content>\n"
    "  <MsgId>24351234567890123456</MsgId>\n"
    "  <MsgDataId><![CDATA[]]></MsgDataId>\n"
    "  <Idx><![CDATA[]]></Idx>\n"
)
MENU_TAP = xml(
    "  <MsgType><![CDATA[text]]></MsgType>\n"
    "  <Content><![CDATA[满意]]></Content>\n"
    "  <MsgId>24351234567890123457</MsgId>\n"
    "  <bizmsgmenuid>r:17:5</bizmsgmenuid>\n"
)
IMAGE = xml(
    "  <MsgType><![CDATA[image]]></MsgType>\n"
    "  <PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz_jpg/abc/0]]></PicUrl>\n"
    "  <MediaId><![CDATA[lPnQ9mKZ0bH_media_id]]></MediaId>\n"
    "  <MsgId>24351234567890123458</MsgId>\n"
)
LOCATION = xml(
    "  <MsgType><![CDATA[location]]></MsgType>\n"
    "  <Location_X>23.134521</Location_X>\n"
    "  <Location_Y>113.358803</Location_Y>\n"
    "  <Scale>20</Scale>\n"
    "  <Label><![CDATA[广州市天河区]]></Label>\n"
    "  <MsgId>24351234567890123459</MsgId>\n"
)
FOLLOW_VIA_CODE = event(
    "subscribe",
    "  <EventKey><![CDATA[qrscene_st_xinfu]]></EventKey>\n  <Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRw]]></Ticket>\n",
)
FOLLOW_PLAIN = event("subscribe", "  <EventKey><![CDATA[]]></EventKey>\n")
SCAN = event(
    "SCAN",
    "  <EventKey><![CDATA[st_xinfu]]></EventKey>\n  <Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRw]]></Ticket>\n",
)
CLICK = event("CLICK", "  <EventKey><![CDATA[menu:report]]></EventKey>\n")
UNFOLLOW = event("unsubscribe", "  <EventKey><![CDATA[]]></EventKey>\n")
TEMPLATE_DONE = event(
    "TEMPLATESENDJOBFINISH",
    "  <MsgID>200163836</MsgID>\n  <Status><![CDATA[failed:user block]]></Status>\n",
)


def test_text_kept_as_typed() -> None:
    assert parse(TEXT) == WeChatEvent(
        kind="text",
        openid=OPENID,
        create_time=1700000000,
        key="msg:24351234567890123456",
        text=" 小区路灯坏了\n请尽快修 ",
    )


def test_msgmenu_tap_is_text_with_the_option_id() -> None:
    tapped = parse(MENU_TAP)
    assert (tapped.kind, tapped.text, tapped.menu_id, tapped.key) == (
        "text",
        "满意",
        "r:17:5",
        "msg:24351234567890123457",
    )
    # wechatpy sees an ordinary TextMessage; the id is only in its raw data.
    assert parse_message(MENU_TAP)._data["bizmsgmenuid"] == tapped.menu_id


def test_typed_text_has_no_menu_id() -> None:
    assert parse(TEXT).menu_id == ""


def test_image() -> None:
    image = parse(IMAGE)
    assert (image.kind, image.media_id, image.pic_url, image.key) == (
        "image",
        "lPnQ9mKZ0bH_media_id",
        "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0",
        "msg:24351234567890123458",
    )


def test_location_x_is_latitude() -> None:
    location = parse(LOCATION)
    assert (location.kind, location.lat, location.lon, location.label) == (
        "location",
        23.134521,
        113.358803,
        "广州市天河区",
    )


def test_follow_via_a_parametric_code_strips_the_prefix() -> None:
    follow = parse(FOLLOW_VIA_CODE)
    assert follow == WeChatEvent(
        kind="follow",
        openid=OPENID,
        create_time=1700000000,
        key=f"ev:{OPENID}:1700000000:subscribe",
        scene="st_xinfu",
    )
    assert parse_message(FOLLOW_VIA_CODE).scene_id == follow.scene  # as wechatpy does


def test_plain_follow_has_no_scene() -> None:
    follow = parse(FOLLOW_PLAIN)
    assert (follow.kind, follow.scene) == ("follow", "")
    assert parse(event("subscribe")).scene == ""  # no EventKey at all


def test_follow_via_a_barcode_is_no_scene_of_ours() -> None:
    follow = parse(event("subscribe", "<EventKey><![CDATA[scanbarcode|EAN_13|123]]></EventKey>"))
    assert (follow.kind, follow.scene) == ("follow", "")


def test_scan_by_a_follower_has_the_bare_scene() -> None:
    scan = parse(SCAN)
    assert (scan.kind, scan.scene, scan.key) == ("scan", "st_xinfu", f"ev:{OPENID}:1700000000:SCAN")
    assert parse_message(SCAN).scene_id == scan.scene


def test_menu_click() -> None:
    click = parse(CLICK)
    assert (click.kind, click.event_key, click.scene) == ("click", "menu:report", "")
    assert click.key == f"ev:{OPENID}:1700000000:CLICK"


def test_unfollow() -> None:
    assert parse(UNFOLLOW).kind == "unfollow"


def test_template_outcome() -> None:
    done = parse(TEMPLATE_DONE)
    assert (done.kind, done.status, done.ref) == ("template_done", "failed:user block", "200163836")
    assert done.key == f"ev:{OPENID}:1700000000:TEMPLATESENDJOBFINISH"


def test_event_names_compared_case_insensitively() -> None:
    assert parse(event("scan", "<EventKey>x</EventKey>")).kind == "scan"
    assert parse(event("click", "<EventKey>k</EventKey>")).event_key == "k"


@pytest.mark.parametrize(
    "body",
    [
        xml(
            "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m]]></MediaId>"
            "<Format><![CDATA[amr]]></Format><MsgId>9</MsgId>"
        ),
        xml(
            "<MsgType><![CDATA[link]]></MsgType><Title><![CDATA[t]]></Title>"
            "<Url><![CDATA[https://a.cn]]></Url><MsgId>10</MsgId>"
        ),
        event(
            "LOCATION",
            "<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude>"
            "<Precision>119.385040</Precision>",
        ),
        event("VIEW", "<EventKey><![CDATA[https://a.cn]]></EventKey><MenuId>1</MenuId>"),
    ],
)
def test_other_kinds(body: str) -> None:
    other = parse(body)
    assert other.kind == "other"
    assert other.openid == OPENID


def test_same_push_same_key_events_of_one_second_apart() -> None:
    assert parse(SCAN).key == parse(SCAN).key
    assert parse(SCAN).key != parse(CLICK).key
    assert (
        parse(SCAN).key
        != parse(event("SCAN", "<EventKey>x</EventKey>").replace("1700000000", "1700000001")).key
    )


@pytest.mark.parametrize(
    "sample", [TEXT, MENU_TAP, IMAGE, LOCATION, FOLLOW_VIA_CODE, SCAN, CLICK, TEMPLATE_DONE]
)
def test_round_trips_through_json(sample: str) -> None:
    parsed = parse(sample)
    assert WeChatEvent(**json.loads(json.dumps(asdict(parsed)))) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "not xml",
        "<xml><MsgType>text</MsgType></xml>",  # no sender
        xml("<Content>x</Content>"),  # no type
        xml("<MsgType>text</MsgType>", created="soon"),
        xml("<MsgType>location</MsgType><Location_X>north</Location_X>"),
    ],
)
def test_malformed(text: str) -> None:
    with pytest.raises(Malformed):
        parse(text)
