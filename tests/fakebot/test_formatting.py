"""Unit tests of the HTML / MarkdownV2 parsers."""

from __future__ import annotations

import pytest

from fakebot.formatting import ParseError, parse_html, parse_markdown_v2, strip_text, utf16_len


def test_utf16_len() -> None:
    assert utf16_len("人大") == 2
    assert utf16_len("😀") == 2


def test_html_entities_offsets_in_utf16() -> None:
    text, entities = parse_html("😀<b>粗</b> <a href='https://x.org'>链接</a>")
    assert text == "😀粗 链接"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 1},
        {"type": "text_link", "url": "https://x.org", "offset": 4, "length": 2},
    ]


def test_html_keeps_unknown_ampersand_and_tag_case() -> None:
    assert parse_html("A &nbsp; B &#65; <B>x</B>")[0] == "A &nbsp; B A x"


@pytest.mark.parametrize("bad", ["<b>", "</b>", "<br/>", "<a href=x", "<b x>t</b>", "a<"])
def test_html_rejects(bad: str) -> None:
    with pytest.raises(ParseError):
        parse_html(bad)


def test_markdown_v2() -> None:
    text, entities = parse_markdown_v2(
        r"*bold* _it_ __u__ ~s~ ||sp|| `c\`` [l](https://x.org) 1\.5"
    )
    assert text == "bold it u s sp c` l 1.5"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    with pytest.raises(ParseError, match=r"Character '.' is reserved"):
        parse_markdown_v2("1.5")
    with pytest.raises(ParseError, match=r"Can't find end of Bold entity"):
        parse_markdown_v2("*open")


def test_strip_text_shifts_entities() -> None:
    assert strip_text("  ab ", [{"type": "bold", "offset": 0, "length": 4}]) == (
        "ab",
        [{"type": "bold", "offset": 0, "length": 2}],
    )
