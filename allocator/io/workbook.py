"""A case as one Excel workbook: a ``case`` sheet and one sheet per table.

The ``case`` sheet holds key/value rows in columns A and B (lists such as
``categories`` as ``;``-separated text, as in funds.csv). Each table sheet
(villages, needs, projects, funds, scores, households, measures, and for a
multi-year case budgets and history) has its
header in row 1. Headers may be the standard Chinese ones (``ALIASES``) or a
province's own, mapped in a ``columns`` sheet (table, header, column).

Reading turns every sheet into the very text a case folder holds and loads it
through the same checks; each error is translated back to its sheet and cell
(``projects!E17``). Excel's own types: a whole number stored as a float is a
whole number (``300000.0`` is 300000), ``12.5`` in a money column is refused,
booleans are read as true/false, dates as ISO text (so a date in a number
column is refused, naming its cell). Documented behaviour: a merged cell's
value is in its top-left cell only (the others are empty, and a required
empty cell is refused with a hint to unmerge); a formula Excel never
calculated (a file written by a program and never opened in Excel) has no
saved value and reads as empty; a hidden table sheet is refused (allocator
reads what a person can see).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.schemas import (
    Budget,
    Fund,
    Household,
    Measure,
    Need,
    PastAmount,
    Project,
    Score,
    Village,
)

if TYPE_CHECKING:
    from allocator.io.case import Case

TABLE_MODELS: dict[str, type[BaseModel]] = {
    "villages": Village,
    "needs": Need,
    "projects": Project,
    "funds": Fund,
    "scores": Score,
    "households": Household,
    "measures": Measure,
    "budgets": Budget,
    "history": PastAmount,
}
CASE_SHEET = "case"
COLUMNS_SHEET = "columns"
TABLE_SHEETS = (
    "villages",
    "needs",
    "projects",
    "funds",
    "scores",
    "households",
    "measures",
    "budgets",
    "history",
)
OPTIONAL_SHEETS = {"scores", "needs", "households", "measures", "budgets", "history"}

#: Standard Chinese headers -> column, per table (a province's own go in a ``columns`` sheet).
ALIASES: dict[str, dict[str, str]] = {
    "villages": {
        "行政村编码": "village_id",
        "村编码": "village_id",
        "行政村名称": "name",
        "村名": "name",
        "乡镇": "township",
        "总人口": "population",
        "人口": "population",
        "总户数": "households",
        "户数": "households",
        "贫困户数": "poor_households",
        "建档立卡贫困户数": "poor_households",
        "贫困人口": "poor_population",
        "贫困发生率": "poverty_rate",
        "人均纯收入": "per_capita_income",
        "人均可支配收入": "per_capita_income",
        "贫困村": "poor_village",
        "是否贫困村": "poor_village",
        "退出年份": "exit_year",
        "计划退出年份": "exit_year",
        "地形": "terrain",
        "水库移民村": "migrant_village",
    },
    "needs": {"行政村编码": "village_id", "需求类别": "need", "需求": "need", "户数": "households"},
    "projects": {
        "项目编码": "project_id",
        "行政村编码": "village_id",
        "项目名称": "name",
        "项目类别": "category",
        "资金规模": "cost",
        "总投资": "cost",
        "受益户数": "households",
        "受益贫困户数": "poor_households",
        "可分割": "divisible",
        "建设期": "duration",
        "建设年限": "duration",
        "最早开工年份": "earliest_year",
        "最晚开工年份": "latest_year",
        "续建项目": "continuing",
        "是否续建": "continuing",
    },
    "funds": {
        "资金编码": "fund_id",
        "资金名称": "name",
        "资金类型": "kind",
        "资金级别": "level",
        "资金规模": "budget",
        "预算": "budget",
        "使用范围": "categories",
    },
    "scores": {"行政村编码": "village_id", "绩效得分": "score", "得分": "score"},
    "households": {
        "户编码": "household_id",
        "行政村编码": "village_id",
        "家庭人口": "members",
        "建档立卡": "poor",
        "脱贫年份": "exit_year",
        "致贫原因": "cause",
        "住房安全": "safe_housing",
        "饮水安全": "safe_water",
        "人均纯收入": "income",
        "劳动力": "labour",
    },
    "budgets": {"资金编码": "fund_id", "年度": "year", "预算": "budget", "资金规模": "budget"},
    "history": {"行政村编码": "village_id", "年度": "year", "金额": "amount", "到村资金": "amount"},
    "measures": {
        "措施编码": "measure_id",
        "措施名称": "name",
        "类别": "category",
        "每户补助": "cost_per_household",
        "每人补助": "cost_per_member",
        "限额": "quota",
        "解决": "closes",
    },
}


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: Any, decimal: bool = False) -> str:
    """A workbook cell as the text a CSV cell holds (see the module docstring).

    Numbers in a ``decimal`` column keep their decimal form (20.0 -> "20.0");
    elsewhere a whole number is written whole (300000.0 -> "300000").
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and not decimal else repr(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    return str(value)


@dataclass
class _Sheet:
    name: str
    headers: list[str]  # as written in the workbook
    canonical: list[str]  # the columns they stand for
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


@dataclass
class WorkbookText:
    """The case folder a workbook stands for: file name -> text, and how to point back."""

    files: dict[str, str]
    sheets: dict[str, _Sheet]
    case_rows: dict[int, int]  # case.yaml line -> case sheet row

    def locate(self, path: Path, location: Location | None) -> Location:
        """The sheet and cell of a location in the generated folder."""
        if location is None or location.file is None:
            return Location(path)
        name = location.file.name
        if name == "case.yaml":
            row = self.case_rows.get(location.line or 0)
            return Location(path, cell=f"{CASE_SHEET}!B{row}" if row else CASE_SHEET)
        sheet = self.sheets.get(name.removesuffix(".csv"))
        if sheet is None:
            return Location(path)
        if location.line is None:
            return Location(path, cell=sheet.name)
        if location.field is None or location.field not in sheet.canonical:
            return Location(path, cell=f"{sheet.name}!{location.line}:{location.line}")
        col = sheet.canonical.index(location.field)
        return Location(path, cell=f"{sheet.name}!{column_letter(col)}{location.line}")

    def merged_hint(self, location: Location) -> str:
        if location.cell is None or "!" not in location.cell:
            return ""
        name, ref = location.cell.split("!", 1)
        sheet = self.sheets.get(name)
        if sheet is None or ":" in ref:
            return ""
        col = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(ref.rstrip("0123456789"))))
        row = int(ref[len(ref.rstrip("0123456789")) :] or 0)
        for (r0, c0), (r1, c1) in sheet.merged:
            if (
                r0 + 1 <= row <= r1 + 1
                and c0 + 1 <= col <= c1 + 1
                and (row, col) != (r0 + 1, c0 + 1)
            ):
                first = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
                return msg(
                    (
                        " (the cell is part of merged cells {first}: unmerge them and fill "
                        "each cell)"
                    ),
                    first=first,
                )
        return ""


def workbook_text(path: Path) -> WorkbookText:
    """Read a case workbook into the text of the case folder it stands for."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # the library raises its own types for unreadable files
        raise InputError(msg("cannot read the workbook: {exc}", exc=exc), Location(path)) from None
    hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    names = set(book.sheet_names)
    for name in sorted(names & {CASE_SHEET, *TABLE_SHEETS}):
        if name in hidden:
            raise InputError(
                msg(
                    "sheet '{name}' is hidden; unhide it (allocator reads what a person can see)",
                    name=name,
                ),
                Location(path, cell=name),
            )
    if CASE_SHEET not in names:
        raise InputError(
            msg(
                (
                    "the workbook has no '{CASE_SHEET}' sheet (name, year, currency ... in "
                    "columns A, B)"
                ),
                CASE_SHEET=CASE_SHEET,
            ),
            Location(path),
        )
    aliases = {table: dict(mapping) for table, mapping in ALIASES.items()}
    if COLUMNS_SHEET in names:
        rows = book.get_sheet_by_name(COLUMNS_SHEET).to_python(skip_empty_area=False)
        for r, row in enumerate(rows[1:], start=2):
            table, header, column = (cell_text(v).strip() for v in ([*list(row), "", "", ""])[:3])
            if not table and not header:
                continue
            if table not in TABLE_SHEETS:
                raise InputError(
                    msg(
                        "unknown table '{table}' (tables: {TABLE_SHEETS})",
                        table=table,
                        TABLE_SHEETS=", ".join(TABLE_SHEETS),
                    ),
                    Location(path, cell=f"{COLUMNS_SHEET}!A{r}"),
                )
            aliases[table][header] = column

    files: dict[str, str] = {}
    case_rows: dict[int, int] = {}
    lines: list[str] = []
    rows = book.get_sheet_by_name(CASE_SHEET).to_python(skip_empty_area=False)
    for r, row in enumerate(rows, start=1):
        cells = [*list(row), "", ""]
        key, value = cell_text(cells[0]).strip(), cells[1]
        if not key or (r == 1 and key == "key"):  # an optional "key | value" header row
            continue
        text = cell_text(value)
        if key in ("categories", "horizon"):
            items: list[str | int] = [part.strip() for part in text.split(";") if part.strip()]
            if key == "horizon":  # years, written "2026;2027;2028"
                items = [int(x) if str(x).isdigit() else x for x in items]
            rendered = json.dumps(items, ensure_ascii=False)
        elif key == "year" and text.isdigit():
            rendered = text
        else:
            rendered = json.dumps(text, ensure_ascii=False)
        lines.append(
            msg("{value}: {rendered}", value=json.dumps(key, ensure_ascii=False), rendered=rendered)
        )
        case_rows[len(lines)] = r
    files["case.yaml"] = "\n".join(lines) + "\n"

    sheets: dict[str, _Sheet] = {}
    for table in TABLE_SHEETS:
        if table not in names:
            continue
        sheet = book.get_sheet_by_name(table)
        rows = sheet.to_python(skip_empty_area=False)
        headers = [cell_text(v).strip() for v in (rows[0] if rows else [])]
        canonical = [aliases[table].get(h, h) for h in headers]
        sheets[table] = _Sheet(table, headers, canonical, list(sheet.merged_cell_ranges or []))
        decimal = [_is_decimal(table, name) for name in canonical]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(canonical)
        for row in rows[1:]:
            cells = list(row)[: len(headers)]
            writer.writerow([cell_text(v, d) for v, d in zip(cells, decimal, strict=False)])
        files[f"{table}.csv"] = buffer.getvalue()
    return WorkbookText(files, sheets, case_rows)


def _is_decimal(table: str, column: str) -> bool:
    from allocator.schemas import field_base_type

    model = TABLE_MODELS[table]
    info = model.model_fields.get(column)
    return info is not None and field_base_type(info.annotation)[0] is float


def load_workbook_case(path: Path) -> Case:
    """Load and cross-check a case workbook; errors name sheet and cell."""
    from allocator.io.case import load_case

    text = workbook_text(path)
    folder = Path(tempfile.mkdtemp(prefix="allocator-workbook-"))
    try:
        for name, content in text.files.items():
            (folder / name).write_text(content, encoding="utf-8")
        try:
            case = load_case(folder)
        except InputError as exc:
            where = text.locate(path, exc.location)
            message = exc.message.replace(str(folder) + "/", "") + text.merged_hint(where)
            raise type(exc)(message, where) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return replace(case, folder=path)


def sheet_rows(path: Path, names: Sequence[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first of ``names`` a workbook has: its header and its non-blank rows (as CSV
    cell texts) with their row numbers."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # the library raises its own types for unreadable files
        raise InputError(msg("cannot read the workbook: {exc}", exc=exc), Location(path)) from None
    sheet = next((n for n in names if n in book.sheet_names), None)
    if sheet is None:
        raise InputError(msg("the workbook has no '{names}' sheet", names=names[0]), Location(path))
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    header = [cell_text(v).strip() for v in (rows[0] if rows else [])]
    found = []
    for r, row in enumerate(rows[1:], start=2):
        cells = [cell_text(v).strip() for v in row]
        if any(cells):
            found.append((r, cells))
    return header, found
