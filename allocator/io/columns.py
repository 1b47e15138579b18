"""Reading a large CSV table column by column (households: 1.5 million rows a province).

The row model (``schemas.py``) stays the single source of truth: each column is
parsed with the same cell parsers as ``csvtable.read_table`` (fast paths for
whole columns of clean cells), then validated in one call by a pydantic
``TypeAdapter`` over the model field's own type. Where any cell fails, the
first failing row (in file order) is parsed again by the row reader, so the
error is exactly the one ``read_table`` gives: same message, row and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from allocator.errors import InputError, Location
from allocator.io.csvtable import (
    ColumnSpec,
    _check_header,
    _parse_row,
    column_specs,
    decode_csv,
    parse_bool,
    parse_float,
    parse_int,
)
from allocator.io.files import read_bytes

_CLEAN_INTS = re.compile(r"(?:-?\d+\n)*")
_CLEAN_FLOATS = re.compile(r"(?:-?\d+(?:\.\d+)?\n)*")
_BOOLS = {
    "true": True, "yes": True, "y": True, "1": True, "是": True, "t": True,
    "false": False, "no": False, "n": False, "0": False, "否": False, "f": False,
}  # fmt: skip


@dataclass(frozen=True)
class Columns:
    """A validated table as columns: field name -> values, in file order."""

    rows: list[int]  # spreadsheet row number of each value (the header is row 1)
    values: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.rows)


def _fast(spec: ColumnSpec, cells: list[str]) -> list[Any] | None:
    """The whole column parsed at once, or None if any cell needs the careful path."""
    if spec.parse is parse_int:
        text = "\n".join(cells) + "\n"
        return [int(c) for c in cells] if _CLEAN_INTS.fullmatch(text) else None
    if spec.parse is parse_float:
        text = "\n".join(cells) + "\n"
        return [float(c) for c in cells] if _CLEAN_FLOATS.fullmatch(text) else None
    if spec.parse is parse_bool:
        values = [_BOOLS.get(c.lower()) for c in cells]
        return None if any(v is None for v in values) else values
    return None


def _parse_column(spec: ColumnSpec, cells: list[str]) -> tuple[list[Any], int | None]:
    """Typed values and the index of the first cell that cannot be parsed (or None)."""
    if not any(c == "" for c in cells):
        fast = _fast(spec, cells)
        if fast is not None:
            return fast, None
    values: list[Any] = []
    parse: Callable[[str], Any] = spec.parse
    for i, cell in enumerate(cells):
        if cell == "":
            if spec.optional_value:
                values.append(None)
                continue
            return values, i
        try:
            values.append(parse(cell))
        except ValueError:
            return values, i
    return values, None


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[list[Any]]:
    """Validates a whole column against the model field's type and constraints."""
    field = model.model_fields[name]
    annotation: Any = field.annotation
    if field.metadata:  # pydantic keeps a field's constraints beside its bare type
        annotation = Annotated.__class_getitem__((annotation, *field.metadata))  # type: ignore[attr-defined]
    return TypeAdapter(list[annotation])


def _cells_at(text: str, line: int) -> list[str]:
    """The cells of the row that ends on spreadsheet row ``line`` (read again: rare)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for row in reader:
        if reader.line_num == line:
            return row
    raise ValueError(line)  # pragma: no cover


def read_columns(
    path: Path, model: type[BaseModel], *, encoding: str = "utf-8", raw: bytes | None = None
) -> Columns:
    """Read ``path`` into validated columns; raise the row reader's :class:`InputError`."""
    if raw is None:
        raw = read_bytes(path)
    text = decode_csv(raw, path, encoding)
    specs = column_specs(model)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        expected = ",".join(s.name for s in specs)
        raise InputError(
            f"file is empty; expected a header row: {expected}", Location(path, 1)
        ) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", Location(path, 1)) from None
    _check_header(path, header, specs, {})
    position = {name: i for i, name in enumerate(header)}
    present = [s for s in specs if s.name in position]
    cells: dict[str, list[str]] = {s.name: [] for s in present}
    at = [(s.name, position[s.name]) for s in present]
    rows: list[int] = []
    stopped: InputError | None = None  # a malformed row: reported unless a cell before it fails
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                stopped = InputError(
                    f"row has {len(row)} cells but the header has {len(header)}",
                    Location(path, reader.line_num, None, "(whole row)"),
                )
                break
            rows.append(reader.line_num)
            for name, index in at:
                cells[name].append(row[index].strip())
    except csv.Error as exc:
        stopped = InputError(f"malformed CSV: {exc}", Location(path, reader.line_num))

    first_bad: int | None = None
    values: dict[str, list[Any]] = {}
    for spec in present:
        parsed, bad = _parse_column(spec, cells.pop(spec.name))
        if bad is None:
            try:
                parsed = _adapter(model, spec.name).validate_python(parsed, strict=True)
            except ValidationError as exc:
                bad = int(exc.errors()[0]["loc"][0])
        if bad is not None:
            first_bad = bad if first_bad is None else min(first_bad, bad)
        values[spec.name] = parsed
    if first_bad is not None:
        # The row reader gives the message: same text, row and column as read_table.
        line = rows[first_bad]
        _parse_row(path, line, _cells_at(text, line), position, specs, {}, model)
        raise InputError("row is not valid", Location(path, line))  # pragma: no cover
    if stopped is not None:
        raise stopped
    if not rows:
        raise InputError("file has a header but no data rows", Location(path, 2))
    for spec in specs:
        if spec.name not in values:  # an optional column left out: its default
            default = model.model_fields[spec.name].default
            values[spec.name] = [default] * len(rows)
    return Columns(rows, values)
