"""代表建议 with deputies and a unit in WeCom (企业微信) and residents on Telegram: a deputy
turns an issue card into a suggestion, the office on Telegram hands it over, the unit's
liaison answers it in WeCom with a grade, the deputy rates it and exports the DOCX, which
arrives as a WeCom file."""

from __future__ import annotations

import io
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import docx
import pytest

from bot.app import LiaisonBot
from fakebot import FakeBotApi
from fakewecom import FakeWeCom
from fakewecom.members import FakeMember as Member
from fakewecom.models import Received
from tests.e2e.helpers import bind, file_issue, open_bot
from tests.e2e.worlds import telegram_and_wecom

pytestmark = pytest.mark.e2e

CITY = textwrap.dedent(
    """
    city: 双平台市
    categories:
      - {key: care, name: {zh: 养老服务, en: Elderly care}, accept_within: 1d, reply_within: 10wd}
    departments:
      - key: civil
        name: {zh: 区民政局, en: Civil affairs}
        liaisons:
          - {key: civil-li, name: 民政联络员, wecom_userid: civil.li}
    stations:
      - key: river
        name: 河西街道联络站
        district: 河西区
        deputies:
          - {key: wang, name: 王建国, wecom_userid: wang.dep}
    admins:
      - {key: office, name: 人大办, telegram_id: 901}
    """
)


async def card_after(member: Member, text: str, button: str) -> Received:
    """The card with `button` that shows `text`: a long message comes as text, its buttons as
    the card that follows it."""
    first = await member.wait_for(text)
    card = first if button in first.text else await member.wait_for(button)
    assert card.msgtype == "template_card", card
    return card


@pytest.fixture
async def two_platforms(tmp_path: Path) -> AsyncIterator[tuple[FakeBotApi, FakeWeCom, LiaisonBot]]:
    async with telegram_and_wecom(tmp_path, CITY) as world:
        yield world


async def test_a_suggestion_from_an_issue_card_answered_in_wecom(
    two_platforms: tuple[FakeBotApi, FakeWeCom, LiaisonBot],
) -> None:
    api, wecom, bot = two_platforms
    wang = wecom.member("wang.dep", "王建国")
    liaison = wecom.member("civil.li", "民政联络员")
    office = api.user(901, "人大办")
    resident = api.user(7001, "刘奶奶")
    await open_bot(resident, office)
    await bind(resident, "river")
    number = await file_issue(resident, "独居老人吃饭难，社区没有老年食堂", category="养老服务")

    card = await wang.wait_for(f"#{number}")
    assert await wang.press(card, "认领") == 200
    working = await wang.wait_for("办理中")
    assert "📜 转为建议线索" in working.labels
    assert await wang.press(working, "📜 转为建议线索") == 200
    draft = await card_after(wang, "已起草代表建议", "✏️ 标题")
    assert draft.labels == ["✏️ 标题", "✏️ 理由", "✏️ 建议办法", "邀请联名", "提交", "导出 DOCX"]
    assert await wang.press(draft, "✏️ 标题") == 200
    await wang.wait_for("请发送建议")
    assert await wang.say("关于在河西街道建设老年食堂的建议") == 200
    preview = await wang.wait_for("点“发送”后才会发出")
    assert await wang.press(preview, "发送") == 200
    card = await card_after(wang, "标题（案由）：关于在河西街道建设老年食堂的建议", "提交")
    assert await wang.press(card, "提交") == 200
    await wang.wait_for("已提交人大常委会办公室审查")

    review = await office.wait_for("待审查")
    await office.tap("受理", review)
    choose = await office.edited(review, "请选择主办单位")
    await office.tap("区民政局", choose)
    units = await office.edited(choose, "主办单位：区民政局")
    await office.tap("📤 交办", units)
    await resident.wait_for("已由王建国代表形成代表建议《关于在河西街道建设老年食堂的建议》")

    unit_card = await card_after(liaison, "交由区民政局主办", "申请延期")
    assert await liaison.press(unit_card, "答复") == 200
    grades = await liaison.wait_for("答复类别")
    assert await liaison.press(grades, "A 已解决或采纳") == 200
    await liaison.wait_for("类别：A 已解决或采纳")
    assert await liaison.say("河西街道老年食堂已选址，明年一季度开业。") == 200
    preview = await liaison.wait_for("点“发送”后才会发出")
    assert await liaison.press(preview, "发送") == 200
    await liaison.wait_for("答复已发给代表")

    answer = await wang.wait_for("主办单位区民政局答复（A 已解决或采纳）")
    told = await resident.wait_for("承办单位区民政局答复")
    assert "明年一季度开业" in told.text
    assert await wang.press(answer, "满意") == 200
    await office.wait_for("已办结")

    # 导出 DOCX: the caption, then the file itself
    assert await wang.say("/suggestions") == 200
    listing = await wang.wait_for("代表建议（1）")
    assert await wang.press(listing, listing.labels[0]) == 200
    view = await card_after(wang, "已办结", "导出 DOCX")
    assert await wang.press(view, "导出 DOCX") == 200
    await wang.wait_for("（DOCX）")
    await bot.wecom.idle()
    files = [m for m in wang.messages if m.msgtype == "file"]
    assert len(files) == 1 and files[0].media_id is not None
    media = wecom.media[files[0].media_id]
    document = docx.Document(io.BytesIO(media.data))
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert "王建国" in cells and "独居老人吃饭难，社区没有老年食堂" in cells
