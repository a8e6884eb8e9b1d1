"""Photos as people see them: a card with photos arrives as one photo or one album with the
card's text as the caption (when it fits Telegram's 1024 units), its buttons on the photo or,
for an album, under the card's heading right after it; the card's later edits still land."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot

from bot.messages import Button, Outgoing
from fakebot import BotMessage, FakeBotApi, FakeUser
from handlers.messenger import CAPTIONED, TelegramMessenger, unpack
from handlers.render import caption_fits, heading, shorten, visible_text
from tests.e2e.conftest import TOKEN, World
from tests.e2e.helpers import bind, file_issue, open_bot, send_official
from tests.e2e.worlds import running_world

# The deputies' day-before reception reminder comes or not depending on the wall clock.
REMINDER = "接待日提醒"
CARD = ["认领", "退回", "不予受理"]


async def start(*people: FakeUser) -> None:
    """/start for each, and the reminder may come at any time."""
    await open_bot(*people)
    for person in people:
        person.tolerate(REMINDER)


async def next_photo(person: FakeUser) -> BotMessage:
    """The next message, a photo (the reminder may come before it)."""
    while (message := await person.next_message()).kind != "photo":
        assert REMINDER in message.text, message
    return message


async def nothing_more(world: World, *people: FakeUser) -> None:
    """Strict end: nobody got a message (or an edit) no step expected; nothing refused."""
    for person in people:
        await person.expect_no_more(ignore=[REMINDER])
    assert world.api.violations == [], [str(v) for v in world.api.violations]


async def album_card(deputy: FakeUser, number: int) -> tuple[list[BotMessage], BotMessage]:
    """The 'new issue' notice as an album with the card as its caption, then the buttons."""
    first = await deputy.wait_for("新的群众反映", strict=True)
    album = deputy.album(first)
    assert first.caption is not None and f"#{number}" in first.caption
    buttons = await deputy.wait_for("新的群众反映", strict=True)  # the album's photos are seen
    assert (buttons.kind, buttons.text, buttons.labels) == ("text", "🆕 新的群众反映", CARD)
    return album, buttons


async def test_three_photos_one_album_captioned_with_the_card_then_its_buttons(
    world: World,
) -> None:
    a, b = world.user(501, "甲"), world.user(502, "乙")
    staff = world.user(601, "站员")
    alice = world.user(1, "Alice")
    await start(a, b, staff)
    await bind(alice, "north")

    text = "北关路口有三个大坑连成一片，下雨天积水很深"
    number = await file_issue(alice, text, photos=3, location=(30.01, 120.01))
    # each deputy: ONE album whose first photo carries the card; the buttons under the card's
    # heading right after it; then the location pin
    for deputy in (a, b):
        album, _ = await album_card(deputy, number)
        assert [m.kind for m in album] == ["photo", "photo", "photo"]
        assert len({m.media_group_id for m in album}) == 1
        caption = album[0].caption
        assert caption is not None
        assert caption.startswith("🆕 新的群众反映\n")
        for fact in (f"#{number}", text, "照片：3 张", "签收时限"):
            assert fact in caption, caption
        assert [m.caption for m in album[1:]] == ["", ""]  # one caption for the album
        assert all(m.labels == [] for m in album)
        pin = await deputy.next_message()
        assert pin.kind == "location"
    sent = world.api.calls_to("sendMediaGroup")
    assert len(sent) == 2
    first_item = sent[0].params["media"][0]
    assert first_item["parse_mode"] == "HTML" and "<b>新的群众反映</b>" in first_item["caption"]
    assert world.api.calls_to("sendPhoto") == []
    await nothing_more(world, a, b, staff, alice)

    # 认领 works; the other deputy's buttons become who took it, the album stays as it was
    b_buttons = b.messages[-2]
    await a.tap("认领")
    card = await a.wait_for("办理中")
    assert "认领" not in card.labels and "答复" in card.labels
    taken = await b.edited(b_buttons, "已由 甲代表 认领")
    assert taken.labels == [] and taken.kind == "text"
    assert (b.album(b.messages[-5])[0].caption or "").startswith("🆕 新的群众反映")
    await alice.wait_for("认领办理")
    assert world.api.calls_to("editMessageCaption") == []
    await nothing_more(world, a, b, staff, alice)


async def test_one_photo_is_the_card_itself_with_its_caption_and_buttons(world: World) -> None:
    a, b = world.user(501, "甲"), world.user(502, "乙")
    alice = world.user(1, "Alice")
    await start(a, b)
    await bind(alice, "north")

    number = await file_issue(alice, "北关路 3 号的窨井盖翘起来了", photos=1)
    cards = {}
    for deputy in (a, b):
        card = await deputy.wait_for("新的群众反映", strict=True)
        assert (card.kind, card.media_group_id, card.labels) == ("photo", None, CARD)
        assert card.caption is not None and f"#{number}" in card.caption
        assert "北关路 3 号的窨井盖翘起来了" in card.caption and "照片：1 张" in card.caption
        cards[deputy.id] = card
    await nothing_more(world, a, b, alice)

    # 退回 on the photo: the reason is asked, then the caption says so and the buttons go
    await b.tap("退回", cards[b.id])
    await b.wait_for(f"请说明退回 #{number} 的原因")
    await send_official(b, "不在我的片区，请甲代表处理")
    declined = await b.edited(cards[b.id], f"您已退回 #{number}")
    assert (declined.kind, declined.labels) == ("photo", [])
    await b.wait_for("已退回")

    # 认领 on the photo: the card's caption becomes who took it
    await a.tap("认领", cards[a.id])
    await a.wait_for("办理中")
    mine = await a.edited(cards[a.id], "已由 甲代表 认领")
    assert (mine.kind, mine.labels) == ("photo", [])
    await b.edited(cards[b.id], "已由 甲代表 认领")
    await alice.wait_for("认领办理")
    edits = world.api.calls_to("editMessageCaption")
    assert edits and all(c.ok for c in edits)
    assert not [c for c in world.api.calls_to("editMessageText") if not c.ok]
    await nothing_more(world, a, b, alice)


async def test_a_long_description_sends_the_album_bare_and_the_full_card(world: World) -> None:
    a = world.user(501, "甲")
    alice = world.user(1, "Alice")
    await start(a)
    await bind(alice, "north")

    text = "北关路口的路面塌陷情况说明：" + "坑" * 1986  # 2000 characters, the most allowed
    number = await file_issue(alice, text, photos=2)
    first = await next_photo(a)
    album = a.album(first)
    assert [(m.kind, m.caption) for m in album] == [("photo", ""), ("photo", "")]
    card = await a.wait_for("新的群众反映", strict=True)
    assert card.kind == "text" and card.labels == CARD
    assert text in card.text and f"#{number}" in card.text
    await a.tap("认领", card)
    await a.wait_for("办理中")
    await a.edited(card, "已由 甲代表 认领")
    await alice.wait_for("认领办理")
    await nothing_more(world, a, alice)


UNITS = textwrap.dedent(
    """
    city: 河西市
    categories:
      - {key: lights, name: {zh: 路灯, en: Street lights}, accept_within: 1d, reply_within: 10wd}
    departments:
      - key: power
        name: {zh: 城区供电所, en: Power office}
        liaisons:
          - {key: li-power, name: 电力联络员, telegram_id: 701}
    stations:
      - key: riverside
        name: 河西街道联络站
        district: 河西区
        deputies:
          - {key: dep-r, name: 河代表, telegram_id: 501}
    """
)


@pytest.fixture
async def units(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, seed=UNITS) as world:
        yield world


async def test_a_units_answer_with_photos_reaches_the_resident_as_a_captioned_album(
    units: World,
) -> None:
    world = units
    deputy, liaison = world.user(501, "河代表"), world.user(701, "电力联络员")
    resident = world.user(1, "居民")
    await start(deputy, liaison)
    await bind(resident, "riverside")
    number = await file_issue(resident, "河西路的路灯一整排都不亮", category="路灯")
    await deputy.tap("认领", await deputy.wait_for(f"#{number}"))
    card = await deputy.wait_for("办理中")
    await deputy.tap("转办", card)
    await deputy.tap("城区供电所", await deputy.wait_for("转交哪个部门"))
    await deputy.tap("跳过", await deputy.wait_for("联络员会在机器人中签收"))
    await deputy.wait_for(f"已将 #{number} 转交 城区供电所。", strict=True)
    await resident.wait_for("认领办理", strict=True)
    await resident.wait_for("已转交", strict=True)

    # the liaison signs and answers with two photos of the result
    task = await liaison.wait_for(f"转办件 #{number}")
    await liaison.tap("签收", task)
    signed = await liaison.edited(task, "已签收")
    await deputy.wait_for("已由城区供电所签收", strict=True)
    await liaison.tap("答复", signed)
    await liaison.wait_for("请输入城区供电所对")
    for _ in range(2):
        await liaison.send_photo()
        await liaison.wait_for("已附照片")
    await liaison.send("线路老化已更换，今晚起恢复照明")
    await liaison.tap("发送", await liaison.wait_for("点“发送”后才会发出"))
    await liaison.wait_for("答复已交给代表")

    # the deputy: the unit's answer as a captioned album, 转给群众 under its heading
    first = await deputy.wait_for("城区供电所答复")
    shown = deputy.album(first)
    assert [m.kind for m in shown] == ["photo", "photo"]
    assert "线路老化已更换" in (first.caption or "")
    forward = await deputy.wait_for("城区供电所答复")
    assert forward.kind == "text" and forward.labels == ["转给群众", "修改后答复"]
    assert "线路老化已更换" not in forward.text  # only the heading: the album says it all
    await deputy.tap("转给群众", forward)
    await deputy.wait_for(f"已将答复发送给群众（#{number}）")

    # the resident: the answer as one album with it as the caption, then 问题解决了吗's buttons
    first = await resident.wait_for("线路老化已更换", strict=True)
    album = resident.album(first)
    assert [m.kind for m in album] == ["photo", "photo"]
    assert first.caption is not None
    assert f"#{number}" in first.caption and "问题解决了吗" in first.caption
    assert [m.photo for m in album] == [m.photo for m in shown]  # the unit's photos
    question = await resident.wait_for(f"#{number} 的答复", strict=True)
    assert question.kind == "text" and question.labels == ["已解决", "部分解决", "未解决"]
    # 回访 goes on from the buttons' message; the album keeps the answer
    await resident.tap("已解决", question)
    asked = await resident.edited(question, "满意吗")
    await resident.tap("满意", asked)
    await resident.wait_for("已办结")
    await deputy.wait_for("群众评价：满意")
    assert "线路老化已更换" in (first.caption or "")
    assert await world.rows("SELECT state FROM issues WHERE id = ?", number) == [("closed",)]
    for person in (deputy, liaison, resident):
        await person.expect_no_more()
    assert world.api.violations == [], [str(v) for v in world.api.violations]


async def test_presses_on_a_one_photo_card_change_its_caption(units: World) -> None:
    world = units
    deputy, liaison = world.user(501, "河代表"), world.user(701, "电力联络员")
    resident = world.user(1, "居民")
    await start(deputy, liaison)
    await bind(resident, "riverside")
    number = await file_issue(resident, "河西路的路灯一整排都不亮", category="路灯", photos=1)
    await deputy.tap("认领", await deputy.wait_for(f"#{number}"))
    await deputy.tap("转办", await deputy.wait_for("办理中"))
    await deputy.tap("城区供电所", await deputy.wait_for("转交哪个部门"))
    await deputy.tap("跳过", await deputy.wait_for("联络员会在机器人中签收"))

    # the unit's card is one photo with its caption and buttons; 签收 turns it into the
    # signed card in place
    task = await liaison.wait_for(f"转办件 #{number}")
    assert (task.kind, task.labels) == ("photo", ["签收", "退回", "申请延期"])
    await liaison.tap("签收", task)
    signed = await liaison.edited(task, "已签收（电力联络员）")
    assert (signed.kind, signed.labels) == ("photo", ["答复", "退回", "申请延期"])

    # the answer with one photo reaches the resident as one message; 已解决 asks the rating
    await liaison.tap("答复", signed)
    await liaison.wait_for("请输入城区供电所对")
    await liaison.send_photo()
    await liaison.wait_for("已附照片")
    await liaison.send("线路老化已更换")
    await liaison.tap("发送", await liaison.wait_for("点“发送”后才会发出"))
    await deputy.tap("转给群众", await deputy.wait_for("城区供电所答复"))
    answer = await resident.wait_for("线路老化已更换")
    assert (answer.kind, answer.labels) == ("photo", ["已解决", "部分解决", "未解决"])
    await resident.tap("已解决", answer)
    asked = await resident.edited(answer, "满意吗")
    assert asked.kind == "photo"
    assert world.api.violations == [], [str(v) for v in world.api.violations]


# -- the messenger on its own, over HTTP to the fake ---------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeBotApi, Bot, FakeUser]]:
    api = FakeBotApi(token=TOKEN, bot_username="liaison_test_bot")
    await api.start()
    bot = Bot(api.token, base_url=api.base_url, base_file_url=api.file_url)
    await bot.initialize()
    alice = api.user(1, "Alice")
    await alice.send("/start")
    try:
        yield api, bot, alice
    finally:
        await bot.shutdown()
        await api.stop()


async def test_photos_kept_in_the_database_go_into_the_album_as_bytes(
    fake: tuple[FakeBotApi, Bot, FakeUser],
) -> None:
    api, bot, alice = fake
    kept = {"db:1": b"\xff\xd8kept-one", "db:2": b"\xff\xd8kept-two"}

    async def photo(ref: str) -> bytes | None:
        return kept.get(ref)

    file_id = (await alice.send_photo())["photo"][-1]["file_id"]
    messenger = TelegramMessenger(bot, photo)
    message = Outgoing(text="<b>#7</b> 湖滨路路灯", photos=("db:1", file_id, "db:2"))
    sent = await messenger.send(alice.id, message)
    album = alice.album(await alice.wait_for("#7"))
    assert [m.photo for m in album] == [b"\xff\xd8kept-one", file_id, b"\xff\xd8kept-two"]
    assert [m.caption for m in album] == ["#7 湖滨路路灯", "", ""]
    # without buttons the album's first photo is what a later edit changes: its caption
    assert unpack(sent) == (album[0].message_id, True)
    await messenger.edit(alice.id, sent, Outgoing(text="#7 已办结"))
    assert album[0].caption == "#7 已办结"
    # the same again: Telegram says "not modified", the outbox takes it as done
    await messenger.edit(alice.id, sent, Outgoing(text="#7 已办结"))
    assert [v.description for v in api.violations] == [
        "Bad Request: message is not modified: specified new message content and reply markup"
        " are exactly the same as a current content and reply markup of the message"
    ]


async def test_caption_edits_are_cut_to_fit_and_text_edits_stay_text(
    fake: tuple[FakeBotApi, Bot, FakeUser],
) -> None:
    api, bot, alice = fake
    messenger = TelegramMessenger(bot)
    file_id = (await alice.send_photo())["photo"][-1]["file_id"]
    buttons = ((Button(text="认领", data="iss:acc:7"),),)
    sent = await messenger.send(
        alice.id, Outgoing(text="<b>#7</b> 新", buttons=buttons, photos=(file_id,))
    )
    assert sent >= CAPTIONED
    card = await alice.wait_for("#7")
    assert (card.kind, card.labels) == ("photo", ["认领"])
    longer = "<b>#7</b> " + "很长的说明" * 300
    await messenger.edit(alice.id, sent, Outgoing(text=longer))
    assert card.caption is not None and card.caption.endswith("…")
    assert len(card.caption) == 1024 and card.labels == []
    assert card.html is not None and card.html.startswith("<b>#7</b> 很长")

    plain = await messenger.send(alice.id, Outgoing(text="文字", buttons=buttons))
    assert plain < CAPTIONED
    await messenger.edit(alice.id, plain, Outgoing(text="文字已改"))
    assert alice.messages[-1].text == "文字已改"
    # a handle remembered without the mark (before photos had captions) still edits its photo
    await messenger.edit(alice.id, unpack(sent)[0], Outgoing(text="#7 已由甲认领"))
    assert card.caption == "#7 已由甲认领"
    assert [v.description for v in api.violations] == [
        "Bad Request: there is no text in the message to edit"
    ]


def test_caption_arithmetic_counts_what_telegram_shows() -> None:
    assert visible_text('<b>a</b> &lt;&amp;&gt;&quot;&#39;&#x4e2d; <a href="u">x</a> &nbsp;') == (
        "a <&>\"'中 x &nbsp;"
    )
    assert caption_fits("<b>" + "说" * 1024 + "</b>")
    assert caption_fits("  \n" + "x" * 1024 + "\n ")
    assert not caption_fits("&amp;" * 1025)
    assert not caption_fits("😀" * 513)  # two units each
    cut = shorten('<b>head</b>\n<i><a href="u">' + "长" * 2000 + "</a></i>")
    assert cut.endswith("…</a></i>") and caption_fits(cut)
    assert len(visible_text(cut)) == 1024
    assert shorten("😀" * 600).endswith("😀…")  # never half a character
    assert shorten("short") == "short"
    assert heading("🆕 <b>新的群众反映</b>\n<b>#7</b>") == "🆕 <b>新的群众反映</b>"
    assert heading("\n📩 <b>#7 的答复</b>（王 代表）：\n…") == "📩 <b>#7 的答复</b>（王 代表）"
    assert heading("<b>两行\n加粗</b>") == "两行"  # unbalanced on its own: plain text
