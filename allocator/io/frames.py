"""Reading a large CSV table column by column (households: millions of rows a province).

polars parses the file (compiled, columnar: 3.5 million households in about a
second); every check is derived from the pydantic row model (``schemas.py``,
still the single source of truth): the cell syntax of its field types (whole
numbers, finite numbers, booleans, literal choices, as the row reader parses
them) and its constraints (``ge``, ``gt``, ``le``, ``lt``, lengths, patterns),
each applied to a whole column at once. Where any cell fails, the first failing
row in file order is handed to the row reader (``csvtable``), so the error is
exactly the one the row reader gives: same message, row and column.

:func:`read_frame` keeps the columns (the register's millions of rows are never
objects); :func:`read_records` makes the row models of a large case table from
them, validated by pydantic in one call per table.
"""

from __future__ import annotations

import csv
import io
import types
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

import annotated_types as at
import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import BaseModel, StringConstraints, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.io.csvtable import (
    ColumnSpec,
    _check_header,
    _parse_row,
    column_specs,
    decode_csv,
    parse_list,
    read_rows,
)
from allocator.io.files import read_bytes
from allocator.schemas import ExtraType

M = TypeVar("M", bound=BaseModel)

_INT = r"^[-+]?\d+$"
_FLOAT = r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"
_TRUE = ["true", "yes", "y", "1", "是", "t"]
_FALSE = ["false", "no", "n", "0", "否", "f"]


@dataclass(frozen=True)
class Frame:
    """A validated table: typed polars columns in file order, and each row's number."""

    rows: npt.NDArray[np.int64]  # spreadsheet row of each record (the header is row 1)
    columns: dict[str, pl.Series]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class _Field:
    base: Any  # int, float, bool, str, or a Literal
    choices: tuple[Any, ...] | None
    constraints: tuple[Any, ...]


def _describe(info: FieldInfo) -> _Field:
    """A field's cell type, literal choices and constraints, wherever pydantic keeps them."""
    constraints: list[Any] = list(info.metadata)
    annotation: Any = info.annotation
    if get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        for item in extra:
            constraints += item.metadata if isinstance(item, FieldInfo) else [item]
    choices = get_args(annotation) if get_origin(annotation) is Literal else None
    return _Field(annotation, choices, tuple(constraints))


def _syntax_ok(field: _Field, text: pl.Series) -> pl.Series:
    """Cells the row reader's parser accepts (for non-empty cells)."""
    if field.choices is not None:
        return text.is_in([str(c) for c in field.choices])
    if field.base is bool:
        return text.str.to_lowercase().is_in(_TRUE + _FALSE)
    if field.base is int:
        return text.str.contains(_INT)
    if field.base is float:
        return text.str.contains(_FLOAT) & text.cast(pl.Float64, strict=False).is_finite()
    return pl.Series([True] * len(text), dtype=pl.Boolean)


def _typed(field: _Field, text: pl.Series) -> pl.Series:
    if field.base is bool:
        return text.str.to_lowercase().is_in(_TRUE)
    if field.base is int:
        return text.cast(pl.Int64, strict=False)
    if field.base is float:
        return text.cast(pl.Float64, strict=False)
    return text


def _within(field: _Field, values: pl.Series, name: str, model: type[BaseModel]) -> pl.Series:
    """Values meeting every constraint of the field (nulls count as meeting them)."""
    ok = pl.Series([True] * len(values), dtype=pl.Boolean)
    for c in field.constraints:
        if isinstance(c, at.Ge):
            ok &= values >= c.ge
        elif isinstance(c, at.Gt):
            ok &= values > c.gt
        elif isinstance(c, at.Le):
            ok &= values <= c.le
        elif isinstance(c, at.Lt):
            ok &= values < c.lt
        elif isinstance(c, StringConstraints):
            length = values.str.len_chars()
            if c.min_length is not None:
                ok &= length >= c.min_length
            if c.max_length is not None:
                ok &= length <= c.max_length
            if c.pattern is not None:
                ok &= values.str.contains(str(c.pattern))
        else:  # a constraint this reader does not know: pydantic checks the column itself
            try:
                _adapter(model, name).validate_python(values.to_list(), strict=True)
            except ValidationError as exc:
                bad = int(exc.errors()[0]["loc"][0])
                ok &= pl.Series([i != bad for i in range(len(values))], dtype=pl.Boolean)
    return ok.fill_null(True)


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[list[Any]]:
    """Validates a whole column against the model field's type and constraints."""
    field = model.model_fields[name]
    annotation: Any = field.annotation
    if field.metadata:  # pydantic keeps a field's constraints beside its bare type
        annotation = Annotated.__class_getitem__((annotation, *field.metadata))  # type: ignore[attr-defined]
    return TypeAdapter(list[annotation])


def _record(text: str, index: int) -> tuple[int, list[str]]:
    """The ``index``-th non-blank record after the header: its row number and cells."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    seen = -1
    for cells in reader:
        if any(c.strip() for c in cells):
            seen += 1
            if seen == index:
                return reader.line_num, cells
    raise ValueError(index)  # pragma: no cover


@dataclass(frozen=True)
class _Columns:
    """A table's cells typed column by column, before any verdict on them."""

    frame: Frame
    first_bad: int | None  # the first record (in file order) a check refuses
    text: str
    position: dict[str, int]
    specs: list[ColumnSpec]


def _read_columns(
    path: Path,
    model: type[BaseModel],
    raw: bytes,
    encoding: str,
    extra_columns: dict[str, ExtraType],
) -> _Columns | None:
    """Parse and check every column; None when polars cannot read the file as a plain
    table (ragged rows, stray quotes) or it has no data rows: the row reader decides.

    Header errors are raised here, as the row reader raises them.
    """
    text = decode_csv(raw, path, encoding)  # refuses undeclared encodings, strips a BOM
    specs = column_specs(model)
    first_line = text.split("\n", 1)[0]
    try:
        header = [h.strip() for h in next(csv.reader([first_line]))]
    except (StopIteration, csv.Error):
        header = []
    if not text.strip():
        return None
    _check_header(path, header, specs, extra_columns)
    position = {name: i for i, name in enumerate(header)}
    data = raw if encoding == "utf-8" and not raw.startswith(b"\xef\xbb\xbf") else text.encode()
    try:
        frame = pl.read_csv(
            data, infer_schema=False, empty_string_is_null=False, raise_if_empty=False
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None
    if frame.width != len(header) or frame.height == 0:
        return None
    frame = frame.with_columns(pl.all().str.strip_chars())
    blank = frame.select(pl.all_horizontal(pl.all() == "")).to_series()
    records = np.flatnonzero(~blank.to_numpy())
    if len(records) == 0:
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1) - 1
    if lines == frame.height:  # one line per record: row numbers by position
        rows = records.astype(np.int64) + 2
    else:  # quoted line breaks: count rows as the csv module does
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader)
        rows = np.array([reader.line_num for c in reader if any(x.strip() for x in c)])
    frame = frame[records.tolist()] if len(records) < frame.height else frame

    columns: dict[str, pl.Series] = {}
    first_bad: int | None = None

    def refuse(bad: npt.NDArray[np.intp]) -> None:
        nonlocal first_bad
        if len(bad):
            first_bad = int(bad[0]) if first_bad is None else min(first_bad, int(bad[0]))

    for spec in specs:
        if spec.name not in position:
            default = model.model_fields[spec.name].get_default(call_default_factory=True)
            columns[spec.name] = pl.Series(spec.name, [default] * frame.height)
            continue
        field = _describe(model.model_fields[spec.name])
        cells = frame[spec.name]
        empty = cells == ""
        values = _typed(field, cells).set(empty, None)
        # As the row reader: an empty cell is "not set" for optional values, the
        # field's default where it has one, and "missing" otherwise.
        may_be_empty = spec.optional_value or not spec.required
        if not spec.optional_value and not spec.required and bool(empty.any()):
            default = model.model_fields[spec.name].default
            values = values.set(empty, default)
        valid = (_syntax_ok(field, cells) & _within(field, values, spec.name, model)).to_numpy()
        refuse(np.flatnonzero(~np.where(empty.to_numpy(), may_be_empty, valid)))
        columns[spec.name] = values.alias(spec.name)
    for name, kind in extra_columns.items():
        field = _Field(_EXTRA_TYPES[kind], None, ())
        cells = frame[name]
        refuse(np.flatnonzero(~(_syntax_ok(field, cells) & (cells != "")).to_numpy()))
        columns[name] = _typed(field, cells).alias(name)
    return _Columns(Frame(rows, columns), first_bad, text, position, specs)


_EXTRA_TYPES: dict[ExtraType, Any] = {"int": int, "float": float, "bool": bool, "str": str}


def read_frame(
    path: Path, model: type[BaseModel], *, encoding: str = "utf-8", raw: bytes | None = None
) -> Frame:
    """Read ``path`` into validated columns; raise the row reader's :class:`InputError`."""
    if raw is None:
        raw = read_bytes(path)
    parsed = _read_columns(path, model, raw, encoding, {})
    if parsed is None:
        return _row_reader_verdict(path, model, raw, encoding)
    if parsed.first_bad is not None:
        line, cells_at = _record(parsed.text, parsed.first_bad)
        _parse_row(path, line, cells_at, parsed.position, parsed.specs, {}, model)
        raise InputError(msg("row is not valid"), Location(path, line))  # pragma: no cover
    return parsed.frame


def read_records(
    path: Path,
    model: type[M],
    *,
    encoding: str = "utf-8",
    extra_columns: dict[str, ExtraType] | None = None,
    allow_empty: bool = False,
    raw: bytes | None = None,
) -> list[tuple[int, M]]:
    """:func:`~allocator.io.csvtable.read_rows`, read column by column.

    The same ``(row_number, model)`` pairs and the same errors (file, row, column
    and message): the row reader is the reference, and whatever this reader would
    not decide alone (an irregular file, a refused cell, an empty table) goes to it.
    The checks run per column; pydantic then validates the typed rows in one call.
    """
    extra_columns = extra_columns or {}
    if raw is None:
        raw = read_bytes(path)

    def by_rows() -> list[tuple[int, M]]:
        return read_rows(
            path,
            model,
            encoding=encoding,
            extra_columns=extra_columns,
            allow_empty=allow_empty,
            raw=raw,
        )

    parsed = _read_columns(path, model, raw, encoding, extra_columns)
    if parsed is None or parsed.first_bad is not None:
        return by_rows()
    columns = parsed.frame.columns
    names = [s.name for s in parsed.specs]
    cells = [_cells(columns[s.name], s) for s in parsed.specs]
    records = [dict(zip(names, values, strict=True)) for values in zip(*cells, strict=True)]
    if extra_columns:
        extra_names = list(extra_columns)
        extras = zip(*(columns[n].to_list() for n in extra_names), strict=True)
        for record, values in zip(records, extras, strict=True):
            record["extra"] = dict(zip(extra_names, values, strict=True))
    try:
        rows = _rows_adapter(model).validate_python(records)
    except ValidationError:  # a check pydantic makes that the column checks do not
        return by_rows()
    return list(zip(parsed.frame.rows.tolist(), rows, strict=True))


def _cells(column: pl.Series, spec: ColumnSpec) -> list[Any]:
    """A typed column as the row reader's cell values (lists split as it splits them)."""
    values = column.to_list()
    if spec.parse is parse_list:
        return [v if isinstance(v, tuple) else parse_list(v) for v in values]
    return values


@cache
def _rows_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _row_reader_verdict(path: Path, model: type[BaseModel], raw: bytes, encoding: str) -> Frame:
    """A file polars cannot read as a plain table: the row reader names what is wrong."""
    read_rows(path, model, encoding=encoding, raw=raw)
    raise InputError(msg("the file cannot be read as a table"), Location(path))  # pragma: no cover
