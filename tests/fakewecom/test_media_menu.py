"""media/upload, media/get and menu/create."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from fakewecom import FakeWeCom

from .conftest import Api, Clock

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


async def upload(api: Api, data: bytes, kind: str | None = "image") -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("media", data, filename="photo.jpg", content_type="image/jpeg")
    params = {"access_token": api.token}
    if kind is not None:
        params["type"] = kind
    url = f"{api.server.base_url}/cgi-bin/media/upload"
    async with api.session.post(url, params=params, data=form) as response:
        answer: dict[str, Any] = await response.json()
        return answer


async def test_upload_and_get(server: FakeWeCom, api: Api, clock: Clock) -> None:
    answer = await upload(api, JPEG)
    assert answer["errcode"] == 0
    assert answer["type"] == "image"
    assert answer["created_at"] == str(int(clock.now))
    url = f"{server.base_url}/cgi-bin/media/get"
    params = {"access_token": api.token, "media_id": answer["media_id"]}
    async with api.session.get(url, params=params) as response:
        assert response.content_type == "image/jpeg"
        assert await response.read() == JPEG
    clock.advance(3 * 24 * 3600)
    await api.fetch_token()
    params["access_token"] = api.token
    async with api.session.get(url, params=params) as response:
        assert (await response.json())["errcode"] == 40007
    assert server.violations[-1].call is not None


@pytest.mark.parametrize(
    ("data", "kind", "errcode"),
    [
        (b"\xff\xd8\xff\xe0\x00", "image", 40006),  # 5 bytes
        (b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "image", 40009),
        (b"GIF89a" + b"\x00" * 20, "image", 40004),
        (JPEG, "sticker", 40005),
        (JPEG, None, 40005),
        (b"", "file", 44001),
    ],
)
async def test_upload_rules(
    server: FakeWeCom, api: Api, data: bytes, kind: str | None, errcode: int
) -> None:
    assert (await upload(api, data, kind))["errcode"] == errcode
    assert len(server.violations) == 1


async def test_member_media_can_be_fetched(server: FakeWeCom, api: Api) -> None:
    media = server.member_media("alice", b"any bytes the phone sent")
    answer = await api.get("media/get", access_token=api.token, media_id="nope")
    assert answer["errcode"] == 40007
    url = f"{server.base_url}/cgi-bin/media/get"
    params = {"access_token": api.token, "media_id": media.media_id}
    async with api.session.get(url, params=params) as response:
        assert await response.read() == b"any bytes the phone sent"


MENU: dict[str, Any] = {
    "button": [
        {"type": "click", "name": "反映问题", "key": "report"},
        {
            "name": "更多",
            "sub_button": [
                {"type": "click", "name": "我的反映", "key": "mine"},
                {"type": "view", "name": "联络站", "url": "https://example.org"},
            ],
        },
    ]
}


async def test_menu_create_and_click(server: FakeWeCom, api: Api) -> None:
    answer = await api.post("menu/create", MENU, agentid=server.agent_id)
    assert answer["errcode"] == 0
    assert server.menu == MENU["button"]
    got = await api.get("menu/get", access_token=api.token, agentid=server.agent_id)
    assert got["button"] == MENU["button"]
    alice = server.member("alice", "Alice")
    with pytest.raises(AssertionError, match="no click item"):
        await alice.click_menu("nope")
    assert server.violations == []


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": []}, 40016),
        ({"button": [{"type": "click", "name": "a", "key": "k"}] * 4}, 40016),
        ({"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]}, 40018),  # 18 bytes
        ({"button": [{"type": "click", "name": "a", "key": "k" * 129}]}, 40019),
        ({"button": [{"type": "tap", "name": "a", "key": "k"}]}, 40017),
        ({"button": [{"type": "view", "name": "a"}]}, 40020),
        ({"button": [{"name": "a", "sub_button": []}]}, 40023),
        (
            {
                "button": [
                    {"name": "a", "sub_button": [{"type": "click", "name": "b", "key": "k"}] * 6}
                ]
            },
            40023,
        ),
        (
            {
                "button": [
                    {"name": "a", "sub_button": [{"type": "click", "name": "字" * 14, "key": "k"}]}
                ]
            },
            40025,
        ),
        (
            {
                "button": [
                    {"name": "a", "sub_button": [{"type": "click", "name": "b", "key": "k" * 129}]}
                ]
            },
            40026,
        ),
    ],
)
async def test_menu_rules(server: FakeWeCom, api: Api, menu: dict[str, Any], errcode: int) -> None:
    assert (await api.post("menu/create", menu, agentid=server.agent_id))["errcode"] == errcode
    assert server.menu is None


async def test_menu_needs_the_agentid(server: FakeWeCom, api: Api) -> None:
    assert (await api.post("menu/create", MENU))["errcode"] == 41011
    assert (await api.post("menu/create", MENU, agentid=1))["errcode"] == 40056
