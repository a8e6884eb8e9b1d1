"""message/send: recipients, message types, sizes, media."""

from __future__ import annotations

import aiohttp

from fakewecom import FakeWeCom

from .conftest import Api, Clock

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_text_is_delivered(server: FakeWeCom, api: Api) -> None:
    alice = server.member("Alice", "Alice")
    answer = await api.text("alice", "你好，联络站")
    assert answer["errcode"] == 0
    assert answer["invaliduser"] == ""
    assert answer["msgid"]
    assert "response_code" not in answer
    item = await alice.next_message()
    assert (item.msgtype, item.content, item.msgid) == ("text", "你好，联络站", answer["msgid"])
    assert server.violations == []


async def test_text_limit_is_2048_bytes(server: FakeWeCom, api: Api) -> None:
    alice = server.member("alice", "Alice")
    assert (await api.text("alice", "字" * 682 + "ab"))["errcode"] == 0  # 2048 bytes
    too_long = await api.text("alice", "字" * 683)  # 2049 bytes
    assert too_long["errcode"] == 45002
    markdown = {"touser": "alice", "msgtype": "markdown", "markdown": {"content": "x" * 2049}}
    assert (await api.send(markdown))["errcode"] == 45002
    assert (await api.text("alice", ""))["errcode"] == 44004
    assert len(alice.messages) == 1
    assert [v.call.errcode for v in server.violations if v.call] == [45002, 45002, 44004]


async def test_recipients(server: FakeWeCom, api: Api) -> None:
    alice = server.member("alice", "Alice")
    bob = server.member("bob", "Bob")
    bob.leave()
    answer = await api.text("alice|BOB|Ghost", "hi")
    assert answer["errcode"] == 0
    assert answer["invaliduser"] == "bob|ghost"
    assert len(alice.messages) == 1
    assert bob.messages == []
    assert [v.description for v in server.violations] == [
        "touser 'Ghost' is not a member of the corp"
    ]
    server.violations.clear()
    all_bad = await api.text("bob", "hi")
    assert (all_bad["errcode"], all_bad["invaliduser"]) == (81013, "bob")
    assert server.violations == []  # a member who left is a runtime condition
    assert (await api.text("ghost", "hi"))["errcode"] == 81013
    assert len(server.violations) == 1
    assert "'ghost' is not a member" in server.violations[0].description
    too_many = "|".join(f"u{i}" for i in range(1001))
    assert (await api.text(too_many, "hi"))["errcode"] == 40058
    assert (await api.send({"msgtype": "text", "text": {"content": "x"}}))["errcode"] == 40058


async def test_agentid_and_msgtype(server: FakeWeCom, api: Api) -> None:
    server.member("alice", "Alice")
    body = {"touser": "alice", "msgtype": "text", "text": {"content": "x"}}
    assert (await api.send({**body, "agentid": 1}))["errcode"] == 40056
    assert (await api.send({**body, "agentid": "1000002"}))["errcode"] == 40056
    assert (await api.post("message/send", body))["errcode"] == 41011
    voice = {"touser": "alice", "msgtype": "voice", "voice": {"media_id": "m"}}
    assert (await api.send(voice))["errcode"] == 40008
    assert (await api.send({"touser": "alice", "msgtype": "text"}))["errcode"] == 40058
    async with api.session.post(
        f"{server.base_url}/cgi-bin/message/send",
        params={"access_token": api.token},
        data=b"{not json",
    ) as response:
        assert (await response.json())["errcode"] == 47001
    assert len(server.violations) == 6


async def test_unknown_fields_are_violations_but_accepted(server: FakeWeCom, api: Api) -> None:
    server.member("alice", "Alice")
    answer = await api.send(
        {"touser": "alice", "msgtype": "text", "text": {"content": "x"}, "to_user": "a"}
    )
    assert answer["errcode"] == 0
    assert "unknown key(s) ['to_user']" in server.violations[0].description


async def test_news(server: FakeWeCom, api: Api) -> None:
    alice = server.member("alice", "Alice")
    article = {"title": "议题", "description": "说明", "url": "https://example.org/a"}
    ok = await api.send({"touser": "alice", "msgtype": "news", "news": {"articles": [article]}})
    assert ok["errcode"] == 0
    assert "议题" in (await alice.next_message()).text
    nine = {"articles": [article] * 9}
    assert (await api.send({"touser": "alice", "msgtype": "news", "news": nine}))[
        "errcode"
    ] == 45008
    untitled = {"articles": [{"url": "https://example.org"}]}
    assert (await api.send({"touser": "alice", "msgtype": "news", "news": untitled}))[
        "errcode"
    ] == 41016


async def test_image_needs_a_live_media_id(server: FakeWeCom, api: Api, clock: Clock) -> None:
    alice = server.member("alice", "Alice")
    data = aiohttp_form(PNG)
    async with api.session.post(
        f"{server.base_url}/cgi-bin/media/upload",
        params={"access_token": api.token, "type": "image"},
        data=data,
    ) as response:
        media_id = (await response.json())["media_id"]

    def image(mid: str) -> dict[str, object]:
        return {"touser": "alice", "msgtype": "image", "image": {"media_id": mid}}

    assert (await api.send(image(media_id)))["errcode"] == 0
    assert alice.messages[-1].media_id == media_id
    assert (await api.send(image("unknown")))["errcode"] == 40007
    clock.advance(3 * 24 * 3600)
    await api.fetch_token()
    assert (await api.send(image(media_id)))["errcode"] == 40007


def aiohttp_form(data: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("media", data, filename="a.png", content_type="image/png")
    return form
