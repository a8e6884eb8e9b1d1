"""Transcript helpers shared by the end-to-end tests."""

from __future__ import annotations

import re

from fakebot import BotMessage, FakeUser


async def open_bot(*people: FakeUser) -> None:
    """People must /start the bot before it can write to them (Telegram's rule)."""
    for person in people:
        await person.send("/start")
        await person.next_message()


async def bind(resident: FakeUser, station_key: str) -> None:
    await resident.send(f"/start st_{station_key}")
    await resident.wait_for("已为您绑定联络站")


async def file_issue(
    resident: FakeUser,
    text: str,
    *,
    category: str = "坑洼",
    photos: int = 0,
    location: tuple[float, float] | None = None,
) -> int:
    """Go through /report and return the #number the resident was shown."""
    await resident.send("/report")
    await resident.wait_for("请选择问题类别")
    await resident.tap(category)
    await resident.sees("请描述问题")
    await resident.send(text)
    extras = await resident.wait_for("跳过")
    done_label = "跳过"
    for _ in range(photos):
        await resident.send_photo()
        extras = await resident.wait_for("已收到照片")
        done_label = "完成"
    if location is not None:
        await resident.send_location(*location)
        extras = await resident.wait_for("已收到位置")
        done_label = "完成"
    await resident.tap(done_label, extras)
    summary = await resident.edited(extras, "请确认")  # the extras prompt becomes the summary
    await resident.tap("提交", summary)
    return number_in(await resident.edited(summary, "已提交"))


def number_in(message: BotMessage) -> int:
    match = re.search(r"#(\d+)", message.text)
    assert match, message.text
    return int(match.group(1))


async def send_official(person: FakeUser, text: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
    """Type an official text (答复, a reason, a note, a question), check the preview, 发送."""
    await person.send(text)
    preview = await person.wait_for("点“发送”后才会发出", timeout=timeout)
    assert text.strip() in preview.text, preview.text
    assert preview.labels == ["发送", "修改", "取消"]
    await person.tap("发送", preview, timeout=timeout)
    return preview


async def summary_with_similar(resident: FakeUser, text: str, category: str = "坑洼") -> BotMessage:
    """/report up to the summary that lists a similar open issue (with its 附议 button)."""
    await resident.send("/report")
    await resident.tap(category, await resident.wait_for("请选择问题类别"))
    await resident.send(text)
    await resident.tap("跳过", await resident.wait_for("跳过"))
    return await resident.sees("相似的事项")


async def revisit(
    resident: FakeUser,
    answer: BotMessage,
    rating: str = "满意",
    resolution: str = "已解决",
    timeout: float = 5.0,  # noqa: ASYNC109
) -> BotMessage:
    """回访 on an answer: 问题解决了吗 (the answer's message becomes the rating question),
    then the rating. Returns the rating question."""
    assert answer.labels == ["已解决", "部分解决", "未解决"], answer.labels
    await resident.tap(resolution, answer, timeout=timeout)
    asked = await resident.edited(answer, "满意吗", timeout=timeout)
    assert asked.labels == ["满意", "基本满意", "不满意"], asked.labels
    await resident.tap(rating, asked, timeout=timeout)
    return asked
