"""Reading one CSV table into validated rows, with errors naming file, row and column.

Expected columns and cell types come from the pydantic row model (see
``schemas.py``). Cells are parsed strictly (no silent float money, no NaN, no
guessing of encodings) before pydantic checks ranges and constraints.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from allocator.errors import InputError, Location
from allocator.i18n import msg, validation_text
from allocator.io.files import read_bytes
from allocator.schemas import ExtraType, field_base_type

M = TypeVar("M", bound=BaseModel)
CellParser = Callable[[str], Any]

_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_TRUE = {"true", "yes", "y", "1", "是", "t"}
_FALSE = {"false", "no", "n", "0", "否", "f"}


class CellError(ValueError):
    """A cell that cannot be read as its column's type."""


def parse_int(text: str) -> int:
    if text.isascii() and text.isdigit():  # the common case, without the pattern
        return int(text)
    if _INT.match(text):
        return int(text)
    if "," in text and _INT.match(text.replace(",", "")):
        raise CellError(
            msg("expected a whole number, found '{text}' (remove thousands separators)", text=text)
        )
    if _FLOAT.match(text) or text.lower() in {"nan", "inf", "-inf", "infinity"}:
        raise CellError(
            msg("expected a whole number (integer yuan, no decimals), found '{text}'", text=text)
        )
    raise CellError(msg("expected a whole number, found '{text}'", text=text))


def parse_float(text: str) -> float:
    if not _FLOAT.match(text):
        if text.lower() in {"nan", "inf", "-inf", "+inf", "infinity"}:
            raise CellError(msg("expected a finite number, found '{text}'", text=text))
        raise CellError(msg("expected a number, found '{text}'", text=text))
    value = float(text)
    if not math.isfinite(value):
        raise CellError(msg("expected a finite number, found '{text}'", text=text))
    return value


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CellError(msg("expected true or false, found '{text}'", text=text))


def parse_str(text: str) -> str:
    return text


def parse_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _literal_parser(choices: tuple[Any, ...]) -> CellParser:
    def parse(text: str) -> str:
        if text in choices:
            return text
        hint = difflib.get_close_matches(text, [str(c) for c in choices], n=1)
        suggestion = msg(" (did you mean '{name}'?)", name=hint[0]) if hint else ""
        raise CellError(
            msg(
                "expected one of {choices}; found '{text}'{suggestion}",
                choices=", ".join(map(str, choices)),
                text=text,
                suggestion=suggestion,
            )
        )

    return parse


_BY_TYPE: dict[Any, CellParser] = {
    int: parse_int,
    float: parse_float,
    bool: parse_bool,
    str: parse_str,
}
EXTRA_PARSERS: dict[ExtraType, CellParser] = {
    "int": parse_int,
    "float": parse_float,
    "bool": parse_bool,
    "str": parse_str,
}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    parse: CellParser
    required: bool
    optional_value: bool  # an empty cell means "not set"


def column_specs(model: type[BaseModel]) -> list[ColumnSpec]:
    """Columns of a row model, in declaration order (``extra`` excluded)."""
    specs: list[ColumnSpec] = []
    for name, info in model.model_fields.items():
        if name == "extra":
            continue
        annotation, optional = field_base_type(info.annotation)
        origin = get_origin(annotation)
        if origin is Literal:
            parser = _literal_parser(get_args(annotation))
        elif origin is tuple:
            parser = parse_list
        else:
            parser = _BY_TYPE[annotation]
        specs.append(ColumnSpec(name, parser, info.is_required(), optional))
    return specs


def decode_csv(raw: bytes, path: Path, encoding: str) -> str:
    """Decode a CSV file in the case's declared encoding; never guess silently."""
    if raw.startswith(b"\xef\xbb\xbf"):
        if encoding != "utf-8":
            raise InputError(
                msg(
                    (
                        "file starts with a UTF-8 byte-order mark but the case declares "
                        "encoding '{encoding}'; set 'encoding: utf-8' in case.yaml"
                    ),
                    encoding=encoding,
                ),
                Location(path),
            )
        raw = raw[3:]
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        if encoding == "utf-8":
            try:
                raw.decode("gb18030")
                hint = msg(
                    "; it looks like GBK/GB18030, as Chinese Excel saves CSV: set "
                    "'encoding: gb18030' in case.yaml or re-save the file as 'CSV UTF-8'"
                )
            except UnicodeDecodeError:
                pass
        raise InputError(
            msg("file is not valid {encoding}{hint}", encoding=encoding, hint=hint),
            Location(path, line, None, "(whole row)"),
        ) from None


#: tables from this size (bytes) are read column by column: below it, reading row by
#: row takes about as long and needs no polars (0.1 s to import). A generated
#: province's tables are 0.9-4.3 MB, a city's at most 0.55 MB.
COLUMNAR_FROM = 768 << 10


def read_table(
    path: Path,
    model: type[M],
    *,
    encoding: str = "utf-8",
    extra_columns: dict[str, ExtraType] | None = None,
    allow_empty: bool = False,
    raw: bytes | None = None,
) -> list[tuple[int, M]]:
    """Read ``path`` (or its already read bytes) into ``(row_number, model)`` pairs.

    Row numbers are spreadsheet rows: the header is row 1. Large tables are read
    column by column (:func:`allocator.io.frames.read_records`), with the same rows
    and the same errors.
    """
    if raw is None:
        raw = read_bytes(path)
    reader = read_rows
    if len(raw) >= COLUMNAR_FROM:
        from allocator.io.frames import read_records  # polars: only for a large table

        reader = read_records
    return reader(
        path,
        model,
        encoding=encoding,
        extra_columns=extra_columns,
        allow_empty=allow_empty,
        raw=raw,
    )


def read_rows(
    path: Path,
    model: type[M],
    *,
    encoding: str = "utf-8",
    extra_columns: dict[str, ExtraType] | None = None,
    allow_empty: bool = False,
    raw: bytes | None = None,
) -> list[tuple[int, M]]:
    """:func:`read_table` row by row: the reference for every cell's reading and error."""
    extra_columns = extra_columns or {}
    if raw is None:
        raw = read_bytes(path)
    text = decode_csv(raw, path, encoding)
    specs = column_specs(model)
    expected = [s.name for s in specs]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            msg("file is empty; expected a header row: {expected}", expected=",".join(expected)),
            Location(path, 1),
        ) from None
    except csv.Error as exc:
        raise InputError(msg("malformed CSV: {exc}", exc=exc), Location(path, 1)) from None
    header = [h.strip() for h in header]
    _check_header(path, header, specs, extra_columns)
    position = {name: i for i, name in enumerate(header)}
    rows: list[tuple[int, M]] = []
    try:
        for cells in reader:
            row_number = reader.line_num
            if not "".join(cells).strip():  # any(c.strip() ...), at C speed
                continue  # Excel leaves blank lines at the end
            if len(cells) != len(header):
                raise InputError(
                    msg(
                        "row has {n_cells} cells but the header has {n_header}",
                        n_cells=len(cells),
                        n_header=len(header),
                    ),
                    Location(path, row_number, None, "(whole row)"),
                )
            rows.append(
                (
                    row_number,
                    _parse_row(path, row_number, cells, position, specs, extra_columns, model),
                )
            )
    except csv.Error as exc:
        raise InputError(
            msg("malformed CSV: {exc}", exc=exc), Location(path, reader.line_num)
        ) from None
    if not rows and not allow_empty:
        raise InputError(msg("file has a header but no data rows"), Location(path, 2))
    return rows


def _check_header(
    path: Path, header: list[str], specs: list[ColumnSpec], extra_columns: dict[str, ExtraType]
) -> None:
    known = {s.name for s in specs} | set(extra_columns)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(
                msg("column '{name}' appears twice in the header", name=name), Location(path, 1)
            )
        seen.add(name)
    for spec in specs:
        if spec.required and spec.name not in seen:
            unknown = [h for h in header if h not in known]
            close = difflib.get_close_matches(spec.name, unknown, n=1)
            hint = msg(" (found '{name}': misspelt?)", name=close[0]) if close else ""
            raise InputError(
                msg("missing required column '{name}'{hint}", name=spec.name, hint=hint),
                Location(path, 1),
            )
    for name in extra_columns:
        if name not in seen:
            raise InputError(
                msg(
                    "column '{name}' is declared in case.yaml extra_columns but missing", name=name
                ),
                Location(path, 1),
            )
    for name in header:
        if name not in known:
            close = difflib.get_close_matches(name, [s.name for s in specs], n=1)
            hint = (
                msg("; did you mean '{name}'?", name=close[0])
                if close
                else msg("; declare it under extra_columns in case.yaml to use it in rules")
            )
            raise InputError(
                msg("unknown column '{name}'{hint}", name=name, hint=hint),
                Location(path, 1, None, name),
            )


def _parse_row(
    path: Path,
    row_number: int,
    cells: list[str],
    position: dict[str, int],
    specs: list[ColumnSpec],
    extra_columns: dict[str, ExtraType],
    model: type[M],
) -> M:
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.name not in position:
            continue
        text = cells[position[spec.name]].strip()
        if text == "":
            if spec.optional_value:
                values[spec.name] = None
                continue
            if not spec.required:
                continue
            raise InputError(msg("value is missing"), Location(path, row_number, None, spec.name))
        try:
            values[spec.name] = spec.parse(text)
        except CellError as exc:
            raise InputError(exc.args[0], Location(path, row_number, None, spec.name)) from None
    if extra_columns:
        extra: dict[str, Any] = {}
        for name, kind in extra_columns.items():
            text = cells[position[name]].strip()
            if text == "":
                raise InputError(msg("value is missing"), Location(path, row_number, None, name))
            try:
                extra[name] = EXTRA_PARSERS[kind](text)
            except CellError as exc:
                raise InputError(exc.args[0], Location(path, row_number, None, name)) from None
        values["extra"] = extra
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "(whole row)"
        found = values.get(field)
        raise InputError(
            msg("{msg}; found {found!r}", msg=validation_text(first), found=found),
            Location(path, row_number, None, field),
        ) from None
