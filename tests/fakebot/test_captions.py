"""Captions on photos and albums, as Telegram takes them: length after entity parsing,
buttons on a photo, editMessageCaption, and what the simulated user sees of an album."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest

from fakebot import FakeBotApi


@pytest.fixture
async def alice_id(server: FakeBotApi) -> int:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    return alice.id


def markup(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"b:{i}") for i, label in enumerate(labels)]]
    )


async def test_a_caption_is_counted_after_entity_parsing(
    server: FakeBotApi, bot: Bot, alice_id: int
) -> None:
    alice = server.user(1001, "Alice")
    # 1024 visible units fit however much markup surrounds them; "&amp;" is one unit
    html = "<b>" + "说" * 1000 + "</b> " + "&amp;" * 23
    await bot.send_photo(alice_id, b"jpeg", caption=html, parse_mode="HTML")
    shown = await alice.next_message()
    assert shown.caption == "说" * 1000 + " " + "&" * 23
    assert (shown.html, shown.parse_mode) == (html, "HTML")
    # surrounding whitespace is stripped before counting
    await bot.send_photo(alice_id, b"jpeg", caption="\n  " + "x" * 1024 + "  \n")
    with pytest.raises(BadRequest, match=r"(?i)^Message caption is too long$"):
        await bot.send_photo(
            alice_id, b"jpeg", caption="<i>" + "x" * 1025 + "</i>", parse_mode="HTML"
        )
    # an emoji outside the BMP is two units
    with pytest.raises(BadRequest, match=r"(?i)Message caption is too long"):
        await bot.send_photo(alice_id, b"jpeg", caption="😀" * 513)
    assert [v.description for v in server.violations] == [
        "Bad Request: message caption is too long"
    ] * 2


async def test_a_photo_carries_its_caption_and_buttons(
    server: FakeBotApi, bot: Bot, alice_id: int
) -> None:
    alice = server.user(1001, "Alice")
    await bot.send_photo(
        alice_id,
        b"jpeg",
        caption="🆕 <b>新的群众反映</b>\n#1",
        parse_mode="HTML",
        reply_markup=markup("认领", "退回"),
    )
    card = await alice.next_message()
    assert (card.kind, card.caption, card.labels) == (
        "photo",
        "🆕 新的群众反映\n#1",
        ["认领", "退回"],
    )
    assert card.raw["caption_entities"] == [{"type": "bold", "offset": 3, "length": 6}]
    assert card.photo == b"jpeg"
    text = await bot.send_message(alice_id, "plain")
    assert (await alice.next_message()).caption is None
    assert text.caption is None


async def test_an_album_shows_the_caption_of_its_first_photo(
    server: FakeBotApi, bot: Bot, alice_id: int
) -> None:
    alice = server.user(1001, "Alice")
    await bot.send_message(alice_id, "before")
    await alice.next_message()
    sent = await bot.send_media_group(
        alice_id,
        [
            InputMediaPhoto(b"one", caption="<b>卡片</b> 文字", parse_mode="HTML"),
            InputMediaPhoto(b"two", parse_mode="HTML"),
            InputMediaPhoto(b"three"),
        ],
    )
    assert len({m.media_group_id for m in sent}) == 1
    first = await alice.wait_for("卡片")
    album = alice.album(first)
    assert [m.photo for m in album] == [b"one", b"two", b"three"]
    assert [m.caption for m in album] == ["卡片 文字", "", ""]
    assert all(m.media_group_id == first.media_group_id for m in album)
    assert alice.album(alice.messages[0]) == [alice.messages[0]]  # not in an album
    assert alice.unseen == []  # album() accounted for every photo

    # one item's caption too long: nothing of the album is sent
    count = len(alice.messages)
    with pytest.raises(BadRequest, match=r"(?i)Message caption is too long"):
        await bot.send_media_group(
            alice_id, [InputMediaPhoto(b"a"), InputMediaPhoto(b"b", caption="长" * 1025)]
        )
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_media_group(
            alice_id,
            [InputMediaPhoto(b"a", caption="<b>x", parse_mode="HTML"), InputMediaPhoto(b"b")],
        )
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_media_group(
            alice_id, [InputMediaPhoto(b"a"), InputMediaPhoto(b"b")], reply_to_message_id=999
        )
    assert len(alice.messages) == count
    # every item of an album answers the message it replies to
    answered = await bot.send_media_group(
        alice_id,
        [InputMediaPhoto(b"a"), InputMediaPhoto(b"b")],
        reply_to_message_id=first.message_id,
    )
    assert all(m.reply_to_message is not None for m in answered)
    assert {m.reply_to_message.message_id for m in answered if m.reply_to_message} == {
        first.message_id
    }


async def test_edit_message_caption(server: FakeBotApi, bot: Bot, alice_id: int) -> None:
    alice = server.user(1001, "Alice")
    photo = await bot.send_photo(
        alice_id, b"jpeg", caption="<b>新</b>", parse_mode="HTML", reply_markup=markup("认领")
    )
    card = await alice.next_message()

    # editMessageText on a photo: Telegram's wording, a violation
    with pytest.raises(BadRequest, match=r"(?i)^There is no text in the message to edit$"):
        await bot.edit_message_text("x", alice_id, photo.message_id)
    assert card.caption == "新" and card.edits == 0

    # the caption changes; without reply_markup the buttons go (as on Telegram)
    await bot.edit_message_caption(
        alice_id, photo.message_id, caption="#1 已由 <i>甲</i> 认领", parse_mode="HTML"
    )
    assert (card.caption, card.html, card.labels, card.edits) == (
        "#1 已由 甲 认领",
        "#1 已由 <i>甲</i> 认领",
        [],
        1,
    )
    assert str(server.transcript[-1]).endswith(f"edit #{card.message_id}: #1 已由 甲 认领")
    # the same again: not modified, nothing changes
    with pytest.raises(BadRequest, match=r"(?i)^Message is not modified: specified new"):
        await bot.edit_message_caption(
            alice_id, photo.message_id, caption="#1 已由 <i>甲</i> 认领", parse_mode="HTML"
        )
    # too long after parsing; a refused edit leaves the message as it was
    with pytest.raises(BadRequest, match=r"(?i)^Message caption is too long$"):
        await bot.edit_message_caption(alice_id, photo.message_id, caption="x" * 1025)
    assert (card.caption, card.edits) == ("#1 已由 甲 认领", 1)
    # buttons come back with reply_markup
    await bot.edit_message_caption(
        alice_id, photo.message_id, caption="再看", reply_markup=markup("查看")
    )
    assert (card.caption, card.labels, card.edits) == ("再看", ["查看"], 2)

    # on a message without media there is no caption to edit
    text = await bot.send_message(alice_id, "文字")
    with pytest.raises(BadRequest, match=r"(?i)^There is no caption in the message to edit$"):
        await bot.edit_message_caption(alice_id, text.message_id, caption="x")
    assert [v.method for v in server.violations] == [
        "editMessageText",
        "editMessageCaption",
        "editMessageCaption",
        "editMessageCaption",
    ]
    await alice.edited(card, "再看")


async def test_an_album_item_caption_can_be_edited(
    server: FakeBotApi, bot: Bot, alice_id: int
) -> None:
    alice = server.user(1001, "Alice")
    sent = await bot.send_media_group(
        alice_id, [InputMediaPhoto(b"one", caption="旧"), InputMediaPhoto(b"two")]
    )
    await bot.edit_message_caption(alice_id, sent[0].message_id, caption="新")
    await bot.edit_message_caption(alice_id, sent[1].message_id, caption="第二张")
    album = alice.album(alice.messages[0])
    assert [m.caption for m in album] == ["新", "第二张"]
    assert server.violations == []
