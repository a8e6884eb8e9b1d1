"""media/upload and media/get, qrcode/create (and showqrcode), menu/create, get, delete."""

from __future__ import annotations

from typing import Any

import pytest

from fakewechat import FakeWeChat

from .conftest import JPEG, PNG, Api, Clock, Receiver


async def test_upload_and_get(server: FakeWeChat, api: Api, clock: Clock) -> None:
    answer = await api.upload(JPEG)
    assert set(answer) == {"type", "media_id", "created_at"}
    assert (answer["type"], answer["created_at"]) == ("image", int(clock.now))
    params = {"access_token": api.token, "media_id": answer["media_id"]}
    async with api.session.get(api.url("media/get"), params=params) as response:
        assert response.content_type == "image/jpeg"
        assert await response.read() == JPEG
    png = await api.upload(PNG)
    params["media_id"] = png["media_id"]
    async with api.session.get(api.url("media/get"), params=params) as response:
        assert response.content_type == "image/png"
    clock.advance(3 * 24 * 3600)
    params["access_token"] = await api.fetch_token()
    async with api.session.get(api.url("media/get"), params=params) as response:
        assert (await response.json())["errcode"] == 40007
    assert (await api.get("media/get", access_token=api.token))["errcode"] == 41006
    assert [v.call.errcode for v in server.violations if v.call] == [40007, 41006]


@pytest.mark.parametrize(
    ("data", "kind", "errcode"),
    [
        (b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "image", 40009),
        (b"GIF89a" + b"\x00" * 20, "image", 40005),
        (b"RIFF....WEBP", "image", 40005),
        (JPEG, "sticker", 40004),
        (JPEG, None, 40004),
        (b"", "image", 44001),
        (b"\xff\xd8\xff" + b"\x00" * (64 * 1024), "thumb", 40012),
        (b"OggS", "voice", 40005),
    ],
)
async def test_upload_rules(
    server: FakeWeChat, api: Api, data: bytes, kind: str | None, errcode: int
) -> None:
    assert (await api.upload(data, kind))["errcode"] == errcode
    assert len(server.violations) == 1


async def test_upload_needs_the_media_field(server: FakeWeChat, api: Api) -> None:
    assert (await api.upload(JPEG, field="file"))["errcode"] == 41005


async def test_qrcode_create(server: FakeWeChat, api: Api, clock: Clock) -> None:
    permanent = {
        "action_name": "QR_LIMIT_STR_SCENE",
        "action_info": {"scene": {"scene_str": "st_1"}},
    }
    first = await api.post("qrcode/create", permanent)
    assert set(first) == {"ticket", "url"}
    assert first["url"].startswith("http://weixin.qq.com/q/")
    assert await api.post("qrcode/create", permanent) == first  # same scene, same code
    temporary = {
        "action_name": "QR_STR_SCENE",
        "expire_seconds": 600,
        "action_info": {"scene": {"scene_str": "tmp_1"}},
    }
    temp = await api.post("qrcode/create", temporary)
    assert temp["expire_seconds"] == 600
    assert (await api.post("qrcode/create", temporary))["ticket"] != temp["ticket"]
    numeric = {"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 42}}}
    assert "ticket" in await api.post("qrcode/create", numeric)
    assert set(server.qr_codes) == {"st_1", "tmp_1", "42"}
    assert server.qr_codes["st_1"] == first["ticket"]
    async with api.session.get(api.url("showqrcode"), params={"ticket": first["ticket"]}) as r:
        assert r.content_type == "image/png"
        assert (await r.read()).startswith(b"\x89PNG")
    assert server.violations == []


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"action_name": "QR_FOREVER", "action_info": {"scene": {"scene_str": "a"}}}, 40052),
        ({"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": ""}}}, 40053),
        (
            {
                "action_name": "QR_LIMIT_STR_SCENE",
                "action_info": {"scene": {"scene_str": "x" * 65}},
            },
            40053,
        ),
        ({"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_id": 1}}}, 40053),
        ({"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 100_001}}}, 40053),
        ({"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene_str": "a"}}, 40053),
        (
            {
                "action_name": "QR_STR_SCENE",
                "expire_seconds": 2_592_001,
                "action_info": {"scene": {"scene_str": "a"}},
            },
            40053,
        ),
    ],
)
async def test_qrcode_rules(
    server: FakeWeChat, api: Api, body: dict[str, Any], errcode: int
) -> None:
    assert (await api.post("qrcode/create", body))["errcode"] == errcode
    assert len(server.violations) == 1
    assert server.qr_codes == {}


async def test_temporary_codes_expire(
    server: FakeWeChat, receiver: Receiver, api: Api, clock: Clock
) -> None:
    body = {
        "action_name": "QR_STR_SCENE",
        "expire_seconds": 60,
        "action_info": {"scene": {"scene_str": "tmp"}},
    }
    await api.post("qrcode/create", body)
    alice = server.resident("o_alice")
    clock.advance(60)
    with pytest.raises(AssertionError, match="expired"):
        await alice.scan("tmp")


MENU: dict[str, Any] = {
    "button": [
        {"type": "click", "name": "反映问题", "key": "report"},
        {
            "name": "更多",
            "sub_button": [
                {"type": "click", "name": "我的反映", "key": "mine"},
                {"type": "view", "name": "联络站介绍", "url": "https://example.org"},
                {"type": "location_select", "name": "发送位置", "key": "where"},
            ],
        },
    ]
}


async def test_menu_create_get_delete(server: FakeWeChat, api: Api) -> None:
    assert await api.post("menu/create", MENU) == {"errcode": 0, "errmsg": "ok"}
    assert server.menu == MENU["button"]
    got = await api.get("menu/get", access_token=api.token)
    assert got == {"menu": {"button": MENU["button"]}}
    assert (await api.get("menu/delete", access_token=api.token))["errcode"] == 0
    assert server.menu is None
    assert (await api.get("menu/get", access_token=api.token))["errcode"] == 46003
    assert server.violations == []


def sub(**button: Any) -> dict[str, Any]:
    return {"button": [{"name": "更多", "sub_button": [button]}]}


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": []}, 40016),
        ({"button": [{"type": "click", "name": "a", "key": "k"}] * 4}, 40016),
        ({"button": [{"type": "tap", "name": "a", "key": "k"}]}, 40017),
        ({"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]}, 40018),  # 18 bytes
        ({"button": [{"type": "click", "name": "a", "key": "k" * 129}]}, 40019),
        ({"button": [{"type": "click", "name": "a"}]}, 40019),
        ({"button": [{"type": "view", "name": "a"}]}, 40020),
        ({"button": [{"type": "view", "name": "a", "url": "https://e.org/" + "x" * 1011}]}, 40020),
        ({"button": [{"type": "view", "name": "a", "url": "ftp://e.org"}]}, 40055),
        ({"button": [{"name": "a", "sub_button": []}]}, 40023),
        (
            {
                "button": [
                    {"name": "a", "sub_button": [{"type": "click", "name": "b", "key": "k"}] * 6}
                ]
            },
            40023,
        ),
        (sub(type="tap", name="b", key="k"), 40024),
        (sub(type="click", name="字" * 21, key="k"), 40025),  # 63 bytes
        (sub(type="click", name="b", key="k" * 129), 40026),
        (sub(type="view", name="b", url="x" * 1025), 40027),
        (sub(type="view", name="b", url="e.org"), 40054),
        (sub(name="b", sub_button=[{"type": "click", "name": "c", "key": "k"}]), 40022),
        (sub(type="media_id", name="b"), 40007),
        (sub(type="miniprogram", name="b", url="https://e.org"), 40058),
        ({"button": "x"}, 40016),
        ({"button": ["x"]}, 47001),
    ],
)
async def test_menu_rules(server: FakeWeChat, api: Api, menu: dict[str, Any], errcode: int) -> None:
    assert (await api.post("menu/create", menu))["errcode"] == errcode
    assert server.menu is None
    assert len(server.violations) == 1


async def test_menu_names_count_bytes(server: FakeWeChat, api: Api) -> None:
    ok = {
        "button": [
            {"type": "click", "name": "一二三四五", "key": "k"},  # 15 bytes
            {"name": "更多", "sub_button": [{"type": "click", "name": "字" * 20, "key": "k2"}]},
        ]
    }
    assert (await api.post("menu/create", ok))["errcode"] == 0
