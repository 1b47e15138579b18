"""``allocator convert``: a case folder to one workbook and back, losslessly.

Folder -> workbook: a ``case`` sheet (key/value rows; lists ``;``-separated)
and one sheet per table, cells typed as their schema column (whole numbers,
decimals, true/false, text), with a bold, frozen header row and filters.
Workbook -> folder: exactly the tables ``allocator run case.xlsx`` reads
(``io/workbook.py``). CSV tables survive the round trip byte for byte;
case.yaml survives in meaning (comments and layout are not kept).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from allocator.errors import InputError, Location, OutputError
from allocator.i18n import Language, msg, t
from allocator.io.case import CASE_FILE
from allocator.io.csvtable import decode_csv, parse_bool, parse_float, parse_int
from allocator.io.files import read_bytes
from allocator.io.workbook import ALIASES, CASE_SHEET, TABLE_MODELS, TABLE_SHEETS, workbook_text
from allocator.io.yamlsafe import load_yaml
from allocator.report.output import published, write_files
from allocator.schemas import field_base_type


def save_workbook(book: Any, target: Path) -> Path:
    """Save an openpyxl workbook atomically (all of it or nothing), readable as usual."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        book.save(staging)
        published(Path(staging))
        os.replace(staging, target)
    except OSError as exc:
        Path(staging).unlink(missing_ok=True)
        raise OutputError(
            msg("cannot write the workbook: {strerror}", strerror=exc.strerror), Location(target)
        ) from None
    return target


def _typed(text: str, kind: Any) -> Any:
    """A CSV cell as the value its column holds in a workbook (text where it is not one)."""
    if text == "":
        return None
    try:
        if kind is bool:
            return parse_bool(text)
        if kind is int:
            return parse_int(text)
        if kind is float:
            return parse_float(text)
    except ValueError:
        return text  # kept as written: the reader will refuse it, naming its cell
    return text


def folder_to_workbook(folder: Path, target: Path) -> Path:
    """Write a case folder as one workbook (atomically: all of it or nothing)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    meta = load_yaml(folder / CASE_FILE)
    if not isinstance(meta.data, dict):
        raise InputError(msg("case.yaml must be a mapping of keys"), meta.location(()))
    encoding = str(meta.data.get("encoding", "utf-8"))
    book = Workbook()
    sheet = book.active
    sheet.title = CASE_SHEET
    sheet.append(["key", "value"])
    for key, value in meta.data.items():
        if isinstance(value, dict):
            raise InputError(
                msg(
                    "'{key}' is a nested setting, which a workbook's case sheet cannot hold yet",
                    key=key,
                ),
                meta.location((key,)),
            )
        if key == "encoding":
            continue  # a workbook has no text encoding
        sheet.append([key, ";".join(map(str, value)) if isinstance(value, list) else value])
    for table in TABLE_SHEETS:
        path = folder / f"{table}.csv"
        if not path.is_file():
            continue
        model = TABLE_MODELS[table]
        rows = list(csv.reader(io.StringIO(decode_csv(read_bytes(path), path, encoding))))
        header = [h.strip() for h in rows[0]] if rows else []
        kinds = [
            field_base_type(model.model_fields[h].annotation)[0] if h in model.model_fields else str
            for h in header
        ]
        out = book.create_sheet(table)
        out.append(header)
        for cell in out[1]:
            cell.font = Font(bold=True)
        for row in rows[1:]:
            out.append([_typed(c.strip(), k) for c, k in zip(row, kinds, strict=False)])
        out.freeze_panes = "A2"
        out.auto_filter.ref = out.dimensions
    return save_workbook(book, target)


def workbook_to_folder(workbook: Path, target: Path) -> Path:
    """Write a case workbook as a case folder (the tables ``run`` reads from it)."""
    text = workbook_text(workbook)
    return write_files(text.files, target, marker=CASE_FILE)


def convert(source: Path, target: Path) -> Path:
    """A case folder to a ``.xlsx`` workbook, or a workbook to a case folder."""
    if source.is_dir():
        if target.suffix.lower() != ".xlsx":
            raise InputError(msg("converting a case folder needs a .xlsx target"), Location(target))
        return folder_to_workbook(source, target)
    if source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        return workbook_to_folder(source, target)
    raise InputError(msg("expected a case folder or a .xlsx workbook"), Location(source))


#: table columns whose values are categories of the case vocabulary
CATEGORY_COLUMNS = {("needs", "need"), ("projects", "category"), ("measures", "category")}
#: rows a template's drop-downs cover
TEMPLATE_ROWS = 5000


def _header(table: str, name: str, language: Language) -> str:
    """A column's header in a template: its name, or its standard Chinese header."""
    if language == "zh":
        for header, column in ALIASES[table].items():
            if column == name:
                return header
    return name


def write_template(target: Path, households: bool = False, language: Language = "en") -> Path:
    """An empty case workbook: headers, an instructions sheet and drop-down lists.

    Every column, its type and its description come from the schemas; booleans,
    literal choices (terrain, fund level, ...) and categories get drop-downs. In
    Chinese the headers are the standard Chinese ones the reader understands.
    """
    from typing import Literal, get_args, get_origin

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from allocator.io.csvtable import column_specs
    from allocator.io.workbook import column_letter
    from allocator.schemas import DEFAULT_CATEGORIES

    # A template is for a one-year case: budgets and history belong to a multi-year one.
    tables = [
        t
        for t in TABLE_SHEETS
        if (households or t not in ("households", "measures")) and t not in ("budgets", "history")
    ]
    book = Workbook()
    guide = book.active
    guide.title = "instructions"
    guide.append([t("template.title", language)])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([t("template.guide", language)])
    guide.append([])
    guide.append(t("template.columns", language).split("|"))
    for cell in guide[4]:
        cell.font = Font(bold=True)
    case = book.create_sheet(CASE_SHEET)
    case.append(["key", "value"])
    for key, value in (
        ("name", ""),
        ("year", ""),
        ("currency", "CNY"),
        ("description", ""),
        ("categories", ";".join(DEFAULT_CATEGORIES)),
    ):
        case.append([key, value])
    lists = book.create_sheet("lists")
    for i, category in enumerate(DEFAULT_CATEGORIES, start=1):
        lists.cell(row=i, column=1, value=category)
    lists.sheet_state = "hidden"
    category_range = f"lists!$A$1:$A${len(DEFAULT_CATEGORIES)}"
    for table in tables:
        model = TABLE_MODELS[table]
        sheet = book.create_sheet(table)
        specs = column_specs(model)
        sheet.append([_header(table, s.name, language) for s in specs])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, spec in enumerate(specs):
            info = model.model_fields[spec.name]
            kind, optional = field_base_type(info.annotation)
            letter = column_letter(index)
            area = f"{letter}2:{letter}{TEMPLATE_ROWS}"
            choices: str | None = None
            if kind is bool:
                choices = '"true,false"'
            elif get_origin(kind) is Literal:
                choices = '"' + ",".join(map(str, get_args(kind))) + '"'
            elif (table, spec.name) in CATEGORY_COLUMNS:
                choices = category_range
            if choices is not None:
                rule = DataValidation(type="list", formula1=choices, allow_blank=optional)
                rule.error = f"{spec.name}: choose one of the listed values"
                sheet.add_data_validation(rule)
                rule.add(area)
            type_name = (
                "true/false"
                if kind is bool
                else "one of " + ", ".join(map(str, get_args(kind)))
                if get_origin(kind) is Literal
                else {int: "whole number", float: "number"}.get(kind, "text")
            )
            guide.append(
                [
                    table,
                    spec.name,
                    type_name,
                    "yes" if spec.required else "no",
                    info.description or "",
                ]
            )
    return save_workbook(book, target)
