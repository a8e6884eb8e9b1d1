"""A deputy's formal suggestion (代表建议) as a Word document in the customary layout.

No database, no chat platform: the caller gathers the data (suggestion, deputies, linked
resident issues) and gets the bytes of a .docx back. A4, a centered title and number, an info table, the three
headed sections (案由, 问题与理由, 建议办法), the lead deputy's signature line, and the
residents' issues the suggestion was built from as an appendix table on a page of its own.
Chinese text gets SimSun/宋体 (body) and SimHei/黑体 (headings) by name, with the East Asian
language set to zh-CN so that a reader lacking those fonts substitutes a Chinese face.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Length, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

__all__ = ["LinkedIssue", "SuggestionPaper", "render_docx"]


@dataclass(frozen=True)
class LinkedIssue:
    """One resident issue the suggestion was built from."""

    number: int  # shown as #12
    date: str  # already formatted, e.g. "2026-11-03"
    station: str  # liaison station name
    place: str  # address or "—"
    text: str  # the resident's description
    supporters: int = 0  # 附议 count


@dataclass(frozen=True)
class SuggestionPaper:
    number: int  # 建议 #N
    title: str  # 标题 (案由 short form), e.g. "关于加快老旧小区加装电梯的建议"
    lead: str  # 领衔代表
    cosigners: tuple[str, ...]  # 附议代表
    delegation: str  # 代表团 or station line; may be ""
    reasons: str  # 问题与理由: paragraphs separated by \n
    proposal: str  # 建议办法: paragraphs separated by \n, may be numbered "1. …"
    drafted: str  # date, already formatted
    linked: tuple[LinkedIssue, ...]
    lang: str = "zh"  # "zh" or "en": the language of every label


LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "heading": "代表建议",
        "number": "第 {n} 号",
        "title": "标题（案由）",
        "lead": "领衔代表",
        "cosigners": "附议代表",
        "delegation": "代表团/联络站",
        "drafted": "提出日期",
        "s_subject": "一、案由",
        "s_reasons": "二、问题与理由",
        "s_proposal": "三、建议办法",
        "appendix": "附件：群众反映问题清单",
        "c_number": "编号",
        "c_date": "日期",
        "c_station": "联络站",
        "c_place": "地点",
        "c_text": "反映内容",
        "c_supporters": "附议",
        "none": "无",
        "name_sep": "、",
        "signature": "领衔代表（签名）：________   日期：________",
    },
    "en": {
        "heading": "Deputy's Suggestion",
        "number": "No. {n}",
        "title": "Subject",
        "lead": "Lead deputy",
        "cosigners": "Co-signers",
        "delegation": "Delegation / station",
        "drafted": "Date submitted",
        "s_subject": "I. Subject",
        "s_reasons": "II. Problems and reasons",
        "s_proposal": "III. Proposed measures",
        "appendix": "Appendix: residents' issues",
        "c_number": "No.",
        "c_date": "Date",
        "c_station": "Station",
        "c_place": "Place",
        "c_text": "Issue",
        "c_supporters": "Backers",
        "none": "None",
        "name_sep": ", ",
        "signature": "Lead deputy (signature): ________   Date: ________",
    },
}

# Names as Word on a Chinese Windows knows them; elsewhere (LibreOffice on Linux) the
# font fallback picks an installed CJK face, and the zh-CN East Asian language tag makes
# it pick a Chinese one.
BODY_FONT = ("SimSun", "宋体")
HEADING_FONT = ("SimHei", "黑体")

TITLE_SIZE = Pt(22)  # 二号
HEADING_SIZE = Pt(16)  # 三号
BODY_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四
APPENDIX_SIZE = Pt(10.5)  # 五号: six columns on a portrait A4 page

MARGIN = Cm(2.5)
TEXT_WIDTH = Cm(21.0 - 2 * 2.5)  # A4 width less the margins: 16 cm
INFO_COLUMNS = (Cm(4.0), Cm(12.0))
# 编号 | 日期 | 联络站 | 地点 | 反映内容 | 附议: the description gets what the rest leaves;
# the date is sized so "2026-11-03" stays on one line even in a wide substitute font.
APPENDIX_COLUMNS = (Cm(1.2), Cm(2.7), Cm(2.6), Cm(2.6), Cm(5.0), Cm(1.9))
APPENDIX_CELL_PADDING = Cm(0.1)  # narrower than the 0.19 cm default: six columns share 16 cm

# Characters XML 1.0 cannot carry (C0 controls other than tab and newline, lone
# surrogates, U+FFFE/U+FFFF): lxml refuses them, so user text loses them instead.
_NOT_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(value: str) -> str:
    """User text made storable: line breaks unified to \\n, what XML cannot hold dropped."""
    return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _paragraphs(value: str) -> list[str]:
    """The non-blank lines of a multi-paragraph text, trimmed."""
    return [line.strip() for line in _clean(value).split("\n") if line.strip()]


def _one_line(value: str) -> str:
    """A field meant as one line (name, date, title): inner line breaks become spaces."""
    return " ".join(_paragraphs(value))


def render_docx(paper: SuggestionPaper) -> bytes:
    """The suggestion as .docx bytes."""
    if paper.lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(LABELS)}, not {paper.lang!r}")
    labels = LABELS[paper.lang]
    document = Document()
    _page_setup(document)
    _styles(document)
    _metadata(document, paper)

    document.add_paragraph(labels["heading"], style="Title")
    number = document.add_paragraph(labels["number"].format(n=paper.number))
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.space_after = Pt(12)

    subject = _one_line(paper.title) or labels["none"]
    cosigners = [name for name in (_one_line(n) for n in paper.cosigners) if name]
    info = [
        (labels["title"], subject),
        (labels["lead"], _one_line(paper.lead) or labels["none"]),
        (labels["cosigners"], labels["name_sep"].join(cosigners) or labels["none"]),
        (labels["delegation"], _one_line(paper.delegation) or "—"),
        (labels["drafted"], _one_line(paper.drafted) or "—"),
    ]
    _info_table(document, info)

    document.add_heading(labels["s_subject"], level=1)
    _body_paragraph(document.add_paragraph(subject))
    document.add_heading(labels["s_reasons"], level=1)
    for text in _paragraphs(paper.reasons) or [labels["none"]]:
        _body_paragraph(document.add_paragraph(text))
    document.add_heading(labels["s_proposal"], level=1)
    last = None
    for text in _paragraphs(paper.proposal) or [labels["none"]]:
        last = document.add_paragraph(text)
        _body_paragraph(last)
    if last is not None:  # the signature never stands alone on a page
        last.paragraph_format.keep_with_next = True

    signature = document.add_paragraph(labels["signature"])
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.space_before = Pt(36)

    appendix = document.add_heading(labels["appendix"], level=1)
    if paper.linked:
        # The issue list is an attachment: it starts a page of its own, as attachments do.
        # An empty one is a single line and stays under the signature instead.
        appendix.paragraph_format.page_break_before = True
        _appendix_table(document, paper.linked, labels)
    else:
        document.add_paragraph(labels["none"])

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- page and styles ---------------------------------------------------------------------


def _page_setup(document: DocumentType) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = MARGIN
    section.left_margin = section.right_margin = MARGIN
    section.footer_distance = Cm(1.5)
    # Page number centered in the footer, as a field so Word and LibreOffice count pages.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)


def _child(parent: BaseOxmlElement, tag: str, *, first: bool = False) -> BaseOxmlElement:
    """The child `w:tag` of a property element, created when missing."""
    found: BaseOxmlElement | None = parent.find(qn(tag))
    if found is not None:
        return found
    created = OxmlElement(tag)
    if first:
        parent.insert(0, created)
    else:
        parent.append(created)
    return created


def _set_fonts(rpr: BaseOxmlElement, fonts: tuple[str, str]) -> None:
    """Latin and East Asian font of run properties, replacing any theme font: in Word a
    theme attribute wins over the explicit name, so it has to go."""
    rfonts = _child(rpr, "w:rFonts", first=True)  # rFonts leads the rPr sequence
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attribute), None)
    latin, east_asian = fonts
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _styles(document: DocumentType) -> None:
    styles = document.styles
    # Document defaults name theme fonts and an en-US East Asian language; both would
    # steer a reader without SimSun to a Japanese or Latin face for Chinese text.
    defaults = _child(styles.element, "w:docDefaults", first=True)
    rpr_default = _child(_child(defaults, "w:rPrDefault", first=True), "w:rPr")
    _set_fonts(rpr_default, BODY_FONT)
    _child(rpr_default, "w:lang").set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.5

    title = styles["Title"]
    assert isinstance(title, ParagraphStyle)
    _set_fonts(title.element.get_or_add_rPr(), BODY_FONT)
    rpr = title.element.get_or_add_rPr()
    for child in list(rpr):  # the template's letter spacing, kerning and its own sizes
        if child.tag in (qn("w:spacing"), qn("w:kern"), qn("w:szCs")):
            rpr.remove(child)
    ppr = title.element.get_or_add_pPr()
    for child in list(ppr):
        if child.tag == qn("w:pBdr"):  # the template's blue rule under the title
            ppr.remove(child)
    title.font.size = TITLE_SIZE
    title.font.bold = True
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(6)

    heading = styles["Heading 1"]
    assert isinstance(heading, ParagraphStyle)
    _set_fonts(heading.element.get_or_add_rPr(), HEADING_FONT)
    heading.font.size = HEADING_SIZE
    heading.font.bold = False  # 黑体 is heavy already; a synthetic bold smears it
    heading.font.color.rgb = RGBColor(0, 0, 0)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.line_spacing = 1.5
    heading.paragraph_format.keep_with_next = True


def _metadata(document: DocumentType, paper: SuggestionPaper) -> None:
    core = document.core_properties
    core.title = _one_line(paper.title)[:255]
    core.author = _one_line(paper.lead)[:255]
    core.subject = LABELS[paper.lang]["heading"]
    core.comments = ""
    core.last_modified_by = ""
    # The template's own dates (2013) would show as the file's creation date.
    core.created = core.modified = datetime.now(UTC).replace(microsecond=0)


# --- paragraphs and tables -----------------------------------------------------------------


def _body_paragraph(paragraph: Paragraph) -> None:
    """First line indented two characters, the customary Chinese paragraph."""
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_SIZE.pt)
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Word measures firstLineChars in hundredths of a character of the paragraph's font.
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), "200")


def _fixed_layout(table: Table, widths: tuple[Length, ...], padding: Length | None = None) -> None:
    """Fixed column widths: long text wraps inside its cell instead of widening the
    table past the margin."""
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout type="fixed"
    tbl_pr = table._tbl.tblPr
    width = _child(tbl_pr, "w:tblW")  # python-docx writes one (type auto): made exact
    width.set(qn("w:w"), str(_twips(sum(widths, Length(0)))))
    width.set(qn("w:type"), "dxa")
    if padding is not None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("w:left", "w:right"):
            edge = OxmlElement(side)
            edge.set(qn("w:w"), str(_twips(padding)))
            edge.set(qn("w:type"), "dxa")
            margins.append(edge)
        # The schema orders tblPr children and Word rejects a misplaced one: tblCellMar
        # goes right before tblLook, the only later child python-docx writes.
        look = tbl_pr.find(qn("w:tblLook"))
        if look is None:
            tbl_pr.append(margins)
        else:
            look.addprevious(margins)
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width


def _twips(length: Length) -> int:
    return int(length) // 635  # EMU per twip


def _cell(cell: _Cell, text: str, width: Length, size: Length, *, label: bool = False) -> None:
    cell.width = width  # Word reads cell widths, LibreOffice the grid; both are set
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = 1.15
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    lines = text.split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    run.font.size = size
    if label:
        _set_fonts(run._r.get_or_add_rPr(), HEADING_FONT)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _info_table(document: DocumentType, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=len(rows), cols=2)
    _fixed_layout(table, INFO_COLUMNS)
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.height = Cm(1.0)
        _cell(row.cells[0], label, INFO_COLUMNS[0], TABLE_SIZE, label=True)
        _cell(row.cells[1], value, INFO_COLUMNS[1], TABLE_SIZE)


def _appendix_table(
    document: DocumentType, issues: tuple[LinkedIssue, ...], labels: dict[str, str]
) -> None:
    table = document.add_table(rows=1 + len(issues), cols=len(APPENDIX_COLUMNS))
    _fixed_layout(table, APPENDIX_COLUMNS, APPENDIX_CELL_PADDING)
    header, *rows = table.rows
    # Repeat the header row on every page the table runs over.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    names = ("c_number", "c_date", "c_station", "c_place", "c_text", "c_supporters")
    for cell, name, width in zip(header.cells, names, APPENDIX_COLUMNS, strict=True):
        _cell(cell, labels[name], width, APPENDIX_SIZE, label=True)
    for row, issue in zip(rows, issues, strict=True):
        values = (
            f"#{issue.number}",
            _one_line(issue.date) or "—",
            _one_line(issue.station) or "—",
            _one_line(issue.place) or "—",
            "\n".join(_paragraphs(issue.text)) or "—",
            str(issue.supporters),
        )
        for index, (cell, value, width) in enumerate(
            zip(row.cells, values, APPENDIX_COLUMNS, strict=True)
        ):
            _cell(cell, value, width, APPENDIX_SIZE)
            if index in (0, 1, 5):  # number, date, count: short, read down the column
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
