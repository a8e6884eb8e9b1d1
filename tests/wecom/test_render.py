"""Outgoing (HTML + buttons) → WeCom texts, a button card or numbered choices."""

from __future__ import annotations

import pytest

from bot.messages import Button, Outgoing
from bot.plaintext import plain_text, split_bytes
from wecom.render import Choice, render

HINT = "回复数字选择"


def press(label: str, data: str) -> Button:
    return Button(text=label, data=data)


def link(label: str, url: str) -> Button:
    return Button(text=label, url=url)


# -- plain_text ----------------------------------------------------------------------------


def test_tags_dropped_entities_unescaped() -> None:
    html = "<b>问题</b> &lt;#17&gt; <i>已受理</i> &amp; <u>x</u><s>y</s> <code>c</code>"
    assert plain_text(html) == "问题 <#17> 已受理 & xy c"


def test_links_show_their_address_unless_it_is_the_label() -> None:
    html = '<a href="https://a.cn/x?p=1&amp;q=2">地图</a> <a href="https://b.cn">https://b.cn</a>'
    assert plain_text(html) == "地图（https://a.cn/x?p=1&q=2） https://b.cn"


def test_line_breaks_kept() -> None:
    assert plain_text("一<br>二<br/>三\n四<pre>五\n六</pre>") == "一\n二\n三\n四五\n六"


def test_blockquote_and_nested_tags_in_link() -> None:
    html = '<blockquote>引用</blockquote><a href="https://c.cn"><b>粗</b>体</a>'
    assert plain_text(html) == "引用粗体（https://c.cn）"


def test_plain_text_without_markup_is_unchanged() -> None:
    assert plain_text("居民反映：路灯不亮 100% 属实") == "居民反映：路灯不亮 100% 属实"


# -- split_bytes ---------------------------------------------------------------------------


def test_short_text_is_one_part() -> None:
    assert split_bytes("你好") == ["你好"]
    assert split_bytes("") == []


def test_chinese_text_split_at_2048_bytes_never_inside_a_character() -> None:
    text = "中" * 1500  # 4500 bytes, one line
    parts = split_bytes(text)
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert [len(p) for p in parts] == [682, 682, 136]  # 682 × 3 B = 2046 ≤ 2048
    assert "".join(parts) == text


def test_split_prefers_line_boundaries() -> None:
    lines = [f"第{i}行" + "内容" * 100 for i in range(10)]  # ~610 bytes each
    parts = split_bytes("\n".join(lines))
    assert all(len(p.encode()) <= 2048 for p in parts)
    # Every part is whole lines; joined back with the dropped breaks it is the original.
    assert "\n".join(parts) == "\n".join(lines)
    assert all(p.split("\n")[0].startswith("第") for p in parts)


def test_split_mixed_width_and_emoji() -> None:
    text = ("a😀中" * 1000)[:2500]
    parts = split_bytes(text, limit=100)
    assert all(len(p.encode()) <= 100 for p in parts)
    assert "".join(parts) == text


def test_split_limit_must_hold_a_character() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_bytes("x", limit=3)


# -- render --------------------------------------------------------------------------------


def test_no_buttons_texts_only() -> None:
    out = render(Outgoing(text="<b>已收到</b>", photos=("p1",)), choose_hint=HINT)
    assert out.texts == ("已收到",)
    assert out.card is None and out.choices == ()
    assert out.photos == ("p1",)


def test_url_buttons_only_become_lines() -> None:
    message = Outgoing(
        text="详情见链接",
        buttons=((link("查看地图", "https://map.cn/1"),), (link("指南", "https://g.cn"),)),
    )
    out = render(message, choose_hint=HINT)
    assert out.card is None
    assert out.texts == ("详情见链接\n\n查看地图：https://map.cn/1\n指南：https://g.cn",)


def test_six_buttons_make_one_card() -> None:
    buttons = (
        (press("受理", "i:1:take"), press("退回", "i:1:back")),
        (press("转交", "i:1:pass"), press("延期", "i:1:later")),
        (press("办结", "i:1:done"), link("地图", "https://map.cn/1")),
    )
    message = Outgoing(text="<b>新问题 #1</b>\n路灯不亮\n地点：幸福路", buttons=buttons)
    out = render(message, choose_hint=HINT)
    assert out.texts == () and out.choices == ()
    assert out.card == {
        "card_type": "button_interaction",
        "main_title": {"title": "新问题 #1"},
        "sub_title_text": "路灯不亮\n地点：幸福路",
        "button_list": [
            {"type": 0, "text": "受理", "style": 1, "key": "i:1:take"},
            {"type": 0, "text": "退回", "style": 1, "key": "i:1:back"},
            {"type": 0, "text": "转交", "style": 1, "key": "i:1:pass"},
            {"type": 0, "text": "延期", "style": 1, "key": "i:1:later"},
            {"type": 0, "text": "办结", "style": 1, "key": "i:1:done"},
            {"type": 1, "text": "地图", "url": "https://map.cn/1"},
        ],
    }
    assert "task_id" not in out.card


def test_seven_buttons_make_numbered_choices() -> None:
    presses = tuple((press(f"选项{i}", f"c:{i}"),) for i in range(1, 7))
    buttons = (*presses, (link("帮助", "https://h.cn"),))
    out = render(Outgoing(text="请选择街道", buttons=buttons), choose_hint=HINT)
    assert out.card is None
    assert out.choices == tuple(
        Choice(number=i, label=f"选项{i}", data=f"c:{i}") for i in range(1, 7)
    )
    numbered = "\n".join(f"{i}. 选项{i}" for i in range(1, 7))
    assert out.texts == (f"请选择街道\n\n{numbered}\n帮助：https://h.cn\n\n{HINT}",)


def test_long_text_goes_first_and_the_card_carries_the_title() -> None:
    body = "居民反映的情况如下。" * 30  # 300 characters > 160
    out = render(
        Outgoing(text=f"问题详情\n{body}", buttons=((press("受理", "i:2:take"),),)),
        choose_hint=HINT,
    )
    assert out.texts == (f"问题详情\n{body}",)
    assert out.card is not None
    assert out.card["main_title"] == {"title": "问题详情"}
    assert "sub_title_text" not in out.card


def test_long_first_line_is_cut_on_the_card_and_sent_whole_as_text() -> None:
    line = "一" * 50
    out = render(Outgoing(text=line, buttons=((press("好", "ok"),),)), choose_hint=HINT)
    assert out.card is not None
    assert out.card["main_title"]["title"] == "一" * 35 + "…"
    assert out.texts == (line,)


def test_very_long_text_with_card_is_split() -> None:
    out = render(Outgoing(text="字" * 2000, buttons=((press("好", "ok"),),)), choose_hint=HINT)
    assert len(out.texts) == 3 and all(len(t.encode()) <= 2048 for t in out.texts)
    assert out.card is not None


def test_title_skips_leading_blank_lines() -> None:
    out = render(
        Outgoing(text="\n\n  标题  \n正文", buttons=((press("好", "ok"),),)), choose_hint=HINT
    )
    assert out.card is not None
    assert out.card["main_title"] == {"title": "标题"}
    assert out.card["sub_title_text"] == "正文"


def test_duplicate_keys_dropped() -> None:
    buttons = ((press("是", "yes"), press("是的", "yes")), (press("否", "no"),))
    out = render(Outgoing(text="确认？", buttons=buttons), choose_hint=HINT)
    assert out.card is not None
    assert [b["key"] for b in out.card["button_list"]] == ["yes", "no"]


def test_labels_kept_as_they_are() -> None:
    label = "这是一个很长的按钮标签超过十个字"
    out = render(Outgoing(text="t", buttons=((press(label, "k"),),)), choose_hint=HINT)
    assert out.card is not None
    assert out.card["button_list"][0]["text"] == label
