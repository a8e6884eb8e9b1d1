"""Outgoing (HTML, buttons, a keyboard) → WeChat texts, one msgmenu or numbered choices."""

from __future__ import annotations

import pytest

from bot.messages import Button, Keyboard, Outgoing
from wechat.render import Choice, Rendered, parts, render

CHOOSE = "回复数字选择"
TAP = "点击选项即可"
WHERE = "发送位置：点 ＋ → 位置"


def press(label: str, data: str) -> Button:
    return Button(text=label, data=data)


def link(label: str, url: str) -> Button:
    return Button(text=label, url=url)


def go(message: Outgoing, skip: frozenset[str] = frozenset()) -> Rendered:
    return render(message, choose_hint=CHOOSE, tap_hint=TAP, location_hint=WHERE, skip_labels=skip)


def test_no_options_texts_only_from_html() -> None:
    out = go(Outgoing(text="<b>已收到</b> &lt;#17&gt;", photos=("p1",)))
    assert out == Rendered(texts=("已收到 <#17>",), menu=None, choices=(), photos=("p1",))
    assert parts(out) == 2


def test_url_buttons_become_lines() -> None:
    message = Outgoing(
        text="详情见链接",
        buttons=((link("查看地图", "https://map.cn/1"),), (link("指南", "https://g.cn"),)),
    )
    out = go(message)
    assert out.menu is None
    assert out.texts == ("详情见链接\n\n查看地图：https://map.cn/1\n指南：https://g.cn",)


def test_presses_make_one_msgmenu_with_the_whole_text() -> None:
    buttons = (
        (press("满意", "r:17:5"), press("不满意", "r:17:1")),
        (link("查看", "https://a.cn/17"),),
    )
    out = go(Outgoing(text="<b>问题 #17 已办结</b>\n请评价", buttons=buttons))
    assert out.texts == () and out.choices == ()
    assert out.menu == {
        "head_content": "问题 #17 已办结\n请评价\n\n查看：https://a.cn/17",
        "list": [{"id": "r:17:5", "content": "满意"}, {"id": "r:17:1", "content": "不满意"}],
        "tail_content": TAP,
    }
    assert parts(out) == 1  # one customer-service message of the window's five


def test_ten_options_still_one_menu() -> None:
    buttons = tuple((press(f"街道{i}", f"d:{i}"),) for i in range(1, 11))
    out = go(Outgoing(text="请选择街道", buttons=buttons))
    assert out.menu is not None and len(out.menu["list"]) == 10
    assert out.choices == ()


def test_eleven_options_become_numbered_choices() -> None:
    presses = tuple((press(f"街道{i}", f"d:{i}"),) for i in range(1, 12))
    buttons = (*presses, (link("帮助", "https://h.cn"),))
    out = go(Outgoing(text="请选择街道", buttons=buttons))
    assert out.menu is None
    assert out.choices == tuple(
        Choice(number=i, label=f"街道{i}", data=f"d:{i}") for i in range(1, 12)
    )
    numbered = "\n".join(f"{i}. 街道{i}" for i in range(1, 12))
    assert out.texts == (f"请选择街道\n\n帮助：https://h.cn\n\n{numbered}\n\n{CHOOSE}",)
    assert parts(out) == 1


def test_text_over_1000_bytes_goes_first_and_the_head_is_its_first_line() -> None:
    body = "居民反映的情况如下。" * 40  # 400 characters, 1200 bytes
    out = go(Outgoing(text=f"\n问题详情\n{body}", buttons=((press("受理", "i:2:take"),),)))
    assert out.texts == (f"\n问题详情\n{body}".strip("\n"),)
    assert out.menu is not None
    assert out.menu["head_content"] == "问题详情"
    assert parts(out) == 2


def test_text_of_exactly_1000_bytes_fits_the_head() -> None:
    text = "a" * 997 + "中"  # 1000 bytes
    out = go(Outgoing(text=text, buttons=((press("好", "ok"),),)))
    assert out.texts == ()
    assert out.menu is not None and out.menu["head_content"] == text


def test_long_first_line_is_cut_in_the_head() -> None:
    line = "一" * 400  # 1200 bytes, one line
    out = go(Outgoing(text=line, buttons=((press("好", "ok"),),)))
    assert out.texts == (line,)
    assert out.menu is not None
    assert out.menu["head_content"] == "一" * 59 + "…"


def test_very_long_text_is_split_under_2048_bytes() -> None:
    out = go(Outgoing(text="字" * 2000, buttons=((press("好", "ok"),),)))
    assert len(out.texts) == 3 and all(len(t.encode()) <= 2048 for t in out.texts)
    assert out.menu is not None
    assert parts(out) == 4


def test_empty_text_still_gives_the_menu_a_head() -> None:
    out = go(Outgoing(text="<b></b>", buttons=((press("好", "ok"),),)))
    assert out.menu is not None and out.menu["head_content"] == "…"


def test_option_labels_cut_to_30_characters() -> None:
    label = "这是一个非常非常长的按钮标签" * 3  # 42 characters
    out = go(Outgoing(text="t", buttons=((press(label, "k"),),)))
    assert out.menu is not None
    assert out.menu["list"][0]["content"] == label[:29] + "…"


def test_duplicate_and_empty_ids_dropped() -> None:
    buttons = (
        (press("是", "yes"), press("是的", "yes")),
        (press("否", "no"), Button(text="无用"), press("空", "")),
    )
    out = go(Outgoing(text="确认？", buttons=buttons))
    assert out.menu is not None
    assert [o["id"] for o in out.menu["list"]] == ["yes", "no"]


def test_keyboard_labels_say_themselves() -> None:
    keyboard = Keyboard(rows=(("反映问题", "我的问题"), ("联络站",)))
    out = go(Outgoing(text="您好", keyboard=keyboard))
    assert out.menu == {
        "head_content": "您好",
        "list": [
            {"id": "say:反映问题", "content": "反映问题"},
            {"id": "say:我的问题", "content": "我的问题"},
            {"id": "say:联络站", "content": "联络站"},
        ],
        "tail_content": TAP,
    }


def test_keyboard_labels_of_the_account_menu_are_skipped() -> None:
    keyboard = Keyboard(rows=(("反映问题", "我的问题"), ("联络站",)))
    out = go(
        Outgoing(text="您好", keyboard=keyboard),
        skip=frozenset({"反映问题", "我的问题", "联络站"}),
    )
    assert out == Rendered(texts=("您好",), menu=None, choices=(), photos=())


def test_buttons_then_keyboard_labels_in_one_menu() -> None:
    keyboard = Keyboard(rows=(("取消",),))
    out = go(Outgoing(text="选择", buttons=((press("甲", "a"),),), keyboard=keyboard))
    assert out.menu is not None
    assert [o["id"] for o in out.menu["list"]] == ["a", "say:取消"]


def test_too_many_with_the_keyboard_numbers_them_all() -> None:
    buttons = tuple((press(f"选项{i}", f"c:{i}"),) for i in range(1, 10))
    keyboard = Keyboard(rows=(("返回", "取消"),))
    out = go(Outgoing(text="选择", buttons=buttons, keyboard=keyboard))
    assert out.menu is None
    assert [c.data for c in out.choices][-2:] == ["say:返回", "say:取消"]
    assert out.choices[-1] == Choice(number=11, label="取消", data="say:取消")


def test_location_request_becomes_a_hint_line() -> None:
    keyboard = Keyboard(rows=(("跳过",),), request="location", request_label="发送位置")
    out = go(Outgoing(text="请告诉我们地点", keyboard=keyboard))
    assert out.menu is not None
    assert out.menu["head_content"] == f"请告诉我们地点\n\n{WHERE}"
    assert out.menu["list"] == [{"id": "say:跳过", "content": "跳过"}]
    assert "发送位置" not in str(out.menu["list"])  # no such button on WeChat


def test_location_request_without_labels_is_text() -> None:
    keyboard = Keyboard(request="location", request_label="发送位置")
    out = go(Outgoing(text="请告诉我们地点", keyboard=keyboard))
    assert out.texts == (f"请告诉我们地点\n\n{WHERE}",) and out.menu is None


def test_contact_request_is_dropped() -> None:
    keyboard = Keyboard(rows=(("跳过",),), request="contact", request_label="分享手机号")
    out = go(Outgoing(text="留个电话？", keyboard=keyboard))
    assert out.menu is not None
    assert out.menu["head_content"] == "留个电话？"
    assert out.menu["list"] == [{"id": "say:跳过", "content": "跳过"}]


def test_keyboard_removal_adds_nothing() -> None:
    keyboard = Keyboard(rows=(("x",),), remove=True)
    out = go(Outgoing(text="好的", keyboard=keyboard))
    assert out == Rendered(texts=("好的",), menu=None, choices=(), photos=())


def test_photos_pass_through_and_count() -> None:
    out = go(Outgoing(text="现场照片", buttons=((press("好", "ok"),),), photos=("a", "b")))
    assert out.photos == ("a", "b")
    assert parts(out) == 3


@pytest.mark.parametrize(
    "message",
    [
        Outgoing(text="字" * 5000),
        Outgoing(text="字" * 5000, buttons=((press("好", "ok"),),)),
        Outgoing(text="字" * 5000, buttons=tuple((press(str(i), str(i)),) for i in range(20))),
    ],
)
def test_every_text_fits_2048_bytes(message: Outgoing) -> None:
    out = go(message)
    assert out.texts and all(len(t.encode()) <= 2048 for t in out.texts)
    if out.menu is not None:
        assert len(out.menu["head_content"].encode()) <= 1000
