"""A department liaison in WeCom (企业微信): the resident on Telegram, the deputy and the
unit's liaison in WeCom; the liaison signs for the issue, sends a photo of the result and
answers; the deputy forwards it; the resident on Telegram gets answer and photo."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import LiaisonBot
from fakebot import FakeBotApi
from fakewecom import FakeWeCom
from tests.e2e.helpers import bind, file_issue, open_bot
from tests.e2e.worlds import telegram_and_wecom

pytestmark = pytest.mark.e2e

CITY = textwrap.dedent(
    """
    city: 双平台市
    categories:
      - {key: roads, name: {zh: 道路破损, en: Roads}, accept_within: 2h, reply_within: 10wd}
    departments:
      - key: works
        name: {zh: 市政工程处, en: Public works}
        liaisons:
          - {key: works-li, name: 市政联络员, wecom_userid: works.li}
    stations:
      - key: river
        name: 河西街道联络站
        district: 河西区
        deputies:
          - {key: wang, name: 王代表, wecom_userid: wang.dep}
        staff:
          - {key: zhao, name: 赵工作人员, wecom_userid: zhao}
    admins:
      - {key: office, name: 人大办, telegram_id: 901}
    """
)

JPEG = b"\xff\xd8\xff\xe0" + b"result-photo" * 40 + b"\xff\xd9"


@pytest.fixture
async def two_platforms(tmp_path: Path) -> AsyncIterator[tuple[FakeBotApi, FakeWeCom, LiaisonBot]]:
    async with telegram_and_wecom(tmp_path, CITY) as world:
        yield world


async def test_a_liaison_in_wecom_signs_for_and_answers_with_a_photo(
    two_platforms: tuple[FakeBotApi, FakeWeCom, LiaisonBot],
) -> None:
    api, wecom, bot = two_platforms
    wang = wecom.member("wang.dep", "王代表")
    liaison = wecom.member("works.li", "市政联络员")
    resident = api.user(7001, "居民甲")
    await open_bot(resident)
    await bind(resident, "river")
    number = await file_issue(resident, "河西路人行道塌陷，有人摔倒", category="道路破损")

    card = await wang.wait_for(f"#{number}")
    assert await wang.press(card, "认领") == 200
    working = await wang.wait_for("办理中")
    assert await wang.press(working, "转办") == 200
    choice = await wang.wait_for("转交哪个部门")
    assert await wang.press(choice, "市政工程处") == 200
    await wang.wait_for("联络员会在机器人中签收")
    await bot.wecom.idle()
    assert await wang.press(wang.cards()[-1], "跳过") == 200  # a long text: its card follows

    unit_card = await liaison.wait_for(f"转办件 #{number}")
    assert unit_card.labels == ["签收", "退回", "申请延期"]
    assert "居民甲" not in unit_card.text
    assert await liaison.press(unit_card, "签收") == 200
    signed = await liaison.wait_for("已签收（市政联络员）")
    await wang.wait_for("已由市政工程处签收")

    assert await liaison.press(signed, "答复") == 200
    await liaison.wait_for("请输入市政工程处对")
    assert await liaison.send_image(JPEG) == 200
    await liaison.wait_for("已附照片 1 张")
    assert await liaison.say("已回填路面并设置围挡，明日通行") == 200
    preview = await liaison.wait_for("点“发送”后才会发出")
    assert "附照片 1 张" in preview.text
    assert await liaison.press(preview, "发送") == 200
    await liaison.wait_for("答复已交给代表")

    answer = await wang.wait_for("市政工程处答复")
    assert answer.labels == ["转给群众", "修改后答复"]
    assert await wang.press(answer, "转给群众") == 200
    reply = await resident.wait_for("已回填路面并设置围挡")
    assert f"#{number}" in reply.text
    await api.wait_idle()
    assert reply.kind == "photo"  # the unit's photo of the result, the answer as its caption

    assert bot.db is not None
    async with bot.db.read() as repos:
        handover = await repos.handovers.latest(number)
    assert handover is not None
    assert handover.state == "answered" and len(handover.answer_photos) == 1
    assert handover.answer_photos[0].startswith("db:") or handover.answer_photos[0]
