"""Issue exports: CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX (openpyxl).

The header, states, ratings, sources, yes cells and category and department names follow
`lang` (`export.*` texts; the seed's `name_zh`/`name_en`); station and district names,
deputies and descriptions are what they are. Residents' names and phone numbers are
included only when asked (`with_contacts`, which only the command line — an administrator
on the server — can ask for).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

from bot.models import Lang
from bot.services.base import Service
from bot.texts import plain

FORMATS = ("csv", "xlsx")

# Column keys, in order; their titles are the texts `export.col.<key>`.
COLUMNS = [
    "number",
    "station",
    "district",
    "category",
    "state",
    "created",
    "accepted",
    "replied",
    "closed",
    "deputy",
    "department",
    "rating",
    "supporters",
    "accept_overdue",
    "reply_overdue",
    "supervised",
    "source",
    "description",
]
CONTACT_COLUMNS = ["resident_name", "resident_phone"]

RATINGS = ("satisfied", "mostly", "unsatisfied")  # texts `rating.<value>`
SOURCES = ("resident", "patrol")  # texts `export.source.<value>`


def header(lang: Lang, with_contacts: bool = False) -> list[str]:
    columns = COLUMNS + (CONTACT_COLUMNS if with_contacts else [])
    return [plain(lang, f"export.col.{key}") for key in columns]


class ExportService(Service):
    def _when(self, ts: int | None) -> str:
        if ts is None:
            return ""
        return datetime.fromtimestamp(ts, self.settings.zone).strftime("%Y-%m-%d %H:%M")

    async def _names(self, lang: Lang) -> dict[str, str]:
        """Category and department names in `lang`, by their Chinese name (what the export
        query gives). A department no longer in the seed keeps its Chinese name."""
        if lang is Lang.ZH:
            return {}
        async with self.db.read() as repos:
            named = [*await repos.stations.all_categories(), *await repos.stations.departments()]
        return {item.name_zh: item.name(lang) for item in named}

    async def rows(
        self,
        station_ids: list[int] | None,
        since: int = 0,
        with_contacts: bool = False,
        lang: Lang = Lang.ZH,
    ) -> list[list[Any]]:
        """The header and one row per issue."""
        now = int(self.clock.now())
        async with self.db.read() as repos:
            issues = await repos.stats.export_rows(station_ids, since)
        names = await self._names(lang)
        yes = plain(lang, "export.yes")
        columns = COLUMNS + (CONTACT_COLUMNS if with_contacts else [])
        out: list[list[Any]] = [header(lang, with_contacts)]
        for i in issues:
            state = str(i["state"])
            accepted_or_now = i["accepted_at"] or (now if state == "submitted" else None)
            open_ = state in ("submitted", "accepted", "transferred")
            replied_or_now = i["replied_at"] or (now if open_ else None)
            rating = str(i["rating"] or "")
            source = str(i["source"])
            department = str(i["department"] or "")
            values = {
                "number": int(i["id"]),
                "station": i["station"],
                "district": i["district"],
                "category": names.get(str(i["category"]), i["category"]),
                "state": plain(lang, f"state.{state}"),
                "created": self._when(i["created_at"]),
                "accepted": self._when(i["accepted_at"]),
                "replied": self._when(i["replied_at"]),
                "closed": self._when(i["closed_at"]),
                "deputy": i["deputy"] or "",
                "department": names.get(department, department),
                "rating": plain(lang, f"rating.{rating}") if rating in RATINGS else "",
                "supporters": int(i["supporters"]),
                "accept_overdue": yes
                if accepted_or_now is not None and accepted_or_now > i["accept_due"]
                else "",
                "reply_overdue": yes
                if replied_or_now is not None and replied_or_now > i["reply_due"]
                else "",
                "supervised": yes if i["supervised"] else "",
                "source": plain(lang, f"export.source.{source}") if source in SOURCES else source,
                "description": i["description"],
                "resident_name": i["resident_name"] or "",
                "resident_phone": i["resident_phone"] or "",
            }
            out.append([values[key] for key in columns])
        return out

    async def build(
        self,
        fmt: str,
        station_ids: list[int] | None,
        since: int = 0,
        with_contacts: bool = False,
        lang: Lang = Lang.ZH,
    ) -> tuple[str, bytes, int]:
        """(file name, file bytes, number of issues)."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        rows = await self.rows(station_ids, since, with_contacts, lang)
        stamp = datetime.fromtimestamp(self.clock.now(), self.settings.zone).strftime("%Y%m%d-%H%M")
        name = f"issues-{stamp}.{fmt}"
        data = to_csv(rows) if fmt == "csv" else to_xlsx(rows)
        return name, data, len(rows) - 1


# A cell that starts like this is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML (so XLSX) cannot hold; a description may contain them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text_cell(value: Any, *, quote_formula: bool) -> Any:
    """User text as inert text: control characters removed, and in CSV a leading formula
    character escaped with an apostrophe (the usual defence against formula injection)."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub("", value)
    if quote_formula and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([[_text_cell(v, quote_formula=True) for v in row] for row in rows])
    return text.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "issues"
    for row in rows:
        sheet.append([_text_cell(v, quote_formula=False) for v in row])
    for line in sheet.iter_rows():
        for cell in line:
            if cell.data_type == "f":  # text starting with "=": kept as the text it is
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
