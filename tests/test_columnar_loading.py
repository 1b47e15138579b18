"""Large case tables are read column by column: the same rows, objects and errors as
the row reader, which stays the reference for every cell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from allocator import load_case
from allocator.errors import InputError
from allocator.io import csvtable
from allocator.io.case import load_meta
from allocator.io.frames import read_records
from allocator.schemas import Fund, Need, Project, Score, Village
from tests.conftest import ROOT, edit_cell
from tests.test_case_loading import BAD_INPUTS

TABLES: dict[str, type[Any]] = {
    "villages.csv": Village,
    "needs.csv": Need,
    "projects.csv": Project,
    "funds.csv": Fund,  # a list column: the earmark
    "scores.csv": Score,
}
CASES = sorted(p.parent for p in (ROOT / "cases").glob("*/projects.csv"))


def _extra(case: Path, name: str) -> dict[str, Any] | None:
    extras = load_meta(case)[0].extra_columns
    return {"villages.csv": extras.villages, "projects.csv": extras.projects}.get(
        name, extras.funds if name == "funds.csv" else None
    )


def _outcome(read: Callable[[], list[tuple[int, Any]]]) -> tuple[str, Any]:
    """What a reader gives: its rows with each value's type, or its error text."""
    try:
        rows = read()
    except InputError as exc:
        return "error", str(exc)
    return "ok", [(r, m, [type(v) for v in m.model_dump().values()]) for r, m in rows]


def _same_reading(case: Path, name: str) -> None:
    path, model, extra = case / name, TABLES[name], _extra(case, name)
    encoding = load_meta(case)[0].encoding

    def by_rows() -> list[tuple[int, Any]]:
        return csvtable.read_rows(
            path, model, encoding=encoding, extra_columns=extra, allow_empty=True
        )

    def by_columns() -> list[tuple[int, Any]]:
        return read_records(path, model, encoding=encoding, extra_columns=extra, allow_empty=True)

    assert _outcome(by_columns) == _outcome(by_rows)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_bundled_table_reads_the_same_by_columns(case: Path) -> None:
    for name in TABLES:
        if (case / name).is_file():
            _same_reading(case, name)


BAD_TABLES = [b for b in BAD_INPUTS if b[3].split(",")[0] in TABLES]


@pytest.mark.parametrize(
    ("label", "mutate"), [(b[0], b[1]) for b in BAD_TABLES], ids=[b[0] for b in BAD_TABLES]
)
def test_bad_tables_are_refused_by_columns_with_the_row_reader_s_error(
    tiny: Path, label: str, mutate: Callable[[Path], None]
) -> None:
    mutate(tiny)
    for name in TABLES:
        if (tiny / name).is_file():
            _same_reading(tiny, name)


@pytest.mark.parametrize(
    ("table", "column", "text"),
    [
        ("projects.csv", "cost", "+1200"),  # a sign the row reader accepts
        ("projects.csv", "cost", "99999999999999999999"),  # beyond 64-bit integers
        ("projects.csv", "households", "007"),
        ("projects.csv", "divisible", "是"),
        ("projects.csv", "divisible", "TRUE"),
        ("villages.csv", "poverty_rate", "1."),
        ("villages.csv", "poverty_rate", " .5 "),
        ("villages.csv", "poverty_rate", "2e1"),
        ("villages.csv", "poverty_rate", "nan"),
        ("villages.csv", "exit_year", ""),
    ],
)
def test_cells_read_by_python_and_by_polars_alike(
    tiny: Path, table: str, column: str, text: str
) -> None:
    """Where polars and Python might read a cell differently, the row reader decides."""
    edit_cell(tiny / table, 1, column, text)
    _same_reading(tiny, table)


def test_a_case_loads_the_same_by_columns(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_rows = load_case(tiny)
    monkeypatch.setattr(csvtable, "COLUMNAR_FROM", 0)
    by_columns = load_case(tiny)
    assert by_columns == by_rows


def test_only_large_tables_are_read_by_columns(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small tables are read row by row: importing polars would cost more (0.1 s)."""
    seen: list[str] = []
    real = read_records

    def spy(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(path.name)
        return real(path, *args, **kwargs)

    import allocator.io.frames as frames

    monkeypatch.setattr(frames, "read_records", spy)
    load_case(tiny)
    assert seen == []
    size = (tiny / "projects.csv").stat().st_size
    monkeypatch.setattr(csvtable, "COLUMNAR_FROM", size)
    load_case(tiny)
    assert "projects.csv" in seen and "funds.csv" not in seen


@pytest.mark.parametrize(
    ("kind", "cells"),
    [
        ("int", ["1200", "-3", "7"]),
        ("float", ["1.5", "2e3", "0"]),
        ("bool", ["yes", "否", "TRUE"]),
        ("str", ["高山", "a b", "x"]),
        ("int", ["1200", "", "7"]),  # a missing extra value
        ("float", ["1.5", "inf", "0"]),
    ],
)
def test_extra_columns_read_the_same_by_columns(tiny: Path, kind: str, cells: list[str]) -> None:
    meta = (tiny / "case.yaml").read_text(encoding="utf-8")
    (tiny / "case.yaml").write_text(
        meta + f"extra_columns:\n  projects: {{altitude: {kind}}}\n", encoding="utf-8"
    )
    lines = (tiny / "projects.csv").read_text(encoding="utf-8").splitlines()
    values = [cells[i % len(cells)] for i in range(len(lines) - 1)]
    lines = [lines[0] + ",altitude"] + [
        f"{line},{v}" for line, v in zip(lines[1:], values, strict=True)
    ]
    (tiny / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same_reading(tiny, "projects.csv")
