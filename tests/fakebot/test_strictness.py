"""The fake server rejects what Telegram rejects, with Telegram's wording."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from fakebot import FakeBotApi


@pytest.fixture
async def alice_id(server: FakeBotApi) -> int:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    return alice.id


def markup(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("按钮", callback_data=data)]])


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("line<br>break", 'unsupported start tag "br" at byte offset 4'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ('<span class="red">x</span>', 'tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_html_errors(
    server: FakeBotApi, bot: Bot, alice_id: int, html: str, error: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^Can't parse entities") as info:
        await bot.send_message(alice_id, html, parse_mode="HTML")
    assert error in info.value.message.lower()
    assert len(server.violations) == 1
    assert server.violations[0].method == "sendMessage"
    assert server.violations[0].error_code == 400


async def test_html_accepted(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>"
        '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://example.org/?a=1&amp;b=2">link</a><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#20154;&#x5927; a & b'
    )
    sent = await bot.send_message(alice_id, html, parse_mode="HTML")
    assert sent.text is not None and sent.text.endswith('👍 <>&"人大 a & b')
    kinds = {e.type for e in sent.entities}
    assert {"bold", "italic", "underline", "strikethrough", "spoiler", "text_link", "pre"} <= kinds
    pre = next(e for e in sent.entities if e.type == "pre")
    assert pre.language == "python"
    assert server.violations == []


async def test_text_limits_count_utf16(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    await bot.send_message(alice_id, "x" * 4096)
    await bot.send_message(alice_id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await bot.send_message(alice_id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await bot.send_message(alice_id, "😀" * 2049)  # 4098 UTF-16 code units
    for empty in (" \n ", "<b> </b>"):
        with pytest.raises(BadRequest, match=r"(?i)Message text is empty"):
            await bot.send_message(alice_id, empty, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Message caption is too long"):
        await bot.send_photo(alice_id, b"jpeg", caption="说" * 1025)
    assert len(server.violations) == 5


async def test_callback_data_limit(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    await bot.send_message(alice_id, "ok", reply_markup=markup("d" * 64))
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(alice_id, "too long", reply_markup=markup("认" * 22))  # 66 bytes
    bad = {"inline_keyboard": [[{"text": "no action"}]]}
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(alice_id, "x", reply_markup=bad)  # type: ignore[arg-type]
    two = {"inline_keyboard": [[{"text": "t", "callback_data": "a", "url": "https://x.org"}]]}
    with pytest.raises(BadRequest, match=r"(?i)exactly one"):
        await bot.send_message(alice_id, "x", reply_markup=two)  # type: ignore[arg-type]
    flat = {"inline_keyboard": [{"text": "t", "callback_data": "a"}]}
    with pytest.raises(BadRequest, match=r"(?i)Array of Arrays"):
        await bot.send_message(alice_id, "x", reply_markup=flat)  # type: ignore[arg-type]
    empty = {"inline_keyboard": [[{"text": "", "callback_data": "a"}]]}
    with pytest.raises(BadRequest, match=r"(?i)non-empty"):
        await bot.send_message(alice_id, "x", reply_markup=empty)  # type: ignore[arg-type]
    assert len(server.violations) == 5


async def test_edit_rules(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    sent = await bot.send_message(
        alice_id, "<b>hi</b>", parse_mode="HTML", reply_markup=markup("a")
    )
    with pytest.raises(
        BadRequest, match=r"(?i)Message is not modified: specified new message content"
    ):
        await bot.edit_message_text(
            "<b>hi</b>", alice_id, sent.message_id, parse_mode="HTML", reply_markup=markup("a")
        )
    # Plain "hi" differs (no bold entity) and dropping the markup is a change too.
    await bot.edit_message_text("hi", alice_id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_reply_markup(alice_id, sent.message_id)
    await bot.edit_message_reply_markup(alice_id, sent.message_id, reply_markup=markup("b"))
    shown = server.user(1001, "Alice").messages[0]
    assert (shown.text, shown.labels, shown.edits) == ("hi", ["按钮"], 2)

    photo = await bot.send_photo(alice_id, b"jpeg-bytes", caption="c")
    with pytest.raises(BadRequest, match=r"(?i)There is no text in the message to edit"):
        await bot.edit_message_text("x", alice_id, photo.message_id)
    await bot.edit_message_caption(alice_id, photo.message_id, caption="new caption")
    with pytest.raises(BadRequest, match=r"(?i)There is no caption in the message to edit"):
        await bot.edit_message_caption(alice_id, sent.message_id, caption="x")

    assert await bot.delete_message(alice_id, sent.message_id)
    assert shown.deleted
    with pytest.raises(BadRequest, match=r"(?i)Message to delete not found"):
        await bot.delete_message(alice_id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await bot.edit_message_text("x", alice_id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await bot.edit_message_text("x", alice_id, 999)
    # The user's own /start message exists but is not the bot's.
    with pytest.raises(BadRequest, match=r"(?i)Message can't be edited"):
        await bot.edit_message_text("x", alice_id, 1)
    assert [v.error_code for v in server.violations] == [400] * 8


async def test_forbidden_and_unknown_chats(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    server.user(1002, "Bob")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(1002, "hello")
    alice = server.user(1001, "Alice")
    alice.block()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(alice_id, "hello")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_photo(alice_id, b"x")
    alice.unblock()
    await bot.send_message(alice_id, "back")
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message(4242, "hello")
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message("@nobody", "hello")
    # 403s are runtime conditions, not the bot's bugs.
    assert [v.description for v in server.violations] == [
        "Bad Request: chat not found",
        "Bad Request: chat not found",
    ]
    assert [c.error_code for c in server.calls if not c.ok] == [403, 403, 403, 400, 400]


async def test_callback_answers(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await bot.answer_callback_query("nope")
    assert server.violations[-1].method == "answerCallbackQuery"


async def raw(server: FakeBotApi, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """POST form data (or JSON with ``json=...``) directly, without PTB."""
    body = params.pop("json", None)
    url = f"{server.base_url}{server.token}/{method}"
    async with aiohttp.ClientSession() as session:
        if body is not None:
            request = session.post(url, json=body)
        else:
            request = session.post(url, data={k: str(v) for k, v in params.items()})
        async with request as response:
            return response.status, await response.json()


async def test_unknown_method_and_missing_params(server: FakeBotApi) -> None:
    assert await raw(server, "sendTelepathy", chat_id=1) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    status, body = await raw(server, "sendMessage", chat_id=1)
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await raw(server, "sendMessage", json={"text": "x"})
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await raw(server, "answerCallbackQuery")
    assert body["description"] == "Bad Request: callback_query_id is required"
    # Known but unimplemented: True-returning methods succeed, others answer 501.
    assert await raw(server, "setMyDefaultAdministratorRights") == (
        200,
        {"ok": True, "result": True},
    )
    status, body = await raw(server, "getStarTransactions")
    assert status == 501
    assert "does not implement getStarTransactions" in body["description"]
    assert [v.error_code for v in server.violations] == [404, 400, 400, 400, 501]


async def test_method_names_are_case_insensitive_and_get_works(server: FakeBotApi) -> None:
    _, body = await raw(server, "GETME")
    assert body["result"]["username"] == "liaison_test_bot"
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}{server.token}/getMyCommands?language_code=zh") as resp,
    ):
        assert await resp.json() == {"ok": True, "result": []}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}123:WRONG/getMe") as resp,
    ):
        assert resp.status == 401
