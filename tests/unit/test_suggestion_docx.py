"""The deputy's suggestion as .docx: every part present, read back with python-docx."""

from __future__ import annotations

import io
from dataclasses import replace

import docx
import pytest
from docx.document import Document as DocumentType
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from bot.suggestion_docx import LinkedIssue, SuggestionPaper, render_docx

REASONS = (
    "我区现有建成于2000年以前的老旧小区三百余个，六层及以下无电梯住宅约一千二百栋。",
    "近一年来，联络站共收到群众反映加装电梯问题二十余件，集中在意见协调难、资金分摊难。",
    "现行补贴标准自2019年以来未作调整，居民自筹压力较大。",
)
PROPOSAL = (
    "1. 建立“一楼一策”协调机制，由街道牵头、居委会和物业共同参与。",
    "2. 简化审批流程，推行“一窗受理、并联审批”。",
    "3. 提高财政补贴标准，允许提取住房公积金用于加装电梯。",
)
ISSUES = (
    LinkedIssue(
        12, "2026-11-03", "花木街道代表联络站", "锦绣路1001弄12号", "老伴腿脚不好，两年没下楼。", 14
    ),
    LinkedIssue(15, "2026-11-05", "花木街道代表联络站", "—", "二楼住户一直不同意加装电梯。", 8),
    LinkedIssue(
        21,
        "2026-11-09",
        "塘桥街道代表联络站",
        "浦东南路2250弄3号楼",
        "补贴太少，每户要出五六万元。",
        0,
    ),
)
SIGNATURE_ZH = "领衔代表（签名）：________   日期：________"


def paper(**changes: object) -> SuggestionPaper:
    base = SuggestionPaper(
        number=7,
        title="关于加快老旧小区加装电梯的建议",
        lead="王建国",
        cosigners=("李秀英", "张伟"),
        delegation="浦东新区代表团",
        # blank lines and \r\n between paragraphs, as people type them
        reasons="\r\n".join(REASONS[:2]) + "\n\n" + REASONS[2],
        proposal="\n".join(PROPOSAL),
        drafted="2026-11-20",
        linked=ISSUES,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def read(data: bytes) -> DocumentType:
    return docx.Document(io.BytesIO(data))


def texts(document: DocumentType) -> list[str]:
    return [p.text for p in document.paragraphs]


def grid(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def info(document: DocumentType) -> dict[str, str]:
    return {label: value for label, value in grid(document.tables[0])}


def following(lines: list[str], heading: str, stop: str) -> list[str]:
    """The paragraphs between one heading and the next."""
    start = lines.index(heading) + 1
    return lines[start : lines.index(stop, start)]


def test_chinese_paper_has_every_part_in_order() -> None:
    document = read(render_docx(paper()))
    lines = texts(document)

    assert lines[:2] == ["代表建议", "第 7 号"]
    assert document.paragraphs[0].style is not None
    assert document.paragraphs[0].style.name == "Title"
    assert info(document) == {
        "标题（案由）": "关于加快老旧小区加装电梯的建议",
        "领衔代表": "王建国",
        "附议代表": "李秀英、张伟",
        "代表团/联络站": "浦东新区代表团",
        "提出日期": "2026-11-20",
    }
    assert following(lines, "一、案由", "二、问题与理由") == ["关于加快老旧小区加装电梯的建议"]
    assert following(lines, "二、问题与理由", "三、建议办法") == list(REASONS)
    assert following(lines, "三、建议办法", SIGNATURE_ZH) == list(PROPOSAL)
    assert lines.index(SIGNATURE_ZH) < lines.index("附件：群众反映问题清单")
    headings = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 1"]
    assert headings == ["一、案由", "二、问题与理由", "三、建议办法", "附件：群众反映问题清单"]


def test_appendix_table_lists_every_linked_issue() -> None:
    document = read(render_docx(paper()))
    assert len(document.tables) == 2
    rows = grid(document.tables[1])
    assert rows == [
        ["编号", "日期", "联络站", "地点", "反映内容", "附议"],
        [
            "#12",
            "2026-11-03",
            "花木街道代表联络站",
            "锦绣路1001弄12号",
            "老伴腿脚不好，两年没下楼。",
            "14",
        ],
        ["#15", "2026-11-05", "花木街道代表联络站", "—", "二楼住户一直不同意加装电梯。", "8"],
        [
            "#21",
            "2026-11-09",
            "塘桥街道代表联络站",
            "浦东南路2250弄3号楼",
            "补贴太少，每户要出五六万元。",
            "0",
        ],
    ]
    appendix = next(p for p in document.paragraphs if p.text == "附件：群众反映问题清单")
    assert appendix.paragraph_format.page_break_before is True
    # the header row repeats when the list runs over several pages
    header_tr = document.tables[1].rows[0]._tr
    assert header_tr.trPr is not None
    assert header_tr.trPr.find(qn("w:tblHeader")) is not None


def test_multi_line_issue_text_keeps_its_lines_in_the_cell() -> None:
    issue = LinkedIssue(3, "2026-11-01", "站", "路口", "第一行\n\n第二行\r\n第三行", 2)
    document = read(render_docx(paper(linked=(issue,))))
    assert document.tables[1].rows[1].cells[4].text == "第一行\n第二行\n第三行"


def test_english_labels() -> None:
    document = read(render_docx(paper(lang="en", cosigners=("Li Xiuying", "Zhang Wei"))))
    lines = texts(document)
    assert lines[:2] == ["Deputy's Suggestion", "No. 7"]
    assert info(document) == {
        "Subject": "关于加快老旧小区加装电梯的建议",
        "Lead deputy": "王建国",
        "Co-signers": "Li Xiuying, Zhang Wei",
        "Delegation / station": "浦东新区代表团",
        "Date submitted": "2026-11-20",
    }
    for heading in ("I. Subject", "II. Problems and reasons", "III. Proposed measures"):
        assert heading in lines
    assert "Appendix: residents' issues" in lines
    assert "Lead deputy (signature): ________   Date: ________" in lines
    assert grid(document.tables[1])[0] == ["No.", "Date", "Station", "Place", "Issue", "Backers"]
    assert following(lines, "II. Problems and reasons", "III. Proposed measures") == list(REASONS)
    for chinese in ("代表建议", "第 7 号", "一、案由", "附件：群众反映问题清单", SIGNATURE_ZH):
        assert chinese not in lines


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        render_docx(paper(lang="fr"))


def test_control_characters_are_dropped_not_fatal() -> None:
    data = render_docx(
        paper(
            title="关于\x0b加装电梯\x00的建议",
            lead="王\x01建国",
            cosigners=("李\x1f秀英",),
            reasons="第一段\x0c内容\nlone \ud800surrogate and \ufffe non-character",
            linked=(LinkedIssue(5, "2026-11-01", "站\x07", "路\x08口", "楼道\x1b灯坏了", 1),),
        )
    )
    document = read(data)
    lines = texts(document)
    assert info(document)["标题（案由）"] == "关于加装电梯的建议"
    assert info(document)["领衔代表"] == "王建国"
    assert info(document)["附议代表"] == "李秀英"
    assert following(lines, "二、问题与理由", "三、建议办法") == [
        "第一段内容",
        "lone surrogate and  non-character",
    ]
    assert grid(document.tables[1])[1] == ["#5", "2026-11-01", "站", "路口", "楼道灯坏了", "1"]


def test_no_cosigners_reads_none() -> None:
    document = read(render_docx(paper(cosigners=())))
    assert info(document)["附议代表"] == "无"
    blank_names = read(render_docx(paper(cosigners=("", " \n "))))
    assert info(blank_names)["附议代表"] == "无"
    english = read(render_docx(paper(cosigners=(), lang="en")))
    assert info(english)["Co-signers"] == "None"


def test_no_linked_issues_says_none_in_the_appendix() -> None:
    document = read(render_docx(paper(linked=())))
    lines = texts(document)
    assert len(document.tables) == 1  # only the info table
    assert lines[-2:] == ["附件：群众反映问题清单", "无"]
    english = texts(read(render_docx(paper(linked=(), lang="en"))))
    assert english[-2:] == ["Appendix: residents' issues", "None"]


def test_empty_sections_and_delegation_are_marked() -> None:
    document = read(render_docx(paper(reasons="\n \n", proposal="", delegation="")))
    lines = texts(document)
    assert following(lines, "二、问题与理由", "三、建议办法") == ["无"]
    assert following(lines, "三、建议办法", SIGNATURE_ZH) == ["无"]
    assert info(document)["代表团/联络站"] == "—"


def test_page_fonts_and_indent() -> None:
    document = read(render_docx(paper()))
    section = document.sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7
    for margin in (
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    ):
        assert margin is not None
        assert round(margin.cm, 1) == 2.5

    def fonts(style_name: str) -> tuple[str | None, str | None]:
        rpr = document.styles[style_name].element.rPr
        assert rpr is not None
        rfonts = rpr.rFonts
        assert rfonts is not None
        assert rfonts.get(qn("w:asciiTheme")) is None  # a theme font would override the name
        return rfonts.get(qn("w:ascii")), rfonts.get(qn("w:eastAsia"))

    assert fonts("Normal") == ("SimSun", "宋体")
    assert fonts("Heading 1") == ("SimHei", "黑体")
    assert document.styles["Title"].font.size == Pt(22)
    assert document.styles["Title"].font.bold is True
    assert document.styles["Heading 1"].font.size == Pt(16)
    assert document.styles["Normal"].font.size == Pt(14)

    reason = next(p for p in document.paragraphs if p.text == REASONS[0])
    assert reason.paragraph_format.first_line_indent == Pt(28)  # two 14 pt characters
    ind = reason._p.pPr.ind if reason._p.pPr is not None else None
    assert ind is not None
    assert ind.get(qn("w:firstLineChars")) == "200"


def test_tables_fit_between_the_margins() -> None:
    document = read(render_docx(paper()))
    text_width = Cm(21.0 - 2 * 2.5)
    for table in document.tables:
        widths = [column.width for column in table.columns]
        assert all(width is not None for width in widths)
        assert abs(sum(w for w in widths if w is not None) - text_width) < Cm(0.05)
        assert table.autofit is False  # fixed layout: long text wraps, the table stays put


def test_very_long_text_renders() -> None:
    long = "小区门口道路积水严重，" * 2000
    many = tuple(
        LinkedIssue(i, "2026-11-03", "站" * 50, "Z" * 500, long[:3000], i) for i in range(200)
    )
    document = read(
        render_docx(
            paper(
                title="关于" + "整治" * 500 + "的建议",
                reasons=long + "\n" + "x" * 20000,
                cosigners=tuple(f"代表{i}" for i in range(100)),
                linked=many,
            )
        )
    )
    assert len(document.tables[1].rows) == 201
    assert document.tables[1].rows[200].cells[4].text == long[:3000]
    assert following(texts(document), "二、问题与理由", "三、建议办法") == [long, "x" * 20000]
    assert info(document)["附议代表"].count("、") == 99


def test_the_signature_keeps_to_the_last_paragraph_of_the_proposal() -> None:
    document = read(render_docx(paper()))
    lines = texts(document)
    last = document.paragraphs[lines.index(SIGNATURE_ZH) - 1]
    assert last.text == PROPOSAL[-1]
    assert last.paragraph_format.keep_with_next is True
